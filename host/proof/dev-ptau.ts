// The development powers-of-tau, made from secrets known while it is made
// (docs/proofs.md "Setup and keys"): τ, α and β are drawn from OS randomness,
// every point of the file is computed directly as a multiple of the
// generator (τ^i, α·τ^i, β·τ^i, and for the phase-2 sections the Lagrange
// bases L_i(τ), α·L_i(τ), β·L_i(τ) evaluated in the field) by a fixed-base
// multiplication on the curve's worker threads, instead of snarkjs's ceremony
// (new, contribute, and the group FFTs of preparePhase2). The file is
// snarkjs's .ptau format with one contribution whose public key and hashes
// are the ones snarkjs's `contribute` writes, so `snarkjs powersoftau verify`
// accepts it. It is NOT a ceremony: whoever runs this could keep τ (this
// code drops it when it returns); `--ptau FILE` is the way for real files.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { blake2b } from '@noble/hashes/blake2b';
import { ChaCha, getCurveFromName, Scalar, type Curve, type FrElement, type Group } from 'ffjavascript';
import { CaxError } from '../errors.js';

/** The name of the file's one contribution (shown by `snarkjs powersoftau verify`). */
export const DEV_PTAU_CONTRIBUTION = 'cax development powers-of-tau (not a ceremony)';

/** Window of the fixed-base multiplication: one table entry per byte value of each of the scalar's 32 bytes. */
const WINDOW_BITS = 8;
const WINDOWS = 32;
/** The largest file made (all of it is held in memory: several hundred MB of points and scalars at 2^18). */
const MAX_POWER = 18;
/** Points per task sent to a worker thread. */
const POINTS_PER_TASK = 1024;

type Blake2b = ReturnType<typeof blake2b.create>;

/** Progress of making a file: points computed so far of all. */
export type PtauProgress = (done: number, total: number) => void;

/** A field element of fresh OS randomness, neither 0 nor 1. */
function randomFr(curve: Curve): FrElement {
  for (;;) {
    const v = BigInt(`0x${randomBytes(64).toString('hex')}`) % curve.r;
    if (v > 1n) return curve.Fr.e(v);
  }
}

/** first·x^i for i < n, Montgomery elements concatenated. */
function geometric(curve: Curve, first: FrElement, x: FrElement, n: number): Uint8Array {
  const Fr = curve.Fr;
  const out = new Uint8Array(n * Fr.n8);
  let t = first;
  for (let i = 0; i < n; i++) {
    out.set(t, i * Fr.n8);
    t = Fr.mul(t, x);
  }
  return out;
}

/** Each element of `v` times `k`. */
function scaled(curve: Curve, v: Uint8Array, k: FrElement): Uint8Array {
  const Fr = curve.Fr;
  const out = new Uint8Array(v.length);
  for (let o = 0; o < v.length; o += Fr.n8) out.set(Fr.mul(v.subarray(o, o + Fr.n8), k), o);
  return out;
}

/**
 * The Lagrange bases at τ of the domains of 2^p, p = 0 … top, concatenated
 * as preparePhase2 writes them (the inverse FFT of τ^0 … τ^(n−1) over the
 * n-th roots of unity ω^i): L_i(τ) = ω^i·(τ^n − 1) / (n·(τ − ω^i)). At
 * `top` the tauG1 section has one power fewer (τ^(n−1) is absent, taken as
 * 0), so its basis lacks that power's term, (1/n)·ω^i·τ^(n−1).
 */
async function lagrangeBases(curve: Curve, tau: FrElement, top: number, lastShort: boolean): Promise<Uint8Array> {
  const Fr = curve.Fr;
  const total = 2 ** (top + 1) - 1;
  const roots = new Uint8Array(total * Fr.n8);
  const diffs = new Uint8Array(total * Fr.n8);
  for (let p = 0, at = 0; p <= top; p++) {
    const n = 2 ** p;
    let w = Fr.one;
    for (let i = 0; i < n; i++, at++) {
      roots.set(w, at * Fr.n8);
      diffs.set(Fr.sub(tau, w), at * Fr.n8);
      w = Fr.mul(w, Fr.w[p]!);
    }
  }
  const inverses = await Fr.batchInverse(diffs);
  const out = new Uint8Array(total * Fr.n8);
  let tauN = tau; // τ^n for n = 2^p
  let tauNm1 = Fr.one; // τ^(n−1)
  for (let p = 0, at = 0; p <= top; p++) {
    const n = 2 ** p;
    const nInv = Fr.inv(Fr.e(BigInt(n)));
    const c = Fr.mul(Fr.sub(tauN, Fr.one), nInv);
    const drop = lastShort && p === top ? Fr.mul(tauNm1, nInv) : undefined;
    for (let i = 0; i < n; i++, at++) {
      const o = at * Fr.n8;
      const w = roots.subarray(o, o + Fr.n8);
      let l = Fr.mul(Fr.mul(c, w), inverses.subarray(o, o + Fr.n8));
      if (drop !== undefined) l = Fr.sub(l, Fr.mul(drop, w));
      out.set(l, o);
    }
    tauNm1 = Fr.mul(tauNm1, tauN);
    tauN = Fr.mul(tauN, tauN);
  }
  return out;
}

