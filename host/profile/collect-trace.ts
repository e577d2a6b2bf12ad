// Collects a cycle profile of a compiled TEL image from retirement records
// (docs/trace-port.md) — the ISS's as they happen, or the simulated core's
// from its trace file: each record's cycles (the core's cost model, the
// same on both: a trap 3, a load 4, a divide 35, anything else 3) are
// charged to the symbol its pc lies in — compiled definitions (`tel$NAME` labels) and the
// runtime's routines from its ELF, the collector's (rt_collect, rt_gc …)
// marked as garbage collection — and to its source line through the
// image's source map. A shadow call stack follows jal/jalr with rd = ra
// (calls), `jalr x0, 0(ra)` (returns) and jumps into another symbol (tail
// calls); a0 is followed through the records' register writes, so the
// bytes of each call of an allocator entry (ALLOCATORS) are charged to its caller. Instructions
// outside the image (the loader) are not charged here.
import { formatSpan, type SourceSpan } from '../errors.js';
import { spanAt, type Image } from '../compiler/link.js';
import { decode } from '../riscv/decode.js';
import { CYCLES, costOf } from '../riscv/machine.js';
import type { TraceRecord } from '../trace/record.js';
import { CallStack } from './call-stack.js';
import type { LineCost, ProfileFrame } from './model.js';

/** The runtime's garbage collector (firmware/tel-runtime/gc.c and its entry rt_collect). */
const GC_SYMBOLS = new Set(['rt_collect', 'rt_gc', 'mark_from']);
/** The runtime's allocator entries, each called with the bytes in a0 (gc.c rt_alloc; entry.S rt_alloc_filled, rt_alloc_small, rt_alloc_carve). */
const ALLOCATORS = ['rt_alloc', 'rt_alloc_filled', 'rt_alloc_small', 'rt_alloc_carve'];
const OP_JAL = 0x6f,
  OP_JALR = 0x67,
  RA = 1;

/** A profile name for a symbol: compiled definitions without their label decoration. */
export function symbolName(label: string): string {
  if (label === 'tel$$entry') return '(entry)';
  const hashed = /^tel\$@([0-9a-f]{12})[0-9a-f]*$/.exec(label);
  if (hashed) return `@${hashed[1]!}`;
  const local = /^tel\$([^$]+)\$(\d+)$/.exec(label);
  if (local) return `${local[1]!}#${local[2]!}`;
  return label.startsWith('tel$') ? label.slice(4) : label;
}

