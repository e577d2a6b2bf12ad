// `cax device info | load | run` against the simulated SoC's pseudo-terminal,
// run in-process through the CLI with captured output.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../host/cli/program.js';
import { startSimPty, type RunningSim } from '../../host/sim/pty.js';
import { built } from './helpers.js';
import { captureIO } from '../helpers/cli-io.js';

describe('cax device', () => {
  let sim: RunningSim;
  beforeAll(async () => {
    sim = await startSimPty({ program: built('firmware.elf') });
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('info says hello', async () => {
    const out = captureIO();
    expect(await runCli(['--json', 'device', 'info', '--port', sim.path], out)).toBe(0);
    expect(JSON.parse(out.stdout.join('\n'))).toMatchObject({ core: 'cax-soc', isa: 'rv32im', version: 1, programBase: 0x80008000 });
    const human = captureIO();
    expect(await runCli(['device', 'info', '--port', sim.path, '--baud', '115200'], human)).toBe(0);
    expect(human.stdout.join('\n')).toMatch(/core cax-soc \(rv32im\), firmware 0\.1\.0, protocol 1/);
    // The simulated UART's 8 clocks a bit at "115200" leave no divisor for 1 Mbaud: refused, the line unchanged.
    const fast = captureIO();
    expect(await runCli(['device', 'info', '--port', sim.path, '--baud', '1000000'], fast)).toBe(1);
    expect(fast.stderr.join('\n')).toMatch(/E_UNSUPPORTED .*line rate not possible/);
    expect(await runCli(['device', 'info', '--port', sim.path], captureIO())).toBe(0);
    // 230400 would be 4 clocks a bit: a divisor the UART has, but the loader would overrun its FIFO at 40 cycles a byte: refused too
    const overrun = captureIO();
    expect(await runCli(['device', 'info', '--port', sim.path, '--baud', '230400'], overrun)).toBe(1);
    expect(overrun.stderr.join('\n')).toMatch(/E_UNSUPPORTED .*line rate not possible/);
    expect(await runCli(['device', 'info', '--port', sim.path, '--baud', '57600'], captureIO())).toBe(0);
  });

  it('load and run an ELF with arguments; effects without a handler get -1', async () => {
    const out = captureIO();
    expect(await runCli(['device', 'load', built('programs/args.elf'), '--port', sim.path], out)).toBe(0);
    expect(out.stdout.join('\n')).toMatch(/loaded \d+ bytes at 0x80008000 \(sha256 [0-9a-f]{64}\)/);
    const run = captureIO();
    expect(await runCli(['--json', 'device', 'run', '--entry', '0x80008000', '--args', '1,2,3', '--port', sim.path], run)).toBe(0);
    expect(JSON.parse(run.stdout.join('\n')).result).toMatchObject({ outcome: 'returned', a0: 1 + 4 + 9, a1: 1 ^ 2 ^ 3 });
    const effects = captureIO();
    expect(await runCli(['device', 'run', built('programs/effects.elf'), '--args', '2', '--port', sim.path], effects)).toBe(0);
    expect(effects.stdout.join('\n')).toMatch(/effect 1\(0, 0, 0, 0, 0, 0\) → -1 \(no handler\)[\s\S]*returned a0=0xfffffffe/);
  });

  it('cax run --backend device --baud asks for the rate at HELLO: 57600 (16 clocks a bit) runs, 1000000 is E_UNSUPPORTED', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-baud-'));
    try {
      writeFileSync(join(dir, 'gcd.tel'), 'gcd :: Int -> Int -> Int\ngcd a 0 = a\ngcd a b = gcd b (a `mod` b)\n');
      const env = { CAX_HOME: join(dir, 'home') };
      expect(await runCli(['add', 'gcd.tel'], captureIO({ cwd: dir, env }))).toBe(0);
      const slow = captureIO({ cwd: dir, env });
      expect(await runCli(['--json', 'run', 'gcd', '1071', '462', '--backend', 'device', '--port', sim.path, '--baud', '57600', '--memo', 'off'], slow)).toBe(0);
      expect(JSON.parse(slow.stdout.join('\n'))).toMatchObject({ value: '21', coprocessor: { backend: 'device' } });
      const fast = captureIO({ cwd: dir, env });
      expect(await runCli(['run', 'gcd', '1071', '462', '--backend', 'device', '--port', sim.path, '--baud', '1000000', '--memo', 'off'], fast)).toBe(1);
      expect(fast.stderr.join('\n')).toMatch(/E_UNSUPPORTED .*line rate not possible/);
      // the session put the line back at 115200 when it closed: a plain session finds the device
      expect(await runCli(['device', 'info', '--port', sim.path], captureIO())).toBe(0);
      // a rate is for the device backend only
      const usage = captureIO({ cwd: dir, env });
      expect(await runCli(['run', 'gcd', '1071', '462', '--baud', '57600'], usage)).toBe(2);
      expect(usage.stderr.join('\n')).toMatch(/E_USAGE --baud is for the device backend/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a trap is a failure with E_TRAP, bad options are usage errors', async () => {
    const out = captureIO();
    expect(await runCli(['device', 'run', built('programs/faults.elf'), '--args', '0,0x20000000', '--port', sim.path], out)).toBe(1);
    expect(out.stderr.join('\n')).toMatch(/E_TRAP trapped: cause 5 \(load access fault\) at pc 0x8000[0-9a-f]{4}, tval 0x20000000/);
    const usage = captureIO();
    expect(await runCli(['device', 'run', '--args', '1,x', '--entry', '0x80008000', '--port', sim.path], usage)).toBe(2);
    const missing = captureIO();
    expect(await runCli(['device', 'info', '--port', '/dev/does-not-exist'], missing)).toBe(1);
    expect(missing.stderr.join('\n')).toMatch(/E_LINK cannot open \/dev\/does-not-exist/);
  });
});

describe('cax sim run --serial', () => {
  it('starts the SoC with the loader and runs the program through the serial protocol', async () => {
    const out = captureIO();
    expect(await runCli(['--json', 'sim', 'run', '--serial', built('programs/effects.elf'), '--max-cycles', '5000000'], out)).toBe(0);
    const report = JSON.parse(out.stdout.join('\n'));
    expect(report.result).toMatchObject({ outcome: 'returned', effects: 2 });
    expect(report.effects.map((e: { effect: number }) => e.effect)).toEqual([2, 3]);
    const trapped = captureIO();
    expect(await runCli(['sim', 'run', '--serial', built('programs/faults.elf')], trapped)).toBe(1);
    expect(trapped.stderr.join('\n')).toMatch(/E_TRAP trapped: cause 5/);
  });
});
