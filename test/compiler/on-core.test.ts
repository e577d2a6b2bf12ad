// `show` of a Double and `hashOf`, which the runtime computes on the core
// (firmware/tel-runtime/double.c: shortest round-trip digits in exact big
// integers; runtime.c: SHA-256 of the canonical form) with no ecall to the
// host, against the interpreter: random Doubles (fast-check's, which include
// NaN, the infinities, subnormals and signed zeros, random bit patterns and
// the edges of each notation) show bit-identically on the ISS, and random
// values of random types (nested lists and tuples of every first-order type)
// hash to the interpreter's Hash, whether the host wrote them or the core
// computed them; a few of each on the simulated SoC too.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { openCoprocessor, runImage, type Coprocessor } from '../../host/coprocessor/backend.js';
import { compileSource } from '../../host/compiler/compile.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseExpression, parseProgram } from '../../host/tel/parser.js';
import { Dbl, hashOfValue, HashV, listFromArray, showValue, Tuple, UNIT_VALUE, type Value } from '../../host/tel/values.js';

const SHOW = compileSource('main :: [Double] -> [Text]\nmain xs = map show xs\n', 'show.tel', 'main').image;
const HASH = compileSource('main :: [a] -> [Hash]\nmain xs = map hashOf xs\n', 'hash.tel', 'main').image;
// Values the core builds itself: Doubles from its soft-float, Texts from show and ++, lists and tuples from compiled code.
const COMPUTED = `main :: Int -> [Hash]
main n = [hashOf (show (toDouble n / 3.0) ++ "é\\n"), hashOf [(n, toDouble n * 0.1, n > 2)], hashOf (map (\\x -> [x, x * n]) [1, 2, 3]), hashOf ((), hashOf n, [[], [True]]), hashOf "", hashOf [toDouble (n - n) / 0.0, negate (toDouble n / 0.0)]]
`;
const OPAQUE = 'main :: Int -> Hash\nmain n = hashOf (\\x -> x + n)\n';
const BUDGET = { budget: 500_000_000 };

function fromBits(hi: number, lo: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, hi);
  view.setUint32(4, lo);
  return view.getFloat64(0);
}

/** Doubles at the edges: each notation's bounds and their neighbours, the extremes, powers of two and ten, ties of the shortest form. */
const EDGES: readonly number[] = [
  0,
  -0,
  NaN,
  Infinity,
  -Infinity,
  0.1,
  1e7,
  0.3,
  1 / 3,
  2 / 3,
  100,
  1234567.0,
  9999999.999999998,
  123456789,
  1e21,
  1e22,
  1e23,
  5e-324,
  1e-323,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  2.2250738585072014e-308,
  2.225073858507201e-308,
  Number.EPSILON,
  Number.MAX_SAFE_INTEGER,
  2 ** 53 + 2,
  2 ** 63,
  2 ** 64,
  2 ** -1022,
  2 ** -1023,
  2 ** 1023,
  2 ** 53 - 1,
  0.30000000000000004,
  4.35,
  1.5,
  -2.5e-7,
  fromBits(0x3fb99999, 0x99999999),
  fromBits(0x416312cf, 0xffffffff),
  fromBits(0x7ff00000, 1),
  fromBits(0xfff80000, 0),
  fromBits(0x000fffff, 0xffffffff),
].flatMap((x) => [x, -x]);

const bits = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff })).map(([hi, lo]) => fromBits(hi, lo));
/** Doubles with few significant bits (exact ties of the shortest form are among them), at any exponent. */
const short = fc.tuple(fc.integer({ min: 1, max: 1 << 20 }), fc.integer({ min: -1074, max: 1000 })).map(([m, e]) => m * 2 ** e);

let iss: Coprocessor;
beforeAll(async () => {
  iss = await openCoprocessor('iss');
});
afterAll(async () => {
  await iss.close();
});

/** The core's `show` of each Double against the interpreter's. */
async function expectShows(cop: Coprocessor, xs: readonly number[]): Promise<void> {
  const r = await runImage(cop, SHOW, [listFromArray(xs.map((x) => new Dbl(x)))], BUDGET);
  expect(r.error).toBeNull();
  expect(r.shown).toBe(showValue(listFromArray(xs.map((x) => showValue(new Dbl(x))))));
}

/** The core's `hashOf` of each value against the interpreter's. */
async function expectHashes(cop: Coprocessor, values: readonly Value[]): Promise<void> {
  const r = await runImage(cop, HASH, [listFromArray(values)], BUDGET);
  expect(r.error).toBeNull();
  expect(r.shown).toBe(showValue(listFromArray(values.map(hashOfValue))));
}

