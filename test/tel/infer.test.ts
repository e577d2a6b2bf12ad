// Type inference: principal types with let-polymorphism, the overloaded
// operators' classes, checked signatures, binding groups, errors with both
// types and a span.
import { describe, it, expect } from '@jest/globals';
import { CaxError } from '../../host/errors.js';
import { bindingGroups } from '../../host/tel/deps.js';
import { checkProgram } from '../../host/tel/infer.js';
import { parseProgram } from '../../host/tel/parser.js';
import { prelude } from '../../host/tel/prelude.js';

function types(src: string): Record<string, string> {
  const p = parseProgram(src, 't.tel');
  const c = checkProgram(p, { globals: prelude().types });
  return Object.fromEntries(p.decls.map((d) => [d.name, c.signatures.get(d.name)!]));
}

function typeError(src: string): CaxError {
  try {
    types(src);
  } catch (e) {
    return e as CaxError;
  }
  throw new Error('expected a type error');
}

describe('type inference', () => {
  it('infers principal types with classes', () => {
    expect(
      types(
        [
          'compose f g x = f (g x)',
          'twice f = compose f f',
          'add a b = a + b',
          'same a b = a == b',
          'join a b = a ++ b',
          'pairUp x = (x, [x])',
          'go = do\n  x <- observe "k" on "t"\n  return (x, 1.5)',
          'delay d e = after (d seconds) e',
        ].join('\n'),
      ),
    ).toEqual({
      compose: '(a -> b) -> (c -> a) -> c -> b',
      twice: '(a -> a) -> a -> a',
      add: 'Num a => a -> a -> a',
      same: 'Ord a => a -> a -> Bool',
      join: 'Concat a => a -> a -> a',
      pairUp: 'a -> (a, [a])',
      go: 'Effect (Int, Double)',
      delay: 'Int -> Effect a -> Effect a',
    });
  });

  it('generalizes let and where bindings, and mutually recursive groups together', () => {
    expect(types('f = let id x = x in (id 1, id "a")\ng = h 1\n  where h x = [x]')).toEqual({ f: '(Int, Text)', g: '[Int]' });
    const p = parseProgram('a = b\nb = a\nc = 1\nd = c', 't');
    expect(bindingGroups(p.decls).map((g) => g.map((d) => d.name))).toEqual([['a', 'b'], ['c'], ['d']]);
  });

  it('checks signatures: too general or wrong is E_TYPE; constrained signatures are accepted', () => {
    expect(typeError('f :: a -> a\nf x = x + 1').code).toBe('E_TYPE');
    expect(typeError('f :: a -> a -> Bool\nf x y = x < y').message).toMatch(/comparable/);
    expect(types('f :: Ord a => a -> a -> Bool\nf x y = x < y')).toEqual({ f: 'Ord a => a -> a -> Bool' });
    expect(types('f :: Time -> Time\nf t = t + 1 seconds')).toEqual({ f: 'Int -> Int' });
  });

  it('rejects functions and effects where comparison or arithmetic is needed', () => {
    expect(typeError('f = (\\x -> x) == (\\x -> x)').message).toMatch(/not comparable/);
    expect(typeError('f = return 1 == return 1').code).toBe('E_TYPE');
    expect(typeError('f = True + False').message).toMatch(/numeric/);
    expect(typeError('f = 1 + 1.5').details).toEqual({ expected: 'Int', actual: 'Double' });
  });

  it('reports span and both types; unbound names are E_UNBOUND', () => {
    const e = typeError('main = do\n  x <- observe "k" on "t"\n  emit (x ++ "!")');
    expect([e.code, e.span?.line]).toEqual(['E_TYPE', 3]);
    expect(e.message).toMatch(/Int is not concatenable/);
    const u = typeError('main = nothing 1');
    expect([u.code, u.span?.line, u.span?.col]).toEqual(['E_UNBOUND', 1, 8]);
    expect(typeError('f x = x x').message).toMatch(/infinite/);
    expect(typeError('main = deposit "1" to "a" on "t"').details).toEqual({ expected: 'Int', actual: 'Text' });
    expect(typeError('main = do\n  emit 1\n  2').code).toBe('E_TYPE');
  });
});
