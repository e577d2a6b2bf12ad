// The decoder and disassembler: encoded fields come back from decode for
// every instruction form, any 32-bit word decodes (illegal or not) and
// disassembles without throwing, and the text names operands as objdump does.
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { decode } from '../../host/riscv/decode.js';
import { disassemble } from '../../host/riscv/disasm.js';
import { BRANCH_OPS, I_OPS, LOAD_OPS, R_OPS, SHIFT_OPS, STORE_OPS, auipc, bType, csr, iType, jal, lui, rType, sType } from './asm.js';

const reg = fc.integer({ min: 0, max: 31 });
const imm12 = fc.integer({ min: -2048, max: 2047 });

describe('decode', () => {
  it('returns the fields every form was encoded with', () => {
    fc.assert(
      fc.property(fc.constantFrom(...R_OPS), reg, reg, reg, (op, rd, a, b) => {
        expect(decode(rType(op, rd, a, b))).toMatchObject({ op, rd, rs1: a, rs2: b });
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...I_OPS, ...LOAD_OPS, 'jalr'), reg, reg, imm12, (op, rd, a, imm) => {
        expect(decode(iType(op, rd, a, imm))).toMatchObject({ op, rd, rs1: a, imm });
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...SHIFT_OPS), reg, reg, fc.integer({ min: 0, max: 31 }), (op, rd, a, sh) => {
        expect(decode(iType(op, rd, a, sh))).toMatchObject({ op, rd, rs1: a, imm: sh });
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...STORE_OPS), reg, reg, imm12, (op, a, b, imm) => {
        expect(decode(sType(op, a, b, imm))).toMatchObject({ op, rs1: a, rs2: b, imm });
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...BRANCH_OPS), reg, reg, fc.integer({ min: -2048, max: 2047 }), (op, a, b, half) => {
        expect(decode(bType(op, a, b, half * 2))).toMatchObject({ op, rs1: a, rs2: b, imm: half * 2 });
      }),
    );
    fc.assert(
      fc.property(reg, fc.integer({ min: -(1 << 19), max: (1 << 19) - 1 }), (rd, half) => {
        expect(decode(jal(rd, half * 2))).toMatchObject({ op: 'jal', rd, imm: half * 2 });
      }),
    );
    fc.assert(
      fc.property(reg, fc.integer({ min: 0, max: 0xfffff }), (rd, hi) => {
        expect(decode(lui(rd, hi << 12))).toMatchObject({ op: 'lui', rd, imm: hi << 12 });
        expect(decode(auipc(rd, hi << 12))).toMatchObject({ op: 'auipc', rd, imm: hi << 12 });
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom('csrrw', 'csrrs', 'csrrc'), reg, fc.integer({ min: 0, max: 0xfff }), reg, (op, rd, n, a) => {
        expect(decode(csr(op, rd, n, a))).toMatchObject({ op, rd, csr: n, rs1: a });
        expect(decode(csr(`${op}i`, rd, n, a))).toMatchObject({ op: `${op}i`, rd, csr: n, imm: a });
      }),
    );
  });

  it('decodes and disassembles any word; words with low bits other than 11 are illegal', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0x3fffffff }), (word, pc) => {
        const insn = decode(word);
        const text = disassemble(word, pc * 4);
        if ((word & 3) !== 3) expect(insn.op).toBe('illegal');
        expect(text.startsWith(insn.op === 'illegal' ? '.word' : insn.op)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('names registers and targets', () => {
    expect(disassemble(iType('addi', 10, 0, 10))).toBe('addi a0, zero, 10');
    expect(disassemble(rType('mulhsu', 5, 6, 7))).toBe('mulhsu t0, t1, t2');
    expect(disassemble(iType('lw', 1, 2, -4))).toBe('lw ra, -4(sp)');
    expect(disassemble(sType('sb', 8, 9, 3))).toBe('sb s1, 3(s0)');
    expect(disassemble(bType('bgeu', 10, 11, -8), 0x80000010)).toBe('bgeu a0, a1, 0x80000008');
    expect(disassemble(jal(1, 0x100), 0x80000000)).toBe('jal ra, 0x80000100');
    expect(disassemble(lui(5, 0x12345000))).toBe('lui t0, 0x12345');
    expect(disassemble(csr('csrrs', 6, 0xb00, 0))).toBe('csrrs t1, mcycle, zero');
    expect(disassemble(csr('csrrwi', 0, 0x7c0, 3))).toBe('csrrwi zero, 0x7c0, 3');
    expect(disassemble(0x30200073)).toBe('mret');
    expect(disassemble(0xffffffff)).toBe('.word 0xffffffff');
  });
});
