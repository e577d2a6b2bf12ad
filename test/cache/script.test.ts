// scripts/redis: starts the machine's Redis level on loopback with a
// password under $CAX_HOME/redis, prints the CAX_REDIS_URL that `cax run`
// then shares results through, and stops it.
import { describe, it, expect } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../bench/redis-server.js';
import { runCli } from '../../host/cli/program.js';
import { captureIO } from '../helpers/cli-io.js';

describe('scripts/redis', () => {
  it('starts a password-protected loopback Redis that cax shares results through, and stops it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cax-redis-script-'));
    const port = await freePort();
    const script = join(process.cwd(), 'scripts/redis');
    const env = { ...process.env, CAX_HOME: home };
    try {
      const out = execFileSync(script, ['start', String(port)], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const url = /^export CAX_REDIS_URL=(redis:\/\/:[0-9a-f]{48}@127\.0\.0\.1:\d+)$/m.exec(out)?.[1];
      expect(url).toBeDefined();
      expect(execFileSync(script, ['url'], { env, encoding: 'utf8' }).trim()).toBe(url);
      expect(statSync(join(home, 'redis/password')).mode & 0o077).toBe(0);
      writeFileSync(join(home, 'fib.tel'), 'fib :: Int -> Int\nfib n = if n < 2 then n else fib (n - 1) + fib (n - 2)\n');
      const cax = async (...argv: string[]): Promise<string> => {
        const io = captureIO({ env: { CAX_HOME: home, CAX_REDIS_URL: url! }, cwd: home });
        expect(await runCli(argv, io)).toBe(0);
        expect(io.stderr).toEqual([]);
        return io.stdout.join('\n');
      };
      await cax('add', 'fib.tel');
      await cax('run', 'fib', '16');
      const ls = JSON.parse(await cax('--json', 'cache', 'ls', '--level', 'redis')) as { entries: unknown[] };
      expect(ls.entries).toHaveLength(1);
    } finally {
      execFileSync(script, ['stop'], { env, stdio: 'ignore' });
      rmSync(home, { recursive: true, force: true });
    }
  });
});
