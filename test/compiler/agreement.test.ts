// Agreement of compiled TEL on the ISS and on the Verilator SoC (both
// through the firmware, as on the device) with the reference interpreter:
// every example and random well-typed programs (pure, and effectful with a
// random world and start time) give the same value or the same error code and
// message, the same effect log and the same final clock on interp, iss and
// sim; so do the reference's edge cases (test/helpers/edge-cases.ts). The sim runs share one
// simulation session (the runtime is loaded once); a disagreement prints the
// program, its world and the first differing field.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { z } from 'zod';
import { openCoprocessor, runImage, type Coprocessor } from '../../host/coprocessor/backend.js';
import { DEFAULT_OPTIONS, type CodegenOptions } from '../../host/compiler/codegen.js';
import { compileSource } from '../../host/compiler/compile.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseExpression, parseProgram } from '../../host/tel/parser.js';
import type { Value } from '../../host/tel/values.js';
import { effectProgram, pureProgram } from '../../host/tel/generate.js';
import { parseWorld } from '../../host/tel/world.js';
import { EDGE_CASES } from '../helpers/edge-cases.js';

const EXAMPLES = join(process.cwd(), 'examples');
const BUDGET = 1_000_000_000;
/** Room for the whole sim part of a describe (every example is a few seconds of RTL simulation at most). */
const SIM_TIMEOUT = 300_000;

const backends: Record<'iss' | 'sim', Coprocessor> = {} as Record<'iss' | 'sim', Coprocessor>;
beforeAll(async () => {
  backends.iss = await openCoprocessor('iss');
  backends.sim = await openCoprocessor('sim');
}, SIM_TIMEOUT);
afterAll(async () => {
  await backends.iss.close();
  await backends.sim.close();
});

interface Outcome {
  readonly value: string | null;
  readonly error: string | null;
  /** The error's message: the same on every backend (tel-language.md section 9). */
  readonly message: string | null;
  readonly clock: number;
  readonly effects: string;
}

/** What a program runs: its main definition applied to arguments (TEL expressions). */
interface Entry {
  readonly main: string;
  readonly args: readonly string[];
}
const MAIN: Entry = { main: 'main', args: [] };

function interpret(source: string, file: string, world: unknown, entry: Entry = MAIN): Outcome {
  const args = entry.args.map((a, i) => parseExpression(a, `<argument ${i + 1}>`));
  const r = runMain(loadProgram(parseProgram(source, file)), entry.main, args, world === undefined ? {} : { world: parseWorld(world) });
  return { value: r.shown, error: r.error?.code ?? null, message: r.error?.message ?? null, clock: r.clock, effects: JSON.stringify(r.effects) };
}

/** An argument's value, computed by the interpreter (the host writes it to the co-processor's heap). */
function argumentValue(text: string): Value {
  const r = runMain(loadProgram(parseProgram(`argument = ${text}`, '<argument>')), 'argument', []);
  if (r.error) throw r.error;
  return r.value!;
}

async function compiled(source: string, file: string, world: unknown, backend: 'iss' | 'sim', entry: Entry = MAIN, options: CodegenOptions = DEFAULT_OPTIONS): Promise<Outcome> {
  const c = compileSource(source, file, entry.main, options);
  const r = await runImage(backends[backend], c.image, entry.args.map(argumentValue), {
    budget: BUDGET,
    // a long pure stretch (the sort of examples/fib.tel) takes a while on the RTL simulation
    timeoutMs: SIM_TIMEOUT,
    ...(world === undefined ? {} : { world: parseWorld(world) }),
  });
  return { value: r.shown, error: r.error?.code ?? null, message: r.error?.message ?? null, clock: r.clock, effects: JSON.stringify(r.effects) };
}

/** Runs `source` on the interpreter and on `backend`; fails with the program, its world and the first divergence. */
async function agree(source: string, file: string, world: unknown, backend: 'iss' | 'sim', entry: Entry = MAIN, options: CodegenOptions = DEFAULT_OPTIONS): Promise<Outcome> {
  const reference = interpret(source, file, world, entry);
  const other = await compiled(source, file, world, backend, entry, options);
  const fields = ['error', 'message', 'value', 'clock', 'effects'] as const;
  const first = fields.find((f) => reference[f] !== other[f]);
  if (first) {
    throw new Error(
      `interp and ${backend} disagree on ${first}: ${JSON.stringify(reference[first])} vs ${JSON.stringify(other[first])}\n` +
        `program (${file}, ${[entry.main, ...entry.args].join(' ')}):\n${source}\nworld: ${world === undefined ? '(none)' : JSON.stringify(world)}`,
    );
  }
  return reference;
}

