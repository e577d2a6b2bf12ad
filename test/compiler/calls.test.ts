// Calls of known functions with Int parameters (docs/compiler.md "Calls"), each against the interpreter with the
// options on and off, on the ISS:
// - Int arguments without their tag word (CodegenOptions.untaggedArguments): the callee reads no tag, its frame maps
//   mark no such parameter (collections in deep recursions with Int parameters), an Int parameter passed on in its
//   own place to a callee that reads its tag, closures and partial applications of such functions (generic entry);
// - Int arguments in a1–a3 at a direct entry, and what registers hold at a function's start used until overwritten
//   (registerArguments): arguments reading each other's parameters, a fourth parameter in its slot, an argument that
//   calls (loud), mutual recursion, errors inside, and random Int functions calling each other (fast-check);
// - fewer cycles with each on (naive fib), and `cax compile --no-untagged-arguments --no-register-arguments`;
// - what registers hold, followed through writes, calls, branches and labels (calls.ts RegisterFacts).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { openCoprocessor, runImage, type Coprocessor } from '../../host/coprocessor/backend.js';
import { Asm, REG } from '../../host/compiler/asm.js';
import { RegisterFacts } from '../../host/compiler/calls.js';
import { DEFAULT_OPTIONS, type CodegenOptions } from '../../host/compiler/codegen.js';
import { compileSource } from '../../host/compiler/compile.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseProgram } from '../../host/tel/parser.js';
import { compiledSizes } from '../helpers/compiled-sizes.js';

let cop: Coprocessor;
beforeAll(async () => {
  cop = await openCoprocessor('iss');
});
afterAll(async () => {
  await cop.close();
});

const OFFS: readonly Partial<CodegenOptions>[] = [{}, { registerArguments: false }, { untaggedArguments: false }, { untaggedArguments: false, registerArguments: false }];

async function onCore(source: string, off: Partial<CodegenOptions>, heapBytes?: number): Promise<{ value: string | null; error: string | null; message: string | null; cycles: number }> {
  const image = compileSource(source, 't.tel', 'main', { ...DEFAULT_OPTIONS, ...off }).image;
  const r = await runImage(cop, image, [], { budget: 1_000_000_000, ...(heapBytes === undefined ? {} : { heapBytes }) });
  return { value: r.shown, error: r.error?.code ?? null, message: r.error?.message ?? null, cycles: r.cycles };
}

function interpreted(source: string): { value: string | null; error: string | null; message: string | null } {
  const r = runMain(loadProgram(parseProgram(source, 't.tel')), 'main', []);
  return { value: r.shown, error: r.error?.code ?? null, message: r.error?.message ?? null };
}

const FIB = 'fib :: Int -> Int\nfib n = if n < 2 then n else fib (n - 1) + fib (n - 2)\nmain = fib 15\n';

