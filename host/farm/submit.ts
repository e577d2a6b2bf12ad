// `cax regress --farm URL`: the tests the result cache did not answer go to
// the farm instead of local worker processes. Each test is a BullMQ job on the
// queue of this machine's backend identities, with the test key and attempt
// as its id, so identical tests in flight are one job; its content is uploaded
// by hash. Results are read from their result keys (each counted once, however
// often it is delivered); a job that vanished without a result (Redis
// restarted and lost it) is uploaded and enqueued again. The answer has the
// shape of the local pool's, so the runner makes the same reports from it.
// Tests on the `device` backend go to the queue of board tests, which only
// workers with boards serve.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { CaxError } from '../errors.js';
import { StoredOutcome, testKey } from '../regress/cache.js';
import type { Outcome } from '../regress/execute.js';
import type { MatrixTest } from '../regress/matrix.js';
import type { PoolOptions, PoolResult } from '../regress/pool.js';
import { boardIdentities, isBoardQueue, localIdentities, serves } from './capabilities.js';
import { connectionOptions, connectOnce, contentKey, FARM_PREFIX, QUEUES_KEY, queueName, redact, resultKey, type Identities } from './connection.js';
import { contentOf, packJob, type FarmJob } from './job.js';
import { liveWorkers } from './status.js';

/** A result as a worker writes it: the outcome, the worker's id and its `host/pid`. */
const Delivered = z.object({ outcome: StoredOutcome, worker: z.string(), host: z.string() });

/** The outcome a worker delivered and where it ran; what is not one (written by something else) is an error outcome, never a crash of the run. */
function deliveredOutcome(raw: string): { outcome: Outcome; host: string } {
  let parsed: ReturnType<typeof Delivered.safeParse> | undefined;
  try {
    parsed = Delivered.safeParse(JSON.parse(raw));
  } catch {
    parsed = undefined;
  }
  if (parsed?.success) return { outcome: parsed.data.outcome as Outcome, host: parsed.data.host };
  return {
    outcome: { status: 'error', expected: {}, actual: {}, code: 'E_FARM_WORKER', message: "the result in Redis is not a farm worker's outcome", cycles: null, durationMs: 0 },
    host: '(unknown)',
  };
}
/** How often results are looked for. */
const POLL_MS = 20;
/** How often lost jobs and live workers are looked for. */
const SWEEP_MS = 1000;
/** How long the run waits with no worker serving its queue before it gives up. */
const WORKERLESS_MS = 30_000;

interface Pending {
  /** The tests with this key (identical tests are one job). */
  readonly tests: MatrixTest[];
  /** The queue it goes to: the tests' or the board tests'. */
  readonly queue: Queue;
  job: FarmJob;
  attempts: number;
}

/** The job id of an attempt: a retry is a new job, whatever became of the last one. */
const jobId = (p: Pending): string => `${p.job.key}-${p.attempts}`;

