// Differential testing of the core against qemu-riscv32 on the same ELF
// (test/isa/env.S): both runs must end the same way and leave the same
// signature (final registers and the test's data area). When they do not,
// the core's trace and qemu's single-step register log locate the first
// instruction where they part, reported with its context.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { CaxError } from '../errors.js';
import { disassemble, ABI_NAMES } from '../riscv/disasm.js';
import { parseElf } from '../riscv/elf.js';
import { parseTraceLine, type TraceRecord } from '../trace/record.js';
import { qemuSteps, runQemu, type QemuStep } from './qemu.js';
import { runSim, type SimSummary } from './simulator.js';

const REGS_BYTES = 32 * 4;
const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
const reg = (n: number): string => `x${n} (${ABI_NAMES[n]})`;

function describe(word: number, pc: number): string {
  try {
    return disassemble(word, pc);
  } catch {
    return `.word ${hex(word)}`;
  }
}

/** The first difference between two signatures (registers, then data words), or undefined. */
export function firstSignatureDifference(core: Uint8Array, qemu: Uint8Array): string | undefined {
  if (core.length !== qemu.length) return `signature sizes differ: core ${core.length} bytes, qemu ${qemu.length} bytes`;
  const word = (b: Uint8Array, i: number): number => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
  for (let i = 0; i + 4 <= core.length; i += 4) {
    const c = word(core, i);
    const q = word(qemu, i);
    if (c === q) continue;
    const where = i < REGS_BYTES ? `final ${reg(i / 4)}` : `test_data+${hex(i - REGS_BYTES)}`;
    return `${where}: core ${hex(c)}, qemu ${hex(q)}`;
  }
  return undefined;
}

/**
 * Walks the core's trace and qemu's states in step from the first record at
 * `from` until `until`; returns the first disagreement with its context.
 */
export function firstDivergence(trace: readonly TraceRecord[], steps: readonly QemuStep[], from: number, until: number): string | undefined {
  const t0 = trace.findIndex((r) => r.pc === from);
  const q0 = steps.findIndex((s) => s.pc === from);
  if (t0 < 0 || q0 < 0) return `${t0 < 0 ? 'the core' : 'qemu'} never reached ${hex(from)}`;
  const context = (k: number): string =>
    trace
      .slice(Math.max(t0, t0 + k - 4), t0 + k + 1)
      .map((r, i, all) => `  ${i === all.length - 1 ? '>' : ' '} ${hex(r.pc)}  ${hex(r.insn)}  ${describe(r.insn, r.pc)}${r.rd ? `   ${reg(r.rd)} = ${hex(r.rdValue)}` : ''}`)
      .join('\n');
  for (let k = 0; ; k++) {
    const rec = trace[t0 + k];
    const before = steps[q0 + k];
    if (rec?.pc === until && before?.pc === until) return undefined;
    if (!rec || !before) return `${rec ? 'qemu' : 'the core'} stopped after ${k} instructions from ${hex(from)}\n${context(k - 1)}`;
    const at = `first difference at instruction ${k} after ${hex(from)}, pc ${hex(rec.pc)}: ${describe(rec.insn, rec.pc)}`;
    if (rec.pc !== before.pc) return `${at}\n  the core executed pc ${hex(rec.pc)}, qemu pc ${hex(before.pc)}\n${context(k)}`;
    if (rec.trap) return `${at}\n  the core trapped (mcause ${rec.cause}, mtval ${hex(rec.tval)}); qemu did not\n${context(k)}`;
    const after = steps[q0 + k + 1];
    if (!after) continue; // the last logged instruction: its effect is in the signature
    for (let r = 1; r < 32; r++) {
      const coreValue = rec.rd === r ? rec.rdValue : before.regs[r]!;
      if (coreValue !== after.regs[r]) {
        return `${at}\n  core: ${reg(r)} = ${hex(coreValue)}${rec.rd === r ? '' : ' (not written)'}\n  qemu: ${reg(r)} = ${hex(after.regs[r]!)}\n${context(k)}`;
      }
    }
  }
}

export interface DifferentialResult {
  readonly agree: boolean;
  readonly core: SimSummary;
  /** qemu's exit status: the failure code, 0 for pass. */
  readonly qemuStatus: number;
  /** What differs and where, when they disagree. */
  readonly report?: string;
}

/** Runs `elf` on the core and under qemu and compares how they ended and their signatures. */
export async function compareWithQemu(elf: string, options: { simulator?: string; maxCycles?: number } = {}): Promise<DifferentialResult> {
  const image = parseElf(new Uint8Array(readFileSync(elf)));
  const symbol = (name: string): number => {
    const v = image.symbols.get(name);
    if (v === undefined) throw new CaxError('E_SIM', `${elf} has no symbol ${name}: not built with test/isa/env.S`);
    return v;
  };
  const from = symbol('test_body');
  const until = symbol('cax_end');
  const maxCycles = options.maxCycles ?? 20_000_000;
  const [core, qemu] = await Promise.all([runSim({ program: elf, maxCycles, dumpMem: { from: 'begin_signature', to: 'end_signature' }, simulator: options.simulator }), runQemu(elf)]);
  const coreStatus = core.summary.end === 'pass' ? 0 : core.summary.exitCode;
  const coreSignature = Buffer.from(core.summary.mem?.hex ?? '', 'hex');
  const problems: string[] = [];
  if (core.summary.end === 'limit' || core.summary.end === 'stopped') problems.push(`the core did not finish (${core.summary.end} after ${core.summary.clocks} cycles)`);
  else if (coreStatus !== qemu.status) problems.push(`exit codes differ: core ${coreStatus}, qemu ${qemu.status}`);
  const signature = firstSignatureDifference(new Uint8Array(coreSignature), qemu.stdout);
  if (signature) problems.push(signature);
  if (problems.length === 0) return { agree: true, core: core.summary, qemuStatus: qemu.status };

  const dir = await mkdtemp(join(tmpdir(), 'cax-diff-'));
  try {
    const traceFile = join(dir, 'core.trace');
    await runSim({ program: elf, maxCycles, trace: traceFile, simulator: options.simulator });
    const trace = (await readFile(traceFile, 'utf8'))
      .split('\n')
      .filter((l) => l !== '')
      .map((line, i) => parseTraceLine(line, { file: traceFile, line: i + 1 }));
    const steps = await qemuSteps(elf, join(dir, 'qemu.log'));
    const where = firstDivergence(trace, steps, from, until) ?? 'no instruction-level difference found before the end';
    return { agree: false, core: core.summary, qemuStatus: qemu.status, report: `${elf}: ${problems.join('; ')}\n${where}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
