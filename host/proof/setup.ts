// Trusted setup for the step circuit: a development powers-of-tau made here
// (one random contribution: for development only, never for proofs anyone
// else must trust) or a ceremony file the user names, and the Groth16
// proving and verifying keys, cached in $CAX_HOME/keys/ by circuit hash.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as snarkjs from 'snarkjs';
import { getCurveFromName } from 'ffjavascript';
import { CaxError } from '../errors.js';
import { ptauPower, type Compiled } from './circuit.js';
import { releaseCurve } from './curve.js';

export interface Keys {
  readonly zkey: string;
  readonly vkey: string;
  readonly ptau: string;
}

export function devPtauPath(home: string, power: number): string {
  return join(home, 'ptau', `dev-${power}.ptau`);
}

/**
 * The development powers-of-tau of 2^power, made once (three stages:
 * accumulator, one contribution of fresh randomness, phase-2 preparation).
 */
export async function devPtau(home: string, power: number, onStage: (stage: string) => void = () => undefined): Promise<string> {
  const file = devPtauPath(home, power);
  if (existsSync(file)) return file;
  mkdirSync(join(home, 'ptau'), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    const curve = await getCurveFromName('bn128');
    onStage('accumulator');
    await snarkjs.powersOfTau.newAccumulator(curve, power, `${tmp}.0`);
    onStage('contribution');
    await snarkjs.powersOfTau.contribute(`${tmp}.0`, `${tmp}.1`, 'cax development setup', randomBytes(32).toString('hex'));
    onStage('phase 2');
    await snarkjs.powersOfTau.preparePhase2(`${tmp}.1`, tmp);
    renameSync(tmp, file);
  } finally {
    rmSync(`${tmp}.0`, { force: true });
    rmSync(`${tmp}.1`, { force: true });
    rmSync(tmp, { force: true });
    await releaseCurve();
  }
  return file;
}

export function keyPaths(home: string, circuit: Compiled): { zkey: string; vkey: string } {
  return { zkey: join(home, 'keys', `${circuit.hash}.zkey`), vkey: join(home, 'keys', `${circuit.hash}.vkey.json`) };
}

/** Proving and verifying keys of `circuit` from a prepared powers-of-tau, cached by circuit hash. */
export async function circuitKeys(home: string, circuit: Compiled, ptau: string): Promise<Keys> {
  const { zkey, vkey } = keyPaths(home, circuit);
  if (existsSync(zkey) && existsSync(vkey)) return { zkey, vkey, ptau };
  if (!existsSync(ptau)) throw new CaxError('E_SETUP', `no powers-of-tau at ${ptau}: run \`cax zk setup\``);
  mkdirSync(join(home, 'keys'), { recursive: true });
  const tmp = `${zkey}.tmp-${process.pid}`;
  try {
    try {
      await snarkjs.zKey.newZKey(circuit.r1cs, ptau, tmp);
    } catch (e) {
      throw new CaxError('E_SETUP', `the powers-of-tau ${ptau} does not fit the circuit (2^${ptauPower(circuit)} needed): ${(e as Error).message}`, { cause: e });
    }
    const vk = await snarkjs.zKey.exportVerificationKey(tmp);
    writeFileSync(vkey, JSON.stringify(vk));
    renameSync(tmp, zkey);
  } finally {
    rmSync(tmp, { force: true });
    await releaseCurve();
  }
  return { zkey, vkey, ptau };
}

export function readVerificationKey(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CaxError('E_SETUP', `cannot read the verifying key ${file}: ${(e as Error).message}`, { cause: e });
  }
}
