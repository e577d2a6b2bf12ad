// Effects begun on the co-processor (the runtime's rt_settle, CodegenOptions.settleEffects, docs/compiler.md
// "Effects and time"): `return v >>= k` applied there, and an `emit` or `now` bound to a continuation performed by
// the host's scheduler through an ecall in the same run. With the option on and off, compiled TEL gives what the
// interpreter gives (value or error with its message, effect log, clock) for random effectful programs over a
// world that refuses (E_DENIED) or breaks (a fatal E_REPLAY) at its n-th `emit` or `now`, and for binds nested to
// the left deeper than rt_settle's stack of waiting binds; an effect loop takes two runs on the core with it
// (a run per bind without it); the cycles charged as the runs go add up to the run's cycles. `x <- return e` folded
// at compile time (CodegenOptions.foldReturnBinds) where what follows is built quietly gives the same, on and off
// (x naming a local variable's own location where e is one, which a continuation capturing both captures once:
// sharedCaptures); a continuation adds the Ints it captured without the runtime's generic arithmetic, read through
// its env kept in a0; a bind of an effect builtin to a lambda built in one chunk survives collections.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaxError } from '../../host/errors.js';
import { runCli } from '../../host/cli/program.js';
import { DEFAULT_OPTIONS, type CodegenOptions } from '../../host/compiler/codegen.js';
import { compileSource } from '../../host/compiler/compile.js';
import { openCoprocessor, runImage, type Coprocessor } from '../../host/coprocessor/backend.js';
import type { BinderRange } from '../../host/compiler/slot-map.js';
import { decode } from '../../host/riscv/decode.js';
import { effectProgram } from '../../host/tel/generate.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseProgram } from '../../host/tel/parser.js';
import { MemoryWorld, parseWorld, type EffectHandlers, type Outcome, type WorldInput } from '../../host/tel/world.js';
import { captureIO } from '../helpers/cli-io.js';
import { compiledSizes } from '../helpers/compiled-sizes.js';

const BUDGET = 1_000_000_000;
const ON: CodegenOptions = DEFAULT_OPTIONS;
const OFF: CodegenOptions = { ...DEFAULT_OPTIONS, settleEffects: false };
const UNFOLDED: CodegenOptions = { ...DEFAULT_OPTIONS, foldReturnBinds: false };
const NEITHER: CodegenOptions = { ...DEFAULT_OPTIONS, settleEffects: false, foldReturnBinds: false };
const UNJUMPED: CodegenOptions = { ...DEFAULT_OPTIONS, continuationJumps: false };
const UNSHARED: CodegenOptions = { ...DEFAULT_OPTIONS, sharedCaptures: false };

let cop: Coprocessor;
beforeAll(async () => {
  cop = await openCoprocessor('iss');
});
afterAll(async () => {
  await cop.close();
});

/** How the world treats its `at`-th `emit` or `now` (counted from 1): it refuses it (a failure the program may catch), or throws (fatal). */
interface Refusal {
  readonly kind: 'emit' | 'now';
  readonly at: number;
  readonly how: 'refuse' | 'throw';
}

/** The world `input` whose `emit`s and `now`s are checked by `refusal` (a fresh one per run). */
function world(input: WorldInput, refusal: Refusal | null): EffectHandlers {
  const w = new MemoryWorld(input);
  let seen = 0;
  const check = (kind: 'emit' | 'now'): Outcome => {
    if (refusal?.kind !== kind || ++seen !== refusal.at) return { ok: true, result: seen };
    if (refusal.how === 'throw') throw new CaxError('E_REPLAY', `the replayed run diverged at ${kind} ${seen}`);
    return { ok: false, code: 'E_DENIED', message: `${kind} ${seen} is refused` };
  };
  return {
    latency: (t) => w.latency(t),
    deposit: (r, t) => w.deposit(r, t),
    withdraw: (r, t) => w.withdraw(r, t),
    transfer: (r, t) => w.transfer(r, t),
    observe: (r, t) => w.observe(r, t),
    rollback: (c) => w.rollback(c),
    emit: () => check('emit'),
    now: () => check('now'),
  };
}

