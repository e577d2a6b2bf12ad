// Values nested deeper than the co-processor's stack (issue 26 item 1,
// issue 24 item 11): polymorphic recursion builds them at run time, and the
// C runtime's recursive comparison and `show` walk them. A run on the core
// either agrees with the interpreter or ends with E_BUDGET (stack), never
// with a different value, a trap, or memory of the program changed (the
// stack once ran through the collector's bitmaps into live objects: a Text
// built beside the comparison came out changed, exit 0). Cases on interp,
// iss and sim; random deep structures on the ISS (fast-check).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { openCoprocessor, runImage, type Coprocessor } from '../../host/coprocessor/backend.js';
import { BOARD_RAM_BYTES } from '../../host/riscv/iss.js';
import { compileSource } from '../../host/compiler/compile.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseProgram } from '../../host/tel/parser.js';

const BUDGET = 200_000_000;
const SIM_TIMEOUT = 300_000;

let iss: Coprocessor;
beforeAll(async () => {
  // the board's RAM: a small stack, so that these depths reach its end
  iss = await openCoprocessor('iss', undefined, { ramBytes: BOARD_RAM_BYTES });
});
afterAll(async () => {
  await iss.close();
});

interface Outcome {
  readonly value: string | null;
  readonly error: string | null;
  readonly message: string | null;
}

function interpret(source: string): Outcome {
  const r = runMain(loadProgram(parseProgram(source, 'deep.tel')), 'main', []);
  return { value: r.shown, error: r.error?.code ?? null, message: r.error?.message ?? null };
}

async function onCore(cop: Coprocessor, source: string): Promise<Outcome> {
  const r = await runImage(cop, compileSource(source, 'deep.tel', 'main').image, [], { budget: BUDGET, timeoutMs: SIM_TIMEOUT });
  return { value: r.shown, error: r.error?.code ?? null, message: r.error?.message ?? null };
}

/** The core's outcome is the interpreter's, or E_BUDGET for its stack; the interpreter's is `expected`. */
async function agreesOrStack(cop: Coprocessor, source: string, expected: string): Promise<void> {
  const reference = interpret(source);
  expect(reference).toEqual({ value: expected, error: null, message: null });
  const got = await onCore(cop, source);
  if (got.error === null) expect(got.value).toBe(reference.value);
  else expect(got).toMatchObject({ value: null, error: 'E_BUDGET', message: expect.stringMatching(/stack/) });
}

/** `op` applied at the bottom of a polymorphic recursion `depth` deep, next to a Text that must come out intact. */
function attack(op: '==' | 'show', depth: number): string {
  const bottom = op === '==' ? 'x == y' : 'textLength (show x) > 0 && show x == show y';
  return [
    'attack :: Ord a => a -> a -> Int -> Bool',
    `attack x y n = if n == 0 then ${bottom} else attack [x] [y] (n - 1)`,
    'main :: Bool',
    `main = let target = show (range 1 1000) in let expected = show (range 1 1000) in attack 1 1 ${depth} && target == expected`,
  ].join('\n');
}

describe('values nested deeper than the stack', () => {
  it("a 600-deep comparison next to a Text: the interpreter's value or E_BUDGET (stack), never a changed Text (iss)", async () => {
    await agreesOrStack(iss, attack('==', 600), 'True');
  });
  it('a 650-deep show: never a trap (iss)', async () => {
    await agreesOrStack(iss, attack('show', 650), 'True');
  });
  it('shallow structures still agree exactly (iss)', async () => {
    const source = attack('show', 40);
    expect(await onCore(iss, source)).toEqual(interpret(source));
  });
  it(
    'a 600-deep comparison next to a Text on the simulated SoC',
    async () => {
      const sim = await openCoprocessor('sim');
      try {
        await agreesOrStack(sim, attack('==', 600), 'True');
      } finally {
        await sim.close();
      }
    },
    SIM_TIMEOUT,
  );

  it("random deep polymorphic structures: the interpreter's value or E_BUDGET (stack), and the beside-Text intact (iss)", async () => {
    // each level wraps both values in one of three ways (chosen by the base-3 digits of `shape`); the two sides may differ at the bottom
    const program = (depth: number, shape: number, left: number, right: number, op: '==' | '<' | 'show'): string => {
      const bottom = op === 'show' ? 'show x == show y' : `x ${op} y`;
      return [
        'build :: Ord a => a -> a -> Int -> Int -> Bool',
        `build x y s n = if n == 0 then ${bottom} else if s \`mod\` 3 == 0 then build [x] [y] (s / 3) (n - 1)`,
        '  else if s `mod` 3 == 1 then build (x, n) (y, n) (s / 3 + n) (n - 1) else build (n, [x]) (n, [y]) (s / 3 + 7 * n) (n - 1)',
        'main :: (Bool, Bool)',
        `main = let target = show (range 1 300) in let expected = show (range 1 300) in (build ${left} ${right} ${shape} ${depth}, target == expected)`,
      ].join('\n');
    };
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 900 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 2 }),
        fc.constantFrom('==' as const, '<' as const, 'show' as const),
        async (depth, shape, left, right, op) => {
          const source = program(depth, shape, left, right, op);
          const reference = interpret(source);
          expect(reference.error).toBeNull();
          const got = await onCore(iss, source);
          if (got.error === null) expect(got.value).toBe(reference.value);
          // a deep structure may as well exhaust the heap first: also a budget, never a wrong value
          else expect(got).toMatchObject({ error: 'E_BUDGET', message: expect.stringMatching(/stack|heap/) });
        },
      ),
      { numRuns: 12 },
    );
  }, 120_000);
});
