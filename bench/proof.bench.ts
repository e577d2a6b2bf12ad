// Proofs of execution (docs/proofs.md): constraints per step, proving
// throughput with chunks sized to the run (host/proof/chunk-size.ts, among
// the development size of `make proof-keys` and `cax zk setup`'s default)
// against today's configuration of receipt format 4 (the 761-constraint step
// circuit of circuits/reference/, 4-step chunks, same prover and workers) in
// the same run, on build/proof/mix.elf and on a TEL run with an effect
// (`make demo`'s quote 3), verification per chunk batched against one by one,
// the whole receipt's verification (memory replay included), and receipt size
// per 1,000 steps. Keys in build/proof/home: the development ones of `make
// proof-keys`, the others made here once (the 2^14 development powers-of-tau
// the default size needs takes minutes: docs/proofs.md "Chunk size").
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCurveFromName } from 'ffjavascript';
import { availableParallelism } from 'node:os';
import { chooseCircuit } from '../host/proof/chunk-size.js';
import { compileCircom, compileCircuit, DEFAULT_SIZE, DEV_SIZE, ptauPower, type Circuit } from '../host/proof/circuit.js';
import { releaseCurve } from '../host/proof/curve.js';
import { programImage } from '../host/proof/image.js';
import { proveRun, traceOnIss, type ProveRun } from '../host/proof/prove.js';
import { decodeProof, encodeReceipt, type Receipt } from '../host/proof/receipt.js';
import { circuitKeys, devPtau, readVerificationKey, type Keys } from '../host/proof/setup.js';
import { runTelProvingImage, telProvingImage } from '../host/proof/tel-prove.js';
import { Repository } from '../host/store/repository.js';
import { parseWorld } from '../host/tel/world.js';
import { chunkSignals, parseVerificationKey, verifyBatch, verifyEach, verifyReceipt } from '../host/proof/verify.js';
import type { BenchSuite } from './harness.js';

const HOME = 'build/proof/home';
/** The sizes set up: `make proof-keys`'s and `cax zk setup`'s default. */
const SIZES = [DEV_SIZE, DEFAULT_SIZE];
/** Today's configuration before issue 21: receipt format 4's circuit, circom's default simplification, 4-step chunks. */
const REFERENCE_SIZE = { steps: 4 };
const PROGRAM = 'build/proof/mix.elf';
const workers = availableParallelism();

/** The circuit and keys of a size, made (once) if missing. */
async function setUp(circuit: Circuit): Promise<{ circuit: Circuit; keys: Keys }> {
  return { circuit, keys: await circuitKeys(HOME, circuit, await devPtau(HOME, ptauPower(circuit))) };
}