interface Result {
  readonly value: string | null;
  readonly error: string | null;
  readonly message: string | null;
  readonly clock: number;
  readonly effects: string;
}

function interpret(source: string, input: WorldInput, refusal: Refusal | null): Result {
  const r = runMain(loadProgram(parseProgram(source, 'settle.tel')), 'main', [], { handlers: world(input, refusal), start: input.start ?? 0 });
  return { value: r.shown, error: r.error?.code ?? null, message: r.error?.message ?? null, clock: r.clock, effects: JSON.stringify(r.effects) };
}

/** A compiled run on the ISS, with the number of runs on the core and whether the cycles charged as it went add up to its cycles. */
async function onCore(source: string, input: WorldInput, refusal: Refusal | null, options: CodegenOptions): Promise<Result & { readonly runs: number; readonly charged: boolean }> {
  const image = compileSource(source, 'settle.tel', 'main', options).image;
  let runs = 0;
  let charged = 0;
  const r = await runImage(cop, image, [], {
    budget: BUDGET,
    start: input.start ?? 0,
    limit: () => (runs++, BUDGET),
    onCycles: (c) => (charged += c),
    effects: { handlers: world(input, refusal), owner: null },
  });
  return {
    value: r.shown,
    error: r.error?.code ?? null,
    message: r.error?.message ?? null,
    clock: r.clock,
    effects: JSON.stringify(r.effects),
    runs,
    charged: charged === r.cycles,
  };
}

/**
 * The program agrees with the interpreter with rt_settle on and off, with `x <- return e` folded and not
 * (foldReturnBinds), with continuations' tail jumps off (continuationJumps), and with a location captured once per
 * name (sharedCaptures off); the compiled runs of each.
 */
async function agreeBothWays(source: string, input: WorldInput, refusal: Refusal | null): Promise<{ on: number; off: number; unfolded: number; neither: number; unjumped: number; unshared: number }> {
  const reference = interpret(source, input, refusal);
  const runs = { on: 0, off: 0, unfolded: 0, neither: 0, unjumped: 0, unshared: 0 };
  for (const [name, options] of [
    ['on', ON],
    ['off', OFF],
    ['unfolded', UNFOLDED],
    ['neither', NEITHER],
    ['unjumped', UNJUMPED],
    ['unshared', UNSHARED],
  ] as const) {
    const { runs: n, charged, ...got } = await onCore(source, input, refusal, options);
    expect({ settle: name, ...got }).toEqual({ settle: name, ...reference });
    expect({ settle: name, charged }).toEqual({ settle: name, charged: true });
    runs[name] = n;
  }
  return runs;
}

const refusal = fc.option(fc.record({ kind: fc.constantFrom('emit' as const, 'now' as const), at: fc.integer({ min: 1, max: 6 }), how: fc.constantFrom('refuse' as const, 'throw' as const) }), {
  nil: null,
  freq: 4,
});

