// What each proved step touched outside the registers (docs/proofs.md): its
// access word (pc, instruction word, memory access) as the step circuit
// exposes it (one public field element per step), its compact binary form in
// receipts (docs/receipt.md), and the memory replay that checks a run's
// access words against the program image. The replay is the one check of
// instruction fetch, initial data and memory consistency: the prover runs it
// on the trace before proving, the verifier on the receipt's proved words.
// The devices (UART, MTIME, RAM_SIZE) are replayed by the ISS's own device
// model at the cycle the model of docs/soc.md gives each access, so the
// bytes a program transmits on the UART are a proved output; CSR
// instructions are replayed by the ISS's own CSR model (the counters mcycle
// and minstret by the same cycle model), against the old value and the rs1
// value the step exposes. A system step (a trap, mret, wfi) is executed by
// the ISS's own interpreter with the rs1 and rs2 values it exposes. Bytes
// the host sent on the UART (a run's UART input, public in the receipt) are
// put on the line at cycle 0, as the ISS does, and must all be read.
import { CaxError } from '../errors.js';
import { BOARD_RAM_BYTES, DEFAULT_UART_DIVISOR } from '../riscv/iss.js';
import { decode } from '../riscv/decode.js';
import { CAUSE, costOf, CYCLES, EXIT_ADDR, Machine, RAM_BASE, Trap } from '../riscv/machine.js';
import type { TraceRecord } from '../trace/record.js';

/** RAM the proofs model (the board's): 128 KiB from RAM_BASE; proving images are linked in it (firmware/tel-runtime/prove.ld). */
export const PROOF_RAM_BYTES = BOARD_RAM_BYTES;

/** `kind` of an access word: 0 without memory access, else the size code (1 byte, 2 half, 3 word) plus STORE; ECALL for an ecall. */
export const ACCESS_NONE = 0;
export const ACCESS_STORE = 4;
export const ACCESS_ECALL = 8;
/** A CSR instruction: addr is rs1's value, data the CSR's old value when rd is not x0 (else 0). */
export const ACCESS_CSR = 9;
/** A system step (a trap other than the ecall yield, mret, wfi): addr is rs1's value, data the next pc, rs2 rs2's value. */
export const ACCESS_SYSTEM = 10;
/** The one ecall instruction word. */
export const ECALL_WORD = 0x00000073;
const SIZE_CODE: Readonly<Record<number, number>> = { 1: 1, 2: 2, 4: 3 };
const SIZE_OF_CODE = [0, 1, 2, 4] as const;

export interface Access {
  readonly pc: number;
  readonly insn: number;
  /** ACCESS_NONE, size code (1, 2, 3) + ACCESS_STORE for a store, ACCESS_ECALL, ACCESS_CSR or ACCESS_SYSTEM. */
  readonly kind: number;
  /** Byte address of the access (0 without one; rs1's value for a CSR instruction or a system step). */
  readonly addr: number;
  /** Bytes stored or loaded, zero-extended (0 without one; for an ecall RAM_BASE, the pc it restarts at; see ACCESS_CSR, ACCESS_SYSTEM). */
  readonly data: number;
  /** A system step only: the value of the register its rs2 field names (a branch's rs2 decides whether it is taken, and traps). */
  readonly rs2?: number;
}

/** Bytes a kind reads or writes (0 for none). */
export function accessSize(kind: number): number {
  return SIZE_OF_CODE[kind & 3]!;
}

export function isStore(kind: number): boolean {
  return (kind & ACCESS_STORE) !== 0;
}

function popcount4(mask: number): number {
  return (mask & 1) + ((mask >> 1) & 1) + ((mask >> 2) & 1) + ((mask >> 3) & 1);
}

/** Bytes the host wrote at `addr` while the core waited at an ecall (docs/receipt.md `hostWrites`). */
export interface HostWrite {
  readonly addr: number;
  readonly bytes: Uint8Array;
}

/** Whether `kind` is a valid access kind (docs/receipt.md). */
function validKind(kind: number): boolean {
  return kind === ACCESS_NONE || kind === ACCESS_ECALL || kind === ACCESS_CSR || kind === ACCESS_SYSTEM || (kind <= 7 && (kind & 3) !== 0);
}

