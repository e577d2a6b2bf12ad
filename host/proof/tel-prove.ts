// Proving a TEL definition (docs/proofs.md, "Proving TEL programs"): the
// definition (stored, or first added to the store from a .tel source)
// compiled to a proving image with its arguments, and run from reset on the
// simulation or the ISS with tracing on, segment by segment when it has
// effects (the world answers them at each ecall). The result is the run to
// prove (host/proof/prove.ts) and the receipt's `tel` claim about it.
import { provingImage, type TelProvingImage } from './tel-image.js';
import { addProgram } from '../store/add.js';
import { Loader } from '../store/loader.js';
import type { Repository } from '../store/repository.js';
import { addContext } from '../store/tel-env.js';
import { parseProgram } from '../tel/parser.js';
import { MemoryWorld, type WorldInput } from '../tel/world.js';
import { imageHash } from './image.js';
import { segmentsOn, type ProveRun } from './prove.js';
import type { TelClaim } from './receipt.js';
import { telClaim } from './tel-output.js';
import { driveTel, ReplayCore } from './tel-run.js';

/** Default cycle limit of a TEL run to prove: far beyond what is practical to prove. */
export const TEL_MAX_CYCLES = 1_000_000;

/** What to prove: a definition by name, hash or prefix, with the source that defines it when it comes from a file. */
export interface TelTarget {
  readonly name: string;
  readonly source?: { readonly file: string; readonly text: string };
}

export interface TelRun {
  readonly run: ProveRun;
  readonly program: TelProvingImage;
  /** The definition's name as given (for people; the receipt names its hash). */
  readonly name: string;
  /** The receipt's `tel` claim about this run. */
  readonly claim: TelClaim;
}

export interface TelRunOptions {
  readonly on: 'sim' | 'iss';
  readonly maxCycles: number;
  /** The world that answers the effects (default: empty). */
  readonly world?: WorldInput;
  /** Logical start time (default: the world's start, else 0). */
  readonly start?: number;
}

/** The proving image of `target` applied to `args` (TEL expressions); a source is added to the store first. */
export function telProvingImage(repo: Repository, target: TelTarget, args: readonly string[]): TelProvingImage {
  if (target.source !== undefined) addProgram(addContext(repo), parseProgram(target.source.text, target.source.file));
  return provingImage(repo, new Loader(repo).find(target.name).hash, args);
}

/**
 * For `cax verify --recompile`: the proving image of a receipt's TEL claim
 * compiled again from the store: its hash (the receipt's program hash must
 * be it) and the type of the application (the claim's type must be it).
 */
export function recompiledClaim(repo: Repository, claim: { readonly definition: string; readonly args: readonly string[] }): { hash: string; type: string } {
  const program = provingImage(repo, claim.definition, claim.args);
  return { hash: imageHash(program.image.bytes), type: program.type };
}

/** Runs a proving image to its end with a trace, segment by segment, the world answering its effects. */
export async function runTelProvingImage(program: TelProvingImage, name: string, options: TelRunOptions): Promise<TelRun> {
  const bytes = program.image.bytes;
  const segments = segmentsOn(options.on, options.maxCycles);
  const start = options.start ?? options.world?.start ?? 0;
  const drive = await driveTel(new ReplayCore(bytes, segments.source), new MemoryWorld(options.world ?? {}), start);
  const run: ProveRun = { trace: segments.trace, cycles: segments.cycles(), image: { bytes, hash: imageHash(bytes) }, input: program.input, hostWrites: drive.hostWrites };
  return { run, program, name, claim: telClaim(program, drive, start) };
}
