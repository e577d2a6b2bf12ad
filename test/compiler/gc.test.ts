// The co-processor's garbage collector (firmware/tel-runtime/gc.c):
// programs that allocate many times the heap with a small live set run to
// the interpreter's result on the ISS (and one on the sim), with the
// collector counted running; long lists, deep structures, Text from `show`
// and closures survive collections intact, also random live structures
// (fast-check); a live set larger than the heap
// is still a clean E_BUDGET; effect programs whose continuations collect
// still agree with the interpreter on value, effect log and clock; the heap's
// floor at each of the 32 granules of a bitmap word (gc.c bitmap_base); a
// stale word in a compiled frame (a slot not written yet) keeps nothing alive
// (the frame maps, gc.c mark_frames).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { openCoprocessor, runImage, type Coprocessor } from '../../host/coprocessor/backend.js';
import { BOARD_RAM_BYTES } from '../../host/riscv/iss.js';
import { compileSource } from '../../host/compiler/compile.js';
import { loadRuntime } from '../../host/compiler/link.js';
import { RUNTIME_PARTS } from '../../host/artefacts.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseProgram } from '../../host/tel/parser.js';
import { parseWorld } from '../../host/tel/world.js';
import { TOO_BIG } from '../helpers/heap-programs.js';

const BUDGET = 2_000_000_000;
const SIM_TIMEOUT = 300_000;
/** The simulated SoC's heap, capped as small as the board's so that a short run collects (RunImageOptions.heapBytes). */
const SIM_HEAP_BYTES = 48 * 1024;

let iss: Coprocessor;
beforeAll(async () => {
  // the board's RAM: a small heap, so that the collector runs often
  iss = await openCoprocessor('iss', undefined, { ramBytes: BOARD_RAM_BYTES });
});
afterAll(async () => {
  await iss.close();
});

interface Outcome {
  readonly value: string | null;
  readonly error: string | null;
  readonly clock: number;
  readonly effects: string;
}

function interpret(source: string, world?: unknown): Outcome {
  const r = runMain(loadProgram(parseProgram(source, 'gc.tel')), 'main', [], world === undefined ? {} : { world: parseWorld(world) });
  return { value: r.shown, error: r.error?.code ?? null, clock: r.clock, effects: JSON.stringify(r.effects) };
}

/** Runs `source` on `cop`; also the number of collections of its last run on the core (gc.c rt_gc_count). */
async function onCore(cop: Coprocessor, source: string, world?: unknown, heapBytes?: number): Promise<Outcome & { collections: number; cycles: number }> {
  const { image } = compileSource(source, 'gc.tel', 'main');
  const r = await runImage(cop, image, [], { budget: BUDGET, ...(world === undefined ? {} : { world: parseWorld(world) }), ...(heapBytes === undefined ? {} : { heapBytes }) });
  const count = await cop.client.readMemory(image.symbols.get('rt_gc_count')!, 4);
  return {
    value: r.shown,
    error: r.error?.code ?? null,
    clock: r.clock,
    effects: JSON.stringify(r.effects),
    collections: new DataView(count.buffer, count.byteOffset, 4).getUint32(0, true),
    cycles: r.cycles,
  };
}

/** The interpreter's outcome and the core's agree; the core (its heap capped at `heapBytes`, if given) collected at least `minCollections` times. */
async function agrees(source: string, minCollections: number, cop: Coprocessor = iss, world?: unknown, heapBytes?: number): Promise<void> {
  const reference = interpret(source, world);
  expect(reference.error).toBeNull();
  const got = await onCore(cop, source, world, heapBytes);
  expect({ value: got.value, error: got.error, clock: got.clock, effects: got.effects }).toEqual(reference);
  expect(got.collections).toBeGreaterThanOrEqual(minCollections);
}

/** About 40 KB of short lists. */
const SHORT_CHURN = `
churn :: Int -> Int -> Int
churn 0 acc = acc
churn k acc = churn (k - 1) (acc + sum (map (\\x -> x * k) (range 1 20)))
`;

/** About 4 MB of short lists (70 times the heap), at most one of them live. */
const CHURN = `
churn :: Int -> Int -> Int
churn 0 acc = acc
churn k acc = churn (k - 1) (acc + sum (map (\\x -> x * k) (range 1 20)))

main :: Int
main = churn 8000 0
`;

