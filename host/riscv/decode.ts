// RV32IM instruction decoder: one 32-bit word to a typed instruction, or
// `illegal` for every word the core does not implement (docs/soc.md). Shared
// by the interpreter, the block translator and the disassembler.

export type Op =
  | 'lui'
  | 'auipc'
  | 'jal'
  | 'jalr'
  | 'beq'
  | 'bne'
  | 'blt'
  | 'bge'
  | 'bltu'
  | 'bgeu'
  | 'lb'
  | 'lh'
  | 'lw'
  | 'lbu'
  | 'lhu'
  | 'sb'
  | 'sh'
  | 'sw'
  | 'addi'
  | 'slti'
  | 'sltiu'
  | 'xori'
  | 'ori'
  | 'andi'
  | 'slli'
  | 'srli'
  | 'srai'
  | 'add'
  | 'sub'
  | 'sll'
  | 'slt'
  | 'sltu'
  | 'xor'
  | 'srl'
  | 'sra'
  | 'or'
  | 'and'
  | 'mul'
  | 'mulh'
  | 'mulhsu'
  | 'mulhu'
  | 'div'
  | 'divu'
  | 'rem'
  | 'remu'
  | 'fence'
  | 'fence.i'
  | 'ecall'
  | 'ebreak'
  | 'mret'
  | 'wfi'
  | 'csrrw'
  | 'csrrs'
  | 'csrrc'
  | 'csrrwi'
  | 'csrrsi'
  | 'csrrci'
  | 'illegal';

/** A decoded instruction. `imm` is sign-extended (the shift amount for shifts, the zimm for CSR immediates); `csr` the CSR number. */
export interface Insn {
  readonly op: Op;
  readonly rd: number;
  readonly rs1: number;
  readonly rs2: number;
  readonly imm: number;
  readonly csr: number;
}

const BRANCH: readonly (Op | undefined)[] = ['beq', 'bne', undefined, undefined, 'blt', 'bge', 'bltu', 'bgeu'];
const LOAD: readonly (Op | undefined)[] = ['lb', 'lh', 'lw', undefined, 'lbu', 'lhu', undefined, undefined];
const STORE: readonly (Op | undefined)[] = ['sb', 'sh', 'sw', undefined, undefined, undefined, undefined, undefined];
const OP_IMM: readonly Op[] = ['addi', 'slli', 'slti', 'sltiu', 'xori', 'srli', 'ori', 'andi'];
const OP_BASE: readonly Op[] = ['add', 'sll', 'slt', 'sltu', 'xor', 'srl', 'or', 'and'];
const OP_MUL: readonly Op[] = ['mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu'];
const CSR_OPS: readonly (Op | undefined)[] = [undefined, 'csrrw', 'csrrs', 'csrrc', undefined, 'csrrwi', 'csrrsi', 'csrrci'];

function make(op: Op, rd: number, rs1: number, rs2: number, imm: number, csr = 0): Insn {
  return { op, rd, rs1, rs2, imm, csr };
}

const ILLEGAL: Insn = make('illegal', 0, 0, 0, 0);

/** True for the operations that need the M extension's divider (35 cycles). */
export function isDivide(op: Op): boolean {
  return op === 'div' || op === 'divu' || op === 'rem' || op === 'remu';
}

export function isLoad(op: Op): boolean {
  return op === 'lb' || op === 'lh' || op === 'lw' || op === 'lbu' || op === 'lhu';
}

export function isStore(op: Op): boolean {
  return op === 'sb' || op === 'sh' || op === 'sw';
}

/** Bytes a load or store accesses (1, 2 or 4). */
export function accessSize(op: Op): number {
  if (op === 'lw' || op === 'sw') return 4;
  return op === 'lh' || op === 'lhu' || op === 'sh' ? 2 : 1;
}

export function decode(word: number): Insn {
  const w = word | 0;
  const opcode = w & 0x7f;
  const rd = (w >>> 7) & 31;
  const funct3 = (w >>> 12) & 7;
  const rs1 = (w >>> 15) & 31;
  const rs2 = (w >>> 20) & 31;
  const funct7 = w >>> 25;
  const immI = w >> 20;
  switch (opcode) {
    case 0x37:
      return make('lui', rd, 0, 0, w & 0xfffff000);
    case 0x17:
      return make('auipc', rd, 0, 0, w & 0xfffff000);
    case 0x6f: {
      const imm = ((w >> 11) & 0xfff00000) | (w & 0xff000) | ((w >>> 9) & 0x800) | ((w >>> 20) & 0x7fe);
      return make('jal', rd, 0, 0, imm);
    }
    case 0x67:
      return funct3 === 0 ? make('jalr', rd, rs1, 0, immI) : ILLEGAL;
    case 0x63: {
      const op = BRANCH[funct3];
      if (op === undefined) return ILLEGAL;
      const imm = ((w >> 19) & 0xfffff000) | ((w << 4) & 0x800) | ((w >>> 20) & 0x7e0) | ((w >>> 7) & 0x1e);
      return make(op, 0, rs1, rs2, imm);
    }
    case 0x03: {
      const op = LOAD[funct3];
      return op === undefined ? ILLEGAL : make(op, rd, rs1, 0, immI);
    }
    case 0x23: {
      const op = STORE[funct3];
      return op === undefined ? ILLEGAL : make(op, 0, rs1, rs2, ((w >> 20) & 0xffffffe0) | rd);
    }
    case 0x13: {
      if (funct3 === 1) return funct7 === 0 ? make('slli', rd, rs1, 0, rs2) : ILLEGAL;
      if (funct3 === 5) {
        if (funct7 === 0) return make('srli', rd, rs1, 0, rs2);
        if (funct7 === 0x20) return make('srai', rd, rs1, 0, rs2);
        return ILLEGAL;
      }
      return make(OP_IMM[funct3]!, rd, rs1, 0, immI);
    }
    case 0x33: {
      if (funct7 === 0) return make(OP_BASE[funct3]!, rd, rs1, rs2, 0);
      if (funct7 === 1) return make(OP_MUL[funct3]!, rd, rs1, rs2, 0);
      if (funct7 === 0x20 && funct3 === 0) return make('sub', rd, rs1, rs2, 0);
      if (funct7 === 0x20 && funct3 === 5) return make('sra', rd, rs1, rs2, 0);
      return ILLEGAL;
    }
    case 0x0f:
      if (funct3 === 0) return make('fence', 0, 0, 0, 0);
      if (funct3 === 1) return make('fence.i', 0, 0, 0, 0);
      return ILLEGAL;
    case 0x73: {
      if (funct3 === 0) {
        if (w === 0x00000073) return make('ecall', 0, 0, 0, 0);
        if (w === 0x00100073) return make('ebreak', 0, 0, 0, 0);
        if (w === 0x30200073) return make('mret', 0, 0, 0, 0);
        if (w === 0x10500073) return make('wfi', 0, 0, 0, 0);
        return ILLEGAL;
      }
      const op = CSR_OPS[funct3];
      if (op === undefined) return ILLEGAL;
      return make(op, rd, funct3 >= 5 ? 0 : rs1, 0, funct3 >= 5 ? rs1 : 0, (w >>> 20) & 0xfff);
    }
    default:
      return ILLEGAL;
  }
}
