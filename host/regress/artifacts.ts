// Failure artefacts of one test under DIR/<test id>/: the command line that
// reproduces it alone, expected against actual, and for a program run on the
// core its retirement trace on the ISS, the simulated core's trace and the
// VCD of its last cycles, and the first divergence between the two traces
// (lockstep) when they disagree: an ELF entry here, a TEL one (on iss, sim
// or device) through host/regress/tel-artifacts.ts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Iss } from '../riscv/iss.js';
import { formatDivergence, lockstepDivergence } from '../sim/lockstep.js';
import { openTraceFile } from '../trace/file.js';
import { parseTraceLine, type TraceRecord } from '../trace/record.js';
import { runSim, simulatorPath } from '../sim/simulator.js';
import type { Outcome } from './execute.js';
import type { MatrixTest } from './matrix.js';
import type { TestSpec } from './suite.js';
import { VCD_CYCLES, writeTelArtifacts, type TelArtifactRun } from './tel-artifacts.js';
import { parseWorld } from '../tel/world.js';

function readTrace(file: string): TraceRecord[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((line, i) => parseTraceLine(line, { file, line: i + 1 }));
}

/** The TEL run of a test's entry, as the artefacts make it again. */
function telRun(spec: Exclude<TestSpec, { kind: 'elf' }>): TelArtifactRun {
  if (spec.kind === 'generated') return { source: { file: 'generated.tel', text: spec.source }, name: 'main', args: [], ...(spec.world === undefined ? {} : { world: parseWorld(spec.world) }) };
  const world = spec.world === undefined ? {} : { world: parseWorld(JSON.parse(readFileSync(spec.world, 'utf8')), spec.world) };
  const start = spec.start === undefined ? {} : { start: spec.start };
  if (spec.kind === 'stored') return { store: spec.store, name: spec.hash, args: spec.args, ...world, ...start };
  return { source: { file: spec.file, text: readFileSync(spec.file, 'utf8') }, name: spec.main, args: spec.args, ...world, ...start };
}

/** The folder name of a test: its id with anything unsafe in a path replaced. */
export function artifactFolder(id: string): string {
  return id.replace(/[^A-Za-z0-9_.@-]+/g, '_');
}

/** Writes the artefacts; resolves to their paths relative to `dir`. */
export async function writeArtifacts(dir: string, test: MatrixTest, outcome: Outcome, reproduce: string): Promise<string[]> {
  const folder = artifactFolder(test.id);
  const out = join(dir, folder);
  mkdirSync(out, { recursive: true });
  const written: string[] = [];
  const write = (name: string, text: string): void => {
    writeFileSync(join(out, name), text);
    written.push(`${folder}/${name}`);
  };
  write('reproduce.sh', `#!/bin/sh\n${reproduce}\n`);
  write('result.json', `${JSON.stringify({ id: test.id, status: outcome.status, code: outcome.code, message: outcome.message, expected: outcome.expected, actual: outcome.actual }, null, 2)}\n`);
  const spec = test.test.spec;
  if (spec.kind !== 'elf') {
    if (test.backend !== 'interp') await writeTelArtifacts(out, telRun(spec), write, (name) => written.push(`${folder}/${name}`));
    return written;
  }

  const issTrace = join(out, 'iss.trace');
  const iss = new Iss({ traceAtReset: true, jit: false });
  iss.load(new Uint8Array(readFileSync(spec.file)));
  spec.args.forEach((v, i) => iss.setReg(10 + i, v));
  const trace = openTraceFile(issTrace);
  iss.setTraceSink(trace.sink);
  try {
    iss.run({ maxCycles: spec.maxCycles });
  } finally {
    trace.close();
  }
  written.push(`${folder}/iss.trace`);
  if (!existsSync(simulatorPath())) return written;

  const simTrace = join(out, 'sim.trace');
  const first = await runSim({ program: spec.file, maxCycles: spec.maxCycles, trace: simTrace, args: spec.args });
  written.push(`${folder}/sim.trace`);
  // The VCD covers the last VCD_CYCLES cycles: the run again, its dump started that many cycles before the end.
  const vcd = join(out, 'last-cycles.vcd');
  await runSim({ program: spec.file, maxCycles: first.summary.cycles, vcd, vcdFrom: Math.max(0, first.summary.cycles - VCD_CYCLES), args: spec.args });
  if (existsSync(vcd)) written.push(`${folder}/last-cycles.vcd`);
  const divergence = await lockstepDivergence(readTrace(simTrace), readTrace(issTrace));
  write('divergence.txt', divergence ? `${formatDivergence(divergence, ['sim', 'iss'])}\n` : 'the simulated core and the ISS retire the same instructions\n');
  return written;
}
