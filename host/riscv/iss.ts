// The instruction-set simulator's public face: `new Iss(options)`, load an
// ELF or raw image, `run({ maxCycles })` with the block translator, `step()`
// for lockstep, and access to registers, memory, CSRs, the UART and the
// trace. See docs/iss.md for the API and how it maps to docs/soc.md.
import { CaxError } from '../errors.js';
import { looksLikeElf, parseElf, type ElfImage } from './elf.js';
import type { LineFaults } from './faults.js';
import { BlockCache } from './jit.js';
import { Machine, RAM_BASE, WATCH_CODE, WATCH_PAGE_SHIFT, type Ended, type RetireHook, type Syscalls } from './machine.js';
import type { TraceSink } from '../trace/record.js';
import type { TransmitListener } from './uart.js';

export interface IssOptions {
  /** RAM size in bytes (docs/soc.md RAM_BYTES); default 4 MiB, as the simulated SoC. */
  readonly ramBytes?: number;
  /** UART DIVISOR after reset (the SoC parameter UART_DIVISOR); default 104. */
  readonly uartDivisor?: number;
  /** TRACE_EN after reset; default 1 (docs/soc.md). */
  readonly traceAtReset?: boolean;
  /** How ecall behaves; default 'none' (it traps). 'linux' is the qemu-user exit/write convention for test programs. */
  readonly syscalls?: Syscalls;
  /** End the run at the first trap (ended 'trap'; csr() gives mcause, mepc, mtval); default false. */
  readonly stopOnTrap?: boolean;
  /** Translate hot blocks to JavaScript (default true); false interprets every instruction. */
  readonly jit?: boolean;
  /** Executions of a block start before it is translated (default 2; 1 translates at once). */
  readonly translateAfter?: number;
}

export interface RunResult {
  readonly ended: Ended;
  /** The exit code: `v >> 1` of the EXIT/tohost value `v` (0 = pass), or the Linux exit status; 0 after a cycle limit. */
  readonly exitCode: number;
  /** Clocks since reset. */
  readonly cycles: number;
  /** Instructions retired since reset. */
  readonly instret: number;
}

export interface LoadedProgram {
  readonly kind: 'elf' | 'raw';
  readonly entry: number;
  readonly tohost: number | undefined;
}

/** The simulated SoC's RAM (mk/rtl.mk builds cax-sim with -GRAM_BYTES of the same size); the board has 128 KiB (BOARD_RAM_BYTES). */
export const DEFAULT_RAM_BYTES = 4 * 1024 * 1024;
/** The iCEBreaker's RAM: its four SPRAM blocks (rtl/board/cax_ram_spram.v). */
export const BOARD_RAM_BYTES = 128 * 1024;
/** The SoC's UART_DIVISOR default (rtl/soc/cax_soc.v: 12 MHz / 115200). */
export const DEFAULT_UART_DIVISOR = 104;

export class Iss {
  private readonly m: Machine;
  private readonly cache: BlockCache | undefined;

  constructor(options: IssOptions = {}) {
    this.m = new Machine({
      ramBytes: options.ramBytes ?? DEFAULT_RAM_BYTES,
      uartDivisor: options.uartDivisor ?? DEFAULT_UART_DIVISOR,
      traceAtReset: options.traceAtReset ?? true,
      syscalls: options.syscalls ?? 'none',
      stopOnTrap: options.stopOnTrap ?? false,
    });
    this.cache = options.jit === false ? undefined : new BlockCache(this.m, options.translateAfter ?? 2);
  }

  get ramBytes(): number {
    return this.m.ramBytes;
  }