/** The data of an access word of a kind that carries none in receipts: RAM_BASE for an ecall (the reset pc it goes on at), else 0. */
function dataOf(kind: number): number {
  return kind === ACCESS_ECALL ? RAM_BASE : 0;
}

/** Whether an access word of `kind` carries addr and data in receipts. */
function hasOperand(kind: number): boolean {
  return kind !== ACCESS_NONE && kind !== ACCESS_ECALL;
}

/** Whether a trace record is an ecall's (it traps with cause 11; in a proof the core then restarts from reset). */
export function isEcallRecord(r: TraceRecord): boolean {
  return r.trap && r.cause === CAUSE.ecall && r.insn >>> 0 === ECALL_WORD;
}

const CSR_OPS = new Set(['csrrw', 'csrrs', 'csrrc', 'csrrwi', 'csrrsi', 'csrrci']);

/** Whether an instruction word is a CSR instruction (the step circuit's CSR kind, access kind ACCESS_CSR). */
export function isCsrWord(insn: number): boolean {
  return CSR_OPS.has(decode(insn).op);
}

/** Whether a trace record is a system step's: a trap other than the ecall yield, or mret or wfi. */
export function isSystemRecord(r: TraceRecord): boolean {
  if (r.trap) return !isEcallRecord(r);
  const op = decode(r.insn).op;
  return op === 'mret' || op === 'wfi';
}

/**
 * The access word of a trace record (the size from its byte lanes). A CSR
 * instruction's exposes `rs1Value`, the value of its rs1 register (see
 * accessesOf), and the old value it wrote to rd (0 when rd is x0); a system
 * step's `rs1Value`, `nextPc`, the pc the run goes on at, and `rs2Value`.
 */
export function accessOf(r: TraceRecord, rs1Value = 0, nextPc = 0, rs2Value = 0): Access {
  if (isEcallRecord(r)) return { pc: r.pc >>> 0, insn: ECALL_WORD, kind: ACCESS_ECALL, addr: 0, data: RAM_BASE };
  if (isSystemRecord(r)) return { pc: r.pc >>> 0, insn: r.insn >>> 0, kind: ACCESS_SYSTEM, addr: rs1Value >>> 0, data: nextPc >>> 0, rs2: rs2Value >>> 0 };
  if (!r.trap && isCsrWord(r.insn)) return { pc: r.pc >>> 0, insn: r.insn >>> 0, kind: ACCESS_CSR, addr: rs1Value >>> 0, data: r.rd === 0 ? 0 : r.rdValue >>> 0 };
  if (r.memMask === 0) return { pc: r.pc >>> 0, insn: r.insn >>> 0, kind: ACCESS_NONE, addr: 0, data: 0 };
  const code = SIZE_CODE[popcount4(r.memMask)];
  if (code === undefined) throw new CaxError('E_TRACE', `a memory access with byte lanes ${r.memMask.toString(2)} at pc 0x${(r.pc >>> 0).toString(16)}`);
  return { pc: r.pc >>> 0, insn: r.insn >>> 0, kind: code + (r.memWrite ? ACCESS_STORE : 0), addr: r.memAddr >>> 0, data: r.memData >>> 0 };
}

/** The access words of a whole trace: the registers replayed from its writes (every register 0 again after an ecall) give each CSR instruction and system step its rs1 value (and a system step its rs2 value). */
export function accessesOf(trace: readonly TraceRecord[]): Access[] {
  const regs = new Array<number>(32).fill(0);
  return trace.map((r, i) => {
    const access = accessOf(r, regs[(r.insn >>> 15) & 31], trace[i + 1]?.pc ?? 0, regs[(r.insn >>> 20) & 31]);
    if (isEcallRecord(r)) regs.fill(0);
    else if (r.rd !== 0) regs[r.rd] = r.rdValue >>> 0;
    return access;
  });
}

/**
 * Clocks the run took by the exact cycle model of docs/soc.md (loads 4,
 * divisions 35, everything else 3), from the proved instruction words: the
 * receipt's `cycles` is checked against it, so cycles are proved too.
 */
export function cyclesOf(accesses: readonly Access[]): number {
  let cycles = 0;
  for (const a of accesses) cycles += a.kind === ACCESS_SYSTEM ? CYCLES.trap : costOf(decode(a.insn));
  return cycles;
}

const W = 1n << 32n;

