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
// TypeScript sources under jest and from dist/). What does not change from
// chunk to chunk is made once per worker, not once per proof: the witness
// calculator (the circuit's WASM compiled), the proving key read into memory,
// and the single-threaded curve, which ffjavascript otherwise builds afresh
// (its WASM compiled, its tables made) for every proof snarkjs makes
// (docs/proofs.md, "Proving speed").
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const ffjavascript = require(workerData.ffjavascript);
const buildBn128 = ffjavascript.buildBn128;
let curve;
ffjavascript.buildBn128 = (singleThread, plugins) => singleThread ? (curve ??= buildBn128(true, plugins)) : buildBn128(singleThread, plugins);
const snarkjs = require(workerData.snarkjs);
const { WitnessCalculatorBuilder } = require(workerData.circomRuntime);
const zkey = { type: 'mem', data: new Uint8Array(readFileSync(workerData.zkey)) };
const calculator = WitnessCalculatorBuilder(readFileSync(workerData.wasm));
parentPort.on('message', async (job) => {
  try {
    const wtns = { type: 'mem', data: await (await calculator).calculateWTNSBin(job.input, 0) };
    const { proof, publicSignals } = await snarkjs.groth16.prove(zkey, wtns, undefined, { singleThread: true });
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
  // snarkjs's own copies, so that the curve cached is the one it uses
  const fromSnarkjs = createRequire(snarkjs);
  const modules = { snarkjs, ffjavascript: fromSnarkjs.resolve('ffjavascript'), circomRuntime: fromSnarkjs.resolve('circom_runtime') };
  const count = Math.max(1, Math.min(options.workers ?? availableParallelism(), inputs.length));
  const results: ChunkProof[] = new Array<ChunkProof>(inputs.length);
  let next = 0;
  let failure: CaxError | undefined;
  const workers = Array.from({ length: count }, () => new Worker(WORKER, { eval: true, workerData: { ...modules, wasm: options.wasm, zkey: options.zkey, ...WEB_WORKER_QUIET } }));
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
