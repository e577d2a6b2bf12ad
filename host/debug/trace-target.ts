// gdb over a recorded retirement trace (`cax sim gdb`, docs/debugging.md): the
// simulated core's trace file (docs/trace-port.md) and the program's ELF. The
// target's position is the number of records applied; the state there is
// the ELF's loaded bytes with every earlier record's register write and store
// applied (registers start at zero, as at reset); a byte a load read before
// any store of the trace wrote it was there from the start, so the loads
// fill in (and correct) the initial memory. Machine CSRs are served as far as
// the records tell them (trace-csrs.ts). Each step forward keeps
// what it overwrote, so a step backward restores it exactly: reverse
// execution is as cheap as forward. The history is recorded, so gdb's
// register and memory writes are refused (E01).
import { CaxError } from '../errors.js';
import { parseElf } from '../riscv/elf.js';
import type { TraceRecord } from '../trace/record.js';
import { CSR_REGNUM_BASE, hex32, toggle, toggleWatch, type RspTarget, type Watch } from './gdb.js';
import { TRACE_CSRS, TraceCsrs } from './trace-csrs.js';

const RAM_BASE = 0x80000000;

/** What one record overwrote: the register's old value and the old bytes of a store. */
interface Undo {
  readonly reg: number;
  readonly value: number;
  readonly bytes: readonly (readonly [number, number | undefined])[];
}

/** The bytes a load read or a store wrote, by address (the record's lanes of the aligned word, its data from the access's address on). */
function accessedBytes(r: TraceRecord): [number, number][] {
  const base = (r.memAddr & ~3) >>> 0;
  const shift = r.memAddr & 3;
  const bytes: [number, number][] = [];
  for (let lane = 0; lane < 4; lane++) if ((r.memMask & (1 << lane)) !== 0) bytes.push([base + lane, (r.memData >>> (8 * (lane - shift))) & 0xff]);
  return bytes;
}

export class TraceTarget implements RspTarget {
  interrupted = false;
  private position = 0;
  private readonly regs = new Uint32Array(32);
  /** RAM bytes by address (absent: zero, as the RAM after reset). */
  private readonly memory = new Map<number, number>();
  private readonly undo: Undo[] = [];
  private readonly breakpoints = new Set<number>();
  private readonly watches = new Map<string, Watch>();
  readonly csrs = TRACE_CSRS;
  private readonly csrHistory: TraceCsrs;

  constructor(
    elf: Uint8Array,
    private readonly records: readonly TraceRecord[],
    private readonly ramBytes: number,
  ) {
    if (records.length === 0) throw new CaxError('E_TRACE', 'the trace has no records');
    for (const seg of parseElf(elf).segments) for (let i = 0; i < seg.data.length; i++) this.memory.set(seg.vaddr + i, seg.data[i]!);
    this.initialFromLoads();
    this.csrHistory = new TraceCsrs(records);
  }

  /** Each RAM byte a load read before any record stored to it held that value from the start. */
  private initialFromLoads(): void {
    const stored = new Set<number>();
    for (const r of this.records) {
      if (r.trap) continue;
      for (const [address, byte] of accessedBytes(r)) {
        if (r.memWrite) stored.add(address);
        else if (!stored.has(address) && address >= RAM_BASE && address < RAM_BASE + this.ramBytes) {
          this.memory.set(address, byte);
          stored.add(address);
        }
      }
    }
  }

  /** The pc of the next record, or past the last one the pc after it. */
  get pc(): number {
    const r = this.records[this.position];
    return r ? r.pc : (this.records.at(-1)!.pc + 4) >>> 0;
  }

  get steps(): number {
    return this.position;
  }

  private forward(): boolean {
    const r = this.records[this.position];
    if (!r) return false;
    const bytes: (readonly [number, number | undefined])[] = [];
    if (r.memWrite) {
      for (const [address, byte] of accessedBytes(r)) {
        bytes.push([address, this.memory.get(address)]);
        this.memory.set(address, byte);
      }
    }
    this.undo.push({ reg: r.rd, value: this.regs[r.rd]!, bytes });
    if (r.rd !== 0) this.regs[r.rd] = r.rdValue;
    this.position++;
    return true;
  }

  private backward(): boolean {
    const u = this.undo.pop();
    if (!u) return false;
    this.regs[u.reg] = u.value;
    for (const [address, old] of u.bytes) {
      if (old === undefined) this.memory.delete(address);
      else this.memory.set(address, old);
    }
    this.position--;
    return true;
  }

  private watched(): string[] {
    return [...this.watches.values()].map((w) => this.readMemory(w.address, w.length));
  }

  /** Moves one record at a time in `dir` until a breakpoint's pc, a watched range changing, or an end of the history. */
  private run(dir: 1 | -1): string {
    for (;;) {
      const before = this.watches.size > 0 ? this.watched() : [];
      if (!(dir > 0 ? this.forward() : this.backward())) return dir > 0 ? 'T05replaylog:end;' : 'T05replaylog:begin;';
      const after = this.watches.size > 0 ? this.watched() : [];
      const hit = [...this.watches.values()].find((_, i) => before[i] !== after[i]);
      if (hit) return `T05watch:${hit.address.toString(16)};`;
      if (this.breakpoints.has(this.pc)) return 'S05';
    }
  }

  continueForward(): Promise<string> {
    return Promise.resolve(this.run(1));
  }

  stepForward(): string {
    return this.forward() ? 'S05' : 'T05replaylog:end;';
  }

  reverseStep(): string {
    return this.backward() ? 'S05' : 'T05replaylog:begin;';
  }

  reverseContinue(): string {
    return this.run(-1);
  }

  readRegisters(): string {
    return [...this.regs, this.pc].map(hex32).join('');
  }

  /** x0–x31, pc, and the CSRs served (`xxxxxxxx`, unavailable, where the records do not tell the value). */
  readRegister(n: number): string {
    if (n >= CSR_REGNUM_BASE && Object.values(this.csrs).includes(n - CSR_REGNUM_BASE)) {
      const value = this.csrHistory.valueAt(n - CSR_REGNUM_BASE, this.position);
      return value === undefined ? 'xxxxxxxx' : hex32(value);
    }
    if (n < 0 || n > 32) throw new CaxError('E_PROTOCOL', `no register ${n}`);
    return hex32(n === 32 ? this.pc : this.regs[n]!);
  }

  writeRegister(): void {
    throw new CaxError('E_UNSUPPORTED', 'the history is recorded: registers cannot be written');
  }

  readMemory(address: number, length: number): string {
    if (address < RAM_BASE || address + length > RAM_BASE + this.ramBytes) throw new CaxError('E_RANGE', `0x${address.toString(16)}+${length} is not in RAM`);
    return Buffer.from(Array.from({ length }, (_, i) => this.memory.get(address + i) ?? 0)).toString('hex');
  }

  writeMemory(): void {
    throw new CaxError('E_UNSUPPORTED', 'the history is recorded: memory cannot be written');
  }

  setBreakpoint(address: number, on: boolean): void {
    toggle(this.breakpoints, address, on);
  }

  setWatch(address: number, length: number, on: boolean): void {
    toggleWatch(this.watches, { address, length }, on, () => this.readMemory(address, length));
  }
}
