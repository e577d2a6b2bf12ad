// The machine CSRs of a recorded retirement trace, as far as the trace tells
// them (`cax sim gdb`, trace-target.ts; docs/debugging.md). A trap record sets
// mcause, mtval and mepc (its cause, tval and pc); a CSR instruction's record
// gives the CSR's old value when it writes a register, and its new value
// follows from the instruction and the source register (followed from the
// records' register writes, from zero at the trace's start). The counters
// change every cycle or instruction, so they are known from their reads
// only: minstret at a position is the latest read before it plus the
// instructions retired since; mcycle only at a record that reads it. A CSR
// the records before a position have not determined is unknown there.
// mstatus is known from the start: the trace starts at reset (MIE and MPIE
// clear, MPP fixed at machine mode), a trap moves MIE to MPIE and clears MIE,
// mret moves MPIE back to MIE and sets MPIE, and a CSR write keeps its MIE and
// MPIE bits (rtl/core/cax_csr.v).
import type { TraceRecord } from '../trace/record.js';

/** The CSRs served, by gdb name: their CSR numbers. */
export const TRACE_CSRS: Readonly<Record<string, number>> = { mstatus: 0x300, mtvec: 0x305, mscratch: 0x340, mepc: 0x341, mcause: 0x342, mtval: 0x343, mcycle: 0xb00, minstret: 0xb02 };

const MSTATUS = 0x300;
/** mstatus at reset: MPP = 3 (machine mode only), MIE and MPIE clear. */
const MSTATUS_RESET = 0x1800;
const MSTATUS_MIE = 0x8;
const MSTATUS_MPIE = 0x80;
const MRET = 0x30200073;
const MEPC = 0x341;
const MCAUSE = 0x342;
const MTVAL = 0x343;
const MCYCLE = 0xb00;
const MINSTRET = 0xb02;
/** A counter CSR by any of its numbers (the user-level cycle and instret read the same counters). */
const COUNTERS = new Map([
  [0xb00, MCYCLE],
  [0xc00, MCYCLE],
  [0xb02, MINSTRET],
  [0xc02, MINSTRET],
]);
const OP_SYSTEM = 0x73;

/** When a CSR took a value: the index of the record after which it holds (undefined: a value the records do not tell). */
interface Change {
  readonly at: number;
  readonly value: number | undefined;
}

export class TraceCsrs {
  /** Per CSR, its changes in record order. */
  private readonly changes = new Map<number, Change[]>();
  /** Records that read a counter (mcycle, minstret), with the value read (its value as the record executed). */
  private readonly counterReads = new Map<number, { readonly at: number; readonly value: number }[]>();
  /** How many of the first i records retired (were not traps). */
  private readonly retired: Uint32Array;

  constructor(records: readonly TraceRecord[]) {
    this.retired = new Uint32Array(records.length + 1);
    const regs = new Uint32Array(32);
    this.set(MSTATUS, -1, MSTATUS_RESET);
    records.forEach((r, i) => {
      this.retired[i + 1] = this.retired[i]! + (r.trap ? 0 : 1);
      if (r.trap) {
        this.set(MCAUSE, i, r.cause);
        this.set(MTVAL, i, r.tval);
        this.set(MEPC, i, r.pc);
        this.updateMstatus(i, (m) => (m & MSTATUS_MIE ? MSTATUS_MPIE : 0));
        return;
      }
      if (r.insn >>> 0 === MRET) this.updateMstatus(i, (m) => MSTATUS_MPIE | (m & MSTATUS_MPIE ? MSTATUS_MIE : 0));
      const funct3 = (r.insn >>> 12) & 7;
      if ((r.insn & 0x7f) === OP_SYSTEM && funct3 !== 0 && funct3 !== 4) this.csrInstruction(r, i, funct3, regs);
      if (r.rd !== 0) regs[r.rd] = r.rdValue;
    });
  }

  /** mstatus after record `i`: its MIE and MPIE bits from those before (unknown stays unknown). */
  private updateMstatus(i: number, bits: (before: number) => number): void {
    const before = this.valueBefore(MSTATUS, i);
    this.set(MSTATUS, i, before === undefined ? undefined : MSTATUS_RESET | bits(before));
  }

  private set(csr: number, at: number, value: number | undefined): void {
    let list = this.changes.get(csr);
    if (!list) this.changes.set(csr, (list = []));
    list.push({ at, value: value === undefined ? undefined : value >>> 0 });
  }

  /** csrrw/csrrs/csrrc and their immediate forms: the old value read (if any), the new value written. */
  private csrInstruction(r: TraceRecord, i: number, funct3: number, regs: Uint32Array): void {
    const csr = r.insn >>> 20;
    const rs1 = (r.insn >>> 15) & 31;
    const counter = COUNTERS.get(csr);
    if (counter !== undefined) {
      let reads = this.counterReads.get(counter);
      if (!reads) this.counterReads.set(counter, (reads = []));
      if (r.rd !== 0) reads.push({ at: i, value: r.rdValue >>> 0 });
      return;
    }
    const known = this.valueBefore(csr, i);
    const old = r.rd !== 0 ? r.rdValue >>> 0 : known;
    // the value read is the one the CSR held before this record
    if (old !== known) this.set(csr, i - 1, old);
    const source = funct3 >= 5 ? rs1 : regs[rs1]!;
    const op = funct3 & 3;
    // csrrs/csrrc with x0 (or a zero immediate) only read
    if (op !== 1 && source === 0) return;
    const value = op === 1 ? source : old === undefined ? undefined : op === 2 ? old | source : old & ~source;
    this.set(csr, i, csr === MSTATUS && value !== undefined ? MSTATUS_RESET | (value & (MSTATUS_MIE | MSTATUS_MPIE)) : value);
  }

  /** The value a CSR holds before record `i` executes (after records 0…i-1). */
  private valueBefore(csr: number, i: number): number | undefined {
    const list = this.changes.get(csr);
    if (!list) return undefined;
    for (let k = list.length - 1; k >= 0; k--) if (list[k]!.at < i) return list[k]!.value;
    return undefined;
  }

  /** The CSR's value at `position` (after that many records), or undefined when the records do not tell it. */
  valueAt(csr: number, position: number): number | undefined {
    const counter = COUNTERS.get(csr);
    if (counter === undefined) return this.valueBefore(csr, position);
    const reads = this.counterReads.get(counter) ?? [];
    if (counter === MCYCLE) return reads.find((x) => x.at === position)?.value;
    const latest = [...reads].reverse().find((x) => x.at <= position);
    return latest === undefined ? undefined : (latest.value + this.retired[position]! - this.retired[latest.at]!) >>> 0;
  }
}
