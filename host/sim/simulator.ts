// Drives the Verilator simulation of the SoC (sim/, built as build/sim/cax-sim
// by mk/rtl.mk): builds it through make, runs a program on it and parses the
// JSON summary it prints (how the run ended, cycles, instructions retired,
// optional registers and memory).
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { artefactPath, packageRoot } from '../artefacts.js';
import { CaxError } from '../errors.js';

/** The simulator binary (host/artefacts.ts: found, built on first use, or a clear E_ARTEFACT). */
export function simulatorPath(): string {
  return artefactPath('simulator');
}

export interface SimRunOptions {
  /** The program: an ELF, or a raw image loaded at 0x80000000 with `raw`. */
  readonly program: string;
  readonly raw?: boolean;
  /** Stop after this many clocks (the run then ends as `limit`). */
  readonly maxCycles?: number;
  /** VCD file, written only while TRACE_EN is on. */
  readonly vcd?: string;
  /** The first clock the VCD covers (default 0): the last cycles before a failure. */
  readonly vcdFrom?: number;
  /** Text trace file (docs/trace-port.md). */
  readonly trace?: string;
  readonly dumpRegs?: boolean;
  /** A memory range to dump: addresses (0x…) or ELF symbols, `to` exclusive. */
  readonly dumpMem?: { readonly from: string; readonly to: string };
  /** End the run when an ecall traps (end `ecall`): a proved run yielding to the host (docs/proofs.md). */
  readonly stopOnEcall?: boolean;
  /** End the run at the first trap (end `trap`, `trapCause` its mcause): a test expecting a trap. */
  readonly stopOnTrap?: boolean;
  /** a0, a1, … at reset (at most 8; 32-bit values, negative ones as two's complement). */
  readonly args?: readonly number[];
  /** Called with the clocks run so far, every 2^20 clocks (`cax-sim --progress`). */
  readonly onProgress?: (clocks: number) => void;
  /** The simulator binary; default build/sim/cax-sim of the project. */
  readonly simulator?: string;
  /** Coverage data file (the coverage build of the simulator: docs/waveforms.md). */
  readonly coverage?: string;
}

/** The command-line arguments of the simulator for `options`. */
export function simArguments(options: SimRunOptions): string[] {
  const args: string[] = [];
  if (options.raw) args.push('--raw');
  if (options.maxCycles !== undefined) args.push('--max-cycles', String(options.maxCycles));
  if (options.vcd !== undefined) args.push('--vcd', options.vcd);
  if (options.vcdFrom !== undefined) args.push('--vcd-from', String(options.vcdFrom));
  if (options.trace !== undefined) args.push('--trace', options.trace);
  if (options.dumpRegs) args.push('--dump-regs');
  if (options.stopOnEcall) args.push('--stop-on-ecall');
  if (options.stopOnTrap) args.push('--stop-on-trap');
  for (const a of options.args ?? []) args.push('--arg', String(a));
  if (options.onProgress) args.push('--progress');
  if (options.dumpMem) args.push('--dump-mem', `${options.dumpMem.from}:${options.dumpMem.to}`);
  if (options.coverage !== undefined) args.push('--coverage', options.coverage);
  args.push(options.program);
  return args;
}

const u32 = z.number().int().min(0).max(0xffffffff);

/** The summary line the simulator prints last. */
export const SimSummarySchema = z.object({
  end: z.enum(['pass', 'fail', 'limit', 'stopped', 'ecall', 'trap']),
  /** mcause of the trap a stopOnTrap run ended at. */
  trapCause: u32.optional(),
  exitCode: z.number().int().min(0),
  cycles: z.number().int().min(0),
  instret: z.number().int().min(0),
  clocks: z.number().int().min(0),
  regs: z.array(u32).length(32).optional(),
  mem: z.object({ from: u32, hex: z.string().regex(/^([0-9a-f]{2})*$/) }).optional(),
});
export type SimSummary = z.infer<typeof SimSummarySchema>;

/** A progress line of `cax-sim --progress`. */
const ProgressLine = z.object({ progress: z.number().int().min(0) });

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** Parses the simulator's last stdout line; E_SIM when it is not a summary. */
export function parseSummary(stdout: string): SimSummary {
  const lines = stdout.trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  let json: unknown;
  try {
    json = JSON.parse(last);
  } catch {
    throw new CaxError('E_SIM', `the simulator printed no summary: ${JSON.stringify(last.slice(0, 200))}`);
  }
  const parsed = SimSummarySchema.safeParse(json);
  if (!parsed.success) throw new CaxError('E_SIM', `bad simulator summary: ${parsed.error.message}`);
  return parsed.data;
}

export interface SimRun {
  readonly summary: SimSummary;
  /** What the program sent on the UART. */
  readonly uart: string;
}

/** Runs a program to its end or the cycle limit. */
export async function runSim(options: SimRunOptions): Promise<SimRun> {
  const simulator = options.simulator ?? simulatorPath();
  if (!existsSync(simulator)) throw new CaxError('E_SIM', `${simulator} is not built (run \`cax sim build\` or \`make sim\`)`);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(simulator, simArguments(options), { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let pending = '';
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      if (!options.onProgress) return;
      pending += b.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const clocks = ProgressLine.safeParse(safeJson(line)).data?.progress;
        if (clocks !== undefined) options.onProgress(clocks);
      }
    });
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new CaxError('E_SIM', `cannot start ${simulator}: ${e.message}`)));
    child.on('close', (status) => {
      const stderr = Buffer.concat(err).toString('latin1');
      if (status !== 0 && status !== 1) {
        const code = status === 2 ? 'E_USAGE' : 'E_SIM';
        reject(
          new CaxError(
            code,
            stderr
              .trim()
              .split('\n')
              .filter((l) => l.startsWith('cax-sim:'))
              .join('; ') || `the simulator exited with status ${status}`,
          ),
        );
        return;
      }
      try {
        resolvePromise({ summary: parseSummary(Buffer.concat(out).toString()), uart: stderr });
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** Builds the simulator (and nothing else) with make — with `coverage`, its coverage build; resolves to its path. */
export async function buildSim(root = packageRoot(), coverage = false): Promise<string> {
  const target = coverage ? 'sim-coverage' : 'sim';
  await new Promise<void>((resolvePromise, reject) => {
    execFile('make', ['-C', root, '--no-print-directory', target], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new CaxError('E_SIM', `make ${target} failed: ${(stderr || stdout).trim().slice(-2000)}`));
      else resolvePromise();
    });
  });
  return resolve(root, 'build', coverage ? 'sim-coverage' : 'sim', 'cax-sim');
}
