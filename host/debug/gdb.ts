// A GDB remote serial protocol server for the ISS (`cax iss gdb`,
// docs/debugging.md). The target is a program loaded on an `Iss`, run one
// instruction (or trap) at a time through the interpreter, so its position is
// the number of steps since load. Registers (x0..x31, pc, the machine CSRs) and RAM read and
// write, software and hardware breakpoints, write watchpoints, step and
// continue (interruptible with ^C), and reverse step and continue (`bs`,
// `bc`): the ISS is deterministic, so going back to position N is loading
// the program again and replaying N steps, with the debugger's own register
// and memory writes applied again at the positions they were made.
// Malformed packets are answered with an error packet (`E01`) or a `-`, and
// the server goes on.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { CaxError } from '../errors.js';
import { ABI_NAMES } from '../riscv/disasm.js';
import { Iss, type IssOptions } from '../riscv/iss.js';
import { RspReader, rspFrame, rspUnescape } from './rsp.js';

/** Steps run between two looks at the socket (for ^C) while continuing. */
const SLICE_STEPS = 200_000;

/** gdb's names of x0…x31 (its riscv-32bit-cpu feature): the ABI names, with x8 as fp. */
const REG_NAMES = ABI_NAMES.map((name, i) => (i === 8 ? 'fp' : name));

/** gdb's register number of a CSR (after x0–x31, pc and f0–f31). */
export const CSR_REGNUM_BASE = 65;

/** The machine CSRs `cax iss gdb` serves, by gdb name: their CSR numbers (those the ISS has, docs/iss.md). */
export const ISS_CSRS: Readonly<Record<string, number>> = {
  mstatus: 0x300,
  misa: 0x301,
  mie: 0x304,
  mtvec: 0x305,
  mscratch: 0x340,
  mepc: 0x341,
  mcause: 0x342,
  mtval: 0x343,
  mip: 0x344,
  mcycle: 0xb00,
  minstret: 0xb02,
  mcycleh: 0xb80,
  minstreth: 0xb82,
};

/** The target description gdb reads with qXfer:features:read (RV32: x0..x31 and pc, and the `csrs` given: name → CSR number). */
export function targetXml(csrs: Readonly<Record<string, number>> = {}): string {
  const csrFeature = Object.entries(csrs).map(([name, csr]) => `<reg name="${name}" bitsize="32" type="int" regnum="${CSR_REGNUM_BASE + csr}" group="system"/>`);
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
    '<target version="1.0">',
    '<architecture>riscv:rv32</architecture>',
    '<feature name="org.gnu.gdb.riscv.cpu">',
    ...REG_NAMES.map((n, i) => `<reg name="${n}" bitsize="32" type="${i === 1 ? 'code_ptr' : i === 2 ? 'data_ptr' : 'int'}" regnum="${i}"/>`),
    '<reg name="pc" bitsize="32" type="code_ptr" regnum="32"/>',
    '</feature>',
    ...(csrFeature.length > 0 ? ['<feature name="org.gnu.gdb.riscv.csr">', ...csrFeature, '</feature>'] : []),
    '</target>',
  ].join('');
}

/** A write the debugger made, applied again at the same position on every replay. */
type HostWrite = { readonly at: number; readonly reg: number; readonly value: number } | { readonly at: number; readonly address: number; readonly bytes: Uint8Array };

/** A write watchpoint: a range of RAM. */
export interface Watch {
  readonly address: number;
  readonly length: number;
}

/** Sets or clears a breakpoint. */
export function toggle(breakpoints: Set<number>, address: number, on: boolean): void {
  if (on) breakpoints.add(address);
  else breakpoints.delete(address);
}

/** Sets (after `check`, which throws for a range outside RAM) or clears a write watchpoint. */
export function toggleWatch(watches: Map<string, Watch>, w: Watch, on: boolean, check: () => void): void {
  const key = `${w.address}:${w.length}`;
  if (!on) {
    watches.delete(key);
    return;
  }
  check();
  watches.set(key, w);
}

/** What the protocol drives: the ISS (GdbTarget) or a recorded trace (trace-target.ts). */
export interface RspTarget {
  /** Set by ^C while continuing. */
  interrupted: boolean;
  /** The CSRs it serves (name → CSR number) as registers CSR_REGNUM_BASE + number; none when absent. */
  readonly csrs?: Readonly<Record<string, number>>;
  continueForward(): Promise<string>;
  stepForward(): string;
  reverseStep(): string;
  reverseContinue(): string;
  readRegisters(): string;
  readRegister(n: number): string;
  writeRegister(n: number, value: number): void;
  readMemory(address: number, length: number): string;
  writeMemory(address: number, bytes: Uint8Array): void;
  setBreakpoint(address: number, on: boolean): void;
  setWatch(address: number, length: number, on: boolean): void;
}

