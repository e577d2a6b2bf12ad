// Lambdas without captures as static closures and top-level functions
// specialised on them (CodegenOptions.specialize): map/filter/foldl with
// such lambdas (inlined and not), a lambda passed on through several
// functions and where-bound helpers, kept in a list or returned, a
// recursive function that passes another lambda on each round, and an
// error inside an inlined lambda give the interpreter's value or error (and
// message) with the option on and off; the pipeline costs fewer cycles with
// it; and `cax compile --no-specialize` turns it off.
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

const PIPELINE = 'pipeline :: Int -> Int\npipeline n = foldl (\\a x -> a + x) 0 (map (\\x -> x * 3) (filter (\\x -> x `mod` 2 == 0) (range 1 n)))\nmain = pipeline 2000\n';

const PROGRAMS: Readonly<Record<string, string>> = {
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

async function onCore(source: string, off: Partial<CodegenOptions>): Promise<{ value: string | null; error: string | null; message: string | null; cycles: number }> {
  const image = compileSource(source, 't.tel', 'main', { ...DEFAULT_OPTIONS, ...off }).image;
  const r = await runImage(cop, image, [], { budget: 1_000_000_000 });
  return { value: r.shown, error: r.error?.code ?? null, message: r.error?.message ?? null, cycles: r.cycles };
}

describe('functions specialised on lambdas without captures', () => {
  for (const [name, source] of Object.entries(PROGRAMS)) {
    it(`${name}: interp, specialisation on and off agree`, async () => {
      const reference = runMain(loadProgram(parseProgram(source, 't.tel')), 'main', []);
      const expected = { value: reference.shown, error: reference.error?.code ?? null, message: reference.error?.message ?? null };
      for (const off of [{}, { specialize: false }, { inlining: false }]) expect(await onCore(source, off)).toMatchObject(expected);
    });
  }
  it('the pipeline costs fewer cycles with it', async () => {
    expect((await onCore(PIPELINE, {})).cycles).toBeLessThan((await onCore(PIPELINE, { specialize: false })).cycles);
  });
  it('cax compile --no-specialize turns it off', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-specialize-'));
    try {
      writeFileSync(join(dir, 'p.tel'), PIPELINE);
      const symbols: number[] = [];
      for (const extra of [[], ['--no-specialize']]) {
        const io = captureIO();
        expect(await runCli(['--json', 'compile', join(dir, 'p.tel'), ...extra], io)).toBe(0);
        symbols.push((JSON.parse(io.stdout.join('\n')) as { codeBytes: number }).codeBytes);
      }
      expect(symbols[0]).not.toBe(symbols[1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
