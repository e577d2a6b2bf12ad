// The co-processor's RAM (issue 24 item 9): the simulated SoC and the ISS
// have 4 MiB, the board 128 KiB, and the runtime sizes its stack (a quarter
// of the RAM above the program base) and heap by the SoC's RAM_SIZE
// register. Non-tail recursion 10,000 deep and a merge sort of 10,000 Ints
// agree with the interpreter on the ISS, the recursion on the simulated core
// too; with the board's RAM both end with E_BUDGET, never a wrong value.
// Each image links the runtime's build with only the optional parts its code
// can reach (Doubles, hashOf, show), so the others leave the board's heap.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { openCoprocessor, runImage, type Coprocessor } from '../../host/coprocessor/backend.js';
import { compileSource } from '../../host/compiler/compile.js';
import { PROGRAM_BASE } from '../../host/compiler/layout.js';
import { loadRuntime } from '../../host/compiler/link.js';
import { BOARD_RAM_BYTES } from '../../host/riscv/iss.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseProgram } from '../../host/tel/parser.js';
import { Dbl } from '../../host/tel/values.js';

const DEEP = 'deep :: Int -> Int\ndeep n = if n == 0 then 0 else 1 + deep (n - 1)\n\nmain :: Int\nmain = deep 10000\n';
const SORT = `${readFileSync('examples/fib.tel', 'utf8').replace(/^main[\s\S]*$/m, '')}\nmain :: Bool\nmain = sortedOk 10000\n`;
const SIM_TIMEOUT = 120_000;

function interpret(source: string): string | null {
  const r = runMain(loadProgram(parseProgram(source, 'ram.tel')), 'main', []);
  expect(r.error).toBeNull();
  return r.shown;
}

async function onCore(cop: Coprocessor, source: string): Promise<{ value: string | null; error: string | null; message: string | null }> {
  const r = await runImage(cop, compileSource(source, 'ram.tel', 'main').image, [], { budget: 2_000_000_000, timeoutMs: SIM_TIMEOUT });
  return { value: r.shown, error: r.error?.code ?? null, message: r.error?.message ?? null };
}

describe("the simulated SoC's RAM (4 MiB), on the ISS", () => {
  let iss: Coprocessor;
  beforeAll(async () => {
    iss = await openCoprocessor('iss');
    expect(iss.client.info.ramBytes).toBe(4 * 1024 * 1024);
  });
  afterAll(() => iss.close());

  it("runs non-tail recursion 10,000 deep to the interpreter's value", async () => {
    expect(await onCore(iss, DEEP)).toEqual({ value: interpret(DEEP), error: null, message: null });
  });

  it("merge-sorts 10,000 Ints (examples/fib.tel) to the interpreter's value", async () => {
    expect(await onCore(iss, SORT)).toEqual({ value: interpret(SORT), error: null, message: null });
  }, 60_000);
});

describe('the simulated SoC', () => {
  let sim: Coprocessor;
  beforeAll(async () => {
    sim = await openCoprocessor('sim');
  }, SIM_TIMEOUT);
  afterAll(() => sim.close());

  it(
    'reports its 4 MiB, and runs non-tail recursion 10,000 deep as the ISS does',
    async () => {
      expect(sim.client.info.ramBytes).toBe(4 * 1024 * 1024);
      expect(await onCore(sim, DEEP)).toEqual({ value: '10000', error: null, message: null });
    },
    SIM_TIMEOUT,
  );
});

describe("the board's RAM (128 KiB), played by the ISS", () => {
  let board: Coprocessor;
  beforeAll(async () => {
    board = await openCoprocessor('iss', undefined, { ramBytes: BOARD_RAM_BYTES });
    expect(board.client.info.ramBytes).toBe(BOARD_RAM_BYTES);
  });
  afterAll(() => board.close());

  it('ends the 10,000-deep recursion with E_BUDGET (stack) and the 10,000-Int sort with E_BUDGET (heap)', async () => {
    expect(await onCore(board, DEEP)).toEqual({ value: null, error: 'E_BUDGET', message: 'the co-processor stack is exhausted' });
    expect(await onCore(board, SORT)).toEqual({ value: null, error: 'E_BUDGET', message: 'the co-processor heap is exhausted' });
  });

  it('still runs 400 frames deep and sorts 1,000 Ints', async () => {
    expect((await onCore(board, DEEP.replace('deep 10000', 'deep 400'))).value).toBe('400');
    expect((await onCore(board, SORT.replace('sortedOk 10000', 'sortedOk 1000'))).value).toBe('True');
  });
});