/** The table of the fixed-base multiplication: entry 256·k + d is d·256^k·g, affine (entry d = 0 holds g, unused). */
async function fixedBaseTable(G: Group): Promise<Uint8Array> {
  const sJ = G.F.n8 * 3;
  const entries = WINDOWS << WINDOW_BITS;
  const jacobian = new Uint8Array(entries * sJ);
  let base = G.g;
  for (let k = 0; k < WINDOWS; k++) {
    jacobian.set(G.g, (k << WINDOW_BITS) * sJ);
    let acc = G.zero;
    for (let d = 1; d < 1 << WINDOW_BITS; d++) {
      acc = G.add(acc, base);
      jacobian.set(acc, ((k << WINDOW_BITS) + d) * sJ);
    }
    base = G.add(acc, base);
  }
  return G.batchToAffine(jacobian);
}

/**
 * s_j·g for the scalars s_j (standard form, little-endian, 32 bytes each), in
 * snarkjs's file form (affine, Montgomery): each a sum of 32 table entries,
 * one per byte, computed by the curve's worker threads.
 */
async function multiplesOfGenerator(curve: Curve, group: 'G1' | 'G2', scalars: Uint8Array, onPoints: (n: number) => void): Promise<Uint8Array> {
  const G = curve[group];
  const prefix = group === 'G1' ? 'g1m' : 'g2m';
  const sA = G.F.n8 * 2;
  const sJ = G.F.n8 * 3;
  const n8 = curve.Fr.n8;
  const count = scalars.length / n8;
  const table = await fixedBaseTable(G);
  const out = new Uint8Array(count * sA);
  const task = (first: number, n: number): unknown[] => {
    const commands: unknown[] = [
      { cmd: 'ALLOCSET', var: 0, buff: table },
      { cmd: 'ALLOC', var: 1, len: n * sJ },
      { cmd: 'ALLOC', var: 2, len: n * sA },
    ];
    for (let j = 0; j < n; j++) {
      const acc = { var: 1, offset: j * sJ };
      commands.push({ cmd: 'CALL', fnName: `${prefix}_zero`, params: [acc] });
      const s = (first + j) * n8;
      for (let k = 0; k < WINDOWS; k++) {
        const d = scalars[s + k]!;
        if (d !== 0) commands.push({ cmd: 'CALL', fnName: `${prefix}_addMixed`, params: [acc, { var: 0, offset: ((k << WINDOW_BITS) + d) * sA }, acc] });
      }
    }
    commands.push({ cmd: 'CALL', fnName: `${prefix}_batchToAffine`, params: [{ var: 1 }, { val: n }, { var: 2 }] });
    commands.push({ cmd: 'GET', out: 0, var: 2, len: n * sA });
    return commands;
  };
  // a few tasks in flight per thread (each task's commands are made only when it is sent)
  let next = 0;
  const feed = async (): Promise<void> => {
    while (next < count) {
      const first = next;
      const n = Math.min(POINTS_PER_TASK, count - first);
      next += n;
      const [points] = await curve.tm.queueAction(task(first, n));
      out.set(points!, first * sA);
      onPoints(n);
    }
  };
  await Promise.all(Array.from({ length: 2 * curve.tm.concurrency }, feed));
  return out;
}

/** snarkjs's toPartialHash: the state of a BLAKE2b hash in progress (216 bytes), which the file stores so that anyone can finish the response hash. */
function partialHash(h: Blake2b): Uint8Array {
  const state = h as unknown as { buffer: Uint8Array; pos: number; length: number; get(): number[] };
  const out = new Uint8Array(216);
  const words = new Uint32Array(out.buffer, 128);
  out.set(state.buffer);
  state.get().forEach((v, i) => (words[i] = v));
  words[18] = state.pos;
  words[16] = state.length - state.pos;
  return out;
}

