// `where`/`let` groups of functions that capture nothing but each other compiled like top-level functions
// (CodegenOptions.staticClosures): mutual tail recursion 300,001 deep, groups used as values and partially applied,
// names that shadow top-level definitions, enclosing locals and each other, a lambda parameter named like a member,
// groups that capture a local (left as closures), a failing member (code and span), a program redefining a prelude
// function the prelude's own where-groups call; each against the interpreter with the option on and off, the
// merge sort with fewer cycles and allocations on; `cax compile --no-static-closures` turns it off.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openCoprocessor, runImage, type Coprocessor } from '../../host/coprocessor/backend.js';
import { DEFAULT_OPTIONS, type CodegenOptions } from '../../host/compiler/codegen.js';
import { compileSource } from '../../host/compiler/compile.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseProgram } from '../../host/tel/parser.js';
import { compiledSizes } from '../helpers/compiled-sizes.js';
import { SOURCE } from '../../bench/tel.bench.js';

const OFF: Partial<CodegenOptions> = { staticClosures: false };

let cop: Coprocessor;
beforeAll(async () => {
  cop = await openCoprocessor('iss');
});
afterAll(async () => {
  await cop.close();
});

async function onCore(source: string, off: Partial<CodegenOptions>): Promise<{ value: string | null; error: string | null; message: string | null; span: unknown; cycles: number; heap: number }> {
  const { image } = compileSource(source, 't.tel', 'main', { ...DEFAULT_OPTIONS, ...off });
  const r = await runImage(cop, image, [], { budget: 2_000_000_000 });
  return { value: r.shown, error: r.error?.code ?? null, message: r.error?.message ?? null, span: r.error?.span ?? null, cycles: r.cycles, heap: r.heapBytes };
}

const PROGRAMS: Readonly<Record<string, string>> = {
  'mutual tail recursion between where-mates, 300,001 deep': `parity :: Int -> Bool
parity n = ev n
  where
    ev k = if k == 0 then True else od (k - 1)
    od k = if k == 0 then False else ev (k - 1)
main = (parity 300001, parity 10)
`,
  'members used as values, partially applied and mapped': `scale :: [Int] -> [Int]
scale xs = map (times 3) (map twice xs)
  where
    twice x = x * 2
    times k x = k * x
pick :: Bool -> (Int -> Int)
pick b = if b then inc else dec
  where
    inc x = x + 1
    dec x = x - 1
main = (scale [1, 2, 3], (pick True) 10, (pick False) 10, foldl (\\f g -> g) id [id])
  where
    id x = x
`,
  'names shadowing top-level definitions, enclosing locals and each other': `go :: Int -> Int
go n = n + 1000
outer :: Int -> Int
outer n = go n + inner n
  where
    go k = if k <= 0 then 0 else k + go (k - 1)
    inner k = let go = \\m -> m * 7 in go k
top :: Int -> Int
top n = go n
main = (outer 10, top 1, let f x = if x == 0 then 1 else x * f (x - 1) in f 10)
`,
  'a lambda parameter named like a member, a member inside another where': `twice :: Int -> Int
twice n = f n
  where
    f k = (\\f -> f + k) (g k)
    g k = h k
      where
        h m = m * 2
main = twice 21
`,
  'groups that capture a local stay closures beside ones that do not': `count :: Int -> [Int] -> Int
count k xs = go 0 xs
  where
    go acc [] = acc
    go acc (y:ys) = if y > k then go (acc + 1) ys else go acc ys
    unused z = z
main = count 3 [1, 5, 2, 7, 9]
`,
  'a failing member (E_MATCH at its span)': `f :: Int -> Int
f n = g n
  where
    g 0 = 1
    g 1 = 2
main = f 0 + f 5
`,
  "a program redefining a function the prelude's where-groups call": `${SOURCE}
reverse :: [Int] -> [Int]
reverse xs = xs
main = (sort [5, 3, 9, 1], length [1, 2, 3], take 2 [7, 8, 9], reverse [1, 2])
`,
};

describe('where-groups compiled like top-level functions', () => {
  for (const [name, source] of Object.entries(PROGRAMS)) {
    it(`${name}: interp and the option on and off agree`, async () => {
      const reference = runMain(loadProgram(parseProgram(source, 't.tel')), 'main', []);
      const expected = { value: reference.shown, error: reference.error?.code ?? null, message: reference.error?.message ?? null, span: reference.error?.span ?? null };
      // (without direct calls no tail call reuses its frame: 300,001 of them run out of stack either way)
      const offs = name.includes('300,001') ? [{}, OFF, { inlining: false }] : [{}, OFF, { inlining: false }, { directCalls: false }];
      for (const off of offs) expect(await onCore(source, off)).toMatchObject(expected);
    }, 60_000);
  }

  it('the merge sort costs fewer cycles and less heap on', async () => {
    const source = `${SOURCE}\nmain :: Int\nmain = sum (sort (pseudoRandom 500))\n`;
    const on = await onCore(source, {});
    const off = await onCore(source, OFF);
    expect(on.value).toBe(off.value);
    expect(on.cycles).toBeLessThan(off.cycles);
    expect(on.heap).toBeLessThan(off.heap);
  }, 60_000);

  it('cax compile --no-static-closures turns it off', async () => {
    const sizes = await compiledSizes(PROGRAMS['mutual tail recursion between where-mates, 300,001 deep']!, [[], ['--no-static-closures']]);
    expect(sizes[0]).not.toBe(sizes[1]);
  }, 60_000);
});
