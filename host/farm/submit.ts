// `cax regress --farm URL`: the tests the result cache did not answer go to
// the farm instead of local worker processes. Each test is a BullMQ job whose
// id is its test key, so identical tests in flight are one job; its content is
// uploaded by hash. Results are read from their result keys (each counted
// once, however often it is delivered); a job that vanished (Redis restarted
// and lost it) is uploaded and enqueued again. The answer has the shape of the
// local pool's, so the runner makes the same reports from it.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { CaxError } from '../errors.js';
import { StoredOutcome, testKey } from '../regress/cache.js';
import type { Outcome } from '../regress/execute.js';
import type { MatrixTest } from '../regress/matrix.js';
import type { PoolOptions, PoolResult } from '../regress/pool.js';
import { z } from 'zod';
import type { WorkerRecord } from './capabilities.js';
import { connectionOptions, FARM_PREFIX, QUEUES_KEY, queueName, redact, resultKey } from './connection.js';
import { packJob, type FarmJob } from './job.js';
import { liveWorkers } from './status.js';

const Delivered = z.object({ outcome: StoredOutcome, worker: z.string() });
const POLL_MS = 25;
const SWEEP_MS = 1000;

interface Pending {
  readonly tests: MatrixTest[];
  readonly job: FarmJob;
  attempts: number;
}

/** Runs `tests` on the farm at `url` (the local pool's contract: one result per test id). */
export async function runOnFarm(url: string, tests: readonly MatrixTest[], options: PoolOptions): Promise<Map<string, PoolResult>> {
  const redis = new Redis(url, connectionOptions(url));
  redis.on('error', () => undefined);
  const queues = new Map<string, Queue>();
  const queueOf = (job: FarmJob): Queue => {
    const name = queueName(job.backend, job.identity);
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: connectionOptions(url), prefix: FARM_PREFIX });
      q.on('error', () => undefined);
      queues.set(name, q);
    }
    return q;
  };
  let uploaded = new Set<string>();
  const pending = new Map<string, Pending>();
  const results = new Map<string, PoolResult>();
  try {
    for (const t of tests) {
      const key = testKey(t);
      const same = pending.get(key.key);
      if (same) same.tests.push(t);
      else pending.set(key.key, { tests: [t], job: await packJob(redis, t, key, uploaded), attempts: 0 });
    }
    await refuseUnservable(
      redis,
      url,
      [...pending.values()].map((p) => p.job),
    );
    const enqueue = async (p: Pending, attempt = true): Promise<void> => {
      if (attempt) p.attempts++;
      await redis.del(resultKey(p.job.key));
      const q = queueOf(p.job);
      await redis.sadd(QUEUES_KEY, q.name);
      await q.add(p.job.test, p.job, { jobId: p.job.key, removeOnComplete: true, removeOnFail: true });
    };
    for (const p of pending.values()) await enqueue(p);

    let stopped = false;
    let lastSweep = performance.now();
    while (pending.size > 0 && !stopped) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const keys = [...pending.keys()];
      const sweep = performance.now() - lastSweep > SWEEP_MS;
      // a job's state is read before its result: a job gone without a result is lost, not finished
      const states = sweep ? await Promise.all(keys.map((k) => queueOf(pending.get(k)!.job).getJobState(k))) : [];
      if (sweep) lastSweep = performance.now();
      const delivered = await redis.mget(keys.map(resultKey));
      for (const [i, key] of keys.entries()) {
        const p = pending.get(key)!;
        const raw = delivered[i];
        if (raw === null || raw === undefined) {
          if (sweep && states[i] === 'unknown') {
            // Redis lost the job (and maybe its content): upload and enqueue it again
            uploaded = new Set();
            await packJob(redis, p.tests[0]!, { key: p.job.key, backend: p.job.identity }, uploaded);
            await enqueue(p, false);
          }
          continue;
        }
        const outcome = Delivered.parse(JSON.parse(raw)).outcome as Outcome;
        const passed = outcome.status === 'pass';
        if (!passed && p.attempts <= options.retries) {
          await enqueue(p);
          continue;
        }
        pending.delete(key);
        for (const t of p.tests) {
          results.set(t.id, { outcome, attempts: p.attempts, flaky: passed && p.attempts > 1 });
          options.onResult?.(t, outcome, p.attempts);
        }
        if (!passed && options.failFast) stopped = true;
      }
    }
    // with --fail-fast, what did not start is taken back
    for (const [key, p] of pending)
      await queueOf(p.job)
        .remove(key)
        .catch(() => undefined);
    return results;
  } finally {
    await Promise.all([...queues.values()].map((q) => q.close()));
    redis.disconnect();
  }
}

/** E_FARM_IDENTITY when a test's backend identity is served by no live worker (it would wait forever). */
async function refuseUnservable(redis: Redis, url: string, jobs: readonly FarmJob[]): Promise<void> {
  const workers: WorkerRecord[] = await liveWorkers(redis);
  const missing = [...new Set(jobs.filter((j) => !workers.some((w) => w.identities[j.backend] === j.identity)).map((j) => `${j.backend} (identity ${j.identity.slice(0, 12)})`))];
  if (missing.length === 0) return;
  throw new CaxError(
    'E_FARM_IDENTITY',
    `no live worker on the farm at ${redact(url)} can reproduce the tests on ${missing.join(', ')}: ${workers.length === 0 ? 'no worker is up' : "the workers' compiler, runtime, firmware or RTL differ from this machine's"} (see cax farm status)`,
  );
}
