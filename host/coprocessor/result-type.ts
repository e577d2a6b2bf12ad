// A value read back from a co-processor is checked against the type the
// type checker gave the run's result before anyone sees it: a device cannot
// answer a list where the program says Int. The walk is iterative (values of
// any depth) and each (value, type) pair is checked once per occurrence.
import { CaxError } from '../errors.js';
import { prune, typeToString, type Type } from '../tel/types.js';
import { Cons, Dbl, HashV, Nil, Tuple, UnitV, type Value } from '../tel/values.js';
import { CoprocessorOpaque } from './heap.js';

/** What a value is, for the message. */
function kindOf(v: Value): string {
  if (typeof v === 'number') return 'an Int';
  if (typeof v === 'boolean') return 'a Bool';
  if (typeof v === 'string') return 'a Text';
  if (v instanceof Dbl) return 'a Double';
  if (v instanceof HashV) return 'a Hash';
  if (v instanceof UnitV) return '()';
  if (v instanceof Nil || v instanceof Cons) return 'a list';
  if (v instanceof Tuple) return `a ${v.items.length}-tuple`;
  if (v instanceof CoprocessorOpaque) return v.opaque === 'function' ? 'a function' : 'an effect';
  return 'a value';
}

/** Whether `v`'s outermost shape is the type constructor `name` with `arity` arguments. */
function shapeFits(v: Value, name: string, arity: number): boolean {
  switch (name) {
    case 'Int':
      return typeof v === 'number';
    case 'Bool':
      return typeof v === 'boolean';
    case 'Text':
      return typeof v === 'string';
    case 'Double':
      return v instanceof Dbl;
    case 'Hash':
      return v instanceof HashV;
    case '()':
      return v instanceof UnitV;
    case 'List':
      return v instanceof Nil || v instanceof Cons;
    case 'Tuple':
      return v instanceof Tuple && v.items.length === arity;
    case '->':
      return v instanceof CoprocessorOpaque && v.opaque === 'function';
    case 'Effect':
      return v instanceof CoprocessorOpaque && v.opaque === 'effect';
    default:
      return false;
  }
}

/** Throws E_PROTOCOL unless `value` is a value of `type` (a type variable or a signature's rigid variable admits anything). */
export function checkResultType(value: Value, type: Type): void {
  const work: [Value, Type][] = [[value, type]];
  while (work.length > 0) {
    const [v, t0] = work.pop()!;
    const t = prune(t0);
    if (t.tag === 'var' || t.rigid) continue;
    if (!shapeFits(v, t.name, t.args.length)) {
      throw new CaxError('E_PROTOCOL', `the co-processor returned ${kindOf(v)} where the result's type says ${typeToString(type)} (${typeToString(t)})`, { details: { expected: typeToString(t) } });
    }
    if (t.name === 'List') {
      for (let c: Value = v; c instanceof Cons; c = c.tail) work.push([c.head, t.args[0]!]);
    } else if (t.name === 'Tuple' && v instanceof Tuple) {
      v.items.forEach((item, i) => work.push([item, t.args[i]!]));
    }
  }
}
