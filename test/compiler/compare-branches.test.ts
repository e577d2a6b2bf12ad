// Comparisons of operands of unknown type as conditions (CodegenOptions.compareBranches): every operator in guards
// and ifs of polymorphic functions used at Int, Double (NaN unordered), Text, tuples, lists and Bool, against the
// interpreter with the option on and off; a polymorphic Int loop with fewer cycles on; `cax compile
// --no-compare-branches`.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openCoprocessor, runImage, type Coprocessor } from '../../host/coprocessor/backend.js';
import { DEFAULT_OPTIONS, type CodegenOptions } from '../../host/compiler/codegen.js';
import { compileSource } from '../../host/compiler/compile.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseProgram } from '../../host/tel/parser.js';
import { compiledSizes } from '../helpers/compiled-sizes.js';

const OFF: Partial<CodegenOptions> = { compareBranches: false };

let cop: Coprocessor;
beforeAll(async () => {
  cop = await openCoprocessor('iss');
});
afterAll(async () => {
  await cop.close();
});

async function onCore(source: string, off: Partial<CodegenOptions>): Promise<{ value: string | null; error: string | null; cycles: number }> {
  const { image } = compileSource(source, 't.tel', 'main', { ...DEFAULT_OPTIONS, ...off });
  const r = await runImage(cop, image, [], { budget: 2_000_000_000 });
  return { value: r.shown, error: r.error?.code ?? null, cycles: r.cycles };
}

const RELATIONS = `rel :: Ord a => a -> a -> [Bool]
rel x y = [lt x y, le x y, gt x y, ge x y, eq x y, ne x y]
  where
    lt a b = if a < b then True else False
    le a b | a <= b = True
           | otherwise = False
    gt a b = if a > b then True else False
    ge a b | a >= b = True
           | otherwise = False
    eq a b = if a == b then True else False
    ne a b | a /= b = True
           | otherwise = False
`;

const LOOP = `count :: Ord a => a -> [a] -> Int -> Int
count _ [] n = n
count k (x:xs) n = if x <= k then count k xs (n + 1) else count k xs n
main = count 500 (range 1 2000) 0
`;

const PROGRAMS: Readonly<Record<string, string>> = {
  Int: `${RELATIONS}main = (rel 1 2, rel 2 2, rel 3 2, rel (-5) 4)\n`,
  'Double, NaN unordered': `${RELATIONS}nan :: Double\nnan = 0.0 / 0.0\nmain = (rel 1.5 2.5, rel 2.5 2.5, rel nan 1.0, rel nan nan)\n`,
  Text: `${RELATIONS}main = (rel "abc" "abd", rel "b" "b", rel "" "a")\n`,
  'tuples, lists and Bool': `${RELATIONS}main = (rel (1, "a") (1, "b"), rel [1, 2] [1], rel [] [3], rel True False)\n`,
  'a polymorphic loop at Int': LOOP,
};

describe('comparisons of unknown type as conditions', () => {
  for (const [name, source] of Object.entries(PROGRAMS)) {
    it(`${name}: interp and the option on and off agree`, async () => {
      const r = runMain(loadProgram(parseProgram(source, 't.tel')), 'main', []);
      const expected = { value: r.shown, error: r.error?.code ?? null };
      for (const off of [{}, OFF, { typedInts: false }]) expect(await onCore(source, off)).toMatchObject(expected);
    }, 60_000);
  }

  it('a polymorphic loop at Int costs fewer cycles on', async () => {
    const on = await onCore(LOOP, {});
    const off = await onCore(LOOP, OFF);
    expect(on.value).toBe(off.value);
    expect(on.cycles).toBeLessThan(off.cycles);
  }, 60_000);

  it('cax compile --no-compare-branches turns it off', async () => {
    const sizes = await compiledSizes(LOOP, [[], ['--no-compare-branches']]);
    expect(sizes[0]).not.toBe(sizes[1]);
  }, 60_000);
});
