// A farm worker (`cax farm worker`): takes tests from the queues of the
// backend identities it has (so it never serves a test it cannot reproduce),
// fetches their content by hash, runs one test at a time on its own
// TestExecutor as a local worker would, and answers with the outcome: the
// job's return value and a result key the submitter reads. Its capabilities
// are advertised under a key with an expiry its heartbeat refreshes. A worker
// killed mid-test loses its BullMQ lock; another worker takes the stalled job.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { CaxError } from '../errors.js';
import { TestExecutor, type Outcome } from '../regress/execute.js';
import type { RegressBackend } from '../regress/manifest.js';
import { newWorkerRecord, type WorkerRecord } from './capabilities.js';
import { connectionOptions, FARM_PREFIX, queueName, resultKey, workerKey } from './connection.js';
import { FarmJob, unpackSpec } from './job.js';

export interface FarmWorkerOptions {
  readonly url: string;
  readonly backends: readonly RegressBackend[];
  readonly boards: readonly string[];
  /** How long a job's lock lasts without renewal: a killed worker's test is taken elsewhere after about this long. */
  readonly lockMs: number;
  /** How often stalled jobs are looked for. */
  readonly stalledCheckMs: number;
}

/** How long a result key lives (submitters read it within a run). */
const RESULT_TTL_S = 3600;
const HEARTBEAT_MS = 2000;
const RECORD_TTL_S = 10;

export class FarmWorker {
  private readonly record: WorkerRecord;
  private readonly redis: Redis;
  private readonly workers: Worker[] = [];
  private readonly executor = new TestExecutor();
  private readonly contentDir = mkdtempSync(join(tmpdir(), 'cax-farm-content-'));
  private readonly heartbeat: NodeJS.Timeout;
  /** One test at a time in this process, whichever queue it came from. */
  private turn: Promise<unknown> = Promise.resolve();

  private constructor(options: FarmWorkerOptions) {
    this.record = newWorkerRecord(`${process.pid}-${randomBytes(4).toString('hex')}`, options.backends, options.boards);
    this.redis = new Redis(options.url, connectionOptions(options.url));
    this.redis.on('error', () => undefined);
    this.heartbeat = setInterval(() => void this.advertise(), HEARTBEAT_MS);
  }

  /** Starts a worker on every queue of its identities; resolves when it is listening. */
  static async start(options: FarmWorkerOptions): Promise<FarmWorker> {
    const worker = new FarmWorker(options);
    await worker.advertise();
    for (const [backend, identity] of Object.entries(worker.record.identities) as [RegressBackend, string][]) {
      const w = new Worker(queueName(backend, identity), (job: Job) => worker.serialised(() => worker.process(job)), {
        connection: connectionOptions(options.url),
        prefix: FARM_PREFIX,
        concurrency: 1,
        lockDuration: options.lockMs,
        stalledInterval: options.stalledCheckMs,
        maxStalledCount: 5,
      });
      // a lost Redis shows here; the connection retries by itself
      w.on('error', () => undefined);
      worker.workers.push(w);
    }
    await Promise.all(worker.workers.map((w) => w.waitUntilReady()));
    return worker;
  }

  get id(): string {
    return this.record.id;
  }

  private serialised<T>(run: () => Promise<T>): Promise<T> {
    const next = this.turn.then(run, run);
    this.turn = next.catch(() => undefined);
    return next;
  }

  private async advertise(): Promise<void> {
    try {
      await this.redis.set(workerKey(this.record.id), JSON.stringify(this.record), 'EX', RECORD_TTL_S);
    } catch {
      // Redis away: the next heartbeat tries again
    }
  }

  private async process(job: Job): Promise<unknown> {
    const data = FarmJob.parse(job.data);
    if (this.record.identities[data.backend] !== data.identity) throw new CaxError('E_FARM_IDENTITY', `${data.test}: this worker's ${data.backend} identity differs from the submitter's`);
    this.record.running = data.test;
    void this.advertise();
    try {
      const outcome = await this.runJob(data);
      await this.redis.set(resultKey(data.key), JSON.stringify({ outcome, worker: this.record.id }), 'EX', RESULT_TTL_S);
      this.record.served++;
      return outcome;
    } finally {
      this.record.running = null;
      void this.advertise();
    }
  }

  /** The outcome of a job; content that cannot be fetched or fails its hash check is an `error` outcome with its code. */
  private async runJob(data: FarmJob): Promise<Outcome> {
    const t0 = performance.now();
    try {
      return await this.executor.run(await unpackSpec(this.redis, data, this.contentDir), data.backend);
    } catch (e) {
      const err = e instanceof CaxError ? e : new CaxError('E_INTERNAL', String(e));
      return { status: 'error', expected: {}, actual: {}, code: err.code, message: err.message, cycles: null, durationMs: performance.now() - t0 };
    }
  }

  /** Stops taking tests, finishes the one running, and withdraws its record. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    await Promise.all(this.workers.map((w) => w.close()));
    await this.executor.close();
    await this.redis.del(workerKey(this.record.id)).catch(() => undefined);
    this.redis.disconnect();
    rmSync(this.contentDir, { recursive: true, force: true });
  }
}
