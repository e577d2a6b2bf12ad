// `cax sim build | run | start | gdb`: the Verilator simulation of the SoC
// (docs/rtl.md); `gdb` serves a recorded run's trace to gdb (docs/debugging.md). `run` runs a program to its end and reports how it ended,
// cycles and instructions retired (exit 0 only on pass, like `cax iss run`);
// `start` runs it behind a pseudo-terminal and prints the terminal's path.
// Waves (--vcd, --fst) come with a GTKWave save file (docs/waveforms.md).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { artefactPath } from '../../artefacts.js';
import { CaxError } from '../../errors.js';
import { readProgram } from '../files.js';
import { parseOptions } from '../options.js';
import { describeRun, runFailure, runOnSimulatedSerial } from '../../protocol/program-file.js';
import { startSimPty } from '../../sim/pty.js';
import { buildSim, runSim, type SimSummary } from '../../sim/simulator.js';
import { gtkwSave, readVcdHeader, vcdSignals, vcdToFst } from '../../sim/waveforms.js';
import { meter, progress } from '../io.js';
import type { Register } from '../program.js';
import { serveOneSession } from '../../debug/gdb.js';
import { TraceTarget } from '../../debug/trace-target.js';
import { DEFAULT_RAM_BYTES } from '../../riscv/iss.js';
import { parseTraceLine } from '../../trace/record.js';

const RunOptions = z.object({
  maxCycles: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  vcd: z.string().min(1).optional(),
  fst: z.string().min(1).optional(),
  coverage: z.string().min(1).optional(),
  trace: z.string().min(1).optional(),
  raw: z.boolean().default(false),
  serial: z.boolean().default(false),
});

const GdbOptions = z.object({
  elf: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
  ramBytes: z.coerce.number().int().positive().default(DEFAULT_RAM_BYTES),
});

const StartOptions = RunOptions.pick({ maxCycles: true, trace: true, raw: true });

/** The save file next to a dump: `wave.vcd` → `wave.vcd.gtkw` (a VCD and an FST of one run each get their own). */
const savePath = (dump: string): string => `${dump}.gtkw`;

function programPath(cwd: string, path: string): string {
  const file = resolve(cwd, path);
  if (!existsSync(file)) throw new CaxError('E_USAGE', `no such program: ${path}`);
  return file;
}

function describeEnd(s: SimSummary): string {
  const how = s.end === 'pass' ? 'pass' : s.end === 'fail' ? `fail: code ${s.exitCode}` : s.end === 'limit' ? 'cycle limit reached' : s.end === 'ecall' ? 'stopped at an ecall' : 'stopped';
  return `${how}: ${s.cycles} cycles, ${s.instret} instructions retired`;
}

