// Agreement of compiled TEL on the ISS and on the Verilator SoC (both
// through the firmware, as on the device) with the reference interpreter:
// the examples and random well-typed programs give the same value or the
// same error code, the same effect log and the same final clock. The sim
// runs are few and small (an RTL simulation is slow): examples that finish
// in a few million cycles.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { openCoprocessor, runImage, type Coprocessor } from '../../host/compiler/backend.js';
import { compileSource } from '../../host/compiler/compile.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseProgram } from '../../host/tel/parser.js';
import { parseWorld } from '../../host/tel/world.js';

const EXAMPLES = join(process.cwd(), 'examples');
const BUDGET = 1_000_000_000;

/** Few and small: the SoC's UART is simulated bit by bit, so loading the runtime alone takes millions of cycles. */
const SIM_EXAMPLES = ['ints.tel', 'text.tel'];
const SIM_TIMEOUT = 300_000;

let cop: Coprocessor;
let sim: Coprocessor;
beforeAll(async () => {
  cop = await openCoprocessor('iss');
  sim = await openCoprocessor('sim');
}, SIM_TIMEOUT);
afterAll(async () => {
  await cop.close();
  await sim.close();
});

interface Outcome {
  readonly value: string | null;
  readonly error: string | null;
  readonly clock: number;
  readonly effects: string;
}

function interpret(source: string, file: string, world: unknown): Outcome {
  const r = runMain(loadProgram(parseProgram(source, file)), 'main', [], world === undefined ? {} : { world: parseWorld(world) });
  return { value: r.shown, error: r.error?.code ?? null, clock: r.clock, effects: JSON.stringify(r.effects) };
}

async function compiled(source: string, file: string, world: unknown, on: Coprocessor = cop): Promise<Outcome> {
  const c = compileSource(source, file, 'main');
  const r = await runImage(on, c.image, [], { budget: BUDGET, ...(world === undefined ? {} : { world: parseWorld(world) }) });
  return { value: r.shown, error: r.error?.code ?? null, clock: r.clock, effects: JSON.stringify(r.effects) };
}

/** Fails with the program, and the first divergence, when the two backends disagree. */
function agree(source: string, interp: Outcome, other: Outcome, backend = 'iss'): void {
  const fields = ['error', 'value', 'clock', 'effects'] as const;
  const first = fields.find((f) => interp[f] !== other[f]);
  if (first) throw new Error(`interp and ${backend} disagree on ${first}: ${JSON.stringify(interp[first])} vs ${JSON.stringify(other[first])}\nprogram:\n${source}`);
}

const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith('.tel')).sort();

describe('examples: interp vs iss', () => {
  for (const file of examples) {
    it(file, async () => {
      const source = readFileSync(join(EXAMPLES, file), 'utf8');
      let worldJson: unknown;
      try {
        worldJson = JSON.parse(readFileSync(join(EXAMPLES, file.replace(/\.tel$/, '.world.json')), 'utf8'));
      } catch {
        worldJson = undefined;
      }
      const iss = await compiled(source, file, worldJson);
      const reference = interpret(source, file, worldJson);
      // Without a garbage collector a program can outgrow the co-processor heap: that must be a clean E_BUDGET.
      if (iss.error === 'E_BUDGET' && reference.error === null) return;
      agree(source, reference, iss);
    });
  }
});

// ---- random well-typed programs ------------------------------------------------------

/** Int expressions over the variables in scope (all Ints). */
function intExpr(vars: readonly string[], depth: number): fc.Arbitrary<string> {
  const leaf = fc.oneof(
    fc.integer({ min: -2147483648, max: 2147483647 }).map((n) => (n < 0 ? `(${n})` : `${n}`)),
    fc.integer({ min: -3, max: 3 }).map((n) => (n < 0 ? `(${n})` : `${n}`)),
    ...(vars.length > 0 ? [fc.constantFrom(...vars)] : []),
  );
  if (depth <= 0) return leaf;
  const sub = intExpr(vars, depth - 1);
  const v = `v${depth}`;
  return fc.oneof(
    { weight: 2, arbitrary: leaf },
    { weight: 3, arbitrary: fc.tuple(sub, fc.constantFrom('+', '-', '*', '/', '`mod`'), sub).map(([a, op, b]) => `(${a} ${op} ${b})`) },
    { weight: 1, arbitrary: fc.tuple(sub, fc.constantFrom('==', '/=', '<', '>', '<=', '>='), sub, sub, sub).map(([a, op, b, t, e]) => `(if ${a} ${op} ${b} then ${t} else ${e})`) },
    { weight: 1, arbitrary: fc.tuple(sub, intExpr([...vars, v], depth - 1)).map(([x, body]) => `(let ${v} = ${x} in ${body})`) },
    { weight: 1, arbitrary: fc.tuple(intExpr([...vars, v], depth - 1), sub).map(([body, x]) => `((\\${v} -> ${body}) ${x})`) },
    { weight: 1, arbitrary: listExpr(vars, depth - 1).map((l) => `(sum ${l})`) },
    { weight: 1, arbitrary: listExpr(vars, depth - 1).map((l) => `(length ${l})`) },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => `(fst (${a}, ${b}))`) },
    { weight: 1, arbitrary: listExpr(vars, depth - 1).map((l) => `(case ${l} of { [] -> 0; (x:_) | x > 0 -> x; _ -> 1 })`) },
  );
}

