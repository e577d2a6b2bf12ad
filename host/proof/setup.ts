// Trusted setup for the step circuit: a development powers-of-tau made here
// (dev-ptau.ts: from a τ known while it is made, for development only, never
// for proofs anyone else must trust) or a ceremony file the user names, and the Groth16
// proving and verifying keys, cached in $CAX_HOME/keys/ by circuit hash:
// the circuit-specific phase 2 always gets a contribution of fresh OS
// randomness and a beacon (both discarded), further parties may contribute
// (`cax zk contribute`), and anyone can check the chain (`cax zk verify-setup`).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as snarkjs from 'snarkjs';
import { CaxError } from '../errors.js';
import { ptauPower, type Compiled } from './circuit.js';
import { makeDevPtau } from './dev-ptau.js';
import { releaseCurve } from './curve.js';
import { checkVerificationKey, parseVerificationKey, verifyingKeyHash } from './verify.js';

export interface Keys {
  readonly zkey: string;
  readonly vkey: string;
  readonly ptau: string;
  /** The contributions made by this call (none when the keys were cached). */
  readonly contributions: readonly Contribution[];
}

export function devPtauPath(home: string, power: number): string {
  return join(home, 'ptau', `dev-${power}.ptau`);
}

/** The powers of the development powers-of-tau files cached in `home`, ascending. */
function cachedDevPowers(home: string): number[] {
  let names: string[];
  try {
    names = readdirSync(join(home, 'ptau'));
  } catch {
    return [];
  }
  return names
    .map((n) => /^dev-(\d+)\.ptau$/.exec(n)?.[1])
    .filter((p): p is string => p !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * The development powers-of-tau of 2^power, made once. A larger one already
 * cached is truncated to it (snarkjs's `powersoftau truncate`: its first
 * 2^power powers and their Lagrange bases, the same contribution; seconds);
 * otherwise it is made from a τ known while it is made (dev-ptau.ts: every
 * point a multiple of the generator, no group FFTs). `onProgress` gets the
 * stage and how far it is (points made of all).
 */
export async function devPtau(home: string, power: number, onProgress: (stage: string, done: number, total: number) => void = () => undefined): Promise<string> {
  const file = devPtauPath(home, power);
  if (existsSync(file)) return file;
  mkdirSync(join(home, 'ptau'), { recursive: true });
  const larger = cachedDevPowers(home).find((p) => p > power);
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    if (larger !== undefined) {
      // truncate writes every smaller power, as <template><two digits>.ptau
      mkdirSync(tmp);
      const stage = `truncating ${devPtauPath(home, larger)}`;
      onProgress(stage, 0, 1);
      await snarkjs.powersOfTau.truncate(devPtauPath(home, larger), join(tmp, 'dev-'));
      renameSync(join(tmp, `dev-${String(power).padStart(2, '0')}.ptau`), file);
      onProgress(stage, 1, 1);
      return file;
    }
    await makeDevPtau(tmp, power, (done, total) => onProgress('points', done, total));
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    await releaseCurve();
  }
  return file;
}

export function keyPaths(home: string, circuit: Compiled): { zkey: string; vkey: string } {
  return { zkey: join(home, 'keys', `${circuit.hash}.zkey`), vkey: join(home, 'keys', `${circuit.hash}.vkey.json`) };
}

/** The phase-2 contributions a key holds, first to last (snarkjs's contribution hashes, hex). */
export interface Contribution {
  readonly name: string;
  readonly hash: string;
}

const BEACON_ITERATIONS_EXP = 10;

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/**
 * One phase-2 contribution of fresh OS randomness to `from`, written to `to`
 * (the randomness lives only inside this call). Returns its hash.
 */
export async function contributeToKey(from: string, to: string, name: string): Promise<Contribution> {
  const hash = (await snarkjs.zKey.contribute(from, to, name, randomBytes(64).toString('hex'))) as Uint8Array;
  return { name, hash: hex(hash) };
}

/** The key's last step: a beacon of fresh OS randomness (so no contributor has the last word). */
async function applyBeacon(from: string, to: string): Promise<Contribution> {
  const name = 'cax zk setup beacon';
  const hash = (await snarkjs.zKey.beacon(from, to, name, randomBytes(32).toString('hex'), BEACON_ITERATIONS_EXP)) as Uint8Array;
  return { name, hash: hex(hash) };
}

/** Writes the verifying key of `zkey` to `vkey`, refusing a key with no phase-2 contribution. */
async function exportCheckedVerificationKey(zkey: string, vkey: string): Promise<void> {
  const vk = await snarkjs.zKey.exportVerificationKey(zkey);
  await checkVerificationKey(parseVerificationKey(vk));
  const tmp = `${vkey}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(vk));
  renameSync(tmp, vkey);
}

/**
 * A further phase-2 contribution to the cached key of `circuit`, in place
 * (a ceremony: each party contributes in turn, `cax zk verify-setup` checks).
 */
export async function contributeToCachedKey(home: string, circuit: Compiled, name: string): Promise<Contribution> {
  const { zkey, vkey } = keyPaths(home, circuit);
  if (!existsSync(zkey)) throw new CaxError('E_SETUP', `no proving key for circuit ${circuit.hash} in ${home}: run \`cax zk setup\` or copy the ceremony's key to ${zkey}`);
  const tmp = `${zkey}.tmp-${process.pid}`;
  try {
    const c = await contributeToKey(zkey, tmp, name);
    await exportCheckedVerificationKey(tmp, vkey);
    renameSync(tmp, zkey);
    return c;
  } finally {
    rmSync(tmp, { force: true });
    await releaseCurve();
  }
}

