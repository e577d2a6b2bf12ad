// Random well-typed TEL programs as fast-check arbitraries: pure programs
// (Int arithmetic, lists, let, lambdas, case, show, where-bound mutual tail
// calls, non-tail recursion thousands deep) and effect programs with a
// random world (binds, choice with rollback, parallel, race, deadlines, ledger
// effects, invoke). Used by the interp/iss/sim agreement test and by the
// `generate` entries of `cax regress` suites (sampled from a seed).
import fc from 'fast-check';

/** Int expressions over the variables in scope (all Ints). */
function intExpr(vars: readonly string[], depth: number): fc.Arbitrary<string> {
  const leaf = fc.oneof(
    fc.integer({ min: -2147483648, max: 2147483647 }).map((n) => (n < 0 ? `(${n})` : `${n}`)),
    fc.integer({ min: -3, max: 3 }).map((n) => (n < 0 ? `(${n})` : `${n}`)),
    ...(vars.length > 0 ? [fc.constantFrom(...vars)] : []),
  );
  if (depth <= 0) return leaf;
  const sub = intExpr(vars, depth - 1);
  const v = `v${depth}`;
  return fc.oneof(
    { weight: 2, arbitrary: leaf },
    { weight: 3, arbitrary: fc.tuple(sub, fc.constantFrom('+', '-', '*', '/', '`mod`'), sub).map(([a, op, b]) => `(${a} ${op} ${b})`) },
    { weight: 1, arbitrary: fc.tuple(sub, fc.constantFrom('==', '/=', '<', '>', '<=', '>='), sub, sub, sub).map(([a, op, b, t, e]) => `(if ${a} ${op} ${b} then ${t} else ${e})`) },
    { weight: 1, arbitrary: fc.tuple(sub, intExpr([...vars, v], depth - 1)).map(([x, body]) => `(let ${v} = ${x} in ${body})`) },
    { weight: 1, arbitrary: fc.tuple(intExpr([...vars, v], depth - 1), sub).map(([body, x]) => `((\\${v} -> ${body}) ${x})`) },
    { weight: 1, arbitrary: listExpr(vars, depth - 1).map((l) => `(sum ${l})`) },
    { weight: 1, arbitrary: listExpr(vars, depth - 1).map((l) => `(length ${l})`) },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => `(fst (${a}, ${b}))`) },
    { weight: 1, arbitrary: listExpr(vars, depth - 1).map((l) => `(case ${l} of { [] -> 0; (x:_) | x > 0 -> x; _ -> 1 })`) },
  );
}

function listExpr(vars: readonly string[], depth: number): fc.Arbitrary<string> {
  const item = intExpr(vars, Math.max(0, depth - 1));
  return fc.oneof(
    fc.array(item, { maxLength: 4 }).map((xs) => `[${xs.join(', ')}]`),
    fc.tuple(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3, max: 6 })).map(([a, b]) => `(range (${a}) (${b}))`),
    fc.tuple(fc.array(item, { maxLength: 3 }), item).map(([xs, k]) => `(map (\\y -> y * ${k}) [${xs.join(', ')}])`),
    fc.array(item, { maxLength: 4 }).map((xs) => `(filter (\\y -> y > 0) [${xs.join(', ')}])`),
    fc.tuple(fc.array(item, { maxLength: 3 }), fc.array(item, { maxLength: 3 })).map(([xs, ys]) => `(reverse ([${xs.join(', ')}] ++ [${ys.join(', ')}]))`),
  );
}

/** A count that is mostly small and sometimes in the thousands (deep recursion, long mutual tail calls). */
const count = (large: number): fc.Arbitrary<number> => fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: large / 4, max: large }));

export const pureProgram = fc
  .tuple(intExpr(['n'], 3), listExpr(['n'], 2), fc.integer({ min: -5, max: 30 }), fc.integer({ min: -9, max: 9 }), count(5000), count(3000))
  .map(([body, list, n, c, m, d]) =>
    [
      'step :: Int -> Int -> Int',
      `step n acc = if n <= 0 then acc else step (n - 1) (acc + ${body})`,
      '-- mutual tail calls between where-bound functions that capture an argument',
      'parity :: Int -> Int -> Int',
      'parity c m = ev m',
      '  where',
      '    ev 0 = c',
      '    ev k = od (k - 1)',
      '    od 0 = c + 1',
      '    od k = ev (k - 1)',
      '-- non-tail recursion, on the stack and into a list',
      'deep :: Int -> Int',
      'deep k = if k <= 0 then 0 else (k * 3 - 1) + deep (k - 1)',
      'build :: Int -> [Int]',
      'build k = if k <= 0 then [] else k : build (k - 1)',
      'main :: (Int, [Int], Text, Int, Int)',
      `main = (step (${n}) 0, ${list.replace(/\bn\b/g, '1')}, show (${n}, [True], "q\\n"), parity (${c}) ${m}, deep ${d} - sum (build ${d}))`,
    ].join('\n'),
  );

