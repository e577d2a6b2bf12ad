// Every RV32IM instruction against a BigInt reference model with random and
// corner operands, on both engines: the interpreter and the block translator.
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import type { IssOptions } from '../../host/riscv/iss.js';
import { BRANCH_OPS, I_OPS, LOAD_OPS, R_OPS, SHIFT_OPS, STORE_OPS, auipc, bType, csr, exitWith, iType, issWith, jal, li, lui, rType, sType } from './asm.js';

const ENGINES: readonly [string, IssOptions][] = [
  ['interpreter', { jit: false, ramBytes: 4096 }],
  ['translator', { translateAfter: 1, ramBytes: 4096 }],
];

const MIN = -0x80000000;
const MAX = 0x7fffffff;
const word = fc.oneof(fc.constantFrom(0, 1, -1, 2, -2, 31, 32, 33, MIN, MAX, MIN + 1, 0x1234, -0x8000, 0x7fff), fc.integer({ min: MIN, max: MAX }));

const S = (x: number): bigint => BigInt.asIntN(32, BigInt(x));
const U = (x: number): bigint => BigInt.asUintN(32, BigInt(x));
const u32 = (x: bigint): number => Number(BigInt.asUintN(32, x));

/** The reference: RV32IM semantics in BigInt, written from the spec, unsigned result. */
function reference(op: string, a: number, b: number): number {
  const sh = BigInt(b & 31);
  switch (op) {
    case 'add':
    case 'addi':
      return u32(S(a) + S(b));
    case 'sub':
      return u32(S(a) - S(b));
    case 'sll':
    case 'slli':
      return u32(U(a) << sh);
    case 'srl':
    case 'srli':
      return u32(U(a) >> sh);
    case 'sra':
    case 'srai':
      return u32(S(a) >> sh);
    case 'slt':
    case 'slti':
      return S(a) < S(b) ? 1 : 0;
    case 'sltu':
    case 'sltiu':
      return U(a) < U(b) ? 1 : 0;
    case 'xor':
    case 'xori':
      return u32(U(a) ^ U(b));
    case 'or':
    case 'ori':
      return u32(U(a) | U(b));
    case 'and':
    case 'andi':
      return u32(U(a) & U(b));
    case 'mul':
      return u32(S(a) * S(b));
    case 'mulh':
      return u32((S(a) * S(b)) >> 32n);
    case 'mulhsu':
      return u32((S(a) * U(b)) >> 32n);
    case 'mulhu':
      return u32((U(a) * U(b)) >> 32n);
    case 'div':
      return b === 0 ? 0xffffffff : a === MIN && b === -1 ? u32(S(a)) : u32(S(a) / S(b));
    case 'divu':
      return b === 0 ? 0xffffffff : u32(U(a) / U(b));
    case 'rem':
      return b === 0 ? u32(S(a)) : a === MIN && b === -1 ? 0 : u32(S(a) % S(b));
    case 'remu':
      return b === 0 ? u32(U(a)) : u32(U(a) % U(b));
    default:
      throw new Error(op);
  }
}

const DATA = 0x80000800;

