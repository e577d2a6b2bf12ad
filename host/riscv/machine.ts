// The architectural state of the cax SoC (docs/soc.md) and its reference
// semantics: RAM and device bus, CSRs, traps, the cycle model and the
// one-instruction interpreter that produces trace records. The block
// translator (jit.ts) compiles the same semantics for speed and falls back
// to `step()` for anything unusual.
import { CaxError, unsupported } from '../errors.js';
import { div, divu, mulh, mulhsu, mulhu, rem, remu } from './alu.js';
import { accessSize, decode, isDivide, isLoad, type Insn } from './decode.js';
import type { TraceSink } from '../trace/record.js';

/** What a profiler hears of one retirement: the instruction's pc and word, its destination register and value, whether it trapped. */
export type RetireHook = (pc: number, insn: number, rd: number, rdValue: number, trap: boolean) => void;
import { Uart } from './uart.js';

export const RAM_BASE = 0x80000000;
export const UART_BASE = 0x10000000;
export const MTIME_BASE = 0x10001000;
export const EXIT_ADDR = 0x10002000;
export const TRACE_EN_ADDR = 0x10002004;
/** RAM_SIZE: the RAM's size in bytes, read only (the firmware sizes its memory by it). */
export const RAM_SIZE_ADDR = 0x10002008;
export const MISA = 0x40001100;

/** Cycle costs of the cycle model. */
export const CYCLES = { base: 3, load: 4, divide: 35, trap: 3 } as const;

/** Trap causes (mcause). */
export const CAUSE = {
  fetchMisaligned: 0,
  fetchFault: 1,
  illegal: 2,
  breakpoint: 3,
  loadMisaligned: 4,
  loadFault: 5,
  storeMisaligned: 6,
  storeFault: 7,
  ecall: 11,
} as const;

/** How a run ended: a write to EXIT (or the Linux exit call under syscalls 'linux'), to `tohost`, an ecall under syscalls 'yield', the first trap under stopOnTrap, or the cycle budget. */
export type Ended = 'exit' | 'tohost' | 'ecall' | 'trap' | 'cycle-limit';

/**
 * `none`: ecall traps as docs/soc.md says. `linux`: ecall is the qemu-user
 * convention (a7 = 93 exit, 64 write), for test programs. `yield`: ecall
 * traps and the run ends there (ended 'ecall'), as a proved run yields to the
 * host (docs/proofs.md "The ecall boundary").
 */
export type Syscalls = 'none' | 'linux' | 'yield';

export class Trap {
  constructor(
    readonly cause: number,
    readonly tval: number,
  ) {}
}

/** Page granularity (bytes) of the write watch used for translated code and `tohost`. */
export const WATCH_PAGE_SHIFT = 8;
export const WATCH_CODE = 1;
export const WATCH_TOHOST = 2;

const MASK64 = (1n << 64n) - 1n;

/** A jump or taken branch target: traps when not a multiple of 4. */
function jumpTarget(target: number): number {
  const t = target >>> 0;
  if ((t & 3) !== 0) throw new Trap(CAUSE.fetchMisaligned, t);
  return t;
}

/** Cycles of an instruction that does not trap (docs/soc.md cycle model). */
export function costOf(insn: Insn): number {
  if (isLoad(insn.op)) return CYCLES.load;
  return isDivide(insn.op) ? CYCLES.divide : CYCLES.base;
}

export interface MachineOptions {
  readonly ramBytes: number;
  readonly uartDivisor: number;
  readonly traceAtReset: boolean;
  readonly syscalls: Syscalls;
  /** End the run at the first trap, after its CSRs are written (mcause, mepc, mtval tell which): for tests that expect one. */
  readonly stopOnTrap?: boolean;
}