const PROGRAMS: Readonly<Record<string, string>> = {
  'naive fib': FIB,
  'four Int parameters reading each other, a fourth in its slot': `mix :: Int -> Int -> Int -> Int -> Int
mix a b c d = if c <= 0 then a * 1000 + b * 100 + d else mix b a (c - 1) (a + d) + mix (d - b) (b * 2) (c - 2) a
main = (mix 1 2 6 3, mix (-4) 7 5 0)
`,
  'arguments that call (loud) beside quiet ones': `sq :: Int -> Int
sq x = x * x
f :: Int -> Int -> Int -> Int
f a b c = if a <= 0 then b - c else f (a - 1) (sq b \`mod\` 97) (c + f (a - 2) c b) + 1
main = f 6 3 4
`,
  'mutual recursion, not in tail position': `isEven :: Int -> Int -> Bool
isEven n k = if n == 0 then True else not (isOdd (n - 1) (k + 1))
isOdd :: Int -> Int -> Bool
isOdd n k = if n == 0 then False else not (isEven (n - 1) k)
main = (isEven 40 0, isOdd 17 3, isEven 7 1)
`,
  'an Int parameter passed on in its own place to a function reading its tag': `pick x y = x
wrap :: Int -> Int -> Int
wrap n m = pick n m
same :: Int -> [Int] -> [Int]
same k ks = k : ks
main = (1 + wrap 3 4, show (wrap 5 6), same 2 [wrap 7 8])
`,
  'closures, partial applications and where-bound functions with Int parameters': `add :: Int -> Int -> Int
add a b = a + b
fib :: Int -> Int
fib n = if n < 2 then n else fib (n - 1) + fib (n - 2)
scale :: Int -> [Int] -> [Int]
scale k xs = map (\\x -> go x 0) xs
  where
    go 0 acc = acc
    go m acc = go (m - 1) (acc + k)
main = (map fib (range 1 12), foldl add 0 (range 1 50), map (add 3) [1, 2], scale 3 [4, 5], (\\f -> f 4 5) add)
`,
  'Int literal patterns on parameters, and a loop with untagged Int parameters in register pairs': `fibp :: Int -> Int
fibp 0 = 0
fibp 1 = 1
fibp n = fibp (n - 1) + fibp (n - 2)
ack :: Int -> Int -> Int
ack 0 n = n + 1
ack m 0 = ack (m - 1) 1
ack m n = ack (m - 1) (ack m (n - 1))
main = (fibp 12, ack 2 3, map fibp [0, 1, 2])
`,
  'an error inside a function with Int parameters': `safe :: Int -> Int -> Int
safe n d = if n == 0 then 100 / d else n + safe (n - 1) (d - 1)
main = safe 5 5
`,
  'the same name as an Int parameter and as a local rebinding it': `f :: Int -> Int
f n = let g = \\n -> n * 2 in g (n + 1) + (case [n] of { (n:_) -> n; [] -> 0 })
main = f 20
`,
};

describe('calls with Int arguments: untagged and in registers', () => {
  for (const [name, source] of Object.entries(PROGRAMS)) {
    it(`${name}: interp and the options on and off agree`, async () => {
      const expected = interpreted(source);
      for (const off of OFFS) expect(await onCore(source, off)).toMatchObject(expected);
    });
  }

  it('deep recursions with Int parameters collect on a small heap (the parameters are not marked)', async () => {
    const source = `build :: Int -> [Int]
build n = if n == 0 then [] else n : build (n - 1)
churn :: Int -> Int -> Int
churn n k = if n == 0 then k else length (build 40) + churn (n - 1) (k + n)
main = churn 300 7
`;
    const expected = interpreted(source);
    for (const off of OFFS) expect(await onCore(source, off, 8 * 1024)).toMatchObject(expected);
  });

  it('random Int functions calling each other agree with the interpreter, each option on and off', async () => {
    const name = (i: number): string => `f${i}`;
    type Gen = (i: number, depth: number) => fc.Arbitrary<string>;
    const expr: Gen = (i, depth) => {
      const atom = fc.oneof(
        fc.constantFrom('a', 'b', 'c'),
        fc.integer({ min: -9, max: 9 }).map((n) => (n < 0 ? `(${n})` : `${n}`)),
      );
      if (depth === 0) return atom;
      const sub = expr(i, depth - 1);
      // a call of an earlier function recurses at most three deep
      const callee = i === 0 ? [] : [fc.tuple(fc.integer({ min: 0, max: i - 1 }), fc.integer({ min: 0, max: 3 }), sub, sub).map(([j, n, y, z]) => `${name(j)} ${n} (${y}) (${z})`)];
      return fc.oneof(
        atom,
        fc.tuple(sub, fc.constantFrom('+', '-', '*'), sub).map(([x, op, y]) => `(${x} ${op} ${y})`),
        fc.tuple(sub, fc.constantFrom('<', '<=', '==', '/='), sub, sub, sub).map(([x, op, y, t, e]) => `(if ${x} ${op} ${y} then ${t} else ${e})`),
        ...callee,
      );
    };
    // each function calls only earlier ones, and itself with a smaller first argument (a non-tail self call)
    const fn = (i: number): fc.Arbitrary<string> =>
      fc
        .tuple(expr(i, 2), expr(i, 2), expr(i, 1))
        .map(([base, step, arg]) => `${name(i)} :: Int -> Int -> Int -> Int\n${name(i)} a b c = if a <= 0 then ${base} else ${step} + ${name(i)} (a - 1) (${arg}) b`);
    const program = fc
      .integer({ min: 1, max: 3 })
      .chain((k) => fc.tuple(...Array.from({ length: k }, (_, i) => fn(i)), fc.integer({ min: 0, max: 6 }), fc.integer({ min: -5, max: 5 })).map((parts) => ({ k, parts })))
      .map(({ k, parts }) => `${parts.slice(0, k).join('\n')}\nmain = ${name(k - 1)} ${String(parts[k])} (${String(parts[k + 1])}) 2\n`);
    await fc.assert(
      fc.asyncProperty(program, async (source) => {
        const expected = interpreted(source);
        for (const off of OFFS) expect(await onCore(source, off)).toMatchObject(expected);
      }),
      { numRuns: 12 },
    );
  }, 240_000);

  it('each costs fewer cycles on naive fib', async () => {
    const on = await onCore(FIB, {});
    const noRegs = await onCore(FIB, { registerArguments: false });
    const neither = await onCore(FIB, { untaggedArguments: false, registerArguments: false });
    expect(on.cycles).toBeLessThan(noRegs.cycles);
    expect(noRegs.cycles).toBeLessThan(neither.cycles);
  });

  it('cax compile --no-untagged-arguments and --no-register-arguments turn them off', async () => {
    const sizes = await compiledSizes(FIB, [[], ['--no-register-arguments'], ['--no-untagged-arguments', '--no-register-arguments']]);
    expect(new Set(sizes).size).toBe(3);
  });
});