/** The span of the first source-map entry in [from, to) (a definition's own code), if any. */
function firstSpanIn(image: Image, from: number, to: number): SourceSpan | undefined {
  const map = image.sourceMap;
  let lo = 0;
  let hi = map.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (map[mid]!.pc < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < map.length && map[lo]!.pc < to ? map[lo]!.span : undefined;
}

export class TraceCollector {
  readonly stack = new CallStack('(program)');
  /** Frame of each image word (-1: no symbol). */
  private readonly frameOfWord: Int32Array;
  private readonly cyclesOfWord: Float64Array;
  /** Cycles of the instruction at each image word (0: not decoded yet). */
  private readonly costOfWord: Uint8Array;
  private charged = 0;
  /** Word index of the previous record's instruction, or -1 when it was outside the image. */
  private prevWord = -1;
  private prevCall = false;
  private prevRet = false;
  /** The frame on top of the shadow stack. */
  private topFrame = -1;
  private allocated = 0;
  /** a0 as the records last wrote it, and at the last call (rt_alloc's argument, the bytes). */
  private a0 = 0;
  private callA0 = 0;
  private readonly allocFrames: ReadonlySet<number>;
  /** Bytes of the compiled code's inline allocation that has taken its chunk at each image word (0: none; link.ts Image.allocations). */
  private readonly allocOfWord: Uint32Array;

  constructor(private readonly image: Image) {
    const words = (image.heapStart - image.base) >>> 2;
    this.frameOfWord = new Int32Array(words).fill(-1);
    this.cyclesOfWord = new Float64Array(words);
    this.costOfWord = new Uint8Array(words);
    // a definition's `$body` label (after its entry checks) is part of the definition
    const symbols = [...image.symbols].filter(([name, a]) => a >= image.base && a < image.heapStart && name !== '__rt_end' && !name.endsWith('$body')).sort((a, b) => a[1] - b[1]);
    for (let i = 0; i < symbols.length; i++) {
      const [label, addr] = symbols[i]!;
      const end = i + 1 < symbols.length ? symbols[i + 1]![1] : image.heapStart;
      if (end === addr) continue;
      const kind: ProfileFrame['kind'] = GC_SYMBOLS.has(label) ? 'gc' : addr < image.codeStart ? 'runtime' : 'tel';
      const span = kind === 'tel' ? firstSpanIn(image, addr, end) : undefined;
      const f = this.stack.frame(symbolName(label), span ? formatSpan(span) : null, kind);
      this.frameOfWord.fill(f, (addr - image.base) >>> 2, (end - image.base) >>> 2);
    }
    this.allocFrames = new Set(ALLOCATORS.map((name) => this.stack.frame(name, null, 'runtime')));
    this.allocOfWord = new Uint32Array(words);
    for (const [pc, bytes] of image.allocations ?? []) this.allocOfWord[(pc - image.base) >>> 2] = bytes;
  }

  /** The trace sink (records read from the simulated core's trace file). */
  readonly sink = (r: TraceRecord): void => this.retire(r.pc, r.insn, r.rd, r.rdValue, r.trap);

  /**
   * One retirement (the ISS's retire hook, no record made): moves the shadow stack to this instruction and charges its
   * cycles there. Cycles are charged to the stack lazily, whenever its top is about to change (most instructions stay in
   * their symbol).
   */
  readonly retire = (pc: number, insn: number, rd: number, rdValue: number, trap: boolean): void => {
    if (rd === 10) this.a0 = rdValue;
    const offset = pc - this.image.base;
    const word = offset >= 0 && pc < this.image.heapStart ? offset >>> 2 : -1;
    if (word < 0 || this.frameOfWord[word]! < 0) {
      if (this.prevWord >= 0) {
        this.stack.charge(this.charged, this.allocated);
        while (this.stack.size > 1) this.stack.pop();
      }
      this.prevWord = -1;
      return;
    }
    const f = this.frameOfWord[word]!;
    if (this.prevWord < 0 || this.prevCall || this.prevRet || this.topFrame !== f) {
      this.stack.charge(this.charged, this.allocated);
      if (this.allocFrames.has(f) && this.prevCall) {
        // an allocator's call (bytes): the bytes are the caller's allocation
        this.allocated += this.callA0;
        this.stack.charge(this.charged, this.allocated);
      }
      if (this.prevWord < 0 || this.prevCall) this.stack.push(f, 0, false);
      else if (this.prevRet) {
        if (this.stack.size > 1) this.stack.pop();
        if (this.stack.top().frame !== f) this.jumpTo(f);
      } else this.jumpTo(f);
      this.topFrame = this.stack.top().frame;
    }
    this.allocated += this.allocOfWord[word]!;
    let cost = trap ? CYCLES.trap : this.costOfWord[word]!;
    if (cost === 0) cost = this.costOfWord[word] = costOf(decode(insn));
    this.cyclesOfWord[word]! += cost;
    this.charged += cost;
    this.prevWord = word;
    const op = insn & 0x7f;
    if (op !== OP_JAL && op !== OP_JALR) {
      this.prevCall = this.prevRet = false;
      return;
    }
    const dest = (insn >>> 7) & 31;
    this.prevCall = !trap && dest === RA;
    if (this.prevCall) this.callA0 = this.a0;
    this.prevRet = !trap && op === OP_JALR && dest === 0 && ((insn >>> 15) & 31) === RA;
  };

  /** A jump into another symbol: a tail call, or a frame entered from the root. */
  private jumpTo(f: number): void {
    if (this.stack.size > 1) this.stack.tailCall(f, 0);
    else this.stack.push(f, 0, false);
  }

  /**
   * Ends the profile at the run's `total` cycles: what the run counted outside the image (the loader's entry
   * and exit around each run on the core) is the `(loader)` frame. False when the image took more than `total`.
   */
  settle(total: number): boolean {
    if (total < this.charged) return false;
    this.stack.charge(this.charged, this.allocated);
    this.stack.push(this.stack.frame('(loader)', null, 'pseudo'), 0, true);
    this.charged = total;
    this.stack.charge(total, this.allocated);
    return true;
  }

  /** Cycles charged to instructions of the image so far. */
  get cycles(): number {
    return this.charged;
  }

  /** Cycles per source line (through the source map), compiled code only. */
  lines(): LineCost[] {
    const byLine = new Map<string, number>();
    const codeFrom = (this.image.codeStart - this.image.base) >>> 2;
    for (let w = codeFrom; w < this.cyclesOfWord.length; w++) {
      const c = this.cyclesOfWord[w]!;
      if (c === 0) continue;
      const span = spanAt(this.image, this.image.base + w * 4);
      if (!span) continue;
      const where = `${span.file}:${span.line}`;
      byLine.set(where, (byLine.get(where) ?? 0) + c);
    }
    return [...byLine].map(([where, cost]) => ({ where, cost })).sort((a, b) => b.cost - a.cost);
  }
}
