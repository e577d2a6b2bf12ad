// TEL run-time values and the operations every backend must reproduce bit
// for bit: 32-bit Int arithmetic with RISC-V division, IEEE binary64 Double,
// byte-wise Text order, structural comparison, `show`, and the canonical
// encoding behind `hashOf`. Walks over values are iterative: a list of ten
// million cells is shown, compared and hashed without deep JS recursion.
import { createHash } from 'node:crypto';
import { CaxError, unsupported, type SourceSpan } from '../errors.js';
import { HASH_OF_OPAQUE, PURE_ERROR_MESSAGES } from './messages.js';

/** A Double (Ints are bare JS numbers holding signed 32-bit values). */
export class Dbl {
  constructor(readonly v: number) {}
}

export class UnitV {
  readonly kind = 'unit' as const;
}
export const UNIT_VALUE = new UnitV();

export class HashV {
  /** 64 lower-case hex digits. */
  constructor(readonly hex: string) {}
}

export class Nil {
  readonly kind = 'nil' as const;
}
export const NIL = new Nil();

export class Cons {
  constructor(
    readonly head: Value,
    readonly tail: ListV,
  ) {}
}

export type ListV = Cons | Nil;

export class Tuple {
  constructor(readonly items: readonly Value[]) {}
}

/** Anything callable: closures, partial applications and primitives live in machine.ts; effects in effects.ts. */
export interface Opaque {
  readonly opaque: 'function' | 'effect';
}

export type Value = number | Dbl | boolean | string | UnitV | HashV | Cons | Nil | Tuple | Opaque;

export const MIN_INT = -2147483648;

// ---- Int: signed 32-bit, wrapping; / and mod as RISC-V div / rem ------------

export const intAdd = (a: number, b: number): number => (a + b) | 0;
export const intSub = (a: number, b: number): number => (a - b) | 0;
export const intMul = (a: number, b: number): number => Math.imul(a, b);
export const intNeg = (a: number): number => -a | 0;

export function intDiv(a: number, b: number, span?: SourceSpan): number {
  if (b === 0) throw new CaxError('E_DIV_ZERO', PURE_ERROR_MESSAGES.E_DIV_ZERO, { span });
  if (a === MIN_INT && b === -1) return MIN_INT;
  return Math.trunc(a / b) | 0;
}

export function intMod(a: number, b: number, span?: SourceSpan): number {
  if (b === 0) throw new CaxError('E_DIV_ZERO', PURE_ERROR_MESSAGES.E_DIV_ZERO, { span });
  return (a % b) | 0;
}

/** Double to Int as RISC-V fcvt.w.d with round-toward-zero: saturating, NaN gives maxInt. */
export function doubleToInt(x: number): number {
  if (Number.isNaN(x) || x >= 2147483647) return 2147483647;
  if (x <= MIN_INT) return MIN_INT;
  return Math.trunc(x) | 0;
}

// ---- comparison ----------------------------------------------------------------

/** Byte-wise order of the UTF-8 encodings, which is code-point order. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const cx = a.codePointAt(i)!;
      const cy = b.codePointAt(i)!;
      return cx < cy ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : 1;
}

/** -1, 0 or 1; NaN when a Double comparison inside is unordered. Lists and tuples are lexicographic. */
export function compareValues(a: Value, b: Value): number {
  const stack: Value[] = [b, a];
  while (stack.length > 0) {
    const x = stack.pop()!;
    const y = stack.pop()!;
    if (typeof x === 'number') {
      const yn = y as number;
      if (x !== yn) return x < yn ? -1 : 1;
    } else if (typeof x === 'string') {
      const c = compareText(x, y as string);
      if (c !== 0) return c;
    } else if (typeof x === 'boolean') {
      if (x !== y) return x ? 1 : -1;
    } else if (x instanceof Dbl) {
      const yv = (y as Dbl).v;
      if (Number.isNaN(x.v) || Number.isNaN(yv)) return Number.NaN;
      if (x.v !== yv) return x.v < yv ? -1 : 1;
    } else if (x instanceof HashV) {
      const c = compareText(x.hex, (y as HashV).hex);
      if (c !== 0) return c;
    } else if (x instanceof Nil) {
      if (y instanceof Cons) return -1;
    } else if (x instanceof Cons) {
      if (y instanceof Nil) return 1;
      const yc = y as Cons;
      stack.push(yc.tail, x.tail, yc.head, x.head);
    } else if (x instanceof Tuple) {
      const yt = y as Tuple;
      for (let i = x.items.length - 1; i >= 0; i--) stack.push(yt.items[i]!, x.items[i]!);
    } else if (x instanceof UnitV) {
      continue;
    } else {
      throw unsupported('comparing functions or effects');
    }
  }
  return 0;
}

