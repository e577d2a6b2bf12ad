// Groth16 proofs of the chunks of a statement, in parallel: a pool of worker
// threads (one per core by default), each computing the witness with the
// circuit's WASM generator and proving with snarkjs single-threaded, so that
// the pool keeps every core busy on its own chunk.
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Groth16Proof } from 'snarkjs';
import { CaxError } from '../errors.js';
import type { ChunkInput } from './statement.js';

export interface ChunkProof {
  readonly proof: Groth16Proof;
  readonly publicSignals: string[];
}

export interface ProveOptions {
  readonly wasm: string;
  readonly zkey: string;
  /** Worker threads; default: the number of cores. */
  readonly workers?: number;
  /** Called after each chunk is proved. */
  readonly onProgress?: () => void;
}

// The worker (CommonJS, given as source so that it runs the same from the
// TypeScript sources under jest and from dist/).
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const snarkjs = require(workerData.snarkjs);
parentPort.on('message', async (job) => {
  try {
    const wtns = { type: 'mem' };
    await snarkjs.wtns.calculate(job.input, workerData.wasm, wtns);
    const { proof, publicSignals } = await snarkjs.groth16.prove(workerData.zkey, wtns, undefined, { singleThread: true });
    parentPort.postMessage({ index: job.index, proof, publicSignals });
  } catch (e) {
    parentPort.postMessage({ index: job.index, error: String(e && e.message || e) });
  }
});
`;

// snarkjs loads the \`web-worker\` package, which, inside any worker thread,
// expects the module it should run in workerData.mod: give it an empty one.
const WEB_WORKER_QUIET = { mod: 'data:text/javascript,', name: 'cax-prover' };

interface Reply {
  index: number;
  proof?: Groth16Proof;
  publicSignals?: string[];
  error?: string;
}

/** Why the circuit refused a chunk, from the witness generator's message. */
function rejected(index: number, message: string): CaxError {
  const line = /line: (\d+)/.exec(message)?.[1];
  return new CaxError('E_PROOF_REJECTED', `chunk ${index}: the trace does not satisfy the step circuit${line ? ` (circuits/rv32im.circom line ${line})` : ''}`, {
    details: { chunk: index, reason: message.split('\n')[0] },
  });
}

export async function proveChunks(inputs: readonly ChunkInput[], options: ProveOptions): Promise<ChunkProof[]> {
  const snarkjs = createRequire(import.meta.url).resolve('snarkjs');
  const count = Math.max(1, Math.min(options.workers ?? availableParallelism(), inputs.length));
  const results: ChunkProof[] = new Array<ChunkProof>(inputs.length);
  let next = 0;
  let failure: CaxError | undefined;
  const workers = Array.from({ length: count }, () => new Worker(WORKER, { eval: true, workerData: { snarkjs, wasm: options.wasm, zkey: options.zkey, ...WEB_WORKER_QUIET } }));
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolveWorker, reject) => {
            const feed = (): void => {
              if (next >= inputs.length || failure !== undefined) {
                resolveWorker();
                return;
              }
              const index = next++;
              worker.postMessage({ index, input: inputs[index] });
            };
            worker.on('message', (reply: Reply) => {
              if (reply.error !== undefined) failure ??= rejected(reply.index, reply.error);
              else results[reply.index] = { proof: reply.proof!, publicSignals: reply.publicSignals! };
              options.onProgress?.();
              feed();
            });
            worker.on('error', reject);
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  if (failure !== undefined) throw failure;
  return results;
}
