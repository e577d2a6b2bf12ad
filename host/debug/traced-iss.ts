// A compiled TEL run on a fresh ISS with a retirement sink from reset, for
// the debugger (iss-session.ts) and co-processor snapshots (core-snapshot.ts,
// context-snapshot.ts):
// the spec's `main ARGS…` compiled as `cax profile` compiles it, the firmware
// loaded, and the image run through the loader protocol with the given
// effect handlers; and the registers a sink sees after an instruction.
import { readFileSync } from 'node:fs';
import { artefactPath } from '../artefacts.js';
import { runImage, type CompiledRunResult, type Coprocessor } from '../coprocessor/backend.js';
import type { Image } from '../compiler/link.js';
import { DEFAULT_OPTIONS } from '../compiler/codegen.js';
import { DEFAULT_CYCLES, profiledImage } from '../profile/profile-compiled.js';
import { CoprocessorClient } from '../protocol/client.js';
import { IssTransport } from '../protocol/iss-link.js';
import { Iss } from '../riscv/iss.js';
import { parseProgramAll } from '../tel/parser.js';
import type { EffectHandlers } from '../tel/world.js';
import type { TraceRecord, TraceSink } from '../trace/record.js';
import type { RunSpec } from './snapshot.js';

/** The image the spec's entry compiles to (the first parse or type error thrown). */
export function compiledImage(spec: RunSpec): Image {
  const { program, errors } = parseProgramAll(spec.source, spec.file);
  if (errors.length > 0) throw errors[0]!;
  // every call's arguments where the debugger reads them at the callee's first instruction: tagged, in the outgoing area;
  // a loop's matched list parameters in their slots, where the binders of their heads and tails say they are
  return profiledImage({ program, main: spec.main, args: spec.args, options: { ...DEFAULT_OPTIONS, untaggedArguments: false, matchRegisters: false } });
}

/** The registers after the instruction `r` retired (the sink may hear of it before the ISS has written its destination back). */
export function registersAfter(iss: Iss, r: TraceRecord): number[] {
  const registers = iss.registers();
  if (r.rd !== 0 && !r.trap) registers[r.rd] = r.rdValue;
  return registers;
}

/** A session with the firmware on a fresh ISS whose every retired instruction, from reset, goes to `sink(iss)`. */
export async function tracedCoprocessor(sink: (iss: Iss) => TraceSink): Promise<Coprocessor> {
  const iss = new Iss({ traceAtReset: true, uartDivisor: 8 });
  iss.load(new Uint8Array(readFileSync(artefactPath('firmware'))));
  iss.setTraceSink(sink(iss));
  const client = await CoprocessorClient.connect(new IssTransport(iss));
  return { client, close: () => client.close() };
}

/** Runs `image` on a fresh traced ISS (tracedCoprocessor); effects go to `handlers`. */
export async function runTraced(image: Image, spec: RunSpec, handlers: EffectHandlers, sink: (iss: Iss) => TraceSink): Promise<CompiledRunResult> {
  const cop = await tracedCoprocessor(sink);
  try {
    return await runImage(cop, image, [], {
      budget: DEFAULT_CYCLES,
      start: spec.start ?? spec.world?.start ?? 0,
      effects: { handlers, owner: null },
    });
  } finally {
    await cop.close();
  }
}