/** 32-bit value as gdb's little-endian target hex. */
export function hex32(v: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b.toString('hex');
}

function parseHex32(s: string): number {
  if (!/^[0-9a-fA-F]{8}$/.test(s)) throw new CaxError('E_PROTOCOL', `not a 32-bit register value: ${s}`);
  return Buffer.from(s, 'hex').readUInt32LE(0);
}

function parseNumber(s: string | undefined): number {
  if (s === undefined || !/^[0-9a-fA-F]{1,8}$/.test(s)) throw new CaxError('E_PROTOCOL', `not a hex number: ${JSON.stringify(s)}`);
  return parseInt(s, 16);
}

/** The debugged program: an ISS at a position, and how to get back to any earlier one. */
export class GdbTarget implements RspTarget {
  private iss!: Iss;
  private position = 0;
  private readonly writes: HostWrite[] = [];
  private readonly breakpoints = new Set<number>();
  private readonly watches = new Map<string, Watch>();
  /** Set by ^C while continuing. */
  interrupted = false;
  readonly csrs = ISS_CSRS;
  /** Bytes the program writes through the Linux write call (syscalls 'linux'). */
  onOutput: ((fd: number, bytes: Uint8Array) => void) | null = null;

  constructor(
    private readonly program: Uint8Array,
    private readonly options: IssOptions,
  ) {
    this.reload();
  }

  private reload(): void {
    this.iss = new Iss({ ...this.options, jit: false });
    this.iss.onSyscallWrite((fd, bytes) => this.onOutput?.(fd, bytes));
    this.iss.load(this.program);
    this.position = 0;
    this.applyWrites(0);
  }

  private applyWrites(at: number): void {
    for (const w of this.writes) {
      if (w.at !== at) continue;
      if ('reg' in w) this.setRegister(w.reg, w.value);
      else this.iss.writeMemory(w.address, w.bytes);
    }
  }

  /** One step (an instruction or a trap); false when the program has ended. */
  private stepOnce(): boolean {
    if (this.iss.ended !== undefined) return false;
    this.iss.step();
    this.position++;
    this.applyWrites(this.position);
    return true;
  }

  /** Back to `target` (≤ the position) by replay from load. */
  private replayTo(target: number): void {
    this.reload();
    while (this.position < target) this.stepOnce();
  }

  private watchedBytes(): string[] {
    return [...this.watches.values()].map((w) => Buffer.from(this.iss.readMemory(w.address, w.length)).toString('hex'));
  }

  /** The stop reply for where the target is now. */
  private stopReply(watchHit?: Watch): string {
    const ended = this.iss.ended;
    if (ended !== undefined) return `W${(this.iss.ended === 'cycle-limit' ? 0 : exitCodeOf(this.iss)).toString(16).padStart(2, '0')}`;
    if (watchHit) return `T05watch:${watchHit.address.toString(16)};`;
    return 'S05';
  }

  /** The watch whose bytes differ between `before` and now, if any. */
  private changedWatch(before: string[]): Watch | undefined {
    const after = this.watchedBytes();
    const list = [...this.watches.values()];
    return list.find((_, i) => before[i] !== after[i]);
  }

  /** Continues until a breakpoint, a watchpoint, the end, or ^C; yields to the event loop every SLICE_STEPS steps. */
  async continueForward(): Promise<string> {
    this.interrupted = false;
    for (;;) {
      for (let i = 0; i < SLICE_STEPS; i++) {
        const before = this.watches.size > 0 ? this.watchedBytes() : [];
        if (!this.stepOnce()) return this.stopReply();
        const hit = this.watches.size > 0 ? this.changedWatch(before) : undefined;
        if (hit) return this.stopReply(hit);
        if (this.breakpoints.has(this.iss.pc)) return 'S05';
      }
      await new Promise((r) => setImmediate(r));
      if (this.interrupted) return 'S02';
    }
  }

  stepForward(): string {
    const before = this.watches.size > 0 ? this.watchedBytes() : [];
    if (!this.stepOnce()) return this.stopReply();
    return this.stopReply(this.watches.size > 0 ? this.changedWatch(before) : undefined);
  }

  reverseStep(): string {
    if (this.position === 0) return 'T05replaylog:begin;';
    this.replayTo(this.position - 1);
    return 'S05';
  }

