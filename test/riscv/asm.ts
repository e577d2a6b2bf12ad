// Instruction encoders for the ISS tests: build RV32IM words from fields,
// independently of the decoder under test, and load them into an ISS.
import { Iss, type IssOptions } from '../../host/riscv/iss.js';

const OP: Record<string, [number, number]> = {
  add: [0, 0],
  sub: [0x20, 0],
  sll: [0, 1],
  slt: [0, 2],
  sltu: [0, 3],
  xor: [0, 4],
  srl: [0, 5],
  sra: [0x20, 5],
  or: [0, 6],
  and: [0, 7],
  mul: [1, 0],
  mulh: [1, 1],
  mulhsu: [1, 2],
  mulhu: [1, 3],
  div: [1, 4],
  divu: [1, 5],
  rem: [1, 6],
  remu: [1, 7],
};
const OP_IMM: Record<string, number> = { addi: 0, slti: 2, sltiu: 3, xori: 4, ori: 6, andi: 7 };
const SHIFT_IMM: Record<string, [number, number]> = { slli: [0, 1], srli: [0, 5], srai: [0x20, 5] };
const LOADS: Record<string, number> = { lb: 0, lh: 1, lw: 2, lbu: 4, lhu: 5 };
const STORES: Record<string, number> = { sb: 0, sh: 1, sw: 2 };
const BRANCHES: Record<string, number> = { beq: 0, bne: 1, blt: 4, bge: 5, bltu: 6, bgeu: 7 };
const CSRS: Record<string, number> = { csrrw: 1, csrrs: 2, csrrc: 3, csrrwi: 5, csrrsi: 6, csrrci: 7 };

export const R_OPS = Object.keys(OP);
export const I_OPS = Object.keys(OP_IMM);
export const SHIFT_OPS = Object.keys(SHIFT_IMM);
export const LOAD_OPS = Object.keys(LOADS);
export const STORE_OPS = Object.keys(STORES);
export const BRANCH_OPS = Object.keys(BRANCHES);

const u = (n: number): number => n >>> 0;

export function rType(op: string, rd: number, rs1: number, rs2: number): number {
  const [f7, f3] = OP[op]!;
  return u((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | 0x33);
}

export function iType(op: string, rd: number, rs1: number, imm: number): number {
  if (op in SHIFT_IMM) {
    const [f7, f3] = SHIFT_IMM[op]!;
    return u((f7 << 25) | ((imm & 31) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | 0x13);
  }
  if (op in LOADS) return u(((imm & 0xfff) << 20) | (rs1 << 15) | (LOADS[op]! << 12) | (rd << 7) | 0x03);
  if (op === 'jalr') return u(((imm & 0xfff) << 20) | (rs1 << 15) | (rd << 7) | 0x67);
  return u(((imm & 0xfff) << 20) | (rs1 << 15) | (OP_IMM[op]! << 12) | (rd << 7) | 0x13);
}

export function sType(op: string, rs1: number, rs2: number, imm: number): number {
  return u((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (STORES[op]! << 12) | ((imm & 31) << 7) | 0x23);
}

export function bType(op: string, rs1: number, rs2: number, offset: number): number {
  const o = offset & 0x1fff;
  return u((((o >> 12) & 1) << 31) | (((o >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (BRANCHES[op]! << 12) | (((o >> 1) & 0xf) << 8) | (((o >> 11) & 1) << 7) | 0x63);
}

export function lui(rd: number, value: number): number {
  return u((value & 0xfffff000) | (rd << 7) | 0x37);
}

export function auipc(rd: number, value: number): number {
  return u((value & 0xfffff000) | (rd << 7) | 0x17);
}

export function jal(rd: number, offset: number): number {
  const o = offset & 0x1fffff;
  return u((((o >> 20) & 1) << 31) | (((o >> 1) & 0x3ff) << 21) | (((o >> 11) & 1) << 20) | (((o >> 12) & 0xff) << 12) | (rd << 7) | 0x6f);
}

export function csr(op: string, rd: number, number: number, rs1OrImm: number): number {
  return u((number << 20) | (rs1OrImm << 15) | (CSRS[op]! << 12) | (rd << 7) | 0x73);
}

export const ECALL = 0x00000073;
export const EBREAK = 0x00100073;
export const MRET = 0x30200073;
export const WFI = 0x10500073;
export const FENCE = 0x0ff0000f;

/** Loads a full 32-bit constant into rd (lui + addi). */
export function li(rd: number, value: number): number[] {
  const lo = (value << 20) >> 20;
  const hi = (value - lo) | 0;
  return [lui(rd, hi), iType('addi', rd, rd, lo)];
}

/** Stores `value` to EXIT: ends the run (1 = pass). Uses x31. */
export function exitWith(value: number): number[] {
  return [lui(31, 0x10002000), ...li(30, value), sType('sw', 31, 30, 0)];
}

/** An ISS with `words` at 0x80000000. */
export function issWith(words: readonly number[], options: IssOptions = {}): Iss {
  const iss = new Iss(options);
  iss.load(new Uint8Array(new Uint32Array(words).buffer));
  return iss;
}
