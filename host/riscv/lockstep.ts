// Lockstep comparison of two retirement traces (the RTL's and the ISS's):
// finds the first record where they differ and reports it with the
// instruction, both register files as reconstructed from the traces up to
// that point, and the instructions before it.
import { ABI_NAMES, disassemble } from './disasm.js';
import { formatTraceRecord, type TraceRecord } from './trace.js';

export interface Divergence {
  /** Index of the first differing record (or where one trace ends early). */
  readonly index: number;
  readonly left: TraceRecord | undefined;
  readonly right: TraceRecord | undefined;
  /** Register files before the differing record, as each trace's writes leave them. */
  readonly leftRegisters: readonly number[];
  readonly rightRegisters: readonly number[];
  /** The records before it (common to both). */
  readonly before: readonly TraceRecord[];
}

function sameRecord(a: TraceRecord, b: TraceRecord): boolean {
  return a.pc === b.pc && a.insn === b.insn && a.rd === b.rd && a.rdValue === b.rdValue && a.memAddr === b.memAddr &&
    a.memData === b.memData && a.memMask === b.memMask && a.memWrite === b.memWrite && a.trap === b.trap &&
    a.cause === b.cause && a.tval === b.tval;
}

function registersAfter(records: readonly TraceRecord[], count: number): number[] {
  const regs = new Array<number>(32).fill(0);
  for (let i = 0; i < count; i++) {
    const r = records[i]!;
    if (!r.trap && r.rd !== 0) regs[r.rd] = r.rdValue >>> 0;
  }
  return regs;
}

/** The first divergence of two traces, or undefined when they are identical. */
export function firstDivergence(left: readonly TraceRecord[], right: readonly TraceRecord[], context = 8): Divergence | undefined {
  const common = Math.min(left.length, right.length);
  let index = 0;
  while (index < common && sameRecord(left[index]!, right[index]!)) index++;
  if (index === common && left.length === right.length) return undefined;
  return {
    index,
    left: left[index],
    right: right[index],
    leftRegisters: registersAfter(left, index),
    rightRegisters: registersAfter(right, index),
    before: left.slice(Math.max(0, index - context), index),
  };
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

function describeRecord(r: TraceRecord | undefined): string {
  if (r === undefined) return '(trace ended)';
  return `${formatTraceRecord(r)}   ${hex(r.pc)}: ${disassemble(r.insn, r.pc)}${r.trap ? `  → trap cause ${r.cause} tval ${hex(r.tval)}` : ''}`;
}

/** A readable report: which record, both versions, the registers that differ (and all), and the instructions before. */
export function formatDivergence(d: Divergence, names: readonly [string, string] = ['left', 'right']): string {
  const width = Math.max(names[0].length, names[1].length);
  const lines = [
    `first divergence at record ${d.index}:`,
    `  ${names[0].padEnd(width)}  ${describeRecord(d.left)}`,
    `  ${names[1].padEnd(width)}  ${describeRecord(d.right)}`,
    'registers before it:',
  ];
  for (let r = 1; r < 32; r++) {
    const a = d.leftRegisters[r]!, b = d.rightRegisters[r]!;
    lines.push(`  x${r.toString().padEnd(2)} ${ABI_NAMES[r]!.padEnd(4)} ${hex(a)}${a === b ? '' : ` ≠ ${hex(b)}`}`);
  }
  lines.push(`the ${d.before.length} instructions before it:`);
  for (const r of d.before) lines.push(`  ${describeRecord(r)}`);
  return lines.join('\n');
}