describe('what registers hold (RegisterFacts)', () => {
  const started = (): { code: Asm; facts: RegisterFacts } => {
    const code = new Asm();
    const facts = new RegisterFacts('t', code);
    facts.start([
      { reg: REG.a1, off: 0 },
      { reg: REG.a2, off: 8 },
    ]);
    return { code, facts };
  };

  it('a write or a store forgets one register, a call all of them', () => {
    const { code, facts } = started();
    expect([facts.payload(0), facts.payload(8), facts.returnAddress]).toEqual([REG.a1, REG.a2, true]);
    code.addi(REG.a1, REG.a1, -1);
    expect([facts.payload(0), facts.payload(8)]).toEqual([undefined, REG.a2]);
    facts.stored(12); // a store to s0+12, the payload word of the slot at s0+8 (codegen tells it through onStore)
    expect(facts.payload(8)).toBeUndefined();
    const { code: other, facts: more } = started();
    other.call('callee');
    expect([more.payload(0), more.payload(8), more.returnAddress]).toEqual([undefined, undefined, false]);
  });

  it('a label knows what holds on every jump to it and on the fall-through; one not jumped to yet knows nothing', () => {
    const { code, facts } = started();
    code.branch('beq', REG.a1, REG.zero, 'joined');
    code.mv(REG.a2, REG.zero);
    code.label('joined');
    expect([facts.payload(0), facts.payload(8), facts.returnAddress]).toEqual([REG.a1, undefined, true]);
    code.j('away');
    code.label('away');
    expect(facts.payload(0)).toBe(REG.a1);
    code.label('head');
    expect([facts.payload(0), facts.returnAddress]).toEqual([undefined, false]);
  });

  it('a jump back to a label whose code assumed a register that no longer holds is E_INTERNAL', () => {
    const { code } = started();
    code.branch('bne', REG.a1, REG.zero, 'top');
    code.label('top');
    code.addi(REG.a1, REG.a1, -1);
    expect(() => code.branch('bne', REG.a1, REG.zero, 'top')).toThrow(expect.objectContaining({ code: 'E_INTERNAL' }));
  });
});
