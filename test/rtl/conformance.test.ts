// Conformance of the RTL core: every ISA test (test/isa/user and
// test/isa/machine, built by mk/rtl.mk) runs bare-metal on the Verilator
// model and must pass; the failure code names the failing check.
import { describe, it, expect } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runSim } from '../../host/sim/simulator.js';

const isaElfs = (dir: string): string[] =>
  readdirSync(join('build/isa', dir))
    .filter((f) => f.endsWith('.elf'))
    .sort()
    .map((f) => join('build/isa', dir, f));

describe('ISA conformance on the simulated core', () => {
  const self = [...isaElfs('user'), ...isaElfs('machine')].filter((f) => !f.endsWith('exit-code.elf'));

  it('has the suite built', () => {
    expect(self.map((f) => f.replace(/^.*\//, '')).sort()).toEqual(expect.arrayContaining(['alu.elf', 'branch.elf', 'mem.elf', 'muldiv.elf', 'trap.elf', 'csr.elf', 'device.elf']));
  });

  it.each(self)('%s passes', async (elf) => {
    const { summary } = await runSim({ program: elf, maxCycles: 1_000_000 });
    expect({ elf, end: summary.end, failedCheck: summary.exitCode }).toEqual({ elf, end: 'pass', failedCheck: 0 });
    expect(summary.clocks).toBeGreaterThan(300);
  });

  it('reports a failure code written to EXIT, after ignoring even values', async () => {
    const { summary } = await runSim({ program: 'build/isa/machine/exit-code.elf', maxCycles: 100_000 });
    expect(summary.end).toBe('fail');
    expect(summary.exitCode).toBe(21);
  });
});
