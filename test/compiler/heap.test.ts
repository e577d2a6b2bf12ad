// The host side of the value layout: any first-order value written as heap
// objects reads back equal (fast-check), and the reader refuses pointers
// outside memory and unknown tags instead of inventing values.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { HeapWriter, readValue } from '../../host/coprocessor/heap.js';
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
    fc.assert(fc.property(value, (v) => {
      const back = roundTrip(v);
      expect(showValue(back)).toBe(showValue(v));
      const c = compareValues(back, v);
      expect(Number.isNaN(c) || c === 0).toBe(true);
    }));
  });
  it('rejects unknown tags and pointers outside memory', () => {
    const none = (): DataView => {
      throw new Error('no memory here');
    };
    fc.assert(fc.property(fc.integer({ min: 12, max: 0xffff }), fc.integer({ min: 0, max: 0xffffffff }), (tag, val) => {
      expect(() => readValue({ tag, val }, none)).toThrow(/unknown tag/);
    }));
    expect(() => readValue({ tag: 4, val: 0x1234 }, none)).toThrow(/no memory/);
  });
});