/**
 * Effect Int expressions: sequencing, binds, choice with rollback (which may fail with E_ROLLBACK when a concurrent
 * branch moved the funds on), parallel, race, deadlines (often at the same instant), ledger effects, concurrent invokes.
 */
function effExpr(depth: number, id = { n: 0 }): fc.Arbitrary<string> {
  const small = fc.integer({ min: -5, max: 50 });
  const leaf = fc.oneof(
    small.map((n) => `(return (${n}))`),
    small.map((n) => `(invoke charge (${n}))`),
    fc.constant('now'),
    small.map((n) => `(emit (${n}) >> return ${Math.abs(n)})`),
    fc.tuple(fc.integer({ min: 1, max: 30 }), fc.constantFrom('deposit', 'withdraw')).map(([n, k]) => `(${k} ${n} ${k === 'deposit' ? 'to' : 'from'} "acc" on "tl" >> return ${n})`),
    fc.tuple(fc.integer({ min: 1, max: 30 }), fc.boolean()).map(([n, out]) => `(transfer ${n} from "${out ? 'acc' : 'acc2'}" to "${out ? 'acc2' : 'acc'}" on "tl" >> return ${n})`),
    fc.constant('(observe "k" on "tl")'),
  );
  if (depth <= 0) return leaf;
  const sub = effExpr(depth - 1, id);
  // round durations often make effects end and deadlines fire at the same instant
  const ms = fc.oneof(fc.integer({ min: 0, max: 2500 }), fc.constantFrom(0, 500, 1000, 1500));
  const v = (): string => `x${id.n++}`;
  return fc.oneof(
    { weight: 2, arbitrary: leaf },
    {
      weight: 2,
      arbitrary: fc.tuple(sub, sub).map(([a, b]) => {
        const x = v();
        const y = v();
        return `(do { ${x} <- ${a}; ${y} <- ${b}; return (${x} * 2 + ${y}) })`;
      }),
    },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => `(${a} <| ${b})`) },
    { weight: 1, arbitrary: sub.map((a) => `(fail "boom" >> ${a})`) },
    {
      weight: 1,
      arbitrary: fc.tuple(sub, sub).map(([a, b]) => {
        const p = v();
        const q = v();
        return `(do { (${p}, ${q}) <- (${a} <|> ${b}); return (${p} - ${q}) })`;
      }),
    },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => `(race ${a} ${b})`) },
    {
      weight: 1,
      arbitrary: fc.tuple(small, small).map(([a, b]) => {
        const p = v();
        const q = v();
        return `(do { (${p}, ${q}) <- (invoke charge (${a}) <|> invoke charge (${b})); return (${p} + ${q}) })`;
      }),
    },
    { weight: 1, arbitrary: fc.tuple(ms, sub).map(([d, a]) => `(after (${d} milliseconds) ${a})`) },
    { weight: 1, arbitrary: fc.tuple(ms, sub).map(([d, a]) => `(within (${d} milliseconds) ${a})`) },
    { weight: 1, arbitrary: fc.tuple(ms, sub).map(([t, a]) => `(at ${t} ${a})`) },
  );
}

export const effectProgram = fc
  .tuple(effExpr(3), fc.integer({ min: 0, max: 100 }), fc.constantFrom(500, 1000, 250), fc.integer({ min: 1, max: 1500 }), fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5000 })))
  .map(([e, balance, latency, other, start]) => ({
    source: `charge :: Int -> Effect Int\ncharge n = emit n >> deposit 1 to "acc" on "tl" >> return (n * 3)\n\nmain :: Effect Int\nmain = ${e}`,
    world: {
      start,
      balances: { tl: { acc: { native: balance } } },
      facts: {
        tl: {
          k: [
            [0, 7],
            [start + 1000, 9],
          ],
        },
      },
      latency: { tl: start % 2 === 0 ? latency : other },
    },
  }));
