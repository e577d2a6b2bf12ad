// The collector's minor collections (firmware/tel-runtime/gc.c, docs/compiler.md
// "The heap and the garbage collector", *Minor collections*): programs whose
// old objects get written to point at young ones — a list reversed in place
// across a collection (map, filter, the merge sort's reversals), `++` of a list
// longer than the heap's free room, a recursive group's boxes and closures —
// run to the interpreter's result in small heaps with minor collections on and
// off, random sizes included (fast-check); with them on some collections are
// minor, with them off none is; a live set larger than the heap is still
// E_BUDGET (heap) both ways.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { openCoprocessor, runImage, type Coprocessor } from '../../host/coprocessor/backend.js';
import { BOARD_RAM_BYTES } from '../../host/riscv/iss.js';
import { compileSource } from '../../host/compiler/compile.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseProgram } from '../../host/tel/parser.js';
import { SOURCE } from '../../bench/tel.bench.js';
import { TOO_BIG } from '../helpers/heap-programs.js';

const BUDGET = 2_000_000_000;

let iss: Coprocessor;
beforeAll(async () => {
  iss = await openCoprocessor('iss', undefined, { ramBytes: BOARD_RAM_BYTES });
});
afterAll(async () => {
  await iss.close();
});

/** Reads a runtime word by symbol. */
async function runtimeWord(symbols: ReadonlyMap<string, number>, symbol: string): Promise<number> {
  const bytes = await iss.client.readMemory(symbols.get(symbol)!, 4);
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
}

interface Outcome {
  readonly value: string | null;
  readonly error: string | null;
}

/** Runs `source` on the ISS with its heap capped at `heapBytes`; its collections and how many were minor (gc.c rt_gc_count, rt_gc_minors). */
async function onCore(source: string, heapBytes: number, minorCollections: boolean): Promise<Outcome & { collections: number; minors: number }> {
  const { image } = compileSource(source, 'gc.tel', 'main');
  const r = await runImage(iss, image, [], { budget: BUDGET, heapBytes, minorCollections });
  return {
    value: r.shown,
    error: r.error?.code ?? null,
    collections: await runtimeWord(image.symbols, 'rt_gc_count'),
    minors: await runtimeWord(image.symbols, 'rt_gc_minors'),
  };
}

/** The interpreter's result and the core's agree with minor collections on and off; off, the core collected at least `minCollections` times, on at least `minMinors` of its collections were minor. */
async function agrees(source: string, heapBytes: number, minMinors: number, minCollections = 1): Promise<void> {
  const r = runMain(loadProgram(parseProgram(source, 'gc.tel')), 'main', [], {});
  const reference: Outcome = { value: r.shown, error: r.error?.code ?? null };
  const on = await onCore(source, heapBytes, true);
  const off = await onCore(source, heapBytes, false);
  expect({ value: on.value, error: on.error }).toEqual(reference);
  expect({ value: off.value, error: off.error }).toEqual(reference);
  expect(on.minors).toBeGreaterThanOrEqual(minMinors);
  expect(off.minors).toBe(0);
  expect(off.collections).toBeGreaterThanOrEqual(minCollections);
}

/** A merge sort of `n` pseudo-random Ints (the bench's, examples/fib.tel's, from `seed`): its merge and take build lists backwards and reverse them in place, across collections. */
const SEEDED = 'go n 12345 []';
if (!SOURCE.includes(SEEDED)) throw new Error(`the bench's merge sort no longer starts its pseudo-random list with ${SEEDED}`);
const SORT = (n: number, seed: number): string => `${SOURCE.replace(SEEDED, `go n ${seed} []`)}
ordered :: [Int] -> Bool
ordered (a:b:rest) = a <= b && ordered (b : rest)
ordered _ = True

main :: (Bool, Int, [Int])
main = let ys = sort (pseudoRandom ${n}) in (ordered ys, length ys, take 5 ys)
`;

/** A live list rebuilt by map and filter (which reverse what they build in place) while an old list stays live. */
const MAP_FILTER = (n: number, rounds: number): string => `
step :: [Int] -> [Int]
step xs = filter (\\x -> x \`mod\` 97 /= 0) (map (\\x -> (x * 7 + 3) \`mod\` 1000) xs)

rounds :: Int -> [Int] -> [Int]
rounds 0 xs = xs
rounds k xs = rounds (k - 1) (step xs)

main :: (Int, Int, Int)
main = let old = range 1 ${n} in let ys = rounds ${rounds} (range 1 ${n}) in (length ys, sum ys, sum old)
`;

/**
 * `++` copying a list of `n` cells while the old list stays live: a collection in the middle of a copy makes its first
 * cells old, which then point to the cells copied after it (runtime.c rt_append); the copy stays live while short
 * lists are made and dropped, and is summed after (without the barrier a minor collection freed its young cells).
 */
const APPEND = (n: number, rounds: number): string => `
churn :: Int -> Int -> Int
churn 0 acc = acc
churn k acc = churn (k - 1) (acc + length (range 1 20))

rounds :: Int -> [Int] -> Int -> Int
rounds 0 xs acc = acc
rounds k xs acc = let ys = xs ++ [k] in let c = churn 30 0 in rounds (k - 1) xs (acc + c + sum ys)

main :: Int
main = rounds ${rounds} (range 1 ${n}) 0
`;

/** A recursive group's box and closures, made again and again while collections happen. */
const GROUPS = `
counter :: Int -> (Int -> Int)
counter k =
  let step x = if x == 0 then total else step (x - 1)
      total = if k < 0 then step 0 else k * 3
  in step

twins :: Int -> Int
twins k =
  let even n = if n == 0 then k else odd (n - 1)
      odd n = if n == 0 then 0 - k else even (n - 1)
  in even (k \`mod\` 5) + length (range 1 20)

main :: (Int, Int)
main = let fs = map counter (range 1 150) in (sum (map (\\f -> f 3) fs), sum (map twins (range 1 400)))
`;

describe('minor collections', () => {
  it('a merge sort whose lists are reversed in place across collections', () => agrees(SORT(400, 12345), 24 * 1024, 2), 60_000);
  it('map and filter over a list rebuilt while an old one stays live', () => agrees(MAP_FILTER(200, 30), 16 * 1024, 2), 60_000);
  it('++ of lists that collect while they are copied', () => agrees(APPEND(300, 30), 16 * 1024, 2), 60_000);
  // every evaluation of a group that is not static writes into its box or closures after an allocation: the next
  // collection is major (the barrier), and here one comes between any two collections
  it("a recursive group's boxes and closures", () => agrees(GROUPS, 32 * 1024, 0, 3), 60_000);
  it('random sizes and heaps (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 50, max: 400 }), fc.integer({ min: 1, max: 99999 }), fc.integer({ min: 0, max: 16 }), async (n, seed, more) => {
        // heaps that hold the live data: 24 KiB or more for 400 Ints' sort, 32 KiB for 400 through map and filter
        await agrees(SORT(n, seed), (24 + more) * 1024, 0, 0);
        await agrees(MAP_FILTER(n, 8), (32 + more) * 1024, 0, 0);
      }),
      { numRuns: 6 },
    );
  }, 240_000);
  it('a live set larger than the heap is E_BUDGET (heap) with minor collections on and off', async () => {
    for (const minor of [true, false]) {
      const got = await onCore(TOO_BIG, 48 * 1024, minor);
      expect({ minor, error: got.error }).toEqual({ minor, error: 'E_BUDGET' });
    }
  }, 60_000);
});
