// The result cache (docs/cache.md): a hit at each level (memory, SQLite,
// Redis) against recomputing the run; memoization's overhead on runs that
// never repeat (misses and stores) against no memoization; the cost of
// computing a result key against the run it names; and a doubly recursive
// fib through `invoke` with and without memoization (exponential against
// linear). Redis is a redis-server started here on loopback.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchSuite } from './harness.js';
import { startRedis, type RedisServer } from './redis-server.js';
import { openCache } from '../host/cache/config.js';
import { Memo } from '../host/cache/memo.js';
import { MemoryLevel } from '../host/cache/memory.js';
import { RedisLevel } from '../host/cache/redis.js';
import { TieredCache } from '../host/cache/tiered.js';
import { Executor } from '../host/execution/executor.js';
import { OPEN_POLICY } from '../host/execution/policy.js';
import { addProgram } from '../host/store/add.js';
import { Repository } from '../host/store/repository.js';
import { addContext, ensurePrelude } from '../host/store/tel-env.js';
import { parseProgram } from '../host/tel/parser.js';

const SOURCE = `
fib :: Int -> Int
fib n = if n < 2 then n else fib (n - 1) + fib (n - 2)

ifib :: Int -> Effect Int
ifib n = if n < 2 then return n else do
  a <- invoke ifib (n - 1)
  b <- invoke ifib (n - 2)
  return (a + b)
`;
const N = '20';
const IFIB = '16';
const DISTINCT = 200;

const dir = mkdtempSync(join(tmpdir(), 'cax-bench-cache-'));
const repo = Repository.open(dir);
ensurePrelude(addContext(repo));
addProgram(addContext(repo), parseProgram(SOURCE, 'bench.tel'));
let redis: RedisServer | undefined;
process.on('exit', () => {
  repo.close();
  rmSync(dir, { recursive: true, force: true });
});
const quiet = (): undefined => undefined;

async function timed(work: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await work();
  return performance.now() - t0;
}

const plain = new Executor({ repo });
const recompute = { name: `recomputing fib ${N}`, sample: () => timed(() => plain.executeByName('fib', { args: [N] })) };

/** The time of a hit at `level`: the cache is filled once, then each sample looks up through a cache whose faster levels are empty. */
async function hitAt(level: 'memory' | 'sqlite' | 'redis'): Promise<number> {
  const remote = async (): Promise<TieredCache> => new TieredCache({ memory: new MemoryLevel(), redis: await RedisLevel.open(redis!.url) }, quiet);
  const filled = level === 'redis' ? await remote() : await openCache(dir, {}, quiet);
  await new Executor({ repo, memo: new Memo(filled, 'auto', 0) }).executeByName('fib', { args: [N] });
  if (level !== 'memory') await filled.close(); // written through to SQLite and Redis
  const cache = level === 'memory' ? filled : level === 'sqlite' ? await openCache(dir, {}, quiet) : await remote();
  const ms = await timed(async () => {
    const r = await new Executor({ repo, memo: new Memo(cache, 'auto', 0) }).executeByName('fib', { args: [N] });
    if (r.memo?.level !== level) throw new Error(`expected a hit in ${level}, got ${JSON.stringify(r.memo)}`);
  });
  await cache.close();
  return ms;
}

let round = 0;
let steady: TieredCache | undefined;
let steadyMemo: Memo | undefined;
/**
 * DISTINCT runs that never repeat (new arguments every sample): with memoization each is a lookup, a miss and a store
 * (fib 16–19 cost more than the default admission threshold), until memoization sees that fib's stored results are
 * never hit and stops storing them. One cache and one memo serve every sample, as they serve a long-lived process, so
 * what is measured is the per-run overhead, not opening SQLite.
 */
async function noRepeats(memo: boolean): Promise<number> {
  steady ??= await openCache(dir, {}, quiet);
  steadyMemo ??= new Memo(steady, 'auto');
  const ex = new Executor({ repo, ...(memo ? { memo: steadyMemo } : {}) });
  const base = round++ * DISTINCT;
  const ms = await timed(async () => {
    for (let i = 0; i < DISTINCT; i++) await ex.executeByName('fib', { args: [`${16 + ((base + i) % 4)} + ${base + i} * 0`] });
    await new Promise((resolve) => setImmediate(resolve)); // SQLite's batch committed inside the time measured
  });
  return ms / DISTINCT;
}

export const suite: BenchSuite = {
  title: 'Result cache',
  cases: [
    { name: `hit in memory, fib ${N} (ratio: against recomputing)`, unit: 'ms', higherIsBetter: false, sample: () => hitAt('memory'), reference: recompute },
    { name: `hit in SQLite, fib ${N} (ratio: against recomputing)`, unit: 'ms', higherIsBetter: false, sample: () => hitAt('sqlite'), reference: recompute },
    {
      name: `hit in Redis, fib ${N} (ratio: against recomputing)`,
      unit: 'ms',
      higherIsBetter: false,
      // a redis-server of its own for each sample, stopped after it (outside the time measured)
      sample: async () => {
        redis = await startRedis();
        try {
          return await hitAt('redis');
        } finally {
          await redis.stop();
          redis = undefined;
        }
      },
      reference: recompute,
    },
    {
      name: `runs without repeats, memoized: misses and stores until they prove futile (ratio: against no memoization; aim <= 1.05)`,
      unit: 'ms/run',
      higherIsBetter: false,
      sample: () => noRepeats(true),
      reference: { name: 'no memoization', sample: () => noRepeats(false) },
      warmUp: 2,
    },
    {
      name: `computing a result key (ratio: against the run of fib ${N} it names)`,
      unit: 'ms',
      higherIsBetter: false,
      sample: async () => {
        const memo = new Memo(new TieredCache({}, quiet));
        const hash = repo.lookupName('fib')!;
        const t0 = performance.now();
        for (let i = 0; i < 1000; i++) memo.key(hash, [{ expr: N }], { backend: 'interp', policy: OPEN_POLICY });
        return (performance.now() - t0) / 1000;
      },
      reference: recompute,
    },
    {
      name: `fib ${IFIB} through invoke, memoized (ratio: against no memoization)`,
      unit: 'ms',
      higherIsBetter: false,
      sample: () => timed(() => new Executor({ repo, memo: new Memo(new TieredCache({ memory: new MemoryLevel() }, quiet), 'auto', 0) }).executeByName('ifib', { args: [IFIB] })),
      reference: { name: 'no memoization', sample: () => timed(() => plain.executeByName('ifib', { args: [IFIB] })) },
    },
  ],
};
