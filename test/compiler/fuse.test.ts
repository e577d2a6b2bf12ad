// List pipelines fused into one loop (CodegenOptions.fuse, host/compiler/fuse.ts) and Int division and mod by
// powers of two as shifts (CodegenOptions.typedInts), on the ISS against the interpreter with the options on and
// off: pipelines of every shape over ranges (empty, one element, negative, at the ends of the Int range) and lists,
// stages that are lambdas, sections, named and local functions and capturing lambdas, Int and other accumulators;
// failures in one stage, in two stages (which are not fused, since the order of their calls would change), in the
// start value and the range's bounds; programs redefining map and foldl; random pipelines (fast-check, the law:
// the fused loop computes what the lists do, value or error). The bench pipeline builds no list with it, and costs
// fewer cycles; `cax compile --no-fuse` turns it off.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { openCoprocessor, runImage, type Coprocessor } from '../../host/coprocessor/backend.js';
import { DEFAULT_OPTIONS, type CodegenOptions } from '../../host/compiler/codegen.js';
import { compileSource } from '../../host/compiler/compile.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseProgram } from '../../host/tel/parser.js';
import type { SourceSpan } from '../../host/errors.js';
import { compiledSizes } from '../helpers/compiled-sizes.js';
import { SOURCE } from '../../bench/tel.bench.js';

let cop: Coprocessor;
beforeAll(async () => {
  cop = await openCoprocessor('iss');
});
afterAll(async () => {
  await cop.close();
});

const PIPELINE = 'pipeline :: Int -> Int\npipeline n = foldl (\\a x -> a + x) 0 (map (\\x -> x * 3) (filter (\\x -> x `mod` 2 == 0) (range 1 n)))\nmain = pipeline 3000\n';

type Outcome = { value: string | null; error: string | null; message: string | null; span: SourceSpan | null };

async function onCore(source: string, options: Partial<CodegenOptions>): Promise<Outcome & { cycles: number; heap: number }> {
  const image = compileSource(source, 't.tel', 'main', { ...DEFAULT_OPTIONS, ...options }).image;
  const r = await runImage(cop, image, [], { budget: 1_000_000_000 });
  return { value: r.shown, error: r.error?.code ?? null, message: r.error?.message ?? null, span: r.error?.span ?? null, cycles: r.cycles, heap: r.heapBytes };
}

/** The interpreter's value, or its error's code, message and span (which of two failing calls failed first). */
function interpreted(source: string): Outcome {
  const r = runMain(loadProgram(parseProgram(source, 't.tel')), 'main', []);
  return { value: r.shown, error: r.error?.code ?? null, message: r.error?.message ?? null, span: r.error?.span ?? null };
}

const OFFS: readonly Partial<CodegenOptions>[] = [{}, { fuse: false }, { typedInts: false }, { inlining: false }, { specialize: false }, { registers: false }, { directCalls: false }];

/** The interpreter's value or error (code, message and span) with each of OFFS. */
async function agrees(source: string, offs: readonly Partial<CodegenOptions>[] = OFFS): Promise<void> {
  const expected = interpreted(source);
  for (const off of offs) expect({ off, ...(await onCore(source, off)) }).toMatchObject({ off, ...expected });
}