export class Machine {
  readonly ramBytes: number;
  readonly ram: ArrayBuffer;
  readonly ramU8: Uint8Array;
  readonly ramI8: Int8Array;
  readonly ramU16: Uint16Array;
  readonly ramI16: Int16Array;
  readonly ramI32: Int32Array;
  /** Per RAM page: WATCH_CODE when translated code lives there, WATCH_TOHOST when `tohost` does. */
  readonly watch: Uint8Array;
  readonly regs = new Int32Array(32);
  readonly uart: Uart;
  pc = RAM_BASE;
  /** Clocks since reset; the run budget counts these. */
  clock = 0;
  /** Instructions retired since reset. */
  retired = 0;
  /** The run stops before an instruction that would end after this clock. */
  limit = 0;
  /** Set when a slow path (trap, device, watched store) needs the translated block to return. */
  exitBlock = false;
  ended: Ended | undefined;
  exitCode = 0;
  traceEnabled: boolean;
  traceSink: TraceSink | undefined;
  /** Told of each retirement without a record being made (the profiler's hot path); when set, it is called instead of the sink. */
  retireHook: RetireHook | undefined;
  tohost: number | undefined;
  /** Called with the page number when a store hits a page holding decoded or translated code. */
  onCodeWrite: (page: number) => void = () => undefined;
  /** Decoded instructions by RAM word index; their pages are watched (WATCH_CODE). */
  private readonly decoded: (Insn | undefined)[] = [];
  /** 1 for each RAM word decoded as an instruction (by the interpreter or the translator) since its page last changed. */
  private readonly codeWords: Uint8Array;
  /** Linux `write` calls of test programs (syscalls 'linux'). */
  onSyscallWrite: (fd: number, bytes: Uint8Array) => void = () => undefined;
  readonly syscalls: Syscalls;
  private readonly stopOnTrap: boolean;
  private readonly traceAtReset: boolean;
  // CSR state.
  mstatus = 0;
  mtvec = 0;
  mscratch = 0;
  mepc = 0;
  mcause = 0;
  mtval = 0;
  /** mcycle = clock + cycleDelta, minstret = retired + instretDelta (mod 2^64). */
  cycleDelta = 0n;
  instretDelta = 0n;
  /** Clock at which the instruction being executed began (device and counter reads use it). */
  insnClock = 0;

  constructor(options: MachineOptions) {
    const { ramBytes } = options;
    if (!Number.isInteger(ramBytes) || ramBytes < 256 || ramBytes % 256 !== 0 || ramBytes > 0x40000000) {
      throw new CaxError('E_USAGE', `RAM size ${ramBytes} must be a multiple of 256 bytes between 256 and 1 GiB`);
    }
    if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw unsupported('the ISS on a big-endian host');
    this.ramBytes = ramBytes;
    this.ram = new ArrayBuffer(ramBytes);
    this.ramU8 = new Uint8Array(this.ram);
    this.ramI8 = new Int8Array(this.ram);
    this.ramU16 = new Uint16Array(this.ram);
    this.ramI16 = new Int16Array(this.ram);
    this.ramI32 = new Int32Array(this.ram);
    this.watch = new Uint8Array(ramBytes >>> WATCH_PAGE_SHIFT);
    this.codeWords = new Uint8Array(ramBytes >>> 2);
    this.uart = new Uart(options.uartDivisor);
    this.traceAtReset = options.traceAtReset;
    this.traceEnabled = options.traceAtReset;
    this.syscalls = options.syscalls;
    this.stopOnTrap = options.stopOnTrap ?? false;
  }

  /** Reset: registers, CSRs, counters, devices; RAM is kept. */
  reset(pc = RAM_BASE): void {
    this.regs.fill(0);
    this.pc = pc >>> 0;
    this.clock = 0;
    this.retired = 0;
    this.limit = 0;
    this.exitBlock = false;
    this.ended = undefined;
    this.exitCode = 0;
    this.traceEnabled = this.traceAtReset;
    this.mstatus = this.mtvec = this.mscratch = this.mepc = this.mcause = this.mtval = 0;
    this.cycleDelta = this.instretDelta = 0n;
    this.uart.reset();
  }

  setTohost(address: number | undefined): void {
    if (this.tohost !== undefined && this.ramOffset(this.tohost, 1) >= 0) this.watch[this.ramOffset(this.tohost, 1) >>> WATCH_PAGE_SHIFT]! &= ~WATCH_TOHOST;
    this.tohost = address === undefined ? undefined : address >>> 0;
    if (this.tohost !== undefined && this.ramOffset(this.tohost, 1) >= 0) this.watch[this.ramOffset(this.tohost, 1) >>> WATCH_PAGE_SHIFT]! |= WATCH_TOHOST;
  }