function listExpr(vars: readonly string[], depth: number): fc.Arbitrary<string> {
  const item = intExpr(vars, Math.max(0, depth - 1));
  return fc.oneof(
    fc.array(item, { maxLength: 4 }).map((xs) => `[${xs.join(', ')}]`),
    fc.tuple(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3, max: 6 })).map(([a, b]) => `(range (${a}) (${b}))`),
    fc.tuple(fc.array(item, { maxLength: 3 }), item).map(([xs, k]) => `(map (\\y -> y * ${k}) [${xs.join(', ')}])`),
    fc.array(item, { maxLength: 4 }).map((xs) => `(filter (\\y -> y > 0) [${xs.join(', ')}])`),
    fc.tuple(fc.array(item, { maxLength: 3 }), fc.array(item, { maxLength: 3 })).map(([xs, ys]) => `(reverse ([${xs.join(', ')}] ++ [${ys.join(', ')}]))`),
  );
}

const program = fc.tuple(intExpr(['n'], 3), listExpr(['n'], 2), fc.integer({ min: -5, max: 30 })).map(([body, list, n]) =>
  [
    'step :: Int -> Int -> Int',
    `step n acc = if n <= 0 then acc else step (n - 1) (acc + ${body})`,
    'main :: (Int, [Int], Text)',
    `main = (step (${n}) 0, ${list.replace(/\bn\b/g, '1')}, show (${n}, [True], "q\\n"))`,
  ].join('\n'));

/** Effect Int expressions: sequencing, binds, choice with rollback, parallel, race, deadlines, ledger effects. */
function effExpr(depth: number, id = { n: 0 }): fc.Arbitrary<string> {
  const small = fc.integer({ min: -5, max: 50 });
  const leaf = fc.oneof(
    small.map((n) => `(return (${n}))`),
    fc.constant('now'),
    small.map((n) => `(emit (${n}) >> return ${Math.abs(n)})`),
    fc.tuple(fc.integer({ min: 1, max: 30 }), fc.constantFrom('deposit', 'withdraw')).map(([n, k]) => `(${k} ${n} ${k === 'deposit' ? 'to' : 'from'} "acc" on "tl" >> return ${n})`),
    fc.constant('(observe "k" on "tl")'),
  );
  if (depth <= 0) return leaf;
  const sub = effExpr(depth - 1, id);
  const ms = fc.integer({ min: 0, max: 2500 });
  const v = (): string => `x${id.n++}`;
  return fc.oneof(
    { weight: 2, arbitrary: leaf },
    { weight: 2, arbitrary: fc.tuple(sub, sub).map(([a, b]) => { const x = v(); const y = v(); return `(do { ${x} <- ${a}; ${y} <- ${b}; return (${x} * 2 + ${y}) })`; }) },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => `(${a} <| ${b})`) },
    { weight: 1, arbitrary: sub.map((a) => `(fail "boom" >> ${a})`) },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => { const p = v(); const q = v(); return `(do { (${p}, ${q}) <- (${a} <|> ${b}); return (${p} - ${q}) })`; }) },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => `(race ${a} ${b})`) },
    { weight: 1, arbitrary: fc.tuple(ms, sub).map(([d, a]) => `(after (${d} milliseconds) ${a})`) },
    { weight: 1, arbitrary: fc.tuple(ms, sub).map(([d, a]) => `(within (${d} milliseconds) ${a})`) },
    { weight: 1, arbitrary: fc.tuple(ms, sub).map(([t, a]) => `(at ${t} ${a})`) },
  );
}

const effectProgram = fc.tuple(effExpr(3), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 1500 })).map(([e, balance, latency]) => ({
  source: `main :: Effect Int\nmain = ${e}`,
  world: { balances: { tl: { acc: { native: balance } } }, facts: { tl: { k: 7 } }, latency: { tl: latency } },
}));

describe('random effect programs: interp vs iss', () => {
  it('agree on value, effect log and clock', async () => {
    await fc.assert(
      fc.asyncProperty(effectProgram, async ({ source, world }) => {
        agree(`${source}\n-- world: ${JSON.stringify(world)}`, interpret(source, 'effects.tel', world), await compiled(source, 'effects.tel', world));
      }),
      { numRuns: 12 },
    );
  });
});

describe('random programs: interp vs iss vs sim', () => {
  it('agree on value and error (iss)', async () => {
    await fc.assert(
      fc.asyncProperty(program, async (source) => {
        agree(source, interpret(source, 'random.tel', undefined), await compiled(source, 'random.tel', undefined));
      }),
      { numRuns: 12 },
    );
  });
  it('agree on value and error (sim)', async () => {
    await fc.assert(
      fc.asyncProperty(program, async (source) => {
        agree(source, interpret(source, 'random.tel', undefined), await compiled(source, 'random.tel', undefined, sim), 'sim');
      }),
      { numRuns: 2 },
    );
  }, SIM_TIMEOUT);
});

describe('examples: interp vs sim', () => {
  for (const file of SIM_EXAMPLES) {
    it(file, async () => {
      const source = readFileSync(join(EXAMPLES, file), 'utf8');
      agree(source, interpret(source, file, undefined), await compiled(source, file, undefined, sim), 'sim');
    }, SIM_TIMEOUT);
  }
});
