// The FPGA build (mk/fpga.mk): the SoC for the iCEBreaker synthesises,
// places, routes and meets the 12 MHz board clock, with the RAM in SPRAM;
// `cax fpga report` reads nextpnr's report and fails on missed timing.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { runCli } from '../../host/cli/program.js';
import type { CliIO } from '../../host/cli/io.js';
import { summarizeReport, type FpgaReport } from '../../host/cli/commands/fpga.js';
import { CaxError } from '../../host/errors.js';

const OUT = 'build/fpga/icebreaker';
const BOARD_MHZ = 12;

function cli(cwd: string): { io: CliIO; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false, cwd, env: {} }, out, err };
}

beforeAll(
  () => {
    // Up to date after `make test`'s prerequisites; builds (minutes) when run alone.
    execFileSync('make', ['-s', `${OUT}/cax.bin`, `${OUT}/report.json`], { stdio: ['ignore', 'ignore', 'pipe'] });
  },
  40 * 60 * 1000,
);

describe('make fpga BOARD=icebreaker', () => {
  it('meets the board clock and fits the UP5K, RAM in its four SPRAMs', async () => {
    const { io, out } = cli(process.cwd());
    expect(await runCli(['--json', 'fpga', 'report'], io)).toBe(0);
    const report = JSON.parse(out.join('\n')) as FpgaReport;
    expect(report.timingMet).toBe(true);
    expect(report.clocks).toHaveLength(1);
    expect(report.clocks[0]!.constraintMHz).toBe(BOARD_MHZ);
    expect(report.clocks[0]!.achievedMHz).toBeGreaterThanOrEqual(BOARD_MHZ);
    expect(report.sprams).toEqual({ used: 4, available: 4 });
    expect(report.luts.used).toBeLessThanOrEqual(report.luts.available);
    expect(report.blockRams.used).toBeLessThanOrEqual(report.blockRams.available);
    expect(report.dsps.used).toBeGreaterThan(0); // the multiplier
    expect(report.ios.used).toBe(6);
  });

  it('lets icebram swap the whole boot image in the placed design (the firmware is replaced without a new synthesis)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-fpga-'));
    try {
      // Placeholder → another random image → placeholder must give the placed design back bit for bit.
      const words = readFileSync(`${OUT}/placeholder.hex`, 'utf8').trim().split('\n').length;
      const other = join(dir, 'other.hex');
      writeFileSync(other, execFileSync('icebram', ['-g', '-s', '2', '32', String(words)]));
      const placed = readFileSync(`${OUT}/placed.asc`);
      const swapped = execFileSync('icebram', [`${OUT}/placeholder.hex`, other], { input: placed, maxBuffer: 64 << 20 });
      expect(swapped.equals(placed)).toBe(false);
      const back = execFileSync('icebram', [other, `${OUT}/placeholder.hex`], { input: swapped, maxBuffer: 64 << 20 });
      expect(back.equals(placed)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('packs a whole UP5K bitstream', () => {
    // icepack writes the full configuration image: 104090 bytes for the UP5K.
    expect(statSync(`${OUT}/cax.bin`).size).toBe(104090);
  });
});

describe('cax fpga report', () => {
  const fmax = (achieved: number) => ({ CLK$SB_IO_IN_$glb_clk: { achieved, constraint: BOARD_MHZ }, $PACKER_GND_NET: { achieved: 300, constraint: BOARD_MHZ } });
  const utilization = { ICESTORM_LC: { used: 10, available: 5280 }, ICESTORM_SPRAM: { used: 4, available: 4 } };

  it('fails with E_FPGA_TIMING when the board clock is missed, and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-fpga-'));
    try {
      mkdirSync(join(dir, 'build/fpga/icebreaker'), { recursive: true });
      writeFileSync(join(dir, 'build/fpga/icebreaker/report.json'), JSON.stringify({ utilization, fmax: fmax(10.5) }));
      const { io, out, err } = cli(dir);
      expect(await runCli(['fpga', 'report'], io)).toBe(1);
      expect(out.join('\n')).toMatch(/Fmax 10\.50 MHz, needs 12\.00 MHz: NOT MET/);
      expect(err.join('\n')).toMatch(/E_FPGA_TIMING/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says how to build when there is no build, and refuses odd board names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-fpga-'));
    try {
      const { io, err } = cli(dir);
      expect(await runCli(['fpga', 'report'], io)).toBe(1);
      expect(err.join('\n')).toMatch(/E_FPGA_NO_BUILD.*make fpga BOARD=icebreaker/);
      expect(await runCli(['fpga', 'report', '--board', '../x'], cli(dir).io)).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ignores the constant pseudo-clocks and reads unused resources as zero', () => {
    const r = summarizeReport('icebreaker', { utilization, fmax: fmax(13) });
    expect(r.clocks).toEqual([{ clock: 'CLK', achievedMHz: 13, constraintMHz: BOARD_MHZ, met: true }]);
    expect(r.dsps).toEqual({ used: 0, available: 0 });
    expect(r.timingMet).toBe(true);
  });

  it('rejects anything that is not a nextpnr report with E_PARSE', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        try {
          summarizeReport('icebreaker', json);
        } catch (e) {
          expect(e).toBeInstanceOf(CaxError);
          expect((e as CaxError).code).toBe('E_PARSE');
        }
      }),
    );
  });
});
