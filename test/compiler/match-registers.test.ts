// A loop's parameters matched by `[]` or a cons of variables and wildcards kept in register pairs
// (CodegenOptions.matchRegisters): loops over lists whose heads and tails are read in guards, where bindings,
// captures and Int arithmetic, passed on swapped (a cycle of moves), reused as cells in another parameter, handed to
// another function in a tail call, a loop that fails to match (E_MATCH and its span), one whose lists the collector
// sees only through the registers, and the prelude's take, drop, length and the merge sort; each against the
// interpreter with the option on and off, the merge sort with fewer cycles on, and `cax compile --no-match-registers`.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openCoprocessor, runImage, type Coprocessor } from '../../host/coprocessor/backend.js';
import { DEFAULT_OPTIONS, type CodegenOptions } from '../../host/compiler/codegen.js';
import { compileSource } from '../../host/compiler/compile.js';
import { BOARD_RAM_BYTES } from '../../host/riscv/iss.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseProgram } from '../../host/tel/parser.js';
import { compiledSizes } from '../helpers/compiled-sizes.js';
import { SOURCE } from '../../bench/tel.bench.js';

const OFF: Partial<CodegenOptions> = { matchRegisters: false };

let cop: Coprocessor;
let board: Coprocessor;
beforeAll(async () => {
  cop = await openCoprocessor('iss');
  board = await openCoprocessor('iss', undefined, { ramBytes: BOARD_RAM_BYTES });
});
afterAll(async () => {
  await cop.close();
  await board.close();
});

async function onCore(source: string, off: Partial<CodegenOptions>, on = cop): Promise<{ value: string | null; error: string | null; span: unknown; cycles: number }> {
  const { image } = compileSource(source, 't.tel', 'main', { ...DEFAULT_OPTIONS, ...off });
  const r = await runImage(on, image, [], { budget: 2_000_000_000 });
  return { value: r.shown, error: r.error?.code ?? null, span: r.error?.span ?? null, cycles: r.cycles };
}

const PROGRAMS: Readonly<Record<string, string>> = {
  'the merge sort, take, drop and length': `${SOURCE}
main = (sort (pseudoRandom 200), take 3 [1, 2, 3, 4], drop 2 [5, 6, 7], length [1, 2, 3], take 5 [1], drop 9 [1])
`,
  'heads and tails in guards, where bindings, captures and Int arithmetic': `walk :: Int -> [Int] -> [Int -> Int] -> (Int, [Int])
walk acc [] fs = (foldl (\\a f -> f a) acc fs, [])
walk acc (x:xs) fs
  | x > big = walk (acc + x) xs ((\\v -> v + x) : fs)
  | small = walk (acc - x) xs fs
  | otherwise = walk acc xs fs
  where
    big = 10
    small = x < 3 && length xs > 1
main = walk 0 [1, 20, 2, 5, 30, 1, 2] []
`,
  'lists passed on swapped and cells reused in the other parameter': `weave :: [Int] -> [Int] -> [Int] -> [Int]
weave [] bs acc = reverse acc ++ bs
weave (a:as) bs acc = weave bs as (a : acc)
alternate :: [Int] -> [Int] -> Int -> [Int]
alternate [] ys _ = ys
alternate (x:xs) ys 0 = alternate ys (x : xs) 1
alternate (_:xs) ys n = alternate xs ys (n - 1)
main = (weave [1, 3, 5, 7] [2, 4] [], alternate [1, 2, 3] [4, 5, 6, 7] 0)
`,
  'a list handed to another function in a tail call, and a failing match': `firstEven :: [Int] -> Int
firstEven (x:xs) = if x \`mod\` 2 == 0 then x else firstEven xs
skipTo :: Int -> [Int] -> Int
skipTo k (y:ys) = if y == k then sum ys else skipTo k ys
skipTo _ [] = firstEven []
main = (firstEven [1, 3, 4, 5], skipTo 3 [1, 2, 3, 4, 5], skipTo 9 [1, 2])
`,
};

describe("a loop's matched list parameters in register pairs", () => {
  for (const [name, source] of Object.entries(PROGRAMS)) {
    it(`${name}: interp and the option on and off agree`, async () => {
      const r = runMain(loadProgram(parseProgram(source, 't.tel')), 'main', []);
      const expected = { value: r.shown, error: r.error?.code ?? null, span: r.error?.span ?? null };
      for (const off of [{}, OFF, { inferredInts: false }, { directArguments: false }]) expect(await onCore(source, off)).toMatchObject(expected);
    }, 60_000);
  }

  it('a loop whose lists only its registers hold runs on the board while the collector runs', async () => {
    // each round drops its list and builds another of 1,200 cells: a stale copy of one kept alive would leave too
    // little of the 128 KiB for the next
    const source = `churn :: Int -> [Int] -> Int -> Int
churn 0 _ acc = acc
churn n [] acc = churn (n - 1) (range 1 1200) acc
churn n (x:xs) acc = churn n xs (acc + x)
main = churn 40 [] 0
`;
    // (39 lists of 1,200 cells of 16 bytes are 748,800 bytes: the collector runs several times)
    expect(await onCore(source, {}, board)).toMatchObject({ value: String(39 * 600 * 1201), error: null });
  }, 60_000);

  it('the merge sort costs fewer cycles on', async () => {
    const source = `${SOURCE}\nmain :: Int\nmain = sum (sort (pseudoRandom 300))\n`;
    const on = await onCore(source, {});
    const off = await onCore(source, OFF);
    expect(on.value).toBe(off.value);
    expect(on.cycles).toBeLessThan(off.cycles);
  }, 60_000);

  it('cax compile --no-match-registers turns it off', async () => {
    const sizes = await compiledSizes(PROGRAMS['lists passed on swapped and cells reused in the other parameter']!, [[], ['--no-match-registers']]);
    expect(sizes[0]).not.toBe(sizes[1]);
  }, 60_000);
});