  /** RAM offset of an access of `size` bytes at `address`, or -1 when it is not entirely in RAM. */
  ramOffset(address: number, size: number): number {
    const offset = (address >>> 0) - RAM_BASE;
    return offset >= 0 && offset + size <= this.ramBytes ? offset : -1;
  }

  // ---- Counters -----------------------------------------------------------

  mcycle(): bigint {
    return (BigInt(this.insnClock) + this.cycleDelta) & MASK64;
  }

  minstret(): bigint {
    return (BigInt(this.retired) + this.instretDelta) & MASK64;
  }

  // ---- The bus --------------------------------------------------------------

  /** Reads `size` bytes at `address`, zero-extended; throws Trap for misalignment or a hole. */
  readData(address: number, size: number): number {
    const a = address >>> 0;
    if ((a & (size - 1)) !== 0) throw new Trap(CAUSE.loadMisaligned, a);
    const offset = this.ramOffset(a, size);
    if (offset >= 0) {
      if (size === 4) return this.ramI32[offset >>> 2]! >>> 0;
      return size === 2 ? this.ramU16[offset >>> 1]! : this.ramU8[offset]!;
    }
    const word = this.deviceWord(a & ~3);
    if (word === undefined) throw new Trap(CAUSE.loadFault, a);
    if (size !== 4) return 0;
    return word(true, 0);
  }

  /** Writes the low `size` bytes of `value` at `address`; throws Trap for misalignment or a hole. */
  writeData(address: number, size: number, value: number): void {
    const a = address >>> 0;
    if ((a & (size - 1)) !== 0) throw new Trap(CAUSE.storeMisaligned, a);
    const offset = this.ramOffset(a, size);
    if (offset >= 0) {
      if (size === 4) this.ramI32[offset >>> 2] = value;
      else if (size === 2) this.ramU16[offset >>> 1] = value;
      else this.ramU8[offset] = value;
      if (this.watch[offset >>> WATCH_PAGE_SHIFT] !== 0) this.watchedStore(a, offset, size, value);
      return;
    }
    const word = this.deviceWord(a & ~3);
    if (word === undefined) throw new Trap(CAUSE.storeFault, a);
    if (size === 4) word(false, value);
  }

  /** A store hit a watched page: if it overwrote an instruction, drop that page's decoded and translated code; detect the `tohost` write. */
  watchedStore(address: number, offset: number, size: number, value: number): void {
    if ((this.watch[offset >>> WATCH_PAGE_SHIFT]! & WATCH_CODE) !== 0 && this.codeWords[offset >>> 2] !== 0) {
      this.codeWritten(offset >>> WATCH_PAGE_SHIFT);
      this.exitBlock = true;
    }
    if (address === this.tohost) this.endWith('tohost', size === 4 ? value : value & ((1 << (8 * size)) - 1));
  }

  /** Code in RAM page `page` changed: forget its decoded and translated instructions. */
  codeWritten(page: number): void {
    const first = page << (WATCH_PAGE_SHIFT - 2);
    for (let w = first; w < first + (1 << (WATCH_PAGE_SHIFT - 2)); w++) this.decoded[w] = undefined;
    this.codeWords.fill(0, first, first + (1 << (WATCH_PAGE_SHIFT - 2)));
    this.watch[page]! &= ~WATCH_CODE;
    this.onCodeWrite(page);
  }

  /** Forgets all decoded instructions and their watches (a new program). */
  forgetCode(): void {
    this.decoded.length = 0;
    this.codeWords.fill(0);
    for (let page = 0; page < this.watch.length; page++) this.watch[page]! &= ~WATCH_CODE;
  }

  /** The instruction at RAM offset `offset` without marking it as code (a look ahead). */
  peekDecode(offset: number): Insn {
    return this.decoded[offset >>> 2] ?? decode(this.ramI32[offset >>> 2]!);
  }