const SHAPES: Readonly<Record<string, string>> = {
  'ranges: empty, one element, negative, at the ends of the Int range': `main = (foldl (+) 7 (range 5 1), foldl (+) 0 (range 3 3), foldl (\\a x -> a * 2 + x) 0 (range (-5) 5), foldl (\\a _ -> a + 1) 0 (range 2147483640 2147483647), foldl (\\_ x -> x) 0 (range (-2147483648) (-2147483645)), foldl (+) 0 (map (\\x -> x - 1) (range 2147483646 2147483647)))
`,
  'lists, several stages, sections, wildcards, non-Int accumulators': `main = (foldl (\\a x -> a * 2 + x) 1 (map (\\x -> x - 1) [3, 1, 4, 1, 5]), foldl (\\acc x -> x : acc) [] (filter (\\x -> x > 2) [1, 5, 3, 0]), foldl (+) 0 (filter (\\x -> x \`mod\` 3 == 0) (map (\\x -> x * x) (filter (\\x -> x \`mod\` 2 == 1) (range 1 50)))), foldl (+) 0 $ map (\\x -> x) $ range 1 10, foldl (\\a x -> a + toDouble x) 0.5 (range 1 10), foldl (\\a _ -> a + 1) 0 (map (\\_ -> 1) (range 1 9)), foldl (\\(s, c) x -> (s + x, c + 1)) (0, 0) (map (\\x -> x) [4, 5]), foldl (\\a s -> a ++ s) "" (map (\\x -> show x) (range 1 5)), foldl (+) 0 (filter (\\x -> x > 0) []), foldl (&&) True (map (\\x -> x < 5) [1, 2, 7]))
`,
  'named, local and capturing functions as stages': `double :: Int -> Int
double x = x * 2
odd :: Int -> Bool
odd x = x \`mod\` 2 /= 0
scaled :: Int -> Int -> Int
scaled k n = foldl (\\a x -> a + x * k) k (filter odd (map double (map (\\x -> x + k) (range 1 n))))
local :: Int -> Int
local n = foldl add 0 (map sq (range 1 n))
  where
    sq x = x * x
    add a x = a + x
apply :: (Int -> Int) -> [Int] -> Int
apply f xs = foldl (\\a x -> a + f x) 0 (map f xs)
main = (scaled 3 20, local 30, apply (\\x -> x - 1) [5, 6], apply double (range 1 4))
`,
  'pipelines inside the start value, the bounds and the stages of others': `main = (foldl (+) (foldl (+) 0 (range 1 3)) (map (\\x -> x * 2) (range 1 (foldl (+) 0 (filter (\\x -> x > 1) (range 1 4))))), foldl (\\a x -> a + foldl (+) 0 (map (\\y -> y * x) (range 1 x))) 0 (range 1 6), foldl (+) 0 (map (\\x -> foldl (+) x (range 1 x)) (filter (\\x -> x \`mod\` 2 == 1) (range 1 9))))
`,
  'power-of-two divisors in the stages': `main = (foldl (+) 0 (map (\\x -> x / 4) (range (-9) 9)), foldl (\\a x -> a * 3 + x) 0 (map (\\x -> x \`mod\` 8) (range (-20) 20)), foldl (+) 0 (filter (\\x -> x \`mod\` 4 /= 0) (range (-10) 10)))
`,
};

const FAILURES: Readonly<Record<string, string>> = {
  'one stage failing (E_DIV_ZERO at its span)': 'main :: Int\nmain = foldl (+) 0 (map (\\x -> 100 / x) (range (-3) 3))\n',
  'the accumulator failing late': 'main :: Int\nmain = foldl (\\a x -> 1000 / (a - 6)) 1 (filter (\\x -> x > 0) (range (-3) 9))\n',
  'two stages failing: the strict order (filter before fold) decides': 'main :: Int\nmain = foldl (\\a x -> a + 1 / (x - 1)) 0 (filter (\\x -> 10 / (4 - x) >= 0) (range 1 6))\n',
  'a map failing after a filter would (the map runs on every element first)': 'main :: Int\nmain = foldl (+) 0 (filter (\\y -> 10 / (y - 3) > 0) (map (\\x -> 6 / (3 - x)) (range 1 5)))\n',
  'the start value fails before the bounds': 'main :: Int\nmain = foldl (+) (1 / 0) (range (head []) 5)\n',
  'the lower bound fails before the upper one': 'main :: Int\nmain = foldl (+) 0 (range (head []) (1 / 0))\n',
  'a stage that is a failing constant, on an empty list': 'bad :: Int -> Int\nbad = head []\nmain :: Int\nmain = foldl (+) 0 (map bad [])\n',
  'the list failing after the start value': 'main :: Int\nmain = foldl (+) (1 / 0) (map (\\x -> x) (tail []))\n',
};

