// The interpreter profile: its totals are the run's steps exactly (with the
// JIT on or off in the plain run, for examples and generated programs), the
// call counts are the definitions' real calls, bottlenecks name the costly
// definitions, loops, clock-setting effects and memoizable calls, and
// custom metrics emitted by TEL appear in the profile.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { bottlenecks } from '../../host/profile/bottlenecks.js';
import { MetricsRecorder } from '../../host/profile/metrics.js';
import { profileInterp } from '../../host/profile/profile-interp.js';
import { effectProgram, pureProgram } from '../../host/tel/generate.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseExpression, parseProgram } from '../../host/tel/parser.js';
import { parseWorld, type WorldInput } from '../../host/tel/world.js';

const profileOf = (source: string, main = 'main', args: string[] = [], world?: WorldInput) => profileInterp({ program: parseProgram(source, 'p.tel'), main, args, ...(world ? { world } : {}) });
const plainSteps = (source: string, jit: 'auto' | 'off', main = 'main', args: string[] = [], world?: WorldInput) =>
  runMain(
    loadProgram(parseProgram(source, 'p.tel')),
    main,
    args.map((a) => parseExpression(a, 'arg')),
    { jit, ...(world ? { world } : {}) },
  ).steps;
const selfSum = (p: { frames: readonly { self: number }[] }) => p.frames.reduce((s, f) => s + f.self, 0);

const FIB = readFileSync('examples/fib.tel', 'utf8');

describe('profile on the interpreter', () => {
  it('charges exactly the run’s steps, and counts the real calls', () => {
    const p = profileOf(FIB);
    expect(p.total).toBe(plainSteps(FIB, 'auto'));
    expect(p.total).toBe(plainSteps(FIB, 'off'));
    expect(selfSum(p)).toBe(p.total);
    expect(p.frames[0]!.total).toBe(p.total);
    const fib = p.frames.find((f) => f.name === 'fib')!;
    expect(fib.calls).toBe(21891); // fib 20 makes 2 · fib 21 − 1 calls
    expect(fib.total).toBe(fib.self); // fib calls only itself (and operators)
    const sort = p.frames.find((f) => f.name === 'sort')!;
    expect(sort.total).toBeGreaterThan(sort.self);
    expect(p.frames.find((f) => f.name === 'merge/go')!.selfTailCalls).toBeGreaterThan(1000);
    expect(p.edges.some((e) => p.frames[e.caller]!.name === 'sort' && p.frames[e.callee]!.name === 'merge')).toBe(true);
  });

  it('charges exactly the steps of generated pure programs', () => {
    fc.assert(
      fc.property(pureProgram, (source) => {
        const p = profileOf(source);
        expect(selfSum(p)).toBe(p.total);
        expect(p.total).toBe(plainSteps(source, 'auto'));
      }),
      { numRuns: 25, seed: 19 },
    );
  });

  it('charges exactly the steps of generated effect programs, with their effects', () => {
    fc.assert(
      fc.property(effectProgram, ({ source, world }) => {
        const w = parseWorld(world);
        const p = profileOf(source, 'main', [], w);
        const plain = runMain(loadProgram(parseProgram(source, 'p.tel')), 'main', [], { world: w });
        expect(selfSum(p)).toBe(p.total);
        expect(p.total).toBe(plain.steps);
        expect(p.effects.length).toBe(plain.effects.length);
        expect(p.clock.end).toBe(plain.clock);
        for (const s of p.resources[0]!.samples) expect(s.compute).toBeLessThanOrEqual(p.total);
      }),
      { numRuns: 25, seed: 19 },
    );
  });

  it('profiles a run that ends with an error up to its error', () => {
    const budget = { steps: 5000, memory: 1_000_000 };
    const p = profileInterp({ program: parseProgram(FIB, 'fib.tel'), main: 'fib', args: ['25'], budget });
    const plain = runMain(loadProgram(parseProgram(FIB, 'fib.tel')), 'fib', [parseExpression('25', 'arg')], { budget, jit: 'off' });
    expect(plain.error?.code).toBe('E_BUDGET');
    expect(p.outcome).toBe('E_BUDGET');
    expect(p.total).toBe(plain.steps);
    expect(selfSum(p)).toBe(p.total);
    expect(p.resources[0]!.grant).toEqual({ compute: 5000, memory: 1_000_000 });
  });

  it('names the costliest definitions, loops and a memoizable pure definition', () => {
    const findings = bottlenecks(profileOf(FIB));
    expect(findings.find((f) => f.kind === 'costliest')!.text).toMatch(/^fib: \d+ steps itself/);
    expect(findings.some((f) => f.kind === 'loop' && f.text.startsWith('merge/go: '))).toBe(true);
    const memo = findings.find((f) => f.kind === 'suggestion' && f.text.startsWith('fib is pure'))!;
    expect(memo.value).toBe(21891 - 21); // only fib 0 … fib 20 are new arguments
  });

  it('names the effects whose waits set the clock', () => {
    const source = readFileSync('examples/arbitrage.tel', 'utf8');
    const world = parseWorld(JSON.parse(readFileSync('examples/arbitrage.world.json', 'utf8')));
    const p = profileOf(source, 'main', [], world);
    const clock = bottlenecks(p).filter((f) => f.kind === 'clock');
    expect(clock.length).toBeGreaterThan(1);
    // the waits that moved the clock on add up to the whole clock when the run ends on an effect
    expect(clock.reduce((s, f) => s + f.value, 0)).toBe(p.clock.end - p.clock.start);
    expect(clock[0]!.text).toMatch(/^deposit on eth: 1 wait set 4000 ms/);
  });

  it('shows counters and gauges a TEL program emits, and ones host code records', () => {
    const source = [
      'serve :: Int -> Effect Int',
      'serve n = emit ("counter:requests", 1) >> emit ("gauge:queue", n) >> after 10 milliseconds (return n)',
      'main :: Effect Int',
      'main = do',
      '  a <- serve 3',
      '  b <- serve 2',
      '  emit ("counter:requests", 2)',
      '  emit "not a metric"',
      '  return (a + b)',
    ].join('\n');
    const host = new MetricsRecorder();
    host.gauge('host.ready', 1, 0);
    const p = profileInterp({ program: parseProgram(source, 'm.tel'), main: 'main', args: [], metrics: host });
    expect(p.outcome).toBe('5');
    expect(p.metrics).toEqual([
      { name: 'host.ready', kind: 'gauge', points: [{ time: 0, value: 1 }] },
      {
        name: 'requests',
        kind: 'counter',
        points: [
          { time: 0, value: 1 },
          { time: 10, value: 2 },
          { time: 20, value: 4 },
        ],
      },
      {
        name: 'queue',
        kind: 'gauge',
        points: [
          { time: 0, value: 3 },
          { time: 10, value: 2 },
        ],
      },
    ]);
    expect(() => host.counter('host.ready', 1, 1)).toThrow(/is a gauge/);
    expect(() => host.counter('bad name', 1, 1)).toThrow(/is not a name/);
  });
});
