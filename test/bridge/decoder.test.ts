// B1's instruction decoder (rtl/core/cax_decoder.v) under the bridge,
// differentially against the ISS's decoder (host/riscv/decode.ts): for random
// words and for words built around every major opcode, the RTL must agree on
// legality, instruction class, register fields, immediates and ALU control.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { BUILD_TIMEOUT_MS } from '../../host/bridge/build.js';
import { Dut, type Signal } from '../../host/bridge/dut.js';
import { decode, isDivide, isLoad, isStore, type Op } from '../../host/riscv/decode.js';

const CLASS_PORTS = ['is_alu', 'is_jal', 'is_jalr', 'is_branch', 'is_load', 'is_store', 'is_mul', 'is_div', 'is_csr', 'is_ecall', 'is_ebreak', 'is_mret', 'is_nop'] as const;
type DecoderPorts = 'insn' | 'rd' | 'rs1' | 'rs2' | 'funct3' | 'imm' | 'alu_op' | 'alu_a_pc' | 'alu_a_zero' | 'alu_b_imm' | 'writes_rd' | 'illegal' | (typeof CLASS_PORTS)[number];

/** cax_alu op codes ({funct7[5], funct3}) of the instructions that compute in the ALU. */
const ALU_OP: Partial<Record<Op, number>> = {
  add: 0,
  addi: 0,
  sub: 8,
  sll: 1,
  slli: 1,
  slt: 2,
  slti: 2,
  sltu: 3,
  sltiu: 3,
  xor: 4,
  xori: 4,
  srl: 5,
  srli: 5,
  sra: 13,
  srai: 13,
  or: 6,
  ori: 6,
  and: 7,
  andi: 7,
};
const BRANCHES: readonly Op[] = ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'];
const CSRS: readonly Op[] = ['csrrw', 'csrrs', 'csrrc', 'csrrwi', 'csrrsi', 'csrrci'];
const SHIFTS_IMM: readonly Op[] = ['slli', 'srli', 'srai'];
/** Register-register ALU instructions: operand b is rs2. */
const OP_REG: readonly Op[] = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and'];
/** Instructions whose `imm` is the ISS's sign-extended immediate as is (I, S, B, U and J formats). */
const PLAIN_IMM: readonly Op[] = ['lui', 'auipc', 'jal', 'jalr', 'addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', ...BRANCHES, 'lb', 'lh', 'lw', 'lbu', 'lhu', 'sb', 'sh', 'sw'];

/** The class flag the RTL must raise for an op (exactly one, none when illegal). */
function classOf(op: Op): (typeof CLASS_PORTS)[number] | undefined {
  if (op === 'illegal') return undefined;
  if (op === 'lui' || op === 'auipc' || ALU_OP[op] !== undefined) return 'is_alu';
  if (op === 'jal') return 'is_jal';
  if (op === 'jalr') return 'is_jalr';
  if (BRANCHES.includes(op)) return 'is_branch';
  if (isLoad(op)) return 'is_load';
  if (isStore(op)) return 'is_store';
  if (isDivide(op)) return 'is_div';
  if (op.startsWith('mul')) return 'is_mul';
  if (CSRS.includes(op)) return 'is_csr';
  if (op === 'ecall') return 'is_ecall';
  if (op === 'ebreak') return 'is_ebreak';
  if (op === 'mret') return 'is_mret';
  return 'is_nop'; // fence, fence.i, wfi
}

const OPCODES = [0x37, 0x17, 0x6f, 0x67, 0x63, 0x03, 0x23, 0x13, 0x33, 0x0f, 0x73];
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const instruction = fc.oneof(
  u32,
  fc.tuple(fc.constantFrom(...OPCODES), u32).map(([opcode, rest]) => ((rest & ~0x7f) | opcode) >>> 0),
  fc.tuple(fc.constantFrom(0x13, 0x33), fc.constantFrom(0x00, 0x01, 0x20, 0x21, 0x40), u32).map(([opcode, f7, rest]) => ((f7 << 25) | (rest & 0x01ff_ff80) | opcode) >>> 0),
  fc.constantFrom(0x0000_0073, 0x0010_0073, 0x3020_0073, 0x1050_0073, 0x0020_0073, 0x0000_0000, 0xffff_ffff, 0x0000_100f, 0x0ff0_000f),
);

