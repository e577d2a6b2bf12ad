// Memoization in the executor over the memory and SQLite levels: the same
// value, effects, clock and balances with and without the cache (random
// programs, pure and effectful); repeated runs hit and say so in the trace;
// a redefinition misses; `invoke` of an effect-free definition is memoized
// (fib through invoke becomes linear); admission by cost; entries tampered
// with at each level are refused and recomputed with a warning.
import { describe, it, expect, afterAll } from '@jest/globals';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { MemoryLevel } from '../../host/cache/memory.js';
import { Memo } from '../../host/cache/memo.js';
import { TieredCache } from '../../host/cache/tiered.js';
import { STORE_FILE } from '../../host/store/repository.js';
import { Executor, type ExecutionResult } from '../../host/execution/executor.js';
import { addProgram } from '../../host/store/add.js';
import { addContext } from '../../host/store/tel-env.js';
import { effectProgram, pureProgram } from '../../host/tel/generate.js';
import { parseProgram } from '../../host/tel/parser.js';
import { parseWorld } from '../../host/tel/world.js';
import { committed, memoStore } from './helpers.js';

const SRC = `
fib :: Int -> Int
fib n = if n < 2 then n else fib (n - 1) + fib (n - 2)

ifib :: Int -> Effect Int
ifib n = if n < 2 then return n else do
  a <- invoke ifib (n - 1)
  b <- invoke ifib (n - 2)
  return (a + b)

noisy :: Int -> Effect Int
noisy n = emit n >> return (fib n)

callsNoisy :: Int -> Effect Int
callsNoisy n = do
  a <- invoke noisy n
  b <- invoke noisy n
  return (a + b)
`;

const s = memoStore(SRC);
afterAll(() => s.dispose());

const outcome = (r: ExecutionResult): unknown => ({ value: r.value, type: r.type, error: r.error?.code ?? null, effects: r.effects, clock: r.clock, balances: r.balances });
const usage = (r: ExecutionResult): unknown => r.contexts.map((c) => c.consumed);