/**
 * Checks the cached key of `circuit` against its circuit and the
 * powers-of-tau (snarkjs's phase-2 verification: every contribution is a
 * valid step from the ptau), and its verifying key against the proving key.
 * Returns the contributions it holds; E_SETUP when it does not hold.
 */
export async function verifyCachedKey(home: string, circuit: Compiled, ptau: string): Promise<Contribution[]> {
  const { zkey, vkey } = keyPaths(home, circuit);
  if (!existsSync(zkey) || !existsSync(vkey)) throw new CaxError('E_SETUP', `no keys for circuit ${circuit.hash} in ${home}`);
  if (!existsSync(ptau)) throw new CaxError('E_SETUP', `no powers-of-tau at ${ptau}`);
  const lines: string[] = [];
  const logger = { debug: () => undefined, info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
  try {
    const ok = await snarkjs.zKey.verifyFromR1cs(circuit.r1cs, ptau, zkey, logger);
    if (!ok) throw new CaxError('E_SETUP', `the proving key ${zkey} is not a valid phase 2 of this circuit from ${ptau}: ${lines.filter((l) => /error|not|invalid/i.test(l)).join('; ')}`);
    const exported = parseVerificationKey(await snarkjs.zKey.exportVerificationKey(zkey));
    await checkVerificationKey(exported);
    if (verifyingKeyHash(exported) !== verifyingKeyHash(parseVerificationKey(readVerificationKey(vkey)))) {
      throw new CaxError('E_SETUP', `the verifying key ${vkey} is not the one of the proving key ${zkey}`);
    }
  } finally {
    await releaseCurve();
  }
  return contributionsOf(lines);
}

/** The contributions snarkjs's verifier logs (one message each, last first: "contribution #N name:" and the hash in four lines), first to last. */
function contributionsOf(messages: readonly string[]): Contribution[] {
  const out: Array<Contribution & { index: number }> = [];
  for (const message of messages) {
    const [title, ...hash] = message.split('\n');
    const m = /^contribution #(\d+) (.*):$/.exec(title!.trim());
    if (m !== null) out.push({ index: Number(m[1]), name: m[2]!, hash: hash.join('').replace(/\s+/g, '') });
  }
  return out.sort((a, b) => a.index - b.index).map(({ name, hash }) => ({ name, hash }));
}

/** Whether a cached verifying key had a phase-2 contribution (keys made before there was one are remade). */
async function hasContribution(vkey: string): Promise<boolean> {
  try {
    await checkVerificationKey(parseVerificationKey(readVerificationKey(vkey)));
    return true;
  } catch {
    return false;
  }
}

/**
 * Proving and verifying keys of `circuit` from a prepared powers-of-tau,
 * cached by circuit hash: the phase-2 key gets one contribution and a beacon
 * of fresh OS randomness, so keys made twice differ and δ is no known point.
 */
export async function circuitKeys(home: string, circuit: Compiled, ptau: string): Promise<Keys> {
  const { zkey, vkey } = keyPaths(home, circuit);
  if (existsSync(zkey) && existsSync(vkey) && (await hasContribution(vkey))) return { zkey, vkey, ptau, contributions: [] };
  if (!existsSync(ptau)) throw new CaxError('E_SETUP', `no powers-of-tau at ${ptau}: run \`cax zk setup\``);
  mkdirSync(join(home, 'keys'), { recursive: true });
  const tmp = `${zkey}.tmp-${process.pid}`;
  try {
    // snarkjs returns -1 (and logs why) for a ceremony file of another curve or too small a power, and throws for one it cannot read
    const refused: string[] = [];
    let made: unknown;
    try {
      made = await snarkjs.zKey.newZKey(circuit.r1cs, ptau, `${tmp}.0`, { error: (m: string) => refused.push(m), warn: () => undefined, info: () => undefined, debug: () => undefined });
    } catch (e) {
      refused.push((e as Error).message);
    }
    if (made === -1 || refused.length > 0) {
      throw new CaxError('E_SETUP', `the powers-of-tau ${ptau} does not fit the circuit (2^${ptauPower(circuit)} needed): ${refused.join('; ') || 'refused by snarkjs'}`);
    }
    const contributions = [await contributeToKey(`${tmp}.0`, `${tmp}.1`, 'cax zk setup'), await applyBeacon(`${tmp}.1`, tmp)];
    await exportCheckedVerificationKey(tmp, vkey);
    renameSync(tmp, zkey);
    return { zkey, vkey, ptau, contributions };
  } finally {
    rmSync(`${tmp}.0`, { force: true });
    rmSync(`${tmp}.1`, { force: true });
    rmSync(tmp, { force: true });
    await releaseCurve();
  }
}

export function readVerificationKey(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CaxError('E_SETUP', `cannot read the verifying key ${file}: ${(e as Error).message}`, { cause: e });
  }
}
