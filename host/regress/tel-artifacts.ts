// Failure artefacts of a TEL test run on a co-processor (iss, sim, device).
// A compiled TEL run talks to the loader firmware over the serial line, so
// its retirement trace holds the firmware polling the UART, which depends on
// when the host's bytes arrive: two cores never agree on it. The artefacts
// therefore come from the core's deterministic mode instead (docs/proofs.md
// "The ecall boundary"): the same definition and arguments compiled to a
// proving image, each segment run from reset with the effects answered by
// the host in between, no serial line. It runs on the ISS and, when it is
// built, on the simulated core: both retirement traces (their last
// TRACE_TAIL records), a VCD of the simulated core's last VCD_CYCLES cycles,
// and the first divergence between the two (lockstep). A run the
// deterministic mode cannot make (longer than ARTIFACT_CYCLES, bigger than
// the board's RAM the proofs model, or with a function as its result) is said
// in `core.txt` instead.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaxError } from '../errors.js';
import { segmentsOn } from '../proof/prove.js';
import { telProvingImage } from '../proof/tel-prove.js';
import type { TelProvingImage } from '../proof/tel-image.js';
import { driveTel, ReplayCore, type SegmentSource } from '../proof/tel-run.js';
import { formatDivergence, lockstepDivergence } from '../sim/lockstep.js';
import { runSim, simulatorPath } from '../sim/simulator.js';
import { Repository } from '../store/repository.js';
import { addContext, ensurePrelude } from '../store/tel-env.js';
import { formatTraceRecord, type TraceRecord } from '../trace/record.js';
import { MemoryWorld, type WorldInput } from '../tel/world.js';

/** The longest run the artefacts are made for, in cycles (a trace is kept in memory). */
export const ARTIFACT_CYCLES = 2_000_000;
/** How many of the last retirement records a trace file keeps. */
export const TRACE_TAIL = 100_000;
/** How many cycles before the end the VCD covers. */
export const VCD_CYCLES = 2000;

/** The TEL run to make artefacts of: a definition in a store, or a source file's definition. */
export interface TelArtifactRun {
  readonly store?: string;
  readonly source?: { readonly file: string; readonly text: string };
  /** A name or hash (prefix) in the store, or the definition's name in the source. */
  readonly name: string;
  readonly args: readonly string[];
  readonly world?: WorldInput;
  readonly start?: number;
}

function traceText(trace: readonly TraceRecord[]): string {
  return `${trace.slice(-TRACE_TAIL).map(formatTraceRecord).join('\n')}\n`;
}

/** The proving image's run on one core, and where its last segment started (memory, cycles before it). */
interface CoreRun {
  readonly trace: readonly TraceRecord[];
  readonly cycles: number;
  readonly shown: string;
  readonly last: { readonly memory: Uint8Array; readonly cyclesBefore: number };
}

async function runOn(on: 'iss' | 'sim', program: TelProvingImage, run: TelArtifactRun): Promise<CoreRun> {
  const segments = segmentsOn(on, ARTIFACT_CYCLES);
  let last = { memory: program.image.bytes, cyclesBefore: 0 };
  const source: SegmentSource = (memory) => {
    last = { memory: memory.slice(), cyclesBefore: segments.cycles() };
    return segments.source(memory);
  };
  const drive = await driveTel(new ReplayCore(program.image.bytes, source), new MemoryWorld(run.world ?? {}), run.start ?? run.world?.start ?? 0);
  return { trace: segments.trace, cycles: segments.cycles(), shown: drive.output.shown, last };
}

/** Writes the artefacts of `run` into `out`; `write` records a text file, `written` a file another tool made there. */
export async function writeTelArtifacts(out: string, run: TelArtifactRun, write: (name: string, text: string) => void, written: (name: string) => void): Promise<void> {
  const scratch = run.store === undefined ? mkdtempSync(join(tmpdir(), 'cax-artifacts-')) : undefined;
  const repo = Repository.open(run.store ?? scratch!);
  try {
    if (scratch) ensurePrelude(addContext(repo));
    const program = telProvingImage(repo, { name: run.name, ...(run.source ? { source: run.source } : {}) }, run.args);
    const iss = await runOn('iss', program, run);
    write('iss.trace', traceText(iss.trace));
    const summary = [`the program in the core's deterministic mode (a proving image, each segment from reset): ${iss.cycles} cycles on the ISS, result ${iss.shown}`];
    if (existsSync(simulatorPath())) {
      const sim = await runOn('sim', program, run);
      write('sim.trace', traceText(sim.trace));
      summary.push(`${sim.cycles} cycles on the simulated core, result ${sim.shown}`);
      const divergence = await lockstepDivergence(sim.trace, iss.trace);
      write('divergence.txt', divergence ? `${formatDivergence(divergence, ['sim', 'iss'])}\n` : 'the simulated core and the ISS retire the same instructions\n');
      await lastCyclesVcd(join(out, 'last-cycles.vcd'), sim);
      if (existsSync(join(out, 'last-cycles.vcd'))) written('last-cycles.vcd');
    }
    write('core.txt', `${summary.join('\n')}\n`);
  } catch (e) {
    if (!(e instanceof CaxError)) throw e;
    write('core.txt', `no core trace: the run cannot be made in the core's deterministic mode (${e.format()})\n`);
  } finally {
    repo.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

/** The VCD of the last cycles: the last segment run again from the memory it started from, its dump started VCD_CYCLES before its end. */
async function lastCyclesVcd(vcd: string, sim: CoreRun): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cax-artifacts-'));
  try {
    const file = join(dir, 'memory.bin');
    writeFileSync(file, sim.last.memory);
    const cycles = sim.cycles - sim.last.cyclesBefore;
    await runSim({ program: file, raw: true, stopOnEcall: true, maxCycles: cycles + 1, vcd, vcdFrom: Math.max(0, cycles - VCD_CYCLES) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
