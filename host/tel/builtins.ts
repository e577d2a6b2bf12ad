// The primitives TEL code sees without defining them: the effect
// constructors of sections 5 and 6 (return, emit, fail, now, after, at,
// within, timeout, race), `mod`, `hashOf`, Int/Double conversion, and the
// prim* helpers the prelude (prelude.tel) is written with. Each has its type
// signature in TEL syntax and its implementation on run-time values.
import { CaxError } from '../errors.js';
import { Eff, Prim } from './runtime.js';
import { Dbl, ShowTooLong, doubleToInt, hashOfValue, intMod, intNeg, showValueWithin, type Value } from './values.js';
import { budgetError } from './machine.js';
import { PURE_ERROR_MESSAGES } from './messages.js';

export interface Builtin {
  readonly signature: string;
  readonly value: Value;
}

const prim = (name: string, arity: number, signature: string, fn: Prim['fn']): [string, Builtin] => [name, { signature, value: new Prim(name, arity, fn) }];
const eff = (name: string, arity: number, signature: string, make: (args: readonly Value[]) => Eff): [string, Builtin] =>
  prim(name, arity, signature, (args, m, span) => {
    m.allocate(3);
    const e = make(args);
    return span ? new Eff(e.node, span) : e;
  });

export const BUILTINS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  eff('return', 1, 'a -> Effect a', ([x]) => new Eff({ k: 'pure', value: x! })),
  eff('emit', 1, 'a -> Effect ()', ([x]) => new Eff({ k: 'emit', value: x! })),
  eff('fail', 1, 'Text -> Effect a', ([msg]) => new Eff({ k: 'fail', message: msg as string })),
  ['now', { signature: 'Effect Time', value: new Eff({ k: 'now' }) }],
  eff('after', 2, 'Time -> Effect a -> Effect a', ([d, body]) => new Eff({ k: 'after', delay: d as number, body: body as Eff })),
  eff('at', 2, 'Time -> Effect a -> Effect a', ([t, body]) => new Eff({ k: 'at', time: t as number, body: body as Eff })),
  eff('within', 2, 'Time -> Effect a -> Effect a', ([d, body]) => new Eff({ k: 'within', limit: d as number, body: body as Eff })),
  eff('timeout', 2, 'Time -> Effect a -> Effect a', ([d, body]) => new Eff({ k: 'within', limit: d as number, body: body as Eff })),
  eff('race', 2, 'Effect a -> Effect a -> Effect a', ([a, b]) => new Eff({ k: 'race', left: a as Eff, right: b as Eff })),
  prim('mod', 2, 'Int -> Int -> Int', ([a, b], _m, span) => intMod(a as number, b as number, span)),
  prim('hashOf', 1, 'a -> Hash', ([x]) => hashOfValue(x!)),
  prim('toDouble', 1, 'Int -> Double', ([x]) => new Dbl(x as number)),
  prim('truncate', 1, 'Double -> Int', ([x]) => doubleToInt((x as Dbl).v)),
  prim('primShow', 1, 'a -> Text', ([x], m) => {
    // the text may not outgrow what the memory budget has left (8 characters a cell)
    const left = Math.max(0, m.budget.memory - m.heap) * 8;
    let s: string;
    try {
      s = showValueWithin(x!, left);
    } catch (e) {
      if (e instanceof ShowTooLong) throw budgetError('memory', m.budget.memory);
      throw e;
    }
    m.allocate(s.length >> 3);
    return s;
  }),
  prim('primNegate', 1, 'Num a => a -> a', ([x]) => (typeof x === 'number' ? intNeg(x) : new Dbl(-(x as Dbl).v))),
  prim('primAbs', 1, 'Num a => a -> a', ([x]) => (typeof x === 'number' ? (x < 0 ? intNeg(x) : x) : new Dbl(Math.abs((x as Dbl).v)))),
  prim('primTextLength', 1, 'Text -> Int', ([t]) => Buffer.byteLength(t as string, 'utf8')),
  prim('primEmpty', 1, 'Text -> a', (_what, _m, span) => {
    throw new CaxError('E_EMPTY', PURE_ERROR_MESSAGES.E_EMPTY, { span });
  }),
]);
