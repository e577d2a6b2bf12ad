// `cax sim build | run | start`, in-process: summaries, --json, exit codes,
// usage errors, and the pseudo-terminal path of `start`.
import { describe, it, expect } from '@jest/globals';
import { SerialPort } from 'serialport';
import { runCli } from '../../host/cli/program.js';
import { captureIO } from '../helpers/cli-io.js';

describe('cax sim run', () => {
  it('prints how a passing program ended, and its UART output', async () => {
    const io = captureIO();
    expect(await runCli(['sim', 'run', 'build/rtl/hello.elf'], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/^pass: \d+ cycles, \d+ instructions retired \([\d.]+ ms at 12 MHz; [\d.]+ M cycles\/s\)$/);
    expect(io.stderr).toEqual(['hello, cax']);
  });

  it('reports a failure code as JSON and exits 1', async () => {
    const io = captureIO();
    expect(await runCli(['--json', 'sim', 'run', 'build/isa/machine/exit-code.elf'], io)).toBe(1);
    const summary = JSON.parse(io.stdout[0]!) as Record<string, unknown>;
    expect(summary).toMatchObject({ ended: 'fail', exitCode: 21 });
    expect(JSON.parse(io.stdout[1]!)).toMatchObject({ error: { code: 'E_PROGRAM_FAILED' } });
  });

  it('stops at --max-cycles with E_BUDGET', async () => {
    const io = captureIO();
    expect(await runCli(['sim', 'run', 'build/rtl/spin.elf', '--max-cycles', '3000'], io)).toBe(1);
    expect(io.stdout[0]).toMatch(/^cycle limit reached: 3000 cycles, 1000 instructions retired \(0\.3 ms at 12 MHz; /);
    expect(io.stderr.join('\n')).toContain('E_BUDGET');
  });

  it('rejects a missing program and a bad cycle count as usage errors', async () => {
    expect(await runCli(['sim', 'run', 'build/rtl/no-such.elf'], captureIO())).toBe(2);
    expect(await runCli(['sim', 'run', 'build/rtl/hello.elf', '--max-cycles', 'lots'], captureIO())).toBe(2);
    expect(await runCli(['sim', 'run', 'build/rtl/hello.elf', '--max-cycles', '-5'], captureIO())).toBe(2);
  });
});

describe('cax sim build', () => {
  it('builds (or finds up to date) the simulator', async () => {
    const io = captureIO();
    expect(await runCli(['--json', 'sim', 'build'], io)).toBe(0);
    expect(JSON.parse(io.stdout[0]!)).toMatchObject({ simulator: expect.stringMatching(/build\/sim\/cax-sim$/) });
  });
});

describe('cax sim start', () => {
  it('prints the pseudo-terminal path and runs until the program ends', async () => {
    let opened: Promise<void> | undefined;
    const io = captureIO({
      onOut: (text) => {
        const port = new SerialPort({ path: text, baudRate: 115200 });
        opened = new Promise<void>((res, rej) =>
          port
            .on('open', () =>
              port.write('q', (e) => {
                port.close();
                if (e) rej(e);
                else res();
              }),
            )
            .on('error', rej),
        );
      },
    });
    expect(await runCli(['sim', 'start', 'build/rtl/echo.elf'], io)).toBe(0);
    await opened;
    expect(io.stdout[0]).toMatch(/^\/dev\/pts\/\d+$/);
    expect(io.stderr.join('\n')).toMatch(/simulation ended: pass: \d+ cycles/);
  });

  it('needs a program that exists', async () => {
    expect(await runCli(['sim', 'start', 'build/rtl/no-such.elf'], captureIO())).toBe(2);
  });
});