/** The field element the circuit exposes: pc + 2^32 insn + 2^64 addr + 2^96 data + 2^128 kind + 2^132 rs2 (rs2: a system step's, else 0). */
export function packAccess(a: Access): bigint {
  const low = BigInt(a.pc >>> 0) + W * (BigInt(a.insn >>> 0) + W * (BigInt(a.addr >>> 0) + W * (BigInt(a.data >>> 0) + W * BigInt(a.kind))));
  return low + (BigInt((a.rs2 ?? 0) >>> 0) << 132n);
}

/** The inverse of packAccess; E_PROOF_REJECTED for a value that is no access word. */
export function unpackAccess(v: bigint): Access {
  const field = (k: bigint): number => Number((v >> (32n * k)) & (W - 1n));
  const kind = Number((v >> 128n) & 15n);
  const rs2 = v >> 132n;
  const access = { pc: field(0n), insn: field(1n), addr: field(2n), data: field(3n), kind };
  const malformed = !validKind(kind) || rs2 >= W || (kind !== ACCESS_SYSTEM && rs2 !== 0n) || (!hasOperand(kind) && (access.addr !== 0 || access.data !== dataOf(kind)));
  if (malformed) throw new CaxError('E_PROOF_REJECTED', `the public value ${v} is not an access word`);
  return kind === ACCESS_SYSTEM ? { ...access, rs2: Number(rs2) } : access;
}

/** Bytes of an access word's record in receipts: kind, pc, insn; addr and data with an operand; rs2 for a system step. */
function recordBytes(kind: number): number {
  return kind === ACCESS_SYSTEM ? 21 : hasOperand(kind) ? 17 : 9;
}

/**
 * Access words as bytes (docs/receipt.md): per step a kind byte, pc and
 * insn (uint32 little-endian), then addr and data when kind is a memory
 * access (or a CSR instruction or system step), then rs2 for a system step.
 */
