// `cax profile`: a FILE's definition or a stored REF, each format written
// where -o says, the bottlenecks as JSON; bad options fail with their codes.
import { describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCaxJson } from '../helpers/cli-io.js';

const cax = (cwd: string, ...argv: string[]) => runCaxJson(cwd, { CAX_HOME: join(cwd, 'store') }, ...argv);

describe('cax profile', () => {
  it('profiles a file’s definition and a stored one, in every format', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-profile-cli-'));
    try {
      copyFileSync(resolve('examples/fib.tel'), join(dir, 'fib.tel'));
      const r = await cax(dir, 'profile', 'fib.tel', '--main', 'fib', '15', '-o', 'fib.speedscope.json', '--format', 'speedscope');
      expect(r.code).toBe(0);
      expect(r.json).toMatchObject({ title: 'fib 15', backend: 'interp', unit: 'steps', outcome: '610', output: 'fib.speedscope.json', format: 'speedscope' });
      const defs = r.json.definitions as { name: string; calls: number }[];
      expect(defs[0]).toMatchObject({ name: 'fib', calls: 1973 });
      expect(JSON.parse(readFileSync(join(dir, 'fib.speedscope.json'), 'utf8'))).toMatchObject({ $schema: 'https://www.speedscope.app/file-format-schema.json' });
      expect((await cax(dir, 'profile', 'fib.tel', '--main', 'fib', '10', '-o', 'fib.trace.json', '--format', 'chrome')).code).toBe(0);
      expect(JSON.parse(readFileSync(join(dir, 'fib.trace.json'), 'utf8'))).toHaveProperty('traceEvents');
      expect((await cax(dir, 'profile', 'fib.tel', '--main', 'fib', '10', '-o', 'fib.svg')).code).toBe(0);
      expect(readFileSync(join(dir, 'fib.svg'), 'utf8')).toMatch(/^<svg id="flamegraph"/);

      expect((await cax(dir, 'add', 'fib.tel')).code).toBe(0);
      const stored = await cax(dir, 'profile', 'fib', '12', '-o', 'stored.html');
      expect(stored.code).toBe(0);
      expect(stored.json).toMatchObject({ outcome: '144', format: 'html' });
      expect(readFileSync(join(dir, 'stored.html'), 'utf8')).toContain('<h2>Flame graph</h2>');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('fails clearly on bad options', async () => {
    const dir = process.cwd();
    const device = await cax(dir, 'profile', 'examples/fib.tel', '--backend', 'device');
    expect(device.code).toBe(2);
    expect(device.json).toMatchObject({ error: { code: 'E_USAGE', message: expect.stringContaining('--backend') } });
    const noFormat = await cax(dir, 'profile', 'examples/fib.tel', '-o', 'x.json');
    expect(noFormat.code).toBe(2);
    expect(noFormat.json).toMatchObject({ error: { code: 'E_USAGE', message: expect.stringContaining('--format') } });
    const badFormat = await cax(dir, 'profile', 'examples/fib.tel', '--format', 'png');
    expect(badFormat.code).toBe(2);
    const empty = mkdtempSync(join(tmpdir(), 'cax-profile-cli-'));
    const missing = await cax(empty, 'profile', 'nothing.tel');
    rmSync(empty, { recursive: true, force: true });
    expect(missing.code).toBe(2);
    expect(missing.json).toMatchObject({ error: { code: 'E_USAGE', message: expect.stringContaining('neither a file nor a stored definition') } });
    const badArg = await cax(dir, 'profile', 'examples/fib.tel', '--main', 'fib', '(1 +');
    expect(badArg.code).toBe(1);
    expect(badArg.json).toMatchObject({ error: { code: 'E_PARSE' } });
  });
});
