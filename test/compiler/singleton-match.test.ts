// One-item list patterns `[x]` matched in place (CodegenOptions.matchInPlace) and `[x]` rebuilt from them being the
// matched list itself (CodegenOptions.reuseCons): equations, case alternatives, `[_]`, inside tuples, on a loop's
// parameter, with the item shadowed by a let or a lambda (a new list then), failing matches (E_MATCH and its span);
// each against the interpreter with the options on and off, and the merge sort's `sort [x] = [x]` with fewer cycles
// and less heap on.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openCoprocessor, runImage, type Coprocessor } from '../../host/coprocessor/backend.js';
import { DEFAULT_OPTIONS, type CodegenOptions } from '../../host/compiler/codegen.js';
import { compileSource } from '../../host/compiler/compile.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseProgram } from '../../host/tel/parser.js';
import { SOURCE } from '../../bench/tel.bench.js';

let cop: Coprocessor;
beforeAll(async () => {
  cop = await openCoprocessor('iss');
});
afterAll(async () => {
  await cop.close();
});

async function onCore(source: string, off: Partial<CodegenOptions>): Promise<{ value: string | null; error: string | null; span: unknown; cycles: number; heap: number }> {
  const { image } = compileSource(source, 't.tel', 'main', { ...DEFAULT_OPTIONS, ...off });
  const r = await runImage(cop, image, [], { budget: 2_000_000_000 });
  return { value: r.shown, error: r.error?.code ?? null, span: r.error?.span ?? null, cycles: r.cycles, heap: r.heapBytes };
}

const PROGRAMS: Readonly<Record<string, string>> = {
  'equations, case alternatives, [_] and tuples': `only :: [Text] -> [Text]
only [x] = [x]
only xs = xs ++ ["more"]
kind :: [Int] -> Int
kind xs = case xs of
  [] -> 0
  [_] -> 1
  [a] -> 99
  _ -> 2
pairUp :: ([Int], Int) -> [Int]
pairUp ([x], k) = [x] ++ [x + k]
pairUp (ys, _) = ys
main = (only ["a"], only ["a", "b"], kind [], kind [7], kind [1, 2], pairUp ([3], 4), pairUp ([1, 2], 9))
`,
  "shadowed items make a new list, a loop's parameter": `shadow :: [Int] -> ([Int], [Int])
shadow [x] = (let x = 5 in [x], (\\x -> [x]) 9)
shadow _ = ([], [])
lastOf :: [Int] -> [Int]
lastOf [x] = [x]
lastOf (_:xs) = lastOf xs
main = (shadow [1], lastOf [4, 5, 6], map (\\x -> x * 2) (lastOf [8]))
`,
  'a failing match': `one :: [Int] -> Int
one [x] = x + 1
main = one [1] + one [1, 2]
`,
};

describe('one-item list patterns matched in place and reused', () => {
  for (const [name, source] of Object.entries(PROGRAMS)) {
    it(`${name}: interp and the options on and off agree`, async () => {
      const r = runMain(loadProgram(parseProgram(source, 't.tel')), 'main', []);
      const expected = { value: r.shown, error: r.error?.code ?? null, span: r.error?.span ?? null };
      for (const off of [{}, { matchInPlace: false }, { reuseCons: false }, { directObjects: false }]) expect(await onCore(source, off)).toMatchObject(expected);
    }, 60_000);
  }

  it("the merge sort's sort [x] = [x] costs fewer cycles and less heap on", async () => {
    const source = `${SOURCE}\nmain :: Int\nmain = sum (sort (pseudoRandom 300))\n`;
    const on = await onCore(source, {});
    const off = await onCore(source, { reuseCons: false });
    expect(on.value).toBe(off.value);
    expect(on.cycles).toBeLessThan(off.cycles);
    expect(on.heap).toBeLessThan(off.heap);
  }, 60_000);
});
