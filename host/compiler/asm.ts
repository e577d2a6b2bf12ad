// The RV32IM assembler the code generator writes into: instructions and data
// words with symbolic labels, laid out at a base address by `assemble`, which
// lengthens conditional branches whose target is out of reach (branch over a
// `jal`) until the layout is stable, and records the source map (pc → span).
import { CaxError, unsupported, type SourceSpan } from '../errors.js';

export const REG = {
  zero: 0,
  ra: 1,
  sp: 2,
  gp: 3,
  tp: 4,
  t0: 5,
  t1: 6,
  t2: 7,
  s0: 8,
  s1: 9,
  a0: 10,
  a1: 11,
  a2: 12,
  a3: 13,
  a4: 14,
  a5: 15,
  a6: 16,
  a7: 17,
  s2: 18,
  s3: 19,
  s4: 20,
  s5: 21,
  s6: 22,
  s7: 23,
  s8: 24,
  s9: 25,
  s10: 26,
  s11: 27,
  t3: 28,
  t4: 29,
  t5: 30,
  t6: 31,
} as const;

export type Reg = number;
export type BranchOp = 'beq' | 'bne' | 'blt' | 'bge' | 'bltu' | 'bgeu';
const BRANCH_F3: Record<BranchOp, number> = { beq: 0, bne: 1, blt: 4, bge: 5, bltu: 6, bgeu: 7 };
const INVERSE: Record<BranchOp, BranchOp> = { beq: 'bne', bne: 'beq', blt: 'bge', bge: 'blt', bltu: 'bgeu', bgeu: 'bltu' };

type Item =
  | { readonly k: 'word'; readonly word: number }
  | { readonly k: 'branch'; readonly op: BranchOp; readonly rs1: Reg; readonly rs2: Reg; readonly target: string; long: boolean }
  | { readonly k: 'jal'; readonly rd: Reg; readonly target: string }
  /** lui + addi of a label's absolute address (plus an offset). */
  | { readonly k: 'la'; readonly rd: Reg; readonly target: string; readonly offset: number }
  /** A data word holding a label's address. */
  | { readonly k: 'addr'; readonly target: string }
  | { readonly k: 'label'; readonly name: string }
  | { readonly k: 'span'; readonly span: SourceSpan }
  | { readonly k: 'align'; readonly bytes: number };

const fitsSigned = (v: number, bits: number): boolean => v >= -(2 ** (bits - 1)) && v < 2 ** (bits - 1);

function rType(f7: number, rs2: Reg, rs1: Reg, f3: number, rd: Reg, op: number): number {
  return ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
}

function iType(imm: number, rs1: Reg, f3: number, rd: Reg, op: number): number {
  if (!fitsSigned(imm, 12)) throw unsupported(`immediate ${imm} out of range for a 12-bit field`);
  return (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
}

function sType(imm: number, rs2: Reg, rs1: Reg, f3: number): number {
  if (!fitsSigned(imm, 12)) throw unsupported(`store offset ${imm} out of range for a 12-bit field`);
  return ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1f) << 7) | 0x23) >>> 0;
}

