// The regression farm (cax regress --farm) against local worker processes:
// a CPU-bound suite on 2 farm workers on this machine against
// `cax regress --jobs 2` (the farm's overhead: queue, content by hash,
// results through Redis), and the round trip of a trivial test through the
// farm (enqueue, a worker taking it, its result read back: the queueing
// latency per test) against the same tests on one local worker, and the
// proof of mix.elf in development-size chunks (DEV_SIZE) on 2 farm workers (`cax prove --farm`)
// against 2 local prover threads (`--workers 2`). Each sample has a
// redis-server and `cax farm worker` processes of its own, started and
// stopped outside the time measured (a farm worker's prover threads start
// with its first chunk: inside the time).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchSuite } from './harness.js';
import { spawnFarmWorker } from './farm-workers.js';
import { startRedis } from './redis-server.js';
import { runOnFarm } from '../host/farm/submit.js';
import { proveChunksOnFarm } from '../host/farm/prove.js';
import { compileCircuit, DEV_SIZE, ptauPower } from '../host/proof/circuit.js';
import { releaseCurve } from '../host/proof/curve.js';
import { programImage } from '../host/proof/image.js';
import { proveRun, traceOnIss } from '../host/proof/prove.js';
import { circuitKeys, devPtau } from '../host/proof/setup.js';
import { runRegression } from '../host/regress/runner.js';

const CPU_TESTS = 12;
const TRIVIAL_TESTS = 20;
const dir = mkdtempSync(join(tmpdir(), 'cax-bench-farm-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'work.tel'), 'fib :: Int -> Int\nfib n = if n < 2 then n else fib (n - 1) + fib (n - 2)\n\nmain :: Int -> Int -> Int\nmain k salt = fib k + salt * 0\n');
const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));
/** A suite of `count` tests of fib(arg(i)), each with its own salt: its own test key (identical tests would be one job on the farm). */
function suiteOf(name: string, count: number, arg: (i: number) => number): string {
  const file = join(dir, `${name}.yaml`);
  const entries = Array.from({ length: count }, (_, i) => `  - { kind: tel, name: t-${i}, file: work.tel, args: ["${arg(i)}", "${i}"], expect: { value: "${fib(arg(i))}" } }`);
  writeFileSync(file, [`name: ${name}`, 'backends: [interp]', 'entries:', ...entries, ''].join('\n'));
  return file;
}
const cpuSuite = suiteOf('cpu', CPU_TESTS, (i) => 30 + (i % 3));
const trivialSuite = suiteOf('trivial', TRIVIAL_TESTS, () => 5);
const STORE = join(dir, '.cax');

async function run(suite: string, jobs: number, farm?: string): Promise<number> {
  const t0 = performance.now();
  const r = await runRegression({ suites: [suite], store: STORE, jobs, retries: 0, failFast: false, cache: undefined, ...(farm ? { pool: (tests, options) => runOnFarm(farm, tests, options) } : {}) });
  if (r.counts.passed !== r.counts.total || r.counts.ran !== r.counts.total) throw new Error(`the bench suite did not pass: ${JSON.stringify(r.counts)}`);
  return performance.now() - t0;
}

/** The time of `suite` on a farm of `workers` fresh workers (one job each). */
async function onFarm(suite: string, workers: number): Promise<number> {
  const redis = await startRedis();
  const started = await Promise.all(Array.from({ length: workers }, () => spawnFarmWorker(redis.url, { jobs: 1 })));
  try {
    return await run(suite, workers, redis.url);
  } finally {
    await Promise.all(started.map((w) => w.stop()));
    await redis.stop();
  }
}

/** mix.elf's trace with the proof tests' circuit (DEV_SIZE) and keys (build/proof/home, made by `make proof-keys`). */
async function proofSetup() {
  const home = 'build/proof/home';
  const circuit = await compileCircuit(DEV_SIZE, home);
  const keys = await circuitKeys(home, circuit, await devPtau(home, ptauPower(circuit)));
  const elf = readFileSync('build/proof/mix.elf');
  return { circuit, keys, image: programImage(elf), ...traceOnIss(elf, 1_000_000) };
}
let proofReady: ReturnType<typeof proofSetup> | undefined;

/** The time of proving mix.elf: on a farm of `farmWorkers` fresh workers (one job each), or with `threads` local prover threads. */
async function prove(where: { farmWorkers: number } | { threads: number }): Promise<number> {
  const s = await (proofReady ??= proofSetup());
  const redis = 'farmWorkers' in where ? await startRedis() : undefined;
  const started = redis ? await Promise.all(Array.from({ length: 'farmWorkers' in where ? where.farmWorkers : 0 }, () => spawnFarmWorker(redis.url, { jobs: 1 }))) : [];
  try {
    const t0 = performance.now();
    await proveRun(
      { trace: s.trace, image: s.image, cycles: s.cycles },
      s.circuit,
      s.keys,
      redis ? { prover: (inputs, o) => proveChunksOnFarm(redis.url, inputs, o) } : { workers: 'threads' in where ? where.threads : 1 },
    );
    return performance.now() - t0;
  } finally {
    await releaseCurve();
    await Promise.all(started.map((w) => w.stop()));
    await redis?.stop();
  }
}

export const suite: BenchSuite = {
  title: 'Regression farm (cax regress --farm)',
  cases: [
    {
      name: `${CPU_TESTS} CPU-bound tests on 2 farm workers (ratio: against cax regress --jobs 2; aim <= 1.15)`,
      unit: 'ms',
      higherIsBetter: false,
      sample: () => onFarm(cpuSuite, 2),
      reference: { name: '--jobs 2', sample: () => run(cpuSuite, 2) },
    },
    {
      name: `round trip of a trivial test, ${TRIVIAL_TESTS} tests on 1 farm worker: the queueing latency per test (ratio: against --jobs 1)`,
      unit: 'ms/test',
      higherIsBetter: false,
      sample: async () => (await onFarm(trivialSuite, 1)) / TRIVIAL_TESTS,
      reference: { name: '--jobs 1', sample: async () => (await run(trivialSuite, 1)) / TRIVIAL_TESTS },
    },
    {
      name: `prove mix.elf (${DEV_SIZE.steps}-step chunks) on 2 farm workers, cax prove --farm (ratio: against --workers 2)`,
      unit: 'ms',
      higherIsBetter: false,
      sample: () => prove({ farmWorkers: 2 }),
      reference: { name: '--workers 2', sample: () => prove({ threads: 2 }) },
    },
  ],
};