  /** Back to the latest earlier position where a breakpoint's pc was reached or a watched range changed; else to the load. */
  reverseContinue(): string {
    const end = this.position;
    if (end === 0) return 'T05replaylog:begin;';
    this.reload();
    let last = -1;
    let lastWatch: Watch | undefined;
    if (this.breakpoints.has(this.iss.pc)) last = 0;
    while (this.position < end - 1) {
      const before = this.watches.size > 0 ? this.watchedBytes() : [];
      this.stepOnce();
      const hit = this.watches.size > 0 ? this.changedWatch(before) : undefined;
      if (hit || this.breakpoints.has(this.iss.pc)) {
        last = this.position;
        lastWatch = hit;
      }
    }
    if (last < 0) {
      this.replayTo(0);
      return 'T05replaylog:begin;';
    }
    this.replayTo(last);
    return lastWatch ? `T05watch:${lastWatch.address.toString(16)};` : 'S05';
  }

  readRegisters(): string {
    return [...this.iss.registers(), this.iss.pc].map(hex32).join('');
  }

  /** The CSR number of gdb's register `n` when it is one of the CSRs served. */
  private csrOf(n: number): number | undefined {
    const csr = n - CSR_REGNUM_BASE;
    return Object.values(this.csrs).includes(csr) ? csr : undefined;
  }

  /** x0–x31, pc, and the CSRs served (as a CSR instruction would read them here). */
  readRegister(n: number): string {
    const csr = this.csrOf(n);
    if (csr !== undefined) return hex32(this.iss.csr(csr)!);
    if (n < 0 || n > 32) throw new CaxError('E_PROTOCOL', `no register ${n}`);
    return hex32(n === 32 ? this.iss.pc : this.iss.reg(n));
  }

  private setRegister(n: number, value: number): void {
    const csr = this.csrOf(n);
    if (csr !== undefined) {
      if (!this.iss.setCsr(csr, value)) throw new CaxError('E_PROTOCOL', `CSR 0x${csr.toString(16)} is read-only`);
    } else if (n === 32) this.iss.pc = value;
    else this.iss.setReg(n, value);
  }

  /** x0–x31, pc, and the writable CSRs served; replayed at this position on every replay. */
  writeRegister(n: number, value: number): void {
    if ((n < 0 || n > 32) && this.csrOf(n) === undefined) throw new CaxError('E_PROTOCOL', `no register ${n}`);
    this.setRegister(n, value);
    this.writes.push({ at: this.position, reg: n, value });
  }

  readMemory(address: number, length: number): string {
    return Buffer.from(this.iss.readMemory(address, length)).toString('hex');
  }

  writeMemory(address: number, bytes: Uint8Array): void {
    this.iss.writeMemory(address, bytes);
    this.writes.push({ at: this.position, address, bytes });
  }

  setBreakpoint(address: number, on: boolean): void {
    toggle(this.breakpoints, address, on);
  }

  setWatch(address: number, length: number, on: boolean): void {
    toggleWatch(this.watches, { address, length }, on, () => this.iss.readMemory(address, length));
  }

  get steps(): number {
    return this.position;
  }

  get pc(): number {
    return this.iss.pc;
  }
}

function exitCodeOf(iss: Iss): number {
  return iss.run({ maxCycles: 0 }).exitCode & 0xff;
}

/** Answers one packet; undefined: the session ends (k, D). Errors in a packet's fields are E01, unknown packets the empty reply. */
export async function answerPacket(t: RspTarget, data: string): Promise<string | undefined> {
  try {
    return await answer(t, data);
  } catch (e) {
    if (e instanceof CaxError) return 'E01';
    throw e;
  }
}

