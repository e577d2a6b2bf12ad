// One option name for the serial port: `cax run --backend device` takes
// --port, as the `cax device` commands do, and asks for it by that name.
import { describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../../host/cli/program.js';
import { captureIO } from '../helpers/cli-io.js';

describe('the serial port option', () => {
  it('is --port for the device backend of cax run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-port-'));
    try {
      copyFileSync(resolve('examples/fib.tel'), join(dir, 'fib.tel'));
      const env = { CAX_HOME: join(dir, 'home') };
      expect(await runCli(['add', 'fib.tel'], captureIO({ cwd: dir, env }))).toBe(0);
      const io = captureIO({ cwd: dir, env });
      expect(await runCli(['--json', 'run', 'fib', '3', '--backend', 'device'], io)).toBe(2);
      expect(io.stdout.join('\n')).toMatch(/the device backend needs a serial port \(--port PATH\)/);
      expect(await runCli(['run', 'fib', '3', '--backend', 'device', '--device', '/dev/null'], captureIO({ cwd: dir, env }))).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
