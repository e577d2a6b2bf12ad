// Doubles on the co-processor (libgcc soft-float) against the interpreter
// (JavaScript numbers): random operands, including NaN, infinities,
// subnormals and signed zeros, give bit-identical results for + - * /,
// comparisons, truncate, toDouble and `show`.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { openCoprocessor, runImage, type Coprocessor } from '../../host/coprocessor/backend.js';
import { compileSource } from '../../host/compiler/compile.js';
import type { Expr } from '../../host/tel/ast.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseProgram } from '../../host/tel/parser.js';
import { Dbl } from '../../host/tel/values.js';

const SOURCE = `
main :: Double -> Double -> Int -> ([Double], [Bool], Int, Double, Text)
main a b n = ([a + b, a - b, a * b, a / b, negate a, abs b], [a < b, a == b, a >= b, a /= b], truncate a, toDouble n, show [a, b])
`;

let cop: Coprocessor;
beforeAll(async () => {
  cop = await openCoprocessor('iss');
});
afterAll(async () => {
  await cop.close();
});

const image = compileSource(SOURCE, 'doubles.tel', 'main').image;
const loaded = loadProgram(parseProgram(SOURCE, 'doubles.tel'));
const span = { file: 'args', line: 1, col: 1 };

describe('Double agreement', () => {
  it('is bit-identical to the interpreter', async () => {
    await fc.assert(
      fc.asyncProperty(fc.double(), fc.double(), fc.integer({ min: -2147483648, max: 2147483647 }), async (a, b, n) => {
        const lits: Expr[] = [
          { tag: 'Lit', lit: { kind: 'double', value: a }, span },
          { tag: 'Lit', lit: { kind: 'double', value: b }, span },
          { tag: 'Lit', lit: { kind: 'int', value: n }, span },
        ];
        const reference = runMain(loaded, 'main', lits);
        const r = await runImage(cop, image, [new Dbl(a), new Dbl(b), n], { budget: 10_000_000 });
        expect(r.error).toBeNull();
        expect(r.shown).toBe(reference.shown);
      }),
      { numRuns: 25 },
    );
  });
});
