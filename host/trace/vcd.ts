// Streaming reader of the simulation's VCD (docs/trace.md): turns the
// trace-port signals of the top scope into retirement records, one per rising
// clock edge on which `trace_valid` is 1. Reads fixed-size chunks and keeps
// only the current signal values, so memory stays bounded whatever the size.
import { createReadStream } from 'node:fs';
import { CaxError } from '../errors.js';
import type { TraceRecord } from './record.js';

/** The SoC's trace port (docs/trace-port.md): what a retirement record is made of. */
export const TRACE_PORT = [
  'trace_valid',
  'trace_pc',
  'trace_insn',
  'trace_rd',
  'trace_rd_value',
  'trace_mem_addr',
  'trace_mem_data',
  'trace_mem_mask',
  'trace_mem_write',
  'trace_trap',
  'trace_cause',
  'trace_tval',
] as const;

/** The top-level signals the reader needs: the clock and the trace port. */
const SIGNALS = ['clk', ...TRACE_PORT] as const;
type Signal = (typeof SIGNALS)[number];
const SLOT: Readonly<Record<Signal, number>> = Object.fromEntries(SIGNALS.map((s, i) => [s, i])) as Record<Signal, number>;

const NL = 10;
const SP = 32;
const HASH = 35;
const DOLLAR = 36;

/** A numeric key for a VCD identifier code (printable ASCII, any length). */
function idKey(buf: Uint8Array, from: number, to: number): number {
  let k = 0;
  for (let i = from; i < to; i++) k = k * 97 + (buf[i]! - 31);
  return k;
}

/** Parses the header (`$scope`/`$var` up to `$enddefinitions`): identifier key → slot of the signals wanted. */
function parseHeader(text: string, file: string): Map<number, number> {
  const ids = new Map<number, number>();
  let depth = 0;
  const found = new Set<Signal>();
  for (const m of text.matchAll(/\$(scope|upscope|var)\b([^$]*)\$end/g)) {
    if (m[1] === 'scope') depth++;
    else if (m[1] === 'upscope') depth--;
    else if (depth === 1) {
      const [, , code, name] = m[2]!.trim().split(/\s+/);
      if (code !== undefined && name !== undefined && (SIGNALS as readonly string[]).includes(name)) {
        const bytes = Buffer.from(code, 'latin1');
        ids.set(idKey(bytes, 0, bytes.length), SLOT[name as Signal]);
        found.add(name as Signal);
      }
    }
  }
  const missing = SIGNALS.filter((s) => !found.has(s));
  if (missing.length > 0) throw new CaxError('E_TRACE', `the VCD's top scope lacks ${missing.join(', ')}`, { span: { file, line: 1, col: 1 } });
  return ids;
}

function toRecord(v: Float64Array): TraceRecord {
  return {
    pc: v[2]!,
    insn: v[3]!,
    rd: v[4]!,
    rdValue: v[5]!,
    memAddr: v[6]!,
    memData: v[7]!,
    memMask: v[8]!,
    memWrite: v[9] === 1,
    trap: v[10] === 1,
    cause: v[11]!,
    tval: v[12]!,
  };
}

/**
 * The records of a VCD file, in order. `chunkBytes` is the read size (the
 * memory bound is a few times that plus one line).
 */
export async function* readVcdTrace(file: string, chunkBytes = 1 << 20): AsyncGenerator<TraceRecord> {
  const stream = createReadStream(file, { highWaterMark: chunkBytes });
  let header = '';
  let ids: Map<number, number> | undefined;
  const values = new Float64Array(SIGNALS.length);
  let clkBefore = 0; // clk at the end of the previous timestamp
  let carry: Uint8Array = new Uint8Array(0);
  let sawTime = false;
  const out: TraceRecord[] = [];
  /** At a timestamp boundary: a rising edge with trace_valid yields a record. */
  const boundary = (): void => {
    if (sawTime && clkBefore === 0 && values[0] === 1 && values[1] === 1) out.push(toRecord(values));
    clkBefore = values[0]!;
    sawTime = true;
  };
  let line = 1;
  const bad = (what: string): CaxError => new CaxError('E_TRACE', `bad VCD: ${what}`, { span: { file, line, col: 1 } });
  for await (const piece of stream as AsyncIterable<Buffer>) {
    let buf: Uint8Array = piece;
    if (ids === undefined) {
      header += piece.toString('latin1');
      const end = header.indexOf('$enddefinitions');
      if (end < 0) {
        if (header.length > 64 << 20) throw bad('no $enddefinitions in the first 64 MiB');
        continue;
      }
      const close = header.indexOf('$end', end + 15);
      if (close < 0) continue;
      ids = parseHeader(header.slice(0, close + 4), file);
      line += (header.slice(0, close + 4).match(/\n/g) ?? []).length;
      buf = Buffer.from(header.slice(close + 4), 'latin1');
      header = '';
    }
    if (carry.length > 0) {
      const joined = new Uint8Array(carry.length + buf.length);
      joined.set(carry);
      joined.set(buf, carry.length);
      buf = joined;
    }
    let i = 0;
    const n = buf.length;
    for (;;) {
      const eol = buf.indexOf(NL, i);
      if (eol < 0) break;
      const c = buf[i];
      if (c === 98 || c === 66) {
        // bVALUE ID
        let sp = i + 1;
        while (sp < eol && buf[sp] !== SP) sp++;
        const slot = ids.get(idKey(buf, sp + 1, eol));
        if (slot !== undefined) {
          let v = 0;
          for (let k = i + 1; k < sp; k++) {
            const b = buf[k]!;
            if (b !== 48 && b !== 49) throw bad(`value bit ${String.fromCharCode(b)} on a trace signal`);
            v = v * 2 + (b - 48);
          }
          values[slot] = v;
        }
      } else if (c === 48 || c === 49) {
        const slot = ids.get(idKey(buf, i + 1, eol));
        if (slot !== undefined) values[slot] = c - 48;
      } else if (c === HASH) {
        boundary();
      } else if (c === 120 || c === 122 || c === 88 || c === 90) {
        const slot = ids.get(idKey(buf, i + 1, eol));
        if (slot !== undefined) throw bad('x/z on a trace signal');
      } else if (c !== DOLLAR && c !== SP && c !== NL && c !== 13 && c !== 114 && c !== 82) {
        throw bad(`unexpected line starting with ${JSON.stringify(String.fromCharCode(c ?? 0))}`);
      }
      i = eol + 1;
      line++;
      if (out.length >= 4096) {
        yield* out;
        out.length = 0;
      }
    }
    carry = i < n ? buf.slice(i) : new Uint8Array(0);
    if (carry.length > 1 << 20) throw bad('a line longer than 1 MiB');
  }
  if (ids === undefined) throw bad('no $enddefinitions');
  boundary();
  yield* out;
}
