// The assembler against the ISS's decoder: every instruction the code
// generator emits decodes back to the same operation and operands (random
// registers and immediates), branches and jumps reach their labels, far
// branches are lengthened, and out-of-range immediates fail loudly.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Asm, REG } from '../../host/compiler/asm.js';
import { decode } from '../../host/riscv/decode.js';

const reg = fc.integer({ min: 0, max: 31 });
const imm12 = fc.integer({ min: -2048, max: 2047 });
const BASE = 0x80010000;

function one(emit: (a: Asm) => void): number {
  const a = new Asm();
  emit(a);
  const out = a.assemble(BASE, new Map());
  return new DataView(out.bytes.buffer).getUint32(0, true);
}

describe('assembler', () => {
  it('R-type and M instructions decode to their operands', () => {
    const ops = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'or', 'and', 'mul', 'div', 'rem'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...ops), reg, reg, reg, (op, rd, rs1, rs2) => {
        const insn = decode(one((a) => a[op](rd, rs1, rs2)));
        expect(insn).toMatchObject({ op, rd, rs1, rs2 });
      }),
    );
  });
  it('I-type, loads, stores and CSR reads decode to their operands', () => {
    fc.assert(
      fc.property(reg, reg, imm12, (rd, rs1, imm) => {
        expect(decode(one((a) => a.addi(rd, rs1, imm)))).toMatchObject({ op: 'addi', rd, rs1, imm });
        expect(decode(one((a) => a.sltiu(rd, rs1, imm)))).toMatchObject({ op: 'sltiu', rd, rs1, imm });
        expect(decode(one((a) => a.xori(rd, rs1, imm)))).toMatchObject({ op: 'xori', rd, rs1, imm });
        expect(decode(one((a) => a.andi(rd, rs1, imm)))).toMatchObject({ op: 'andi', rd, rs1, imm });
        expect(decode(one((a) => a.lw(rd, imm, rs1)))).toMatchObject({ op: 'lw', rd, rs1, imm });
        expect(decode(one((a) => a.sw(rd, imm, rs1)))).toMatchObject({ op: 'sw', rs2: rd, rs1, imm });
        expect(decode(one((a) => a.jalr(rd, rs1, imm)))).toMatchObject({ op: 'jalr', rd, rs1, imm });
        expect(decode(one((a) => a.csrr(rd, 0xb00)))).toMatchObject({ op: 'csrrs', rd, rs1: 0, csr: 0xb00 });
      }),
    );
  });
  it('shifts by an immediate decode to their operands and amount', () => {
    fc.assert(
      fc.property(fc.constantFrom('slli', 'srli', 'srai') as fc.Arbitrary<'slli' | 'srli' | 'srai'>, reg, reg, fc.integer({ min: 0, max: 31 }), (op, rd, rs1, sh) => {
        expect(decode(one((a) => a[op](rd, rs1, sh)))).toMatchObject({ op, rd, rs1, imm: sh });
      }),
    );
  });
  it('li and la load any 32-bit constant (lui + addi)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2147483648, max: 2147483647 }), (v) => {
        const a = new Asm();
        a.li(REG.a0, v);
        a.la(REG.a1, 'x', 0);
        const out = a.assemble(BASE, new Map([['x', v >>> 0]]));
        const view = new DataView(out.bytes.buffer);
        const regs = new Int32Array(32);
        for (let pc = 0; pc < out.bytes.length; pc += 4) {
          const i = decode(view.getUint32(pc, true));
          if (i.op === 'lui') regs[i.rd] = i.imm;
          else if (i.op === 'addi') regs[i.rd] = (regs[i.rs1]! + i.imm) | 0;
          else throw new Error(`unexpected ${i.op}`);
        }
        expect(regs[REG.a0]).toBe(v);
        expect(regs[REG.a1]).toBe(v);
      }),
    );
  });
  it('branches and jumps reach their labels; far branches become branch-over-jal', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.constantFrom('beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu' as const), (gap, op) => {
        const a = new Asm();
        a.branch(op, REG.a0, REG.a1, 'target');
        for (let i = 0; i < gap; i++) a.addi(0, 0, 0);
        a.label('target');
        a.j('target');
        const out = a.assemble(BASE, new Map());
        const view = new DataView(out.bytes.buffer);
        const target = out.labels.get('target')!;
        const first = decode(view.getUint32(0, true));
        if (first.op === op) expect(BASE + first.imm).toBe(target);
        else {
          expect(first.imm).toBe(8);
          const jump = decode(view.getUint32(4, true));
          expect(jump.op).toBe('jal');
          expect(BASE + 4 + jump.imm).toBe(target);
        }
        const back = decode(view.getUint32(target - BASE, true));
        expect(back).toMatchObject({ op: 'jal', rd: 0, imm: 0 });
      }),
      { numRuns: 40 },
    );
  });
  it('rejects immediates that do not fit and undefined labels', () => {
    expect(() => one((a) => a.addi(1, 1, 2048))).toThrow(/E_UNSUPPORTED|not supported/);
    expect(() => one((a) => a.j('nowhere'))).toThrow(/undefined label/);
  });
});
