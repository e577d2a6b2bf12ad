// The retirement record of docs/trace-port.md, its text form (one line per
// record, lower-case hex fields) and the parser of that form used to compare
// ISS traces with the RTL's.
import { CaxError } from '../errors.js';

export interface TraceRecord {
  readonly pc: number;
  readonly insn: number;
  readonly rd: number;
  readonly rdValue: number;
  readonly memAddr: number;
  readonly memData: number;
  readonly memMask: number;
  readonly memWrite: boolean;
  readonly trap: boolean;
  readonly cause: number;
  readonly tval: number;
}

/** Receives every record while tracing is on. */
export type TraceSink = (record: TraceRecord) => void;

const HEX_DIGIT = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16));
const BYTE2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex without leading zeros, as a string (much faster than Number#toString(16)). */
function hexString(value: number): string {
  const n = value >>> 0;
  if (n < 0x100) return BYTE[n]!;
  if (n < 0x10000) return BYTE[n >>> 8]! + BYTE2[n & 0xff]!;
  if (n < 0x1000000) return BYTE[n >>> 16]! + BYTE2[(n >>> 8) & 0xff]! + BYTE2[n & 0xff]!;
  return BYTE[n >>> 24]! + BYTE2[(n >>> 16) & 0xff]! + BYTE2[(n >>> 8) & 0xff]! + BYTE2[n & 0xff]!;
}

/** The same as bytes at `pos`; returns the position after it. */
function putHex(buffer: Uint8Array, pos: number, value: number): number {
  let n = value >>> 0;
  let digits = 1;
  for (let t = n >>> 4; t !== 0; t >>>= 4) digits++;
  for (let i = digits - 1; i >= 0; i--) {
    buffer[pos + i] = HEX_DIGIT[n & 15]!;
    n >>>= 4;
  }
  return pos + digits;
}

/** `pc insn rd rd_value mem_addr mem_data mem_mask mem_write trap cause tval`. */
export function formatTraceRecord(r: TraceRecord): string {
  const h = hexString;
  return `${h(r.pc)} ${h(r.insn)} ${h(r.rd)} ${h(r.rdValue)} ${h(r.memAddr)} ${h(r.memData)} ${h(r.memMask)} ${r.memWrite ? 1 : 0} ${r.trap ? 1 : 0} ${h(r.cause)} ${h(r.tval)}`;
}

/** The longest text record, with its newline. */
export const MAX_TRACE_LINE_BYTES = 11 * 9;

/**
 * Writes formatTraceRecord(r) and a newline as bytes into `buffer` at `pos`
 * (it needs room for MAX_TRACE_LINE_BYTES); returns the position after the
 * newline. The fast path of trace files.
 */
export function encodeTraceRecord(r: TraceRecord, buffer: Uint8Array, pos: number): number {
  const SPACE = 0x20;
  let at = putHex(buffer, pos, r.pc);
  buffer[at++] = SPACE;
  at = putHex(buffer, at, r.insn);
  buffer[at++] = SPACE;
  at = putHex(buffer, at, r.rd);
  buffer[at++] = SPACE;
  at = putHex(buffer, at, r.rdValue);
  buffer[at++] = SPACE;
  at = putHex(buffer, at, r.memAddr);
  buffer[at++] = SPACE;
  at = putHex(buffer, at, r.memData);
  buffer[at++] = SPACE;
  at = putHex(buffer, at, r.memMask);
  buffer[at++] = SPACE;
  buffer[at++] = r.memWrite ? 0x31 : 0x30;
  buffer[at++] = SPACE;
  buffer[at++] = r.trap ? 0x31 : 0x30;
  buffer[at++] = SPACE;
  at = putHex(buffer, at, r.cause);
  buffer[at++] = SPACE;
  at = putHex(buffer, at, r.tval);
  buffer[at++] = 0x0a;
  return at;
}

const LINE = /^([0-9a-f]{1,8}) ([0-9a-f]{1,8}) ([0-9a-f]{1,2}) ([0-9a-f]{1,8}) ([0-9a-f]{1,8}) ([0-9a-f]{1,8}) ([0-9a-f]) ([01]) ([01]) ([0-9a-f]{1,8}) ([0-9a-f]{1,8})$/;

/** Parses one line of the text form; `where` names it in the E_TRACE error. */
export function parseTraceLine(line: string, where: { file: string; line: number }): TraceRecord {
  const m = LINE.exec(line.trim());
  if (!m) throw new CaxError('E_TRACE', `not a trace record: ${JSON.stringify(line.slice(0, 80))}`, { span: { file: where.file, line: where.line, col: 1 } });
  const n = (i: number): number => parseInt(m[i]!, 16);
  if (n(3) > 31) throw new CaxError('E_TRACE', `rd ${n(3)} is not a register`, { span: { file: where.file, line: where.line, col: 1 } });
  return {
    pc: n(1),
    insn: n(2),
    rd: n(3),
    rdValue: n(4),
    memAddr: n(5),
    memData: n(6),
    memMask: n(7),
    memWrite: m[8] === '1',
    trap: m[9] === '1',
    cause: n(10),
    tval: n(11),
  };
}
