// Hostile runs through the executor (issue 26): a log of 200,000 entries
// (appended in O(1), never spread into a call), a denial caught with `<|`
// and then failed with the same text (E_FAIL, not the earlier denial: errors
// are told apart by identity, never by message), and memory budgets that
// bound what the host really uses (deep recursion, big lists, hashing).
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { setup, type Setup } from './helpers.js';
import { CELL_BYTES } from '../../host/execution/executor.js';

const SOURCE = `
loud n = if n == 0 then return 0 else emit n >> loud (n - 1)
nested n = if n == 0 then return 0 else (deposit 1 to "a" on "L1" >> nested (n - 1)) <| return 1
denied = observe "price" on "L1"
confuse = denied <| fail "effect observe is not allowed (rule effects)"
caughtThenDenied = (denied <| return 0) >> denied
deep n = if n == 0 then 0 else 1 + deep (n - 1)
hashRange n = hashOf (range 1 n)
wide :: Int -> a -> Text
wide n x = if n == 0 then show x else wide (n - 1) (x, x)
wideEmit :: Int -> a -> Effect ()
wideEmit n x = if n == 0 then emit x else wideEmit (n - 1) (x, x)
`;

describe('hostile runs', () => {
  let s: Setup;
  beforeAll(() => {
    s = setup(SOURCE);
  });
  afterAll(() => s.dispose());

  it('runs an effect log of 200,000 entries (no RangeError), also through 30,000 nested <| scopes', async () => {
    const r = await s.executor().executeByName('loud', { args: ['200000'] });
    expect(r.error).toBeNull();
    expect(r.effects).toHaveLength(200_000);
    expect(r.effects[199_999]!.args).toEqual(['1']);
    // 30,000 nested <| scopes, each handing its world effects to the one around it
    const g = await s.executor().executeByName('nested', { args: ['30000'], world: { latency: { L1: 0 } } });
    expect(g.error).toBeNull();
    expect(g.effects).toHaveLength(30_000);
    expect(g.balances).toEqual({ L1: { a: { native: 30_000 } } });
  });

  it('reports a fail with the text of a denial as E_FAIL, not as the earlier denial', async () => {
    const policy = { effects: ['emit' as const] };
    const r = await s.executor(policy).executeByName('confuse', { world: { facts: { L1: { price: 3 } } } });
    expect(r.error?.code).toBe('E_FAIL');
    expect(r.error?.message).toBe('effect observe is not allowed (rule effects)');
    expect(r.error?.details.rule).toBeUndefined();
    // the denial itself still comes back as E_DENIED with its rule
    const d = await s.executor(policy).executeByName('caughtThenDenied');
    expect(d.error?.code).toBe('E_DENIED');
    expect(d.error?.details.rule).toBe('effects');
  });

  it('charges the peak of deep recursion: a 100,000-deep run is charged its continuations', async () => {
    const r = await s.executor().executeByName('deep', { args: ['100000'] });
    expect(r.value).toBe('100000');
    const entry = r.contexts.find((c) => c.name === 'deep')!;
    expect(entry.consumed.memoryBytes).toBeGreaterThanOrEqual(100_000 * 4 * CELL_BYTES);
  });

  it.each([
    ['hashRange', '25000000'],
    ['deep', '100000000'],
    ['deep', '10000000'],
    // 40 tuples in memory that show as a tree of 2^40 leaves
    ['wide', '40 1'],
    ['wideEmit', '40 1'],
  ])('ends %s %s under a 32 MB memory policy with E_DENIED within seconds, charged no more than the budget', async (name, arg) => {
    const rss = process.memoryUsage().rss;
    const t0 = Date.now();
    const r = await s.executor({ budget: { memoryBytes: 32_000_000 } }).executeByName(name, { args: arg.split(' ') });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.error?.code).toBe('E_DENIED');
    expect(r.error?.details.rule).toBe('budget.memoryBytes');
    const charged = r.contexts.reduce((n, c) => (c.parent === undefined ? n : n + c.consumed.memoryBytes), 0);
    expect(charged).toBeLessThanOrEqual(32_000_000);
    // the host grew by about what was charged (within 2×, and far from the gigabytes these programs took before)
    expect(process.memoryUsage().rss - rss).toBeLessThan(2 * 32_000_000 + 100_000_000);
  });
});