  /** The decoded instruction at RAM offset `offset` (cached). */
  decodeAt(offset: number): Insn {
    const index = offset >>> 2;
    let insn = this.decoded[index];
    if (insn === undefined) {
      insn = decode(this.ramI32[index]!);
      this.decoded[index] = insn;
      this.codeWords[index] = 1;
      this.watch[offset >>> WATCH_PAGE_SHIFT]! |= WATCH_CODE;
    }
    return insn;
  }

  private endWith(how: 'exit' | 'tohost', value: number): void {
    const v = value >>> 0;
    if ((v & 1) === 0) return;
    this.ended = how;
    this.exitCode = v >>> 1;
    this.exitBlock = true;
  }

  /** The device register at word address `a`, as an accessor (read when `isRead`), or undefined for a hole. */
  private deviceWord(a: number): ((isRead: boolean, value: number) => number) | undefined {
    const now = this.insnClock + 2;
    if (a >= UART_BASE && a < UART_BASE + 16) {
      const index = (a - UART_BASE) >>> 2;
      return (isRead, value) => {
        if (isRead) return this.uart.read(index, now);
        this.uart.write(index, value, now);
        return 0;
      };
    }
    if (a === MTIME_BASE || a === MTIME_BASE + 4) {
      return (isRead) => {
        if (!isRead) return 0;
        const t = (BigInt(now) + this.cycleDelta) & MASK64;
        return Number(a === MTIME_BASE ? t & 0xffffffffn : t >> 32n);
      };
    }
    if (a === EXIT_ADDR) {
      return (isRead, value) => {
        if (!isRead) this.endWith('exit', value);
        return 0;
      };
    }
    if (a === TRACE_EN_ADDR) {
      return (isRead, value) => {
        if (isRead) return this.traceEnabled ? 1 : 0;
        this.traceEnabled = (value & 1) === 1;
        this.exitBlock = true;
        return 0;
      };
    }
    if (a === RAM_SIZE_ADDR) return (isRead) => (isRead ? this.ramBytes | 0 : 0);
    return undefined;
  }

  // ---- CSRs -------------------------------------------------------------------

  /** Reads CSR `n`; undefined when it does not exist. */
  readCsr(n: number): number | undefined {
    switch (n) {
      case 0x300:
        return (this.mstatus & 0x88) | 0x1800;
      case 0x301:
        return MISA;
      case 0x304:
      case 0x344:
        return 0;
      case 0x305:
        return this.mtvec;
      case 0x340:
        return this.mscratch;
      case 0x341:
        return this.mepc;
      case 0x342:
        return this.mcause;
      case 0x343:
        return this.mtval;
      case 0xb00:
      case 0xc00:
      case 0xc01:
        return Number((this.mcycle() + 2n) & 0xffffffffn);
      case 0xb80:
      case 0xc80:
      case 0xc81:
        return Number(((this.mcycle() + 2n) & MASK64) >> 32n);
      case 0xb02:
      case 0xc02:
        return Number(this.minstret() & 0xffffffffn);
      case 0xb82:
      case 0xc82:
        return Number(this.minstret() >> 32n);
      case 0xf11:
      case 0xf12:
      case 0xf13:
      case 0xf14:
        return 0;
      default:
        return undefined;
    }
  }

  /** Writes CSR `n` (known to exist and be writable). Counter writes replace one half of the value the writing instruction began with. */
  writeCsr(n: number, value: number): void {
    const v = value >>> 0;
    const half = (old: bigint, high: boolean): bigint => (high ? (BigInt(v) << 32n) | (old & 0xffffffffn) : (old & ~0xffffffffn & MASK64) | BigInt(v));
    switch (n) {
      case 0x300:
        this.mstatus = v & 0x88;
        return;
      case 0x305:
        this.mtvec = v & ~3;
        return;
      case 0x340:
        this.mscratch = v;
        return;
      case 0x341:
        this.mepc = v & ~3;
        return;
      case 0x342:
        this.mcause = v;
        return;
      case 0x343:
        this.mtval = v;
        return;
      case 0xb00:
      case 0xb80:
        this.cycleDelta = half(this.mcycle(), n === 0xb80) - BigInt(this.insnClock + CYCLES.base);
        return;
      case 0xb02:
      case 0xb82:
        this.instretDelta = half(this.minstret(), n === 0xb82) - BigInt(this.retired + 1);
        return;
      default:
        return; // misa, mie, mip: writes ignored
    }
  }