describe('memoized runs', () => {
  it('a repeated pure run is a hit, with the same result, a memo event and only the lookup charged', async () => {
    const cache = await s.cache();
    const ex = s.executor(cache);
    const first = await ex.executeByName('fib', { args: ['12'] });
    const second = await ex.executeByName('fib', { args: [' ( 12 ) '] });
    expect(first.memo?.hit).toBe(false);
    expect(second.memo).toMatchObject({ hit: true, level: 'memory', key: first.memo!.key, saved: first.contexts[0]!.consumed.computeSteps });
    expect(outcome(second)).toEqual(outcome(first));
    expect(second.trace.events).toEqual([expect.objectContaining({ kind: 'memo', hash: s.hash('fib'), name: 'fib', level: 'memory', value: '144' })]);
    expect(second.contexts).toHaveLength(1);
    expect(second.contexts[0]!.consumed.computeSteps).toBe(1);
    // a new process's cache: found in SQLite (once the first cache's batch is committed) and promoted to memory
    await committed();
    const other = await s.cache();
    const third = await s.executor(other).executeByName('fib', { args: ['12'] });
    expect(third.memo).toMatchObject({ hit: true, level: 'sqlite' });
    expect((await s.executor(other).executeByName('fib', { args: ['12'] })).memo).toMatchObject({ hit: true, level: 'memory' });
  });

  it("a hit of a pure run keeps this run's start and world", async () => {
    const cache = await s.cache();
    const ex = s.executor(cache);
    await ex.executeByName('fib', { args: ['8'], world: { start: 5, balances: { tl: { a: { native: 1 } } } } });
    const world = { start: 70, balances: { tl: { b: { native: 2 } } } };
    const hit = await ex.executeByName('fib', { args: ['8'], world });
    expect(hit.memo?.hit).toBe(true);
    expect(outcome(hit)).toEqual(outcome(await s.executor(undefined).executeByName('fib', { args: ['8'], world })));
  });

  it('a redefinition misses', async () => {
    const cache = await s.cache();
    const before = await s.executor(cache).executeByName('fib', { args: ['10'] });
    addProgram(addContext(s.repo), parseProgram('fib :: Int -> Int\nfib n = if n < 2 then 1 else fib (n - 1) + fib (n - 2)\n', 'v2.tel'));
    try {
      const after = await s.executor(cache).executeByName('fib', { args: ['10'] });
      expect(after.memo?.hit).toBe(false);
      expect(after.value).toBe('89');
      expect(before.value).toBe('55');
    } finally {
      addProgram(addContext(s.repo), parseProgram(SRC, 'test.tel'));
    }
  });

  it('admits by cost: a run cheaper than minCost is not stored', async () => {
    const cache = new TieredCache({ memory: new MemoryLevel() }, () => undefined);
    const ex = new Executor({ repo: s.repo, memo: new Memo(cache, 'auto', 1_000_000) });
    await ex.executeByName('fib', { args: ['5'] });
    expect((await ex.executeByName('fib', { args: ['5'] })).memo?.hit).toBe(false);
    expect(cache.counted.stores).toBe(0);
  });

  it('effectful runs are memoized only with on, keyed with their world and start', async () => {
    const cache = await s.cache();
    const auto = await s.executor(cache).executeByName('noisy', { args: ['9'] });
    expect(auto.memo).toBeUndefined();
    const on = s.executor(cache, { mode: 'on' });
    const a = await on.executeByName('noisy', { args: ['9'] });
    const b = await on.executeByName('noisy', { args: ['9'] });
    const c = await on.executeByName('noisy', { args: ['9'], world: { start: 5 } });
    expect([a.memo?.hit, b.memo?.hit, c.memo?.hit]).toEqual([false, true, false]);
    expect(outcome(b)).toEqual(outcome(a));
    expect(b.effects.map((e) => e.args)).toEqual([['9']]);
    expect(c.effects[0]!.time).toBe(5);
  });

  it('memoizes effect-free invokes: fib through invoke runs a linear number of invocations', async () => {
    const cache = new TieredCache({ memory: new MemoryLevel() }, () => undefined);
    const plain = await new Executor({ repo: s.repo }).executeByName('ifib', { args: ['14'] });
    const memo = await new Executor({ repo: s.repo, memo: new Memo(cache, 'auto', 0) }).executeByName('ifib', { args: ['14'] });
    expect(memo.value).toBe(plain.value);
    expect(memo.value).toBe('377');
    const invokes = (r: ExecutionResult): number => r.trace.events.filter((e) => e.kind === 'invoke').length;
    expect(invokes(plain)).toBeGreaterThan(1000);
    expect(invokes(memo)).toBeLessThanOrEqual(15);
    expect(memo.trace.events.filter((e) => e.kind === 'memo').length).toBe(12);
  });

  it('memo off: neither the run nor its invokes are looked up', async () => {
    const cache = new TieredCache({ memory: new MemoryLevel() }, () => undefined);
    const ex = new Executor({ repo: s.repo, memo: new Memo(cache, 'auto', 0) });
    await ex.executeByName('ifib', { args: ['8'] });
    const off = await ex.executeByName('ifib', { args: ['8'], memo: 'off' });
    expect(off.memo).toBeUndefined();
    expect(off.trace.events.filter((e) => e.kind === 'memo')).toHaveLength(0);
    expect(off.value).toBe('21');
  });

  it("a hash not in the store is the run's error, as without memoization", async () => {
    const cache = new TieredCache({ memory: new MemoryLevel() }, () => undefined);
    const r = await new Executor({ repo: s.repo, memo: new Memo(cache, 'auto', 0) }).executeByHash('0'.repeat(64));
    const plain = await new Executor({ repo: s.repo }).executeByHash('0'.repeat(64));
    expect(r.error?.code).toBe(plain.error?.code);
    expect(r.memo).toBeUndefined();
  });

  it('does not memoize an invoke that did an effect', async () => {
    const cache = new TieredCache({ memory: new MemoryLevel() }, () => undefined);
    const r = await new Executor({ repo: s.repo, memo: new Memo(cache, 'auto', 0) }).executeByName('callsNoisy', { args: ['6'] });
    expect(r.value).toBe('16');
    expect(r.effects).toHaveLength(2);
    expect(r.trace.events.filter((e) => e.kind === 'memo')).toHaveLength(0);
  });

  it('refuses tampered entries at each level, recomputes and warns', async () => {
    const cache = await s.cache();
    const ex = s.executor(cache);
    const first = await ex.executeByName('fib', { args: ['11'] });
    const key = first.memo!.key;
    await committed();
    // SQLite: another result written over the bytes (the digest no longer matches)
    const db = new Database(join(s.dir, STORE_FILE));
    const row = db.prepare<[string], { bytes: Buffer }>('SELECT bytes FROM results WHERE key = ?').get(key)!;
    db.prepare('UPDATE results SET bytes = ? WHERE key = ?').run(Buffer.from(row.bytes.toString('utf8').replace('"value":"89"', '"value":"90"')), key);
    // and a consistent entry of another key moved under this one (digest matches, key does not)
    const other = (await ex.executeByName('fib', { args: ['13'] })).memo!.key;
    await committed();
    const forged = db.prepare<[string], { bytes: Buffer; digest: string }>('SELECT bytes, digest FROM results WHERE key = ?').get(other)!;
    db.close();
    s.warnings.length = 0;
    const fresh = await s.cache();
    const again = await s.executor(fresh).executeByName('fib', { args: ['11'] });
    expect(again.memo?.hit).toBe(false);
    expect(again.value).toBe('89');
    expect(s.warnings).toEqual([expect.stringMatching(/refused the sqlite entry .*digest.*recomputing/)]);
    // memory: the forged entry put straight into the level
    fresh.memory!.removeSync([key]);
    fresh.memory!.putSync({ ...fresh.memory!.getSync(other)!, key, bytes: forged.bytes, digest: forged.digest });
    s.warnings.length = 0;
    const third = await s.executor(fresh).executeByName('fib', { args: ['11'] });
    expect(third.value).toBe('89');
    expect(third.memo?.level).toBe('sqlite');
    expect(s.warnings).toEqual([expect.stringMatching(/refused the memory entry .*result of another key/)]);
  });
});

