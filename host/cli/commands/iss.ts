// `cax iss run PROGRAM`: runs an ELF (or raw image) on the TypeScript
// instruction-set simulator with the exit conventions of `cax sim run`:
// prints how it ended, cycles and instructions retired; exit 0 only on pass.
import { resolve } from 'node:path';
import { z } from 'zod';
import { CaxError } from '../../errors.js';
import { readProgram } from '../files.js';
import { parseOptions } from '../options.js';
import { DEFAULT_RAM_BYTES, Iss, type RunResult } from '../../riscv/iss.js';
import { openTraceFile } from '../../trace/file.js';
import { progress } from '../io.js';
import { GdbTarget, serveOneSession } from '../../debug/gdb.js';
import type { Register } from '../program.js';

const SLICE_CYCLES = 50_000_000;

const RunOptions = z.object({
  maxCycles: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).default(10_000_000_000),
  trace: z.string().min(1).optional(),
  ramBytes: z.coerce.number().int().positive().default(DEFAULT_RAM_BYTES),
  linux: z.boolean().default(false),
  interpret: z.boolean().default(false),
  raw: z.boolean().default(false),
});

function describeEnd(r: RunResult): string {
  if (r.ended === 'cycle-limit') return 'cycle limit reached';
  return r.exitCode === 0 ? 'pass' : `fail: code ${r.exitCode}`;
}

const GdbOptions = z.object({
  port: z.coerce.number().int().min(0).max(65535),
  ramBytes: z.coerce.number().int().positive().default(DEFAULT_RAM_BYTES),
  linux: z.boolean().default(false),
  raw: z.boolean().default(false),
});

export const registerIss: Register = (program, ctx) => {
  const iss = program.command('iss').description('the TypeScript instruction-set simulator of the cax SoC (docs/iss.md)');
  iss
    .command('run <program>')
    .description('run an ELF (or with --raw a raw image) on the ISS; prints how it ended, cycles and instructions retired (exit 0 only on pass)')
    .option('--max-cycles <n>', 'stop before the first instruction that would end after N cycles (default 1e10)')
    .option('--trace <file>', 'write the retirement trace (docs/trace-port.md text form) while TRACE_EN is on')
    .option('--ram-bytes <n>', `RAM size in bytes (default ${DEFAULT_RAM_BYTES}, as the simulated SoC)`)
    .option('--linux', "treat ecall as qemu-user's Linux calls (exit, write) instead of a trap, for test programs")
    .option('--raw', 'the program is a raw image loaded at 0x80000000')
    .option('--interpret', 'interpret every instruction (no block translation)')
    .exitOverride()
    .action((path: string, raw: Record<string, unknown>) => {
      const options = parseOptions(RunOptions, raw);
      const bytes = readProgram(ctx.io, path, options.raw);
      const sim = new Iss({ ramBytes: options.ramBytes, syscalls: options.linux ? 'linux' : 'none', jit: !options.interpret });
      let uart = '';
      sim.uart.onTransmit((b) => (uart += String.fromCharCode(b)));
      let stdout = '';
      sim.onSyscallWrite((_fd, data) => (stdout += Buffer.from(data).toString('latin1')));
      sim.load(bytes);
      const trace = options.trace === undefined ? undefined : openTraceFile(resolve(ctx.io.cwd, options.trace));
      if (trace) sim.setTraceSink(trace.sink);
      const bar = progress(ctx.io, ctx.json(), 'iss', options.maxCycles);
      let result: RunResult;
      try {
        for (;;) {
          const remaining = options.maxCycles - sim.cycles;
          const slice = Math.min(SLICE_CYCLES, remaining);
          const before = sim.cycles;
          result = sim.run({ maxCycles: slice });
          bar.tick(sim.cycles - before);
          if (result.ended !== 'cycle-limit' || slice === remaining) break;
        }
      } finally {
        bar.done();
        trace?.close();
      }
      if (uart !== '') ctx.io.err(uart.replace(/\n$/, ''));
      if (stdout !== '' && !ctx.json()) ctx.io.out(stdout.replace(/\n$/, ''));
      const summary = {
        ended: result.ended,
        exitCode: result.exitCode,
        cycles: result.cycles,
        instret: result.instret,
        ...(trace ? { traceRecords: trace.count() } : {}),
        ...(options.linux ? { stdout } : {}),
      };
      ctx.emit(summary, () => `${describeEnd(result)}: ${result.cycles} cycles, ${result.instret} instructions retired`);
      if (result.ended === 'cycle-limit') throw new CaxError('E_BUDGET', `the program did not end within ${options.maxCycles} cycles`, { details: summary });
      if (result.exitCode !== 0) throw new CaxError('E_PROGRAM_FAILED', `the program failed with code ${result.exitCode}`, { details: summary });
    });

  iss
    .command('gdb <program>')
    .description(
      'serve the program to gdb (remote serial protocol on 127.0.0.1:PORT): registers, memory, breakpoints, watchpoints, step, continue, reverse-step and reverse-continue (docs/debugging.md)',
    )
    .requiredOption('--port <n>', 'TCP port on 127.0.0.1 (0: any free port; the one taken is printed)')
    .option('--ram-bytes <n>', `RAM size in bytes (default ${DEFAULT_RAM_BYTES}, as the simulated SoC)`)
    .option('--linux', "treat ecall as qemu-user's Linux calls (exit, write) instead of a trap")
    .option('--raw', 'the program is a raw image loaded at 0x80000000')
    .exitOverride()
    .action(async (path: string, raw: Record<string, unknown>) => {
      const options = parseOptions(GdbOptions, raw);
      const bytes = readProgram(ctx.io, path, options.raw);
      const makeTarget = (): GdbTarget => {
        const target = new GdbTarget(bytes, { ramBytes: options.ramBytes, syscalls: options.linux ? 'linux' : 'none' });
        target.onOutput = (_fd, data) => ctx.io.err(Buffer.from(data).toString('latin1').replace(/\n$/, ''));
        return target;
      };
      makeTarget(); // a program the ISS cannot load fails here, before anything listens
      await serveOneSession(options.port, makeTarget, (port) =>
        ctx.emit({ listening: { host: '127.0.0.1', port } }, () => `listening on 127.0.0.1:${port} (gdb-multiarch: target remote 127.0.0.1:${port})`),
      );
    });
};
