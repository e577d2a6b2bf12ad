// `cax iss run`, in-process: summary and exit codes like `cax sim run`,
// --json, --trace writing the text records, usage errors.
import { describe, it, expect } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../host/cli/program.js';
import { parseTraceLine } from '../../host/trace/record.js';
import { exitWith, iType } from './asm.js';
import { captureIO } from '../helpers/cli-io.js';

describe('cax iss run', () => {
  it('runs a program with the Linux convention and reports how it ended', async () => {
    const io = captureIO();
    expect(await runCli(['iss', 'run', 'build/iss/fib.elf', '--linux'], io)).toBe(0);
    expect(io.stdout).toEqual(['00001a6d', expect.stringMatching(/^pass: \d+ cycles, \d+ instructions retired$/)]);
  });

  it('--json gives the summary; a failing program exits 1; a cycle limit exits 1 with E_BUDGET', async () => {
    const io = captureIO();
    expect(await runCli(['--json', 'iss', 'run', 'build/iss/tohost.elf', '--max-cycles', '1000'], io)).toBe(1);
    expect(JSON.parse(io.stdout[0]!)).toEqual({ ended: 'tohost', exitCode: 2, cycles: 18, instret: 6 });
    expect(JSON.parse(io.stdout[1]!).error.code).toBe('E_PROGRAM_FAILED');
    const limited = captureIO();
    expect(await runCli(['--json', 'iss', 'run', 'build/iss/fib.elf', '--linux', '--max-cycles', '100'], limited)).toBe(1);
    expect(JSON.parse(limited.stdout[0]!)).toMatchObject({ ended: 'cycle-limit', cycles: 99 });
    expect(JSON.parse(limited.stdout[1]!).error.code).toBe('E_BUDGET');
  });

  it('--trace writes one record per retired instruction or trap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-iss-'));
    try {
      const program = join(dir, 'p.bin');
      writeFileSync(program, new Uint8Array(new Uint32Array([iType('addi', 10, 0, 10), 0, ...exitWith(1)]).buffer));
      const io = captureIO();
      // the illegal word traps to mtvec = 0: an access fault loop until the budget
      expect(await runCli(['iss', 'run', program, '--raw', '--trace', join(dir, 't.txt'), '--max-cycles', '12'], io)).toBe(1);
      const lines = readFileSync(join(dir, 't.txt'), 'utf8').trim().split('\n');
      expect(lines).toEqual(['80000000 a00513 a a 0 0 0 0 0 0 0', '80000004 0 0 0 0 0 0 0 1 2 0', '0 0 0 0 0 0 0 0 1 1 0', '0 0 0 0 0 0 0 0 1 1 0']);
      lines.forEach((l, i) => parseTraceLine(l, { file: 't.txt', line: i + 1 }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad options and missing files', async () => {
    const io = captureIO();
    expect(await runCli(['iss', 'run', 'build/iss/fib.elf', '--max-cycles', 'lots'], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/E_USAGE/);
    const missing = captureIO();
    expect(await runCli(['iss', 'run', 'no/such.elf'], missing)).toBe(1);
    expect(missing.stderr.join('\n')).toMatch(/E_IO/);
  });
});
