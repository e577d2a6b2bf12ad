// B1's ALU (rtl/core/cax_alu.v) under the bridge, against a TypeScript
// model of the RV32I operations written from the ISA manual: random and
// corner operands for every op code, including the unassigned ones (which
// yield 0).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { BUILD_TIMEOUT_MS } from '../../host/bridge/build.js';
import { Dut, type Signal } from '../../host/bridge/dut.js';

type AluPorts = 'op' | 'a' | 'b' | 'y';

/** y for op = {funct7[5], funct3}, all values unsigned 32-bit. */
function referenceAlu(op: number, a: number, b: number): number {
  const shamt = b & 31;
  switch (op) {
    case 0b0000:
      return (a + b) >>> 0;
    case 0b1000:
      return (a - b) >>> 0;
    case 0b0001:
      return (a << shamt) >>> 0;
    case 0b0010:
      return (a | 0) < (b | 0) ? 1 : 0;
    case 0b0011:
      return a < b ? 1 : 0;
    case 0b0100:
      return (a ^ b) >>> 0;
    case 0b0101:
      return a >>> shamt;
    case 0b1101:
      return (a >> shamt) >>> 0;
    case 0b0110:
      return (a | b) >>> 0;
    case 0b0111:
      return (a & b) >>> 0;
    default:
      return 0;
  }
}

const word = fc.oneof(fc.integer({ min: 0, max: 0xffff_ffff }), fc.constantFrom(0, 1, 2, 31, 32, 0x7fff_ffff, 0x8000_0000, 0x8000_0001, 0xffff_fffe, 0xffff_ffff));

let dut: Dut & Record<AluPorts, Signal>;

beforeAll(async () => {
  dut = await Dut.build<AluPorts>('rtl/core/cax_alu.v', { searchDirs: [] });
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await dut.close();
});

describe('cax_alu', () => {
  it('computes what the RV32I model computes, for every op code', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 15 }), word, word, async (op, a, b) => {
        dut.op.value = op;
        dut.a.value = a;
        dut.b.value = b;
        await dut.settle();
        expect(dut.y.value).toBe(referenceAlu(op, a, b));
      }),
      { numRuns: 3000 },
    );
  });

  it('shifts by every amount, using only the low five bits of b', async () => {
    for (const op of [0b0001, 0b0101, 0b1101]) {
      for (let amount = 0; amount < 64; amount++) {
        dut.op.value = op;
        dut.a.value = 0x8765_4321;
        dut.b.value = (amount | 0xffff_ffc0) >>> 0;
        await dut.settle();
        expect(dut.y.value).toBe(referenceAlu(op, 0x8765_4321, amount));
      }
    }
  });
});
