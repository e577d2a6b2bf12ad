// The step circuit as built artefacts: generates the main component for a
// size (steps per chunk), compiles circuits/*.circom with the
// circom2 package (circom compiled to WASM), and caches the R1CS and witness
// generator under $CAX_HOME/circuits/, keyed by the sources and the size.
// The circuit's identity is the SHA-256 of its R1CS (the circuit hash).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../artefacts.js';
import { CaxError } from '../errors.js';

export interface CircuitSize {
  /** Retired instructions per chunk (one proof). */
  readonly steps: number;
}

/**
 * The size `cax zk setup` makes keys for unless told otherwise: the largest
 * chunk in 2^14 (docs/proofs.md "Chunk size": within 10% of the best rate per
 * step measured, 2^15's, for half its setup). `cax prove` picks among the
 * sizes set up (host/proof/chunk-size.ts).
 */
export const DEFAULT_SIZE: CircuitSize = { steps: 37 };

/**
 * The size of the development keys (`make proof-keys`, the tests, the demo,
 * the bench): the largest chunk whose circuit fits the 2^12 development
 * powers-of-tau (3,872 constraints and 77 public signals at 9 steps).
 */
export const DEV_SIZE: CircuitSize = { steps: 9 };

/** The step circuit: hash is the SHA-256 (hex) of the R1CS; public signals as publicLayout says. */
export interface Circuit extends Compiled {
  readonly size: CircuitSize;
}

const Meta = z.object({
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  wasmHash: z.string().regex(/^[0-9a-f]{64}$/),
  constraints: z.number().int().positive(),
  publicSignals: z.number().int().positive(),
});
const sha256Of = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The meta of a compiled circuit in `dir`, if its R1CS and witness generator are the bytes it records (a damaged or edited one is compiled again). */
function verifiedMeta(metaFile: string, r1cs: string, wasm: string): z.infer<typeof Meta> | undefined {
  try {
    const meta = Meta.parse(JSON.parse(readFileSync(metaFile, 'utf8')));
    return sha256Of(r1cs) === meta.hash && sha256Of(wasm) === meta.wasmHash ? meta : undefined;
  } catch {
    return undefined;
  }
}

/** Public signals of a chunk proof, in snarkjs order: outputs (the access words last), then the public inputs. */
export function publicLayout(size: CircuitSize): { pcOut: number; regsOut: number; exited: number; steps: number; access: number; pcIn: number; regsIn: number; count: number } {
  const access = 35;
  return { pcOut: 0, regsOut: 1, exited: 33, steps: 34, access, pcIn: access + size.steps, regsIn: access + size.steps + 1, count: access + size.steps + 33 };
}

// circom colours its report.
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

// Full linear simplification: the linear constraints (a decomposition's sum,
// a selection's linear parts) are substituted away instead of proved.
const CIRCOM_FLAGS = ['--O2'];

export function sourceKey(root: string, size: CircuitSize): string {
  const h = createHash('sha256').update(CIRCOM_FLAGS.join(' '));
  const dir = join(root, 'circuits');
  for (const f of readdirSync(dir)
    .filter((f) => f.endsWith('.circom'))
    .sort())
    h.update(f).update(readFileSync(join(dir, f)));
  h.update(`${size.steps}`);
  return h.digest('hex').slice(0, 16);
}

function run(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolveRun(out) : reject(new CaxError('E_CIRCUIT', `circom failed (exit ${code}): ${out.slice(-2000)}`))));
  });
}

/** Where `compileCircom` keeps the circuit `name` of source key `key`. */
function compiledFiles(name: string, key: string, home: string): { dir: string; r1cs: string; wasm: string } {
  const dir = join(home, 'circuits', `${name}-${key}`);
  return { dir, r1cs: join(dir, `${name}.r1cs`), wasm: join(dir, `${name}_js`, `${name}.wasm`) };
}

/** A compiled circom program: its R1CS, witness generator and counts. */
export interface Compiled {
  readonly hash: string;
  readonly r1cs: string;
  readonly wasm: string;
  readonly constraints: number;
  readonly publicSignals: number;
}

