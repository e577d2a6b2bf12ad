// Whole C programs (test/riscv/programs, built by mk/iss.mk) on the ISS
// against qemu-riscv32 running the same ELF: the same output and exit
// status. The programs end with the Linux exit call and print with write,
// which the ISS implements under `syscalls: 'linux'`. Also: determinism.
import { describe, it, expect } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Iss, type IssOptions } from '../../host/riscv/iss.js';
import { formatTraceRecord } from '../../host/trace/record.js';

const PROGRAMS = ['arith', 'sort', 'fib', 'compute'];
const elf = (name: string): Uint8Array => readFileSync(`build/iss/${name}.elf`);

function onIss(name: string, options: IssOptions, trace = false): { output: string; exitCode: number; cycles: number; instret: number; traceHash: string } {
  const iss = new Iss({ syscalls: 'linux', ...options });
  let output = '';
  iss.onSyscallWrite((fd, bytes) => {
    if (fd === 1) output += Buffer.from(bytes).toString('latin1');
  });
  const hash = createHash('sha256');
  if (trace) iss.setTraceSink((r) => hash.update(`${formatTraceRecord(r)}\n`));
  iss.load(elf(name));
  const result = iss.run({ maxCycles: 1e9 });
  expect(result.ended).toBe('exit');
  return { output, exitCode: result.exitCode, cycles: result.cycles, instret: result.instret, traceHash: hash.digest('hex') };
}

describe('C programs: ISS against qemu-riscv32', () => {
  it.each(PROGRAMS)('%s prints and exits as under qemu, on both engines', (name) => {
    const qemu = spawnSync('qemu-riscv32', [`build/iss/${name}.elf`], { encoding: 'latin1', timeout: 60_000 });
    expect(qemu.error).toBeUndefined();
    expect(qemu.stdout.length).toBeGreaterThan(0);
    const translated = onIss(name, {});
    const interpreted = onIss(name, { jit: false });
    expect(translated.output).toBe(qemu.stdout);
    expect(translated.exitCode).toBe(qemu.status);
    expect(interpreted).toEqual(translated);
  });
});

describe('determinism', () => {
  it('the same image gives the same trace, cycles and result every time, and a run in slices ends as a run in one go', () => {
    const first = onIss('sort', {}, true);
    const second = onIss('sort', {}, true);
    expect(second).toEqual(first);
    expect(first.traceHash).not.toBe(createHash('sha256').digest('hex'));
    const iss = new Iss({ syscalls: 'linux' });
    iss.load(elf('sort'));
    let result = iss.run({ maxCycles: 777 });
    while (result.ended === 'cycle-limit') result = iss.run({ maxCycles: 10_007 });
    expect([result.cycles, result.instret, result.exitCode]).toEqual([first.cycles, first.instret, first.exitCode]);
  });
});