/** The SoC's time for `cycles` clocks of the board's 12 MHz oscillator (docs/fpga.md). */
function simulatedTime(cycles: number): string {
  const ms = cycles / 12_000;
  return ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function rate(cycles: number, seconds: number): string {
  return seconds > 0 ? `${(cycles / seconds / 1e6).toFixed(2)} M cycles/s` : '…';
}

function summaryJson(s: SimSummary): Record<string, unknown> {
  return { ended: s.end, exitCode: s.exitCode, cycles: s.cycles, instret: s.instret };
}

export const registerSim: Register = (program, ctx) => {
  const sim = program.command('sim').description('the Verilator simulation of the cax SoC (docs/rtl.md)');

  sim
    .command('build')
    .description('build the simulator (build/sim/cax-sim) from the RTL with Verilator')
    .option('--coverage', 'build the coverage model instead (build/sim-coverage/cax-sim: Verilator line and toggle coverage; docs/waveforms.md)')
    .exitOverride()
    .action(async (raw: Record<string, unknown>) => {
      const coverage = raw.coverage === true;
      const bar = progress(ctx.io, ctx.json(), 'verilator', 1);
      let path: string;
      try {
        path = await buildSim(undefined, coverage);
        bar.tick();
      } finally {
        bar.done();
      }
      ctx.emit({ simulator: path }, () => `built ${path}`);
    });

  sim
    .command('run <program>')
    .description('run an ELF (or with --raw a raw image) on the simulated SoC; prints how it ended, cycles and instructions retired (exit 0 only on pass)')
    .option('--max-cycles <n>', 'stop after N clocks')
    .option('--vcd <file>', 'write a VCD of the SoC while TRACE_EN is on, and a GTKWave save file FILE.gtkw with the useful signals grouped (docs/waveforms.md)')
    .option('--fst <file>', "the same waves as FST, GTKWave's compact format (converted with vcd2fst), with FILE.gtkw")
    .option('--trace <file>', 'write the retirement trace (docs/trace-port.md text form) while TRACE_EN is on')
    .option('--coverage <file>', 'run on the coverage model (cax sim build --coverage) and write its coverage data to FILE (cax coverage report merges them)')
    .option('--raw', 'the program is a raw image loaded at 0x80000000')
    .option('--serial', 'run the loader firmware and load and run the program through it over the simulated serial line (docs/protocol.md); --max-cycles is then the cycle budget')
    .exitOverride()
    .action(async (path: string, raw: Record<string, unknown>) => {
      const options = parseOptions(RunOptions, raw);
      if (options.serial && (options.coverage !== undefined || options.vcd !== undefined || options.fst !== undefined))
        throw new CaxError('E_USAGE', '--serial runs on the plain model: --coverage, --vcd and --fst need a direct run');
      if (options.serial) {
        const { result, effects } = await runOnSimulatedSerial(new Uint8Array(readFileSync(programPath(ctx.io.cwd, path))), options.maxCycles ?? 100_000_000);
        ctx.emit({ result, effects: effects.effects }, () => [...effects.describe(), describeRun(result)].join('\n'));
        const failure = runFailure(result);
        if (failure) throw failure;
        return;
      }
      const program = programPath(ctx.io.cwd, path);
      readProgram(ctx.io, path, options.raw);
      const fst = options.fst === undefined ? undefined : resolve(ctx.io.cwd, options.fst);
      const scratch = fst !== undefined && options.vcd === undefined ? mkdtempSync(join(tmpdir(), 'cax-waves-')) : undefined;
      const vcd = options.vcd !== undefined ? resolve(ctx.io.cwd, options.vcd) : scratch !== undefined ? join(scratch, 'waves.vcd') : undefined;
      const started = performance.now();
      const shown = meter(ctx.io, ctx.json(), 'sim', (clocks, seconds) => `${clocks.toLocaleString('en')} cycles, ${simulatedTime(clocks)} simulated at 12 MHz, ${rate(clocks, seconds)}`);
      let summary: SimSummary;
      let uart: string;
      try {
        ({ summary, uart } = await runSim({
          onProgress: (clocks) => shown.update(clocks),
          program,
          raw: options.raw,
          maxCycles: options.maxCycles,
          vcd,
          trace: options.trace === undefined ? undefined : resolve(ctx.io.cwd, options.trace),
          ...(options.coverage === undefined ? {} : { coverage: resolve(ctx.io.cwd, options.coverage), simulator: artefactPath('coverageSimulator') }),
        }));
        if (vcd !== undefined) {
          const signals = vcdSignals(readVcdHeader(vcd));
          if (options.vcd !== undefined) writeFileSync(savePath(vcd), gtkwSave(vcd, signals));
          if (fst !== undefined) {
            await vcdToFst(vcd, fst);
            writeFileSync(savePath(fst), gtkwSave(fst, signals));
          }
        }
      } finally {
        shown.done();
        if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
      }
      const seconds = (performance.now() - started) / 1000;
      if (uart !== '') ctx.io.err(uart.replace(/\n$/, ''));
      const json = summaryJson(summary);
      ctx.emit(json, () => `${describeEnd(summary)} (${simulatedTime(summary.cycles)} at 12 MHz; ${rate(summary.cycles, seconds)})`);
      if (summary.end === 'limit') throw new CaxError('E_BUDGET', `the program did not end within ${options.maxCycles} cycles`, { details: json });
      if (summary.end !== 'pass') throw new CaxError('E_PROGRAM_FAILED', `the program failed with code ${summary.exitCode}`, { details: json });
    });

  sim
    .command('start [program]')
    .description(`run a program (default the loader firmware) on the simulated SoC behind a pseudo-terminal; prints its path, runs until the program ends or Ctrl-C`)
    .option('--max-cycles <n>', 'stop after N clocks')
    .option('--trace <file>', 'write the retirement trace while TRACE_EN is on')
    .option('--raw', 'the program is a raw image loaded at 0x80000000')
    .exitOverride()
    .action(async (path: string | undefined, raw: Record<string, unknown>) => {
      const options = parseOptions(StartOptions, raw);
      const running = await startSimPty({
        program: programPath(ctx.io.cwd, path ?? artefactPath('firmware')),
        raw: options.raw,
        maxCycles: options.maxCycles,
        trace: options.trace === undefined ? undefined : resolve(ctx.io.cwd, options.trace),
      });
      ctx.emit({ pty: running.path }, () => running.path);
      const stop = (): void => void running.stop();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const summary = await running.ended;
        ctx.io.err(`simulation ended: ${describeEnd(summary)}`);
      } finally {
        process.removeListener('SIGINT', stop);
        process.removeListener('SIGTERM', stop);
      }
    });

  sim
    .command('gdb <trace>')
    .description(
      'gdb over the recorded retirement trace of a simulated run (`cax sim run PROGRAM --trace FILE`): registers, memory, breakpoints, watchpoints, step, continue, reverse-step and reverse-continue through the history (docs/debugging.md)',
    )
    .requiredOption('--elf <file>', 'the program the trace is of (its loaded bytes are the memory before the first record)')
    .requiredOption('--port <n>', 'TCP port on 127.0.0.1 (0: any free port; the one taken is printed)')
    .option('--ram-bytes <n>', `RAM size in bytes (default ${DEFAULT_RAM_BYTES})`)
    .exitOverride()
    .action(async (path: string, raw: Record<string, unknown>) => {
      const o = parseOptions(GdbOptions, raw);
      const file = programPath(ctx.io.cwd, path);
      const records = readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (line.trim() === '' ? [] : [parseTraceLine(line, { file: path, line: i + 1 })]));
      const elf = readProgram(ctx.io, o.elf, false);
      const makeTarget = (): TraceTarget => new TraceTarget(elf, records, o.ramBytes);
      makeTarget(); // an empty trace or a bad ELF fails here, before anything listens
      await serveOneSession(o.port, makeTarget, (port) =>
        ctx.emit(
          { listening: { host: '127.0.0.1', port }, records: records.length },
          () => `listening on 127.0.0.1:${port} (${records.length} records; gdb-multiarch: target remote 127.0.0.1:${port})`,
        ),
      );
    });
};