describe('effects begun on the co-processor (settleEffects) against the interpreter', () => {
  it('random effect programs agree with it on and off, whatever emit or now the world refuses or breaks at', async () => {
    await fc.assert(
      fc.asyncProperty(effectProgram, refusal, async ({ source, world: w }, r) => {
        await agreeBothWays(source, parseWorld(w), r);
      }),
      { numRuns: 10 },
    );
  }, 600_000);

  it('an effect loop of n binds takes two runs on the core with it, one a bind (3n + 1) without (2n + 1: `x <- return n` folded)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 40 }), async (n) => {
        const source = `loop :: Int -> Int -> Effect Int\nloop n acc = if n == 0 then return acc else do { x <- return n; emit x; t <- now; loop (n - 1) (acc + x + t) }\nmain :: Effect Int\nmain = loop ${n} 0`;
        // main settles its first `return`; its first `emit` goes back as a tree (no fiber waits for main yet); one continuation does the rest
        expect(await agreeBothWays(source, { start: 7 }, null)).toEqual({ on: 2, off: 2 * n + 1, unfolded: 2, neither: 3 * n + 1, unjumped: 2, unshared: 2 });
      }),
      { numRuns: 4 },
    );
  }, 300_000);

  it('an effect loop whose world refuses or breaks at its n-th emit or now, inside and outside a <|', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 12 }), refusal, async (n, r) => {
        const source = [
          'loop :: Int -> Int -> Effect Int',
          'loop n acc = if n == 0 then return acc else do { x <- return n; (emit x <| emit (0 - x)); t <- now; emit t; loop (n - 1) (acc + x + t) }',
          'main :: Effect Int',
          `main = loop ${n} 0`,
        ].join('\n');
        await agreeBothWays(source, { start: 3 }, r);
      }),
      { numRuns: 12 },
    );
  }, 300_000);

  it('binds nested to the left deeper than the stack of waiting binds, with refusals inside', async () => {
    const nest = (depth: number): string =>
      [
        'nest :: Int -> Effect Int',
        'nest n = if n == 0 then return 0 else do { x <- nest (n - 1); emit x; t <- now; return (x + t + 1) }',
        'main :: Effect Int',
        `main = do { a <- nest ${depth}; b <- (nest 3 <| return 100); return (a * 1000 + b) }`,
      ].join('\n');
    for (const depth of [1, 31, 32, 33, 80]) {
      await agreeBothWays(nest(depth), { start: 5 }, null);
      await agreeBothWays(nest(depth), { start: 5 }, { kind: 'emit', at: depth + 2, how: 'refuse' });
      await agreeBothWays(nest(depth), { start: 5 }, { kind: 'now', at: depth, how: 'throw' });
    }
  }, 300_000);

  it("`x <- return e` folded where what follows is built quietly, not where it could fail or act; the interpreter's results either way", async () => {
    const programs = [
      // folded: a variable shadowed by its own next value, `_`, a nested block, `now`, `>>`, quiet Int arithmetic
      'main :: Effect Int\nmain = do { x <- return 5; x <- return (x + 1); emit x; _ <- return (x * 2); t <- now; emit t >> return (x + t) }',
      'main :: Effect Int\nmain = do { x <- return 2; do { emit x; y <- return (x - 7); emit y }; return x }',
      'f :: Int -> Int\nf n = n * 3\nmain :: Effect Int\nmain = do { x <- return (f 4); emit (x + 1); y <- return (x - 1); return (y * x) }',
      // folded `x <- return v` of a local variable v: x names v's location (a parameter, a matched head, a capture), v shadowed after
      'f :: Int -> Effect Int\nf n = do { x <- return n; n <- return (x + 1); emit (x * 10 + n); y <- return x; emit y; return (x + n + y) }\nmain :: Effect Int\nmain = f 4',
      'g :: [Int] -> Effect Int\ng [] = return 0\ng (h:t) = do { x <- return h; emit x; r <- g t; return (x + r) }\nmain :: Effect Int\nmain = g [3, 1, 4]',
      'main :: Effect Int\nmain = do { a <- now; do { b <- return a; emit b; c <- return b; emit (c + a) }; return a }',
      // not folded: what follows would evaluate a division, a call or a let when built
      'main :: Effect Int\nmain = let e = do { x <- return 0; return (1 / x) } in return 5',
      'main :: Effect ()\nmain = do { x <- return 0; emit (10 / x) }',
      'g :: Int -> Effect Int\ng n = if n == 0 then fail "zero" else return n\nmain :: Effect Int\nmain = do { x <- return 0; g x } <| return 9',
      'main :: Effect Int\nmain = do { x <- return 4; let { y = x * x }; emit y; return y }',
      // a block's statements run when its effect runs, not when it is built: blocks never run, one that runs
      'main :: Effect Int\nmain = let e = do { x <- return (1 / 0); emit x } in return 5',
      'main :: Effect Int\nmain = let e = do { let { y = 1 / 0 }; emit y } in return 5',
      'main :: Effect Int\nmain = let e = do { emit (1 / 0) } in return 5',
      'g :: Int -> Effect Int\ng n = return (10 / n)\nf :: Int -> Effect Int\nf n = do { x <- g n; emit x; return x }\nmain :: Effect Int\nmain = let e = f 0 in do { y <- f 5; emit y; return 7 }',
      'main :: Effect ()\nmain = do { emit 1; x <- return (1 / 0); emit x }',
      // a refutable pattern: a continuation that matches when it runs
      'main :: Effect Int\nmain = do { (a, b) <- return (1, 2); emit a; return b }',
    ];
    for (const source of programs) {
      await agreeBothWays(source, { start: 11 }, null);
      await agreeBothWays(source, { start: 11 }, { kind: 'emit', at: 1, how: 'refuse' });
    }
  }, 300_000);

  it('a folded loop allocates less: no return node, bind node or continuation closure per `x <- return n`', async () => {
    const source = 'loop :: Int -> Int -> Effect Int\nloop n acc = if n == 0 then return acc else do { x <- return n; emit x; loop (n - 1) (acc + x) }\nmain :: Effect Int\nmain = loop 50 0';
    const heap = async (options: CodegenOptions): Promise<number> => (await runImage(cop, compileSource(source, 'loop.tel', 'main', options).image, [], { budget: BUDGET })).heapBytes;
    // per iteration: 72 bytes (emit node, its bind, the closure of the rest) instead of 144 (return node, its bind, the closure of the rest of the block)
    expect(await heap(UNFOLDED)).toBeGreaterThan(await heap(ON));
    // and 80 with x and n, one slot, captured twice (sharedCaptures off: `cax compile --no-shared-captures`, whose code
    // writes one capture more)
    expect(await heap(UNSHARED)).toBeGreaterThan(await heap(ON));
    const [shared, unshared] = await compiledSizes(source, [[], ['--no-shared-captures']]);
    expect(shared).toBeLessThan(unshared!);
  });

  it("a continuation adds the Ints it captured without the runtime's generic arithmetic (typedInts), as the interpreter", async () => {
    const source = 'loop :: Int -> Int -> Effect Int\nloop n acc = if n == 0 then return acc else do { x <- return n; emit x; loop (n - 1) (acc + x) }\nmain :: Effect Int\nmain = loop 30 0';
    /** Calls (jal) of rt_arith in the compiled code. */
    const generic = (options: CodegenOptions): number => {
      const image = compileSource(source, 'loop.tel', 'main', options).image;
      const target = image.symbols.get('rt_arith')!;
      const view = new DataView(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength);
      let calls = 0;
      for (let pc = image.codeStart; pc < image.symbols.get('tel$$data')!; pc += 4) {
        const insn = decode(view.getUint32(pc - image.base, true));
        if (insn.op === 'jal' && pc + insn.imm === target) calls++;
      }
      return calls;
    };
    expect(generic(ON)).toBe(0);
    expect(generic({ ...DEFAULT_OPTIONS, typedInts: false })).toBeGreaterThan(0);
    await agreeBothWays(source, { start: 2 }, null);
  });

  it('a continuation reads its captures through its env in a0 (registerArguments) until it calls, not reloaded from its frame; the same results off', async () => {
    const source =
      'loop :: Int -> Int -> Effect Int\nloop n acc = if n == 0 then return acc else do { x <- return n; emit x; t <- now; loop (n - 1) (acc + x * t) }\nmain :: Effect Int\nmain = loop 30 0';
    /** Loads of the env word (s0-12) in the continuations' code. */
    const envLoads = (options: CodegenOptions): number => {
      const image = compileSource(source, 'loop.tel', 'main', options).image;
      const view = new DataView(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength);
      const starts = [...image.symbols].filter(([name]) => name.startsWith('tel$lambda$') && !name.endsWith('$body')).map(([, at]) => at);
      const end = (start: number): number => Math.min(image.symbols.get('tel$$data')!, ...[...image.symbols].filter(([name, at]) => at > start && !name.endsWith('$body')).map(([, at]) => at));
      let loads = 0;
      for (const start of starts) {
        for (let pc = start; pc < end(start); pc += 4) {
          const insn = decode(view.getUint32(pc - image.base, true));
          if (insn.op === 'lw' && insn.rs1 === 8 && insn.imm === -12) loads++;
        }
      }
      return loads;
    };
    // the continuation of `t <- now` reads n, acc, x and t before any call: through a0; that of `emit x` after the call
    // allocating the `now` bind: through its frame's env word
    expect(envLoads(ON)).toBeLessThan(envLoads({ ...DEFAULT_OPTIONS, registerArguments: false }));
    const reference = interpret(source, { start: 5 }, null);
    for (const options of [ON, { ...DEFAULT_OPTIONS, registerArguments: false }]) {
      const { runs: _runs, charged, ...got } = await onCore(source, { start: 5 }, null, options);
      expect(got).toEqual(reference);
      expect(charged).toBe(true);
    }
  });

  it("a folded `x <- return n` of a variable: x where n is, each recorded with its own declaration (the debugger's slot map)", () => {
    const line = 'loop n acc = if n == 0 then return acc else do { x <- return n; emit x; loop (n - 1) (acc + x) }';
    const image = compileSource(`loop :: Int -> Int -> Effect Int\n${line}\nmain :: Effect Int\nmain = loop 3 0`, 'alias.tel', 'main').image;
    const inCode = (label: string, name: string): BinderRange[] => {
      const start = image.symbols.get(label)!;
      const end = Math.min(...[...image.symbols].filter(([n, a]) => a > start && !n.endsWith('$body')).map(([, a]) => a));
      return image.binders!.filter((b) => b.name === name && b.span.file === 'alias.tel' && b.from >= start && b.to <= end);
    };
    const declared = { n: line.indexOf('n') + 1, x: line.indexOf('x <-') + 1 };
    // in loop: x names n's own place
    const [n] = inCode('tel$loop', 'n');
    const [x] = inCode('tel$loop', 'x');
    expect([n!.span.col, x!.span.col]).toEqual([declared.n, declared.x]);
    expect(x!.home).toEqual(n!.home);
    // in the continuation, which captures both: each capture named as its binder was declared
    expect([inCode('tel$lambda$0', 'n')[0]!.span.col, inCode('tel$lambda$0', 'x')[0]!.span.col]).toEqual([declared.n, declared.x]);
  });

  it('binds built in one chunk with their effect and continuation survive collections: a loop of 2,000 in an 8 KiB heap, as the interpreter', async () => {
    const source = [
      'loop :: Int -> Int -> Effect Int',
      'loop n acc = if n == 0 then return acc else do { x <- return n; emit x; t <- now; emit (x + t); loop (n - 1) (acc + x) }',
      'main :: Effect Int',
      'main = loop 2000 0',
    ].join('\n');
    const reference = interpret(source, { start: 3 }, null);
    const r = await runImage(cop, compileSource(source, 'loop.tel', 'main').image, [], { budget: BUDGET, start: 3, heapBytes: 8192, effects: { handlers: world({ start: 3 }, null), owner: null } });
    expect({ value: r.shown, error: r.error?.code ?? null, clock: r.clock, effects: JSON.stringify(r.effects) }).toEqual({
      value: reference.value,
      error: null,
      clock: reference.clock,
      effects: reference.effects,
    });
    expect(r.heapBytes).toBeLessThanOrEqual(8192); // 2,000 iterations of 160 bytes each: collected many times
  }, 120_000);

  it('cax compile --no-settle-effects: the same code, another image (its settle word)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-settle-'));
    try {
      writeFileSync(join(dir, 'p.tel'), 'main :: Effect Int\nmain = do { x <- return 2; emit x; return (x + 1) }');
      const layout: { key: string; codeBytes: number }[] = [];
      for (const extra of [[], ['--no-settle-effects']]) {
        const io = captureIO();
        expect(await runCli(['--json', 'compile', join(dir, 'p.tel'), ...extra], io)).toBe(0);
        layout.push(JSON.parse(io.stdout.join('\n')) as { key: string; codeBytes: number });
      }
      expect(layout[1]!.codeBytes).toBe(layout[0]!.codeBytes);
      expect(layout[1]!.key).not.toBe(layout[0]!.key);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
