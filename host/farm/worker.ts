// A farm worker (`cax farm worker`): takes tests from the queue of its backend
// identities (so it never serves a test it cannot reproduce), fetches their
// content by hash, runs each on one of its job slots (a regression worker
// process with the test's timeout, as a local run does) and answers with the
// outcome under the job's result key. Its capabilities are advertised under a
// key with an expiry its heartbeat refreshes. Tests run in child processes, so
// this process keeps renewing its BullMQ locks; a worker killed mid-test stops
// renewing them and another worker takes the stalled job. A worker with boards
// (`--board PORT`) also listens on the queue of board tests, taking as many at
// once as it has boards present, each on a free board (boards.ts). Every
// worker also proves chunks for `cax prove --farm` (prove.ts).
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { CaxError } from '../errors.js';
import type { Outcome } from '../regress/execute.js';
import { WorkerSlot } from '../regress/slot.js';
import type { TestSpec } from '../regress/suite.js';
import { newWorkerRecord, type WorkerRecord } from './capabilities.js';
import { connectionOptions, connectOnce, FARM_PREFIX, resultKey, within, workerKey } from './connection.js';
import { Board } from './boards.js';
import { errorOutcome, FarmJob, unpackSpec } from './job.js';
import { CircuitProvers, PROOF_QUEUE, ProofJob, type ProofResult } from './prove.js';

export interface FarmWorkerOptions {
  readonly url: string;
  /** Tests run at once (one regression worker process each). */
  readonly jobs: number;
  /** How long a job's lock lasts without renewal: a killed worker's test is taken elsewhere after about this long. */
  readonly lockMs: number;
  /** The serial ports of its boards. */
  readonly boards?: readonly string[];
  /** The line rate of its boards, asked for at HELLO (default: the board's 115200). */
  readonly baud?: number;
}

/** How long a result key lives (submitters read it within a run). */
const RESULT_TTL_S = 3600;
const HEARTBEAT_MS = 1000;
const RECORD_TTL_S = 5;

/** Thrown for a board test taken when no board is free: the job fails and the submitter enqueues it again. */
const NO_FREE_BOARD = 'no free board';

/** `outcome` with every local path of the job's content replaced by the submitter's path of the same file. */
function withOrigins(outcome: Outcome, origins: readonly (readonly [string, string])[]): Outcome {
  let text = JSON.stringify(outcome);
  for (const [local, origin] of origins) text = text.replaceAll(JSON.stringify(local).slice(1, -1), JSON.stringify(origin).slice(1, -1));
  return JSON.parse(text) as Outcome;
}

export class FarmWorker {
  private readonly record: WorkerRecord;
  private readonly redis: Redis;
  private readonly slots: WorkerSlot[];
  /** Checked content by hash, shared by this user's workers on this machine (files appear whole, by rename). */
  private readonly contentDir = join(tmpdir(), `cax-farm-content-${userInfo().uid}`);
  private readonly heartbeat: NodeJS.Timeout;
  private worker: Worker | undefined;
  private boardWorker: Worker | undefined;
  private proofWorker: Worker | undefined;
  private readonly provers: CircuitProvers;

  private constructor(
    options: FarmWorkerOptions,
    private readonly boards: readonly Board[],
  ) {
    this.record = newWorkerRecord(
      `${process.pid}-${randomBytes(4).toString('hex')}`,
      options.jobs,
      boards.map((b) => b.record),
    );
    mkdirSync(this.contentDir, { recursive: true, mode: 0o700 });
    this.slots = Array.from({ length: options.jobs }, () => new WorkerSlot());
    this.provers = new CircuitProvers(options.jobs);
    this.redis = new Redis(options.url, connectionOptions(options.url));
    this.redis.on('error', () => undefined);
    this.heartbeat = setInterval(() => void this.advertise(), HEARTBEAT_MS);
  }

  /** Starts a worker on the queue of its identities; resolves when it is listening (E_FARM_WORKER when Redis refuses it). */
  static async start(options: FarmWorkerOptions): Promise<FarmWorker> {
    // a wrong URL or password is an error now, not a worker waiting for ever
    (await connectOnce(options.url, 'E_FARM_WORKER')).disconnect();
    // a board that does not answer now is an error now (E_FARM_BOARD), not a worker that serves nothing on it
    const boards: Board[] = [];
    try {
      for (const port of options.boards ?? []) boards.push(await Board.attach(port, options.baud));
    } catch (e) {
      await Promise.all(boards.map((b) => b.close()));
      throw e;
    }
    const farmWorker = new FarmWorker(options, boards);
    try {
      await farmWorker.advertise();
      const listen = async (queue: string, concurrency: number, processor: (job: Job) => Promise<void>): Promise<Worker> => {
        const worker = new Worker(queue, processor, {
          connection: connectionOptions(options.url),
          prefix: FARM_PREFIX,
          concurrency,
          lockDuration: options.lockMs,
          stalledInterval: Math.max(250, Math.round(options.lockMs / 2)),
          maxStalledCount: 3,
        });
        // a lost Redis shows here; the connection retries by itself
        worker.on('error', () => undefined);
        await worker.waitUntilReady();
        return worker;
      };
      farmWorker.worker = await listen(farmWorker.record.queue, options.jobs, (job) => farmWorker.process(job, (data) => farmWorker.runOnSlot(data)));
      const boardQueue = farmWorker.record.boardQueue;
      if (boardQueue !== undefined) farmWorker.boardWorker = await listen(boardQueue, boards.length, (job) => farmWorker.process(job, (data) => farmWorker.runOnBoard(data)));
      farmWorker.proofWorker = await listen(PROOF_QUEUE, options.jobs, (job) => farmWorker.prove(job));
    } catch (e) {
      await farmWorker.close();
      throw new CaxError('E_FARM_WORKER', `cannot serve the farm: ${e instanceof Error ? e.message : String(e)}`);
    }
    return farmWorker;
  }

