// Allocation at the site (CodegenOptions.inlineAlloc, host/compiler/inline-alloc.ts): the allocator state's offsets
// the code uses are the runtime's (tel.h); programs that allocate from the heap's top, from the free lists after
// collections (the board's RAM), with an odd header, closures and fused binds, and one whose live data outgrow the heap
// (E_BUDGET) give the interpreter's value or error with the option on and off, for random list sizes too
// (fast-check); the profiler counts the same bytes allocated either way; it costs fewer cycles;
// `cax compile --no-inline-alloc` turns it off. Objects bigger than the free lists' sizes (a loop's tuple of nine
// Ints, an effect loop's 80-byte chunk of a bind, its effect and its continuation) are taken from the top in line,
// with the same values and effects, collecting on the board, and fewer cycles.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { openCoprocessor, runImage, type Coprocessor } from '../../host/coprocessor/backend.js';
import { DEFAULT_OPTIONS, type CodegenOptions } from '../../host/compiler/codegen.js';
import { compileSource } from '../../host/compiler/compile.js';
import { ALLOC_STATE } from '../../host/compiler/layout.js';
import { profileCompiled } from '../../host/profile/profile-compiled.js';
import { BOARD_RAM_BYTES } from '../../host/riscv/iss.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseProgram } from '../../host/tel/parser.js';
import { MemoryWorld } from '../../host/tel/world.js';
import { compiledSizes } from '../helpers/compiled-sizes.js';
import { SOURCE } from '../../bench/tel.bench.js';

const BUDGET = 2_000_000_000;
const OFF: Partial<CodegenOptions> = { inlineAlloc: false };

let board: Coprocessor;
beforeAll(async () => {
  // the board's RAM: a small heap, so that objects come from the free lists after the first collection
  board = await openCoprocessor('iss', undefined, { ramBytes: BOARD_RAM_BYTES });
});
afterAll(async () => {
  await board.close();
});

/** Runs `source` on the board with the options of DEFAULT_OPTIONS less `off`; `minorCollections`: RunImageOptions'. */
async function onCore(
  source: string,
  off: Partial<CodegenOptions>,
  minorCollections = true,
): Promise<{ value: string | null; error: string | null; message: string | null; cycles: number; collections: number }> {
  const { image } = compileSource(source, 't.tel', 'main', { ...DEFAULT_OPTIONS, ...off });
  const r = await runImage(board, image, [], { budget: BUDGET, minorCollections });
  const count = await board.client.readMemory(image.symbols.get('rt_gc_count')!, 4);
  return {
    value: r.shown,
    error: r.error?.code ?? null,
    message: r.error?.message ?? null,
    cycles: r.cycles,
    collections: new DataView(count.buffer, count.byteOffset, 4).getUint32(0, true),
  };
}

/** The interpreter's value or error, with the option on and off; the core's collections with it on. */
async function agrees(source: string): Promise<{ collections: number; error: string | null }> {
  const reference = runMain(loadProgram(parseProgram(source, 't.tel')), 'main', []);
  const expected = { value: reference.shown, error: reference.error?.code ?? null };
  const on = await onCore(source, {});
  expect(on).toMatchObject(expected);
  expect(await onCore(source, OFF)).toMatchObject(expected);
  return on;
}

const MERGE_SORT = `${SOURCE}
main :: Int
main = sum (sort (pseudoRandom 1000))
`;

/** Cells, tuples of three (an odd header word: 28 bytes in a chunk of 32), closures capturing variables, and a list of them applied. */
const SHAPES = (n: number): string => `
triples :: Int -> [(Int, Int, Int)]
triples n = map (\\k -> (k, k * 2, k * 3)) (range 1 n)

adders :: Int -> [Int -> Int]
adders n = map (\\k -> \\x -> x + k) (range 1 n)

tsum :: Int -> (Int, Int, Int) -> Int
tsum a (x, y, z) = a + x + y + z

churn :: Int -> Int -> Int
churn 0 acc = acc
churn k acc = churn (k - 1) (acc + foldl tsum 0 (triples 30) + foldl (\\a f -> f a) 0 (adders 20))

main :: Int
main = churn ${n} 0
`;

