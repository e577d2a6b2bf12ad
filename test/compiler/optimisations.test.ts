// Code generation optimisations (CodegenOptions), each against the
// interpreter with the option on and off, on the ISS:
// - objects built from their items (CodegenOptions.directObjects), matched
//   cons cells reused (reuseCons) and cons patterns matched in place
//   (matchInPlace): items of every kind (literals, variables in slots,
//   registers and closures, quiet Int arithmetic, calls that allocate or fail
//   between the items), nested and wildcard patterns, shadowed variables;
// - functions specialised on lambdas without captures (specialize):
//   map/filter/foldl with such lambdas (inlined and not), a lambda passed on
//   through functions and where-bound helpers, kept in a list or returned, a
//   recursive function passing another lambda each round, an error inside an
//   inlined lambda;
// - list patterns without the constructor test where earlier clauses tell
//   it (knownConstructors): `[]` before and after cons patterns, guards,
//   other refutable patterns beside them, `[x]` after `[]`, case
//   alternatives, the merge's three clauses;
// - a tail call's literal and variable arguments moved straight into the
//   parameters (directArguments): rotations and swaps of parameters (in
//   registers and slots), the head and tail of a matched parameter, calls of
//   other functions and of where-bound mutual recursion reusing the frame;
//   matched cells passed on in their own parameter or swapped, a loop's
//   argument evaluated straight into its register pair, and not where a later
//   argument reads that pair.
// - top-level constants defined as literals read as the literal
//   (constantFolding): `otherwise` in guards, a program redefining it,
//   Int, Bool and unit constants in arithmetic and conditions; an inlined
//   lambda's variable arguments used where they are (directArguments);
//   inlined calls (small definitions, lambdas) as conditions.
// - Int parameters shown by a function's own equations (typedInts): counters,
//   Int literal patterns, a name rebound by an inner lambda or case alternative.
// Each costs fewer cycles on a program it is for, and `cax compile --no-…`
// turns it off.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openCoprocessor, runImage, type Coprocessor } from '../../host/coprocessor/backend.js';
import { DEFAULT_OPTIONS, type CodegenOptions } from '../../host/compiler/codegen.js';
import { compileSource } from '../../host/compiler/compile.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseProgram } from '../../host/tel/parser.js';
import { compiledSizes } from '../helpers/compiled-sizes.js';
import { SOURCE } from '../../bench/tel.bench.js';

let cop: Coprocessor;
beforeAll(async () => {
  cop = await openCoprocessor('iss');
});
afterAll(async () => {
  await cop.close();
});

/** The interpreter bench's merge sort (its merge rebuilds the cells it matched), merging two lists. */
const MERGE = `${SOURCE}
main = merge (range 1 300) (map (\\x -> x * 2) (range 1 200))
`;

const PIPELINE = 'pipeline :: Int -> Int\npipeline n = foldl (\\a x -> a + x) 0 (map (\\x -> x * 3) (filter (\\x -> x `mod` 2 == 0) (range 1 n)))\nmain = pipeline 2000\n';

const LOOPS = `rot :: Int -> Int -> Int -> Int -> [Int]
rot a b c n = if n == 0 then [a, b, c] else rot b c a (n - 1)
swap :: [Int] -> [Int] -> Int -> ([Int], [Int])
swap xs ys n = if n == 0 then (xs, ys) else swap ys xs (n - 1)
walk :: Int -> [Int] -> Int
walk acc [] = acc
walk acc (y:ys) = walk (acc + y) ys
skip :: [Int] -> [Int] -> [Int]
skip acc (y:ys) = skip (y : acc) ys
skip acc [] = acc
hop :: Int -> [Int] -> Int
hop k xs = walk k xs
parity :: Int -> Bool
parity n = ev n 0
  where
    ev k z = if k == 0 then True else od (k - 1) z
    od k z = if k == 0 then False else ev (k - 1) z
cross :: [Int] -> [Int] -> Int -> ([Int], [Int])
cross (a:as) (b:bs) n = if n == 0 then (a : as, b : bs) else cross (b : bs) (a : as) (n - 1)
cross xs ys _ = (xs, ys)
keep :: [Int] -> [Int] -> Int -> [Int]
keep (a:as) (b:bs) n = if n == 0 then a : b : as else keep (a : as) (b : bs) (n - 1)
keep xs _ _ = xs
trail :: [Int] -> [Int] -> Int -> ([Int], [Int])
trail acc prev n = if n == 0 then (acc, prev) else trail (n : acc) acc (n - 1)
grow :: Int -> Int -> Int
grow k n = if n == 0 then k else grow (k + length [k, n]) (n + k - k - 1)
main = (rot 1 2 3 7, swap [1] [2, 3] 5, walk 0 (range 1 100), skip [] [1, 2, 3], hop 5 [1, 2], parity 301, cross [1, 2] [3] 5, keep [4, 5] [6] 3, trail [] [] 4, grow 1 5)
`;