// ---- show ------------------------------------------------------------------------

/** Shortest decimal form that reads back to the same bits, in Haskell's layout: 0.1, 1.0e-2, 1.2345678e7. */
export function showDouble(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mant, expText] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(expText);
  const ax = Math.abs(x);
  if (ax >= 0.1 && ax < 1e7) {
    const point = exp + 1;
    if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
    if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
    return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  return `${sign}${digits[0]!}.${digits.length > 1 ? digits.slice(1) : '0'}e${exp}`;
}

/** A Text as a TEL literal. */
export function showText(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
      out += `\\u{${c.toString(16)}}`; // C0, DEL and C1 controls
    else out += ch;
  }
  return `${out}"`;
}

/** Thrown by `showValue` when the text would be longer than its limit. */
export class ShowTooLong extends Error {
  constructor(readonly limit: number) {
    super(`show would be longer than ${limit} characters`);
  }
}

/** Pieces of a `show` joined into one flat string at a time: the text costs about its own length while it is built. */
const SHOW_BATCH = 4096;

/** `show` of section 8; deterministic. */
export function showValue(v: Value): string {
  return showValueWithin(v, Infinity);
}

/** `showValue`, or ShowTooLong past `maxChars` characters (a value shared many times over shows as a tree). */
export function showValueWithin(v: Value, maxChars: number): string {
  const parts: string[] = [];
  let pieces: string[] = [];
  let length = 0;
  const put = (text: string): void => {
    length += text.length;
    if (length > maxChars) throw new ShowTooLong(maxChars);
    pieces.push(text);
    if (pieces.length >= SHOW_BATCH) {
      parts.push(pieces.join(''));
      pieces = [];
    }
  };
  const stack: (Value | { text: string })[] = [v];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (typeof x === 'number') put(String(x));
    else if (typeof x === 'string') put(showText(x));
    else if (typeof x === 'boolean') put(x ? 'True' : 'False');
    else if (x instanceof Dbl) put(showDouble(x.v));
    else if (x instanceof UnitV) put('()');
    else if (x instanceof HashV) put(`@${x.hex}`);
    else if (x instanceof Nil) put('[]');
    else if (x instanceof Cons) {
      const items: Value[] = [];
      for (let c: ListV = x; c instanceof Cons; c = c.tail) items.push(c.head);
      stack.push(CLOSE_LIST);
      for (let i = items.length - 1; i >= 0; i--) {
        stack.push(items[i]!);
        if (i > 0) stack.push(COMMA);
      }
      stack.push(OPEN_LIST);
    } else if (x instanceof Tuple) {
      stack.push(CLOSE_TUPLE);
      for (let i = x.items.length - 1; i >= 0; i--) {
        stack.push(x.items[i]!);
        if (i > 0) stack.push(COMMA);
      }
      stack.push(OPEN_TUPLE);
    } else if ('text' in x) put(x.text);
    else put(x.opaque === 'function' ? '<function>' : '<effect>');
  }
  parts.push(pieces.join(''));
  return parts.join('');
}

const COMMA = { text: ',' };
const OPEN_LIST = { text: '[' };
const CLOSE_LIST = { text: ']' };
const OPEN_TUPLE = { text: '(' };
const CLOSE_TUPLE = { text: ')' };

// ---- lists ----------------------------------------------------------------------------

export function listFromArray(items: readonly Value[]): ListV {
  let l: ListV = NIL;
  for (let i = items.length - 1; i >= 0; i--) l = new Cons(items[i]!, l);
  return l;
}

export function listToArray(l: ListV): Value[] {
  const out: Value[] = [];
  for (let c: ListV = l; c instanceof Cons; c = c.tail) out.push(c.head);
  return out;
}

