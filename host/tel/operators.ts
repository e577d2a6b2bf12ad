// The primitive operations behind TEL's operators, on run-time values: Int
// and Double arithmetic (dispatching on the operand's representation, which
// type checking guarantees is the same on both sides), comparisons,
// list/text construction and concatenation, and the parallel effect `<|>`.
import type { SourceSpan } from '../errors.js';
import type { BinaryOp } from './ast.js';
import type { Machine } from './machine.js';
import { Eff } from './runtime.js';
import { Cons, Dbl, NIL, Tuple, compareValues, intAdd, intDiv, intMod, intMul, intNeg, intSub, listFromArray, type ListV, type Value } from './values.js';

export type BinFn = (a: Value, b: Value, span: SourceSpan, m: Machine) => Value;
export type UnaryFn = (a: Value, span: SourceSpan) => Value;

const arith =
  (int: (a: number, b: number, span: SourceSpan) => number, dbl: (a: number, b: number) => number): BinFn =>
  (a, b, span) =>
    typeof a === 'number' ? int(a, b as number, span) : new Dbl(dbl((a as Dbl).v, (b as Dbl).v));

const cmp =
  (test: (c: number) => boolean): BinFn =>
  (a, b) =>
    typeof a === 'number' ? test(a === b ? 0 : a < (b as number) ? -1 : 1) : test(compareValues(a, b));

const append: BinFn = (a, b, _span, m) => {
  if (typeof a === 'string') {
    const r = a + (b as string);
    m.allocate(r.length >> 3);
    return r;
  }
  const items: Value[] = [];
  for (let c = a as ListV; c instanceof Cons; c = c.tail) items.push(c.head);
  m.allocate(items.length * 2);
  let out = b as ListV;
  for (let i = items.length - 1; i >= 0; i--) out = new Cons(items[i]!, out);
  return out;
};

export const BINARY: Readonly<Record<Exclude<BinaryOp, '$' | '>>' | '<|' | '&&' | '||'>, BinFn>> = {
  '+': arith(intAdd, (x, y) => x + y),
  '-': arith(intSub, (x, y) => x - y),
  '*': arith(intMul, (x, y) => x * y),
  '/': arith(intDiv, (x, y) => x / y),
  mod: (a, b, span) => intMod(a as number, b as number, span),
  '==': cmp((c) => c === 0),
  '/=': cmp((c) => c !== 0),
  '<': cmp((c) => c < 0),
  '>': cmp((c) => c > 0),
  '<=': cmp((c) => c <= 0),
  '>=': cmp((c) => c >= 0),
  ':': (a, b, _span, m) => {
    m.allocate(2);
    return new Cons(a, b as ListV);
  },
  '++': append,
  '<|>': (a, b) => new Eff({ k: 'par', left: a as Eff, right: b as Eff }),
};

export const negate: UnaryFn = (a) => (typeof a === 'number' ? intNeg(a) : new Dbl(-(a as Dbl).v));

export const buildTuple = (vals: Value[], m: Machine): Value => {
  m.allocate(vals.length + 1);
  return new Tuple(vals);
};

export const buildList = (vals: Value[], m: Machine): Value => {
  m.allocate(vals.length * 2);
  return vals.length === 0 ? NIL : listFromArray(vals);
};
