// The host side of the value layout: any first-order value written as heap
// objects reads back equal (fast-check), and the reader refuses pointers
// outside memory and unknown tags instead of inventing values; what a hostile
// device can point at (cycles, endless nesting, huge sharing) ends with
// E_PROTOCOL, never a hang or a crash of the host.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { HeapWriter, readValue, type Word2 } from '../../host/coprocessor/heap.js';
import { TAG } from '../../host/compiler/layout.js';
import { errorCode } from '../helpers/errors.js';
import { Cons, Dbl, HashV, NIL, Tuple, UNIT_VALUE, showValue, compareValues, type Value } from '../../host/tel/values.js';

const BASE = 0x80010000;

const value: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: -2147483648, max: 2147483647 }),
    fc.boolean(),
    fc.constant(UNIT_VALUE),
    fc.double().map((d) => new Dbl(d)),
    fc.string({ unit: 'grapheme' }),
    fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => new HashV(Buffer.from(b).toString('hex'))),
    fc.array(tie('v'), { maxLength: 4 }).map((xs) => xs.reduceRight<Cons | typeof NIL>((tail, head) => new Cons(head, tail), NIL)),
    fc.array(tie('v'), { minLength: 2, maxLength: 3 }).map((xs) => new Tuple(xs)),
  ),
})).v;

function roundTrip(v: Value): Value {
  const w = new HeapWriter(BASE);
  const word = w.value(v);
  const bytes = w.bytes();
  return readValue(word, (addr, n) => {
    if (addr < BASE || addr + n > BASE + bytes.length) throw new Error(`outside: ${addr}`);
    return new DataView(bytes.buffer, addr - BASE, n);
  });
}

describe('heap layout', () => {
  it('values round-trip through the heap bytes', () => {
    fc.assert(
      fc.property(value, (v) => {
        const back = roundTrip(v);
        expect(showValue(back)).toBe(showValue(v));
        const c = compareValues(back, v);
        expect(Number.isNaN(c) || c === 0).toBe(true);
      }),
    );
  });
  it('rejects unknown tags and pointers outside memory', () => {
    const none = (): DataView => {
      throw new Error('no memory here');
    };
    fc.assert(
      fc.property(fc.integer({ min: 12, max: 0xffff }), fc.integer({ min: 0, max: 0xffffffff }), (tag, val) => {
        expect(() => readValue({ tag, val }, none)).toThrow(/unknown tag/);
      }),
    );
    expect(() => readValue({ tag: 4, val: 0x1234 }, none)).toThrow(/no memory/);
  });

  /** A memory of 16-byte cells at BASE: cell i holds two words (tag, val) each. */
  const cells = (words: readonly (readonly [Word2, Word2])[]): ((addr: number, n: number) => DataView) => {
    const bytes = new Uint8Array(16 * words.length);
    const view = new DataView(bytes.buffer);
    words.forEach(([a, b], i) => {
      view.setUint32(16 * i, a.tag, true);
      view.setUint32(16 * i + 4, a.val, true);
      view.setUint32(16 * i + 8, b.tag, true);
      view.setUint32(16 * i + 12, b.val, true);
    });
    return (addr, n) => {
      if (addr < BASE || addr + n > BASE + bytes.length) throw new Error(`outside: ${addr}`);
      return new DataView(bytes.buffer, addr - BASE, n);
    };
  };
  const at = (i: number): number => BASE + 16 * i;
  const int = (v: number): Word2 => ({ tag: TAG.INT, val: v });
  const cons = (i: number): Word2 => ({ tag: TAG.CONS, val: at(i) });
  const nil: Word2 = { tag: TAG.NIL, val: 0 };

  it('a list whose tail comes back to it, a list that is its own head, and a tuple inside itself are E_PROTOCOL (cycles)', () => {
    expect(
      errorCode(() =>
        readValue(
          cons(0),
          cells([
            [int(1), cons(1)],
            [int(2), cons(0)],
          ]),
        ),
      ),
    ).toBe('E_PROTOCOL');
    expect(() => readValue(cons(0), cells([[int(1), cons(0)]]))).toThrow(/contains itself/);
    expect(errorCode(() => readValue(cons(0), cells([[cons(0), nil]])))).toBe('E_PROTOCOL');
    const tuple = new DataView(new ArrayBuffer(20));
    tuple.setUint32(0, 2, true);
    tuple.setUint32(4, TAG.TUPLE, true);
    tuple.setUint32(8, BASE, true);
    expect(errorCode(() => readValue({ tag: TAG.TUPLE, val: BASE }, (addr, n) => new DataView(tuple.buffer, addr - BASE, n)))).toBe('E_PROTOCOL');
  });

  it('a list nested 200,000 deep reads back without recursion; shared cells are fine; a tail that is not a list is E_PROTOCOL', () => {
    const depth = 200_000;
    const deep = cells(Array.from({ length: depth }, (_, i) => [i + 1 < depth ? cons(i + 1) : int(7), nil] as const));
    let v = readValue(cons(0), deep);
    for (let i = 0; i < depth; i++) {
      expect(v).toBeInstanceOf(Cons);
      v = (v as Cons).head;
    }
    expect(v).toBe(7);
    // ([1], [1]) with the list shared
    const shared = cells([
      [int(1), nil],
      [
        { tag: 0, val: 0 },
        { tag: 0, val: 0 },
      ],
    ]);
    const pair = new Uint8Array(16 * 2 + 20);
    const mem = (addr: number, n: number): DataView => (addr >= BASE + 32 ? new DataView(pair.buffer, addr - BASE, n) : shared(addr, n));
    const t = new DataView(pair.buffer, 32);
    t.setUint32(0, 2, true);
    for (const k of [0, 1]) {
      t.setUint32(4 + 8 * k, TAG.CONS, true);
      t.setUint32(8 + 8 * k, BASE, true);
    }
    expect(showValue(readValue({ tag: TAG.TUPLE, val: BASE + 32 }, mem))).toBe('([1],[1])');
    expect(() => readValue(cons(0), cells([[int(1), int(5)]]))).toThrow(/tail has the tag 1/);
  });

  it('more objects than the limit (sharing that doubles at each level) is E_PROTOCOL, not a host out of memory', () => {
    // cell i: [cell i+1, cell i+1] as a two-item list: 2^30 paths from 30 levels
    const levels = 30;
    const words: [Word2, Word2][] = [];
    for (let i = 0; i < levels; i++) {
      const below = i + 1 < levels ? cons(2 * (i + 1)) : int(0);
      words.push([below, cons(2 * i + 1)], [below, nil]);
    }
    expect(() => readValue(cons(0), cells(words), 100_000)).toThrow(/more than 100000 objects/);
  });
});
