// `cax run --memo` and `cax cache ls|stats|evict|clear` through the whole
// CLI in-process: the same pure definition run twice shows the second as a
// hit in its output, its --json and its trace; bad flags are E_USAGE.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../host/cli/program.js';
import { captureIO } from '../helpers/cli-io.js';

let home: string;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'cax-cache-cli-'));
  writeFileSync(join(home, 'fib.tel'), 'fib :: Int -> Int\nfib n = if n < 2 then n else fib (n - 1) + fib (n - 2)\n');
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function cax(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO({ env: { CAX_HOME: home }, cwd: home });
  const code = await runCli(argv, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

describe('cax run --memo and cax cache', () => {
  it('the second run of a pure definition is a hit, in its output, --json and trace', async () => {
    expect((await cax('add', 'fib.tel')).code).toBe(0);
    const first = await cax('run', 'fib', '17');
    expect(first.code).toBe(0);
    expect(first.out).not.toMatch(/memo: hit/);
    const second = await cax('run', 'fib', '17', '--trace', 'trace.json');
    expect(second.out).toMatch(/^1597 :: Int$/m);
    expect(second.out).toMatch(/^memo: hit in (memory|sqlite) \(key @[0-9a-f]{12}, \d+ steps saved\)$/m);
    const trace = JSON.parse(readFileSync(join(home, 'trace.json'), 'utf8')) as { events: { kind: string }[] };
    expect(trace.events.map((e) => e.kind)).toEqual(['memo']);
    const json = JSON.parse((await cax('--json', 'run', 'fib', '17')).out) as { value: string; memo: { hit: boolean; level: string } };
    expect(json).toMatchObject({ value: '1597', memo: { hit: true, level: 'sqlite' } });
    const off = JSON.parse((await cax('--json', 'run', 'fib', '17', '--memo', 'off')).out) as Record<string, unknown>;
    expect(off.memo).toBeUndefined();
  });

  it('lists, counts, evicts and clears', async () => {
    await cax('run', 'fib', '18');
    const ls = JSON.parse((await cax('--json', 'cache', 'ls', '--level', 'sqlite')).out) as { entries: { key: string; definition: string; identity: string; size: number }[] };
    expect(ls.entries).toHaveLength(2);
    const stats = JSON.parse((await cax('--json', 'cache', 'stats')).out) as { levels: { level: string; entries: number }[]; hits: number; lookups: number; hitRate: number; savedSteps: number };
    expect(stats.levels).toEqual([expect.objectContaining({ level: 'sqlite', entries: 2 })]);
    expect(stats.hits).toBe(2);
    expect(stats.lookups).toBe(4);
    expect(stats.hitRate).toBe(0.5);
    expect(stats.savedSteps).toBeGreaterThan(0);
    const def = ls.entries[0]!.definition;
    expect(JSON.parse((await cax('--json', 'cache', 'ls', '--definition', def.slice(0, 8), '--larger-than', '1m')).out)).toEqual({ entries: [] });
    expect(JSON.parse((await cax('--json', 'cache', 'ls', '--backend', ls.entries[0]!.identity.slice(0, 6), '--older-than', '1d')).out)).toEqual({ entries: [] });
    expect(JSON.parse((await cax('--json', 'cache', 'evict', '--definition', `@${def}`)).out)).toEqual({ removed: 2 });
    await cax('run', 'fib', '18');
    expect(JSON.parse((await cax('--json', 'cache', 'clear')).out)).toEqual({ removed: 1 });
    expect(JSON.parse((await cax('--json', 'cache', 'stats')).out)).toMatchObject({ lookups: 0, hits: 0 });
  });

  it('bad flags and configuration are clear errors', async () => {
    const memo = await cax('--json', 'run', 'fib', '3', '--memo', 'sometimes');
    expect(memo.code).toBe(2);
    expect(JSON.parse(memo.out)).toMatchObject({ error: { code: 'E_USAGE' } });
    expect((await cax('cache', 'evict')).err).toMatch(/E_USAGE cax cache evict needs a filter/);
    expect((await cax('cache', 'ls', '--older-than', 'soon')).err).toMatch(/E_USAGE bad option: --older-than: a duration/);
    expect((await cax('cache', 'ls', '--level', 'disk')).code).toBe(2);
    writeFileSync(join(home, 'cache.json'), '{"memory": {"maxEntries": -1}}');
    try {
      const bad = await cax('run', 'fib', '3');
      expect(bad.code).toBe(1);
      expect(bad.err).toMatch(/E_CONFIG .*cache\.json: memory\.maxEntries/);
    } finally {
      rmSync(join(home, 'cache.json'));
    }
    const help = await cax('cache', '--help');
    expect(help.out).toMatch(/ls .*stats .*evict .*clear/s);
  });
});
