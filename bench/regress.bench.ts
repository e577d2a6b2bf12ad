// `cax regress` runner speed on CPU-bound tests (TEL programs on the
// interpreter, a few hundred ms each): tests per minute on 2 workers against
// 1 worker; a rerun with nothing changed (every result reused) against the
// first run; and the runner's time per test (worker processes, IPC, keys,
// cache) against running the same tests directly in this process.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchSuite } from './harness.js';
import { JsonFileCache } from '../host/regress/cache.js';
import { TestExecutor } from '../host/regress/execute.js';
import { runRegression } from '../host/regress/runner.js';
import { loadSuite } from '../host/regress/suite.js';

const TESTS = 12;
const dir = mkdtempSync(join(tmpdir(), 'cax-bench-regress-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'fib.tel'), 'fib :: Int -> Int\nfib n = if n < 2 then n else fib (n - 1) + fib (n - 2)\n\nmain :: Int -> Int\nmain k = fib k\n');
const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));
const entries = Array.from({ length: TESTS }, (_, i) => `  - { kind: tel, name: fib-${i}, file: fib.tel, args: ["${33 + (i % 2)}"], tags: [cpu], expect: { value: "${fib(33 + (i % 2))}" } }`);
const suiteFile = join(dir, 'cpu.yaml');
/** The store of `store:` entries (this suite has none). */
const STORE = join(dir, '.cax');
writeFileSync(suiteFile, ['name: cpu', 'backends: [interp]', 'entries:', ...entries, ''].join('\n'));

async function run(jobs: number, cacheFile?: string): Promise<number> {
  const t0 = performance.now();
  const r = await runRegression({ suites: [suiteFile], store: STORE, jobs, retries: 0, failFast: false, cache: cacheFile ? new JsonFileCache(cacheFile) : undefined });
  if (r.counts.passed !== TESTS) throw new Error(`the bench suite did not pass: ${JSON.stringify(r.counts)}`);
  return performance.now() - t0;
}

let cacheRound = 0;
/** A fresh cache directory per sample: the first run fills it, the rerun reuses it. */
async function firstAndRerun(): Promise<[number, number]> {
  const cacheDir = join(dir, `cache-${cacheRound++}`);
  mkdirSync(cacheDir);
  const file = join(cacheDir, 'cache.json');
  return [await run(2, file), await run(2, file)];
}
let lastFirst = 0;

export const suite: BenchSuite = {
  title: 'Regression runner (cax regress)',
  cases: [
    {
      name: `${TESTS} CPU-bound tests, --jobs 2 (ratio: against --jobs 1; aim >= 1.8)`,
      unit: 'tests/min',
      higherIsBetter: true,
      sample: async () => (TESTS / (await run(2))) * 60_000,
      reference: { name: '--jobs 1', sample: async () => (TESTS / (await run(1))) * 60_000 },
    },
    {
      name: 'rerun with nothing changed, all reused (ratio: against the first run; aim <= 0.02)',
      unit: 'ms',
      higherIsBetter: false,
      sample: async () => {
        const [first, rerun] = await firstAndRerun();
        lastFirst = first;
        return rerun;
      },
      reference: { name: 'first run', sample: async () => lastFirst },
    },
    {
      name: 'runner time per test, --jobs 1 (ratio: against the backend called directly; aim <= 1.10)',
      unit: 'ms/test',
      higherIsBetter: false,
      sample: async () => (await run(1)) / TESTS,
      reference: {
        name: 'TestExecutor in process',
        sample: async () => {
          const executor = new TestExecutor();
          const cases = loadSuite(suiteFile, STORE);
          const t0 = performance.now();
          for (const c of cases) await executor.run(c.spec, 'interp');
          const ms = performance.now() - t0;
          await executor.close();
          return ms / TESTS;
        },
      },
    },
  ],
};
