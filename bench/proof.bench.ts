// Proofs of execution (docs/proofs.md): constraints per step, proving
// throughput with chunks sized to the run (host/proof/chunk-size.ts, among
// the development size of `make proof-keys` and `cax zk setup`'s default)
// against today's configuration of receipt format 4 (the 761-constraint step
// circuit of circuits/reference/, 4-step chunks, same prover and workers) in
// the same run, on build/proof/mix.elf and on a TEL run with an effect
// (`make demo`'s quote 3), verification per chunk batched against one by one,
// the whole receipt's verification (memory replay included), and receipt size
// per 1,000 steps; and a step's proving time in full chunks of each size that
// fills its domain (9, 18, 37, 75 steps: 2^12 … 2^15) against today's
// configuration, steady state on the same worker threads; and the time to
// make a development powers-of-tau from a known τ against snarkjs's ceremony
// (new, contribute, preparePhase2), side by side. Keys in
// build/proof/home: the development ones of `make proof-keys`, the others
// made here once (the development powers-of-tau of 2^15 in a few minutes,
// the smaller ones truncated from it: docs/proofs.md "Setup and keys").
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as snarkjs from 'snarkjs';
import { getCurveFromName } from 'ffjavascript';
import { availableParallelism } from 'node:os';
import { chooseCircuit } from '../host/proof/chunk-size.js';
import { compileCircom, compileCircuit, DEFAULT_SIZE, DEV_SIZE, ptauPower, type Circuit } from '../host/proof/circuit.js';
import { releaseCurve } from '../host/proof/curve.js';
import { programImage } from '../host/proof/image.js';
import { proveRun, traceOnIss, type ProveRun } from '../host/proof/prove.js';
import { decodeProof, encodeReceipt, type Receipt } from '../host/proof/receipt.js';
import { makeDevPtau } from '../host/proof/dev-ptau.js';
import { ChunkProver } from '../host/proof/prover.js';
import { circuitKeys, devPtau, readVerificationKey, type Keys } from '../host/proof/setup.js';
import { buildStatement } from '../host/proof/statement.js';
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
/** The sizes that fill the domains of 2^12 … 2^15 (docs/proofs.md "Chunk size"), largest first (its powers-of-tau is made, the others truncated from it). */
const CHUNK_SIZES = [75, 37, 18, 9].map((steps) => ({ steps }));
/** The power of the development powers-of-tau made side by side with snarkjs's ceremony (small: the ceremony takes minutes at 2^12). */
const PTAU_POWER = 10;
/** Full chunks proved a sample, per worker thread. */
const CHUNKS_A_THREAD = 2;

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
  const chunkSized: { circuit: Circuit; keys: Keys }[] = [];
  for (const size of CHUNK_SIZES) chunkSized.push(await setUp(await compileCircuit(size, HOME)));
  const sized = chunkSized.filter((x) => SIZES.some((z) => z.steps === x.circuit.size.steps));
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
  return { mix, quote: await quoteRun(), forRun, reference, dev, mixSized, chunkSized, vk: parseVerificationKey(readVerificationKey(mixSized.keys.vkey)) };
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

/**
 * Milliseconds a step of full chunks of `circuit` takes on the worker
 * threads in steady state: each thread warmed up by one proof (not timed),
 * then CHUNKS_A_THREAD full chunks of `run` a thread, side by side.
 */
async function msPerStep(run: ProveRun, { circuit, keys }: { circuit: Circuit; keys: Keys }): Promise<number> {
  const full = buildStatement(run.trace, circuit.size).inputs.slice(0, -1);
  const count = workers * (1 + CHUNKS_A_THREAD);
  if (full.length < count) throw new Error(`${run.trace.length} steps make ${full.length} full chunks of ${circuit.size.steps}, not ${count}`);
  const prover = new ChunkProver({ wasm: circuit.wasm, zkey: keys.zkey, threads: workers });
  try {
    const side = (from: number, n: number): Promise<unknown> =>
      Promise.all(
        Array.from({ length: workers }, (_, w) =>
          (async () => {
            for (let k = 0; k < n; k++) await prover.prove(from + w * n + k, full[from + w * n + k]!);
          })(),
        ),
      );
    await side(0, 1);
    const t = performance.now();
    await side(workers, CHUNKS_A_THREAD);
    return (performance.now() - t) / (workers * CHUNKS_A_THREAD * circuit.size.steps);
  } finally {
    await prover.close();
  }
}

/** Seconds to make a development powers-of-tau of 2^PTAU_POWER, from a known τ or by snarkjs's ceremony (new, contribute, preparePhase2). */
async function ptauSeconds(how: 'known τ' | 'ceremony'): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'cax-bench-ptau-'));
  try {
    const t = performance.now();
    if (how === 'known τ') await makeDevPtau(join(dir, 'dev.ptau'), PTAU_POWER);
    else {
      await snarkjs.powersOfTau.newAccumulator(await getCurveFromName('bn128'), PTAU_POWER, join(dir, '0.ptau'));
      await snarkjs.powersOfTau.contribute(join(dir, '0.ptau'), join(dir, '1.ptau'), 'bench', randomBytes(32).toString('hex'));
      await snarkjs.powersOfTau.preparePhase2(join(dir, '1.ptau'), join(dir, 'dev.ptau'));
    }
    return (performance.now() - t) / 1000;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await releaseCurve();
  }
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
    ...CHUNK_SIZES.map((size) => ({
      name: `proving time per step, ${workers} worker threads, full ${size.steps}-step chunks (steady state, quote 3's chunks)`,
      unit: 'ms/step',
      higherIsBetter: false,
      sample: async () => {
        const s = await get();
        return msPerStep(
          s.quote,
          s.chunkSized.find((x) => x.circuit.size.steps === size.steps)!,
        );
      },
      // (receipt format 4's circuit has no CSR instructions: mix.elf's chunks, which cost the same per chunk)
      reference: {
        name: `today's configuration (receipt format 4), full ${REFERENCE_SIZE.steps}-step chunks of mix.elf, same threads`,
        sample: async () => {
          const s = await get();
          return msPerStep(s.mix, s.reference);
        },
      },
    })),
    {
      name: `development powers-of-tau of 2^${PTAU_POWER}, made from a known τ (dev-ptau.ts)`,
      unit: 's',
      higherIsBetter: false,
      sample: () => ptauSeconds('known τ'),
      reference: { name: "snarkjs's ceremony: new, contribute, preparePhase2", sample: () => ptauSeconds('ceremony') },
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