  /** Loads an ELF (recognised by its magic) or a raw image at 0x80000000, clears the rest of RAM and resets. */
  load(program: Uint8Array | ElfImage): LoadedProgram {
    const elf = program instanceof Uint8Array ? (looksLikeElf(program) ? parseElf(program) : undefined) : program;
    this.m.ramU8.fill(0);
    this.m.forgetCode();
    this.cache?.clear();
    if (elf === undefined) {
      const image = program as Uint8Array;
      if (image.length > this.m.ramBytes) throw new CaxError('E_IMAGE', `image of ${image.length} bytes does not fit in ${this.m.ramBytes} bytes of RAM`);
      this.m.ramU8.set(image);
      this.m.setTohost(undefined);
      this.m.reset(RAM_BASE);
      return { kind: 'raw', entry: RAM_BASE, tohost: undefined };
    }
    if (elf.entry !== RAM_BASE) throw new CaxError('E_ELF', `the ELF entry point 0x${elf.entry.toString(16)} is not 0x80000000 (the reset pc)`, { details: { offset: 24 } });
    for (const segment of elf.segments) {
      const offset = this.m.ramOffset(segment.vaddr, segment.memBytes);
      if (offset < 0) {
        throw new CaxError('E_ELF', `segment at 0x${segment.vaddr.toString(16)} (${segment.memBytes} bytes) is outside RAM 0x80000000…+${this.m.ramBytes}`, { details: { vaddr: segment.vaddr } });
      }
      this.m.ramU8.set(segment.data, offset);
    }
    const tohost = elf.symbols.get('tohost');
    this.m.setTohost(tohost);
    this.m.reset(RAM_BASE);
    return { kind: 'elf', entry: RAM_BASE, tohost };
  }

  /** Back to the reset state with pc = `pc`; RAM is untouched. */
  reset(pc = RAM_BASE): void {
    this.m.reset(pc);
  }

  /**
   * Runs until the program ends or the next instruction would not complete
   * within `maxCycles` more clocks. Calling again continues.
   */
  run({ maxCycles }: { maxCycles: number }): RunResult {
    const m = this.m;
    if (!(maxCycles >= 0)) throw new CaxError('E_USAGE', `maxCycles must be a non-negative number, not ${maxCycles}`);
    m.limit = m.clock + maxCycles;
    const cache = this.cache;
    while (m.ended === undefined) {
      if (cache !== undefined) {
        const block = cache.lookup(m.pc, m.tracing);
        if (block && m.clock + block.cycles <= m.limit) {
          m.exitBlock = false;
          block.run();
          continue;
        }
      }
      if (m.clock + m.nextCost() > m.limit) return this.result('cycle-limit');
      m.exitBlock = false;
      m.step();
    }
    return this.result(m.ended);
  }

  /** Executes exactly one instruction or trap (the interpreter; records go to the trace sink while TRACE_EN is on). */
  step(): void {
    if (this.m.ended === undefined) this.m.step();
  }

  private result(ended: Ended): RunResult {
    this.m.uart.flushTransmit(this.m.clock);
    return { ended, exitCode: ended === 'cycle-limit' ? 0 : this.m.exitCode, cycles: this.m.clock, instret: this.m.retired };
  }

  /** Fault scripting: the instruction at pc traps now with `cause` and `tval` instead of executing (3 cycles, a trap record). */
  forceTrap(cause: number, tval = 0): void {
    if (!Number.isInteger(cause) || cause < 0 || cause > 0xffffffff) throw new CaxError('E_USAGE', `trap cause ${cause} is not a 32-bit value`);
    const offset = this.m.ramOffset(this.m.pc, 4);
    this.m.takeTrap(cause, tval, this.m.pc, offset < 0 ? 0 : this.m.ramI32[offset >>> 2]!);
  }

  /** Fault scripting: the core stalls for `cycles` clocks (counters, MTIME and the UART line go on; nothing retires). */
  stall(cycles: number): void {
    if (!Number.isInteger(cycles) || cycles < 0) throw new CaxError('E_USAGE', `stall of ${cycles} cycles`);
    this.m.clock += cycles;
  }

  /** How the program ended, or undefined while it may still run. */
  get ended(): Ended | undefined {
    return this.m.ended;
  }

  get pc(): number {
    return this.m.pc;
  }

  set pc(value: number) {
    this.m.pc = value >>> 0;
  }

  get cycles(): number {
    return this.m.clock;
  }

  get instret(): number {
    return this.m.retired;
  }

  /** Register `n` as an unsigned 32-bit value (x0 reads 0). */
  reg(n: number): number {
    return this.m.regs[n & 31]! >>> 0;
  }

