// Verification of Groth16 chunk proofs and of receipts (docs/proofs.md).
// One by one is snarkjs's verifier; a batch checks all proofs with one
// multi-pairing: for random r_i, prod e(-r_i A_i, B_i) · e(sum r_i · alpha, beta)
// · e(sum r_i L_i, gamma) · e(sum r_i C_i, delta) = 1, where the public-input
// points sum r_i L_i come from a single multi-exponentiation. A batch that
// fails is re-checked one by one, so both give the same verdicts.
import { createHash, randomBytes } from 'node:crypto';
import * as snarkjs from 'snarkjs';
import { getCurveFromName, type Curve } from 'ffjavascript';
import type { Groth16Proof } from 'snarkjs';
import { z } from 'zod';
import { CaxError } from '../errors.js';
import { cyclesOf, decodeAccesses, packAccess, PROOF_RAM_BYTES, replayMemory, type Access, type Memory } from './access.js';
import { publicLayout, type CircuitSize } from './circuit.js';
import { imageHash } from './image.js';
import { decodeProof, decodeState, type Receipt } from './receipt.js';
import { telClaimFault } from './tel-output.js';
import { RESET_STATE, type State } from './statement.js';

export interface ProofToCheck {
  readonly proof: Groth16Proof;
  readonly publicSignals: readonly string[];
}

const G1Point = z.array(z.string()).min(2);
const VerificationKeySchema = z.object({
  protocol: z.literal('groth16'),
  curve: z.literal('bn128'),
  nPublic: z.number().int().nonnegative(),
  vk_alpha_1: G1Point,
  vk_beta_2: z.array(z.array(z.string())),
  vk_gamma_2: z.array(z.array(z.string())),
  vk_delta_2: z.array(z.array(z.string())),
  IC: z.array(G1Point),
});
export type VerificationKey = z.infer<typeof VerificationKeySchema>;

export function parseVerificationKey(raw: unknown): VerificationKey {
  const parsed = VerificationKeySchema.safeParse(raw);
  if (!parsed.success) throw new CaxError('E_SETUP', `not a Groth16 verifying key: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}

/** The input hash of a run that reads no input (an ELF program). */
const NO_INPUT_HASH = createHash('sha256').update(new Uint8Array(0)).digest('hex');

/** The hash a receipt names its verifying key by: sha256 of the key's points in a fixed order. */
export function verifyingKeyHash(vk: VerificationKey): string {
  const canonical = { protocol: vk.protocol, curve: vk.curve, nPublic: vk.nPublic, alpha: vk.vk_alpha_1, beta: vk.vk_beta_2, gamma: vk.vk_gamma_2, delta: vk.vk_delta_2, ic: vk.IC };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/**
 * Refuses (E_SETUP) a verifying key that anyone could forge proofs for: δ
 * equal to γ or to the generator of G2 (a key with no phase-2 contribution),
 * or points that are not on the curve.
 */
export async function checkVerificationKey(vk: VerificationKey): Promise<void> {
  const curve = await getCurveFromName('bn128');
  let gamma: Uint8Array;
  let delta: Uint8Array;
  try {
    gamma = curve.G2.fromObject(vk.vk_gamma_2.map((pair) => pair.map((s) => BigInt(s))));
    delta = curve.G2.fromObject(vk.vk_delta_2.map((pair) => pair.map((s) => BigInt(s))));
  } catch (e) {
    throw new CaxError('E_SETUP', `the verifying key's γ or δ is not a point: ${(e as Error).message}`, { cause: e });
  }
  if (!curve.G2.isValid(gamma) || !curve.G2.isValid(delta)) throw new CaxError('E_SETUP', "the verifying key's γ or δ is not on the curve");
  if (curve.G2.eq(delta, gamma) || curve.G2.eq(delta, curve.G2.g)) {
    throw new CaxError('E_SETUP', 'the verifying key has δ = γ or δ = the generator: it had no phase-2 contribution, and anyone can forge proofs for it (remake it with `cax zk setup`)');
  }
}

/** snarkjs's own verifier on each proof. */
export async function verifyEach(vk: VerificationKey, proofs: readonly ProofToCheck[]): Promise<boolean[]> {
  const out: boolean[] = [];
  for (const p of proofs) {
    try {
      out.push(await snarkjs.groth16.verify(vk, [...p.publicSignals], p.proof));
    } catch {
      out.push(false);
    }
  }
  return out;
}

function scalar(curve: Curve, v: bigint): Uint8Array {
  return curve.Fr.e(((v % curve.r) + curve.r) % curve.r);
}

/** Points of one proof, or undefined when a coordinate is not a valid curve point. */
function points(curve: Curve, p: ProofToCheck): { a: Uint8Array; b: Uint8Array; c: Uint8Array } | undefined {
  try {
    const a = curve.G1.fromObject(p.proof.pi_a.map((s) => BigInt(s)));
    const b = curve.G2.fromObject(p.proof.pi_b.map((pair) => pair.map((s) => BigInt(s))));
    const c = curve.G1.fromObject(p.proof.pi_c.map((s) => BigInt(s)));
    if (!curve.G1.isValid(a) || !curve.G2.isValid(b) || !curve.G1.isValid(c)) return undefined;
    return { a, b, c };
  } catch {
    return undefined;
  }
}

