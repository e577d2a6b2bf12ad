// `cax prove NAME|HASH|FILE.tel [ARGS…]` (docs/proofs.md, "Proving TEL
// programs"): the definition (stored, or first added to the store from
// FILE.tel: its --main, default main) compiled to a proving image with its
// arguments, and run from reset on the simulation (default) or the ISS with
// tracing on. proof.ts proves the run; the receipt then names the definition,
// the arguments and the result as TEL shows them.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { provingImage, type TelProvingImage } from '../../compiler/prove-image.js';
import { imageHash } from '../../proof/image.js';
import { traceOnIss, traceOnSim, type ProveRun } from '../../proof/prove.js';
import { addProgram } from '../../store/add.js';
import { Loader } from '../../store/loader.js';
import { addContext } from '../../store/tel-env.js';
import { parseProgram } from '../../tel/parser.js';
import { readText } from '../files.js';
import type { CliIO } from '../io.js';
import { withStore } from './store.js';

/** Whether `target` of `cax prove` is TEL: a .tel file, or a stored name, hash or prefix (a word that is not a file). */
export function isTelTarget(io: CliIO, target: string): boolean {
  return target.endsWith('.tel') || (/^[A-Za-z0-9_']+$/.test(target) && !existsSync(resolve(io.cwd, target)));
}

/** Default cycle limit of a TEL run to prove: far beyond what is practical to prove, and a trap loop (an ecall) ends soon. */
export const TEL_MAX_CYCLES = 1_000_000;

export interface TelRun {
  readonly run: ProveRun;
  readonly program: TelProvingImage;
  /** The definition's name as given (for people; the receipt names its hash). */
  readonly name: string;
}

export interface TelRunOptions {
  /** The definition of a FILE.tel to prove. */
  readonly main: string;
  readonly on: 'sim' | 'iss';
  readonly maxCycles: number;
}

/** For `cax verify --recompile`: the hash of the proving image of a receipt's TEL claim, compiled again from the store. */
export async function telImageHash(io: CliIO, claim: { readonly definition: string; readonly args: readonly string[] }): Promise<string> {
  return withStore({ io }, (repo) => imageHash(provingImage(repo, claim.definition, claim.args).image.bytes));
}

/** Compiles the TEL target with `args` (TEL expressions) into a proving image and runs it to its end with a trace. */
export async function runTelForProof(io: CliIO, target: string, args: readonly string[], options: TelRunOptions): Promise<TelRun> {
  const name = target.endsWith('.tel') ? options.main : target;
  const program = await withStore({ io }, (repo) => {
    if (target.endsWith('.tel')) addProgram(addContext(repo), parseProgram(readText(io, target), target));
    return provingImage(repo, new Loader(repo).find(name).hash, args);
  });
  const bytes = program.image.bytes;
  let traced;
  if (options.on === 'iss') traced = traceOnIss(bytes, options.maxCycles);
  else {
    const dir = mkdtempSync(join(tmpdir(), 'cax-prove-tel-'));
    try {
      const file = join(dir, 'image.bin');
      writeFileSync(file, bytes);
      traced = await traceOnSim(file, options.maxCycles, { raw: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { run: { ...traced, image: { bytes, hash: imageHash(bytes) }, input: program.input }, program, name };
}
