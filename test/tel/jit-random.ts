// Random well-typed TEL programs for the JIT property tests: an Int function
// `f x y` built from arithmetic (with division and mod, so E_DIV_ZERO with its
// span happens), a value definition, comparisons, if, let, case over lists and tuples with
// guards, lambdas and prelude calls, small definitions the JIT inlines (one calling another), a
// local recursive function, partial application, closures over locals, Bool
// operators and tuple cases, driven by a loop so it gets hot, with a function
// called with one constant (specialized) and then another, one called with
// cons lists (specialized on the shape) and then maybe the empty list; and an effectful
// variant that emits along the way and waits (logical time).
import fc from 'fast-check';

const INT_LITERALS = ['0', '1', '2', '(-1)', '7', '2147483647', '(-2147483648)', '65536', '3'];

/** An Int expression over `x`, `y` and the names in scope, at most `depth` deep. */
function intExpr(depth: number, names: readonly string[], callsG = true): fc.Arbitrary<string> {
  const leaf = fc.oneof(fc.constantFrom(...INT_LITERALS), fc.constantFrom(...names));
  if (depth <= 0) return leaf;
  const sub = intExpr(depth - 1, names, callsG);
  const cond = fc.tuple(sub, fc.constantFrom('<', '>', '==', '/=', '<=', '>='), sub).map(([a, op, b]) => `${a} ${op} ${b}`);
  return fc.oneof(
    { weight: 2, arbitrary: leaf },
    { weight: 3, arbitrary: fc.tuple(sub, fc.constantFrom('+', '-', '*', '/', '`mod`'), sub).map(([a, op, b]) => `(${a} ${op} ${b})`) },
    { weight: 1, arbitrary: fc.tuple(cond, sub, sub).map(([c, a, b]) => `(if ${c} then ${a} else ${b})`) },
    { weight: 1, arbitrary: fc.tuple(sub, intExpr(depth - 1, [...names, 'v'], callsG)).map(([a, b]) => `(let v = ${a} in ${b})`) },
    {
      weight: 1,
      arbitrary: fc.tuple(sub, sub, intExpr(depth - 1, [...names, 'h'], callsG), sub).map(([a, b, c, d]) => `(case [${a}, ${b}] of { (h : t) | h > 3 -> ${c}; [p, q] -> p - q; _ -> ${d} })`),
    },
    { weight: 1, arbitrary: fc.tuple(sub, sub, intExpr(depth - 1, [...names, 'p', 'q'], callsG)).map(([a, b, c]) => `(case (${a}, ${b}) of { (p, q) -> ${c} })`) },
    { weight: 1, arbitrary: fc.tuple(sub, intExpr(depth - 1, [...names, 'z'], callsG)).map(([a, b]) => `((\\z -> ${b}) ${a})`) },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => `(sum (map (\\w -> w * ${a}) (range 1 (${b} \`mod\` 5))))`) },
    ...(callsG ? [{ weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => `(g ${a} ${b})`) }] : []),
    // small definitions (inlined), a local recursive function (a captured frame), partial application
    { weight: 1, arbitrary: sub.map((a) => `(small ${a})`) },
    { weight: 1, arbitrary: sub.map((a) => `(twice ${a})`) },
    { weight: 1, arbitrary: sub.map((a) => `(sumTo (${a} \`mod\` 12))`) },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => `(let add = plus ${a} in add ${b})`) },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => `(foldl (+) ${a} [${b}, 1])`) },
    // closures capturing locals, Bool operators, a one-item list pattern, a tuple case with a literal and a wildcard
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => `(let k = \\w -> w + ${a} in k ${b})`) },
    { weight: 1, arbitrary: fc.tuple(cond, cond, sub, sub).map(([c1, c2, a, b]) => `(if ${c1} && ${c2} || not (${c1}) then ${a} else ${b})`) },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => `(case [${a}] of { [p] | p > 0 -> p + 1; _ -> ${b} })`) },
    { weight: 1, arbitrary: fc.tuple(sub, sub, sub).map(([a, b, c]) => `(case (${a}, ${b}) of { (0, q) -> q; (p, 1) -> p; _ -> ${c} })`) },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => `(fst (${a}, ${b}) + snd (${b}, ${a}))`) },
  );
}

export interface RandomProgram {
  readonly source: string;
  readonly main: string;
  readonly args: readonly string[];
}

/** Definitions both kinds of program call: a small one (inlined), one that calls it (inlined two levels deep), one of two parameters (partially applied), one with a local recursive function. */
const HELPERS: readonly string[] = [
  'small :: Int -> Int',
  'small v = if v > 100 then v - 100 else v * 2',
  'twice :: Int -> Int',
  'twice v = small (small v) - 1',
  'plus :: Int -> Int -> Int',
  'plus a b = a + b',
  'sumTo :: Int -> Int',
  'sumTo k = go k 0',
  '  where',
  '    go i acc = if i <= 0 then acc else go (i - 1) (acc + i)',
];

/** A pure program: `main n` folds `f` over n iterations. */
export const pureProgram: fc.Arbitrary<RandomProgram> = fc.tuple(intExpr(3, ['x', 'y', 'base']), intExpr(2, ['a', 'b'], false), fc.integer({ min: 0, max: 150 })).map(([body, helper, n]) => ({
  source: [
    'f :: Int -> Int -> Int',
    `f x y = ${body}`,
    'g :: Int -> Int -> Int',
    `g a b = ${helper}`,
    ...HELPERS,
    'scale :: Int -> Int -> Int',
    'scale k x = if k == 3 then x + f k x else k * x',
    'countUp :: Int -> Int -> Int',
    'countUp i acc = if i >= 200 then acc else countUp (i + 1) (acc + scale 3 i)',
    'firstOr :: [Int] -> Int -> Int',
    'firstOr xs z = case xs of { [h] -> f h z; (h : _) -> h + z; [] -> z }',
    'shapes :: Int -> Int -> Int',
    'shapes i acc = if i >= 200 then acc else shapes (i + 1) (acc + firstOr [i, acc] i)',
    'base :: Int',
    'base = g 3 (sum (range 1 4))',
    'go :: Int -> Int -> Int',
    'go n acc = if n == 0 then acc else go (n - 1) (f n acc)',
    'main :: Int -> (Int, [Int])',
    'main n = (go n 7 + countUp 0 0 + scale (n `mod` 5) n + shapes 0 0 + firstOr (range 1 (n `mod` 3)) n, map (\\i -> f i (i * 3)) (range 1 (n `mod` 20)))',
  ].join('\n'),
  main: 'main',
  args: [String(n)],
}));

/** An effectful program: a loop that emits `f`'s values and waits between them. */
export const effectfulProgram: fc.Arbitrary<RandomProgram> = fc.tuple(intExpr(3, ['x', 'y']), fc.integer({ min: 0, max: 80 })).map(([body, n]) => ({
  source: [
    'f :: Int -> Int -> Int',
    `f x y = ${body}`,
    'g :: Int -> Int -> Int',
    'g a b = a - b',
    ...HELPERS,
    'loop :: Int -> Int -> Effect Int',
    'loop n acc = if n == 0 then return acc else do',
    '  emit (f n acc)',
    '  t <- now',
    '  after 1 milliseconds (loop (n - 1) (f acc t))',
    'main :: Int -> Effect Int',
    'main n = loop n 1 <| return (-1)',
  ].join('\n'),
  main: 'main',
  args: [String(n)],
}));
