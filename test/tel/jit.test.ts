// The JIT tier against the interpreter: every example, and chosen programs,
// give the same value, error (code and span), effect log, clock, steps and
// memory with the JIT off, eager and auto, and with each pass switched off.
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { parseExpression, parseProgram, parseTypeScheme } from '../../host/tel/parser.js';
import { NO_RESOLVER, loadProgram, runMain, runToJson, type Resolver, type RunOptions } from '../../host/tel/interp.js';
import type { JitOptions } from '../../host/tel/jit/tier.js';
import { parseWorld } from '../../host/tel/world.js';
import { effectfulProgram, pureProgram, type RandomProgram } from './jit-random.js';
import { effectProgram as projectEffectProgram, pureProgram as projectPureProgram } from '../../host/tel/generate.js';

const CONFIGS: readonly JitOptions[] = [
  { mode: 'eager' },
  { mode: 'auto' },
  { mode: 'eager', passes: { intOps: false } },
  { mode: 'eager', passes: { selfLoop: false } },
  { mode: 'eager', passes: { inlinePatterns: false } },
  { mode: 'eager', passes: { directCalls: false } },
  { mode: 'eager', passes: { frameLocals: false } },
  { mode: 'eager', passes: { constantFold: false } },
  { mode: 'eager', passes: { inline: false } },
  { mode: 'eager', passes: { knownCase: false } },
  { mode: 'auto', passes: { inline: false } },
  { mode: 'auto', passes: { specialize: false } },
];

/** Everything a run is compared on. */
function observe(source: string, file: string, main: string, args: readonly string[], options: RunOptions, resolver: Resolver): string {
  const loaded = loadProgram(parseProgram(source, file), resolver);
  const r = runMain(
    loaded,
    main,
    args.map((a, i) => parseExpression(a, `<arg ${i}>`)),
    options,
  );
  return JSON.stringify({ ...runToJson(r), error: r.error?.toJSON(), steps: r.steps, memory: r.memory });
}

function agree(source: string, main: string, args: readonly string[], options: RunOptions = {}, resolver: Resolver = NO_RESOLVER): void {
  const want = observe(source, 'test.tel', main, args, { ...options, jit: 'off' }, resolver);
  for (const jit of CONFIGS) expect([jit, observe(source, 'test.tel', main, args, { ...options, jit }, resolver)]).toEqual([jit, want]);
}

describe('JIT agrees with the interpreter', () => {
  const names = readdirSync('examples')
    .filter((f) => f.endsWith('.tel'))
    .map((f) => f.slice(0, -4))
    .sort();
  for (const name of names) {
    it(`example ${name}`, () => {
      const expected = JSON.parse(readFileSync(`examples/${name}.expected.json`, 'utf8')) as { main: string; args: string[] };
      const worldFile = `examples/${name}.world.json`;
      const world = existsSync(worldFile) ? parseWorld(JSON.parse(readFileSync(worldFile, 'utf8'))) : undefined;
      agree(readFileSync(`examples/${name}.tel`, 'utf8'), expected.main, expected.args, { world });
    });
  }
});

describe('JIT agrees with the interpreter on random programs', () => {
  const runs = { numRuns: 25 };
  const agreeSafely = (p: RandomProgram, options: RunOptions = {}): void => {
    loadProgram(parseProgram(p.source, 'test.tel'));
    agree(p.source, p.main, p.args, options);
  };
  it('pure programs: value, error code and span, steps, memory', () => {
    fc.assert(
      fc.property(pureProgram, (p) => agreeSafely(p)),
      runs,
    );
  });
  it('effectful programs: effect log and clock too', () => {
    fc.assert(
      fc.property(effectfulProgram, (p) => agreeSafely(p)),
      runs,
    );
  });
  it("the project's generated pure programs (lists, text, show)", () => {
    fc.assert(
      fc.property(projectPureProgram, (source) => agree(source, 'main', [])),
      runs,
    );
  });
  it("the project's generated effect programs (binds, choice with rollback, parallel, race, deadlines, ledger, invoke)", () => {
    fc.assert(
      fc.property(projectEffectProgram, ({ source, world }) => agree(source, 'main', [], { world: parseWorld(world) })),
      runs,
    );
  });
  it('budgets cut at the same step and the same memory', () => {
    fc.assert(
      fc.property(pureProgram, fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 1, max: 4_000 }), (p, steps, memory) => agreeSafely(p, { budget: { steps, memory } })),
      runs,
    );
  });
});

