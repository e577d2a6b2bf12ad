// Failures on the co-processor are TEL errors with the source span of the
// failing construct: E_DIV_ZERO (RISC-V does not trap on it), E_MATCH,
// E_EMPTY, and E_BUDGET for the cycle budget, the heap and the stack.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openCoprocessor, runImage, type Coprocessor } from '../../host/coprocessor/backend.js';
import { BOARD_RAM_BYTES } from '../../host/riscv/iss.js';
import { compileSource } from '../../host/compiler/compile.js';
import { Dbl, NIL, Cons, Tuple } from '../../host/tel/values.js';

let cop: Coprocessor;
beforeAll(async () => {
  // the board's RAM: its limits are the ones these errors are about
  cop = await openCoprocessor('iss', undefined, { ramBytes: BOARD_RAM_BYTES });
});
afterAll(async () => {
  await cop.close();
});

async function run(source: string, args: Parameters<typeof runImage>[2] = [], budget = 10_000_000) {
  return runImage(cop, compileSource(source, 'e.tel', 'main').image, args, { budget });
}

describe('errors on the co-processor', () => {
  it('division by zero is E_DIV_ZERO at the operator', async () => {
    const r = await run('main :: Int -> Int\nmain d = 10 / d', [0]);
    expect(r.error?.code).toBe('E_DIV_ZERO');
    expect(r.error?.span).toMatchObject({ file: 'e.tel', line: 2, col: 10 });
  });
  it('no matching clause is E_MATCH, head [] is E_EMPTY', async () => {
    expect((await run('f :: Int -> Int\nf 1 = 2\nmain = f 3')).error?.code).toBe('E_MATCH');
    expect((await run('main :: Int\nmain = head []')).error?.code).toBe('E_EMPTY');
  });
  it('a constant whose computation failed is computed again by the next run of the image (not E_CYCLE)', async () => {
    const image = compileSource('c :: Int\nc = head []\nmain :: Int\nmain = c + 1', 'e.tel', 'main').image;
    for (let i = 0; i < 2; i++) expect((await runImage(cop, image, [], { budget: 10_000_000 })).error).toMatchObject({ code: 'E_EMPTY' });
  });
  it('an endless loop ends with E_BUDGET on the core', async () => {
    const r = await run('loop :: Int -> Int\nloop n = loop (n + 1)\nmain = loop 0', [], 200_000);
    expect(r.error?.code).toBe('E_BUDGET');
    expect(r.cycles).toBeGreaterThanOrEqual(200_000);
  });
  it('deep recursion and unbounded allocation are E_BUDGET, not corruption', async () => {
    expect((await run('deep :: Int -> Int\ndeep n = if n == 0 then 0 else 1 + deep (n - 1)\nmain = deep 100000')).error?.message).toMatch(/stack/);
    expect((await run('grow :: [Int] -> Int -> [Int]\ngrow acc n = grow (n : acc) (n + 1)\nmain = length (grow [] 0)', [], 100_000_000)).error?.message).toMatch(/heap/);
  });
  it('large literals compile and run, or fail with E_BUDGET/E_UNSUPPORTED naming the limit (never RangeError or E_ADDRESS)', async () => {
    expect((await run(`main :: Int\nmain = textLength "${'a'.repeat(50_000)}"`)).shown).toBe('50000');
    for (const n of [100_000, 500_000]) {
      const image = compileSource(`main :: Text\nmain = "${'a'.repeat(n)}"`, 'e.tel', 'main').image;
      await expect(runImage(cop, image, [], { budget: 10_000_000 })).rejects.toMatchObject({ code: 'E_BUDGET', message: expect.stringMatching(/bytes of RAM/) });
    }
    const items = (f: (i: number) => string): string => Array.from({ length: 20_000 }, (_, i) => f(i)).join(', ');
    expect(() => compileSource(`main :: [Int]\nmain = [${items(String)}]`, 'e.tel', 'main')).toThrow(
      expect.objectContaining({ code: 'E_BUDGET', message: expect.stringMatching(/outgrew \d+ words/) }),
    );
    expect(() => compileSource(`main :: [Int]\nmain = [${items((i) => `${i} + 1`)}]`, 'e.tel', 'main')).toThrow(
      expect.objectContaining({ code: 'E_UNSUPPORTED', message: expect.stringMatching(/bytes of frame/) }),
    );
  });
  it('arguments go in as heap objects and results come back', async () => {
    const r = await run('main :: [Int] -> (Double, Text) -> ([Int], Text, Double)\nmain xs (d, t) = (reverse xs, t ++ "!", d * 2.0)', [new Cons(1, new Cons(2, NIL)), new Tuple([new Dbl(0.1), 'hé'])]);
    expect(r.shown).toBe('([2,1],"hé!",0.2)');
  });
});
