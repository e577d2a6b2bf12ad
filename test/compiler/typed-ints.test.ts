// Ints known from the types (CodegenOptions.typedInts): no tag tests, quiet
// Int arithmetic on payloads in registers, Int comparisons as one branch, a
// loop's Int arguments straight into its parameter registers. Programs that
// mix typed and untyped Ints, wrap around, divide by literals and by zero,
// negate and compare give the interpreter's value or error (and its span)
// with the option on and off; the option costs fewer cycles and bytes; and
// `cax compile --no-typed-ints` turns it off.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openCoprocessor, runImage, type Coprocessor } from '../../host/coprocessor/backend.js';
import { DEFAULT_OPTIONS } from '../../host/compiler/codegen.js';
import { compileSource } from '../../host/compiler/compile.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseProgram } from '../../host/tel/parser.js';
import { compiledSizes } from '../helpers/compiled-sizes.js';

let cop: Coprocessor;
beforeAll(async () => {
  cop = await openCoprocessor('iss');
});
afterAll(async () => {
  await cop.close();
});

const LOOP = 'sumSquares :: Int -> Int -> Int\nsumSquares n acc = if n == 0 then acc else sumSquares (n - 1) (acc + n * n)\nmain = sumSquares 3000 0\n';

const PROGRAMS: Readonly<Record<string, string>> = {
  'a loop of Int arithmetic': LOOP,
  'wrapping around, negation, division and mod by literals':
    'f :: Int -> Int -> Int\nf a b = (a * 1103515245 + 12345) / 65536 `mod` 100000 - (-a) * b / 7 + (a - b) `mod` (-3)\nmain = (f 2147483647 (-5), f (-2147483648) 3, f 0 0)\n',
  'comparisons of every kind in guards and ifs':
    'cmp :: Int -> Int -> Int\ncmp a b\n  | a < b = 1\n  | a > b + 1 = 2\n  | a <= b * 2 && a >= 0 - b = if a == b then 3 else if a /= 0 then 4 else 5\n  | otherwise = 6\nmain = [cmp 1 2, cmp 5 3, cmp 3 3, cmp 4 3, cmp 0 (-1), cmp (-7) (-8)]\n',
  'untyped list elements next to typed Ints':
    'weigh :: Int -> Int -> [Int] -> Int\nweigh _ acc [] = acc\nweigh k acc (x:xs) = weigh (k + 1) (acc + x * k) xs\nmain = weigh 1 0 (map (\\x -> x * 3 - 1) (range 1 50))\n',
  'calls whose signature gives an Int, in arithmetic and as arguments':
    'fib :: Int -> Int\nfib n = if n < 2 then n else fib (n - 1) + fib (n - 2)\nscale :: Int -> Int -> Int\nscale k n = k * fib n + fib (n - 1)\nmain = scale 3 15\n',
  "a swap of a loop's Int parameters": 'gcd2 :: Int -> Int -> Int\ngcd2 a b = if b == 0 then a else gcd2 b (a `mod` b)\nmain = gcd2 1071 462\n',
  "a loop's Int parameters passed round in a cycle":
    'rot :: Int -> Int -> Int -> Int -> Int\nrot a b c n = if n == 0 then a * 100 + b * 10 + c else rot b (c + 0) (a * 1) (n - 1)\nmain = (rot 1 2 3 4, rot 1 2 3 5)\n',
  'a division by zero in a loop': 'loop :: Int -> Int -> Int\nloop n acc = if n == 0 then 100 / acc else loop (n - 1) (acc - 1)\nmain = loop 5 5\n',
  'a mod by a computed zero': 'f :: Int -> Int\nf n = n `mod` (n - n)\nmain = f 9\n',
};

async function onCore(source: string, typedInts: boolean): Promise<{ value: string | null; error: string | null; message: string | null; cycles: number; bytes: number }> {
  const image = compileSource(source, 't.tel', 'main', { ...DEFAULT_OPTIONS, typedInts }).image;
  const r = await runImage(cop, image, [], { budget: 1_000_000_000 });
  return { value: r.shown, error: r.error?.code ?? null, message: r.error?.message ?? null, cycles: r.cycles, bytes: image.bytes.length };
}

describe('Ints known from the types', () => {
  for (const [name, source] of Object.entries(PROGRAMS)) {
    it(`${name}: interp, typed Ints on and off agree`, async () => {
      const reference = runMain(loadProgram(parseProgram(source, 't.tel')), 'main', []);
      const expected = { value: reference.shown, error: reference.error?.code ?? null, message: reference.error?.message ?? null };
      for (const typedInts of [true, false]) expect(await onCore(source, typedInts)).toMatchObject(expected);
    });
  }
  it('a loop of Int arithmetic costs fewer cycles and bytes with them', async () => {
    const on = await onCore(LOOP, true);
    const off = await onCore(LOOP, false);
    expect(on.cycles).toBeLessThan(off.cycles / 2);
    expect(on.bytes).toBeLessThan(off.bytes);
  });
  it('cax compile --no-typed-ints turns them off', async () => {
    const sizes = await compiledSizes(LOOP, [[], ['--no-typed-ints']]);
    expect(sizes[0]).toBeLessThan(sizes[1]!);
  });
});