describe('allocation at the site', () => {
  it("reads the allocator's state at the runtime's offsets (tel.h)", () => {
    const h = readFileSync('firmware/tel-runtime/tel.h', 'utf8');
    const define = (name: string): number => Number(new RegExp(`#define ${name} (\\d+)`).exec(h)![1]);
    expect(ALLOC_STATE).toEqual({
      classes: define('ALLOC_CLASSES'),
      freeLists: define('ALLOC_FREE_LISTS'),
      topEnd: define('ALLOC_TOP_END'),
      hp: define('ALLOC_HP'),
      startsAt: define('ALLOC_STARTS_AT'),
      usedAt: define('ALLOC_USED_AT'),
      marksAt: define('ALLOC_MARKS_AT'),
      dirty: define('ALLOC_DIRTY'),
      remembered: define('ALLOC_REMEMBERED'),
      rememberedEnd: define('ALLOC_REMEMBERED_END'),
      sweptTo: define('ALLOC_SWEPT_TO'),
    });
  });

  it('the merge sort agrees on and off, collecting on the board, and costs fewer cycles on', async () => {
    const on = await agrees(MERGE_SORT);
    expect(on.collections).toBeGreaterThanOrEqual(3);
    // the cycles without minor collections (gc.c): the two images differ in size, so do their heaps, and with minor
    // collections which collection is major follows the heap's free room, a schedule whose changes outweigh the sites'
    expect((await onCore(MERGE_SORT, {}, false)).cycles).toBeLessThan((await onCore(MERGE_SORT, OFF, false)).cycles);
  }, 120_000);

  it('tuples with an odd header, capturing closures and random amounts of garbage agree on and off (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 120 }), async (n) => {
        await agrees(SHAPES(n));
      }),
      { numRuns: 6 },
    );
    expect((await agrees(SHAPES(200))).collections).toBeGreaterThanOrEqual(1);
  }, 240_000);

  it('live data that outgrow the heap end with E_BUDGET (heap) on and off', async () => {
    const source = 'main :: Int\nmain = length (range 1 20000) + length (reverse (range 1 20000))\n';
    const on = await onCore(source, {});
    expect(on).toMatchObject({ error: 'E_BUDGET', message: 'the co-processor heap is exhausted' });
    expect(await onCore(source, OFF)).toMatchObject({ error: on.error, message: on.message });
  }, 120_000);

  it('the profiler counts the same bytes allocated on and off', async () => {
    const program = parseProgram(`${SOURCE}\nmain :: Int\nmain = sum (sort (pseudoRandom 200))\n`, 't.tel');
    const bytes = async (off: Partial<CodegenOptions>): Promise<number> => {
      const p = await profileCompiled({ program, main: 'main', args: [], options: { ...DEFAULT_OPTIONS, ...off } });
      return p.frames.reduce((n, f) => n + f.alloc, 0);
    };
    const on = await bytes({});
    expect(on).toBeGreaterThan(200 * 16);
    expect(on).toBe(await bytes(OFF));
  }, 120_000);

  it('tuples of nine Ints (80 bytes: no free list of the size) built in a loop agree on and off, collecting on the board', async () => {
    const source = [
      'nine :: (Int, Int, Int, Int, Int, Int, Int, Int, Int) -> Int',
      'nine (a, b, c, d, e, f, g, h, i) = a + b + c + d + e + f + g + h + i',
      'churn :: Int -> Int -> Int',
      'churn 0 acc = acc',
      'churn k acc = churn (k - 1) (acc + nine (k, k + 1, k + 2, k + 3, k + 4, k + 5, k + 6, k + 7, k * 2))',
      'main :: Int',
      'main = churn 3000 0',
    ].join('\n');
    expect((await agrees(source)).collections).toBeGreaterThanOrEqual(1);
    expect((await onCore(source, {}, false)).cycles).toBeLessThan((await onCore(source, OFF, false)).cycles);
  }, 120_000);

  it("an effect loop's chunks of 80 bytes (a bind whose continuation calls its function again) are taken in line, with the interpreter's values and effects", async () => {
    const source = (n: number): string =>
      `loop :: Int -> Int -> Effect Int\nloop n acc = if n == 0 then return acc else do { x <- return n; emit x; loop (n - 1) (acc + x) }\nmain :: Effect Int\nmain = loop ${n} 0`;
    const reference = runMain(loadProgram(parseProgram(source(3000), 't.tel')), 'main', [], { handlers: new MemoryWorld({}), start: 0 });
    const cycles: number[] = [];
    for (const off of [{}, OFF]) {
      const { image } = compileSource(source(3000), 't.tel', 'main', { ...DEFAULT_OPTIONS, ...off });
      const r = await runImage(board, image, [], { budget: BUDGET, start: 0, effects: { handlers: new MemoryWorld({}), owner: null } });
      expect({ value: r.shown, error: r.error?.code ?? null, effects: r.effects }).toEqual({ value: reference.shown, error: null, effects: reference.effects });
      cycles.push(r.cycles);
      // 3,000 chunks of 80 bytes: more than the board's heap holds, so collections free them
      const count = await board.client.readMemory(image.symbols.get('rt_gc_count')!, 4);
      expect(new DataView(count.buffer, count.byteOffset, 4).getUint32(0, true)).toBeGreaterThanOrEqual(1);
    }
    expect(cycles[0]).toBeLessThan(cycles[1]!);
    const sizes = await compiledSizes(source(10), [[], ['--no-inline-alloc']]);
    expect(sizes[0]).toBeGreaterThan(sizes[1]!);
  }, 120_000);

  it('cax compile --no-inline-alloc turns it off', async () => {
    const sizes = await compiledSizes(MERGE_SORT, [[], ['--no-inline-alloc']]);
    expect(sizes[0]).toBeGreaterThan(sizes[1]!);
  }, 60_000);
});