type Ty = 'Int' | 'Double' | 'Bool' | 'Text' | 'Unit' | 'Hash' | { readonly list: Ty } | { readonly tuple: readonly Ty[] };

const types: fc.Arbitrary<Ty> = fc.letrec<{ ty: Ty; list: Ty; tuple: Ty }>((tie) => ({
  ty: fc.oneof({ depthSize: 'small' }, fc.constantFrom<Ty>('Int', 'Double', 'Bool', 'Text', 'Unit', 'Hash'), tie('list'), tie('tuple')),
  list: tie('ty').map((t) => ({ list: t })),
  tuple: fc.array(tie('ty'), { minLength: 2, maxLength: 4 }).map((ts) => ({ tuple: ts })),
})).ty;

function valuesOf(t: Ty): fc.Arbitrary<Value> {
  switch (t) {
    case 'Int':
      return fc.integer({ min: -2147483648, max: 2147483647 });
    case 'Double':
      return fc.oneof(fc.double(), bits).map((x) => new Dbl(x));
    case 'Bool':
      return fc.boolean();
    case 'Text':
      return fc.oneof(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.string({ unit: 'binary-ascii', maxLength: 8 }));
    case 'Unit':
      return fc.constant(UNIT_VALUE);
    case 'Hash':
      return fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => new HashV(Buffer.from(b).toString('hex')));
    default:
      if ('list' in t) return fc.array(valuesOf(t.list), { maxLength: 6 }).map(listFromArray);
      return fc.tuple(...t.tuple.map(valuesOf)).map((items) => new Tuple(items));
  }
}

describe('show of a Double on the core', () => {
  it("is the interpreter's text for the edge cases, random Doubles and random bit patterns (ISS)", async () => {
    await expectShows(iss, EDGES);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.double(), bits, short), { minLength: 1, maxLength: 300 }), (xs) => expectShows(iss, xs)),
      { numRuns: 30 },
    );
  });
});

describe('hashOf on the core', () => {
  it("is the interpreter's Hash of random values of random types (ISS)", async () => {
    await fc.assert(
      fc.asyncProperty(
        types.chain((t) => fc.array(valuesOf(t), { minLength: 1, maxLength: 8 })),
        (values) => expectHashes(iss, values),
      ),
      { numRuns: 60 },
    );
    // one block and several: the canonical form's length across SHA-256's padding boundary (55, 56, 64 bytes)
    await expectHashes(
      iss,
      [0, 46, 47, 50, 51, 55, 56, 59, 60, 119, 200, 5000].map((n) => 'x'.repeat(n)),
    );
  });

  it('of values the core computed is the interpreter’s; of a function it is E_UNSUPPORTED on both', async () => {
    const computed = compileSource(COMPUTED, 'computed.tel', 'main').image;
    const loaded = loadProgram(parseProgram(COMPUTED, 'computed.tel'));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -100000, max: 100000 }), async (n) => {
        const reference = runMain(loaded, 'main', [parseExpression(n < 0 ? `(${n})` : String(n), '<arg>')]);
        const r = await runImage(iss, computed, [n], BUDGET);
        expect(r.error).toBeNull();
        expect(r.shown).toBe(reference.shown);
      }),
      { numRuns: 10 },
    );
    const reference = runMain(loadProgram(parseProgram(OPAQUE, 'opaque.tel')), 'main', [parseExpression('1', '<arg>')]);
    const r = await runImage(iss, compileSource(OPAQUE, 'opaque.tel', 'main').image, [1], BUDGET);
    expect([r.error?.code, r.error?.message]).toEqual([reference.error?.code, reference.error?.message]);
    expect(r.error?.code).toBe('E_UNSUPPORTED');
  });
});

describe('on the simulated SoC', () => {
  let sim: Coprocessor;
  beforeAll(async () => {
    sim = await openCoprocessor('sim');
  });
  afterAll(async () => {
    await sim.close();
  });

  it('show of Doubles and hashOf agree with the interpreter', async () => {
    await expectShows(sim, [1.5, -0, NaN, 5e-324, Number.MAX_VALUE, 0.1, 1e7, 1 / 3, -1e-7]);
    await expectHashes(sim, [listFromArray([1, 2]), new Tuple([new Dbl(-0), 'é', true, UNIT_VALUE]), 'x'.repeat(60)]);
  }, 600_000);
});
