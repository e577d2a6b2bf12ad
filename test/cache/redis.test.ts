// The Redis level against a real redis-server started by the test: results
// shared through it (a hit promoted to memory), tampered entries refused,
// Redis unreachable or killed in the middle of a session (one warning, runs
// go on), and two processes sharing the SQLite and Redis levels at once.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { Redis } from 'ioredis';
import { MemoryLevel } from '../../host/cache/memory.js';
import { Memo } from '../../host/cache/memo.js';
import { RedisLevel } from '../../host/cache/redis.js';
import { TieredCache } from '../../host/cache/tiered.js';
import { Executor } from '../../host/execution/executor.js';
import { compileTree, finished, startNode, type CompiledTree } from '../store/child.js';
import { memoStore } from './helpers.js';
import { startRedis, type RedisServer } from '../../bench/redis-server.js';

const SRC = 'fib :: Int -> Int\nfib n = if n < 2 then n else fib (n - 1) + fib (n - 2)\n';

let server: RedisServer;
const s = memoStore(SRC);
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await s.dispose();
  await server.stop();
});

/** A cache of another machine: its own memory, no SQLite, the shared Redis. */
async function remote(warnings: string[]): Promise<TieredCache> {
  return new TieredCache({ memory: new MemoryLevel(), redis: await RedisLevel.open(server.url) }, (m) => warnings.push(m));
}

