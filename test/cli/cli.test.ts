// The CLI frame, run in-process: help on every subcommand, --json output,
// usage errors as exit 2, CaxErrors as exit 1 with code and message.
import { describe, it, expect } from '@jest/globals';
import { runCli, buildProgram } from '../../host/cli/program.js';
import { captureIO } from '../helpers/cli-io.js';

describe('cax CLI', () => {
  it('prints help listing the subcommands', async () => {
    const io = captureIO();
    expect(await runCli(['--help'], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/Usage: cax/);
    expect(io.stdout.join('\n')).toMatch(/doctor/);
  });

  it('has --help on every subcommand', async () => {
    for (const sub of buildProgram(captureIO()).commands) {
      const io = captureIO();
      expect(await runCli([sub.name(), '--help'], io)).toBe(0);
      expect(io.stdout.join('\n')).toContain(`Usage: cax ${sub.name()}`);
    }
  });

  it('answers an unknown command with a usage error (exit 2)', async () => {
    const io = captureIO();
    expect(await runCli(['frobnicate'], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/unknown command/);
  });

  it('reports the tool check as JSON', async () => {
    const io = captureIO();
    const code = await runCli(['--json', 'doctor'], io);
    const report = JSON.parse(io.stdout[0]!) as { tools: { name: string; found: boolean }[] };
    expect(report.tools.map((t) => t.name)).toContain('verilator');
    expect(report.tools.find((t) => t.name === 'node')?.found).toBe(true);
    expect(code).toBe(report.tools.every((t) => t.found) ? 0 : 1);
  });
});