const REDEFINED: Readonly<Record<string, string>> = {
  'a program with its own map': 'map :: (Int -> Int) -> [Int] -> [Int]\nmap f xs = [f 100]\nmain = (foldl (+) 0 (map (\\x -> x + 1) (range 1 10)), sum (filter (\\x -> x > 3) (range 1 5)))\n',
  'a program with its own foldl and range':
    'foldl :: (Int -> Int -> Int) -> Int -> [Int] -> Int\nfoldl f z xs = z\nrange :: Int -> Int -> [Int]\nrange a b = [a, b]\nmain = (foldl (+) 5 (map (\\x -> x * 2) (range 1 10)), length (range 1 10))\n',
};

describe('pipelines fused into one loop', () => {
  for (const [name, source] of Object.entries({ ...SHAPES, ...FAILURES, ...REDEFINED })) {
    it(`${name}: interp and every option on and off agree`, async () => {
      await agrees(source);
    });
  }

  it('random pipelines compute what the lists do (value or error)', async () => {
    const stage = fc.oneof(
      fc.constantFrom('filter (\\x -> x `mod` 2 == 0)', 'filter (\\x -> x `mod` 3 /= 0)', 'filter (\\x -> 10 / x > 0)', 'map (\\x -> x `mod` 4)', 'map (\\x -> x / 2)'),
      fc.integer({ min: -3, max: 3 }).map((k) => `map (\\x -> x * ${k} + 1)`),
      fc.integer({ min: -3, max: 3 }).map((k) => `map (\\x -> 12 / (x - ${k}))`),
      fc.integer({ min: -5, max: 5 }).map((k) => `filter (\\x -> x > ${k})`),
    );
    const fold = fc.constantFrom('(+)', '(\\a x -> a * 3 + x)', '(\\a x -> a - x)', '(\\_ x -> x)', '(\\a x -> x / (a + 1))', '(\\a _ -> a + 1)');
    const source = fc.oneof(
      fc.tuple(fc.integer({ min: -8, max: 8 }), fc.integer({ min: -8, max: 8 })).map(([a, b]) => `(range (${a}) (${b}))`),
      fc.array(fc.integer({ min: -9, max: 9 }), { maxLength: 8 }).map((xs) => `[${xs.join(', ')}]`),
    );
    await fc.assert(
      fc.asyncProperty(fold, fc.integer({ min: -2, max: 2 }), fc.array(stage, { maxLength: 3 }), source, async (f, z, stages, list) => {
        const pipeline = stages.reduce((xs, s) => `(${s} ${xs})`, list);
        await agrees(`main :: Int\nmain = foldl ${f} (${z}) ${pipeline}\n`, [{}, { fuse: false }]);
      }),
      { numRuns: 30 },
    );
  }, 120_000);

  it('the bench pipeline builds no list and costs fewer cycles', async () => {
    const on = await onCore(PIPELINE, {});
    const off = await onCore(PIPELINE, { fuse: false });
    expect(on.value).toBe(off.value);
    // one closure (the loop) against three lists of 1,500 to 3,000 cells and the reversed copies
    expect(on.heap).toBeLessThan(64);
    expect(off.heap).toBeGreaterThan(16 * 3000);
    expect(on.cycles * 5).toBeLessThan(off.cycles);
  });

  it('cax compile --no-fuse turns it off', async () => {
    const sizes = await compiledSizes(PIPELINE, [[], ['--no-fuse']]);
    expect(sizes[0]).not.toBe(sizes[1]);
  });
});