  // ---- Traps ------------------------------------------------------------------

  /** Whether retirements are reported (TRACE_EN on and someone listening). */
  get tracing(): boolean {
    return this.traceEnabled && (this.traceSink !== undefined || this.retireHook !== undefined);
  }

  /** Hands one retirement record to the retire hook or the trace sink (the caller checks that tracing is on). */
  emitRecord(pc: number, insn: number, rd: number, rdValue: number, memAddr: number, memData: number, memMask: number, memWrite: boolean): void {
    const hook = this.retireHook;
    if (hook !== undefined) {
      hook(pc, insn >>> 0, rd, rd === 0 ? 0 : rdValue >>> 0, false);
      return;
    }
    this.traceSink!({ pc, insn: insn >>> 0, rd, rdValue: rd === 0 ? 0 : rdValue >>> 0, memAddr: memAddr >>> 0, memData: memData >>> 0, memMask, memWrite, trap: false, cause: 0, tval: 0 });
  }

  /** Takes a trap at instruction `pc` (word `insn`): CSRs, pc, 3 cycles, one trace record. */
  takeTrap(cause: number, tval: number, pc: number, insn: number): void {
    if (this.traceEnabled) {
      if (this.retireHook) this.retireHook(pc, insn >>> 0, 0, 0, true);
      else if (this.traceSink) this.traceSink({ pc, insn: insn >>> 0, rd: 0, rdValue: 0, memAddr: 0, memData: 0, memMask: 0, memWrite: false, trap: true, cause, tval: tval >>> 0 });
    }
    this.mepc = pc & ~3;
    this.mcause = cause;
    this.mtval = tval >>> 0;
    this.mstatus = (this.mstatus & 0x8) << 4; // MPIE ← MIE, MIE ← 0
    this.pc = this.mtvec >>> 0;
    this.clock += CYCLES.trap;
    if (cause === CAUSE.ecall && this.syscalls === 'yield') {
      this.ended = 'ecall';
      this.exitBlock = true;
    } else if (this.stopOnTrap) {
      this.ended = 'trap';
      this.exitBlock = true;
    }
  }

  /** For translated code: the instruction at `pc` (`done` cycles and `index` instructions into its block) traps. */
  trapInBlock(cause: number, tval: number, pc: number, done: number, index: number): void {
    this.clock += done;
    this.retired += index;
    this.takeTrap(cause, tval, pc, this.ramI32[(pc - RAM_BASE) >>> 2]!);
    this.exitBlock = true;
  }

  /** For translated code: a load that left the RAM fast path. Returns the zero-extended data, or sets exitBlock after a trap. */
  slowLoad(address: number, size: number, pc: number, done: number, index: number): number {
    this.insnClock = this.clock + done;
    try {
      return this.readData(address, size);
    } catch (e) {
      if (!(e instanceof Trap)) throw e;
      this.trapInBlock(e.cause, e.tval, pc, done, index);
      return 0;
    }
  }

  /**
   * For translated code: a store that left the RAM fast path or hit a
   * watched page. Returns true when it trapped (the trap is taken). When the
   * block must stop after it (exitBlock), accounts for it up to and
   * including this store.
   */
  slowStore(address: number, size: number, value: number, pc: number, done: number, index: number): boolean {
    this.insnClock = this.clock + done;
    try {
      this.writeData(address, size, value);
    } catch (e) {
      if (!(e instanceof Trap)) throw e;
      this.trapInBlock(e.cause, e.tval, pc, done, index);
      return true;
    }
    if (this.exitBlock) {
      this.clock += done + CYCLES.base;
      this.retired += index + 1;
      this.pc = (pc + 4) >>> 0;
    }
    return false;
  }

  // ---- The interpreter ----------------------------------------------------