describe('the Redis level', () => {
  it('shares results: a hit in Redis is promoted to memory', async () => {
    const local = await s.cache({ redis: { url: server.url } });
    const first = await s.executor(local).executeByName('fib', { args: ['12'] });
    expect(first.memo?.hit).toBe(false);
    const warnings: string[] = [];
    const other = await remote(warnings);
    try {
      const ex = new Executor({ repo: s.repo, memo: new Memo(other, 'auto', 0) });
      expect((await ex.executeByName('fib', { args: ['12'] })).memo).toMatchObject({ hit: true, level: 'redis' });
      expect((await ex.executeByName('fib', { args: ['12'] })).memo).toMatchObject({ hit: true, level: 'memory' });
      expect(warnings).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('keeps within its entry limit, evicting the cheapest of a sample', async () => {
    // database 1 of the server: only this test's entries
    const level = await RedisLevel.open(`${server.url}/1`, { maxEntries: 3 });
    try {
      const now = Date.now();
      for (let i = 0; i < 8; i++) {
        await level.put({
          key: i.toString(16).padStart(64, '0'),
          bytes: Buffer.from('x'),
          digest: '0'.repeat(64),
          definition: 'd'.repeat(64),
          identity: 'e'.repeat(64),
          size: 1,
          cost: i === 0 ? 1_000_000_000 : i,
          createdAt: now,
          usedAt: now,
          hits: 0,
        });
      }
      const kept = (await level.list({}, now)).map((e) => e.key);
      expect(kept).toHaveLength(3);
      expect(kept).toContain('0'.repeat(64));
    } finally {
      await level.close();
    }
  });

  it('refuses a tampered entry, recomputes and warns', async () => {
    const local = await s.cache({ redis: { url: server.url } });
    const first = await s.executor(local).executeByName('fib', { args: ['13'] });
    const client = new Redis(server.url);
    try {
      const k = `cax:result:${first.memo!.key}`;
      const bytes = (await client.hgetBuffer(k, 'bytes'))!;
      await client.hset(k, 'bytes', Buffer.from(bytes.toString('utf8').replace('"value":"233"', '"value":"234"')));
      const warnings: string[] = [];
      const other = await remote(warnings);
      try {
        const r = await new Executor({ repo: s.repo, memo: new Memo(other, 'auto', 0) }).executeByName('fib', { args: ['13'] });
        expect(r.value).toBe('233');
        expect(r.memo?.hit).toBe(false);
        expect(warnings).toEqual([expect.stringMatching(/refused the redis entry .*digest/)]);
      } finally {
        await other.close();
      }
    } finally {
      client.disconnect();
    }
  });

  it('unreachable: one warning, and the run goes on', async () => {
    const down = await startRedis();
    await down.stop();
    s.warnings.splice(0);
    const cache = await s.cache({ redis: { url: down.url } });
    const r = await s.executor(cache).executeByName('fib', { args: ['9'] });
    expect(r.value).toBe('34');
    expect(s.warnings).toEqual([expect.stringMatching(/cannot reach Redis at redis:\/\/\*\*\*@127\.0\.0\.1.*continuing on the lower levels/)]);
    expect(cache.levels().map((l) => l.name)).toEqual(['memory', 'sqlite']);
  });

  it('killed in the middle of a session: one warning, every run still right', async () => {
    const doomed = await startRedis();
    const warnings: string[] = [];
    const cache = new TieredCache({ memory: new MemoryLevel(), redis: await RedisLevel.open(doomed.url) }, (m) => warnings.push(m));
    const ex = new Executor({ repo: s.repo, memo: new Memo(cache, 'auto', 0) });
    try {
      expect((await ex.executeByName('fib', { args: ['10'] })).value).toBe('55');
      await doomed.kill();
      const values = [];
      for (const n of ['11', '10', '14', '11']) values.push((await ex.executeByName('fib', { args: [n] })).value);
      expect(values).toEqual(['89', '55', '377', '89']);
      expect(warnings).toEqual([expect.stringMatching(/Redis lost .*continuing on the lower levels/)]);
      expect(cache.levels().map((l) => l.name)).toEqual(['memory']);
    } finally {
      await cache.close();
    }
  });
});

it('killed while a run is under way: one warning, the run ends right', async () => {
  const doomed = await startRedis();
  const warnings: string[] = [];
  const cache = new TieredCache({ memory: new MemoryLevel(), redis: await RedisLevel.open(doomed.url) }, (m) => warnings.push(m));
  try {
    // the lookup is on the wire when the server dies; the store after the run finds it gone
    const running = new Executor({ repo: s.repo, memo: new Memo(cache, 'auto', 0) }).executeByName('fib', { args: ['15'] });
    const killed = doomed.kill();
    const r = await running;
    await killed;
    expect(r.value).toBe('610');
    expect(r.error).toBeNull();
    expect(warnings).toEqual([expect.stringMatching(/Redis lost .*continuing on the lower levels/)]);
  } finally {
    await cache.close();
  }
});

describe('two processes at once', () => {
  let tree: CompiledTree;
  beforeAll(() => {
    tree = compileTree(['test/cache/runner.ts'], ['host/tel/prelude.tel']);
  });
  afterAll(() => tree.dispose());

  it('share the SQLite and Redis levels without corrupting anything', async () => {
    const shared = memoStore(SRC);
    try {
      const run = (): Promise<{ code: number | null; stdout: string; stderr: string }> => finished(startNode(tree.js('test/cache/runner.ts'), [shared.dir, server.url, 'fib', '16', '5']));
      const results = await Promise.all([run(), run()]);
      for (const r of results) {
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        const lines = r.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { value?: string; memo?: { hit: boolean }; warnings?: string[] });
        expect(lines.slice(0, 5).map((l) => l.value)).toEqual(Array(5).fill('987'));
        expect(lines.slice(1, 5).every((l) => l.memo?.hit)).toBe(true);
        expect(lines[5]!.warnings).toEqual([]);
      }
      const cache = await shared.cache({ redis: { url: server.url } });
      const r = await shared.executor(cache).executeByName('fib', { args: ['16'] });
      expect(r.memo).toMatchObject({ hit: true, level: 'sqlite' });
      const key = r.memo!.key;
      expect((await cache.sqlite!.list({}, Date.now())).map((e) => e.key)).toEqual([key]);
      expect((await cache.levels()[2]!.list({ definition: shared.hash('fib') }, Date.now())).map((e) => e.key)).toContain(key);
      expect(shared.warnings).toEqual([]);
    } finally {
      await shared.dispose();
    }
  });
});
