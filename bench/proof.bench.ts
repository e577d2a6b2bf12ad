// Proofs of execution (docs/proofs.md): constraints per step, proving
// throughput against snarkjs proving a plain circuit of the same size with
// the same workers, verification per chunk batched against one by one, the
// whole receipt's verification (memory replay included), and receipt size
// per 1,000 steps. Uses the test-size circuit and keys that
// `make proof-keys` builds in build/proof/home, and build/proof/mix.elf.
import { readFileSync } from 'node:fs';
import { getCurveFromName } from 'ffjavascript';
import { availableParallelism } from 'node:os';
import { compileCircom, compileCircuit, ptauPower } from '../host/proof/circuit.js';
import { releaseCurve } from '../host/proof/curve.js';
import { programImage } from '../host/proof/image.js';
import { proveRun, traceOnIss } from '../host/proof/prove.js';
import { proveChunks } from '../host/proof/prover.js';
import { decodeProof, encodeReceipt, type Receipt } from '../host/proof/receipt.js';
import { circuitKeys, devPtau, readVerificationKey } from '../host/proof/setup.js';
import { chunkSignals, parseVerificationKey, verifyBatch, verifyEach, verifyReceipt } from '../host/proof/verify.js';
import type { BenchSuite } from './harness.js';

const HOME = 'build/proof/home';
const SIZE = { steps: 4 };
const PROGRAM = 'build/proof/mix.elf';
const workers = availableParallelism();

async function setup() {
  const circuit = await compileCircuit(SIZE, HOME);
  const ptau = await devPtau(HOME, ptauPower(circuit));
  const keys = await circuitKeys(HOME, circuit, ptau);
  const elf = readFileSync(PROGRAM);
  const { trace, cycles } = traceOnIss(elf, 1_000_000);
  // The plain reference: the same constraint count, same power of tau.
  const n = circuit.constraints;
  const plain = await compileCircom(`pragma circom 2.1.0;\ninclude "plain.circom";\ncomponent main = Plain(${n});\n`, `plain_${n}`, 'v1', HOME);
  const plainKeys = await circuitKeys(HOME, plain, ptau);
  return { circuit, keys, image: programImage(elf), trace, cycles, plain, plainKeys, vk: parseVerificationKey(readVerificationKey(keys.vkey)) };
}

let ready: ReturnType<typeof setup> | undefined;
let lastReceipt: Receipt | undefined;
const get = (): ReturnType<typeof setup> => (ready ??= setup());

async function receipt(): Promise<Receipt> {
  const s = await get();
  lastReceipt ??= await proveRun({ trace: s.trace, image: s.image, cycles: s.cycles }, s.circuit, s.keys, { workers });
  return lastReceipt;
}

/** The proofs of the receipt, with the curve's worker threads already started (not part of the time). */
async function proofsToCheck() {
  const r = await receipt();
  await getCurveFromName('bn128');
  return r.chunks.map((c, k) => ({ proof: decodeProof(c.proof), publicSignals: chunkSignals(r, k) }));
}

export const suite: BenchSuite = {
  title: 'Proofs of execution',
  cases: [
    {
      name: `constraints per step (${SIZE.steps}-step chunk)`,
      unit: 'constraints/step',
      higherIsBetter: false,
      sample: async () => (await get()).circuit.constraints / SIZE.steps,
    },
    {
      name: `proving throughput, ${workers} worker threads (mix.elf)`,
      unit: 'steps/s',
      higherIsBetter: true,
      sample: async () => {
        const s = await get();
        const t = performance.now();
        lastReceipt = await proveRun({ trace: s.trace, image: s.image, cycles: s.cycles }, s.circuit, s.keys, { workers });
        await releaseCurve();
        return s.trace.length / ((performance.now() - t) / 1000);
      },
      reference: {
        name: 'snarkjs on a plain circuit of the same constraint count, same workers',
        sample: async () => {
          const s = await get();
          const chunks = Math.ceil(s.trace.length / SIZE.steps);
          const inputs = Array.from({ length: chunks }, (_, i) => ({ x: String(i + 2) }));
          const t = performance.now();
          await proveChunks(inputs, { wasm: s.plain.wasm, zkey: s.plainKeys.zkey, workers });
          return s.trace.length / ((performance.now() - t) / 1000);
        },
      },
    },
    {
      name: 'verification per chunk, batched',
      unit: 'ms/proof',
      higherIsBetter: false,
      sample: async () => {
        const s = await get();
        const proofs = await proofsToCheck();
        const t = performance.now();
        await verifyBatch(s.vk, proofs);
        return (performance.now() - t) / proofs.length;
      },
      reference: {
        name: 'one by one (snarkjs groth16.verify)',
        sample: async () => {
          const s = await get();
          const proofs = await proofsToCheck();
          const t = performance.now();
          await verifyEach(s.vk, proofs);
          return (performance.now() - t) / proofs.length;
        },
      },
    },
    {
      name: 'whole receipt verification per chunk, batched (checks, memory replay, proofs)',
      unit: 'ms/chunk',
      higherIsBetter: false,
      sample: async () => {
        const s = await get();
        const r = await receipt();
        await getCurveFromName('bn128');
        const t = performance.now();
        const verdict = await verifyReceipt(r, s.vk);
        if (!verdict.ok) throw new Error(`the bench receipt does not verify: ${verdict.reason}`);
        return (performance.now() - t) / r.chunks.length;
      },
    },
    {
      name: 'receipt size per 1,000 steps (mix.elf)',
      unit: 'bytes',
      higherIsBetter: false,
      sample: async () => {
        const r = await receipt();
        await releaseCurve();
        return (encodeReceipt(r).length / r.steps) * 1000;
      },
    },
  ],
};
