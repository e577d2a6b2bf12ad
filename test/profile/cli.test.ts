// `cax profile`: a FILE's definition or a stored REF (in the executor's
// contexts, a resource series per context), each format written where -o
// says, the bottlenecks as JSON; bad options fail with their codes.
import { describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bottlenecks } from '../../host/profile/bottlenecks.js';
import { profileStored } from '../../host/profile/profile-stored.js';
import { Repository } from '../../host/store/repository.js';
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

  it('profiles a stored definition in the executor’s contexts, a resource series per context', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-profile-cli-'));
    try {
      const source = [
        'work :: Int -> Int',
        'work n = if n == 0 then 0 else n + work (n - 1)',
        'child :: Int -> Effect Int',
        'child n = after 100 milliseconds (return (work n))',
        'parent :: Effect Int',
        'parent = do',
        '  x <- invoke child 200',
        '  emit x',
        '  y <- invoke child 50',
        '  return (x + y)',
      ].join('\n');
      writeFileSync(join(dir, 'nest.tel'), source);
      expect((await cax(dir, 'add', 'nest.tel')).code).toBe(0);
      const run = await cax(dir, 'run', 'parent');
      const contexts = run.json.contexts as { context: string; name?: string; consumed: { computeSteps: number } }[];
      const repo = Repository.open(join(dir, 'store'));
      const p = await profileStored({ repo, hash: run.json.hash as string, args: [] }).finally(() => repo.close());
      expect(p.outcome).toBe(run.json.value);
      expect(p.total).toBe(contexts[0]!.consumed.computeSteps); // the root context consumed every step
      expect(p.frames.reduce((s, f) => s + f.self, 0)).toBe(p.total);
      expect(p.frames.find((f) => f.name === 'work')!.calls).toBe(252);
      // one series per invoked context, ending at what the executor reported for it
      const children = contexts.filter((c) => c.name === 'child');
      expect(children).toHaveLength(2);
      for (const c of children) {
        const series = p.resources.find((r) => r.context === `${c.context} child`)!;
        expect(series.memoryUnit).toBe('bytes');
        expect(series.samples[series.samples.length - 1]!.compute).toBe(c.consumed.computeSteps);
      }
      expect(p.resources.some((r) => r.context.endsWith(' parent'))).toBe(true);
      expect(bottlenecks(p).find((f) => f.kind === 'clock')!.text).toMatch(/^timers \(after, at, within\): 200 ms/);
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