export function encodeAccesses(list: readonly Access[]): Uint8Array {
  const out = new Uint8Array(list.reduce((n, a) => n + recordBytes(a.kind), 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const a of list) {
    out[at] = a.kind;
    view.setUint32(at + 1, a.pc >>> 0, true);
    view.setUint32(at + 5, a.insn >>> 0, true);
    at += 9;
    if (hasOperand(a.kind)) {
      view.setUint32(at, a.addr >>> 0, true);
      view.setUint32(at + 4, a.data >>> 0, true);
      at += 8;
    }
    if (a.kind === ACCESS_SYSTEM) {
      view.setUint32(at, (a.rs2 ?? 0) >>> 0, true);
      at += 4;
    }
  }
  return out;
}

/** The inverse of encodeAccesses; E_RECEIPT for bytes that are not access words. */
export function decodeAccesses(bytes: Uint8Array): Access[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Access[] = [];
  let at = 0;
  while (at < bytes.length) {
    const kind = bytes[at]!;
    const long = hasOperand(kind);
    if (!validKind(kind) || at + recordBytes(kind) > bytes.length) throw new CaxError('E_RECEIPT', `malformed access words at byte ${at}`);
    const access = {
      kind,
      pc: view.getUint32(at + 1, true),
      insn: view.getUint32(at + 5, true),
      addr: long ? view.getUint32(at + 9, true) : 0,
      data: long ? view.getUint32(at + 13, true) : dataOf(kind),
    };
    out.push(kind === ACCESS_SYSTEM ? { ...access, rs2: view.getUint32(at + 17, true) } : access);
    at += recordBytes(kind);
  }
  return out;
}

/** The proof's RAM: PROOF_RAM_BYTES from RAM_BASE, initially the image and zeros. */
export class Memory {
  readonly base = RAM_BASE;
  readonly bytes: Uint8Array;

  constructor(image: Uint8Array) {
    if (image.length > PROOF_RAM_BYTES) throw new CaxError('E_UNSUPPORTED', `a program image of ${image.length} bytes is larger than the ${PROOF_RAM_BYTES} bytes of RAM the proofs model`);
    this.bytes = new Uint8Array(PROOF_RAM_BYTES);
    this.bytes.set(image);
  }

  /** Whether `size` bytes at `addr` are all in RAM. */
  contains(addr: number, size: number): boolean {
    const offset = (addr >>> 0) - RAM_BASE;
    return offset >= 0 && offset + size <= this.bytes.length;
  }

  /** `size` bytes at `addr`, little-endian, zero-extended; E_ADDRESS outside RAM. */
  read(addr: number, size: number): number {
    if (!this.contains(addr, size)) throw new CaxError('E_ADDRESS', `0x${(addr >>> 0).toString(16)} (${size} bytes) is outside the proof's RAM`);
    const offset = (addr >>> 0) - RAM_BASE;
    let v = 0;
    for (let k = size - 1; k >= 0; k--) v = v * 256 + this.bytes[offset + k]!;
    return v;
  }

  write(addr: number, size: number, value: number): void {
    const offset = (addr >>> 0) - RAM_BASE;
    for (let k = 0; k < size; k++) this.bytes[offset + k] = (value >>> (8 * k)) & 0xff;
  }
}

export interface Replay {
  readonly ok: boolean;
  /** Memory after the last access replayed (the whole run when ok). */
  readonly final: Memory;
  /** Index of the first access refused. */
  readonly firstBad?: number;
  /** Why it was refused (about access firstBad). */
  readonly reason?: string;
  /** The value stored to EXIT, when the run ended. */
  readonly exitValue?: number;
  /** The bytes the program transmitted on the UART (replayed up to the first access refused). */
  readonly uart: Uint8Array;
}

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

/**
 * Memory replayed one access word at a time, over RAM that starts as the
 * image: each step's instruction word must be the word in memory at its pc
 * (aligned, in RAM) at that moment; a load must read exactly what memory
 * holds; a store changes memory; at an ecall the host's writes for it are
 * applied, and the core restarts from reset (cycle 0, devices reset). The
 * end is a word store to EXIT, and nothing may follow it. Other accesses
 * outside RAM go to the devices of the ISS (a Machine used for its devices
 * only), at the cycle the cycle model gives: a load must read what the
 * device gives then, a store to the UART's TXDATA transmits (or is dropped
 * while the transmitter is busy, as on the board), and an access to a hole
 * (which would trap) is refused. The run's UART input is put on the line
 * at cycle 0 (each byte reaches the receive FIFO one frame after the one
 * before, as the ISS models it), so reads of RXDATA and STATUS must give
 * what the FIFO holds then; every byte must have been read (or lost to a
 * full FIFO) by the end and by an ecall (which resets the devices).
 */
export class MemoryReplay {
  readonly memory: Memory;
  /** Steps replayed so far. */
  steps = 0;
  /** Ecalls replayed so far. */
  ecalls = 0;
  /** The value stored to EXIT, once the run ended. */
  exitValue: number | undefined;
  /** Bytes transmitted on the UART so far. */
  readonly uart: number[] = [];
  /** The devices, as the ISS models them; its clock is the cycle the next step begins at. */
  private readonly devices: Machine;

  constructor(
    private readonly image: Uint8Array,
    uartInput: Uint8Array = new Uint8Array(0),
  ) {
    this.memory = new Memory(image);
    this.devices = new Machine({ ramBytes: PROOF_RAM_BYTES, uartDivisor: DEFAULT_UART_DIVISOR, traceAtReset: false, syscalls: 'yield' });
    this.devices.uart.onTransmit((byte) => this.uart.push(byte));
    this.devices.uart.receive(uartInput, 0);
  }

  /** Why the run has not read all of its UART input yet (bytes still on the line or in the receive FIFO), or undefined. */
  uartInputLeft(): string | undefined {
    const left = this.devices.uart.unread();
    return left === 0 ? undefined : `the program did not read ${left} byte${left === 1 ? '' : 's'} of its UART input (still on the line or in the receive FIFO)`;
  }

  /**
   * A CSR instruction, by the ISS's own CSR model at the cycle and count of
   * retired instructions the current step began with: it must be one, must
   * not trap, and must expose the old value the model gives (when rd is not
   * x0; else 0). The reason it is refused, or undefined.
   */
  private csr(a: Access): string | undefined {
    const insn = decode(a.insn);
    if (!CSR_OPS.has(insn.op)) return `the step at ${hex(a.pc)} claims a CSR access, but ${hex(a.insn)} is no CSR instruction`;
    const devices = this.devices;
    devices.insnClock = devices.clock;
    let old: number;
    try {
      old = devices.csrInstruction(insn, a.insn, a.addr) >>> 0;
    } catch (e) {
      if (!(e instanceof Trap)) throw e;
      return `the CSR instruction ${hex(a.insn)} at ${hex(a.pc)} traps (CSR 0x${insn.csr.toString(16)}): traps are not proved`;
    }
    const expected = insn.rd === 0 ? 0 : old;
    if (a.data >>> 0 !== expected) return `the CSR instruction at ${hex(a.pc)} reads ${hex(a.data)}, but CSR 0x${insn.csr.toString(16)} holds ${hex(expected)} there`;
    return undefined;
  }

  /**
   * A system step, executed by the ISS's own interpreter on the machine that
   * holds the CSRs, with rs1 and rs2 the values the step exposes: it must
   * trap (an illegal word, ebreak, a CSR instruction that traps, a misaligned
   * or faulting load or store, a jump or taken branch to a misaligned
   * target) or be mret or wfi,
   * and go on where the machine goes (mtvec, mepc, pc + 4), the CSRs then
   * as the machine leaves them (mepc, mcause, mtval, mstatus). The reason it
   * is refused, or undefined.
   */
  private system(a: Access): string | undefined {
    const insn = decode(a.insn);
    if (a.insn >>> 0 === ECALL_WORD) return `the ecall at ${hex(a.pc)} as a system step: in a proof an ecall yields to the host`;
    const machine = this.devices;
    // (a fetch fault: the pc is outside RAM, and the step exposes the word 0 there, as the trace does)
    if (this.memory.contains(a.pc, 4)) machine.writeData(a.pc, 4, a.insn);
    machine.regs.fill(0);
    // (the registers the rs1 and rs2 fields name, which the circuit exposes whatever the instruction: jal's fields are immediate bits)
    const rs1 = (a.insn >>> 15) & 31;
    const rs2 = (a.insn >>> 20) & 31;
    const rs2Value = (a.rs2 ?? 0) >>> 0;
    if ((rs1 === 0 && a.addr !== 0) || (rs2 === 0 && rs2Value !== 0)) return `the system step at ${hex(a.pc)} exposes a value other than 0 for x0`;
    if (rs1 === rs2 && rs2Value !== a.addr >>> 0) return `the system step at ${hex(a.pc)} exposes two values for x${rs1}`;
    machine.regs[rs1] = a.addr | 0;
    machine.regs[rs2] = rs2Value | 0;
    machine.pc = a.pc;
    const retired = machine.retired;
    machine.step();
    if (machine.retired !== retired && insn.op !== 'mret' && insn.op !== 'wfi') return `the system step at ${hex(a.pc)} (${hex(a.insn)}) does not trap`;
    if (machine.pc >>> 0 !== a.data >>> 0) return `the system step at ${hex(a.pc)} goes on at ${hex(a.data)}, but the machine goes on at ${hex(machine.pc)} (mtvec or mepc)`;
    return undefined;
  }

  /** A device access at the cycle the current step began; the reason it is refused, or undefined. */
  private device(a: Access, size: number): string | undefined {
    const devices = this.devices;
    devices.insnClock = devices.clock;
    const what = `a ${isStore(a.kind) ? 'store' : 'load'} of ${size} bytes at ${hex(a.addr)}`;
    try {
      if (isStore(a.kind)) devices.writeData(a.addr, size, a.data);
      else {
        const value = devices.readData(a.addr, size);
        if (value !== a.data >>> 0) return `${what} (a device) reads ${hex(a.data)}, but the device gives ${hex(value)} at cycle ${devices.clock}`;
      }
    } catch (e) {
      if (!(e instanceof Trap)) throw e;
      return `${what}, outside RAM and every device (it traps)`;
    }
    return undefined;
  }

  /** Replays one step; the reason it is refused, or undefined. `writes`: the host's writes when it is an ecall. */
  step(a: Access, writes: readonly HostWrite[] = []): string | undefined {
    const memory = this.memory;
    if (this.exitValue !== undefined) return "a step after the program's end (the store to EXIT)";
    if (!memory.contains(a.pc, 4)) {
      // only a system step may be there: the fetch fault (its word is 0, as the trace records it)
      if (a.kind !== ACCESS_SYSTEM || a.insn !== 0) return `an instruction fetched at ${hex(a.pc)}, which is not an aligned word of RAM`;
    } else {
      if ((a.pc & 3) !== 0) return `an instruction fetched at ${hex(a.pc)}, which is not an aligned word of RAM`;
      const word = memory.read(a.pc, 4);
      if (word !== a.insn >>> 0) return `the instruction at ${hex(a.pc)} is ${hex(word)}${a.pc - RAM_BASE >= this.image.length ? ' (beyond the image)' : ''}, not ${hex(a.insn)}`;
    }
    if (a.kind === ACCESS_ECALL) {
      if (a.data >>> 0 !== RAM_BASE || a.addr !== 0) return `the ecall at ${hex(a.pc)} does not restart at the reset pc`;
      // (the reset at the ecall would drop what the program has not read)
      const unread = this.uartInputLeft();
      if (unread !== undefined) return `${unread} at the ecall at ${hex(a.pc)}`;
      for (const w of writes) {
        if (!memory.contains(w.addr, w.bytes.length)) return `the host's write of ${w.bytes.length} bytes at ${hex(w.addr)} after ecall ${this.ecalls} is outside RAM`;
        memory.bytes.set(w.bytes, (w.addr >>> 0) - RAM_BASE);
      }
      this.ecalls++;
      this.devices.reset();
      this.steps++;
      return undefined;
    } else if (a.kind === ACCESS_SYSTEM) {
      // (the machine counts its cycles and retirement itself)
      const refused = this.system(a);
      if (refused !== undefined) return refused;
      this.steps++;
      return undefined;
    } else if (a.kind === ACCESS_CSR) {
      const refused = this.csr(a);
      if (refused !== undefined) return refused;
    } else if (a.kind !== ACCESS_NONE) {
      const size = accessSize(a.kind);
      // (a misaligned access traps, so as an ordinary step it is refused: here, not in the circuit)
      const misaligned = (a.addr & (size - 1)) !== 0 ? `a ${isStore(a.kind) ? 'store' : 'load'} of ${size} bytes at ${hex(a.addr)}, which is not aligned to its size` : undefined;
      if (isStore(a.kind) && a.addr >>> 0 === EXIT_ADDR && size === 4) this.exitValue = a.data >>> 0;
      else if (!memory.contains(a.addr, size)) {
        const refused = this.device(a, size) ?? misaligned;
        if (refused !== undefined) return refused;
      } else if (misaligned !== undefined) return misaligned;
      else if (isStore(a.kind)) memory.write(a.addr, size, a.data);
      else if (memory.read(a.addr, size) !== a.data >>> 0) {
        return `the load of ${size} bytes at ${hex(a.addr)} reads ${hex(a.data)}, but memory holds ${hex(memory.read(a.addr, size))}`;
      }
    }
    this.devices.clock += costOf(decode(a.insn));
    this.devices.retired++;
    this.steps++;
    return undefined;
  }
}

/**
 * Replays a run's access words in order (MemoryReplay), with `hostWrites[k]`
 * applied at the k-th ecall (there must be one entry per ecall) and
 * `uartInput` sent on the UART at cycle 0 (it must all be read by the end).
 */
export function replayMemory(image: Uint8Array, accesses: Iterable<Access>, hostWrites: readonly (readonly HostWrite[])[] = [], uartInput: Uint8Array = new Uint8Array(0)): Replay {
  const replay = new MemoryReplay(image, uartInput);
  const bad = (reason: string): Replay => ({ ok: false, final: replay.memory, firstBad: replay.steps, reason, uart: Uint8Array.from(replay.uart) });
  for (const a of accesses) {
    if (a.kind === ACCESS_ECALL && replay.ecalls >= hostWrites.length) return bad(`ecall ${replay.ecalls} has no entry in the host's writes`);
    const reason = replay.step(a, a.kind === ACCESS_ECALL ? hostWrites[replay.ecalls] : []);
    if (reason !== undefined) return bad(reason);
  }
  if (replay.ecalls !== hostWrites.length) return bad(`the host's writes list ${hostWrites.length} ecalls, the run made ${replay.ecalls}`);
  const unread = replay.uartInputLeft();
  if (unread !== undefined) return bad(`${unread} at its end`);
  return { ok: true, final: replay.memory, ...(replay.exitValue !== undefined ? { exitValue: replay.exitValue } : {}), uart: Uint8Array.from(replay.uart) };
}