/** A 600-element list kept live across collections, rebuilt 40 times (map reverses its own cells in place: half the garbage it made before). */
const LONG_LIST = `
step :: [Int] -> [Int]
step xs = map (\\x -> (x * 7 + 3) \`mod\` 1000) xs

rounds :: Int -> [Int] -> [Int]
rounds 0 xs = xs
rounds k xs = rounds (k - 1) (step xs)

main :: (Int, Int, [Int])
main = let ys = rounds 40 (range 1 600) in (length ys, sum ys, take 10 (drop 2990 ys))
`;

/** A balanced tree of tuples, nested lists, Text and closures kept while garbage is made around them. */
const DEEP = `
build :: Int -> Int -> (Int, [Int], Text)
build 0 n = (n, [n, n + 1], show n)
build d n = let l = build (d - 1) (2 * n) in let r = build (d - 1) (2 * n + 1) in
  (fst3 l + fst3 r, snd3 l ++ snd3 r, "(" ++ thd3 l ++ "," ++ thd3 r ++ ")")

fst3 :: (Int, [Int], Text) -> Int
fst3 (a, _, _) = a
snd3 :: (Int, [Int], Text) -> [Int]
snd3 (_, b, _) = b
thd3 :: (Int, [Int], Text) -> Text
thd3 (_, _, c) = c

adders :: Int -> [Int -> Int]
adders n = map (\\k -> \\x -> x + k) (range 1 n)

garbage :: Int -> Int -> Int
garbage 0 acc = acc
garbage k acc = garbage (k - 1) (acc + length (reverse (range 1 50)))

main :: (Int, Int, Text, Int, Int)
main =
  let t = build 8 1 in
  let fs = adders 200 in
  let g = garbage 1500 0 in
  (fst3 t, sum (snd3 t), thd3 t, foldl (\\acc f -> f acc) 0 fs, g)
`;

describe('garbage collection on the ISS', () => {
  it('runs a program allocating 70 times the heap with a small live set', () => agrees(CHURN, 20));
  it('keeps a long list intact across collections', () => agrees(LONG_LIST, 5));
  it('keeps deep structures, Text and closures intact across collections', () => agrees(DEEP, 2));
  it('sorts 1000 numbers (examples/fib.tel) like the interpreter', async () => {
    const { readFileSync } = await import('node:fs');
    await agrees(readFileSync('examples/fib.tel', 'utf8'), 1);
  });
  it('keeps the box a closure captures of a recursive binding group (its reference is no immediate)', () =>
    agrees(
      `
counter :: Int -> (Int -> Int)
counter k =
  let step x = if x == 0 then total else step (x - 1)
      total = if k < 0 then step 0 else k * 3
  in step

churn :: Int -> Double -> Double
churn 0 acc = acc
churn n acc = churn (n - 1) (acc + toDouble n * 0.5)

main :: (Int, Double)
main = let fs = map counter (range 1 300) in let d = churn 20000 0.0 in (sum (map (\\f -> f 3) fs), d)
`,
      5,
    ));
  it('collects with the heap floor at each granule of a bitmap word (main Text argument, below it, stays intact)', async () => {
    // the argument's length moves the floor 8 bytes a step: the bitmaps start at the floor rounded down to 256 bytes
    // (gc.c bitmap_base), and main's frame points below the floor, at the argument
    const churned = Number(interpret(`${SHORT_CHURN}\nmain :: Int\nmain = churn 60 0`).value);
    const { image } = compileSource(`${SHORT_CHURN}\nmain :: Text -> Int\nmain s = churn 60 0 + textLength s`, 'gc.tel', 'main');
    for (let step = 0; step < 32; step++) {
      const text = 'x'.repeat(8 * step);
      const r = await runImage(iss, image, [text], { budget: BUDGET, heapBytes: 8 * 1024 });
      const count = await iss.client.readMemory(image.symbols.get('rt_gc_count')!, 4);
      expect({ step, shown: r.shown, error: r.error?.code ?? null }).toEqual({ step, shown: String(churned + text.length), error: null });
      expect(new DataView(count.buffer, count.byteOffset, 4).getUint32(0, true)).toBeGreaterThanOrEqual(3);
    }
  });
  it('still fails with E_BUDGET (heap) when the live set is larger than the heap', async () => {
    expect(interpret(TOO_BIG).error).toBeNull();
    const got = await onCore(iss, TOO_BIG);
    expect(got.error).toBe('E_BUDGET');
    expect(got.collections).toBeGreaterThanOrEqual(1);
  });
  it('runs effect continuations that collect, with the same effect log and clock', () =>
    agrees(
      `
work :: Int -> Int
work k = sum (map (\\x -> x \`mod\` 7) (range 1 (200 + k)))

loop :: Int -> Int -> Effect Int
loop 0 acc = return acc
loop k acc = do
  emit (work k)
  t <- now
  after 1 seconds (loop (k - 1) (acc + work (k * 3) + t))

main :: Effect Int
main = loop 40 0
`,
      1,
    ));
});

