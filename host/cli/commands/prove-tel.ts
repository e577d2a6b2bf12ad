// `cax prove NAME|HASH|FILE.tel [ARGS…]` (docs/proofs.md, "Proving TEL
// programs"): the definition (stored, or first added to the store from
// FILE.tel: its --main, default main) compiled to a proving image with its
// arguments, and run from reset on the simulation (default) or the ISS with
// tracing on, segment by segment when it has effects (the world answers them
// at each ecall). proof.ts proves the run; the receipt then names the
// definition, the arguments, the result and the effect log.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { provingImage, type TelProvingImage } from '../../proof/tel-image.js';
import { imageHash } from '../../proof/image.js';
import { segmentsOn, type ProveRun } from '../../proof/prove.js';
import type { TelClaim } from '../../proof/receipt.js';
import { telClaim } from '../../proof/tel-output.js';
import { driveTel, ReplayCore } from '../../proof/tel-run.js';
import { MemoryWorld, type WorldInput } from '../../tel/world.js';
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

/** Default cycle limit of a TEL run to prove: far beyond what is practical to prove. */
export const TEL_MAX_CYCLES = 1_000_000;

export interface TelRun {
  readonly run: ProveRun;
  readonly program: TelProvingImage;
  /** The definition's name as given (for people; the receipt names its hash). */
  readonly name: string;
  /** The receipt's `tel` claim about this run. */
  readonly claim: TelClaim;
}

export interface TelRunOptions {
  /** The definition of a FILE.tel to prove. */
  readonly main: string;
  readonly on: 'sim' | 'iss';
  readonly maxCycles: number;
  /** The world that answers the effects (default: empty). */
  readonly world?: WorldInput;
  /** Logical start time (default: the world's start, else 0). */
  readonly start?: number;
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
  const segments = segmentsOn(options.on, options.maxCycles);
  const start = options.start ?? options.world?.start ?? 0;
  const drive = await driveTel(new ReplayCore(bytes, segments.source), new MemoryWorld(options.world ?? {}), start);
  const run: ProveRun = { trace: segments.trace, cycles: segments.cycles(), image: { bytes, hash: imageHash(bytes) }, input: program.input, hostWrites: drive.hostWrites };
  return { run, program, name, claim: telClaim(program, drive, start) };
}