/** All proofs with one multi-pairing; a false result is resolved one by one. */
export async function verifyBatch(vk: VerificationKey, proofs: readonly ProofToCheck[]): Promise<boolean[]> {
  if (proofs.length === 0) return [];
  const curve = await getCurveFromName('bn128');
  const r = curve.r;
  const field = (s: string): bigint => BigInt(s);
  const valid = proofs.every((p) => p.publicSignals.length === vk.nPublic && p.publicSignals.every((s) => /^\d+$/.test(s) && field(s) < r));
  const pts = proofs.map((p) => points(curve, p));
  if (!valid || pts.some((p) => p === undefined)) return verifyEach(vk, proofs);
  const rs = proofs.map(() => BigInt(`0x${randomBytes(16).toString('hex')}`) | 1n);
  let rSum = 0n;
  for (const ri of rs) rSum += ri;
  // sum r_i L_i = (sum r_i) IC_0 + sum_j (sum_i r_i x_ij) IC_j
  const n = vk.nPublic + 1;
  const g1Size = curve.G1.F.n8 * 2;
  const icPoints = new Uint8Array(g1Size * n);
  const icScalars = new Uint8Array(curve.Fr.n8 * n);
  for (let j = 0; j < n; j++) {
    icPoints.set(curve.G1.toAffine(curve.G1.fromObject(vk.IC[j]!.map(field))), j * g1Size);
    let s = j === 0 ? rSum : 0n;
    if (j > 0) for (let i = 0; i < proofs.length; i++) s += rs[i]! * field(proofs[i]!.publicSignals[j - 1]!);
    icScalars.set(scalar(curve, s), j * curve.Fr.n8);
  }
  const sumL = await curve.G1.multiExpAffine(icPoints, icScalars);
  const cPoints = new Uint8Array(g1Size * proofs.length);
  const cScalars = new Uint8Array(curve.Fr.n8 * proofs.length);
  const args: Uint8Array[] = [];
  proofs.forEach((_, i) => {
    const { a, b, c } = pts[i]!;
    cPoints.set(curve.G1.toAffine(c), i * g1Size);
    cScalars.set(scalar(curve, rs[i]!), i * curve.Fr.n8);
    args.push(curve.G1.neg(curve.G1.timesScalar(a, scalar(curve, rs[i]!))), b);
  });
  const sumC = await curve.G1.multiExpAffine(cPoints, cScalars);
  const alpha = curve.G1.timesScalar(curve.G1.fromObject(vk.vk_alpha_1.map(field)), scalar(curve, rSum));
  const g2 = (o: string[][]): Uint8Array => curve.G2.fromObject(o.map((pair) => pair.map(field)));
  args.push(alpha, g2(vk.vk_beta_2), sumL, g2(vk.vk_gamma_2), sumC, g2(vk.vk_delta_2));
  if (await curve.pairingEq(...args)) return proofs.map(() => true);
  return verifyEach(vk, proofs);
}

export interface ReceiptVerdict {
  readonly ok: boolean;
  /** Why not, when not ok. */
  readonly reason?: string;
  /** Per chunk: did its proof verify (absent when a structural check failed first). */
  readonly chunks?: readonly boolean[];
  readonly exitCode?: number;
  /** RAM at the end of the run, replayed from the image and the proved stores (when ok): where a caller reads output values. */
  readonly memory?: Memory;
}

function sameState(a: State, b: State): boolean {
  return a.pc === b.pc && a.regs.every((r, i) => r === b.regs[i]);
}

/** The public signals chunk k of the receipt must have proved (`accesses`: its access words, decoded from the receipt by default). */
export function chunkSignals(receipt: Receipt, k: number, accesses: readonly Access[] = decodeAccesses(receipt.chunks[k]!.accesses)): string[] {
  const size: CircuitSize = { steps: receipt.circuit.steps };
  const layout = publicLayout(size);
  const before = decodeState(receipt.states[k]!);
  const after = decodeState(receipt.states[k + 1]!);
  const last = k === receipt.chunks.length - 1;
  const out = new Array<string>(layout.count);
  out[layout.pcOut] = String(after.pc);
  after.regs.forEach((v, i) => (out[layout.regsOut + i] = String(v)));
  out[layout.exited] = last ? '1' : '0';
  out[layout.steps] = String(receipt.chunks[k]!.steps);
  for (let i = 0; i < size.steps; i++) out[layout.access + i] = i < accesses.length ? packAccess(accesses[i]!).toString() : '0';
  out[layout.pcIn] = String(before.pc);
  before.regs.forEach((v, i) => (out[layout.regsIn + i] = String(v)));
  return out;
}