describe('the cache changes nothing but the work done', () => {
  const prop = new Memo(new TieredCache({ memory: new MemoryLevel() }, () => undefined), 'on', 0);

  it('pure programs: the same result with and without the cache, the second run a hit', async () => {
    await fc.assert(
      fc.asyncProperty(pureProgram, async (source) => {
        const { hashes } = { hashes: Object.fromEntries(addProgram(addContext(s.repo), parseProgram(source, 'p.tel')).definitions.map((d) => [d.name, d.hash])) };
        const off = await new Executor({ repo: s.repo }).executeByHash(hashes.main!);
        const miss = await new Executor({ repo: s.repo, memo: prop }).executeByHash(hashes.main!);
        const hit = await new Executor({ repo: s.repo, memo: prop }).executeByHash(hashes.main!);
        expect(outcome(miss)).toEqual(outcome(off));
        expect(usage(miss)).toEqual(usage(off));
        expect(outcome(hit)).toEqual(outcome(off));
        expect(hit.memo?.hit).toBe(off.error === null);
      }),
      { numRuns: 25 },
    );
  });

  it('effectful programs with effect-free invokes: the same value, effect log, clock and balances', async () => {
    await fc.assert(
      fc.asyncProperty(effectProgram, fc.integer({ min: 0, max: 20 }), async ({ source, world: input }, k) => {
        const world = parseWorld(input);
        const wrapped = `${source}\n\nsq :: Int -> Effect Int\nsq n = return (n * n + ${k})\n\nouter :: Effect Int\nouter = do\n  a <- invoke sq 7\n  b <- main\n  c <- invoke sq 7\n  return (a + b + c)\n`;
        const hashes = Object.fromEntries(addProgram(addContext(s.repo), parseProgram(wrapped, 'e.tel')).definitions.map((d) => [d.name, d.hash]));
        const off = await new Executor({ repo: s.repo }).executeByHash(hashes.outer!, { world });
        const miss = await new Executor({ repo: s.repo, memo: prop }).executeByHash(hashes.outer!, { world });
        const hit = await new Executor({ repo: s.repo, memo: prop }).executeByHash(hashes.outer!, { world });
        expect(outcome(miss)).toEqual(outcome(off));
        expect(outcome(hit)).toEqual(outcome(off));
      }),
      { numRuns: 25 },
    );
  });
});
