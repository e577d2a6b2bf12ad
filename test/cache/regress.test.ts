// `cax regress` on the project's result cache (host/regress/tiered-cache.ts):
// a rerun reuses every result from the default cache directory, a tampered
// entry is refused with a warning and its test reruns, and two working
// directories sharing a Redis (started here) reuse each other's results.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../host/cli/program.js';
import { STORE_FILE } from '../../host/store/repository.js';
import { startRedis, type RedisServer } from '../../bench/redis-server.js';
import { captureIO } from '../helpers/cli-io.js';

let dir: string;
let server: RedisServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cax-regress-cache-'));
  server = await startRedis();
  writeFileSync(join(dir, 'one.tel'), 'main :: Int\nmain = 1\n');
  writeFileSync(join(dir, 'two.tel'), 'main :: Int\nmain = 2\n');
  writeFileSync(
    join(dir, 'pair.yaml'),
    `name: pair\nentries:\n  - { kind: tel, name: one, file: ${join(dir, 'one.tel')}, expect: { value: "1" } }\n  - { kind: tel, name: two, file: ${join(dir, 'two.tel')}, expect: { value: "2" } }\n`,
  );
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function regress(cwd: string, env: Record<string, string> = {}): Promise<{ counts: Record<string, number>; stderr: string[] }> {
  const io = captureIO({ cwd, env });
  const code = await runCli(['--json', 'regress', join(dir, 'pair.yaml'), '--jobs', '1', '--backend', 'interp'], io);
  expect(code).toBe(0);
  return { counts: (JSON.parse(io.stdout.join('\n')) as { counts: Record<string, number> }).counts, stderr: io.stderr };
}

describe('cax regress on the result cache', () => {
  it('reuses results from the default cache directory and refuses a tampered one', async () => {
    const here = join(dir, 'a');
    mkdirSync(here);
    expect((await regress(here)).counts).toMatchObject({ ran: 2, reused: 0, passed: 2 });
    expect((await regress(here)).counts).toMatchObject({ ran: 0, reused: 2, passed: 2 });
    const db = new Database(join(here, 'build/regress/cache', STORE_FILE));
    const row = db.prepare<[], { key: string; bytes: Buffer }>('SELECT key, bytes FROM results ORDER BY key LIMIT 1').get()!;
    db.prepare('UPDATE results SET bytes = ? WHERE key = ?').run(Buffer.from(row.bytes.toString('utf8').replace('"status":"pass"', '"status":"fail"')), row.key);
    db.close();
    const third = await regress(here);
    expect(third.counts).toMatchObject({ ran: 1, reused: 1, passed: 2 });
    expect(third.stderr).toEqual([expect.stringMatching(/warning: result cache: refused the sqlite entry .*digest/)]);
  }, 60_000);

  it('two working directories share results through Redis', async () => {
    const env = { CAX_REDIS_URL: server.url };
    const [b, c] = [join(dir, 'b'), join(dir, 'c')];
    mkdirSync(b);
    mkdirSync(c);
    expect((await regress(b, env)).counts).toMatchObject({ ran: 2, reused: 0 });
    const other = await regress(c, env);
    expect(other.counts).toMatchObject({ ran: 0, reused: 2, passed: 2 });
    expect(other.stderr).toEqual([]);
  }, 60_000);
});