/**
 * Compiles `main` (a circom main component that may include circuits/*.circom)
 * as `name`, or finds it compiled, under `home`/circuits/`name`-`key`; with
 * circom's default simplification if `flags` is empty.
 */
export async function compileCircom(main: string, name: string, key: string, home: string, flags: readonly string[] = CIRCOM_FLAGS): Promise<Compiled> {
  const root = packageRoot();
  const { dir, r1cs, wasm } = compiledFiles(name, key, home);
  let meta = verifiedMeta(join(dir, 'meta.json'), r1cs, wasm);
  if (meta === undefined) {
    const work = `${dir}.tmp-${process.pid}`;
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    const source = join(work, `${name}.circom`);
    writeFileSync(source, main);
    const cli = createRequire(import.meta.url).resolve('circom2/cli.js');
    // circom2's WASI sandbox sees the working directory and its parents, by relative paths.
    const out = (await run(process.execPath, [cli, relative(root, source), '--r1cs', '--wasm', ...flags, '-l', 'circuits', '-o', relative(root, work)], root)).replace(ANSI_COLOUR, '');
    const count = (label: string): number => Number(new RegExp(`(?<![-\\w])${label}: (\\d+)`).exec(out)?.[1] ?? NaN);
    const constraints = count('non-linear constraints') + count('linear constraints');
    const publicSignals = count('public inputs') + count('public outputs');
    if (!Number.isFinite(constraints) || !Number.isFinite(publicSignals)) throw new CaxError('E_CIRCUIT', `unexpected circom output: ${out.slice(-500)}`);
    meta = { hash: sha256Of(join(work, `${name}.r1cs`)), wasmHash: sha256Of(join(work, `${name}_js`, `${name}.wasm`)), constraints, publicSignals };
    writeFileSync(join(work, 'meta.json'), JSON.stringify(meta));
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
  }
  return { r1cs, wasm, ...meta };
}

const stepCircuitName = (size: CircuitSize): string => `rv32im_${size.steps}`;

/** Compiles the step circuit of this size (or finds it compiled) under `home`/circuits. */
export async function compileCircuit(size: CircuitSize, home: string): Promise<Circuit> {
  if (!Number.isInteger(size.steps) || size.steps < 1) throw new CaxError('E_USAGE', `bad circuit size ${size.steps} steps`);
  const main = `pragma circom 2.1.0;\ninclude "rv32im.circom";\ncomponent main {public [pcIn, regsIn]} = Chunk(${size.steps});\n`;
  const compiled = await compileCircom(main, stepCircuitName(size), sourceKey(packageRoot(), size), home);
  if (compiled.publicSignals !== publicLayout(size).count) throw new CaxError('E_CIRCUIT', `the circuit has ${compiled.publicSignals} public signals, not ${publicLayout(size).count}`);
  return { size, ...compiled };
}

/**
 * The step circuits of these sources already compiled under `home`/circuits
 * (intact: their files are the bytes their meta records), smallest first;
 * nothing is compiled.
 */
export function compiledCircuits(home: string): Circuit[] {
  const root = packageRoot();
  let entries: string[];
  try {
    entries = readdirSync(join(home, 'circuits'));
  } catch {
    return [];
  }
  const out: Circuit[] = [];
  for (const entry of entries) {
    const m = /^rv32im_(\d+)-([0-9a-f]{16})$/.exec(entry);
    if (m === null) continue;
    const size: CircuitSize = { steps: Number(m[1]) };
    if (m[2] !== sourceKey(root, size)) continue;
    const files = compiledFiles(stepCircuitName(size), m[2], home);
    const meta = verifiedMeta(join(files.dir, 'meta.json'), files.r1cs, files.wasm);
    if (meta !== undefined && meta.publicSignals === publicLayout(size).count) out.push({ size, r1cs: files.r1cs, wasm: files.wasm, ...meta });
  }
  return out.sort((a, b) => a.size.steps - b.size.steps);
}

/** The powers-of-tau size (log2) a circuit needs: constraints plus public signals plus one. */
export function ptauPower(circuit: Pick<Compiled, 'constraints' | 'publicSignals'>): number {
  return Math.max(8, Math.ceil(Math.log2(circuit.constraints + circuit.publicSignals + 1)));
}