  /** Cycles the next instruction will take (3 when it traps), so runs stop exactly at the budget. */
  nextCost(): number {
    const offset = this.ramOffset(this.pc, 4);
    if (offset < 0) return CYCLES.trap;
    const insn = this.decodeAt(offset);
    if (isLoad(insn.op)) {
      const size = accessSize(insn.op);
      const a = (this.regs[insn.rs1]! + insn.imm) >>> 0;
      if ((a & (size - 1)) !== 0) return CYCLES.trap;
      if (this.ramOffset(a, size) < 0 && this.deviceWord(a & ~3) === undefined) return CYCLES.trap;
    }
    return costOf(insn);
  }

  /** Executes one instruction (or takes one trap) with exact cycles and a trace record while tracing. */
  step(): void {
    const pc = this.pc;
    this.insnClock = this.clock;
    const offset = this.ramOffset(pc, 4);
    if (offset < 0) {
      this.takeTrap(CAUSE.fetchFault, pc, pc, 0);
      return;
    }
    const word = this.ramI32[offset >>> 2]!;
    try {
      this.execute(this.decodeAt(offset), pc, word);
    } catch (e) {
      if (!(e instanceof Trap)) throw e;
      this.takeTrap(e.cause, e.tval, pc, word);
    }
  }

  private execute(i: Insn, pc: number, word: number): void {
    const x = this.regs;
    const a = x[i.rs1]!;
    const b = x[i.rs2]!;
    let next = (pc + 4) >>> 0;
    let rdValue = 0;
    let writes = true;
    let memAddr = 0,
      memData = 0,
      memMask = 0,
      memWrite = false;
    let taken = false;
    const tracing = this.tracing;
    switch (i.op) {
      case 'lui':
        rdValue = i.imm;
        break;
      case 'auipc':
        rdValue = (pc + i.imm) | 0;
        break;
      case 'jal':
        next = jumpTarget(pc + i.imm);
        rdValue = (pc + 4) | 0;
        break;
      case 'jalr':
        next = jumpTarget((a + i.imm) & ~1);
        rdValue = (pc + 4) | 0;
        break;
      case 'beq':
        writes = false;
        taken = a === b;
        break;
      case 'bne':
        writes = false;
        taken = a !== b;
        break;
      case 'blt':
        writes = false;
        taken = a < b;
        break;
      case 'bge':
        writes = false;
        taken = a >= b;
        break;
      case 'bltu':
        writes = false;
        taken = a >>> 0 < b >>> 0;
        break;
      case 'bgeu':
        writes = false;
        taken = a >>> 0 >= b >>> 0;
        break;
      case 'lb':
      case 'lh':
      case 'lw':
      case 'lbu':
      case 'lhu': {
        const size = accessSize(i.op);
        memAddr = (a + i.imm) >>> 0;
        memData = this.readData(memAddr, size);
        memMask = ((1 << size) - 1) << (memAddr & 3);
        rdValue = i.op === 'lb' ? (memData << 24) >> 24 : i.op === 'lh' ? (memData << 16) >> 16 : memData | 0;
        break;
      }
      case 'sb':
      case 'sh':
      case 'sw': {
        const size = accessSize(i.op);
        writes = false;
        memAddr = (a + i.imm) >>> 0;
        memData = size === 4 ? b >>> 0 : b & ((1 << (8 * size)) - 1);
        memMask = ((1 << size) - 1) << (memAddr & 3);
        memWrite = true;
        this.writeData(memAddr, size, b);
        break;
      }
      case 'addi':
        rdValue = (a + i.imm) | 0;
        break;
      case 'slti':
        rdValue = a < i.imm ? 1 : 0;
        break;
      case 'sltiu':
        rdValue = a >>> 0 < i.imm >>> 0 ? 1 : 0;
        break;
      case 'xori':
        rdValue = a ^ i.imm;
        break;
      case 'ori':
        rdValue = a | i.imm;
        break;
      case 'andi':
        rdValue = a & i.imm;
        break;
      case 'slli':
        rdValue = a << i.imm;
        break;
      case 'srli':
        rdValue = (a >>> i.imm) | 0;
        break;
      case 'srai':
        rdValue = a >> i.imm;
        break;
      case 'add':
        rdValue = (a + b) | 0;
        break;
      case 'sub':
        rdValue = (a - b) | 0;
        break;
      case 'sll':
        rdValue = a << (b & 31);
        break;
      case 'slt':
        rdValue = a < b ? 1 : 0;
        break;
      case 'sltu':
        rdValue = a >>> 0 < b >>> 0 ? 1 : 0;
        break;
      case 'xor':
        rdValue = a ^ b;
        break;
      case 'srl':
        rdValue = (a >>> (b & 31)) | 0;
        break;
      case 'sra':
        rdValue = a >> (b & 31);
        break;
      case 'or':
        rdValue = a | b;
        break;
      case 'and':
        rdValue = a & b;
        break;
      case 'mul':
        rdValue = Math.imul(a, b);
        break;
      case 'mulh':
        rdValue = mulh(a, b);
        break;
      case 'mulhsu':
        rdValue = mulhsu(a, b);
        break;
      case 'mulhu':
        rdValue = mulhu(a, b);
        break;
      case 'div':
        rdValue = div(a, b);
        break;
      case 'divu':
        rdValue = divu(a, b);
        break;
      case 'rem':
        rdValue = rem(a, b);
        break;
      case 'remu':
        rdValue = remu(a, b);
        break;
      case 'fence':
      case 'fence.i':
      case 'wfi':
        writes = false;
        break;
      case 'ecall':
        if (this.syscalls !== 'linux') throw new Trap(CAUSE.ecall, 0);
        writes = false;
        this.linuxSyscall();
        break;
      case 'ebreak':
        throw new Trap(CAUSE.breakpoint, pc);
      case 'mret':
        writes = false;
        next = this.mepc >>> 0;
        this.mstatus = ((this.mstatus >>> 4) & 0x8) | 0x80; // MIE ← MPIE, MPIE ← 1
        break;
      case 'csrrw':
      case 'csrrs':
      case 'csrrc':
      case 'csrrwi':
      case 'csrrsi':
      case 'csrrci':
        rdValue = this.csrInstruction(i, word, a) | 0;
        break;
      case 'illegal':
        throw new Trap(CAUSE.illegal, word >>> 0);
    }
    if (taken) next = jumpTarget(pc + i.imm);
    if (writes && i.rd !== 0) x[i.rd] = rdValue;
    const rd = writes ? i.rd : 0;
    if (tracing) this.emitRecord(pc, word, rd, rdValue, memAddr, memData, memMask, memWrite);
    this.pc = next;
    this.clock += costOf(i);
    this.retired++;
  }

