// Verilator simulation speed: simulated cycles per second on the compute
// kernel (build/rtl/kernel.elf, built by mk/rtl.mk) with tracing off, next
// to the TypeScript ISS running the same ELF; the same kernel with the VCD
// and with the text trace on; the time to build the model from scratch; and
// compiled TEL examples run through the firmware on the simulated SoC (what
// `cax run --backend sim` does: session, runtime and code load, run) against
// the same on the ISS, and the ISS against the interpreter.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchSuite } from './harness.js';
import { Iss } from '../host/riscv/iss.js';
import { packageRoot } from '../host/artefacts.js';
import { runSim, type SimRunOptions } from '../host/sim/simulator.js';
import { openCoprocessor, runImage, type BackendName } from '../host/coprocessor/backend.js';
import { compileSource } from '../host/compiler/compile.js';
import { loadProgram, runMain } from '../host/tel/interp.js';
import { parseProgram } from '../host/tel/parser.js';

const KERNEL = 'build/rtl/kernel.elf';
const TRACED_CYCLES = 200_000; // the VCD takes about 180 bytes a clock (docs/waveforms.md)

/** Simulated cycles per second (millions) of one run, wall time including the process start. */
async function simMcps(options: Omit<SimRunOptions, 'program'>): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'cax-bench-sim-'));
  try {
    const withFiles = {
      ...options,
      ...(options.vcd !== undefined ? { vcd: join(dir, options.vcd) } : {}),
      ...(options.trace !== undefined ? { trace: join(dir, options.trace) } : {}),
    };
    const start = process.hrtime.bigint();
    const { summary } = await runSim({ program: KERNEL, ...withFiles });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (summary.end !== 'pass' && summary.end !== 'limit') throw new Error(`${KERNEL} ended ${summary.end} on the simulator`);
    return summary.clocks / seconds / 1e6;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The ISS on the same kernel, in simulated cycles per second (millions). */
function issMcps(): number {
  const iss = new Iss();
  iss.load(readFileSync(KERNEL));
  const start = process.hrtime.bigint();
  const result = iss.run({ maxCycles: Number.MAX_SAFE_INTEGER });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.ended === 'cycle-limit' || result.exitCode !== 0) throw new Error(`${KERNEL} did not pass on the ISS`);
  return result.cycles / seconds / 1e6;
}

/** Seconds to open a session on `backend`, load and run the compiled `main` of the TEL file `file`, as `cax run --backend` does. */
async function telSeconds(file: string, backend: BackendName): Promise<number> {
  const compiled = compileSource(readFileSync(file, 'utf8'), file, 'main');
  const start = process.hrtime.bigint();
  const cop = await openCoprocessor(backend);
  try {
    const r = await runImage(cop, compiled.image, [], { budget: 4_000_000_000 });
    if (r.error) throw r.error;
  } finally {
    await cop.close();
  }
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Seconds to parse `file` and run its `main` on the interpreter, as `cax run` does by default. */
function interpretedSeconds(file: string): number {
  const start = process.hrtime.bigint();
  const r = runMain(loadProgram(parseProgram(readFileSync(file, 'utf8'), file)), 'main', [], {});
  if (r.error) throw r.error;
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const telOnIss = (file: string) => ({
  name: `${file} compiled, on the ISS (session, load and run)`,
  unit: 's',
  higherIsBetter: false,
  sample: () => telSeconds(file, 'iss'),
  reference: { name: 'the interpreter (parse and run)', sample: async () => interpretedSeconds(file) },
});

const telOnSim = (file: string, aim: string) => ({
  name: `${file} compiled, on the simulated SoC (session, load and run${aim})`,
  unit: 's',
  higherIsBetter: false,
  sample: () => telSeconds(file, 'sim'),
  reference: { name: 'the same on the ISS', sample: () => telSeconds(file, 'iss') },
});

export const suite: BenchSuite = {
  title: 'Verilator simulation of the SoC',
  cases: [
    telOnSim('examples/fib.tel', '; aim <= 3x the ISS'),
    telOnSim('examples/lists.tel', ''),
    telOnIss('examples/fib.tel'),
    telOnIss('examples/lists.tel'),
    {
      name: `simulated cycles/s, tracing off (${KERNEL}), vs the ISS`,
      unit: 'M cycles/s',
      higherIsBetter: true,
      sample: () => simMcps({}),
      reference: { name: 'TypeScript ISS, same ELF', sample: async () => issMcps() },
    },
    {
      name: `simulated cycles/s, VCD on (first ${TRACED_CYCLES} cycles; aim >= 2 M)`,
      unit: 'M cycles/s',
      higherIsBetter: true,
      sample: () => simMcps({ vcd: 'kernel.vcd', maxCycles: TRACED_CYCLES }),
      reference: { name: 'the same cycles, tracing off', sample: () => simMcps({ maxCycles: TRACED_CYCLES }) },
    },
    {
      name: `simulated cycles/s, text trace on (first ${TRACED_CYCLES} cycles)`,
      unit: 'M cycles/s',
      higherIsBetter: true,
      sample: () => simMcps({ trace: 'kernel.trace', maxCycles: TRACED_CYCLES }),
    },
    {
      name: 'Verilator build of the model from scratch (make sim into a fresh directory, -j2)',
      unit: 's',
      higherIsBetter: false,
      async sample() {
        const out = mkdtempSync(join(tmpdir(), 'cax-bench-build-'));
        try {
          const start = process.hrtime.bigint();
          const make = spawnSync('make', ['-C', packageRoot(), '--no-print-directory', `SIM_OUT=${out}`, join(out, 'cax-sim')], { encoding: 'utf8' });
          const seconds = Number(process.hrtime.bigint() - start) / 1e9;
          if (make.status !== 0) throw new Error(`make sim failed: ${make.stderr}`);
          return seconds;
        } finally {
          rmSync(out, { recursive: true, force: true });
        }
      },
    },
  ],
};