export function encodeBranch(op: BranchOp, rs1: Reg, rs2: Reg, offset: number): number {
  const o = offset;
  return ((((o >> 12) & 1) << 31) | (((o >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (BRANCH_F3[op] << 12) | (((o >> 1) & 0xf) << 8) | (((o >> 11) & 1) << 7) | 0x63) >>> 0;
}

export function encodeJal(rd: Reg, offset: number): number {
  if (!fitsSigned(offset, 21)) throw unsupported(`jump of ${offset} bytes out of range`);
  const o = offset;
  return ((((o >> 20) & 1) << 31) | (((o >> 1) & 0x3ff) << 21) | (((o >> 11) & 1) << 20) | (((o >> 12) & 0xff) << 12) | (rd << 7) | 0x6f) >>> 0;
}

/** The lui/addi pair that loads a 32-bit constant. */
function hiLo(value: number): [number, number] {
  const lo = ((value & 0xfff) << 20) >> 20;
  const hi = ((value - lo) >>> 12) & 0xfffff;
  return [hi, lo];
}

export interface Assembled {
  readonly bytes: Uint8Array;
  readonly labels: ReadonlyMap<string, number>;
  /** Ascending pcs, each with the span of the code from there on. */
  readonly sourceMap: readonly { readonly pc: number; readonly span: SourceSpan }[];
}

let nextLabel = 0;

export class Asm {
  private readonly items: Item[] = [];
  /** Called after each store with its base register and offset (the code generator tracks which frame slots hold values). */
  onStore?: (base: Reg, offset: number) => void;
  /** Called after each call (a `jal` or `jalr` that writes `ra`) with its target label, undefined through a register. */
  onCall?: (target: string | undefined) => void;
  /** Called after each instruction that writes a register other than `zero`, with that register (calls.ts tracks what registers hold). */
  onWrite?: (rd: Reg) => void;
  /** Called after each branch or jump that is no call: its target label (undefined through a register), `always` for a jump. */
  onJump?: (target: string | undefined, always: boolean) => void;
  /** Called before a label other code may jump to is defined (not before a `mark`). */
  onLabel?: (name: string) => void;

  /** A fresh label name, unique across every assembler (their items get appended together). */
  fresh(hint = 'L'): string {
    return `.${hint}${nextLabel++}`;
  }

  /** Items emitted so far (about one word each): what bounds the compiler's work (codegen.ts MAX_IMAGE_WORDS). */
  get size(): number {
    return this.items.length;
  }

  label(name: string): void {
    this.onLabel?.(name);
    this.items.push({ k: 'label', name });
  }

  /** A label no code jumps to: a pc to record (a call site's return address, where a binder's scope starts or ends). */
  mark(name: string): void {
    this.items.push({ k: 'label', name });
  }

  span(span: SourceSpan): void {
    this.items.push({ k: 'span', span });
  }

  align(bytes: number): void {
    this.items.push({ k: 'align', bytes });
  }

  word(word: number): void {
    this.items.push({ k: 'word', word: word >>> 0 });
  }

  /** An instruction word: after it, tells onWrite the register it writes (OP, OP-IMM, LOAD, LUI and SYSTEM write rd). */
  private insn(word: number): void {
    this.word(word);
    const rd = (word >>> 7) & 31;
    if (rd !== REG.zero && [0x33, 0x13, 0x03, 0x37, 0x73].includes(word & 0x7f)) this.onWrite?.(rd as Reg);
  }

  bytes(data: Uint8Array): void {
    const padded = new Uint8Array((data.length + 3) & ~3);
    padded.set(data);
    const view = new DataView(padded.buffer);
    for (let i = 0; i < padded.length; i += 4) this.word(view.getUint32(i, true));
  }

  addr(target: string): void {
    this.items.push({ k: 'addr', target });
  }

  // ---- instructions ------------------------------------------------------------

  add(rd: Reg, rs1: Reg, rs2: Reg): void {
    this.insn(rType(0, rs2, rs1, 0, rd, 0x33));
  }
  sub(rd: Reg, rs1: Reg, rs2: Reg): void {
    this.insn(rType(0x20, rs2, rs1, 0, rd, 0x33));
  }
  slt(rd: Reg, rs1: Reg, rs2: Reg): void {
    this.insn(rType(0, rs2, rs1, 2, rd, 0x33));
  }
  sltu(rd: Reg, rs1: Reg, rs2: Reg): void {
    this.insn(rType(0, rs2, rs1, 3, rd, 0x33));
  }
  xor(rd: Reg, rs1: Reg, rs2: Reg): void {
    this.insn(rType(0, rs2, rs1, 4, rd, 0x33));
  }
  or(rd: Reg, rs1: Reg, rs2: Reg): void {
    this.insn(rType(0, rs2, rs1, 6, rd, 0x33));
  }
  /** rd = rs1 << (rs2 & 31). */
  sll(rd: Reg, rs1: Reg, rs2: Reg): void {
    this.word(rType(0, rs2, rs1, 1, rd, 0x33));
  }
  and(rd: Reg, rs1: Reg, rs2: Reg): void {
    this.insn(rType(0, rs2, rs1, 7, rd, 0x33));
  }
  mul(rd: Reg, rs1: Reg, rs2: Reg): void {
    this.insn(rType(1, rs2, rs1, 0, rd, 0x33));
  }
  div(rd: Reg, rs1: Reg, rs2: Reg): void {
    this.insn(rType(1, rs2, rs1, 4, rd, 0x33));
  }
  rem(rd: Reg, rs1: Reg, rs2: Reg): void {
    this.insn(rType(1, rs2, rs1, 6, rd, 0x33));
  }
  addi(rd: Reg, rs1: Reg, imm: number): void {
    this.insn(iType(imm, rs1, 0, rd, 0x13));
  }
  xori(rd: Reg, rs1: Reg, imm: number): void {
    this.insn(iType(imm, rs1, 4, rd, 0x13));
  }
  sltiu(rd: Reg, rs1: Reg, imm: number): void {
    this.insn(iType(imm, rs1, 3, rd, 0x13));
  }
  slli(rd: Reg, rs1: Reg, sh: number): void {
    this.insn(iType(sh & 31, rs1, 1, rd, 0x13));
  }
  srli(rd: Reg, rs1: Reg, sh: number): void {
    this.insn(iType(sh & 31, rs1, 5, rd, 0x13));
  }
  srai(rd: Reg, rs1: Reg, sh: number): void {
    this.insn(iType(0x400 | (sh & 31), rs1, 5, rd, 0x13));
  }
  andi(rd: Reg, rs1: Reg, imm: number): void {
    this.insn(iType(imm, rs1, 7, rd, 0x13));
  }
  lw(rd: Reg, offset: number, rs1: Reg): void {
    this.insn(iType(offset, rs1, 2, rd, 0x03));
  }
  sw(rs2: Reg, offset: number, rs1: Reg): void {
    this.word(sType(offset, rs2, rs1, 2));
    this.onStore?.(rs1, offset);
  }
  jalr(rd: Reg, rs1: Reg, offset = 0): void {
    this.word(iType(offset, rs1, 0, rd, 0x67));
    if (rd !== REG.zero) this.onWrite?.(rd);
    if (rd === REG.ra) this.onCall?.(undefined);
    else if (rd === REG.zero) this.onJump?.(undefined, true);
  }
  lui(rd: Reg, imm20: number): void {
    this.insn((((imm20 & 0xfffff) << 12) | (rd << 7) | 0x37) >>> 0);
  }
  /** csrrs rd, csr, x0: reads a CSR. */
  csrr(rd: Reg, csr: number): void {
    this.insn(((csr << 20) | (2 << 12) | (rd << 7) | 0x73) >>> 0);
  }
  mv(rd: Reg, rs: Reg): void {
    this.addi(rd, rs, 0);
  }
  ret(): void {
    this.jalr(REG.zero, REG.ra, 0);
  }

  li(rd: Reg, value: number): void {
    const v = value | 0;
    if (fitsSigned(v, 12)) return this.addi(rd, REG.zero, v);
    const [hi, lo] = hiLo(v);
    this.lui(rd, hi);
    if (lo !== 0) this.addi(rd, rd, lo);
  }

  la(rd: Reg, target: string, offset = 0): void {
    this.items.push({ k: 'la', rd, target, offset });
    this.onWrite?.(rd);
  }

  branch(op: BranchOp, rs1: Reg, rs2: Reg, target: string): void {
    this.items.push({ k: 'branch', op, rs1, rs2, target, long: false });
    this.onJump?.(target, false);
  }

  jal(rd: Reg, target: string): void {
    this.items.push({ k: 'jal', rd, target });
    if (rd !== REG.zero) this.onWrite?.(rd);
    if (rd === REG.ra) this.onCall?.(target);
    else if (rd === REG.zero) this.onJump?.(target, true);
  }

  j(target: string): void {
    this.jal(REG.zero, target);
  }

  call(target: string): void {
    this.jal(REG.ra, target);
  }

  /** Appends another assembler's items (its labels must be distinct from ours). */
  append(other: Asm): void {
    // one at a time: a spread of hundreds of thousands of items overflows the JS stack
    for (const item of other.items) this.items.push(item);
  }

  /** The labels the items refer to and do not define: what the code needs from elsewhere (the runtime). */
  externals(): Set<string> {
    const defined = new Set<string>();
    const used = new Set<string>();
    for (const it of this.items) {
      if (it.k === 'label') defined.add(it.name);
      else if ('target' in it) used.add(it.target);
    }
    return new Set([...used].filter((name) => !defined.has(name)));
  }

  /** Lays the items out at `base`; `external` resolves labels defined elsewhere (the runtime's symbols). */
  assemble(base: number, external: ReadonlyMap<string, number>): Assembled {
    const size = (it: Item): number => {
      switch (it.k) {
        case 'word':
        case 'jal':
        case 'addr':
          return 4;
        case 'branch':
          return it.long ? 8 : 4;
        case 'la':
          return 8;
        default:
          return 0;
      }
    };
    let labels = new Map<string, number>();
    const resolve = (name: string): number => {
      const v = labels.get(name) ?? external.get(name);
      if (v === undefined) throw new CaxError('E_LINK', `undefined label ${name}`);
      return v;
    };
    let total = 0;
    for (let pass = 0; ; pass++) {
      labels = new Map();
      let pc = base;
      const at: number[] = [];
      for (const it of this.items) {
        if (it.k === 'align') pc = Math.ceil(pc / it.bytes) * it.bytes;
        if (it.k === 'label') labels.set(it.name, pc);
        at.push(pc);
        pc += size(it);
      }
      total = pc - base;
      let changed = false;
      this.items.forEach((it, i) => {
        if (it.k === 'branch' && !it.long && !fitsSigned(resolve(it.target) - at[i]!, 13)) {
          it.long = true;
          changed = true;
        }
      });
      if (!changed) break;
      if (pass > 50) throw new CaxError('E_LINK', 'branch relaxation did not converge');
    }
    const bytes = new Uint8Array(total);
    const view = new DataView(bytes.buffer);
    const sourceMap: { pc: number; span: SourceSpan }[] = [];
    let pc = base;
    const put = (w: number): void => {
      view.setUint32(pc - base, w >>> 0, true);
      pc += 4;
    };
    for (const it of this.items) {
      switch (it.k) {
        case 'align':
          pc = Math.ceil(pc / it.bytes) * it.bytes;
          break;
        case 'label':
          break;
        case 'span':
          if (sourceMap.length > 0 && sourceMap[sourceMap.length - 1]!.pc === pc) sourceMap.pop();
          sourceMap.push({ pc, span: it.span });
          break;
        case 'word':
          put(it.word);
          break;
        case 'addr':
          put(resolve(it.target));
          break;
        case 'jal':
          put(encodeJal(it.rd, resolve(it.target) - pc));
          break;
        case 'la': {
          const [hi, lo] = hiLo((resolve(it.target) + it.offset) | 0);
          put(((hi << 12) | (it.rd << 7) | 0x37) >>> 0);
          put(iType(lo, it.rd, 0, it.rd, 0x13));
          break;
        }
        case 'branch':
          if (it.long) {
            put(encodeBranch(INVERSE[it.op], it.rs1, it.rs2, 8));
            put(encodeJal(REG.zero, resolve(it.target) - pc));
          } else put(encodeBranch(it.op, it.rs1, it.rs2, resolve(it.target) - pc));
          break;
      }
    }
    return { bytes, labels, sourceMap };
  }
}