  /** CSRRW/S/C and their immediate forms; returns the old value for rd (throws Trap when illegal). The proofs' replay models CSRs by it too (host/proof/access.ts). */
  csrInstruction(i: Insn, word: number, rs1Value: number): number {
    const immediate = i.op.endsWith('i');
    const operand = immediate ? i.imm : rs1Value;
    const kind = immediate ? i.op.slice(0, -1) : i.op;
    const writes = kind === 'csrrw' || (immediate ? i.imm !== 0 : i.rs1 !== 0);
    const old = this.readCsr(i.csr);
    if (old === undefined || (writes && i.csr >>> 10 === 3)) throw new Trap(CAUSE.illegal, word >>> 0);
    if (writes) {
      const value = kind === 'csrrw' ? operand : kind === 'csrrs' ? old | operand : old & ~operand;
      this.writeCsr(i.csr, value);
    }
    return old;
  }

  /** The qemu-user system call convention for test programs: a7 = number, a0… arguments. */
  private linuxSyscall(): void {
    const x = this.regs;
    const number = x[17]!;
    if (number === 93 || number === 94) {
      this.ended = 'exit';
      this.exitCode = x[10]! & 0xff;
      this.exitBlock = true;
    } else if (number === 64) {
      const offset = this.ramOffset(x[11]!, x[12]! >>> 0);
      if (offset < 0) throw new CaxError('E_ISS', `write() from a buffer outside RAM at 0x${(x[11]! >>> 0).toString(16)}`);
      this.onSyscallWrite(x[10]!, this.ramU8.slice(offset, offset + (x[12]! >>> 0)));
      x[10] = x[12]!;
    } else {
      throw unsupported(`Linux system call ${number} in the ISS (only exit 93/94 and write 64)`);
    }
  }
}
