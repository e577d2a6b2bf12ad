// Host side of the value layout (layout.ts): writes TEL values as heap
// objects for a run's arguments, and reads a result value back from the
// co-processor's memory into the interpreter's Value representation.
import { CaxError, unsupported } from '../errors.js';
import { Cons, Dbl, HashV, NIL, Nil, Tuple, UNIT_VALUE, UnitV, type Opaque, type Value } from '../tel/values.js';
import { TAG } from '../compiler/layout.js';

/** A two-word value. */
export interface Word2 {
  readonly tag: number;
  readonly val: number;
}

/** Serialises values into heap objects laid out from `base` upward (8-byte aligned objects). */
export class HeapWriter {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;
  constructor(readonly base: number) {}

  get end(): number {
    return this.base + this.size;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  /** Reserves an object of `n` bytes and returns its address and a view on it. */
  private object(n: number): { addr: number; view: DataView; bytes: Uint8Array } {
    const padded = (n + 7) & ~7;
    const bytes = new Uint8Array(padded);
    const addr = this.end;
    this.chunks.push(bytes);
    this.size += padded;
    return { addr, view: new DataView(bytes.buffer), bytes };
  }

  /** Writes a vector of values (the argument vector) and returns its address. */
  vector(values: readonly Value[]): number {
    const words = values.map((v) => this.value(v));
    const o = this.object(8 * words.length);
    words.forEach((w, i) => {
      o.view.setUint32(8 * i, w.tag, true);
      o.view.setUint32(8 * i + 4, w.val, true);
    });
    return o.addr;
  }

  value(v: Value): Word2 {
    if (typeof v === 'number') return { tag: TAG.INT, val: v >>> 0 };
    if (typeof v === 'boolean') return { tag: TAG.BOOL, val: v ? 1 : 0 };
    if (v instanceof UnitV) return { tag: TAG.UNIT, val: 0 };
    if (v instanceof Nil) return { tag: TAG.NIL, val: 0 };
    if (v instanceof Dbl) {
      const o = this.object(8);
      o.view.setFloat64(0, v.v, true);
      return { tag: TAG.DOUBLE, val: o.addr };
    }
    if (typeof v === 'string') {
      const utf8 = Buffer.from(v, 'utf8');
      const o = this.object(4 + utf8.length);
      o.view.setUint32(0, utf8.length, true);
      o.bytes.set(utf8, 4);
      return { tag: TAG.TEXT, val: o.addr };
    }
    if (v instanceof HashV) {
      const o = this.object(32);
      o.bytes.set(Buffer.from(v.hex, 'hex'));
      return { tag: TAG.HASH, val: o.addr };
    }
    if (v instanceof Cons) {
      const items: Value[] = [];
      let c: Cons | Nil = v;
      for (; c instanceof Cons; c = c.tail) items.push(c.head);
      let tail: Word2 = { tag: TAG.NIL, val: 0 };
      for (let i = items.length - 1; i >= 0; i--) {
        const head = this.value(items[i]!);
        const o = this.object(16);
        o.view.setUint32(0, head.tag, true);
        o.view.setUint32(4, head.val, true);
        o.view.setUint32(8, tail.tag, true);
        o.view.setUint32(12, tail.val, true);
        tail = { tag: TAG.CONS, val: o.addr };
      }
      return tail;
    }
    if (v instanceof Tuple) {
      const words = v.items.map((x) => this.value(x));
      const o = this.object(4 + 8 * words.length);
      o.view.setUint32(0, words.length, true);
      words.forEach((w, i) => {
        o.view.setUint32(4 + 8 * i, w.tag, true);
        o.view.setUint32(8 + 8 * i, w.val, true);
      });
      return { tag: TAG.TUPLE, val: o.addr };
    }
    throw unsupported('passing a function or an effect to the co-processor');
  }
}

/** A function or effect that stayed on the co-processor. */
export class CoprocessorOpaque implements Opaque {
  constructor(
    readonly opaque: 'function' | 'effect',
    readonly address: number,
  ) {}
}

/** Reads 32-bit words of the co-processor's memory (from a snapshot). */
export type MemoryReader = (addr: number, bytes: number) => DataView;

/** How much a value read back may hold: objects decoded (shared ones count each time they are reached). */
export const MAX_READ_OBJECTS = 4_000_000;

/** A list or tuple being decoded: its items so far, and what comes next. */
type Open =
  | { readonly kind: 'list'; cell: Word2; readonly items: Value[]; readonly spine: number[] }
  | { readonly kind: 'tuple'; readonly addr: number; readonly words: readonly Word2[]; readonly items: Value[] };

/**
 * Decodes a two-word value without recursion (any depth), refusing with
 * E_PROTOCOL what no run can have made: a list or tuple that contains itself
 * (values are immutable, so a cycle is a broken or hostile device), a list
 * whose tail is not a list, an unknown tag, and more than `maxObjects`
 * objects.
 */
export function readValue(root: Word2, mem: MemoryReader, maxObjects = MAX_READ_OBJECTS): Value {
  /** Objects on the path from the root: lists' cells and tuples being decoded. */
  const open = new Set<number>();
  let objects = 0;
  const enter = (addr: number): void => {
    if (++objects > maxObjects) throw new CaxError('E_PROTOCOL', `the co-processor's value has more than ${maxObjects} objects: not read back`, { details: { limit: maxObjects } });
    if (open.has(addr)) throw new CaxError('E_PROTOCOL', `the co-processor's value contains itself (a cycle at 0x${addr.toString(16)}): no run makes that`, { details: { address: addr } });
    open.add(addr);
  };
  /** A value, or the list or tuple to decode for it. */
  const start = (w: Word2): Value | Open => {
    switch (w.tag) {
      case TAG.INT:
        return w.val | 0;
      case TAG.BOOL:
        return w.val !== 0;
      case TAG.UNIT:
        return UNIT_VALUE;
      case TAG.NIL:
        return NIL;
      case TAG.DOUBLE:
        return new Dbl(mem(w.val, 8).getFloat64(0, true));
      case TAG.TEXT: {
        const len = mem(w.val, 4).getUint32(0, true);
        const view = mem(w.val + 4, len);
        return Buffer.from(view.buffer, view.byteOffset, len).toString('utf8');
      }
      case TAG.HASH: {
        const view = mem(w.val, 32);
        return new HashV(Buffer.from(view.buffer, view.byteOffset, 32).toString('hex'));
      }
      case TAG.CONS:
        return { kind: 'list', cell: w, items: [], spine: [] };
      case TAG.TUPLE: {
        enter(w.val);
        const n = mem(w.val, 4).getUint32(0, true);
        const v = mem(w.val + 4, 8 * n);
        const words = Array.from({ length: n }, (_, i) => ({ tag: v.getUint32(8 * i, true), val: v.getUint32(8 * i + 4, true) }));
        return { kind: 'tuple', addr: w.val, words, items: [] };
      }
      case TAG.CLOSURE:
      case TAG.PAP:
        return new CoprocessorOpaque('function', w.val);
      case TAG.EFFECT:
        return new CoprocessorOpaque('effect', w.val);
      default:
        throw new CaxError('E_PROTOCOL', `the co-processor returned a value with the unknown tag ${w.tag}`);
    }
  };
  /** The next item to decode of `o`, or null when it is complete. */
  const next = (o: Open): Word2 | null => {
    if (o.kind === 'tuple') return o.items.length < o.words.length ? o.words[o.items.length]! : null;
    const c = o.cell;
    if (c.tag === TAG.NIL) return null;
    if (c.tag !== TAG.CONS) throw new CaxError('E_PROTOCOL', `the co-processor returned a list whose tail has the tag ${c.tag}`);
    enter(c.val);
    o.spine.push(c.val);
    const v = mem(c.val, 16);
    o.cell = { tag: v.getUint32(8, true), val: v.getUint32(12, true) };
    return { tag: v.getUint32(0, true), val: v.getUint32(4, true) };
  };
  const close = (o: Open): Value => {
    if (o.kind === 'tuple') {
      open.delete(o.addr);
      return new Tuple(o.items);
    }
    for (const cell of o.spine) open.delete(cell);
    let out: Cons | Nil = NIL;
    for (let i = o.items.length - 1; i >= 0; i--) out = new Cons(o.items[i]!, out);
    return out;
  };
  const first = start(root);
  if (!isOpen(first)) return first;
  const stack: Open[] = [first];
  for (;;) {
    const top = stack[stack.length - 1]!;
    const w = next(top);
    if (w === null) {
      stack.pop();
      const done = close(top);
      const parent = stack[stack.length - 1];
      if (parent === undefined) return done;
      parent.items.push(done);
      continue;
    }
    const item = start(w);
    if (isOpen(item)) stack.push(item);
    else top.items.push(item);
  }
}

function isOpen(x: Value | Open): x is Open {
  return typeof x === 'object' && x !== null && 'kind' in x && (x.kind === 'list' || x.kind === 'tuple') && 'items' in x;
}