describe('Int division and mod by powers of two as shifts', () => {
  const source = (xs: readonly (number | string)[]): string => `f :: Int -> [Int]
f x = [x / 2, x \`mod\` 2, x / 8, x \`mod\` 8, x / 4096, x \`mod\` 4096, x / 65536, x \`mod\` 65536, x / 1073741824, x \`mod\` 1073741824, (x + 1) / 2 + x \`mod\` 16 * 3]
g :: Int -> [Bool]
g x = [x \`mod\` 2 == 0, x \`mod\` 4 /= 0, 0 == x \`mod\` 2048, x \`mod\` 4096 == 0, x \`mod\` 3 == 0]
h :: Int -> Int
h x = if x \`mod\` 8 == 0 then 1 else if 0 /= x \`mod\` 2 then 2 else 3
main = map (\\x -> (f x, g x, h x)) [${xs.join(', ')}]
`;

  it('agree with the interpreter on the signs and ends of the Int range', async () => {
    await agrees(source([0, 1, -1, 2, -2, 7, -7, 8, -8, 9, -9, 4095, -4096, 65535, -65537, 2147483647, -2147483648, -2147483647]), [{}, { typedInts: false }]);
  });

  it('agree with the interpreter on random Ints (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: -2147483648, max: 2147483647 }), { minLength: 1, maxLength: 12 }), async (xs) => {
        await agrees(source(xs.map((x) => (x < 0 ? `(${x})` : `${x}`))), [{}, { typedInts: false }]);
      }),
      { numRuns: 15 },
    );
  }, 60_000);

  it('cost fewer cycles than div and rem', async () => {
    const loop = 'count :: Int -> Int -> Int\ncount n acc = if n == 0 then acc else count (n - 1) (acc + n / 4 + n `mod` 8)\nmain = count 3000 0\n';
    const shifts = await onCore(loop, {});
    const divisions = await onCore(loop, { typedInts: false });
    expect(shifts.value).toBe(divisions.value);
    expect(shifts.cycles).toBeLessThan(divisions.cycles);
  });
});

const SORT = `${SOURCE}
main = (sort [5, 3, 9, 1, 1, 0, -4], merge [1, 4, 9] [2, 3, 10, 11], sort [])
`;

const REVERSED: Readonly<Record<string, string>> = {
  "the prelude's map, filter, take and zip, their inputs used again":
    'main = let xs = range 1 6 in (take 3 xs, xs, map (\\x -> x * 2) xs, filter (\\x -> x > 2) xs, zip xs (take 2 xs), xs, take 0 xs, map (\\x -> x) [], reverse xs, xs)\n',
  'the merge sort (its merge passes the matched input cells on)': SORT,
  'a base case returning another list (not reversed in place)':
    'base :: [Int]\nbase = [1, 2, 3]\ngo :: [Int] -> [Int] -> [Int]\ngo acc [] = base\ngo acc (y:ys) = go (y : acc) ys\nmain = (reverse (go [] [5]), base, reverse (go [] []), base)\n',
  'an accumulator replaced by a shared list (not reversed in place)':
    'weird :: [Int] -> [Int] -> [Int]\nweird acc [] = acc\nweird acc (y:ys) = if y > 1 then weird (y : acc) ys else weird ys ys\nmain = let xs = [1, 2, 3, 4] in (reverse (weird [] xs), xs)\n',
  'a where-bound foldl shadowing the prelude one (not reversed in place)':
    'odd2 :: [Int] -> [Int] -> [Int]\nodd2 acc [] = acc\nodd2 acc (y:ys) = foldl (\\a b -> b : a) acc ys\n  where\n    foldl f z zs = zs\nmain = let xs = [1, 2, 3, 4] in (reverse (odd2 [] xs), xs)\n',
  'an accumulator read by a guard and consed twice':
    'go :: [Int] -> [Int] -> [Int]\ngo acc [] = acc\ngo acc (y:ys)\n  | y > 2 = go (y : y : acc) ys\n  | otherwise = go (y : acc) ys\nmain = let xs = [1, 3, 5] in (reverse (go [] xs), xs)\n',
};

describe('lists reversed in place where the call building them made every cell', () => {
  for (const [name, source] of Object.entries(REVERSED)) {
    it(`${name}: interp and the option on and off agree`, async () => {
      await agrees(source, [{}, { reverseInPlace: false }, { reverseInPlace: false, fuse: false }, { reuseCons: false }, { registers: false }]);
    });
  }

  it('the merge sort allocates fewer bytes and costs fewer cycles', async () => {
    const program = `${SOURCE}\nmain = sum (sort (pseudoRandom 300))\n`;
    const on = await onCore(program, {});
    const off = await onCore(program, { reverseInPlace: false });
    expect(on.value).toBe(off.value);
    expect(on.heap).toBeLessThan(off.heap * 0.7);
    expect(on.cycles).toBeLessThan(off.cycles * 0.8);
  });

  it('cax compile --no-reverse-in-place turns it off', async () => {
    const sizes = await compiledSizes(SORT, [[], ['--no-reverse-in-place']]);
    expect(sizes[0]).not.toBe(sizes[1]);
  });
});
