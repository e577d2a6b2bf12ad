// Groth16 proofs of the chunks of a statement, in parallel: a pool of worker
// threads (one per core by default), each computing the witness with the
// circuit's WASM generator and proving with snarkjs single-threaded, so that
// the pool keeps every core busy on its own chunk. The pool (ChunkProver) can
// be kept between proofs of one circuit (a farm worker does).
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

/** The modules the prover threads load: snarkjs and its own copies of ffjavascript and circom_runtime (so the curve cached is the one it uses). */
function proverModules(): { snarkjs: string; ffjavascript: string; circomRuntime: string } {
  const snarkjs = createRequire(import.meta.url).resolve('snarkjs');
  const fromSnarkjs = createRequire(snarkjs);
  return { snarkjs, ffjavascript: fromSnarkjs.resolve('ffjavascript'), circomRuntime: fromSnarkjs.resolve('circom_runtime') };
}

/**
 * Prover threads for one circuit (its witness generator and proving key),
 * kept between chunks: each proves one chunk at a time. `cax prove` makes one
 * per run; a farm worker keeps one for the circuit of the chunks it is sent.
 */
export class ChunkProver {
  private readonly idle: Worker[];
  private readonly threads: Worker[];
  private readonly queued: ((worker: Worker) => void)[] = [];

  constructor(options: Pick<ProveOptions, 'wasm' | 'zkey'> & { readonly threads: number }) {
    const modules = proverModules();
    this.threads = Array.from(
      { length: Math.max(1, options.threads) },
      () => new Worker(WORKER, { eval: true, workerData: { ...modules, wasm: options.wasm, zkey: options.zkey, ...WEB_WORKER_QUIET } }),
    );
    this.idle = [...this.threads];
  }

  /** The proof of chunk `index` (E_PROOF_REJECTED when the circuit refuses its input). */
  async prove(index: number, input: ChunkInput): Promise<ChunkProof> {
    const worker = this.idle.pop() ?? (await new Promise<Worker>((r) => this.queued.push(r)));
    try {
      const reply = await new Promise<Reply>((resolveReply, reject) => {
        const onMessage = (m: Reply): void => {
          if (m.index !== index) return;
          worker.off('message', onMessage).off('error', reject);
          resolveReply(m);
        };
        worker.on('message', onMessage).once('error', reject);
        worker.postMessage({ index, input });
      });
      if (reply.error !== undefined) throw rejected(index, reply.error);
      return { proof: reply.proof!, publicSignals: reply.publicSignals! };
    } finally {
      const next = this.queued.shift();
      if (next) next(worker);
      else this.idle.push(worker);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((w) => w.terminate()));
  }
}

export async function proveChunks(inputs: readonly ChunkInput[], options: ProveOptions): Promise<ChunkProof[]> {
  const count = Math.max(1, Math.min(options.workers ?? availableParallelism(), inputs.length));
  const prover = new ChunkProver({ wasm: options.wasm, zkey: options.zkey, threads: count });
  const results: ChunkProof[] = new Array<ChunkProof>(inputs.length);
  let next = 0;
  let failure: unknown;
  try {
    // one feeder a thread: after a failure nothing new starts
    await Promise.all(
      Array.from({ length: count }, async () => {
        while (next < inputs.length && failure === undefined) {
          const index = next++;
          try {
            results[index] = await prover.prove(index, inputs[index]!);
          } catch (e) {
            failure ??= e;
          }
          options.onProgress?.();
        }
      }),
    );
  } finally {
    await prover.close();
  }
  if (failure !== undefined) throw failure;
  return results;
}
