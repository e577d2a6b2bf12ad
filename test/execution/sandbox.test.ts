// The sandbox: each rule of a policy denies with E_DENIED naming the rule and
// records the denial in the trace; budgets run out at every level of a
// context tree (E_BUDGET in the context that ran out); policies are parsed.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import fc from 'fast-check';
import { setup, type Setup } from './helpers.js';
import { parsePolicy, type PolicyInput } from '../../host/execution/policy.js';
import { CaxError } from '../../host/errors.js';
import type { ExecutionResult } from '../../host/execution/executor.js';

const SOURCE = `
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
clock = now
spin n = if n == 0 then 0 else spin (n - 1)
big n = length (range 1 n)
leaf n = return (spin n)
mid n = invoke leaf n
top n = invoke mid n
midSpins n = do
  x <- invoke leaf 10
  return (spin n + x)
loud n = if n == 0 then return 0 else emit n >> loud (n - 1)
quietOr = (emit 1 >> return 1) <| return 7
localSpin n = return (go n)
  where go k = if k == 0 then 0 else go (k - 1)
`;

function denial(r: ExecutionResult): string | undefined {
  expect(r.error?.code).toBe('E_DENIED');
  const rule = r.error?.details.rule as string | undefined;
  const recorded = r.trace.filter({ kinds: ['denied'] });
  expect(recorded.map((e) => (e.kind === 'denied' ? e.rule : ''))).toContain(rule);
  return rule;
}

