// The block translator: compiles a trace of instructions (through not-taken
// branches and direct jumps) into a JavaScript function that V8 compiles to
// machine code. Registers live in locals, RAM is reached through
// typed arrays, and cycles and retired instructions are added exactly at
// every exit. A block whose branch or jump returns to its own start loops
// inside the function, checking the cycle budget before each iteration.
// Blocks are cached by start pc and dropped when a store writes their page.
import { div, divu, mulh, mulhsu, mulhu, rem, remu } from './alu.js';
import { accessSize, isLoad, isStore, type Insn } from './decode.js';
import { CAUSE, RAM_BASE, WATCH_CODE, WATCH_PAGE_SHIFT, costOf, type Machine } from './machine.js';

/** Runs the block once (or loops); leaves pc, clock and retired exact. */
export type BlockFn = () => void;

export interface Block {
  readonly run: BlockFn;
  /** Cycles of one pass without traps: the run loop enters only when they fit the budget. */
  readonly cycles: number;
}

const MAX_INSNS = 64;

function isControl(i: Insn): boolean {
  switch (i.op) {
    case 'jal':
    case 'jalr':
    case 'beq':
    case 'bne':
    case 'blt':
    case 'bge':
    case 'bltu':
    case 'bgeu':
      return true;
    default:
      return false;
  }
}