/** A live list of tuples (Int, list, Text) of random size and shape kept while short lists are made and dropped. */
const livePlusGarbage = fc
  .record({
    keep: fc.integer({ min: 20, max: 150 }),
    width: fc.integer({ min: 10, max: 25 }),
    rounds: fc.integer({ min: 400, max: 600 }),
    seed: fc.integer({ min: -1000, max: 1000 }),
  })
  .map(
    ({ keep, width, rounds, seed }) => `
mk :: Int -> (Int, [Int], Text)
mk i = (i * (${seed}), range i (i + ${width} / 5), show (i - (${seed})))

churn :: Int -> Int -> Int
churn 0 acc = acc
churn k acc = churn (k - 1) (acc + length (filter (\\x -> x \`mod\` 3 == 0) (range k (k + ${width}))))

digest :: [(Int, [Int], Text)] -> Int
digest xs = foldl (\\acc t -> acc + part t) 0 xs
  where
    part (a, b, c) = a + sum b + textLength c

main :: (Int, Int, [(Int, [Int], Text)])
main = let ks = map mk (range 1 ${keep}) in let c = churn ${rounds} 0 in (digest ks, c, take 3 (reverse ks))
`,
  );

/**
 * A board-sized ISS of the enclosing describe's own, opened before its tests and closed after them: the stack words
 * earlier runs leave behind, which the conservative stack scan reads, then neither reach its tests nor come from
 * them (random programs leave different ones on every run).
 */
function ownCore(): () => Coprocessor {
  let own: Coprocessor | undefined;
  beforeAll(async () => {
    own = await openCoprocessor('iss', undefined, { ramBytes: BOARD_RAM_BYTES });
  });
  afterAll(async () => {
    await own?.close();
  });
  return () => own!;
}

describe('garbage collection on the ISS, random live sets', () => {
  const core = ownCore();
  it('a random live structure survives the collections of the garbage around it', async () => {
    await fc.assert(
      fc.asyncProperty(livePlusGarbage, (source) => agrees(source, 1, core())),
      { numRuns: 4 },
    );
  }, 120_000);
});

describe('garbage collection on the sim', () => {
  let sim: Coprocessor;
  beforeAll(async () => {
    sim = await openCoprocessor('sim');
  }, SIM_TIMEOUT);
  afterAll(async () => {
    await sim.close();
  });
  it(
    "runs a churning program to the interpreter's result",
    () =>
      agrees(
        `
churn :: Int -> Int -> Int
churn 0 acc = acc
churn k acc = churn (k - 1) (acc + sum (range k (k + 30)))

main :: Int
main = churn 400 0
`,
        1,
        sim,
        undefined,
        SIM_HEAP_BYTES,
      ),
    SIM_TIMEOUT,
  );
});

/** Reads a runtime word of `cop`'s memory by symbol (plus a byte offset). */
async function runtimeWord(cop: Coprocessor, symbols: ReadonlyMap<string, number>, symbol: string, offset = 0): Promise<number> {
  const bytes = await cop.client.readMemory(symbols.get(symbol)! + offset, 4);
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
}

/** `count` Ints from `base` by steps of `stride` kept live while short lists are made and dropped around them. */
const INTS_KEPT_WHILE_CHURNING = (count: number, stride: number): string => `
ints :: Int -> [Int]
ints base = map (\\k -> base + ${stride} * k) (range 1 ${count})

churn :: Int -> Int -> Int
churn 0 acc = acc
churn k acc = churn (k - 1) (acc + length (reverse (range 1 40)))

main :: Int -> Int
main base = let ks = ints base in let c = churn 400 0 in c + length ks + sum ks
`;