/** `make demo`'s TEL run: quote 3 with its world (one observe), on the ISS. */
async function quoteRun(): Promise<ProveRun> {
  const store = mkdtempSync(join(tmpdir(), 'cax-bench-store-'));
  try {
    const repo = Repository.open(store);
    const file = 'examples/quote.tel';
    const image = telProvingImage(repo, { name: 'quote', source: { file, text: readFileSync(file, 'utf8') } }, ['3']);
    const world = parseWorld(JSON.parse(readFileSync('examples/quote.world.json', 'utf8')), 'examples/quote.world.json');
    return (await runTelProvingImage(image, 'quote', { on: 'iss', maxCycles: 1_000_000, world })).run;
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
}

async function setup() {
  const sized: { circuit: Circuit; keys: Keys }[] = [];
  for (const size of SIZES) sized.push(await setUp(await compileCircuit(size, HOME)));
  const elf = readFileSync(PROGRAM);
  const { trace, cycles } = traceOnIss(elf, 1_000_000);
  const mix: ProveRun = { trace, cycles, image: programImage(elf) };
  const main = `pragma circom 2.1.0;\ninclude "reference/rv32im-v4.circom";\ncomponent main {public [pcIn, regsIn]} = Chunk(${REFERENCE_SIZE.steps});\n`;
  // (keyed by the reference's interface version: v4-2 takes the system-step hints and has no exitValue output)
  const reference = await setUp({ size: REFERENCE_SIZE, ...(await compileCircom(main, `rv32im_v4_${REFERENCE_SIZE.steps}`, 'v4-2', HOME, [])) });
  /** The size chooseCircuit picks for a run on these workers, with its keys. */
  const forRun = (run: ProveRun): { circuit: Circuit; keys: Keys } => {
    const chosen = chooseCircuit(
      run.trace.length,
      workers,
      sized.map((x) => x.circuit),
    );
    return sized.find((x) => x.circuit === chosen)!;
  };
  const mixSized = forRun(mix);
  const dev = sized.find((x) => x.circuit.size.steps === DEV_SIZE.steps)!;
  return { mix, quote: await quoteRun(), forRun, reference, dev, mixSized, vk: parseVerificationKey(readVerificationKey(mixSized.keys.vkey)) };
}

let ready: ReturnType<typeof setup> | undefined;
let lastReceipt: Receipt | undefined;
let lastReferenceReceipt: Receipt | undefined;
const get = (): ReturnType<typeof setup> => (ready ??= setup());

/** Proves a run with chunks sized to it, the reference configuration or the development chunks: steps per second. */
async function throughput(run: (s: Awaited<ReturnType<typeof setup>>) => ProveRun, how: 'sized' | 'reference' | 'dev'): Promise<number> {
  const s = await get();
  const r = run(s);
  const reference = how === 'reference';
  const { circuit, keys } = reference ? s.reference : how === 'dev' ? s.dev : s.forRun(r);
  const t = performance.now();
  const receipt = await proveRun(r, circuit, keys, { workers });
  const rate = r.trace.length / ((performance.now() - t) / 1000);
  if (r === s.mix && how !== 'dev') {
    if (reference) lastReferenceReceipt = receipt;
    else lastReceipt = receipt;
  }
  await releaseCurve();
  return rate;
}

async function receipt(): Promise<Receipt> {
  const s = await get();
  lastReceipt ??= await proveRun(s.mix, s.mixSized.circuit, s.mixSized.keys, { workers });
  return lastReceipt;
}

/** A receipt of today's configuration (the reference), proved afresh. */
async function proveReference(): Promise<Receipt> {
  const s = await get();
  lastReferenceReceipt = await proveRun(s.mix, s.reference.circuit, s.reference.keys, { workers });
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
      name: `constraints per step (${DEV_SIZE.steps}-step chunk)`,
      unit: 'constraints/step',
      higherIsBetter: false,
      sample: async () => (await compileCircuit(DEV_SIZE, HOME)).constraints / DEV_SIZE.steps,
      reference: {
        name: `today's configuration (receipt format 4), ${REFERENCE_SIZE.steps}-step chunk`,
        sample: async () => (await get()).reference.circuit.constraints / REFERENCE_SIZE.steps,
      },
    },
    {
      name: `proving throughput, ${workers} worker threads, chunks sized to the run (of ${SIZES.map((z) => z.steps).join(' and ')} steps), mix.elf (120 steps)`,
      unit: 'steps/s',
      higherIsBetter: true,
      sample: () => throughput((s) => s.mix, 'sized'),
      reference: {
        name: `today's configuration (receipt format 4): the 761-constraint circuit, ${REFERENCE_SIZE.steps}-step chunks, same workers`,
        sample: () => throughput((s) => s.mix, 'reference'),
      },
    },
    {
      name: `proving throughput, ${workers} worker threads, chunks sized to the run (of ${SIZES.map((z) => z.steps).join(' and ')} steps), quote 3 (TEL, one observe, about 1,200 steps)`,
      unit: 'steps/s',
      higherIsBetter: true,
      sample: () => throughput((s) => s.quote, 'sized'),
      // (receipt format 4's circuit has no CSR instructions, which the budget checks read: the tests' and the demo's chunks instead)
      reference: {
        name: `this circuit in the development chunks of the tests and the demo (${DEV_SIZE.steps} steps), same workers`,
        sample: () => throughput((s) => s.quote, 'dev'),
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
      name: 'receipt size per 1,000 steps (mix.elf, chunks sized to the run)',
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