const OBJECT_PROGRAMS: Readonly<Record<string, string>> = {
  'a merge rebuilding the cells it matched': MERGE,
  'list literals of every kind of item': 'f :: Int -> [Int]\nf n = [n, n * 2 + 1, length [n], 7, -3]\nmain = (f 4, ["a", "b"], [1.5, 2.5], [True, False], [(), ()], [[1], [], [2, 3]])\n',
  'tuples of variables, captures, quiet Ints and calls':
    'g :: Int -> Int -> (Int, Text, [Int], Int, Bool)\ng a b = (a + b * 3, "t", [a, b], let k = a in (\\u -> u + k) b, a < b)\nmain = (g 2 5, map (\\x -> (x, x * x)) [1, 2, 3])\n',
  'a cons whose head fails after its tail was computed': 'main :: [Int]\nmain = (1 / 0) : map (\\x -> x + 1) [1, 2, 3]\n',
  'a tuple whose items fail left to right': 'main :: (Int, Int)\nmain = (head [], 1 / 0)\n',
  'a rebuilt cell under a shadowing binding':
    'f :: [Int] -> [Int]\nf (x:xs) = let x = 9 in x : xs\nf [] = []\nh :: [Int] -> ([Int], [Int])\nh (y:ys) = (y : ys, case ys of { (z:zs) -> z : zs; [] -> [y] })\nh [] = ([], [])\nmain = (f [1, 2], h [3, 4, 5], h [6])\n',
  'nested and wildcard cons patterns, a function in a cell, a case on a tail':
    'pairs :: [Int] -> [(Int, Int)]\npairs (a:b:rest) = (a, b) : pairs rest\npairs (_:_) = []\npairs [] = []\nlast2 :: [Int] -> Int\nlast2 (x:xs) = case xs of { [] -> x; (_:ys) -> last2 xs }\napplyAll :: [Int -> Int] -> Int -> Int\napplyAll (f:fs) n = applyAll fs (f n)\napplyAll [] n = n\nmain = (pairs (range 1 9), last2 (range 1 50), applyAll [\\x -> x + 1, \\x -> x * 2] 5)\n',
  'a loop consing its register parameter': 'build :: Int -> [Int] -> [Int]\nbuild n acc = if n == 0 then acc else build (n - 1) (n * n : acc)\nmain = sum (build 400 [])\n',
};

const LAMBDA_PROGRAMS: Readonly<Record<string, string>> = {
  'a map/filter/foldl pipeline': PIPELINE,
  'lambdas with patterns, guards and where-bound helpers':
    'main :: ([Int], Int, [(Int, Int)])\nmain = (map (\\(a, b) -> a * b) (zip [1, 2, 3] [4, 5, 6]), foldl (\\acc (x:_) -> acc + x) 0 [[1], [2, 3]], map (\\x -> (x, length (filter (\\y -> y < x) [1, 5, 9]))) [0, 6, 10])\n',
  'a lambda passed on through functions, kept in a list and returned':
    'twice :: (Int -> Int) -> Int -> Int\ntwice f x = f (f x)\nviaTwice :: (Int -> Int) -> [Int] -> [Int]\nviaTwice g xs = map (twice g) xs\nfs :: [Int -> Int]\nfs = [\\x -> x + 1, \\x -> x * 10]\nmain = (viaTwice (\\x -> x + 3) [1, 2], map (\\f -> f 7) fs, twice (\\x -> x - 1) 0, (\\x -> x) 4)\n',
  'a recursive function passing another lambda each round':
    'f :: (Int -> Int) -> Int -> Int\nf g n = if n == 0 then g 1 else g (f (\\x -> x * 2) (n - 1))\nh :: (Int -> Int) -> Int -> Int\nh g n = if n == 0 then g 0 else h g (n - 1) + g n\nmain = (f (\\x -> x + 5) 4, h (\\x -> x * x) 30)\n',
  'an error inside an inlined lambda': 'main :: [Int]\nmain = map (\\x -> 100 / x) [5, 2, 0, 1]\n',
  'lambdas returning lambdas that capture': 'main :: Int\nmain = foldl (\\a f -> f a) 1 (map (\\k -> \\x -> x * k) [2, 3, 4])\n',
};