describe.each(ENGINES)('RV32IM on the %s', (_name, options) => {
  it('register-register operations match the reference', () => {
    fc.assert(
      fc.property(fc.constantFrom(...R_OPS), word, word, fc.integer({ min: 1, max: 29 }), (op, a, b, rd) => {
        const iss = issWith([rType(op, rd, 1, 2), ...exitWith(1)], options);
        iss.setReg(1, a);
        iss.setReg(2, b);
        expect(iss.run({ maxCycles: 1000 }).ended).toBe('exit');
        expect(iss.reg(rd)).toBe(reference(op, a, b));
      }),
      { numRuns: 300 },
    );
  });

  it('register-immediate operations and shifts by immediate match the reference', () => {
    fc.assert(
      fc.property(fc.constantFrom(...I_OPS, ...SHIFT_OPS), word, fc.integer({ min: -2048, max: 2047 }), (op, a, imm) => {
        const operand = SHIFT_OPS.includes(op) ? imm & 31 : imm;
        const iss = issWith([iType(op, 3, 1, operand), ...exitWith(1)], options);
        iss.setReg(1, a);
        iss.run({ maxCycles: 1000 });
        expect(iss.reg(3)).toBe(reference(op, a, operand));
      }),
      { numRuns: 300 },
    );
  });

  it('x0 stays zero whatever is written to it', () => {
    const iss = issWith([iType('addi', 0, 0, 5), rType('mul', 0, 0, 0), lui(0, 0x12345000), iType('addi', 1, 0, 0), ...exitWith(1)], options);
    iss.run({ maxCycles: 1000 });
    expect(iss.reg(0)).toBe(0);
    expect(iss.reg(1)).toBe(0);
  });

  it('lui and auipc', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xfffff }), (hi) => {
        const iss = issWith([lui(1, hi << 12), auipc(2, hi << 12), ...exitWith(1)], options);
        iss.run({ maxCycles: 1000 });
        expect(iss.reg(1)).toBe((hi << 12) >>> 0);
        expect(iss.reg(2)).toBe((0x80000004 + (hi << 12)) >>> 0);
      }),
    );
  });

  it('loads sign- or zero-extend what stores wrote, and traps on misalignment with mtval = the address', () => {
    fc.assert(
      fc.property(fc.constantFrom(...LOAD_OPS), fc.constantFrom(...STORE_OPS), word, fc.integer({ min: 0, max: 15 }), (load, store, value, offset) => {
        const storeSize = { sb: 1, sh: 2, sw: 4 }[store]!;
        const loadSize = { lb: 1, lbu: 1, lh: 2, lhu: 2, lw: 4 }[load]!;
        const handler = 0x80000100;
        const iss = issWith(
          [
            ...li(5, handler),
            csr('csrrw', 0, 0x305, 5),
            sType('sw', 1, 0, 0),
            sType('sw', 1, 0, 4),
            sType('sw', 1, 0, 8),
            sType('sw', 1, 0, 12),
            sType('sw', 1, 0, 16),
            sType(store, 1, 2, offset),
            iType(load, 3, 1, offset),
            ...exitWith(1),
            ...new Array(64).fill(0).map(() => 0x13), // nops up to the handler
          ]
            .slice(0, 64)
            .concat(exitWith(3)),
          options,
        );
        iss.setReg(1, DATA);
        iss.setReg(2, value);
        const result = iss.run({ maxCycles: 10_000 });
        const address = DATA + offset;
        if (offset % storeSize !== 0) {
          expect(result.exitCode).toBe(1);
          expect(iss.csr(0x342)).toBe(6);
          expect(iss.csr(0x343)).toBe(address);
          return;
        }
        if (offset % loadSize !== 0) {
          expect(result.exitCode).toBe(1);
          expect(iss.csr(0x342)).toBe(4);
          expect(iss.csr(0x343)).toBe(address);
          return;
        }
        expect(result.exitCode).toBe(0);
        const memory = new Uint8Array(20);
        const stored = new DataView(new ArrayBuffer(4));
        stored.setInt32(0, value, true);
        memory.set(new Uint8Array(stored.buffer).subarray(0, storeSize), offset);
        expect(iss.readMemory(DATA, 20)).toEqual(memory);
        const view = new DataView(memory.buffer);
        const expected = { lb: view.getInt8(offset), lbu: view.getUint8(offset), lh: view.getInt16(offset, true), lhu: view.getUint16(offset, true), lw: view.getInt32(offset, true) }[load]!;
        expect(iss.reg(3)).toBe(expected >>> 0);
      }),
      { numRuns: 300 },
    );
  });

  it('branches: taken or not as the reference compare says', () => {
    fc.assert(
      fc.property(fc.constantFrom(...BRANCH_OPS), word, word, (op, a, b) => {
        // taken → skips the addi that marks "not taken"
        const iss = issWith([bType(op, 1, 2, 8), iType('addi', 3, 0, 1), ...exitWith(1)], options);
        iss.setReg(1, a);
        iss.setReg(2, b);
        iss.run({ maxCycles: 1000 });
        const taken = { beq: a === b, bne: a !== b, blt: a < b, bge: a >= b, bltu: a >>> 0 < b >>> 0, bgeu: a >>> 0 >= b >>> 0 }[op]!;
        expect(iss.reg(3)).toBe(taken ? 0 : 1);
      }),
      { numRuns: 200 },
    );
  });

  it('jal and jalr link pc+4, jalr clears bit 0 and may use its own rd as base', () => {
    const iss = issWith(
      [
        jal(1, 8), // 0: → 8
        iType('addi', 10, 0, 99), // 4: skipped
        ...li(2, 0x80000019), // 8, c: target 0x80000018 after clearing bit 0
        iType('jalr', 2, 2, 0), // 10: rd = rs1
        iType('addi', 10, 0, 98), // 14: skipped
        ...exitWith(1), // 18
      ],
      options,
    );
    iss.run({ maxCycles: 1000 });
    expect(iss.reg(1)).toBe(0x80000004);
    expect(iss.reg(2)).toBe(0x80000014);
    expect(iss.reg(10)).toBe(0);
  });

  it('a taken branch or jump to a target that is not a multiple of 4 traps with cause 0 and mtval = the target, writing nothing', () => {
    for (const insn of [jal(1, 6), bType('beq', 0, 0, 6), iType('jalr', 1, 2, 2)]) {
      const iss = issWith([...li(5, 0x80000100), csr('csrrw', 0, 0x305, 5), ...li(2, 0x80000000), insn, ...new Array(58).fill(0x13), ...exitWith(1)], options);
      const result = iss.run({ maxCycles: 10_000 });
      expect(result.ended).toBe('exit');
      expect(iss.csr(0x342)).toBe(0);
      expect(iss.csr(0x341)).toBe(0x80000014);
      expect(iss.csr(0x343)).toBe(insn === iType('jalr', 1, 2, 2) ? 0x80000002 : 0x8000001a);
      expect(iss.reg(1)).toBe(0);
    }
  });
});