/** snarkjs's first challenge hash: the hash of an empty response and of the accumulator of 2^power holding only generators. */
function firstChallengeHash(curve: Curve, power: number): Uint8Array {
  const h = blake2b.create({ dkLen: 64 });
  h.update(blake2b.create({ dkLen: 64 }).digest());
  const g1 = curve.G1.toUncompressed(curve.G1.g);
  const g2 = curve.G2.toUncompressed(curve.G2.g);
  const repeat = (p: Uint8Array, n: number): void => {
    const block = 4096;
    const buff = new Uint8Array(block * p.length);
    for (let i = 0; i < block; i++) buff.set(p, i * p.length);
    for (let left = n; left > 0; left -= block) h.update(left >= block ? buff : buff.subarray(0, left * p.length));
  };
  repeat(g1, 2 ** (power + 1) - 1);
  repeat(g2, 2 ** power);
  repeat(g1, 2 ** power);
  repeat(g1, 2 ** power);
  h.update(g2);
  return h.digest();
}

/** One secret's public key as snarkjs's keypair.js makes it: s·g1 for a random s, its multiple by the secret, and the G2 point hashed from both and the challenge, times the secret. */
function publicKey(curve: Curve, secret: FrElement, personalization: number, challenge: Uint8Array) {
  const g1s = curve.G1.toAffine(curve.G1.timesFr(curve.G1.g, randomFr(curve)));
  const g1sx = curve.G1.toAffine(curve.G1.timesFr(g1s, secret));
  const h = blake2b.create({ dkLen: 64 });
  h.update(new Uint8Array([personalization]));
  h.update(challenge);
  h.update(curve.G1.toUncompressed(g1s));
  h.update(curve.G1.toUncompressed(g1sx));
  const hash = h.digest();
  const view = new DataView(hash.buffer, hash.byteOffset, hash.byteLength);
  const g2sp = curve.G2.fromRng(new ChaCha(Array.from({ length: 8 }, (_, i) => view.getUint32(i * 4))));
  const g2spx = curve.G2.toAffine(curve.G2.timesFr(g2sp, secret));
  return { g1s, g1sx, g2spx };
}

/** A section of a binfileutils file: its type (u32), its size (u64) and its bytes. */
function section(type: number, parts: readonly Uint8Array[]): Uint8Array[] {
  const head = Buffer.alloc(12);
  head.writeUInt32LE(type, 0);
  head.writeBigUInt64LE(BigInt(parts.reduce((s, p) => s + p.length, 0)), 4);
  return [head, ...parts];
}

function u32(v: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v, 0);
  return b;
}

/**
 * Writes a prepared (phase-2-ready) powers-of-tau of 2^power to `file`, as
 * described at the top. Points are reported to `onProgress` as they are made.
 */