const examples = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.tel'))
  .sort();

/** The entry an example's expected output names (examples/NAME.expected.json). */
function exampleEntry(file: string): Entry {
  const expected = ExpectedEntry.parse(JSON.parse(readFileSync(join(EXAMPLES, file.replace(/\.tel$/, '.expected.json')), 'utf8')));
  return { main: expected.main, args: expected.args };
}
const ExpectedEntry = z.object({ main: z.string(), args: z.array(z.string()) });

function exampleWorld(file: string): unknown {
  try {
    return JSON.parse(readFileSync(join(EXAMPLES, file.replace(/\.tel$/, '.world.json')), 'utf8'));
  } catch {
    return undefined;
  }
}

for (const backend of ['iss', 'sim'] as const) {
  describe(`examples: interp vs ${backend}`, () => {
    for (const file of examples) {
      it(
        file,
        async () => {
          await agree(readFileSync(join(EXAMPLES, file), 'utf8'), file, exampleWorld(file), backend, exampleEntry(file));
        },
        SIM_TIMEOUT,
      );
    }
  });
}

describe('edge cases of the reference: interp vs iss (value, effect log, clock, error code and message)', () => {
  for (const c of EDGE_CASES) {
    it(c.name, async () => {
      const r = await agree(c.source, 'edge.tel', c.world, 'iss');
      expect(r.error === null ? { value: r.value } : { code: r.error, message: r.message }).toEqual(c.expected);
      expect(r.clock).toBe(c.clock);
    });
  }
});

describe('edge cases of the reference: interp vs sim', () => {
  it(
    'every case agrees',
    async () => {
      for (const c of EDGE_CASES) await agree(c.source, 'edge.tel', c.world, 'sim');
    },
    SIM_TIMEOUT,
  );
});

/** Program definitions named like prelude functions the prelude itself uses (map and filter use reverse, sum uses foldl). */
const CLASHING = `
reverse :: [a] -> [a]
reverse xs = xs

foldl :: (b -> a -> b) -> b -> [a] -> b
foldl _ z _ = z

length :: [a] -> Int
length _ = 42

main :: ([Int], [Int], [Int], Int, Int, Int)
main = (reverse [1, 2, 3], map (\\x -> x * 10) [1, 2, 3], filter (\\x -> x > 1) [3, 1, 2], sum [1, 2, 3], foldl (+) 5 [1], length [1])
`;

describe('a program redefining prelude functions the prelude uses', () => {
  for (const backend of ['iss', 'sim'] as const) {
    it(
      `keeps the prelude's own inside the prelude on ${backend}`,
      async () => {
        expect((await agree(CLASHING, 'clash.tel', undefined, backend)).value).toBe('([1,2,3],[10,20,30],[3,2],6,5,42)');
      },
      SIM_TIMEOUT,
    );
  }
});

/** `invoke` outside the executor runs the function in place, on both sides (stored definitions with contexts: stored.test.ts). */
const INVOKING = `
pay :: Int -> Int -> Effect Int
pay k n = do
  emit (k * n)
  deposit n to "bob" on "bank"
  return (k * n)

main :: Effect (Int, Int)
main = do
  a <- invoke pay 2 5
  (b, c) <- invoke (pay 3) 1 <|> after (1 seconds) (invoke pay 1 4)
  return (a + b, c)
`;

describe('long list literals', () => {
  // literals are consed as they are made (one frame cell); a list with other items still evaluates them left to right
  const ints = Array.from({ length: 400 }, (_, i) => (i % 7 === 0 ? `-${i}` : String(i)));
  const SOURCE = `main :: (Int, Int, [Text], [Double])
main = (sum xs, length xs, ["a", "b", "c"], [1.5, -2.0])
  where
    xs = [${ints.join(', ')}]

mixed :: Int -> [Int]
mixed n = [1, n, 10 / n, 3]
`;
  it('of 400 Ints (more than a frame holds), Texts and Doubles agree with the interpreter on iss', async () => {
    const r = await agree(SOURCE, 'long.tel', {}, 'iss');
    expect(r.error).toBeNull();
    expect(r.value).toBe(`(${ints.reduce((s, x) => s + Number(x), 0)},400,["a","b","c"],[1.5,-2.0])`);
    expect(await agree(SOURCE, 'long.tel', {}, 'iss', { main: 'mixed', args: ['0'] })).toMatchObject({ error: 'E_DIV_ZERO' });
    expect(await agree(SOURCE, 'long.tel', {}, 'iss', { main: 'mixed', args: ['5'] })).toMatchObject({ error: null, value: '[1,5,2,3]' });
  });
});