describe('sandbox', () => {
  let s: Setup;
  beforeAll(() => {
    s = setup(SOURCE);
  });
  afterAll(() => s.dispose());

  const run = (policy: PolicyInput, name: string, args: string[] = [], extra: Parameters<Setup['executor']>[1] = {}): Promise<ExecutionResult> =>
    s.executor(policy, extra).executeByName(name, { args, world: { latency: { L1: 250 } } });

  it('denies an effect kind the policy does not allow', async () => {
    expect(denial(await run({ effects: ['emit', 'invoke'] }, 'pay', ['5']))).toBe('effects');
  });

  it('denies interpreter-run effects (emit, now) when they happen, recoverably', async () => {
    const r = await run({ effects: ['deposit'] }, 'pay', ['5']);
    expect(denial(r)).toBe('effects');
    // The deposit before the emit happened; the emit was refused at its logical time.
    expect(r.effects.map((e) => [e.kind, e.time, e.error?.code])).toEqual([
      ['deposit', 250, undefined],
      ['emit', 250, 'E_DENIED'],
    ]);
    expect(r.balances).toEqual({ L1: { alice: { native: 5 } } });
    expect(denial(await run({ effects: ['emit'] }, 'clock'))).toBe('effects');
    expect((await run({ effects: ['now'] }, 'clock')).value).toBe('0');
    // A denied emit is a failing effect: `<|` recovers from it.
    const recovered = await run({ effects: [] }, 'quietOr');
    expect(recovered.value).toBe('7');
    expect(recovered.trace.filter({ kinds: ['denied'] })).toHaveLength(1);
  });

  it('counts emit against the effect budget on every occurrence', async () => {
    const r = await run({ budget: { effects: 3 } }, 'loud', ['5']);
    expect(denial(r)).toBe('budget.effects');
    expect(r.effects.map((e) => [e.args[0], e.error?.code])).toEqual([
      ['5', undefined],
      ['4', undefined],
      ['3', undefined],
      ['2', 'E_DENIED'],
    ]);
    expect(r.trace.filter({ kinds: ['effect'] })).toHaveLength(4);
    expect((await run({ budget: { effects: 5 } }, 'loud', ['5'])).value).toBe('0');
  });

  it('denies invoke when not allowed', async () => {
    expect(denial(await run({ effects: ['emit'] }, 'parent'))).toBe('effects');
  });

  it('denies a timeline the policy does not list', async () => {
    expect(denial(await run({ timelines: ['L2'] }, 'pay', ['5']))).toBe('timelines');
    expect((await run({ timelines: ['L1'] }, 'pay', ['5'])).error).toBeNull();
  });

  it('denies effects past the logical deadline', async () => {
    expect(denial(await run({ deadline: 100 }, 'pay', ['5']))).toBe('deadline');
    expect((await run({ deadline: 250 }, 'pay', ['5'])).error).toBeNull();
  });

  it('denies past the effect and I/O budgets', async () => {
    expect(denial(await run({ budget: { effects: 2 } }, 'parent'))).toBe('budget.effects');
    expect((await run({ budget: { effects: 3 } }, 'parent')).error).toBeNull();
    expect(denial(await run({ budget: { ioOps: 1 } }, 'pay', ['5']))).toBe('budget.ioOps');
  });

  it('denies past the step and memory budgets', async () => {
    expect(denial(await run({ budget: { steps: 2000 } }, 'spin', ['100000']))).toBe('budget.steps');
    expect((await run({ budget: { steps: 2_000_000 } }, 'spin', ['1000'])).value).toBe('0');
    expect(denial(await run({ budget: { memoryBytes: 100_000 } }, 'big', ['100000']))).toBe('budget.memoryBytes');
  });

  it('denies past the wall-clock timeout', async () => {
    let t = 0;
    const wallClock = (): number => (t += 1000);
    expect(denial(await run({ wallClockMs: 1500 }, 'pay', ['5'], { wallClock }))).toBe('wallClockMs');
    // Pure code is stopped too: every recursive call of a stored definition passes a check.
    let slow = 0;
    const r = await run({ wallClockMs: 100 }, 'spin', ['10000000'], { wallClock: () => slow++ });
    expect(denial(r)).toBe('wallClockMs');
    expect(slow).toBeLessThan(1000);
    // So is a loop local to one definition: the machine calls the check every PERIOD_STEPS steps.
    let local = 0;
    const l = await run({ wallClockMs: 100 }, 'localSpin', ['100000000'], { wallClock: () => local++ });
    expect(denial(l)).toBe('wallClockMs');
    expect(local).toBeLessThan(1000);
    expect((await run({ wallClockMs: 100 }, 'localSpin', ['1000'], { wallClock: () => 0 })).value).toBe('0');
  });

  it('runs out of budget at every level of a context tree', async () => {
    const policy: PolicyInput = { budget: { steps: 400_000 }, invokeShare: 0.5 };
    const ok = await run(policy, 'top', ['10']);
    expect(ok.error).toBeNull();
    expect(ok.contexts.map((c) => c.name)).toEqual([undefined, 'leaf', 'mid', 'top']);
    for (const [name, args, where] of [
      ['top', ['1000000'], 'leaf'],
      ['midSpins', ['1000000'], 'midSpins'],
      ['spin', ['1000000'], 'spin'],
    ] as const) {
      const r = await run(policy, name, [...args]);
      expect(r.error?.code).toBe('E_BUDGET');
      const exhausted = r.contexts.find((c) => c.context === r.error!.details.context)!;
      expect(exhausted.name).toBe(where);
      expect(exhausted.consumed.computeSteps).toBeLessThanOrEqual(exhausted.limits.computeSteps);
      expect(r.contexts.every((c) => c.released)).toBe(true);
      const errors = r.trace.filter({ kinds: ['error'] });
      expect(errors[0]!.context).toBe(exhausted.context);
    }
  });

  it('parses policies strictly (E_POLICY), any valid policy round-trips', () => {
    expect(() => parsePolicy('{"effects": ["teleport"]}')).toThrow(CaxError);
    expect(() => parsePolicy('{"budget": {"steps": -1}}')).toThrow(/budget.steps/);
    expect(() => parsePolicy('not json')).toThrow(/not JSON/);
    expect(() => parsePolicy({ unknown: 1 })).toThrow(CaxError);
    const policyArb = fc.record(
      {
        effects: fc.subarray(['deposit', 'withdraw', 'transfer', 'observe', 'emit', 'invoke', 'now'] as const),
        timelines: fc.array(fc.string()),
        budget: fc.record({ steps: fc.nat(), memoryBytes: fc.nat(), effects: fc.nat(), ioOps: fc.nat() }, { requiredKeys: [] }),
        deadline: fc.nat(),
        wallClockMs: fc.nat(),
        invokeShare: fc.double({ min: 0.01, max: 1, noNaN: true }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(policyArb, (p) => {
        const parsed = parsePolicy(JSON.stringify(p));
        expect(parsePolicy(JSON.stringify(parsed))).toEqual(parsed);
      }),
    );
    fc.assert(
      fc.property(fc.json(), (text) => {
        try {
          parsePolicy(text);
        } catch (e) {
          expect((e as CaxError).code).toBe('E_POLICY');
        }
      }),
    );
  });
});