const CLAUSES = `count :: Int -> [Int] -> Int
count n [] = n
count n (_:ys) = count (n + 1) ys
lastOf :: [Int] -> Int
lastOf (x:[]) = x
lastOf (_:xs) = lastOf xs
lastOf [] = 0
pick :: Int -> [Int] -> Int
pick 0 (x:_) = x
pick k [] = k
pick k (_:xs) = pick (k - 1) xs
guarded :: [Int] -> Int
guarded xs | length xs > 2 = 1
guarded [] = 2
guarded [x] = x
guarded (_:_) = 3
rev :: [Int] -> [Int] -> [Int]
rev (y:ys) acc = rev ys (y : acc)
rev [] acc = acc
kind :: [[Int]] -> Int
kind ys = case ys of { [] -> 0; ([]:_) -> 1; ((z:_):_) -> z }
main = (count 0 (range 1 50), lastOf [4, 5, 6], lastOf [], pick 2 [7, 8, 9], pick 5 [1], guarded [1, 2, 3], guarded [], guarded [9], guarded [1, 2], rev [1, 2, 3] [], kind [], kind [[], [1]], kind [[6]])
`;

async function onCore(source: string, off: Partial<CodegenOptions>): Promise<{ value: string | null; error: string | null; message: string | null; cycles: number }> {
  const image = compileSource(source, 't.tel', 'main', { ...DEFAULT_OPTIONS, ...off }).image;
  const r = await runImage(cop, image, [], { budget: 1_000_000_000 });
  return { value: r.shown, error: r.error?.code ?? null, message: r.error?.message ?? null, cycles: r.cycles };
}

/** Each program gives the interpreter's value or error with each of `offs` (and with everything on). */
function agreeing(programs: Readonly<Record<string, string>>, offs: readonly Partial<CodegenOptions>[]): void {
  for (const [name, source] of Object.entries(programs)) {
    it(`${name}: interp and each option on and off agree`, async () => {
      const reference = runMain(loadProgram(parseProgram(source, 't.tel')), 'main', []);
      const expected = { value: reference.shown, error: reference.error?.code ?? null, message: reference.error?.message ?? null };
      for (const off of [{}, ...offs]) expect(await onCore(source, off)).toMatchObject(expected);
    });
  }
}

/** `cax compile` with `flags` makes other code than without (both with the flags `base`). */
async function switchedOff(source: string, flags: readonly string[], base: readonly string[] = []): Promise<void> {
  const sizes = await compiledSizes(source, [base, [...base, ...flags]]);
  expect(sizes[0]).not.toBe(sizes[1]);
}

describe('objects built from their items, matched cells reused and matched in place', () => {
  agreeing(OBJECT_PROGRAMS, [{ directObjects: false }, { reuseCons: false }, { matchInPlace: false }, { directObjects: false, reuseCons: false, matchInPlace: false }]);
  it('each option costs fewer cycles on the merge', async () => {
    const on = await onCore(MERGE, {});
    for (const off of [{ directObjects: false }, { reuseCons: false }, { matchInPlace: false }]) expect(on.cycles).toBeLessThan((await onCore(MERGE, off)).cycles);
  });
  it('cax compile --no-direct-objects --no-reuse-cons --no-match-in-place turns them off', async () => {
    await switchedOff(MERGE, ['--no-direct-objects', '--no-reuse-cons', '--no-match-in-place']);
  });
});

describe('functions specialised on lambdas without captures', () => {
  agreeing(LAMBDA_PROGRAMS, [{ specialize: false }, { inlining: false }, { fuse: false }, { fuse: false, specialize: false }]);
  it('the pipeline (not fused) costs fewer cycles with it', async () => {
    expect((await onCore(PIPELINE, { fuse: false })).cycles).toBeLessThan((await onCore(PIPELINE, { fuse: false, specialize: false })).cycles);
  });
  it('cax compile --no-specialize turns it off', async () => {
    await switchedOff(PIPELINE, ['--no-specialize'], ['--no-fuse']);
  });
});

describe('list patterns without the constructor test where earlier clauses tell it', () => {
  agreeing({ 'clauses of every order, with guards and other patterns': CLAUSES, 'the merge': MERGE }, [{ knownConstructors: false }, { knownConstructors: false, matchInPlace: false }]);
  it('it costs fewer cycles on the clauses and the merge', async () => {
    for (const source of [CLAUSES, MERGE]) expect((await onCore(source, {})).cycles).toBeLessThan((await onCore(source, { knownConstructors: false })).cycles);
  });
  it('cax compile --no-known-constructors turns it off', async () => {
    await switchedOff(CLAUSES, ['--no-known-constructors']);
  });
});

