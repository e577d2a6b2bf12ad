// The TEL JIT tier (docs/jit.md): fib 25, merge sort of 10,000 Ints and a
// ten-million-iteration loop with the JIT against the same algorithm in plain
// JavaScript; compile time per definition; a short cold program with `auto`
// against the interpreter alone; and each pass switched off against all on,
// on fib and on merge sort. The steady-state rows warm up first.
import { performance } from 'node:perf_hooks';
import type { BenchSuite } from './harness.js';
import { loadProgram, runMain, type RunOptions } from '../host/tel/interp.js';
import { parseExpression, parseProgram } from '../host/tel/parser.js';
import { JitTier, type JitOptions } from '../host/tel/jit/tier.js';
import { CodeCache } from '../host/tel/jit/cache.js';
import type { Closure } from '../host/tel/runtime.js';
import { SOURCE, jsFib, jsPseudoRandom, jsSort, time } from './tel.bench.js';

const LOOP = `${SOURCE}
count :: Int -> Int -> Int
count n acc = if n == 0 then acc else count (n - 1) (acc + n)
`;

const COLD = `
triangle :: Int -> Int
triangle n = if n == 0 then 0 else n + triangle (n - 1)

main :: Int -> (Int, [Int])
main n = (triangle n, map (\\x -> x * x) (range 1 10))
`;

const LOOP_N = 10_000_000;

function jitRun(jit: JitOptions, main: string, arg: number): () => Promise<number> {
  const loaded = loadProgram(parseProgram(LOOP, 'bench.tel'));
  const args = [parseExpression(String(arg), '<bench>')];
  const options: RunOptions = { jit };
  return async () =>
    time(() => {
      const r = runMain(loaded, main, args, options);
      if (r.error) throw r.error;
    });
}

function jsCount(n: number, acc: number): number {
  for (let k = n; k !== 0; k--) acc = (acc + k) | 0;
  return acc;
}

/** Milliseconds to generate and instantiate one definition's code, over every definition of the bench program. */
async function compileTime(): Promise<number> {
  const loaded = loadProgram(parseProgram(LOOP, 'bench.tel'));
  const tier = new JitTier({ mode: 'eager' }, new CodeCache(0));
  const lams = [...loaded.program.decls].map((d) => (loaded.globals.lookup(d.name) as { fnValue: Closure | null }).fnValue).filter((f) => f !== null);
  const t0 = performance.now();
  for (const f of lams) tier.compiled(f.lam);
  return (performance.now() - t0) / lams.length;
}

function cold(jit: 'auto' | 'off'): () => Promise<number> {
  return async () =>
    time(() => {
      const r = runMain(loadProgram(parseProgram(COLD, 'cold.tel')), 'main', [parseExpression('30', '<bench>')], { jit });
      if (r.error) throw r.error;
    });
}

const PASSES = [
  ['Int fast paths', 'intOps'],
  ['self tail calls as loops', 'selfLoop'],
  ['inline patterns', 'inlinePatterns'],
  ['direct calls', 'directCalls'],
  ['locals in JS variables', 'frameLocals'],
  ['constant folding', 'constantFold'],
  ['inlining', 'inline'],
  ['case of a known tuple', 'knownCase'],
  ['specialization', 'specialize'],
] as const;

/** Compiled code reaches a steady state after a few runs (V8 optimises it as it runs); these rows measure that state. */
const WARM_UP = 8;

const PROGRAMS = [
  ['fib 25', 'fib', 25],
  ['merge sort of 10,000 Ints', 'sortRandom', 10_000],
] as const;

export const suite: BenchSuite = {
  title: 'TEL JIT',
  cases: [
    {
      name: 'fib 25 with the JIT',
      unit: 'ms',
      higherIsBetter: false,
      warmUp: WARM_UP,
      sample: jitRun({ mode: 'auto' }, 'fib', 25),
      reference: { name: 'same algorithm in plain JS', sample: async () => time(() => jsFib(25)) },
    },
    {
      name: 'merge sort of 10,000 Ints with the JIT',
      unit: 'ms',
      higherIsBetter: false,
      warmUp: WARM_UP,
      sample: jitRun({ mode: 'auto' }, 'sortRandom', 10_000),
      reference: { name: 'same algorithm in plain JS', sample: async () => time(() => jsSort(jsPseudoRandom(10_000))[0]) },
    },
    {
      name: 'a 10-million-iteration loop with the JIT',
      unit: 'ms',
      higherIsBetter: false,
      warmUp: WARM_UP,
      sample: async () => {
        const loaded = loadProgram(parseProgram(LOOP, 'bench.tel'));
        const entry = [parseExpression(String(LOOP_N), '<n>'), parseExpression('0', '<acc>')];
        return time(() => {
          const r = runMain(loaded, 'count', entry, { jit: 'auto' });
          if (r.error) throw r.error;
        });
      },
      reference: { name: 'same loop in plain JS', sample: async () => time(() => jsCount(LOOP_N, 0)) },
    },
    { name: 'compile time per definition', unit: 'ms', higherIsBetter: false, sample: compileTime },
    {
      name: 'short cold program, JIT auto',
      unit: 'ms',
      higherIsBetter: false,
      sample: cold('auto'),
      reference: { name: 'interpreter alone', sample: cold('off') },
    },
    ...PROGRAMS.flatMap(([program, main, arg]) =>
      PASSES.map(([label, key]) => ({
        name: `${program}, ${label} off`,
        unit: 'ms',
        higherIsBetter: false,
        warmUp: WARM_UP,
        sample: jitRun({ mode: 'auto', passes: { [key]: false } }, main, arg),
        reference: { name: 'all passes on', sample: jitRun({ mode: 'auto' }, main, arg) },
      })),
    ),
  ],
};