  setReg(n: number, value: number): void {
    if (n !== 0) this.m.regs[n & 31] = value;
  }

  /** All 32 registers, unsigned. */
  registers(): number[] {
    return Array.from(this.m.regs, (v) => v >>> 0);
  }

  /** A CSR as a CSR instruction at the current clock would read it, or undefined when it does not exist. */
  csr(n: number): number | undefined {
    this.m.insnClock = this.m.clock;
    const v = this.m.readCsr(n);
    return v === undefined ? undefined : v >>> 0;
  }

  /** Writes a CSR as a CSR instruction at the current clock would (a debugger's write); false when it does not exist or is read-only. */
  setCsr(n: number, value: number): boolean {
    this.m.insnClock = this.m.clock;
    if (this.m.readCsr(n) === undefined || n >>> 10 === 3) return false;
    this.m.writeCsr(n, value);
    return true;
  }

  /** RAM bytes (E_RANGE outside RAM). */
  readMemory(address: number, length: number): Uint8Array {
    const offset = this.m.ramOffset(address, length);
    if (offset < 0) throw new CaxError('E_RANGE', `0x${(address >>> 0).toString(16)}+${length} is not in RAM`);
    return this.m.ramU8.slice(offset, offset + length);
  }

  /** Writes RAM bytes from the host, dropping any translated code there. */
  writeMemory(address: number, bytes: Uint8Array): void {
    const offset = this.m.ramOffset(address, bytes.length);
    if (offset < 0) throw new CaxError('E_RANGE', `0x${(address >>> 0).toString(16)}+${bytes.length} is not in RAM`);
    this.m.ramU8.set(bytes, offset);
    if (bytes.length === 0) return;
    for (let page = offset >>> WATCH_PAGE_SHIFT; page <= (offset + bytes.length - 1) >>> WATCH_PAGE_SHIFT; page++) {
      if ((this.m.watch[page]! & WATCH_CODE) !== 0) this.m.codeWritten(page);
    }
  }

  /** The UART as the host sees it: bytes the program sends, and bytes to send to it. */
  readonly uart = {
    /** Calls `listener` with each byte the program writes to TXDATA; returns an unsubscribe function. */
    onTransmit: (listener: TransmitListener): (() => void) => this.m.uart.onTransmit(listener),
    /** Puts bytes on the line to the program; they reach the receive FIFO one frame time (10 × DIVISOR clocks) apart. */
    receive: (bytes: Uint8Array | readonly number[]): void => this.m.uart.receive(bytes, this.m.clock),
    /** Bytes sent by the host still on the line (not yet in the FIFO). */
    pending: (): number => this.m.uart.pendingBytes(),
    /** Scripts drops, corruptions and delays of bytes or frames on the line (faults.ts); `{}` removes them. */
    setFaults: (faults: LineFaults): void => this.m.uart.setFaults(faults),
    /** Calls `listener` (null: nobody) when the program reads RXDATA with nothing received and nothing on the line. */
    onStarved: (listener: (() => void) | null): void => {
      this.m.uart.onStarved = listener;
    },
  };

  /** Ends the current run() at the end of the instruction or block being executed (as if its cycle limit were reached); the next run() goes on. */
  pause(): void {
    this.m.limit = this.m.clock;
  }

  /** Receives the retirement records while TRACE_EN is on (undefined: none). */
  setTraceSink(sink: TraceSink | undefined): void {
    this.m.traceSink = sink;
  }

  /** Hears each retirement while TRACE_EN is on without a record being made, instead of the trace sink (undefined: none). */
  setRetireHook(hook: RetireHook | undefined): void {
    this.m.retireHook = hook;
    this.cache?.dropTraced();
  }

  /** Whether TRACE_EN is on. */
  get traceEnabled(): boolean {
    return this.m.traceEnabled;
  }

  /** With syscalls 'linux': receives the bytes of each write(fd, …) call. */
  onSyscallWrite(listener: (fd: number, bytes: Uint8Array) => void): void {
    this.m.onSyscallWrite = listener;
  }

  /** Blocks translated so far (for tests and benchmarks). */
  get translatedBlocks(): number {
    return this.cache?.translated ?? 0;
  }
}