let dut: Dut & Record<DecoderPorts, Signal>;

beforeAll(async () => {
  dut = await Dut.build<DecoderPorts>('rtl/core/cax_decoder.v', { searchDirs: [] });
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await dut.close();
});

async function check(word: number): Promise<void> {
  dut.insn.value = word;
  await dut.settle();
  const insn = decode(word);
  const cls = classOf(insn.op);
  const context = `insn 0x${word.toString(16).padStart(8, '0')} (${insn.op})`;
  const flags = Object.fromEntries(CLASS_PORTS.map((p) => [p, dut[p].value]));
  expect({ context, illegal: dut.illegal.value, flags }).toEqual({
    context,
    illegal: insn.op === 'illegal' ? 1 : 0,
    flags: Object.fromEntries(CLASS_PORTS.map((p) => [p, p === cls ? 1 : 0])),
  });
  expect([dut.rd.value, dut.rs1.value, dut.rs2.value, dut.funct3.value]).toEqual([(word >>> 7) & 31, (word >>> 15) & 31, (word >>> 20) & 31, (word >>> 12) & 7]);
  if (insn.op === 'illegal') return;
  const writes = !(BRANCHES.includes(insn.op) || isStore(insn.op) || cls === 'is_ecall' || cls === 'is_ebreak' || cls === 'is_mret' || cls === 'is_nop');
  expect({ context, writes_rd: dut.writes_rd.value }).toEqual({ context, writes_rd: writes ? 1 : 0 });
  // Immediates: the ISS gives the shift amount for immediate shifts and the CSR number separately.
  const imm = dut.imm.value | 0;
  if (SHIFTS_IMM.includes(insn.op)) expect(imm & 31).toBe(insn.imm);
  else if (CSRS.includes(insn.op)) expect(imm & 0xfff).toBe(insn.csr);
  else if (PLAIN_IMM.includes(insn.op)) expect({ context, imm }).toEqual({ context, imm: insn.imm });
  // ALU control: the operation for OP/OP-IMM, ADD for everything else but M; operand selection.
  if (cls !== 'is_mul' && cls !== 'is_div') expect({ context, alu_op: dut.alu_op.value }).toEqual({ context, alu_op: ALU_OP[insn.op] ?? 0 });
  expect([dut.alu_a_pc.value, dut.alu_a_zero.value]).toEqual([insn.op === 'auipc' ? 1 : 0, insn.op === 'lui' ? 1 : 0]);
  const registerB = BRANCHES.includes(insn.op) || OP_REG.includes(insn.op);
  if (cls === 'is_alu' || cls === 'is_load' || cls === 'is_store' || cls === 'is_jalr' || cls === 'is_branch') {
    expect({ context, alu_b_imm: dut.alu_b_imm.value }).toEqual({ context, alu_b_imm: registerB ? 0 : 1 });
  }
}

describe('cax_decoder', () => {
  it('agrees with the ISS decoder on random and opcode-shaped words', async () => {
    await fc.assert(fc.asyncProperty(instruction, check), { numRuns: 4000 });
  });

  it('agrees on every opcode × funct3 × funct7 corner of OP, OP-IMM and SYSTEM', async () => {
    for (const opcode of [0x13, 0x33, 0x73, 0x0f, 0x03, 0x23, 0x63, 0x67]) {
      for (let funct3 = 0; funct3 < 8; funct3++) {
        for (const funct7 of [0x00, 0x01, 0x20, 0x7f]) {
          await check(((funct7 << 25) | (5 << 20) | (6 << 15) | (funct3 << 12) | (7 << 7) | opcode) >>> 0);
        }
      }
    }
  });
});