describe('mutual tail calls between where-bound functions run in constant stack', () => {
  const SOURCE = `parity :: Int -> Text
parity n = if ev n then "even" else "odd"
  where
    ev 0 = True
    ev k = od (k - 1)
    od 0 = False
    od k = ev (k - 1)
`;
  // the stack holds about 1,000 frames: both depths failed with E_BUDGET (stack) when these were real calls
  for (const [backend, n] of [
    ['iss', 300_001],
    ['sim', 3_000],
  ] as const) {
    it(
      `parity ${n} on ${backend}`,
      async () => {
        expect(await agree(SOURCE, 'parity.tel', undefined, backend, { main: 'parity', args: [String(n)] })).toMatchObject({ error: null, value: n % 2 === 0 ? '"even"' : '"odd"' });
      },
      SIM_TIMEOUT,
    );
  }
});

describe('invoke', () => {
  for (const backend of ['iss', 'sim'] as const) {
    it(
      `runs in place on ${backend}`,
      async () => {
        expect(await agree(INVOKING, 'invoke.tel', { latency: { bank: 300 } }, backend)).toMatchObject({ error: null, value: '(13,4)', clock: 1600 });
      },
      SIM_TIMEOUT,
    );
  }
});

/**
 * Recursive local values and constants: values of a recursive binding group are boxed, read through a check, and
 * captured by reference as the interpreter's environments are; a read before the value is defined is E_CYCLE at the
 * span of the use on every side.
 */
const RECURSIVE: readonly { name: string; source: string; value?: string; error?: string }[] = [
  { name: 'a list defined in terms of itself', source: 'main :: Int\nmain = let xs = 1 : xs in length xs\n', error: 'E_CYCLE' },
  { name: 'two values defined in terms of each other', source: 'main :: Int\nmain = a\n  where\n    a = b + 1\n    b = a * 2\n', error: 'E_CYCLE' },
  { name: 'a value through a local function of its group', source: 'main :: Int\nmain = length ys\n  where\n    f x = x : ys\n    ys = f 1\n', error: 'E_CYCLE' },
  { name: 'a value under a lambda applied while it is computed', source: 'main :: [Int]\nmain = take 3 xs\n  where\n    xs = 1 : map (\\x -> x + 1) xs\n', error: 'E_CYCLE' },
  { name: 'a value used by a function the value calls', source: 'main :: Int\nmain = g 3\n  where\n    g n = if n == 0 then length zs else g (n - 1)\n    zs = [g 0]\n', error: 'E_CYCLE' },
  { name: 'a guarded value through its where-mate', source: 'main :: Int\nmain = n\n  where\n    n | m > 0 = 1\n      | otherwise = 2\n    m = n\n', error: 'E_CYCLE' },
  { name: 'a let in a do block', source: 'main :: Effect Int\nmain = do\n  let xs = 1 : xs\n  return (length xs)\n', error: 'E_CYCLE' },
  { name: 'a top-level constant defined in terms of itself', source: 'xs :: [Int]\nxs = 1 : xs\nmain :: Int\nmain = length xs\n', error: 'E_CYCLE' },
  { name: 'a recursive lambda bound as a value', source: 'main :: Int\nmain = go 10\n  where\n    go = \\n -> if n == 0 then 0 else n + go (n - 1)\n', value: '55' },
  { name: 'a lambda bound as a value failing its pattern', source: 'main :: Int\nmain = f [] + 1\n  where\n    f = \\(x : _) -> x\n', error: 'E_MATCH' },
  { name: 'a value capturing itself under a lambda, applied later', source: 'main :: Int\nmain = let p = (5, \\u -> fst p + u) in snd p (fst p)\n', value: '10' },
  { name: 'two values capturing each other under lambdas', source: 'main :: Int\nmain = snd a 10\n  where\n    a = (1, \\u -> snd b u)\n    b = (2, \\u -> fst a + u)\n', value: '11' },
];

