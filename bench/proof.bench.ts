// Proofs of execution (docs/proofs.md): constraints per step, proving
// throughput against today's configuration of receipt format 4 (the
// 761-constraint step circuit of circuits/reference/, 4-step chunks, same
// prover and workers) in the same run, verification per chunk batched against
// one by one, the whole receipt's verification (memory replay included), and
// receipt size per 1,000 steps. Uses the development-size circuit and keys
// that `make proof-keys` builds in build/proof/home, and build/proof/mix.elf.
import { readFileSync } from 'node:fs';
import { getCurveFromName } from 'ffjavascript';
import { availableParallelism } from 'node:os';
import { compileCircom, compileCircuit, DEV_SIZE, ptauPower, type Circuit } from '../host/proof/circuit.js';
import { releaseCurve } from '../host/proof/curve.js';
import { programImage } from '../host/proof/image.js';
import { proveRun, traceOnIss } from '../host/proof/prove.js';
import { decodeProof, encodeReceipt, type Receipt } from '../host/proof/receipt.js';
import { circuitKeys, devPtau, readVerificationKey } from '../host/proof/setup.js';
import { chunkSignals, parseVerificationKey, verifyBatch, verifyEach, verifyReceipt } from '../host/proof/verify.js';
import type { BenchSuite } from './harness.js';

const HOME = 'build/proof/home';
const SIZE = DEV_SIZE;
/** Today's configuration before issue 21: receipt format 4's circuit, circom's default simplification, 4-step chunks. */
const REFERENCE_SIZE = { steps: 4 };
const PROGRAM = 'build/proof/mix.elf';
const workers = availableParallelism();

async function setup() {
  const circuit = await compileCircuit(SIZE, HOME);
  const ptau = await devPtau(HOME, ptauPower(circuit));
  const keys = await circuitKeys(HOME, circuit, ptau);
  const elf = readFileSync(PROGRAM);
  const { trace, cycles } = traceOnIss(elf, 1_000_000);
  const main = `pragma circom 2.1.0;\ninclude "reference/rv32im-v4.circom";\ncomponent main {public [pcIn, regsIn]} = Chunk(${REFERENCE_SIZE.steps});\n`;
  // (keyed by the reference's interface version: v4-2 takes the system-step hints and has no exitValue output)
  const reference: Circuit = { size: REFERENCE_SIZE, ...(await compileCircom(main, `rv32im_v4_${REFERENCE_SIZE.steps}`, 'v4-2', HOME, [])) };
  const referenceKeys = await circuitKeys(HOME, reference, await devPtau(HOME, ptauPower(reference)));
  return { circuit, keys, image: programImage(elf), trace, cycles, reference, referenceKeys, vk: parseVerificationKey(readVerificationKey(keys.vkey)) };
}

let ready: ReturnType<typeof setup> | undefined;
let lastReceipt: Receipt | undefined;
let lastReferenceReceipt: Receipt | undefined;
const get = (): ReturnType<typeof setup> => (ready ??= setup());

async function receipt(): Promise<Receipt> {
  const s = await get();
  lastReceipt ??= await proveRun({ trace: s.trace, image: s.image, cycles: s.cycles }, s.circuit, s.keys, { workers });
  return lastReceipt;
}

/** A receipt of today's configuration (the reference), proved afresh. */
async function proveReference(): Promise<Receipt> {
  const s = await get();
  lastReferenceReceipt = await proveRun({ trace: s.trace, image: s.image, cycles: s.cycles }, s.reference, s.referenceKeys, { workers });
  await releaseCurve();
  return lastReferenceReceipt;
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
      reference: {
        name: `today's configuration (receipt format 4), ${REFERENCE_SIZE.steps}-step chunk`,
        sample: async () => (await get()).reference.constraints / REFERENCE_SIZE.steps,
      },
    },
    {
      name: `proving throughput, ${workers} worker threads, ${SIZE.steps}-step chunks (mix.elf)`,
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
        name: `today's configuration (receipt format 4): the 761-constraint circuit, ${REFERENCE_SIZE.steps}-step chunks, same workers`,
        sample: async () => {
          const s = await get();
          const t = performance.now();
          await proveReference();
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
      reference: {
        name: `today's configuration (receipt format 4), ${REFERENCE_SIZE.steps}-step chunks`,
        sample: async () => {
          const r = lastReferenceReceipt ?? (await proveReference());
          return (encodeReceipt(r).length / r.steps) * 1000;
        },
      },
    },
  ],
};
