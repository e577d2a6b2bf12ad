// TEL reference interpreter speed: a call-heavy program (naive fib 25) and a
// list-heavy one (merge sort of 10,000 Ints), each against the same
// algorithm in plain JavaScript run in the same process. Milliseconds per run.
// The JIT is off here (jit.bench.ts measures it). Then the memory a run is
// charged against what the host really uses: each program runs in a child
// process (memory-probe.ts), whose peak resident memory growth is compared
// with the bytes the executor charges (the ratio should stay at most 2).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { BenchSuite } from './harness.js';
import { loadProgram, runMain } from '../host/tel/interp.js';
import { parseExpression, parseProgram } from '../host/tel/parser.js';

export const SOURCE = `
fib :: Int -> Int
fib n = if n < 2 then n else fib (n - 1) + fib (n - 2)

merge :: [Int] -> [Int] -> [Int]
merge xs ys = reverse (go [] xs ys)
  where
    go acc [] bs = foldl (\\a b -> b : a) acc bs
    go acc as [] = foldl (\\a b -> b : a) acc as
    go acc (a:as) (b:bs)
      | a <= b = go (a : acc) as (b : bs)
      | otherwise = go (b : acc) (a : as) bs

sort :: [Int] -> [Int]
sort [] = []
sort [x] = [x]
sort xs = merge (sort (take half xs)) (sort (drop half xs))
  where
    half = length xs / 2

pseudoRandom :: Int -> [Int]
pseudoRandom n = go n 12345 []
  where
    go 0 _ acc = acc
    go k seed acc = go (k - 1) (seed * 1103515245 + 12345) ((seed / 65536) \`mod\` 100000 : acc)

sortRandom :: Int -> Int
sortRandom n = head (sort (pseudoRandom n))
`;

const loaded = loadProgram(parseProgram(SOURCE, 'bench.tel'));

export function time(f: () => unknown): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

function telRun(main: string, arg: number): () => Promise<number> {
  const args = [parseExpression(String(arg), '<bench>')];
  return async () =>
    time(() => {
      const r = runMain(loaded, main, args, { jit: 'off' });
      if (r.error) throw r.error;
    });
}

export function jsFib(n: number): number {
  return n < 2 ? n : (jsFib(n - 1) + jsFib(n - 2)) | 0;
}

export function jsPseudoRandom(n: number): number[] {
  const out: number[] = [];
  let seed = 12345;
  for (let k = n; k > 0; k--) {
    out.unshift(((Math.trunc(seed / 65536) | 0) % 100000) | 0);
    seed = (Math.imul(seed, 1103515245) + 12345) | 0;
  }
  return out;
}

function jsMerge(xs: number[], ys: number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < xs.length && j < ys.length) out.push(xs[i]! <= ys[j]! ? xs[i++]! : ys[j++]!);
  while (i < xs.length) out.push(xs[i++]!);
  while (j < ys.length) out.push(ys[j++]!);
  return out;
}

export function jsSort(xs: number[]): number[] {
  if (xs.length <= 1) return xs;
  const half = xs.length >> 1;
  return jsMerge(jsSort(xs.slice(0, half)), jsSort(xs.slice(half)));
}

const PROBE = fileURLToPath(new URL('./memory-probe.js', import.meta.url));

/** Resident memory (MB) against the charge (MB) of one program: both from the same child run, the charge read by the reference. */
function memoryCase(name: string, main: string, arg: number): BenchSuite['cases'][number] {
  let charged = 0;
  return {
    name: `memory of ${name}: resident MB (reference: MB charged)`,
    unit: 'MB',
    higherIsBetter: false,
    async sample() {
      const out = JSON.parse(execFileSync(process.execPath, [PROBE, main, String(arg)], { encoding: 'utf8' })) as { chargedBytes: number; rssBytes: number };
      charged = out.chargedBytes / 1e6;
      return out.rssBytes / 1e6;
    },
    reference: { name: 'MB charged to the run', sample: async () => charged },
  };
}

export const suite: BenchSuite = {
  title: 'TEL interpreter',
  cases: [
    {
      name: 'fib 25 (call-heavy)',
      unit: 'ms',
      higherIsBetter: false,
      sample: telRun('fib', 25),
      reference: { name: 'same algorithm in plain JS', sample: async () => time(() => jsFib(25)) },
    },
    {
      name: 'merge sort of 10,000 Ints (list-heavy)',
      unit: 'ms',
      higherIsBetter: false,
      sample: telRun('sortRandom', 10_000),
      reference: { name: 'same algorithm in plain JS', sample: async () => time(() => jsSort(jsPseudoRandom(10_000))[0]) },
    },
    memoryCase('1,000,000-deep non-tail recursion', 'deep', 1_000_000),
    memoryCase('hashOf (range 1 2000000)', 'hashRange', 2_000_000),
    memoryCase('1,000,000 pairs', 'pairs', 1_000_000),
    memoryCase('1,000,000 shown Ints', 'texts', 1_000_000),
  ],
};