  get id(): string {
    return this.record.id;
  }

  get queue(): string {
    return this.record.queue;
  }

  get boardQueue(): string | undefined {
    return this.record.boardQueue;
  }

  private async advertise(): Promise<void> {
    try {
      await this.redis.set(workerKey(this.record.id), JSON.stringify(this.record), 'EX', RECORD_TTL_S);
    } catch {
      // Redis away: the next heartbeat tries again
    }
  }

  /**
   * Answers a job under its result key: the outcome of its test, or an error
   * outcome when the job cannot be run here (data this worker cannot read,
   * another identity, content missing or failing its hash), so the submitter
   * always hears back.
   */
  private async process(job: Job, run: (data: FarmJob) => Promise<Outcome>): Promise<void> {
    const parsed = FarmJob.safeParse(job.data);
    let outcome: Outcome;
    if (!parsed.success) outcome = errorOutcome('E_FARM_WORKER', `job ${job.name}: not a farm job this worker can read (another cax version?): ${parsed.error.issues[0]?.message ?? ''}`);
    else if (this.record.identities[parsed.data.backend] !== parsed.data.identity)
      outcome = errorOutcome('E_FARM_IDENTITY', `${parsed.data.test}: this worker's ${parsed.data.backend} identity differs from the submitter's`);
    else outcome = await run(parsed.data);
    await this.redis.set(resultKey(job.id ?? job.name), JSON.stringify({ outcome, worker: this.record.id, host: `${this.record.host}/${this.record.pid}` }), 'EX', RESULT_TTL_S);
    this.record.served++;
    void this.advertise();
  }

  /** Answers a chunk proof job under its result key: the proof, or the error that refused it. */
  private async prove(job: Job): Promise<void> {
    const parsed = ProofJob.safeParse(job.data);
    const result: ProofResult = parsed.success
      ? await this.provers.prove(this.redis, parsed.data, this.contentDir)
      : { error: { code: 'E_FARM_WORKER', message: `job ${job.name}: not a proof job this worker can read (another cax version?): ${parsed.error.issues[0]?.message ?? ''}` } };
    await this.redis.set(resultKey(job.id ?? job.name), JSON.stringify(result), 'EX', RESULT_TTL_S);
    this.record.served++;
    void this.advertise();
  }

  /** The outcome of a job's test where `place` runs it, with its content fetched and the submitter's paths in its messages. */
  private async runHere(data: FarmJob, place: (spec: TestSpec) => Promise<Outcome>): Promise<Outcome> {
    this.record.running.push(data.test);
    void this.advertise();
    const t0 = performance.now();
    try {
      const { spec, origins } = await unpackSpec(this.redis, data, this.contentDir);
      return withOrigins(await place(spec), origins);
    } catch (e) {
      return errorOutcome(e instanceof CaxError ? e.code : 'E_INTERNAL', e instanceof CaxError ? e.format() : String(e), performance.now() - t0);
    } finally {
      this.record.running.splice(this.record.running.indexOf(data.test), 1);
    }
  }

  /** The outcome of a job's test on a free slot. */
  private async runOnSlot(data: FarmJob): Promise<Outcome> {
    const slot = this.slots.find((s) => !s.busy);
    if (!slot) return errorOutcome('E_INTERNAL', `${data.test}: a farm job without a free slot`);
    slot.busy = true;
    try {
      return await this.runHere(data, (spec) => slot.run(data.test, data.backend, spec, data.timeoutMs));
    } finally {
      slot.busy = false;
    }
  }

  /**
   * The outcome of a board test on a free board (claimed at once: one test at
   * a time). A board that went absent takes no more tests: the worker takes as
   * many board tests at once as it has boards present (none: it stops taking them).
   */
  private async runOnBoard(data: FarmJob): Promise<Outcome> {
    const board = this.boards.find((b) => b.free);
    if (!board) throw new Error(NO_FREE_BOARD);
    board.record.running = data.test;
    try {
      return await this.runHere(data, (spec) => board.run(data.test, spec, data.timeoutMs));
    } finally {
      board.record.running = undefined;
      const present = this.boards.filter((b) => b.record.state === 'present').length;
      if (present === 0) void this.boardWorker?.pause(true);
      else if (this.boardWorker) this.boardWorker.concurrency = present;
      void this.advertise();
    }
  }

  /** Stops taking tests, finishes the ones running, and withdraws its record. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    await Promise.all([this.worker?.close(), this.boardWorker?.close(), this.proofWorker?.close()]);
    await Promise.all([...this.slots.map((s) => s.close()), ...this.boards.map((b) => b.close()), this.provers.close()]);
    await within(
      this.redis.del(workerKey(this.record.id)).catch(() => undefined),
      1000,
    );
    this.redis.disconnect();
  }
}
