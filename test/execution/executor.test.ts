// The executor: runs by name and by hash, nested contexts for `invoke`,
// usage per context, contexts released on every path, and the trace.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { setup, type Setup } from './helpers.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseProgram } from '../../host/tel/parser.js';
import { JIT_CACHE_DIR } from '../../host/tel/jit/tier.js';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const SOURCE = `
add a b = a + b
pay n = do
  r <- deposit n to "alice" on "L1"
  emit r
  return n
child n = do
  emit n
  return (n * 2)
parent = do
  x <- invoke child 21
  emit x
  return x
broken n = do
  emit n
  fail "no"
callsBroken = invoke broken 1 <| return 7
`;

describe('executor', () => {
  let s: Setup;
  beforeAll(() => {
    s = setup(SOURCE);
  });
  afterAll(() => s.dispose());

  it('runs a definition by name and by hash with arguments', async () => {
    const ex = s.executor();
    const byName = await ex.executeByName('add', { args: ['3', '4'] });
    expect(byName.value).toBe('7');
    expect(byName.type).toBe('Int');
    const byHash = await ex.executeByHash(s.repo.lookupName('add')!, { args: ['10', '-4'] });
    expect(byHash.value).toBe('6');
    expect(byHash.error).toBeNull();
  });

  it('keys the compiled code of a stored definition by its hash (the JIT cache beside the store)', async () => {
    const hash = s.repo.lookupName('add')!;
    const r = await s.executor().executeByHash(hash, { args: ['1', '2'], jit: 'eager' });
    expect(r.value).toBe('3');
    const cacheDir = join(dirname(s.repo.file), JIT_CACHE_DIR);
    const definitions = readdirSync(cacheDir).map((name) => {
      const raw = readFileSync(join(cacheDir, name));
      return (JSON.parse(raw.subarray(0, raw.indexOf(10)).toString('utf8')) as { definition: string | null }).definition;
    });
    expect(definitions).toContain(hash);
  });

  it('applies effects to the world and records them in the trace', async () => {
    const r = await s.executor().executeByName('pay', { args: ['5'], world: { latency: { L1: 250 } } });
    expect(r.error).toBeNull();
    expect(r.value).toBe('5');
    expect(r.clock).toBe(250);
    expect(r.effects.map((e) => e.kind)).toEqual(['deposit', 'emit']);
    const kinds = r.trace.events.map((e) => e.kind);
    expect(kinds).toEqual(['invoke', 'effect', 'effect', 'return']);
    expect(r.trace.filter({ kinds: ['effect'] }).map((e) => (e.kind === 'effect' ? [e.effect, e.timeline, e.at] : []))).toEqual([
      ['deposit', 'L1', 250],
      ['emit', undefined, 250],
    ]);
  });

  it('runs invoke in a nested context and reports usage per context, all released', async () => {
    const r = await s.executor().executeByName('parent');
    expect(r.error).toBeNull();
    expect(r.value).toBe('42');
    const invokes = r.trace.filter({ kinds: ['invoke'] });
    expect(invokes.map((e) => (e.kind === 'invoke' ? e.name : ''))).toEqual(['parent', 'child']);
    const [outer, inner] = invokes;
    expect(inner!.kind === 'invoke' && inner!.parent).toBe(outer!.context);
    expect(r.trace.filter({ definition: 'child' }).map((e) => e.kind)).toEqual(['invoke', 'effect', 'return']);
    expect(r.trace.filter({ context: inner!.context }).map((e) => e.kind)).toEqual(['invoke', 'effect', 'return']);
    expect(r.contexts).toHaveLength(3);
    expect(r.contexts.every((c) => c.released)).toBe(true);
    const childUsage = r.contexts.find((c) => c.name === 'child')!;
    expect(childUsage.consumed.computeSteps).toBeGreaterThan(0);
    expect(childUsage.consumed.effects).toBe(1);
    const parentUsage = r.contexts.find((c) => c.name === 'parent')!;
    // A parent's usage includes its children's.
    expect(parentUsage.consumed.computeSteps).toBeGreaterThan(childUsage.consumed.computeSteps);
    expect(parentUsage.consumed.effects).toBe(3);
    expect(r.effects.map((e) => e.args[0])).toEqual(['21', '42']);
  });

  it('releases contexts when an invoked definition fails, and the caller can recover', async () => {
    const ex = s.executor();
    const r = await ex.executeByName('callsBroken');
    expect(r.value).toBe('7');
    expect(r.trace.filter({ kinds: ['error'] }).map((e) => (e.kind === 'error' ? e.code : ''))).toEqual(['E_FAIL']);
    expect(r.contexts.every((c) => c.released)).toBe(true);
    const direct = await ex.executeByName('broken', { args: ['3'] });
    expect(direct.error?.code).toBe('E_FAIL');
    expect(direct.contexts.every((c) => c.released)).toBe(true);
  });

  it('runs in a caller-supplied context and leaves it to the caller', async () => {
    const ex = s.executor();
    const root = ex.createContext({ computeSteps: 1_000_000, memoryBytes: 10_000_000, effects: 10, ioOps: 10 }, 'mine');
    const r = await ex.executeByName('parent', { context: root });
    expect(r.value).toBe('42');
    expect(root.isDestroyed).toBe(false);
    expect(root.usage().consumed.effects).toBe(3);
    const usage = ex.destroyContext(root);
    expect(usage.released).toBe(true);
  });

  it('gives the value, effect log and clock of the reference interpreter for sequential invoke', async () => {
    const source = `
step tl n = do
  r <- deposit n to "carol" on tl
  after 30 milliseconds (emit r)
  t <- now
  return (n + t)
pipeline = do
  a <- invoke step "L1" 1
  b <- invoke step "L2" a
  emit (a, b)
  return (a * b)
`;
    const world = { latency: { L1: 100, L2: 7 } };
    const local = setup(source);
    try {
      const viaStore = await local.executor().executeByName('pipeline', { world });
      const direct = runMain(loadProgram(parseProgram(source, 'direct.tel')), 'pipeline', [], { world });
      expect(viaStore.error).toBeNull();
      expect(viaStore.value).toBe(direct.shown);
      expect(viaStore.clock).toBe(direct.clock);
      expect(JSON.parse(JSON.stringify(viaStore.effects))).toEqual(JSON.parse(JSON.stringify(direct.effects)));
      expect(viaStore.balances).toEqual(direct.balances);
      expect(viaStore.contexts.filter((c) => c.name === 'step')).toHaveLength(2);
    } finally {
      local.dispose();
    }
  });

  describe("invoke in the caller's scheduler and world (the reference semantics)", () => {
    const source = `
slowPay n = do
  r <- deposit n to "bob" on "L1"
  emit r
  return n
slowPair n = do
  a <- deposit n to "bob" on "L1"
  b <- deposit n to "bob" on "L1"
  return (a ++ b)
both = invoke slowPay 5 <|> (deposit 2 to "dave" on "L2" >> deposit 3 to "dave" on "L2")
payThenFail n = do
  x <- invoke slowPay n
  fail "after paying"
rolled = do
  y <- invoke payThenFail 4 <| return 0
  z <- deposit 1 to "erin" on "L2"
  return (y, z)
raced = race (invoke slowPair 9) (after 150 milliseconds (return "late"))
bounded = within 150 milliseconds (invoke slowPair 9) <| return "cut"
nested = invoke both <|> invoke raced
charge n = emit n >> deposit 1 to "bob" on "L1" >> return (n * 3)
cutPair = within (1050 milliseconds) (at 1000 (do { (a, b) <- (invoke charge 23 <|> invoke charge 30); return (a + b) }))
`;
    const world = { latency: { L1: 100, L2: 30 }, balances: { L1: { bob: { native: 1 } } } };
    let local: Setup;
    beforeAll(() => {
      local = setup(source);
    });
    afterAll(() => local.dispose());

    // An invoke's context holds `invokeShare` of its caller's grant while it runs: below 1, so the caller's concurrent branches keep some.
    const viaStore = (name: string): ReturnType<ReturnType<Setup['executor']>['executeByName']> => local.executor({ invokeShare: 0.5 }).executeByName(name, { world });
    const reference = (name: string): ReturnType<typeof runMain> => runMain(loadProgram(parseProgram(source, 'inline.tel')), name, [], { world });
    const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

    it("gives exactly the reference interpreter's value, effect log, clock and balances", async () => {
      // cutPair: the deadline cuts off both invocations while one of them is running (its context closed under it)
      for (const name of ['both', 'rolled', 'raced', 'bounded', 'nested', 'cutPair']) {
        const r = await viaStore(name);
        const d = reference(name);
        expect([name, r.error?.code ?? null, r.value, r.clock]).toEqual([name, d.error?.code ?? null, d.shown, d.clock]);
        expect(plain(r.effects)).toEqual(plain(d.effects));
        expect(r.balances).toEqual(d.balances);
        expect(r.contexts.every((c) => c.released)).toBe(true);
      }
    });

    it("under the default policy (grants grow on demand) concurrent invokes run, with the reference's outcome", async () => {
      for (const name of ['both', 'raced', 'nested']) {
        const r = await local.executor({}).executeByName(name, { world });
        const d = reference(name);
        expect([name, r.error?.code ?? null, r.value, r.clock]).toEqual([name, d.error?.code ?? null, d.shown, d.clock]);
        expect(plain(r.effects)).toEqual(plain(d.effects));
        // every invocation's grant grew by what it used, no more
        for (const c of r.contexts) for (const k of ['computeSteps', 'effects'] as const) expect(c.consumed[k]).toBeLessThanOrEqual(c.limits[k]);
        expect(r.contexts.every((c) => c.released)).toBe(true);
      }
    });

    it('an invoke inside <|> interleaves by time with the other branch', async () => {
      const r = await viaStore('both');
      expect(r.value).toBe('(5,"L2:2")');
      // L2 deposits at 30 and 60 happen while the invoked L1 deposit (at 100) is pending.
      expect(r.effects.map((e) => [e.kind, e.timeline, e.time])).toEqual([
        ['deposit', 'L2', 30],
        ['deposit', 'L2', 60],
        ['deposit', 'L1', 100],
        ['emit', null, 100],
      ]);
      // The invoked code's effects are charged to its own context, and the trace says so.
      const child = r.contexts.find((c) => c.name === 'slowPay')!;
      const caller = r.contexts.find((c) => c.name === 'both')!;
      expect(child.consumed.effects).toBe(2);
      expect(r.trace.filter({ kinds: ['effect'] }).map((e) => e.context)).toEqual([caller.context, caller.context, child.context, child.context]);
    });

    it('an invoke in a failing <| branch has its world effects rolled back', async () => {
      const r = await viaStore('rolled');
      expect(r.value).toBe('(0,"L2:1")');
      expect(r.balances.L1!.bob!.native).toBe(1);
      expect(r.effects.filter((e) => e.kind === 'deposit' && e.timeline === 'L1').map((e) => e.rolledBack)).toEqual([true]);
      expect(r.trace.filter({ kinds: ['error'] }).map((e) => (e.kind === 'error' ? [e.code, e.message] : []))).toEqual([['E_FAIL', 'after paying']]);
      expect(r.contexts.map((c) => c.name)).toEqual([undefined, 'slowPay', 'payThenFail', 'rolled']);
    });

    it('race and within cut off an invoke: its later effects never happen and its context is released', async () => {
      for (const [name, value] of [
        ['raced', '"late"'],
        ['bounded', '"cut"'],
      ] as const) {
        const r = await viaStore(name);
        expect(r.value).toBe(value);
        expect(r.effects.filter((e) => e.kind === 'deposit').map((e) => e.time)).toEqual([100]);
        expect(r.clock).toBe(150);
        const cut = r.contexts.find((c) => c.name === 'slowPair')!;
        expect(cut.released).toBe(true);
        expect(r.trace.filter({ context: cut.context }).map((e) => (e.kind === 'error' ? e.code : e.kind))).toEqual(['invoke', 'effect', 'E_CANCELLED']);
      }
    });
  });

  it('reports an unknown name and a bad argument', async () => {
    const ex = s.executor();
    await expect(ex.executeByName('nosuch')).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    const bad = await ex.executeByName('add', { args: ['"text"', '1'] });
    expect(bad.error?.code).toBe('E_TYPE');
  });
});