// The runtime is built once per set of its optional parts (Doubles, hashOf, show; mk/compiler.mk) and each image
// links the build with the parts its code can reach (host/compiler/link.ts runtimeParts): the others take no heap.
describe("the runtime's builds, on the board's RAM", () => {
  let board: Coprocessor;
  beforeAll(async () => {
    board = await openCoprocessor('iss', undefined, { ramBytes: BOARD_RAM_BYTES });
  });
  afterAll(() => board.close());

  /** An item of main's result (n: Int, x: main's second parameter) and the parts its code needs. */
  const ITEMS = {
    int: { expr: 'n * 3', type: 'Int', parts: [] },
    show: { expr: 'show (n, [n], "a")', type: 'Text', parts: ['show'] },
    hash: { expr: 'hashOf (n, "a")', type: 'Hash', parts: ['hash'] },
    literal: { expr: '2.5 * 2.0', type: 'Double', parts: ['double'] },
    toDouble: { expr: 'toDouble n', type: 'Double', parts: ['double'] },
    showX: { expr: 'show x', type: 'Text', parts: ['show'] },
    hashX: { expr: 'hashOf x', type: 'Hash', parts: ['hash'] },
  } as const;
  const span = { file: 'args', line: 1, col: 1 };

  it('links the parts the code reaches (a Double from a literal, toDouble or the host), and agrees with the interpreter', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...(Object.keys(ITEMS) as (keyof typeof ITEMS)[])), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.integer({ min: -1000, max: 1000 }),
        fc.double({ noNaN: true }),
        async (items, doubleArg, n, d) => {
          const signature = `main :: Int -> ${doubleArg ? 'Double' : 'Int'} -> (${items.map((k) => ITEMS[k].type).join(', ')}, Int)`;
          const source = `${signature}\nmain n x = (${items.map((k) => ITEMS[k].expr).join(', ')}, n)\n`;
          const { image } = compileSource(source, 'parts.tel', 'main');
          const parts = new Set<string>(items.flatMap((k) => ITEMS[k].parts));
          if (doubleArg) parts.add('double');
          expect({ show: image.symbols.has('rt_show'), hash: image.symbols.has('rt_hash_of'), double: image.symbols.has('rt_to_double') }).toEqual({
            show: parts.has('show'),
            hash: parts.has('hash'),
            double: parts.has('double'),
          });
          const x = doubleArg ? new Dbl(d) : n + 1;
          const reference = runMain(loadProgram(parseProgram(source, 'parts.tel')), 'main', [
            { tag: 'Lit', lit: { kind: 'int', value: n }, span },
            { tag: 'Lit', lit: doubleArg ? { kind: 'double', value: d } : { kind: 'int', value: n + 1 }, span },
          ]);
          const r = await runImage(board, image, [n, x], { budget: 100_000_000 });
          expect({ value: r.shown, error: r.error?.code ?? null }).toEqual({ value: reference.shown, error: null });
        },
      ),
      { numRuns: 20 },
    );
  }, 120_000);

  it('links Doubles for a main whose parameter may be one (a type variable), and shows the Double the host passes', async () => {
    const source = 'main x = show [x]\n';
    const { image } = compileSource(source, 'poly.tel', 'main');
    expect(image.symbols.has('rt_double_digits')).toBe(true);
    const r = await runImage(board, image, [new Dbl(0.1)], { budget: 100_000_000 });
    expect(r.shown).toBe(JSON.stringify('[0.1]'));
  });

  it("gives examples/fib.tel the build without any optional part: 13.5 KB more heap than the whole runtime's", async () => {
    const { image } = compileSource(SORT.replace('sortedOk 10000', 'sortedOk 1000'), 'ram.tel', 'main');
    for (const name of ['rt_show', 'rt_hash_of', 'rt_to_double', 'rt_double_digits', '__adddf3', 'sha256_update']) expect(image.symbols.has(name)).toBe(false);
    const whole = loadRuntime();
    expect(whole.symbols.get('__rt_end')! - (image.codeStart - image.base) - PROGRAM_BASE).toBeGreaterThan(13_000);
  });
});
