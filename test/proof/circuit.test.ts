// The step circuit against the ISS, witness by witness (no proving, so it is
// fast): random RV32IM programs (every ALU, shift, M, load, store and branch
// kind with random operands) run on the ISS give traces whose every chunk
// satisfies the circuit (completeness), and a random change to one record
// of such a trace is refused by the circuit or by the prover's checks.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import fc from 'fast-check';
import * as snarkjs from 'snarkjs';
import { compileCircuit, type Circuit } from '../../host/proof/circuit.js';
import { releaseCurve } from '../../host/proof/curve.js';
import { codeWords, imageHash } from '../../host/proof/image.js';
import { buildStatement, type Statement } from '../../host/proof/statement.js';
import type { TraceRecord } from '../../host/riscv/trace.js';
import { BRANCH_OPS, I_OPS, LOAD_OPS, R_OPS, SHIFT_OPS, STORE_OPS, bType, exitWith, iType, issWith, li, rType, sType } from '../riscv/asm.js';

const HOME = 'build/proof/home';
const SIZE = { steps: 4, codeWords: 96 };
const SCRATCH = 0x80000200;
let circuit: Circuit;

beforeAll(async () => {
  circuit = await compileCircuit(SIZE, HOME);
}, 600_000);
afterAll(() => releaseCurve());

const reg = fc.integer({ min: 0, max: 7 });
const dest = fc.integer({ min: 1, max: 7 });
const value = fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom(0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 5, -5));
const instruction: fc.Arbitrary<number[]> = fc.oneof(
  fc.tuple(fc.constantFrom(...R_OPS), dest, reg, reg).map(([op, rd, a, b]) => [rType(op, rd, a, b)]),
  fc.tuple(fc.constantFrom(...I_OPS), dest, reg, fc.integer({ min: -2048, max: 2047 })).map(([op, rd, a, imm]) => [iType(op, rd, a, imm)]),
  fc.tuple(fc.constantFrom(...SHIFT_OPS), dest, reg, fc.integer({ min: 0, max: 31 })).map(([op, rd, a, sh]) => [iType(op, rd, a, sh)]),
  fc.tuple(fc.constantFrom(...STORE_OPS), reg, fc.integer({ min: 0, max: 2 })).map(([op, b, k]) => [sType(op, 8, b, op === 'sw' ? 4 * k : op === 'sh' ? 2 * k + 4 : k + 5)]),
  fc.tuple(fc.constantFrom(...LOAD_OPS), dest, fc.integer({ min: 0, max: 2 })).map(([op, rd, k]) => [iType(op, rd, 8, op === 'lw' ? 4 * k : op.startsWith('lh') ? 2 * k + 4 : k + 5)]),
  fc.tuple(fc.constantFrom(...BRANCH_OPS), reg, reg, dest).map(([op, a, b, rd]) => [bType(op, a, b, 8), iType('addi', rd, rd, 1)]),
);
const program: fc.Arbitrary<number[]> = fc
  .tuple(fc.array(value, { minLength: 7, maxLength: 7 }), fc.array(instruction, { minLength: 1, maxLength: 24 }))
  .map(([values, body]) => [...values.flatMap((v, i) => li(i + 1, v)), ...li(8, SCRATCH), ...body.flat(), ...exitWith(1)]);

function run(words: readonly number[]): { trace: TraceRecord[]; image: Uint8Array } {
  const iss = issWith(words);
  const trace: TraceRecord[] = [];
  iss.setTraceSink((r) => trace.push(r));
  expect(iss.run({ maxCycles: 100_000 }).ended).toBe('exit');
  return { trace, image: new Uint8Array(new Uint32Array(words).buffer) };
}

/** Index of the first chunk whose witness the circuit refuses, or -1. */
async function firstRefused(statement: Statement): Promise<number> {
  for (let k = 0; k < statement.inputs.length; k++) {
    try {
      await snarkjs.wtns.calculate(statement.inputs[k], circuit.wasm, { type: 'mem' });
    } catch {
      return k;
    }
  }
  return -1;
}

describe('the step circuit against the ISS', () => {
  it('accepts every chunk of the traces of random programs', async () => {
    await fc.assert(
      fc.asyncProperty(program, async (words) => {
        const { trace, image } = run(words);
        const statement = buildStatement(trace, image, codeWords(image, SIZE.codeWords), SIZE);
        expect(await firstRefused(statement)).toBe(-1);
      }),
      { numRuns: 12 },
    );
  });

  it('refuses a trace with one field of one record changed', async () => {
    const fields = ['pc', 'rd', 'rdValue', 'memAddr', 'memData', 'memWrite'] as const;
    await fc.assert(
      fc.asyncProperty(program, fc.nat(), fc.constantFrom(...fields), fc.integer({ min: 1, max: 0xffff }), async (words, pick, field, delta) => {
        const { trace, image } = run(words);
        const i = pick % trace.length;
        const r = trace[i]!;
        const changed: TraceRecord = field === 'memWrite' ? { ...r, memWrite: !r.memWrite } : field === 'rd' ? { ...r, rd: (r.rd + delta) % 32 === r.rd ? (r.rd + 1) % 32 : (r.rd + delta) % 32 } : { ...r, [field]: ((r[field] as number) + delta) >>> 0 };
        const bad = trace.map((x, k) => (k === i ? changed : x));
        let refused: boolean;
        try {
          refused = (await firstRefused(buildStatement(bad, image, codeWords(image, SIZE.codeWords), SIZE))) >= 0;
        } catch (e) {
          refused = ['E_PROOF_REJECTED', 'E_TRACE'].includes((e as { code?: string }).code ?? '');
        }
        expect(refused).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it('refuses a load whose data is not the value loaded, with no prover check in the way', async () => {
    const { trace, image } = run([...li(1, 0x1234), ...li(8, SCRATCH), sType('sw', 8, 1, 0), iType('lw', 2, 8, 0), ...exitWith(1)]);
    const statement = buildStatement(trace, image, codeWords(image, SIZE.codeWords), SIZE);
    expect(await firstRefused(statement)).toBe(-1);
    const load = trace.findIndex((r) => r.memMask !== 0 && !r.memWrite);
    const chunk = Math.floor(load / SIZE.steps);
    const input = statement.inputs[chunk]!;
    const data = [...(input.tMemData as string[])];
    data[load % SIZE.steps] = String(0x1235);
    const inputs = statement.inputs.map((x, k) => (k === chunk ? { ...x, tMemData: data } : x));
    expect(await firstRefused({ ...statement, inputs })).toBe(chunk);
  });

  it('refuses what it cannot prove: traps, CSRs, an image larger than its code words', () => {
    const { trace, image } = run([...li(1, 5), ...exitWith(1)]);
    const code = codeWords(image, SIZE.codeWords);
    expect(() => buildStatement([{ ...trace[0]!, trap: true, cause: 11 }, ...trace.slice(1)], image, code, SIZE)).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }));
    expect(() => buildStatement([{ ...trace[0]!, insn: 0x30002573 }, ...trace.slice(1)], image, code, SIZE)).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }));
    expect(() => buildStatement(trace.slice(0, -1), image, code, SIZE)).toThrow(expect.objectContaining({ code: 'E_TRACE' }));
    expect(() => codeWords(new Uint8Array(SIZE.codeWords * 4 + 1), SIZE.codeWords)).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }));
    expect(imageHash(image)).toMatch(/^[0-9a-f]{64}$/);
  });
});