// ---- canonical encoding and hashOf ------------------------------------------------------

/** A list still being encoded: the items not yet written. */
class ListCursor {
  constructor(public rest: ListV) {}
}

/** Size of the scratch buffer the encoding is written through. */
const ENCODE_CHUNK = 64 * 1024;

/**
 * Writes the canonical bytes of a value to `sink` in chunks of at most 64 KiB: a tag byte, then Int 4 bytes
 * big-endian, Double its 8 IEEE bytes big-endian, Bool 1 byte, Text u32 length + UTF-8, Hash 32 bytes, List u32
 * count + items, Tuple u32 count + items, unit nothing. The walk keeps one cursor per open list or tuple, never a
 * copy of a list, so hashing a list of 25 million Ints needs no memory beyond the list itself. Every NaN is written as
 * 7ff8000000000000.
 */
export function writeCanonical(v: Value, sink: (chunk: Buffer) => void): void {
  const buf = Buffer.alloc(ENCODE_CHUNK);
  let used = 0;
  const flush = (): void => {
    if (used > 0) sink(buf.subarray(0, used));
    used = 0;
  };
  const room = (n: number): void => {
    if (used + n > ENCODE_CHUNK) flush();
  };
  const tag = (t: number): void => {
    room(1);
    buf[used++] = t;
  };
  const u32 = (n: number): void => {
    room(4);
    buf.writeUInt32BE(n >>> 0, used);
    used += 4;
  };
  const bytes = (b: Buffer): void => {
    if (b.length > ENCODE_CHUNK - used) {
      flush();
      sink(b);
      return;
    }
    b.copy(buf, used);
    used += b.length;
  };
  const stack: (Value | ListCursor)[] = [v];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (x instanceof ListCursor) {
      if (x.rest instanceof Cons) {
        const head = x.rest.head;
        x.rest = x.rest.tail;
        stack.push(x, head);
      }
    } else if (typeof x === 'number') {
      tag(1);
      room(4);
      buf.writeInt32BE(x, used);
      used += 4;
    } else if (x instanceof Dbl) {
      tag(2);
      room(8);
      // every NaN as the one quiet NaN: its sign and payload depend on the machine that computed it (x86, soft-float)
      if (Number.isNaN(x.v)) {
        buf.writeUInt32BE(0x7ff80000, used);
        buf.writeUInt32BE(0, used + 4);
      } else buf.writeDoubleBE(x.v, used);
      used += 8;
    } else if (typeof x === 'boolean') {
      tag(3);
      tag(x ? 1 : 0);
    } else if (typeof x === 'string') {
      const t = Buffer.from(x, 'utf8');
      tag(4);
      u32(t.length);
      bytes(t);
    } else if (x instanceof UnitV) tag(5);
    else if (x instanceof HashV) {
      tag(6);
      bytes(Buffer.from(x.hex, 'hex'));
    } else if (x instanceof Cons || x instanceof Nil) {
      let count = 0;
      for (let c: ListV = x; c instanceof Cons; c = c.tail) count++;
      tag(7);
      u32(count);
      stack.push(new ListCursor(x));
    } else if (x instanceof Tuple) {
      tag(8);
      u32(x.items.length);
      for (let i = x.items.length - 1; i >= 0; i--) stack.push(x.items[i]!);
    } else {
      throw unsupported(HASH_OF_OPAQUE);
    }
  }
  flush();
}

/** The canonical bytes of a value (`writeCanonical`) in one buffer. */
export function canonicalBytes(v: Value): Buffer {
  const chunks: Buffer[] = [];
  writeCanonical(v, (chunk) => chunks.push(Buffer.from(chunk)));
  return Buffer.concat(chunks);
}

export function hashOfValue(v: Value): HashV {
  const hash = createHash('sha256');
  writeCanonical(v, (chunk) => hash.update(chunk));
  return new HashV(hash.digest('hex'));
}

/** JSON form of a first-order value for logs and --json (Ints and Texts as themselves, the rest as its `show`). */
export function valueToJson(v: Value): number | string | boolean | null {
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof UnitV) return null;
  return showValue(v);
}
