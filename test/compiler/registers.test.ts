// Registers for locals (CodegenOptions.registers): the parameters of loops in
// callee-saved register pairs give the interpreter's results with the option
// on and off (more parameters than pairs, captures, where bindings, nested
// and local loops, parameters that are a wildcard in some equations, failures inside a loop), cost fewer cycles on a loop, keep
// a loop that drops its lists in constant heap (the register is the only
// copy, the collector sees it through rt_collect's spill), and
// `cax compile --no-registers` turns them off.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCoprocessor, runImage, type Coprocessor } from '../../host/coprocessor/backend.js';
import { DEFAULT_OPTIONS } from '../../host/compiler/codegen.js';
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

const LOOP = 'sq :: Int -> Int\nsq x = x * x\nloop :: Int -> Int -> Int\nloop n acc = if n == 0 then acc else loop (n - 1) (acc + sq n)\nmain = loop 2000 0\n';

const PROGRAMS: Readonly<Record<string, string>> = {
  'a counting loop': LOOP,
  'five parameters (four pairs)':
    'go :: Int -> Int -> Int -> Int -> Int -> Int\ngo a b c d e = if a == 0 then b * 1000 + c * 100 + d * 10 + e else go (a - 1) (b + 1) (c + a `mod` 3) (d + 2) (e - 1)\nmain = go 50 0 0 0 0\n',
  'closures capturing the parameters': 'loop :: Int -> (Int -> Int) -> Int\nloop n f = if n == 0 then f 1 else loop (n - 1) (\\x -> f x + n)\nmain = loop 30 (\\x -> x)\n',
  'where bindings and guards over the parameters':
    'walk :: Int -> [Int] -> [Int]\nwalk n acc\n  | n <= 0 = acc\n  | even = walk (n - 1) (half : acc)\n  | otherwise = walk (n - 2) acc\n  where\n    half = n / 2\n    even = n `mod` 2 == 0\nmain = walk 40 []\n',
  'a local loop inside a loop, with a list parameter':
    'outer :: Int -> [Int] -> Int\nouter n xs = if n == 0 then sum xs else outer (n - 1) (inner n [])\n  where\n    inner k acc = if k == 0 then acc else inner (k - 1) (k : acc)\nmain = outer 25 []\n',
  'a case over a parameter and a non-loop caller':
    'count :: [Int] -> Int -> Int\ncount xs acc = case xs of\n  [] -> acc\n  (y : ys) -> count ys (acc + y)\ntwice :: Int -> Int\ntwice k = count (range 1 k) 0 + count (range 1 k) 1\nmain = twice 100 + twice 7\n',
  'parameters that are a wildcard in some equations (take, drop)':
    'nth :: Int -> Int -> [Int] -> Int\nnth _ d [] = d\nnth k d (y:ys) = if k == 0 then y else nth (k - 1) d ys\nskip :: Int -> [Int] -> [Int]\nskip _ [] = []\nskip n (_:xs) = if n <= 0 then xs else skip (n - 1) xs\nmain = (nth 3 (-1) [5, 6, 7, 8, 9], nth 9 (-1) [1, 2], skip 2 [1, 2, 3, 4, 5], take 3 [4, 5, 6, 7], drop 2 [1, 2, 3], take 9 [1])\n',
  'a failure inside a loop': 'loop :: Int -> Int -> Int\nloop n acc = if n == 0 then 100 / acc else loop (n - 1) (acc - 1)\nmain = loop 5 5\n',
};

async function onCore(source: string, registers: boolean): Promise<{ value: string | null; error: string | null; cycles: number }> {
  const r = await runImage(cop, compileSource(source, 'r.tel', 'main', { ...DEFAULT_OPTIONS, registers }).image, [], { budget: 1_000_000_000 });
  return { value: r.shown, error: r.error?.code ?? null, cycles: r.cycles };
}

describe('registers for locals', () => {
  for (const [name, source] of Object.entries(PROGRAMS)) {
    it(`${name}: interp, registers on and off agree`, async () => {
      const reference = runMain(loadProgram(parseProgram(source, 'r.tel')), 'main', []);
      const expected = { value: reference.shown, error: reference.error?.code ?? null };
      for (const registers of [true, false]) expect(await onCore(source, registers)).toMatchObject(expected);
    });
  }
  it('a loop costs fewer cycles with them, and a function that is no loop the same', async () => {
    const on = await onCore(LOOP, true);
    const off = await onCore(LOOP, false);
    expect(on.cycles).toBeLessThan(off.cycles);
    const fib = 'fib :: Int -> Int\nfib n = if n < 2 then n else fib (n - 1) + fib (n - 2)\nmain = fib 12\n';
    expect((await onCore(fib, true)).cycles).toBe((await onCore(fib, false)).cycles);
  });
  it('a loop that drops a 19 KB list each round keeps the heap bounded', async () => {
    // the register is the only copy of the parameter: a stale copy of the first list in its argument slot would keep
    // it alive, and three lists of 1200 cells do not fit (E_BUDGET, heap)
    const source = 'loop :: Int -> [Int] -> Int\nloop n xs = if n == 0 then length xs else loop (n - 1) (range n (n + 1199))\nmain = loop 60 (range 1 1200)\n';
    expect(await onCore(source, true)).toMatchObject({ value: '1200', error: null });
  });
  it('cax compile --no-registers turns them off', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-registers-'));
    try {
      const file = join(dir, 'loop.tel');
      writeFileSync(file, LOOP);
      // the loop's first parameter pair is s1/s2: its code reads and writes s1 with registers on, never with them off
      const pairUses: number[] = [];
      for (const extra of [[], ['--no-registers']]) {
        const io = captureIO();
        expect(await runCli(['compile', file, '--disasm', ...extra], io)).toBe(0);
        pairUses.push(io.stdout.join('\n').match(/ s1\b/g)?.length ?? 0);
      }
      expect(pairUses[0]).toBeGreaterThan(0);
      expect(pairUses[1]).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
