// `cax fpga report`: resource use and timing of the last FPGA build (`make
// fpga BOARD=…`, docs/fpga.md), read from nextpnr's JSON report; fails with
// E_FPGA_TIMING when a clock misses its constraint (the board clock).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { CaxError } from '../../errors.js';
import type { Register } from '../program.js';

const usage = z.object({ used: z.number().int().nonnegative(), available: z.number().int().nonnegative() });
const nextpnrReport = z.object({
  utilization: z.record(z.string(), usage),
  fmax: z.record(z.string(), z.object({ achieved: z.number(), constraint: z.number() })),
});

export interface Usage {
  readonly used: number;
  readonly available: number;
}

export interface ClockTiming {
  readonly clock: string;
  readonly achievedMHz: number;
  readonly constraintMHz: number;
  readonly met: boolean;
}

export interface FpgaReport {
  readonly board: string;
  readonly luts: Usage;
  readonly blockRams: Usage;
  readonly sprams: Usage;
  readonly dsps: Usage;
  readonly ios: Usage;
  readonly clocks: readonly ClockTiming[];
  readonly timingMet: boolean;
}

const NONE: Usage = { used: 0, available: 0 };

/** The summary of a nextpnr-ice40 `--report` file; pure. */
export function summarizeReport(board: string, json: unknown): FpgaReport {
  const parsed = nextpnrReport.safeParse(json);
  if (!parsed.success) throw new CaxError('E_PARSE', `not a nextpnr report: ${z.prettifyError(parsed.error)}`);
  const { utilization, fmax } = parsed.data;
  // nextpnr also times its constant-driver pseudo nets ($PACKER_GND_NET …): not clocks.
  const clocks = Object.entries(fmax)
    .filter(([name]) => !name.startsWith('$'))
    .map(([name, f]) => ({ clock: name.replace(/\$SB_IO_IN.*$/, ''), achievedMHz: f.achieved, constraintMHz: f.constraint, met: f.achieved >= f.constraint }));
  return {
    board,
    luts: utilization.ICESTORM_LC ?? NONE,
    blockRams: utilization.ICESTORM_RAM ?? NONE,
    sprams: utilization.ICESTORM_SPRAM ?? NONE,
    dsps: utilization.ICESTORM_DSP ?? NONE,
    ios: utilization.SB_IO ?? NONE,
    clocks,
    timingMet: clocks.length > 0 && clocks.every((c) => c.met),
  };
}

export function formatReport(r: FpgaReport): string {
  const row = (label: string, u: Usage): string => `${label.padEnd(12)} ${String(u.used).padStart(5)} / ${u.available}`;
  return [
    `FPGA build for ${r.board}`,
    row('logic cells', r.luts),
    row('block RAM', r.blockRams),
    row('SPRAM', r.sprams),
    row('DSP', r.dsps),
    row('I/O', r.ios),
    ...r.clocks.map((c) => `clock ${c.clock}: Fmax ${c.achievedMHz.toFixed(2)} MHz, needs ${c.constraintMHz.toFixed(2)} MHz: ${c.met ? 'met' : 'NOT MET'}`),
  ].join('\n');
}

export const registerFpga: Register = (program, ctx) => {
  const fpga = program.command('fpga').description('the FPGA build of the SoC (make fpga, make flash; docs/fpga.md)');
  fpga
    .command('report')
    .description('resources and Fmax of the last `make fpga` build; exit 1 when the board clock is not met')
    .option('--board <name>', 'board the build was for', 'icebreaker')
    .action((opts: { board: string }) => {
      const board = z
        .string()
        .regex(/^[a-z0-9_]+$/)
        .safeParse(opts.board);
      if (!board.success) throw new CaxError('E_USAGE', `bad board name: ${JSON.stringify(opts.board)}`);
      const file = resolve(ctx.io.cwd, 'build/fpga', board.data, 'report.json');
      if (!existsSync(file)) throw new CaxError('E_FPGA_NO_BUILD', `no FPGA build for ${board.data}: run \`make fpga BOARD=${board.data}\` first (${file} is missing)`);
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        throw new CaxError('E_PARSE', `${file}: ${(e as Error).message}`);
      }
      const report = summarizeReport(board.data, json);
      ctx.emit(report, () => formatReport(report));
      if (!report.timingMet) throw new CaxError('E_FPGA_TIMING', `the ${board.data} build does not meet its clock constraint`, { details: { clocks: report.clocks } });
    });
};
