// Pattern variables the type checker shows to be Ints (CodegenOptions.inferredInts, host/compiler/inferred-ints.ts):
// which binders it takes (the merge's let-polymorphic `go` at its one Int instance; not a local used at two types,
// at a type variable of its enclosing function or through another local at two types, not a top-level polymorphic
// function's), programs on each side of those lines against the interpreter with the option on and off, random
// lists sorted (fast-check), the merge sort with fewer cycles on, and `cax compile --no-inferred-ints`.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { openCoprocessor, runImage, type Coprocessor } from '../../host/coprocessor/backend.js';
import { DEFAULT_OPTIONS, type CodegenOptions } from '../../host/compiler/codegen.js';
import { compileSource } from '../../host/compiler/compile.js';
import { inferredInts } from '../../host/compiler/inferred-ints.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseProgram } from '../../host/tel/parser.js';
import type { Pattern } from '../../host/tel/ast.js';
import { compiledSizes } from '../helpers/compiled-sizes.js';
import { SOURCE } from '../../bench/tel.bench.js';

const OFF: Partial<CodegenOptions> = { inferredInts: false };

let cop: Coprocessor;
beforeAll(async () => {
  cop = await openCoprocessor('iss');
});
afterAll(async () => {
  await cop.close();
});

async function onCore(source: string, off: Partial<CodegenOptions>): Promise<{ value: string | null; error: string | null; span: unknown; cycles: number }> {
  const { image } = compileSource(source, 't.tel', 'main', { ...DEFAULT_OPTIONS, ...off });
  const r = await runImage(cop, image, [], { budget: 2_000_000_000 });
  return { value: r.shown, error: r.error?.code ?? null, span: r.error?.span ?? null, cycles: r.cycles };
}

function onInterp(source: string): { value: string | null; error: string | null; span: unknown } {
  const r = runMain(loadProgram(parseProgram(source, 't.tel')), 'main', []);
  return { value: r.shown, error: r.error?.code ?? null, span: r.error?.span ?? null };
}

/** The names of the pattern variables (every one the program declares) that inferredInts takes for Ints. */
function intNames(source: string): string[] {
  const program = parseProgram(source, 't.tel');
  const ints = inferredInts(program);
  const names: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    const p = node as Pattern;
    if (p.tag === 'PVar' && ints.has(p.name, p.span)) names.push(p.name);
    for (const [k, v] of Object.entries(node)) if (k !== 'span') walk(v);
  };
  walk(program.decls);
  return [...new Set(names)].sort();
}

const PROGRAMS: Readonly<Record<string, string>> = {
  "the merge's go at its one Int instance": `${SOURCE}
main :: Int
main = sum (sort (pseudoRandom 300))
`,
  'a local used at Int and at Text (not refined)': `pick :: Int -> Text -> (Int, Text)
pick n t = (lo n 3, lo t "m")
  where
    lo a b = if a <= b then a else b
main = pick 7 "z"
`,
  'a local at a type variable of its enclosing function (not refined)': `smallest :: Ord a => [a] -> a
smallest (x:xs) = go x xs
  where
    go m [] = m
    go m (y:ys) = if y < m then go y ys else go m ys
main = (smallest [5, 2, 8], smallest [2.5, 0.5], smallest ["b", "a"])
`,
  'a local used through another at Int and at Double (not refined)': `twice :: Int -> (Int, Double)
twice n = (apply step n, apply step 1.5)
  where
    step x = x + x
    apply f = f
main = twice 4
`,
  'a local used only at Double (not refined)': `scaled :: [Double] -> Double
scaled xs = go 0.0 xs
  where
    go acc [] = acc
    go acc (y:ys) = if y > acc then go y ys else go acc ys
main = scaled [1.5, 3.25, 2.0]
`,
  'a top-level polymorphic function (no signature) used at Int, case alternatives and a failing match': `firstBig (x:xs) k = if x > k then x else firstBig xs k
count :: [Int] -> Int
count xs = case xs of
  [] -> 0
  (y:ys) -> (if y \`mod\` 2 == 0 then 1 else 0) + count ys
main = (firstBig [1, 5, 9] 4, count [1, 2, 4, 7], firstBig [1, 2] 9)
`,
};

describe('pattern variables the type checker shows to be Ints', () => {
  it('takes the Int instance of a let-polymorphic local, and nothing the lines above leave out', () => {
    expect(intNames(PROGRAMS["the merge's go at its one Int instance"]!)).toEqual(expect.arrayContaining(['a', 'b', 'x']));
    expect(intNames(PROGRAMS['a local used at Int and at Text (not refined)']!)).toEqual(['n']);
    expect(intNames(PROGRAMS['a local at a type variable of its enclosing function (not refined)']!)).toEqual([]);
    expect(intNames(PROGRAMS['a local used through another at Int and at Double (not refined)']!)).toEqual(['n']);
    expect(intNames(PROGRAMS['a local used only at Double (not refined)']!)).toEqual([]);
    expect(intNames(PROGRAMS['a top-level polymorphic function (no signature) used at Int, case alternatives and a failing match']!)).toEqual(['y']);
  });

  for (const [name, source] of Object.entries(PROGRAMS)) {
    it(`${name}: interp and the option on and off agree`, async () => {
      const expected = onInterp(source);
      for (const off of [{}, OFF, { typedInts: false }]) expect(await onCore(source, off)).toMatchObject(expected);
    }, 60_000);
  }

  it('random lists of Ints sort as on the interpreter (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: -1_000_000, max: 1_000_000 }), { maxLength: 40 }), async (xs) => {
        const source = `${SOURCE}\nmain :: [Int]\nmain = sort [${xs.map((x) => (x < 0 ? `(${x})` : String(x))).join(', ')}]\n`;
        const got = await onCore(source, {});
        expect(got.error).toBeNull();
        expect(got.value).toBe(onInterp(source).value);
        expect(got.value).toBe(`[${[...xs].sort((p, q) => p - q).join(',')}]`);
      }),
      { numRuns: 8 },
    );
  }, 120_000);

  it('the merge sort costs fewer cycles on', async () => {
    const source = PROGRAMS["the merge's go at its one Int instance"]!;
    const on = await onCore(source, {});
    const off = await onCore(source, OFF);
    expect(on.value).toBe(off.value);
    expect(on.cycles).toBeLessThan(off.cycles);
  }, 60_000);

  it('cax compile --no-inferred-ints turns it off', async () => {
    const sizes = await compiledSizes(PROGRAMS["the merge's go at its one Int instance"]!, [[], ['--no-inferred-ints']]);
    expect(sizes[0]).not.toBe(sizes[1]);
  }, 60_000);
});