describe('JIT tier', () => {
  const fib = 'fib :: Int -> Int\nfib n = if n < 2 then n else fib (n - 1) + fib (n - 2)\nmain :: Int -> Int\nmain n = fib n';
  it('compiles a hot definition and runs it without falling back', () => {
    const r = runMain(loadProgram(parseProgram(fib, 'fib.tel')), 'main', [parseExpression('15', '<arg>')], { jit: 'auto' });
    expect(r.shown).toBe('610');
    expect(r.jit).toEqual({ compiled: 1, interpreted: 0, bailouts: 0, specialized: 0, deopts: 0 });
  });
  it('specializes a definition for the value it was always called with, and drops that at the first other value', () => {
    const source = [
      'scale :: Int -> Int -> Int',
      'scale k x = if k == 3 then x + 1 else k * x',
      'run :: Int -> Int -> Int',
      'run i acc = if i == 0 then acc else run (i - 1) (acc + scale 3 i)',
      'main :: Int -> Int',
      'main n = run 100 0 + scale n 5',
    ].join('\n');
    const at = (n: number, jit: RunOptions['jit']) => runMain(loadProgram(parseProgram(source, 'scale.tel')), 'main', [parseExpression(String(n), '<arg>')], { jit });
    const interpreted = at(4, 'off');
    const r = at(4, { mode: 'auto', passes: { inline: false } });
    expect([r.shown, r.steps, r.memory]).toEqual([interpreted.shown, interpreted.steps, interpreted.memory]);
    expect(r.jit).toMatchObject({ specialized: 1, deopts: 1, bailouts: 0 });
    const same = at(3, { mode: 'auto', passes: { inline: false } });
    expect(same.jit).toMatchObject({ specialized: 1, deopts: 0 });
    expect([same.shown, same.steps]).toEqual([at(3, 'off').shown, at(3, 'off').steps]);
  });
  it('specializes a definition for the list shape it was always called with, and drops that at the first other shape', () => {
    const source = [
      'firstOr :: [Int] -> Int -> Int',
      'firstOr xs z = case xs of { [h] -> h * 2; (h : _) -> h + z; [] -> z }',
      'run :: Int -> Int -> Int',
      'run i acc = if i == 0 then acc else run (i - 1) (acc + firstOr [i, acc] i)',
      'main :: Int -> Int',
      'main n = run 300 0 + firstOr (range 1 n) 5',
    ].join('\n');
    const at = (n: number, jit: RunOptions['jit'], budget?: RunOptions['budget']) =>
      runMain(loadProgram(parseProgram(source, 'shape.tel')), 'main', [parseExpression(String(n), '<arg>')], { jit, budget });
    const auto: JitOptions = { mode: 'auto', passes: { inline: false } };
    for (const [n, deopts] of [
      [0, 1],
      [1, 0],
      [3, 0],
    ] as const) {
      const interpreted = at(n, 'off');
      const r = at(n, auto);
      expect([r.shown, r.steps, r.memory, r.error]).toEqual([interpreted.shown, interpreted.steps, interpreted.memory, interpreted.error]);
      expect(r.jit).toMatchObject({ specialized: 1, deopts, bailouts: 0 });
    }
    // A list walk specialized on a cons (every profiled call passed one) deoptimizes at the loop back-edge that passes the empty list.
    const walk = 'total :: [Int] -> Int -> Int\ntotal xs acc = case xs of { [] -> acc; (h : t) -> total t (acc + h) }\nmain :: Int -> Int\nmain n = total (range 1 n) 0';
    const walked = runMain(loadProgram(parseProgram(walk, 'walk.tel')), 'main', [parseExpression('400', '<arg>')], { jit: auto });
    const walkedOff = runMain(loadProgram(parseProgram(walk, 'walk.tel')), 'main', [parseExpression('400', '<arg>')], { jit: 'off' });
    expect([walked.shown, walked.steps, walked.memory]).toEqual([walkedOff.shown, walkedOff.steps, walkedOff.memory]);
    expect(walked.jit).toMatchObject({ specialized: 1, deopts: 1, bailouts: 0 });
    // Budgets cut the specialized and the deoptimized code at the interpreter's step.
    for (const steps of [2000, 4000, 4500, 5000]) for (const n of ['0', '2']) agree(source, 'main', [n], { budget: { steps, memory: 100_000 } });
    for (const steps of [1000, 2000, 3000]) agree(walk, 'main', ['400'], { budget: { steps, memory: 100_000 } });
  });
  it('inlines calls inside inlined bodies, up to the depth, with the steps, memory and budget cuts of the interpreter', () => {
    const source = [
      'inc :: Int -> Int',
      'inc x = if x > 1000 then x - 1000 else x + 1',
      'inc2 :: Int -> Int',
      'inc2 x = inc (inc x)',
      'inc4 :: Int -> Int',
      'inc4 x = inc2 (inc2 x) * 1',
      'inc8 :: Int -> Int',
      'inc8 x = inc4 (inc4 x)',
      'loop :: Int -> Int -> Int',
      'loop i acc = if i == 0 then acc else loop (i - 1) (inc8 acc)',
      'main :: Int -> Int',
      'main n = loop n 0',
    ].join('\n');
    const run = (jit: JitOptions) => runMain(loadProgram(parseProgram(source, 'inline.tel')), 'main', [parseExpression('50', '<arg>')], { jit });
    // loop inlines inc8, inc4 and inc2 (three bodies deep) and calls inc; main inlines loop, inc8 and inc4 and calls
    // loop and inc2: four compiled functions, where no inlining compiles all six
    expect(run({ mode: 'eager' }).jit).toMatchObject({ compiled: 4, bailouts: 0 });
    expect(run({ mode: 'eager', passes: { inline: false } }).jit).toMatchObject({ compiled: 6, bailouts: 0 });
    agree(source, 'main', ['50']);
    for (const steps of [500, 1500, 3000]) agree(source, 'main', ['50'], { budget: { steps, memory: 10_000 } });
  });
  it('compiles code that refers to stored definitions by hash (functions and values)', () => {
    const stored = new Map([
      ['a'.repeat(64), { source: 'triple :: Int -> Int\ntriple x = x * 3\n', type: 'Int -> Int' }],
      ['b'.repeat(64), { source: 'answer :: Int\nanswer = 6 * 7\n', type: 'Int' }],
    ]);
    const resolver: Resolver = {
      definition: (h) => (stored.has(h) ? parseProgram(stored.get(h)!.source, 'store').decls[0] : undefined),
      hashTypes: (h) => (stored.has(h) ? parseTypeScheme(stored.get(h)!.type, 'store') : undefined),
    };
    const source = `go :: Int -> Int -> Int\ngo i acc = if i == 0 then acc else go (i - 1) (acc + @${'a'.repeat(64)} i + @${'b'.repeat(64)})\nmain :: Int -> Int\nmain n = go n 0\n`;
    for (const n of ['0', '1', '100']) agree(source, 'main', [n], {}, resolver);
    agree(source, 'main', ['100'], { budget: { steps: 700, memory: 1000 } }, resolver);
    const r = runMain(loadProgram(parseProgram(source, 'test.tel'), resolver), 'main', [parseExpression('100', '<arg>')], { jit: 'eager' });
    expect([r.shown, r.jit?.interpreted, r.jit?.bailouts]).toEqual(['19350', 0, 0]);
  });
  it('calls the periodic hook as often as the interpreter, in recursion and in loops', () => {
    const source = `${fib}\nloop :: Int -> Int -> Int\nloop i acc = if i == 0 then acc else loop (i - 1) (acc + fib 3)\nboth :: Int -> Int\nboth n = fib n + loop (n * 50) 0\n`;
    const calls = (jit: RunOptions['jit']): [number, number, number] => {
      let n = 0;
      const r = runMain(loadProgram(parseProgram(source, 'fib.tel')), 'both', [parseExpression('16', '<arg>')], { jit, periodic: () => void n++ });
      return [n, r.steps, r.jit?.bailouts ?? 0];
    };
    const [interpreted, steps] = calls('off');
    expect(interpreted).toBe(Math.floor(steps / 1024));
    for (const jit of CONFIGS) expect([jit, calls(jit)]).toEqual([jit, [interpreted, steps, 0]]);
  });
  it('falls back to the interpreter at a budget, which then fails at its own step', () => {
    const loaded = loadProgram(parseProgram(fib, 'fib.tel'));
    const r = runMain(loaded, 'main', [parseExpression('15', '<arg>')], { jit: 'eager', budget: { steps: 5000, memory: 100_000 } });
    expect(r.error?.code).toBe('E_BUDGET');
    expect(r.steps).toBe(5001);
    expect(r.jit?.bailouts).toBe(1);
  });
});
