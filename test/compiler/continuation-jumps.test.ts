// A `do` block's continuation that ends in a call of a known function of up to two parameters jumps to it
// (CodegenOptions.continuationJumps, docs/compiler.md "Effects and time"): its callers, the runtime's rt_settle and
// rt_call, leave room for two arguments. An effect loop of 100,000 iterations runs in the board's 128 KiB (a loop of
// 2,000 with the option off) and gives the interpreter's value and effect log; the option reaches the code from the command
// line, and on it makes the continuation's code smaller. A tail call of another function stores its quiet Int
// arguments from temporaries (CodegenOptions.directArguments), exact where they read the caller's parameters.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_OPTIONS, type CodegenOptions } from '../../host/compiler/codegen.js';
import { compileSource } from '../../host/compiler/compile.js';
import { openCoprocessor, runImage, type Coprocessor } from '../../host/coprocessor/backend.js';
import { BOARD_RAM_BYTES } from '../../host/riscv/iss.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseProgram } from '../../host/tel/parser.js';
import { MemoryWorld } from '../../host/tel/world.js';
import { compiledSizes } from '../helpers/compiled-sizes.js';

const LOOP = (n: number): string =>
  `loop :: Int -> Int -> Effect Int\nloop n acc = if n == 0 then return acc else do { x <- return n; emit x; loop (n - 1) (acc + x) }\nmain :: Effect Int\nmain = loop ${n} 0`;

let board: Coprocessor;
beforeAll(async () => {
  board = await openCoprocessor('iss', undefined, { ramBytes: BOARD_RAM_BYTES });
});
afterAll(async () => {
  await board.close();
});

/** The value and effect log of `source` compiled with `options` on the board's RAM, and the interpreter's. */
async function both(source: string, options: CodegenOptions): Promise<{ core: unknown; interp: unknown }> {
  const r = runMain(loadProgram(parseProgram(source, 'jumps.tel')), 'main', [], { handlers: new MemoryWorld({}), start: 0 });
  const image = compileSource(source, 'jumps.tel', 'main', options).image;
  const c = await runImage(board, image, [], { budget: 2_000_000_000, start: 0, effects: { handlers: new MemoryWorld({}), owner: null } });
  return {
    core: { value: c.shown, error: c.error?.code ?? null, effects: c.effects },
    interp: { value: r.shown, error: r.error?.code ?? null, effects: r.effects },
  };
}

describe('continuations that jump to the function they end with (continuationJumps)', () => {
  it('an effect loop of 100,000 iterations runs in the board RAM (no stack growth) and agrees with the interpreter; 2,000 off', async () => {
    for (const [n, options] of [
      [100_000, DEFAULT_OPTIONS],
      [2_000, { ...DEFAULT_OPTIONS, continuationJumps: false }],
    ] as const) {
      const { core, interp } = await both(LOOP(n), options);
      expect(core).toEqual(interp);
      expect((core as { effects: unknown[] }).effects).toHaveLength(n);
    }
  }, 600_000);

  it('a continuation run by the host (settleEffects off: every continuation through rt_call) jumps too and agrees', async () => {
    const { core, interp } = await both(LOOP(300), { ...DEFAULT_OPTIONS, settleEffects: false });
    expect(core).toEqual(interp);
  }, 300_000);

  it("a tail call's quiet Int arguments that read the caller's parameters crosswise agree, stored from temporaries (directArguments) or not", async () => {
    const source = [
      'g :: Int -> Int -> Int',
      'g a b = if a > 100 then a * 1000 + b else g (a + b) (a - 1)',
      'f :: Int -> Int -> Int',
      'f a b = g (b * 2 + a) (a - b)',
      'h :: Int -> Int -> Effect Int',
      'h a b = do { emit a; k (b + 1) (a * 3) }',
      'k :: Int -> Int -> Effect Int',
      'k x y = if x > 5 then return (x + y) else do { emit (y - x); h y x }',
      'main :: Effect Int',
      'main = do { r <- h 1 2; emit (f r 7); return (f 3 r) }',
    ].join('\n');
    for (const options of [DEFAULT_OPTIONS, { ...DEFAULT_OPTIONS, directArguments: false }, { ...DEFAULT_OPTIONS, continuationJumps: false }]) {
      const { core, interp } = await both(source, options);
      expect(core).toEqual(interp);
    }
    const [on, off] = await compiledSizes(source, [[], ['--no-direct-arguments']]);
    expect(on!).toBeLessThan(off!);
  }, 300_000);

  it('--no-continuation-jumps reaches the code: the jump is smaller than the call it replaces', async () => {
    const [on, off] = await compiledSizes(LOOP(3), [[], ['--no-continuation-jumps']]);
    expect(on!).toBeLessThan(off!);
  }, 60_000);
});