export async function makeDevPtau(file: string, power: number, onProgress: PtauProgress = () => undefined): Promise<void> {
  if (!Number.isInteger(power) || power < 1) throw new CaxError('E_USAGE', `a development powers-of-tau of 2^${power}: the power must be a positive integer`);
  if (power > MAX_POWER) {
    throw new CaxError('E_UNSUPPORTED', `a development powers-of-tau of 2^${power}: made in memory, it goes up to 2^${MAX_POWER} (use --ptau FILE with a ceremony's file)`);
  }
  const curve = await getCurveFromName('bn128');
  const Fr = curve.Fr;
  const n = 2 ** power;
  const tau = randomFr(curve);
  // τ must lie outside every domain (τ^(2n) ≠ 1), or its Lagrange bases have no value there
  let t = tau;
  for (let p = 0; p <= power; p++) t = Fr.mul(t, t);
  if (Fr.eq(t, Fr.one)) throw new CaxError('E_SETUP', 'the random τ is a root of unity (probability about 2^-220): make the file again');
  const alpha = randomFr(curve);
  const beta = randomFr(curve);

  const tauPowers = geometric(curve, Fr.one, tau, 2 * n - 1);
  const lagrange = await lagrangeBases(curve, tau, power + 1, true);
  // the bases of the powers up to `power` come first in the G1 section, and are the G2 section's
  const lagrangeToPower = lagrange.subarray(0, (2 * n - 1) * Fr.n8);
  const g1Sections = [
    tauPowers, // 2: τ^i·g1, i < 2n − 1
    scaled(curve, tauPowers.subarray(0, n * Fr.n8), alpha), // 4: α·τ^i·g1
    scaled(curve, tauPowers.subarray(0, n * Fr.n8), beta), // 5: β·τ^i·g1
    lagrange, // 12
    scaled(curve, lagrangeToPower, alpha), // 14
    scaled(curve, lagrangeToPower, beta), // 15
  ];
  const g2Sections = [tauPowers.subarray(0, n * Fr.n8), beta, lagrangeToPower]; // 3, 6, 13
  const total = [...g1Sections, ...g2Sections].reduce((s, v) => s + v.length / Fr.n8, 0);
  let done = 0;
  const tick = (k: number): void => {
    done += k;
    onProgress(done, total);
  };
  const concat = (parts: readonly Uint8Array[]): Uint8Array => Buffer.concat(parts);
  const split = (points: Uint8Array, sizes: readonly Uint8Array[], pointBytes: number): Uint8Array[] => {
    let at = 0;
    return sizes.map((s) => points.subarray(at, (at += (s.length / Fr.n8) * pointBytes)));
  };
  const sA1 = curve.G1.F.n8 * 2;
  const sA2 = curve.G2.F.n8 * 2;
  const [tauG1, alphaTauG1, betaTauG1, lagrangeG1, lagrangeAlphaG1, lagrangeBetaG1] = split(
    await multiplesOfGenerator(curve, 'G1', await Fr.batchFromMontgomery(concat(g1Sections)), tick),
    g1Sections,
    sA1,
  );
  const [tauG2, betaG2, lagrangeG2] = split(await multiplesOfGenerator(curve, 'G2', await Fr.batchFromMontgomery(concat(g2Sections)), tick), g2Sections, sA2);

  // the contribution, as snarkjs's contribute records it
  const challenge = firstChallengeHash(curve, power);
  const keys = [tau, alpha, beta].map((s, i) => publicKey(curve, s, i, challenge));
  const pubKey = (montgomery: boolean): Uint8Array => {
    const out = new Uint8Array(6 * sA1 + 3 * sA2);
    let at = 0;
    for (const k of keys) {
      for (const p of [k.g1s, k.g1sx]) {
        if (montgomery) curve.G1.toRprLEM(out, at, p);
        else curve.G1.toRprUncompressed(out, at, p);
        at += sA1;
      }
    }
    for (const k of keys) {
      if (montgomery) curve.G2.toRprLEM(out, at, k.g2spx);
      else curve.G2.toRprUncompressed(out, at, k.g2spx);
      at += sA2;
    }
    return out;
  };
  const phase1: Array<[Group, Uint8Array]> = [
    [curve.G1, tauG1!],
    [curve.G2, tauG2!],
    [curve.G1, alphaTauG1!],
    [curve.G1, betaTauG1!],
    [curve.G2, betaG2!],
  ];
  const response = blake2b.create({ dkLen: 64 });
  response.update(challenge);
  for (const [G, points] of phase1) response.update(await G.batchLEMtoC(points));
  const partial = partialHash(response);
  response.update(pubKey(false));
  const next = blake2b.create({ dkLen: 64 });
  next.update(response.digest());
  for (const [G, points] of phase1) next.update(await G.batchLEMtoU(points));
  const name = new TextEncoder().encode(DEV_PTAU_CONTRIBUTION);
  const params = new Uint8Array([1, name.length, ...name]);
  const contribution = [
    u32(1),
    tauG1!.subarray(sA1, 2 * sA1), // τ·g1
    tauG2!.subarray(sA2, 2 * sA2), // τ·g2
    alphaTauG1!.subarray(0, sA1), // α·g1
    betaTauG1!.subarray(0, sA1), // β·g1
    betaG2!, // β·g2
    pubKey(true),
    partial,
    next.digest(),
    u32(0), // a contribution, not a beacon
    u32(params.length),
    params,
  ];

  const header = Buffer.alloc(40);
  header.writeUInt32LE(Fr.n8, 0);
  Scalar.toRprLE(header, 4, curve.q, 32);
  header.writeUInt32LE(power, 36);
  writeFileSync(
    file,
    Buffer.concat([
      Buffer.from('ptau'),
      u32(1), // version
      u32(11), // sections
      ...section(1, [header, u32(power)]),
      ...section(2, [tauG1!]),
      ...section(3, [tauG2!]),
      ...section(4, [alphaTauG1!]),
      ...section(5, [betaTauG1!]),
      ...section(6, [betaG2!]),
      ...section(7, contribution),
      ...section(12, [lagrangeG1!]),
      ...section(13, [lagrangeG2!]),
      ...section(14, [lagrangeAlphaG1!]),
      ...section(15, [lagrangeBetaG1!]),
    ]),
  );
}