/** Runs `tests` on the farm at `url` (the local pool's contract: one result per test id). */
export async function runOnFarm(url: string, tests: readonly MatrixTest[], options: PoolOptions): Promise<Map<string, PoolResult>> {
  // a wrong URL or password is an error now, not a run waiting for ever
  const probe = await connectOnce(url, 'E_FARM_WORKER');
  const identities = new Map<string, Identities>();
  const onBoard = (t: MatrixTest): boolean => t.backend === 'device';
  if (tests.some((t) => !onBoard(t))) identities.set(queueName(localIdentities()), localIdentities());
  if (tests.some(onBoard)) identities.set(queueName(boardIdentities(), 'boards'), boardIdentities());
  try {
    for (const name of identities.keys()) await refuseUnservable(probe, url, name);
  } finally {
    probe.disconnect();
  }
  const redis = new Redis(url, connectionOptions(url));
  redis.on('error', () => undefined);
  const queues = new Map(
    [...identities.keys()].map((name) => {
      const queue = new Queue(name, { connection: connectionOptions(url), prefix: FARM_PREFIX });
      queue.on('error', () => undefined);
      return [name, queue] as const;
    }),
  );
  const queueOf = (t: MatrixTest): Queue => queues.get(onBoard(t) ? queueName(boardIdentities(), 'boards') : queueName(localIdentities()))!;
  let uploaded = new Set<string>();
  const pending = new Map<string, Pending>();
  const results = new Map<string, PoolResult>();
  const enqueue = async (p: Pending): Promise<void> => {
    await redis.hset(QUEUES_KEY, p.queue.name, JSON.stringify(identities.get(p.queue.name)));
    await redis.del(resultKey(jobId(p)));
    await p.queue.add(p.job.test, p.job, { jobId: jobId(p), removeOnComplete: true, removeOnFail: true });
  };
  /** Uploads `p`'s content again where it is missing and enqueues it. */
  const repack = async (p: Pending): Promise<void> => {
    p.job = await packJob(redis, p.tests[0]!, { key: p.job.key, backend: p.job.identity }, uploaded);
    await enqueue(p);
  };
  try {
    for (const t of tests) {
      const key = testKey(t);
      const same = pending.get(key.key);
      if (same) same.tests.push(t);
      else pending.set(key.key, { tests: [t], queue: queueOf(t), job: await packJob(redis, t, key, uploaded), attempts: 1 });
    }
    for (const p of pending.values()) await enqueue(p);

    let stopped = false;
    let lastSweep = performance.now();
    const servedAt = new Map([...queues.keys()].map((name) => [name, performance.now()]));
    while (pending.size > 0 && !stopped) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const waiting = [...pending.values()];
      const sweep = performance.now() - lastSweep > SWEEP_MS;
      // a job's state is read before its result: a job gone without a result is lost, not finished
      const states = sweep ? await Promise.all(waiting.map((p) => p.queue.getJobState(jobId(p)))) : [];
      if (sweep) {
        lastSweep = performance.now();
        const workers = await liveWorkers(redis);
        for (const name of new Set(waiting.map((p) => p.queue.name))) {
          if (workers.some((w) => serves(w, name))) servedAt.set(name, lastSweep);
          else if (lastSweep - servedAt.get(name)! > WORKERLESS_MS) {
            const left = waiting.filter((p) => p.queue.name === name).length;
            throw new CaxError(
              isBoardQueue(name) ? 'E_FARM_BOARD' : 'E_FARM_IDENTITY',
              `no worker ${isBoardQueue(name) ? 'with a board present ' : ''}has served the farm at ${redact(url)} for ${WORKERLESS_MS / 1000} s; ${left} test(s) not run`,
            );
          }
        }
      }
      const delivered = await redis.mget(waiting.map((p) => resultKey(jobId(p))));
      const lost = waiting.filter((_, i) => (delivered[i] === null || delivered[i] === undefined) && states[i] === 'unknown');
      if (lost.length > 0) {
        // Redis lost these jobs (and maybe their content): upload and enqueue them again
        uploaded = new Set();
        for (const p of lost) await repack(p);
      }
      for (const [i, p] of waiting.entries()) {
        const raw = delivered[i];
        if (raw === null || raw === undefined) continue;
        const { outcome, host } = deliveredOutcome(raw);
        const passed = outcome.status === 'pass';
        if (outcome.code === 'E_FARM_CONTENT')
          // bytes under a hash that are not its content: dropped, so the next upload puts the right ones
          for (const ref of contentOf(p.job)) {
            await redis.del(contentKey(ref.hash));
            uploaded.delete(ref.hash);
          }
        if (!passed && p.attempts <= options.retries && !stopped) {
          p.attempts++;
          await repack(p);
          continue;
        }
        pending.delete(p.job.key);
        for (const t of p.tests) {
          results.set(t.id, { outcome, attempts: p.attempts, flaky: passed && p.attempts > 1, host });
          options.onResult?.(t, outcome, p.attempts);
        }
        if (!passed && options.failFast) stopped = true;
      }
    }
    // with --fail-fast, what did not start is taken back (what runs finishes unread)
    for (const p of pending.values()) await p.queue.remove(jobId(p)).catch(() => undefined);
    return results;
  } finally {
    await Promise.all([...queues.values()].map((q) => q.close()));
    redis.disconnect();
  }
}

/**
 * E_FARM_IDENTITY when no live worker serves the queue of this machine's
 * identities, E_FARM_BOARD when no live worker with a board present serves
 * the board tests' (the tests would wait for ever).
 */
async function refuseUnservable(redis: Redis, url: string, name: string): Promise<void> {
  const workers = await liveWorkers(redis);
  if (workers.some((w) => serves(w, name))) return;
  if (isBoardQueue(name))
    throw new CaxError(
      'E_FARM_BOARD',
      `no live worker on the farm at ${redact(url)} has a board present for the device tests with this machine's compiler, runtime and firmware (see cax farm status)`,
    );
  throw new CaxError(
    'E_FARM_IDENTITY',
    `no live worker on the farm at ${redact(url)} can reproduce this machine's tests: ${workers.length === 0 ? 'no worker is up' : `the ${workers.length} worker(s) up run a different compiler, runtime, firmware or RTL`} (see cax farm status)`,
  );
}
