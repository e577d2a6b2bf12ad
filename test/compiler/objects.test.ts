// Cons cells, tuples and lists built straight from their items
// (CodegenOptions.directObjects), matched cons cells reused for the same
// head and tail (CodegenOptions.reuseCons) and cons patterns matched in
// place (CodegenOptions.matchInPlace): programs with items of every kind
// (literals of every type, variables in slots, registers and closures,
// quiet Int arithmetic, calls that allocate or fail between the items, an
// item whose error must come before a later one's) give the interpreter's
// value or error with each option on and off; they cost fewer cycles; and
// `cax compile --no-direct-objects --no-reuse-cons --no-match-in-place`
// turns them off.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCoprocessor, runImage, type Coprocessor } from '../../host/coprocessor/backend.js';
import { DEFAULT_OPTIONS, type CodegenOptions } from '../../host/compiler/codegen.js';
import { compileSource } from '../../host/compiler/compile.js';
import { runCli } from '../../host/cli/program.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseProgram } from '../../host/tel/parser.js';
import { captureIO } from '../helpers/cli-io.js';

let cop: Coprocessor;
beforeAll(async () => {
  cop = await openCoprocessor('iss');
});
afterAll(async () => {
  await cop.close();
});

const MERGE = `merge :: [Int] -> [Int] -> [Int]
merge xs ys = reverse (go [] xs ys)
  where
    go acc [] bs = foldl (\\a b -> b : a) acc bs
    go acc as [] = foldl (\\a b -> b : a) acc as
    go acc (a:as) (b:bs)
      | a <= b = go (a : acc) as (b : bs)
      | otherwise = go (b : acc) (a : as) bs
main = merge (range 1 300) (map (\\x -> x * 2) (range 1 200))
`;

const PROGRAMS: Readonly<Record<string, string>> = {
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

const OFF: readonly Partial<CodegenOptions>[] = [{}, { directObjects: false }, { reuseCons: false }, { matchInPlace: false }, { directObjects: false, reuseCons: false, matchInPlace: false }];

async function onCore(source: string, off: Partial<CodegenOptions>): Promise<{ value: string | null; error: string | null; message: string | null; cycles: number }> {
  const image = compileSource(source, 't.tel', 'main', { ...DEFAULT_OPTIONS, ...off }).image;
  const r = await runImage(cop, image, [], { budget: 1_000_000_000 });
  return { value: r.shown, error: r.error?.code ?? null, message: r.error?.message ?? null, cycles: r.cycles };
}

describe('objects built from their items, matched cells reused', () => {
  for (const [name, source] of Object.entries(PROGRAMS)) {
    it(`${name}: interp and each option on and off agree`, async () => {
      const reference = runMain(loadProgram(parseProgram(source, 't.tel')), 'main', []);
      const expected = { value: reference.shown, error: reference.error?.code ?? null, message: reference.error?.message ?? null };
      for (const off of OFF) expect(await onCore(source, off)).toMatchObject(expected);
    });
  }
  it('each option costs fewer cycles on the merge', async () => {
    const on = await onCore(MERGE, {});
    expect(on.cycles).toBeLessThan((await onCore(MERGE, { directObjects: false })).cycles);
    expect(on.cycles).toBeLessThan((await onCore(MERGE, { reuseCons: false })).cycles);
    expect(on.cycles).toBeLessThan((await onCore(MERGE, { matchInPlace: false })).cycles);
  });
  it('cax compile --no-direct-objects --no-reuse-cons --no-match-in-place turns them off', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-objects-'));
    try {
      writeFileSync(join(dir, 'merge.tel'), MERGE);
      const sizes: number[] = [];
      for (const extra of [[], ['--no-direct-objects', '--no-reuse-cons', '--no-match-in-place']]) {
        const io = captureIO();
        expect(await runCli(['--json', 'compile', join(dir, 'merge.tel'), ...extra], io)).toBe(0);
        sizes.push((JSON.parse(io.stdout.join('\n')) as { codeBytes: number }).codeBytes);
      }
      expect(sizes[0]).toBeLessThan(sizes[1]!);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