async function answer(t: RspTarget, data: string): Promise<string | undefined> {
  const head = data[0] ?? '';
  const body = data.slice(1);
  switch (head) {
    case '?':
      return 'S05';
    case 'g':
      return t.readRegisters();
    case 'G': {
      if (body.length < 33 * 8) throw new CaxError('E_PROTOCOL', 'short G packet');
      for (let i = 0; i < 33; i++) t.writeRegister(i, parseHex32(body.slice(i * 8, i * 8 + 8)));
      return 'OK';
    }
    case 'p':
      return t.readRegister(parseNumber(body));
    case 'P': {
      const [n, v] = body.split('=');
      t.writeRegister(parseNumber(n), parseHex32(v ?? ''));
      return 'OK';
    }
    case 'm': {
      const [a, l] = body.split(',');
      const length = parseNumber(l);
      if (length > 0x1000) throw new CaxError('E_PROTOCOL', 'memory read too long');
      return t.readMemory(parseNumber(a), length);
    }
    case 'M': {
      const [where, hex = ''] = body.split(':');
      const [a, l] = (where ?? '').split(',');
      const length = parseNumber(l);
      if (hex.length !== length * 2 || !/^[0-9a-fA-F]*$/.test(hex)) throw new CaxError('E_PROTOCOL', 'M packet data does not match its length');
      t.writeMemory(parseNumber(a), Buffer.from(hex, 'hex'));
      return 'OK';
    }
    case 'X': {
      const colon = body.indexOf(':');
      if (colon < 0) throw new CaxError('E_PROTOCOL', 'X packet without data');
      const [a, l] = body.slice(0, colon).split(',');
      const bytes = Buffer.from(rspUnescape(body.slice(colon + 1)), 'latin1');
      if (bytes.length !== parseNumber(l)) throw new CaxError('E_PROTOCOL', 'X packet data does not match its length');
      t.writeMemory(parseNumber(a), bytes);
      return 'OK';
    }
    case 'Z':
    case 'z': {
      const [type, a, kind] = body.split(',');
      const address = parseNumber(a);
      const on = head === 'Z';
      if (type === '0' || type === '1') t.setBreakpoint(address, on);
      else if (type === '2') t.setWatch(address, parseNumber(kind), on);
      else return ''; // read and access watchpoints: not supported (the ISS has no bus hook for loads)
      return 'OK';
    }
    case 'c':
      if (body !== '') throw new CaxError('E_PROTOCOL', 'continue at an address is not supported');
      return t.continueForward();
    case 's':
      if (body !== '') throw new CaxError('E_PROTOCOL', 'step at an address is not supported');
      return t.stepForward();
    case 'b':
      if (body === 's') return t.reverseStep();
      if (body === 'c') return t.reverseContinue();
      return '';
    case 'H':
      return 'OK';
    case 'T':
      return 'OK';
    case 'k':
      return undefined;
    case 'D':
      return undefined;
    case 'q':
      return query(body, t);
    default:
      return '';
  }
}

function query(body: string, t: RspTarget): string {
  if (body.startsWith('Supported')) return 'PacketSize=3fff;qXfer:features:read+;swbreak+;hwbreak+;ReverseStep+;ReverseContinue+';
  if (body === 'Attached') return '1';
  if (body === 'C') return 'QC1';
  if (body === 'fThreadInfo') return 'm1';
  if (body === 'sThreadInfo') return 'l';
  const xfer = /^Xfer:features:read:([^:]+):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(body);
  if (xfer) {
    if (xfer[1] !== 'target.xml') return 'E00';
    const offset = parseInt(xfer[2]!, 16);
    const length = parseInt(xfer[3]!, 16);
    const xml = targetXml(t.csrs);
    const part = xml.slice(offset, offset + length);
    return `${offset + length >= xml.length ? 'l' : 'm'}${part}`;
  }
  return '';
}

/** Serves one gdb connection on the socket; resolves when gdb detaches, kills or hangs up. */
export function serveConnection(socket: Socket, target: RspTarget, log: (line: string) => void = () => undefined): Promise<void> {
  const reader = new RspReader();
  let queue = Promise.resolve();
  let done = false;
  return new Promise((resolve) => {
    const finish = (): void => {
      if (done) return;
      done = true;
      resolve();
    };
    const send = (reply: string): void => {
      if (!socket.destroyed) socket.write(`+${rspFrame(reply)}`);
    };
    socket.on('data', (chunk: Buffer) => {
      for (const ev of reader.feed(chunk)) {
        if (ev.kind === 'interrupt') target.interrupted = true;
        else if (ev.kind === 'bad') {
          log(`bad packet: ${ev.reason}`);
          if (!socket.destroyed) socket.write('-');
        } else if (ev.kind === 'packet') {
          queue = queue.then(async () => {
            if (done) return;
            const reply = await answerPacket(target, ev.data);
            if (reply === undefined) {
              send('OK');
              socket.end();
              finish();
            } else send(reply);
          });
        }
      }
    });
    socket.on('close', finish);
    socket.on('error', finish);
  });
}

/** Listens on 127.0.0.1:`port` (0: any free port) and serves connections one after another. */
export function listenGdb(port: number, makeTarget: () => RspTarget, onConnection: (done: Promise<void>) => void = () => undefined): Promise<Server> {
  const server = createServer({ noDelay: true }, (socket) => onConnection(serveConnection(socket, makeTarget())));
  return new Promise((resolve, reject) => {
    server.once('error', (e) => reject(new CaxError('E_IO', `cannot listen on 127.0.0.1:${port}: ${e.message}`)));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

export function listeningPort(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/** Listens on 127.0.0.1:`port`, tells `announce` the port taken, serves one session and stops listening; resolves when the session ends. */
export async function serveOneSession(port: number, makeTarget: () => RspTarget, announce: (port: number) => void): Promise<void> {
  let session: Promise<void> = Promise.resolve();
  const server = await listenGdb(port, makeTarget, (done) => {
    session = done;
    server.close();
  });
  announce(listeningPort(server));
  await new Promise<void>((resolve) => server.once('close', resolve));
  await session;
}
