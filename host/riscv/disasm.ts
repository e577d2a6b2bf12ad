// Disassembler: one instruction word as assembly text with ABI register
// names, for traces, divergence reports and `cax iss run --trace`.
import { decode } from './decode.js';

export const ABI_NAMES: readonly string[] = [
  'zero',
  'ra',
  'sp',
  'gp',
  'tp',
  't0',
  't1',
  't2',
  's0',
  's1',
  'a0',
  'a1',
  'a2',
  'a3',
  'a4',
  'a5',
  'a6',
  'a7',
  's2',
  's3',
  's4',
  's5',
  's6',
  's7',
  's8',
  's9',
  's10',
  's11',
  't3',
  't4',
  't5',
  't6',
];

const CSR_NAMES: Readonly<Record<number, string>> = {
  0x300: 'mstatus',
  0x301: 'misa',
  0x304: 'mie',
  0x305: 'mtvec',
  0x340: 'mscratch',
  0x341: 'mepc',
  0x342: 'mcause',
  0x343: 'mtval',
  0x344: 'mip',
  0xb00: 'mcycle',
  0xb02: 'minstret',
  0xb80: 'mcycleh',
  0xb82: 'minstreth',
  0xc00: 'cycle',
  0xc01: 'time',
  0xc02: 'instret',
  0xc80: 'cycleh',
  0xc81: 'timeh',
  0xc82: 'instreth',
  0xf11: 'mvendorid',
  0xf12: 'marchid',
  0xf13: 'mimpid',
  0xf14: 'mhartid',
};

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

/** `pc` resolves branch and jump targets to absolute addresses. */
export function disassemble(word: number, pc = 0): string {
  const i = decode(word);
  const r = (n: number): string => ABI_NAMES[n]!;
  const target = hex(pc + i.imm);
  switch (i.op) {
    case 'lui':
    case 'auipc':
      return `${i.op} ${r(i.rd)}, ${hex(i.imm >>> 12)}`;
    case 'jal':
      return `jal ${r(i.rd)}, ${target}`;
    case 'jalr':
      return `jalr ${r(i.rd)}, ${i.imm}(${r(i.rs1)})`;
    case 'beq':
    case 'bne':
    case 'blt':
    case 'bge':
    case 'bltu':
    case 'bgeu':
      return `${i.op} ${r(i.rs1)}, ${r(i.rs2)}, ${target}`;
    case 'lb':
    case 'lh':
    case 'lw':
    case 'lbu':
    case 'lhu':
      return `${i.op} ${r(i.rd)}, ${i.imm}(${r(i.rs1)})`;
    case 'sb':
    case 'sh':
    case 'sw':
      return `${i.op} ${r(i.rs2)}, ${i.imm}(${r(i.rs1)})`;
    case 'addi':
    case 'slti':
    case 'sltiu':
    case 'xori':
    case 'ori':
    case 'andi':
    case 'slli':
    case 'srli':
    case 'srai':
      return `${i.op} ${r(i.rd)}, ${r(i.rs1)}, ${i.imm}`;
    case 'fence':
    case 'fence.i':
    case 'ecall':
    case 'ebreak':
    case 'mret':
    case 'wfi':
      return i.op;
    case 'csrrw':
    case 'csrrs':
    case 'csrrc':
      return `${i.op} ${r(i.rd)}, ${CSR_NAMES[i.csr] ?? hex(i.csr)}, ${r(i.rs1)}`;
    case 'csrrwi':
    case 'csrrsi':
    case 'csrrci':
      return `${i.op} ${r(i.rd)}, ${CSR_NAMES[i.csr] ?? hex(i.csr)}, ${i.imm}`;
    case 'illegal':
      return `.word ${hex(word)}`;
    default:
      return `${i.op} ${r(i.rd)}, ${r(i.rs1)}, ${r(i.rs2)}`;
  }
}