/** Instructions the translator leaves to the interpreter: everything of SYSTEM, and illegal words. */
function untranslatable(i: Insn): boolean {
  switch (i.op) {
    case 'ecall':
    case 'ebreak':
    case 'mret':
    case 'wfi':
    case 'illegal':
    case 'csrrw':
    case 'csrrs':
    case 'csrrc':
    case 'csrrwi':
    case 'csrrsi':
    case 'csrrci':
      return true;
    default:
      return false;
  }
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

/**
 * Translates the trace that starts at `pc`: it runs through not-taken
 * branches (a taken one leaves the block) and follows `jal` to its target,
 * up to a `jalr`, a jump back to an instruction already in the trace, an
 * instruction the interpreter must do, or MAX_INSNS instructions. Returns
 * undefined when the first instruction must be interpreted.
 */
export function translate(m: Machine, pc: number, traced: boolean): { block: Block; pages: number[] } | undefined {
  const start = pc >>> 0;
  const insns: { pc: number; insn: Insn; word: number }[] = [];
  const visited = new Set<number>();
  /** Where execution continues after the last instruction, unless it is a jump that leaves or loops. */
  let fallsTo: number | undefined;
  for (let p = start; ;) {
    if (insns.length >= MAX_INSNS || visited.has(p)) {
      fallsTo = p;
      break;
    }
    const offset = m.ramOffset(p, 4);
    const insn = offset < 0 ? undefined : m.peekDecode(offset);
    if (insn === undefined || untranslatable(insn)) {
      fallsTo = p;
      break;
    }
    m.decodeAt(offset); // from now on a store here invalidates the block
    insns.push({ pc: p, insn, word: m.ramI32[offset >>> 2]! >>> 0 });
    visited.add(p);
    if (insn.op === 'jalr') break;
    if (insn.op === 'jal') {
      const target = (p + insn.imm) >>> 0;
      if ((target & 3) !== 0 || target === start) break;
      p = target;
      continue;
    }
    p = (p + 4) >>> 0;
  }
  if (insns.length === 0) return undefined;
  const total = insns.reduce((sum, x) => sum + costOf(x.insn), 0);
  const count = insns.length;
  const loops = insns.some(({ pc: p, insn }) => isControl(insn) && insn.op !== 'jalr' && (p + insn.imm) >>> 0 === start);

  const used = new Set<number>();
  const written = new Set<number>();
  for (const { insn } of insns) {
    for (const r of [insn.rs1, insn.rs2]) if (r !== 0) used.add(r);
    if (insn.rd !== 0) {
      used.add(insn.rd);
      written.add(insn.rd);
    }
  }
  const reg = (r: number): string => (r === 0 ? '0' : `x${r}`);
  const writeBack = [...written].map((r) => `R[${r}] = x${r};`).join(' ');
  /** Leaves the block after `done` cycles and `n` instructions with the next pc `next` (an expression). */
  const leave = (next: string, done: number, n: number): string => `{ m.clock += ${done}; m.retired += ${n}; ${writeBack} m.pc = ${next}; return; }`;
  const goTo = (target: number, done: number, n: number): string =>
    loops && target === start ? `{ m.clock += ${done}; m.retired += ${n}; if (m.clock + ${total} > m.limit) { ${writeBack} m.pc = ${hex(start)}; return; } continue; }` : leave(hex(target), done, n);
  const trap = (cause: number, tval: string, at: number, done: number, index: number): string => `{ ${writeBack} m.trapInBlock(${cause}, ${tval}, ${hex(at)}, ${done}, ${index}); return; }`;
  const set = (rd: number, expr: string): string => (rd === 0 ? '' : `x${rd} = ${expr};`);
  /** Traced blocks: the retirement record of the instruction (rd 0: no register written), or only the retire hook's arguments when there is one. */
  const hooked = traced && m.retireHook !== undefined;
  const record = (p: number, word: number, rd: number, memory = '0, 0, 0, false'): string => {
    if (!traced) return '';
    const value = rd === 0 ? '0' : `x${rd}`;
    return hooked ? `H(${hex(p)}, ${word >>> 0}, ${rd}, ${value} >>> 0, false);` : `S(${hex(p)}, ${word}, ${rd}, ${value}, ${memory});`;
  };

  const body: string[] = [];
  let done = 0;
  insns.forEach(({ pc: p, insn: i, word }, index) => {
    const a = reg(i.rs1);
    const b = reg(i.rs2);
    const next = (p + 4) >>> 0;
    const after = done + costOf(i);
    const target = (p + i.imm) >>> 0;
    const retired = record(p, word, i.rd);
    switch (i.op) {
      case 'lui':
        body.push(set(i.rd, `${i.imm | 0}`));
        break;
      case 'auipc':
        body.push(set(i.rd, `${(p + i.imm) | 0}`));
        break;
      case 'jal':
        if ((target & 3) !== 0) body.push(trap(CAUSE.fetchMisaligned, hex(target), p, done, index));
        else body.push(set(i.rd, `${next | 0}`), retired, target === start ? goTo(target, after, index + 1) : '');
        break;
      case 'jalr':
        body.push(`t = (${a} + ${i.imm}) & -2;`, `if ((t & 3) !== 0) ${trap(CAUSE.fetchMisaligned, 't >>> 0', p, done, index)}`, set(i.rd, `${next | 0}`), retired, leave('t >>> 0', after, index + 1));
        break;
      case 'beq':
      case 'bne':
      case 'blt':
      case 'bge':
      case 'bltu':
      case 'bgeu': {
        const cond = {
          beq: `${a} === ${b}`,
          bne: `${a} !== ${b}`,
          blt: `${a} < ${b}`,
          bge: `${a} >= ${b}`,
          bltu: `(${a} >>> 0) < (${b} >>> 0)`,
          bgeu: `(${a} >>> 0) >= (${b} >>> 0)`,
        }[i.op];
        const noRd = record(p, word, 0);
        const taken = (target & 3) !== 0 ? trap(CAUSE.fetchMisaligned, hex(target), p, done, index) : `{ ${noRd} ${goTo(target, after, index + 1)} }`;
        body.push(`if (${cond}) ${taken}`, noRd);
        break;
      }
      case 'lb':
      case 'lh':
      case 'lw':
      case 'lbu':
      case 'lhu': {
        const size = accessSize(i.op);
        const extend = { lb: '(r << 24) >> 24', lbu: 'r', lh: '(r << 16) >> 16', lhu: 'r', lw: 'r | 0' }[i.op];
        // untraced (or only hooked): the sign-extending views directly; traced: the raw bytes first, for the record
        const raw = traced && !hooked;
        const fast = raw
          ? { lb: 'U8[o]', lbu: 'U8[o]', lh: 'U16[o >> 1]', lhu: 'U16[o >> 1]', lw: 'I32[o >> 2] >>> 0' }[i.op]
          : { lb: 'I8[o]', lbu: 'U8[o]', lh: 'I16[o >> 1]', lhu: 'U16[o >> 1]', lw: 'I32[o >> 2]' }[i.op];
        body.push(
          `a = (${a} + ${i.imm}) | 0; o = a ^ -2147483648;`,
          `if ((o >>> 0) < ${m.ramBytes} && (o & ${size - 1}) === 0) ${raw ? `{ r = ${fast}; t = ${extend}; }` : `t = ${fast};`}`,
          `else { r = m.slowLoad(a >>> 0, ${size}, ${hex(p)}, ${done}, ${index}); if (m.exitBlock) { ${writeBack} return; } t = ${extend}; }`,
          set(i.rd, 't'),
          record(p, word, i.rd, `a, r, ${(1 << size) - 1} << (a & 3), false`),
        );
        break;
      }
      case 'sb':
      case 'sh':
      case 'sw': {
        const size = accessSize(i.op);
        const fast = { sb: 'U8[o]', sh: 'U16[o >> 1]', sw: 'I32[o >> 2]' }[i.op];
        const data = { sb: `${b} & 255`, sh: `${b} & 65535`, sw: b }[i.op];
        body.push(
          `a = (${a} + ${i.imm}) | 0; o = a ^ -2147483648;`,
          `if ((o >>> 0) < ${m.ramBytes} && (o & ${size - 1}) === 0) { ${fast} = ${b}; if (W[o >>> ${WATCH_PAGE_SHIFT}] === 0) t = 0; else t = 1; } else t = 1;`,
          `if (t === 1 && m.slowStore(a >>> 0, ${size}, ${b}, ${hex(p)}, ${done}, ${index})) { ${writeBack} return; }`,
          record(p, word, 0, `a, ${data}, ${(1 << size) - 1} << (a & 3), true`),
          `if (t === 1 && m.exitBlock) { ${writeBack} return; }`,
        );
        break;
      }
      case 'addi':
        body.push(set(i.rd, `(${a} + ${i.imm}) | 0`));
        break;
      case 'slti':
        body.push(set(i.rd, `${a} < ${i.imm} ? 1 : 0`));
        break;
      case 'sltiu':
        body.push(set(i.rd, `(${a} >>> 0) < ${i.imm >>> 0} ? 1 : 0`));
        break;
      case 'xori':
        body.push(set(i.rd, `${a} ^ ${i.imm}`));
        break;
      case 'ori':
        body.push(set(i.rd, `${a} | ${i.imm}`));
        break;
      case 'andi':
        body.push(set(i.rd, `${a} & ${i.imm}`));
        break;
      case 'slli':
        body.push(set(i.rd, `${a} << ${i.imm}`));
        break;
      case 'srli':
        body.push(set(i.rd, `(${a} >>> ${i.imm}) | 0`));
        break;
      case 'srai':
        body.push(set(i.rd, `${a} >> ${i.imm}`));
        break;
      case 'add':
        body.push(set(i.rd, `(${a} + ${b}) | 0`));
        break;
      case 'sub':
        body.push(set(i.rd, `(${a} - ${b}) | 0`));
        break;
      case 'sll':
        body.push(set(i.rd, `${a} << (${b} & 31)`));
        break;
      case 'slt':
        body.push(set(i.rd, `${a} < ${b} ? 1 : 0`));
        break;
      case 'sltu':
        body.push(set(i.rd, `(${a} >>> 0) < (${b} >>> 0) ? 1 : 0`));
        break;
      case 'xor':
        body.push(set(i.rd, `${a} ^ ${b}`));
        break;
      case 'srl':
        body.push(set(i.rd, `(${a} >>> (${b} & 31)) | 0`));
        break;
      case 'sra':
        body.push(set(i.rd, `${a} >> (${b} & 31)`));
        break;
      case 'or':
        body.push(set(i.rd, `${a} | ${b}`));
        break;
      case 'and':
        body.push(set(i.rd, `${a} & ${b}`));
        break;
      case 'mul':
        body.push(set(i.rd, `Math.imul(${a}, ${b})`));
        break;
      case 'mulh':
      case 'mulhsu':
      case 'mulhu':
      case 'div':
      case 'divu':
      case 'rem':
      case 'remu':
        body.push(set(i.rd, `${i.op}(${a}, ${b})`));
        break;
      case 'fence':
      case 'fence.i':
        break;
      default:
        throw new Error(`translator reached ${i.op}`);
    }
    if (!isControl(i) && !isLoad(i.op) && !isStore(i.op)) body.push(retired);
    done = after;
  });
  if (fallsTo !== undefined) body.push(leave(hex(fallsTo), total, count));

  const locals = [...used].map((r) => `x${r} = R[${r}]`);
  const source = [`let ${['a = 0', 'o = 0', 't = 0', 'r = 0', ...locals].join(', ')};`, loops ? `for (;;) {\n${body.join('\n')}\n}` : body.join('\n')].join('\n');
  const factory = new Function(
    'm',
    'R',
    'I8',
    'U8',
    'I16',
    'U16',
    'I32',
    'W',
    'S',
    'H',
    'mulh',
    'mulhsu',
    'mulhu',
    'div',
    'divu',
    'rem',
    'remu',
    `return function block_${start.toString(16)}() {\n${source}\n};`,
  ) as (...args: unknown[]) => BlockFn;
  const emit = m.emitRecord.bind(m);
  const run = factory(m, m.regs, m.ramI8, m.ramU8, m.ramI16, m.ramU16, m.ramI32, m.watch, emit, m.retireHook, mulh, mulhsu, mulhu, div, divu, rem, remu);
  const pages = [...new Set(insns.map((x) => (x.pc - RAM_BASE) >>> WATCH_PAGE_SHIFT))];
  return { block: { run, cycles: total }, pages };
}

/** Translated blocks by start pc, with invalidation when code is overwritten. */
export class BlockCache {
  /** By RAM word index: a block, null (interpret this pc), or undefined (not yet seen often enough); untraced and traced. */
  private readonly blocks: (Block | null | undefined)[] = [];
  private readonly tracedBlocks: (Block | null | undefined)[] = [];
  private readonly hits: Uint8Array;
  /** Block start word indexes per watched page. */
  private readonly byPage = new Map<number, number[]>();
  translated = 0;

  constructor(
    private readonly m: Machine,
    private readonly threshold = 2,
  ) {
    this.hits = new Uint8Array(m.ramBytes >>> 2);
    m.onCodeWrite = (page) => this.invalidatePage(page);
  }

  /** The block at `pc` (a traced one: emitting records) when there is, or now is worth making, one. */
  lookup(pc: number, traced: boolean): Block | null | undefined {
    const index = (pc - RAM_BASE) >>> 2;
    if (index >= this.hits.length || (pc & 3) !== 0) return null;
    const blocks = traced ? this.tracedBlocks : this.blocks;
    const known = blocks[index];
    if (known !== undefined) return known;
    if (this.hits[index]! < this.threshold && ++this.hits[index]! < this.threshold) return undefined;
    const made = translate(this.m, pc, traced);
    if (made === undefined) {
      blocks[index] = null;
      this.watchPage((index << 2) >>> WATCH_PAGE_SHIFT, index);
      return null;
    }
    this.translated++;
    blocks[index] = made.block;
    for (const page of made.pages) this.watchPage(page, index);
    return made.block;
  }

  private watchPage(page: number, index: number): void {
    let list = this.byPage.get(page);
    if (!list) this.byPage.set(page, (list = []));
    list.push(index);
    this.m.watch[page]! |= WATCH_CODE;
  }

  /** Drops the blocks that have instructions in RAM page `page` (the machine calls this on a store there). */
  invalidatePage(page: number): void {
    const list = this.byPage.get(page);
    if (list) {
      for (const index of list) {
        this.blocks[index] = undefined;
        this.tracedBlocks[index] = undefined;
      }
    }
    this.byPage.delete(page);
  }

  /** Forgets the traced blocks (they call the retire hook they were made with). */
  dropTraced(): void {
    this.tracedBlocks.length = 0;
  }

  /** Forgets every block and hit count (a new program). */
  clear(): void {
    this.blocks.length = 0;
    this.tracedBlocks.length = 0;
    this.byPage.clear();
    this.hits.fill(0);
  }
}