/**
 * Checks a receipt: its shape, the binding of the image to the program hash,
 * the verifying key (the one the receipt names, with a phase-2 contribution),
 * the start from reset, the chunk sizes, the claimed output against the final
 * state, the access words of all chunks in order against memory replayed
 * from the image and the host's writes at each ecall (instruction fetch,
 * initial data, loads reading what was stored; device reads against the
 * receipt's UART input, which the run must read all of), a TEL claim by running its
 * effects again over the proved runs (host/proof/tel-output.ts), and every chunk proof against the states on both sides of it (so
 * chunks chain) and its access words, with the verifying key of the
 * receipt's circuit.
 */
export async function verifyReceipt(receipt: Receipt, vk: VerificationKey, options: { batch?: boolean; programHash?: string } = {}): Promise<ReceiptVerdict> {
  const fail = (reason: string): ReceiptVerdict => ({ ok: false, reason });
  const size: CircuitSize = { steps: receipt.circuit.steps };
  if (vk.nPublic !== publicLayout(size).count) return fail('the verifying key is not for this circuit size');
  const keyHash = verifyingKeyHash(vk);
  if (keyHash !== receipt.verifyingKey) return fail(`the receipt was made for verifying key ${receipt.verifyingKey}, not for the key given (${keyHash})`);
  await checkVerificationKey(vk);
  if (imageHash(receipt.program.image) !== receipt.program.hash) return fail('the program image does not have the program hash');
  if (options.programHash !== undefined && options.programHash !== receipt.program.hash) return fail(`the receipt is for program ${receipt.program.hash}, not ${options.programHash}`);
  if (receipt.program.image.length > PROOF_RAM_BYTES) return fail(`the program image is larger than the ${PROOF_RAM_BYTES} bytes of RAM the proofs model`);
  if (receipt.tel === undefined && receipt.inputHash !== NO_INPUT_HASH) return fail('the receipt claims an input, but a program without a TEL claim reads none');
  if (receipt.tel === undefined && receipt.hostWrites.length > 0) return fail('the receipt claims host writes, but a program without a TEL claim has no host protocol');
  if (receipt.tel !== undefined && receipt.uartInput.length > 0) return fail('the receipt claims UART input, but a TEL proving run receives none (its input is its arguments and the host writes)');
  if (receipt.states.length !== receipt.chunks.length + 1) return fail(`${receipt.chunks.length} chunks need ${receipt.chunks.length + 1} states, not ${receipt.states.length}`);
  if (!sameState(decodeState(receipt.states[0]!), RESET_STATE)) return fail('the first chunk does not start from reset');
  let steps = 0;
  for (let k = 0; k < receipt.chunks.length; k++) {
    const s = receipt.chunks[k]!.steps;
    const last = k === receipt.chunks.length - 1;
    if (s > size.steps || (!last && s !== size.steps)) return fail(`chunk ${k} claims ${s} steps in a circuit of ${size.steps}`);
    steps += s;
  }
  if (steps !== receipt.steps) return fail(`the chunks hold ${steps} steps, the receipt claims ${receipt.steps}`);
  const final = decodeState(receipt.states[receipt.states.length - 1]!);
  if (final.regs[10] !== receipt.output.a0) return fail(`the claimed output a0=${receipt.output.a0} is not the final a0=${final.regs[10]}`);
  if ((receipt.output.exitValue & 1) !== 1) return fail('the exit value is not odd (the run did not end)');
  const accesses: Access[][] = [];
  for (const [k, c] of receipt.chunks.entries()) {
    let list: Access[];
    try {
      list = decodeAccesses(c.accesses);
    } catch (e) {
      return fail(`chunk ${k}: ${(e as Error).message}`);
    }
    if (list.length !== c.steps) return fail(`chunk ${k} has ${list.length} access words for ${c.steps} steps`);
    accesses.push(list);
  }
  const cycles = cyclesOf(accesses.flat());
  if (cycles !== receipt.cycles) return fail(`the receipt claims ${receipt.cycles} cycles, the proved instructions take ${cycles} (docs/soc.md cycle model)`);
  const replay = replayMemory(receipt.program.image, accesses.flat(), receipt.hostWrites, receipt.uartInput);
  if (!replay.ok) return fail(`chunk ${Math.floor(replay.firstBad! / size.steps)} step ${replay.firstBad! % size.steps}: ${replay.reason!}`);
  if (replay.exitValue !== receipt.output.exitValue) return fail("the run's accesses do not end with the claimed store to EXIT");
  if (Buffer.compare(replay.uart, receipt.output.uart) !== 0) {
    return fail(`the receipt's UART output (${receipt.output.uart.length} bytes) is not what the proved run transmits (${replay.uart.length} bytes)`);
  }
  const telFault = await telClaimFault(receipt);
  if (telFault !== undefined) return fail(telFault);
  const proofs = receipt.chunks.map((c, k) => ({ proof: decodeProof(c.proof), publicSignals: chunkSignals(receipt, k, accesses[k]) }));
  const chunks = options.batch === false ? await verifyEach(vk, proofs) : await verifyBatch(vk, proofs);
  const bad = chunks.findIndex((ok) => !ok);
  if (bad >= 0) return { ok: false, reason: `the proof of chunk ${bad} does not verify`, chunks };
  return { ok: true, chunks, exitCode: receipt.output.exitValue >>> 1, memory: replay.final };
}