/** Runs `source`'s main on the interpreter and on `backend`: the same value, or the same error code at the same span. */
async function agreeWithSpan(source: string, backend: 'iss' | 'sim'): Promise<{ value: string | null; error: string | null }> {
  const reference = runMain(loadProgram(parseProgram(source, 'rec.tel')), 'main', []);
  const other = await runImage(backends[backend], compileSource(source, 'rec.tel', 'main').image, [], { budget: BUDGET });
  expect({ value: other.shown, error: other.error?.code ?? null, span: other.error?.span ?? null }).toEqual({
    value: reference.shown,
    error: reference.error?.code ?? null,
    span: reference.error?.span ?? null,
  });
  return { value: reference.shown, error: reference.error?.code ?? null };
}

describe('recursive local values: interp vs iss (error code and span)', () => {
  for (const c of RECURSIVE) {
    it(c.name, async () => {
      expect(await agreeWithSpan(c.source, 'iss')).toEqual({ value: c.value ?? null, error: c.error ?? null });
    });
  }
});

describe('recursive local values: interp vs sim', () => {
  it(
    'a list defined in terms of itself and values capturing each other',
    async () => {
      for (const c of [RECURSIVE[0]!, RECURSIVE[2]!, RECURSIVE[RECURSIVE.length - 1]!]) {
        expect(await agreeWithSpan(c.source, 'sim')).toEqual({ value: c.value ?? null, error: c.error ?? null });
      }
    },
    SIM_TIMEOUT,
  );
});

/** Runs per backend: the sim is a cycle-accurate RTL simulation, so it gets fewer. */
const RUNS = { iss: 12, sim: 6 } as const;

/** Every optimisation off in turn (CodegenOptions), for the random programs on the ISS. */
const EACH_OFF: readonly Partial<CodegenOptions>[] = [
  { typedInts: false },
  { registers: false },
  { directCalls: false },
  { inlining: false },
  { constantFolding: false },
  { directObjects: false },
  { reuseCons: false },
  { matchInPlace: false },
  { specialize: false },
  { directArguments: false },
  { knownConstructors: false },
  { settleEffects: false },
  { foldReturnBinds: false },
  { fuse: false },
  { reverseInPlace: false },
  { untaggedArguments: false },
  { registerArguments: false },
  { inlineAlloc: false },
  { staticClosures: false },
  { continuationJumps: false },
  { inferredInts: false },
  { matchRegisters: false },
  { compareBranches: false },
  { sharedCaptures: false },
];

describe('random programs with each optimisation off: interp vs iss', () => {
  it('pure programs agree on value and error with each option off', async () => {
    await fc.assert(
      fc.asyncProperty(pureProgram, async (source) => {
        for (const off of EACH_OFF) await agree(source, 'random.tel', undefined, 'iss', MAIN, { ...DEFAULT_OPTIONS, ...off });
      }),
      { numRuns: 6 },
    );
    // six programs, each compiled and run once per option off (22 of them): about 100 s on the shared 2-core machine
  }, 300_000);
  it('effect programs agree on value, effect log and clock with each option off', async () => {
    await fc.assert(
      fc.asyncProperty(effectProgram, async ({ source, world }) => {
        for (const off of EACH_OFF) await agree(source, 'effects.tel', world, 'iss', MAIN, { ...DEFAULT_OPTIONS, ...off });
      }),
      { numRuns: 4 },
    );
  });
});

for (const backend of ['iss', 'sim'] as const) {
  describe(`random programs: interp vs ${backend}`, () => {
    it(
      'pure programs agree on value and error',
      async () => {
        await fc.assert(
          fc.asyncProperty(pureProgram, async (source) => {
            await agree(source, 'random.tel', undefined, backend);
          }),
          { numRuns: RUNS[backend] },
        );
      },
      SIM_TIMEOUT,
    );
    it(
      'effect programs agree on value, effect log and clock',
      async () => {
        await fc.assert(
          fc.asyncProperty(effectProgram, async ({ source, world }) => {
            await agree(source, 'effects.tel', world, backend);
          }),
          { numRuns: RUNS[backend] },
        );
      },
      SIM_TIMEOUT,
    );
  });
}
