// Proving on the farm (`cax prove --farm URL`): each chunk proof is a BullMQ
// job on the farm's proof queue carrying the chunk's witness input and the
// circuit's files by hash (its witness generator and proving key, uploaded as
// content); a worker fetches the files it lacks, checks every byte against its
// hash (E_FARM_CONTENT otherwise) and proves the chunk with the local prover.
// Results come back under the job's result key; the submitter puts the proofs
// in chunk order, so the receipt is made exactly as from local proofs.
import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { CaxError, type ErrorCode } from '../errors.js';
import { ChunkProver, type ChunkProof, type ProveOptions } from '../proof/prover.js';
import type { ChunkInput } from '../proof/statement.js';
import { ContentRef, fetchVerified, uploadFile } from './content.js';
import { connectionOptions, connectOnce, contentKey, FARM_PREFIX, redact, resultKey } from './connection.js';
import { liveWorkers } from './status.js';

/** The queue of chunk proofs: every farm worker serves it (the circuit travels with each job). */
export const PROOF_QUEUE = 'proofs';

export const ProofJob = z
  .object({
    chunk: z.number().int().nonnegative(),
    input: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
    wasm: ContentRef,
    zkey: ContentRef,
  })
  .strict();
export type ProofJob = z.infer<typeof ProofJob>;

/** What a worker answers: the proof, or the error that refused the chunk. */
const ProofResult = z.union([
  z.object({ proof: z.unknown(), publicSignals: z.array(z.string()) }),
  z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }) }),
]);
export type ProofResult = z.infer<typeof ProofResult>;

const POLL_MS = 50;
const SWEEP_MS = 1000;
const WORKERLESS_MS = 30_000;

/** A farm worker's prover threads, one pool per circuit it has proved chunks of (kept until the worker stops). */
export class CircuitProvers {
  private readonly provers = new Map<string, ChunkProver>();

  constructor(private readonly threads: number) {}

  /** Proves one job's chunk here: the circuit's files fetched and checked under `folder`. */
  async prove(redis: Redis, job: ProofJob, folder: string): Promise<ProofResult> {
    try {
      const wasm = await fetchVerified(redis, job.wasm, folder);
      const zkey = await fetchVerified(redis, job.zkey, folder);
      const circuit = `${job.wasm.hash}-${job.zkey.hash}`;
      let prover = this.provers.get(circuit);
      if (!prover) this.provers.set(circuit, (prover = new ChunkProver({ wasm, zkey, threads: this.threads })));
      const proved = await prover.prove(job.chunk, job.input);
      return { proof: proved.proof, publicSignals: proved.publicSignals };
    } catch (e) {
      const err = e instanceof CaxError ? e : new CaxError('E_INTERNAL', e instanceof Error ? e.message : String(e));
      return { error: { code: err.code, message: err.message, details: { ...err.details } } };
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.provers.values()].map((p) => p.close()));
  }
}

/** The proofs of `inputs` made by the farm's workers at `url` (the local prover's contract: proofs in chunk order). */
export async function proveChunksOnFarm(url: string, inputs: readonly ChunkInput[], options: ProveOptions): Promise<ChunkProof[]> {
  const probe = await connectOnce(url, 'E_FARM_WORKER');
  try {
    if ((await liveWorkers(probe)).length === 0) throw new CaxError('E_FARM_WORKER', `no worker is up on the farm at ${redact(url)} to prove the chunks (see cax farm status)`);
  } finally {
    probe.disconnect();
  }
  const redis = new Redis(url, connectionOptions(url));
  redis.on('error', () => undefined);
  const queue = new Queue(PROOF_QUEUE, { connection: connectionOptions(url), prefix: FARM_PREFIX });
  queue.on('error', () => undefined);
  try {
    let uploaded = new Set<string>();
    const circuit = async (): Promise<{ wasm: ContentRef; zkey: ContentRef }> => ({ wasm: await uploadFile(redis, options.wasm, uploaded), zkey: await uploadFile(redis, options.zkey, uploaded) });
    let files = await circuit();
    const jobs = inputs.map((input, chunk) => ({ chunk, input, id: createHash('sha256').update(JSON.stringify({ files, chunk, input })).digest('hex') }));
    const enqueue = async (j: (typeof jobs)[number]): Promise<void> => {
      await redis.del(resultKey(j.id));
      await queue.add(`chunk-${j.chunk}`, { chunk: j.chunk, input: j.input, ...files } satisfies ProofJob, { jobId: j.id, removeOnComplete: true, removeOnFail: true });
    };
    for (const j of jobs) await enqueue(j);
    const proofs = new Array<ChunkProof>(inputs.length);
    const pending = new Set(jobs);
    let lastSweep = performance.now();
    let servedAt = lastSweep;
    while (pending.size > 0) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const waiting = [...pending];
      const sweep = performance.now() - lastSweep > SWEEP_MS;
      const states = sweep ? await Promise.all(waiting.map((j) => queue.getJobState(j.id))) : [];
      if (sweep) {
        lastSweep = performance.now();
        if ((await liveWorkers(redis)).length > 0) servedAt = lastSweep;
        else if (lastSweep - servedAt > WORKERLESS_MS)
          throw new CaxError('E_FARM_WORKER', `no worker has served the farm at ${redact(url)} for ${WORKERLESS_MS / 1000} s; ${pending.size} chunk(s) not proved`);
      }
      const delivered = await redis.mget(waiting.map((j) => resultKey(j.id)));
      // jobs Redis lost (restarted): their files uploaded and the jobs enqueued again
      const lost = waiting.filter((_, i) => delivered[i] === null && states[i] === 'unknown');
      if (lost.length > 0) {
        uploaded = new Set();
        files = await circuit();
        for (const j of lost) await enqueue(j);
      }
      for (const [i, j] of waiting.entries()) {
        const raw = delivered[i];
        if (raw === null || raw === undefined) continue;
        const parsed = ProofResult.safeParse(JSON.parse(raw));
        if (!parsed.success) throw new CaxError('E_FARM_WORKER', `chunk ${j.chunk}: the result in Redis is not a farm worker's proof`);
        if ('error' in parsed.data) {
          const { code, message, details } = parsed.data.error;
          // bytes under a hash that are not its content: dropped, so the next run uploads the right ones
          if (code === 'E_FARM_CONTENT') await redis.del(contentKey(files.wasm.hash), contentKey(files.zkey.hash));
          throw new CaxError(code as ErrorCode, message, details ? { details } : {});
        }
        proofs[j.chunk] = { proof: parsed.data.proof as ChunkProof['proof'], publicSignals: parsed.data.publicSignals };
        pending.delete(j);
        options.onProgress?.();
      }
    }
    return proofs;
  } finally {
    await queue.close();
    redis.disconnect();
  }
}