describe("a tail call's literals and variables straight into the parameters", () => {
  agreeing({ 'rotations, swaps, matched parameters, other functions and where-bound mutual recursion': LOOPS }, [{ directArguments: false }, { registers: false }, { reuseCons: false }]);
  it('it costs fewer cycles on the loops and the merge', async () => {
    for (const source of [LOOPS, MERGE]) expect((await onCore(source, {})).cycles).toBeLessThan((await onCore(source, { directArguments: false })).cycles);
  });
  it('cax compile --no-direct-arguments turns it off', async () => {
    await switchedOff(LOOPS, ['--no-direct-arguments']);
  });
});

const CONSTANTS = `limit :: Int
limit = 7
flag :: Bool
flag = False
nothing :: ()
nothing = ()
classify :: Int -> Int
classify n
  | n < 3 = 0
  | flag = 1
  | n < limit = 2
  | otherwise = 3
main = (map classify [1, 5, 9], filter (\\x -> x \`mod\` limit == 0) (range 1 30), if flag then 1 else limit * 2, nothing)
`;

const REDEFINED = `otherwise :: Bool
otherwise = False
pick :: Int -> Int
pick n
  | n > 5 = 1
  | otherwise = 2
main = (pick 9, pick 1)
`;

const CONDITIONS = `isEven :: Int -> Bool
isEven n = n \`mod\` 2 == 0
big :: Int -> Bool
big n = 100 / n > 7
main = (filter (\\x -> isEven x) (range 1 9), filter (\\x -> big x) [20, 5, 3], if isEven 4 then 1 else 0, map (\\k -> if big k then k else 0) [1, 50], filter (\\x -> x > 2 && isEven x) [1, 2, 3, 4])
`;

const FAILING_CONDITION = 'main :: [Int]\nmain = filter (\\x -> 10 / x > 1) [5, 2, 0, 1]\n';

describe('constants defined as literals, the variables an inlined lambda is called with, inlined conditions', () => {
  agreeing(
    {
      'guards and arithmetic on literal constants': CONSTANTS,
      'a program redefining otherwise (E_MATCH)': REDEFINED,
      'the pipeline': PIPELINE,
      'inlined calls as conditions': CONDITIONS,
      'an inlined condition failing (E_DIV_ZERO)': FAILING_CONDITION,
    },
    [{ constantFolding: false }, { directArguments: false }, { inlining: false }],
  );
  it('they cost fewer cycles on the pipeline (not fused)', async () => {
    const on = (await onCore(PIPELINE, { fuse: false })).cycles;
    for (const off of [{ constantFolding: false }, { directArguments: false }]) expect(on).toBeLessThan((await onCore(PIPELINE, { fuse: false, ...off })).cycles);
  });
});

// Int parameters shown by a function's own equations (host/compiler/int-params.ts, under typedInts): an Int literal
// pattern, or the parameter beside an Int literal in arithmetic or a comparison — not where an inner binder
// (a lambda's parameter, a case alternative's pattern) rebinds the name: there the parameter may be a Text whose
// comparison must stay structural.
const SHOWN_INTS = `count n [] = n
count n (_:ys) = count (n + 1) ys
down k acc | k <= 0 = acc
down k acc = down (k - 1) (k : acc)
zero 0 x = x
zero k x = zero (k - 1) (x * 2)
same s t = if s == t then (\\s -> s + 1) 2 else 0
pick s t = case 3 of { s -> if s > 1 then (if t == "x" then 1 else 2) else 0 }
main = (count 0 [1, 2, 3], down 4 [], zero 5 1, same "ab" ("a" ++ "b"), same "a" "b", pick "q" "x", length (range 1 40), take 3 (range 1 9))
`;

describe('Int parameters shown by the equations', () => {
  agreeing({ 'counters, literal patterns and names rebound inside': SHOWN_INTS }, [{ typedInts: false }, { registers: false }]);
  it("length's and take's loops cost fewer cycles with the types", async () => {
    const source = 'main = (length (range 1 2000), take 1000 (range 1 2000))\n';
    expect((await onCore(source, {})).cycles).toBeLessThan((await onCore(source, { typedInts: false })).cycles);
  });
});
