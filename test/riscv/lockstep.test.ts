// Lockstep with the RTL: the same program on the Verilator model
// (build/sim/cax-sim --trace) and on the ISS, compared record by record;
// a divergence is reported with the instruction, both register files and
// the instructions before it. Programs: the project's ISA suite
// (build/isa), random streams from the RTL's generator (test/isa), and the
// ISS's own random programs with traps, CSRs and devices (raw images).
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Iss, type RunResult } from '../../host/riscv/iss.js';
import { formatDivergence, lockstepDivergence } from '../../host/sim/lockstep.js';
import { parseTraceLine, type TraceRecord } from '../../host/trace/record.js';
import { quietRecord } from '../helpers/trace-records.js';
import { randomStream } from '../isa/random-stream.js';
import { randomProgram } from './random-program.js';

const SIM = 'build/sim/cax-sim';
/** The simulation's UART divisor, as mk/rtl.mk builds it (DIVISOR reads it back). */
const SIM_DIVISOR = Number(/^SIM_UART_DIVISOR\s*:=\s*(\d+)/m.exec(readFileSync('mk/rtl.mk', 'utf8'))?.[1]);
const ISA_CFLAGS = [
  '-march=rv32im_zicsr_zifencei',
  '-mabi=ilp32',
  '-nostdlib',
  '-static',
  '-Wall',
  '-Werror',
  '-Wl,--no-warn-rwx-segments',
  '-Itest/isa',
  '-Itest/isa/machine',
  '-T',
  'test/isa/link.ld',
];

interface SimSummary {
  end: string;
  exitCode: number;
  clocks: number;
}

function onSim(program: string, dir: string, maxCycles: number, raw: boolean): { records: TraceRecord[]; summary: SimSummary } {
  const tracePath = join(dir, 'sim.trace');
  const run = spawnSync(SIM, [...(raw ? ['--raw'] : []), program, '--trace', tracePath, '--max-cycles', String(maxCycles)], { encoding: 'utf8', timeout: 60_000 });
  expect(run.error).toBeUndefined();
  const summary = JSON.parse(run.stdout.trim().split('\n').pop()!) as SimSummary;
  const text = readFileSync(tracePath, 'utf8');
  const records =
    text === ''
      ? []
      : text
          .trimEnd()
          .split('\n')
          .map((l, i) => parseTraceLine(l, { file: tracePath, line: i + 1 }));
  return { records, summary };
}

function onIss(program: Uint8Array, maxCycles: number): { records: TraceRecord[]; result: RunResult } {
  const iss = new Iss({ uartDivisor: SIM_DIVISOR });
  const records: TraceRecord[] = [];
  iss.setTraceSink((r) => records.push(r));
  iss.load(program);
  return { records, result: iss.run({ maxCycles }) };
}

/** Runs both, compares the traces and how the runs ended; fails with the divergence report. */
async function lockstep(path: string, dir: string, maxCycles: number, raw = false): Promise<number> {
  const sim = onSim(path, dir, maxCycles, raw);
  const iss = onIss(readFileSync(path), maxCycles);
  const divergence = await lockstepDivergence(sim.records, iss.records);
  if (divergence) throw new Error(`${path}: RTL and ISS diverge\n${formatDivergence(divergence, ['rtl', 'iss'])}`);
  const simEnd = sim.summary.end === 'limit' ? 'cycle-limit' : sim.summary.end === 'pass' ? 'pass' : `fail ${sim.summary.exitCode}`;
  const issEnd = iss.result.ended === 'cycle-limit' ? 'cycle-limit' : iss.result.exitCode === 0 ? 'pass' : `fail ${iss.result.exitCode}`;
  expect({ path, end: issEnd }).toEqual({ path, end: simEnd });
  if (issEnd === 'cycle-limit') {
    // the RTL stops at the clock limit, in the middle of the next instruction; the ISS before it
    expect(sim.summary.clocks - iss.result.cycles).toBeGreaterThanOrEqual(0);
    expect(sim.summary.clocks - iss.result.cycles).toBeLessThan(35);
  } else {
    expect(iss.result.cycles).toBe(sim.summary.clocks);
  }
  return sim.records.length;
}

async function withTempDir<T>(f: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'cax-lockstep-'));
  try {
    return await f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('lockstep: RTL and ISS', () => {
  it('the divisor of the simulation build is known', () => {
    expect(SIM_DIVISOR).toBeGreaterThan(0);
  });

  const suite = ['user', 'machine'].flatMap((d) =>
    readdirSync(`build/isa/${d}`)
      .filter((f) => f.endsWith('.elf'))
      .map((f) => `build/isa/${d}/${f}`),
  );
  it.each(suite)('agree record by record on the ISA test %s', async (elf) => {
    await withTempDir(async (dir) => expect(await lockstep(elf, dir, 5_000_000)).toBeGreaterThan(0));
  });

  it('agree on random streams from the RTL generator', async () => {
    await withTempDir(async (dir) => {
      for (let seed = 1; seed <= 12; seed++) {
        const source = join(dir, `stream-${seed}.S`);
        const elf = join(dir, `stream-${seed}.elf`);
        writeFileSync(source, randomStream(seed, 300));
        const cc = spawnSync('riscv64-unknown-elf-gcc', [...ISA_CFLAGS, '-o', elf, 'test/isa/env.S', source], { encoding: 'utf8' });
        expect(cc.stderr).toBe('');
        await lockstep(elf, dir, 1_000_000);
      }
    });
  });

  it('agree on random programs with traps, CSRs, counters, devices and self-modifying code', async () => {
    await withTempDir(async (dir) => {
      await fc.assert(
        fc.asyncProperty(randomProgram, fc.integer({ min: 100, max: 20_000 }), async (words, maxCycles) => {
          const image = join(dir, 'random.bin');
          writeFileSync(image, new Uint8Array(new Uint32Array(words).buffer));
          await lockstep(image, dir, maxCycles, true);
        }),
        { numRuns: 60 },
      );
    });
  });
});

describe('divergence report', () => {
  it('names the record, both versions, the differing fields and registers and the instructions before', async () => {
    const rec = (pc: number, rd: number, value: number): TraceRecord => quietRecord({ pc, insn: 0x00a00513, rd, rdValue: value });
    const left = [rec(0x80000000, 10, 10), rec(0x80000004, 11, 1), rec(0x80000008, 12, 2)];
    const right = [rec(0x80000000, 10, 10), rec(0x80000004, 11, 1), rec(0x80000008, 12, 3)];
    const d = (await lockstepDivergence(left, right))!;
    expect(d.index).toBe(2);
    expect(d.leftRegisters[11]).toBe(1);
    const text = formatDivergence({ ...d, rightRegisters: d.rightRegisters.map((v, i) => (i === 5 ? 7 : v)) }, ['rtl', 'iss']);
    expect(text).toContain('first divergence at record 2 (rdValue)');
    expect(text).toMatch(/rtl\s+80000008 a00513 c 2/);
    expect(text).toMatch(/iss\s+80000008 a00513 c 3/);
    expect(text).toMatch(/x5 +t0 +0x00000000 ≠ 0x00000007/);
    expect(text).toContain('addi a0, zero, 10');
    expect(await lockstepDivergence(left, left)).toBeUndefined();
    expect((await lockstepDivergence(left, left.slice(0, 2)))?.b).toBeUndefined();
  });
});