describe('the collector is precise inside the heap', () => {
  const core = ownCore();
  /** Runs the program with `base`; its collections and the bytes the last one kept (gc.c rt_gc_count, rt_gc_live), and the heap's floor. */
  async function live(source: string, base: number): Promise<{ collections: number; liveBytes: number; floor: number; value: string | null }> {
    const { image } = compileSource(source, 'gc.tel', 'main');
    const r = await runImage(core(), image, [base], { budget: BUDGET });
    expect(r.error).toBeNull();
    return {
      value: r.shown,
      collections: await runtimeWord(core(), image.symbols, 'rt_gc_count'),
      liveBytes: await runtimeWord(core(), image.symbols, 'rt_gc_live'),
      floor: await runtimeWord(core(), image.symbols, 'rt_alloc_state', 68), // ALLOC_FLOOR (tel.h)
    };
  }

  it('an Int field that equals the address of garbage does not keep it alive', async () => {
    // 1000 Ints, one every 48 bytes over the heap: read as pointers they would hit most of the garbage lists made
    // while they are live, and each list hit would be kept whole
    const source = INTS_KEPT_WHILE_CHURNING(1000, 48);
    const probe = await live(source, 7);
    expect(probe.collections).toBeGreaterThanOrEqual(3);
    const addresses = await live(source, (probe.floor - 48) | 0); // the Ints from the heap's floor on
    // read as pointers (the conservative collector before 6 Dec did) they kept so much garbage that the run ended
    // with E_BUDGET (heap); now only the stack is scanned conservatively, and what stale Ints in its frames keep
    // (the frames of `map` left below `churn`'s) stays under 4 KiB
    expect(addresses.liveBytes).toBeLessThan(probe.liveBytes + 4096);
    // and the Ints are what the program computed with
    expect(addresses.value).toBe(String((400 * 40 + 1000 + Math.imul(1000, (probe.floor - 48) | 0) + 48 * 500_500) | 0));
  });
});

/**
 * `keep n` leaves a pointer to its list of `n` Ints in its `let` slot; `later`, called next from the same frame of
 * `main`, takes the same slot for its `let` before computing the value, and collects while it does: the stale word
 * is in a live frame. Scanned conservatively (before the frame maps) it kept the whole list alive.
 */
const STALE_SLOT = `
keep :: Int -> Int
keep 0 = 0
keep n = let xs = range 1 n in length xs + sum xs

churn :: Int -> Int -> Int
churn 0 acc = acc
churn k acc = churn (k - 1) (acc + length (reverse (range 1 40)))

later :: Int -> Int
later 0 = 0
later k = let c = churn k 0 in c + k

main :: Int -> Int
main n = keep n + later 400
`;

describe('the collector marks compiled frames by their frame maps', () => {
  it('a stale stack word pointing at garbage does not keep it alive', async () => {
    const run = async (n: number): Promise<{ value: string | null; collections: number; liveBytes: number }> => {
      const { image } = compileSource(STALE_SLOT, 'gc.tel', 'main');
      const r = await runImage(iss, image, [n], { budget: BUDGET });
      expect(r.error).toBeNull();
      return { value: r.shown, collections: await runtimeWord(iss, image.symbols, 'rt_gc_count'), liveBytes: await runtimeWord(iss, image.symbols, 'rt_gc_live') };
    };
    const without = await run(1);
    const stale = await run(1000);
    expect(without.collections).toBeGreaterThanOrEqual(3);
    expect(stale.value).toBe(String(1000 + 500_500 + 400 * 40 + 400));
    // the list is 16,000 bytes of cells, which the conservative scan kept whole; the runtime's C frames below the
    // compiled ones are still scanned conservatively, and a stale word in one of them may keep a few cells
    expect(stale.liveBytes).toBeLessThan(without.liveBytes + 4096);
  });

  it('zeroes the whole frames of the C functions entered through a zeroing stub (every build of the runtime)', async () => {
    // rt_alloc_slow and rt_apply (entry.S) zero the bytes below sp that tel.h names; the C functions must take no more
    const { readFileSync } = await import('node:fs');
    const header = readFileSync('firmware/tel-runtime/tel.h', 'utf8');
    const size = (name: string): number => Number(new RegExp(`#define ${name} (\\d+)`).exec(header)![1]);
    const sets = RUNTIME_PARTS.reduce<(typeof RUNTIME_PARTS)[number][][]>((all, part) => [...all, ...all.map((set) => [...set, part])], [[]]);
    for (const set of sets) {
      const rt = loadRuntime(new Set(set));
      for (const [fn, frame] of [
        ['rt_alloc_slow_c', size('ALLOC_SLOW_FRAME')],
        ['rt_apply_c', size('APPLY_FRAME')],
      ] as const) {
        const at = rt.symbols.get(fn)!;
        const seg = rt.segments.find((s) => s.vaddr <= at && at < s.vaddr + s.data.length)!;
        const word = new DataView(seg.data.buffer, seg.data.byteOffset).getUint32(at - seg.vaddr, true);
        // addi sp, sp, -frame: opcode 0x13, rd = rs1 = sp (2), funct3 0, the immediate in the top 12 bits
        expect({ fn, op: word & 0xfffff, imm: word >> 20 }).toEqual({ fn, op: 0x10113, imm: -frame });
      }
    }
  });
});
