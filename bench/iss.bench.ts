// ISS speed: million instructions per second on a compute kernel and on
// recursive fib (build/iss/*-bench.elf, built by mk/iss.mk), each next to
// qemu-riscv32 running the same ELF; and the cost of tracing on (every
// record written as text to a trace file, as `cax iss run --trace` does)
// against the same program with tracing off.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchCase, BenchSuite } from './harness.js';
import { Iss } from '../host/riscv/iss.js';
import { openTraceFile } from '../host/trace/file.js';

/** Runs `path` on a fresh ISS to its end (writing its trace to a temporary file when `trace`); returns instructions and seconds. */
function runIss(path: string, trace: boolean): { instret: number; seconds: number } {
  const iss = new Iss({ syscalls: 'linux' });
  const dir = trace ? mkdtempSync(join(tmpdir(), 'cax-bench-')) : undefined;
  const file = dir === undefined ? undefined : openTraceFile(join(dir, 'trace.txt'));
  try {
    if (file) iss.setTraceSink(file.sink);
    iss.load(readFileSync(path));
    const start = process.hrtime.bigint();
    const result = iss.run({ maxCycles: Number.MAX_SAFE_INTEGER });
    file?.close();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.ended !== 'exit' || (file && file.count() !== result.instret)) throw new Error(`${path} did not run to its end on the ISS`);
    return { instret: result.instret, seconds };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** qemu-riscv32 on the same ELF, wall time including its start-up; MIPS from the ISS's instruction count. */
function qemuMips(path: string, instret: number): number {
  const start = process.hrtime.bigint();
  const run = spawnSync('qemu-riscv32', [path], { encoding: 'latin1' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.error || run.status === null) throw new Error(`qemu-riscv32 ${path} failed: ${run.error?.message ?? run.signal}`);
  return instret / seconds / 1e6;
}

function mipsCase(name: string, path: string): BenchCase {
  let instret = 0;
  return {
    name: `ISS MIPS, ${name} (${path})`,
    unit: 'MIPS',
    higherIsBetter: true,
    async sample() {
      const r = runIss(path, false);
      instret = r.instret;
      return r.instret / r.seconds / 1e6;
    },
    reference: { name: 'qemu-riscv32, same ELF', sample: async () => qemuMips(path, instret || runIss(path, false).instret) },
  };
}

const TRACED = 'build/iss/compute.elf';

export const suite: BenchSuite = {
  title: 'ISS (TypeScript RV32IM simulator)',
  cases: [
    mipsCase('compute kernel', 'build/iss/compute-bench.elf'),
    mipsCase('recursive fib', 'build/iss/fib-bench.elf'),
    {
      name: `ISS MIPS with tracing on, every record written to a text trace file (${TRACED})`,
      unit: 'MIPS',
      higherIsBetter: true,
      async sample() {
        const r = runIss(TRACED, true);
        return r.instret / r.seconds / 1e6;
      },
      reference: {
        name: 'tracing off, same ELF',
        async sample() {
          const r = runIss(TRACED, false);
          return r.instret / r.seconds / 1e6;
        },
      },
    },
  ],
};
