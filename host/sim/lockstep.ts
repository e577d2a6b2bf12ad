// Lockstep reports for two retirement traces (the RTL's and the ISS's): the
// first divergence (found by host/trace/diff.ts) with the instruction, both
// register files as reconstructed from the traces up to that point, and the
// instructions before it.
import { firstDivergence, type Divergence } from '../trace/diff.js';
import { ABI_NAMES, disassemble } from '../riscv/disasm.js';
import { formatTraceRecord, type TraceRecord } from '../trace/record.js';

export interface LockstepDivergence extends Divergence {
  /** Register files before the differing record, as each trace's writes leave them. */
  readonly leftRegisters: readonly number[];
  readonly rightRegisters: readonly number[];
}

function registersAfter(records: readonly TraceRecord[], count: number): number[] {
  const regs = new Array<number>(32).fill(0);
  for (let i = 0; i < count; i++) {
    const r = records[i]!;
    if (!r.trap && r.rd !== 0) regs[r.rd] = r.rdValue >>> 0;
  }
  return regs;
}

async function* each(records: readonly TraceRecord[]): AsyncGenerator<TraceRecord> {
  yield* records;
}

/** The first divergence of two complete traces with both register files, or undefined when they are identical. */
export async function lockstepDivergence(left: readonly TraceRecord[], right: readonly TraceRecord[], context = 8): Promise<LockstepDivergence | undefined> {
  const { divergence } = await firstDivergence(each(left), each(right), context);
  if (divergence === undefined) return undefined;
  return { ...divergence, leftRegisters: registersAfter(left, divergence.index), rightRegisters: registersAfter(right, divergence.index) };
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

function describeRecord(r: TraceRecord | undefined): string {
  if (r === undefined) return '(trace ended)';
  return `${formatTraceRecord(r)}   ${hex(r.pc)}: ${disassemble(r.insn, r.pc)}${r.trap ? `  → trap cause ${r.cause} tval ${hex(r.tval)}` : ''}`;
}

/** A readable report: which record, both versions and the fields that differ, the registers (differences marked), the instructions before. */
export function formatDivergence(d: LockstepDivergence, names: readonly [string, string] = ['left', 'right']): string {
  const width = Math.max(names[0].length, names[1].length);
  const lines = [
    `first divergence at record ${d.index}${d.fields.length > 0 ? ` (${d.fields.join(', ')})` : ''}:`,
    `  ${names[0].padEnd(width)}  ${describeRecord(d.a)}`,
    `  ${names[1].padEnd(width)}  ${describeRecord(d.b)}`,
    'registers before it:',
  ];
  for (let r = 1; r < 32; r++) {
    const a = d.leftRegisters[r]!,
      b = d.rightRegisters[r]!;
    lines.push(`  x${r.toString().padEnd(2)} ${ABI_NAMES[r]!.padEnd(4)} ${hex(a)}${a === b ? '' : ` ≠ ${hex(b)}`}`);
  }
  lines.push(`the ${d.before.length} instructions before it:`);
  for (const r of d.before) lines.push(`  ${describeRecord(r)}`);
  return lines.join('\n');
}
