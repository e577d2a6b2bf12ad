// The co-processor's RAM (issue 24 item 9): the simulated SoC and the ISS
// have 4 MiB, the board 128 KiB, and the runtime sizes its stack (a quarter
// of the RAM above the program base) and heap by the SoC's RAM_SIZE
// register. Non-tail recursion 10,000 deep and a merge sort of 10,000 Ints
// agree with the interpreter on the ISS, the recursion on the simulated core
// too; with the board's RAM both end with E_BUDGET, never a wrong value.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { openCoprocessor, runImage, type Coprocessor } from '../../host/coprocessor/backend.js';
import { compileSource } from '../../host/compiler/compile.js';
import { BOARD_RAM_BYTES } from '../../host/riscv/iss.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseProgram } from '../../host/tel/parser.js';

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
