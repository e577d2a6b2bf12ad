// The binders in scope where a compiled call returns to, read back from the core for `cax debug --backend iss`
// (docs/debugging.md). At a callee's first instruction (the prologue's `addi sp, sp, -frame`) the caller's frame
// pointer (s0), its register pairs and the return address (ra) are as the caller left them: the compiler's slot
// map (compiler/slot-map.ts) tells which binders are live at the call (ra - 4) and where each one is — a frame
// slot, a box, a register pair, a field of a matched cons cell, a capture of the running closure — and each is decoded from the heap as the host
// reads results (coprocessor/heap.ts). Innermost first, a name once, as the interpreter's debugger lists them.
// A loop's self tail call jumps past the prologue, to its body, with the new arguments in their frame slots and
// register pairs: there the arguments are read from those homes, and where the loop returns from the caller's
// registers as the prologue saved them (s0, ra and the register pairs).
// Where the return address is in a body inlined from another definition (by the source map), only the binders
// declared in that definition are in scope there (its parameters, recorded as binders of the inlined code).
// Where it is in a closure's code, the frames above (saved s0 and ra) that run code of the same definition give the
// enclosing binders the closure did not capture, as the interpreter shows them through the closure's environment.
import { CaxError, type SourceSpan } from '../errors.js';
import { readValue, type MemoryReader, type Word2 } from '../coprocessor/heap.js';
import { bindersAt, type BinderHome, type BinderRange } from '../compiler/slot-map.js';
import { TAG } from '../compiler/layout.js';
import { binderKey } from '../tel/infer.js';
import type { Decl } from '../tel/ast.js';
import { showValue } from '../tel/values.js';
import type { Iss } from '../riscv/iss.js';
import { binderType, sourceName, type Binder, type Debuggee, type ScopedValue } from './record.js';

/** The most frames walked up from a closure's to its enclosing definition's. */
const MAX_ENCLOSING_FRAMES = 64;

/** A parameter's register pair (slot-map.ts). */
type RegHome = Extract<BinderHome, { readonly k: 'reg' }>;

const RA = 1;
const S0 = 8;

/** The tag word of a box whose value is not computed yet (codegen.ts UNDEFINED_TAG, as an unsigned word). */
const UNDEFINED_TAG = 0xffffffff;

/** Where a frame keeps its closure (env) pointer, below s0 (docs/compiler.md). */
const ENV_OFFSET = -12;

/** The core's memory as the heap decoder reads it. */
export function coreMemory(iss: Iss): MemoryReader {
  return (addr, bytes) => {
    const b = iss.readMemory(addr, bytes);
    return new DataView(b.buffer, b.byteOffset, b.byteLength);
  };
}

/** The (tag, payload) pair at `addr`. */
export function pairAt(mem: MemoryReader, addr: number): Word2 {
  const v = mem(addr >>> 0, 8);
  return { tag: v.getUint32(0, true), val: v.getUint32(4, true) };
}

/** The pair a binder's home holds in the frame at `s0` with `registers`; undefined for a box not filled yet. */
function pairOf(home: BinderHome, registers: readonly number[], mem: MemoryReader): Word2 | undefined {
  const s0 = registers[S0]!;
  switch (home.k) {
    case 'reg':
      return { tag: registers[home.tag]! >>> 0, val: registers[home.payload]! >>> 0 };
    case 'field':
      return pairAt(mem, pairAt(mem, s0 + home.off).val + home.at);
    case 'slot':
      if (home.int) return { tag: TAG.INT, val: pairAt(mem, s0 + home.off).val };
      return unboxed(home, pairAt(mem, s0 + home.off), mem);
    case 'cap':
      return unboxed(home, pairAt(mem, mem((s0 + ENV_OFFSET) >>> 0, 4).getUint32(0, true) + 12 + 8 * home.index), mem);
  }
}

/** The pair itself, or for a boxed home the pair in the box it points to (undefined while the box is not filled). */
function unboxed(home: { readonly box?: true }, pair: Word2, mem: MemoryReader): Word2 | undefined {
  if (!home.box) return pair;
  const boxed = pairAt(mem, pair.val);
  return boxed.tag === UNDEFINED_TAG ? undefined : boxed;
}

/** Where a loop keeps the caller's register pair of its parameter `i` while it runs, below s0 (codegen.ts prologue). */
const savedPairOffset = (i: number): number => -24 - 8 * i;

/**
 * The parameters the function whose code is [start, end) keeps in register pairs (a loop's, codegen.ts `registers`),
 * by position: `keys[i]` are the binderKeys of parameter `i` (one an equation).
 */
export function registerParameters(ranges: readonly BinderRange[], start: number, end: number, keys: readonly (readonly (string | undefined)[])[]): ReadonlyMap<number, RegHome> {
  const found = new Map<number, RegHome>();
  for (const r of ranges) {
    if (r.home.k !== 'reg' || r.from < start || r.from >= end) continue;
    const key = binderKey(sourceName(r.name) ?? r.name, r.span);
    const i = keys.findIndex((ks) => ks.includes(key));
    if (i >= 0) found.set(i, r.home);
  }
  return found;
}

/** Argument `i` at a loop's body: in its register pair, else in its frame slot (s0 + 8 i, as the caller left it). */
export function loopArgument(i: number, inRegisters: ReadonlyMap<number, RegHome>, registers: readonly number[], mem: MemoryReader): Word2 {
  const home = inRegisters.get(i);
  return home ? pairOf(home, registers, mem)! : pairAt(mem, registers[S0]! + 8 * i);
}

/** The registers of the caller a loop returns to, as its prologue saved them: s0, ra and the register pairs of its parameters. */
export function callerRegisters(registers: readonly number[], inRegisters: ReadonlyMap<number, RegHome>, mem: MemoryReader): number[] {
  const s0 = registers[S0]!;
  const word = (off: number): number => mem((s0 + off) >>> 0, 4).getUint32(0, true);
  const caller = [...registers];
  for (const [i, home] of inRegisters) {
    caller[home.tag] = word(savedPairOffset(i));
    caller[home.payload] = word(savedPairOffset(i) + 4);
  }
  caller[RA] = word(-4);
  caller[S0] = word(-8);
  return caller;
}

/** Whether `a` starts after `b`. */
const after = (a: SourceSpan, b: SourceSpan): boolean => a.line > b.line || (a.line === b.line && a.col > b.col);

/** The program's top-level definition whose source holds `span` (the last one starting at or before it). */
function definitionAt(d: Debuggee, span: SourceSpan): Decl | undefined {
  let found: Decl | undefined;
  for (const decl of d.loaded.program.decls) if (decl.span.file === span.file && !after(decl.span, span) && (!found || after(decl.span, found.span))) found = decl;
  return found;
}

/**
 * The binders in scope where the call that just entered returns to, shown with their types, and (for watches) the
 * values of those read back whole; `maxObjects` bounds the heap objects read for one binder. `where` is the source
 * map: where the return address lies in the code of a body inlined from another definition, only that
 * definition's binders are in scope. Where it lies in a closure's code (`inClosure`: a lambda's or local
 * function's), the frames above it are walked (saved s0 and ra) while they run code of the same definition: the
 * enclosing binders the closure did not capture are read there, as the interpreter shows them through the closure's
 * environment (those in register pairs only in the first frame: the frames below may hold them).
 */
export function bindersWhereItReturns(
  d: Debuggee,
  ranges: readonly BinderRange[],
  registers: readonly number[],
  mem: MemoryReader,
  maxObjects: number,
  where: (pc: number) => SourceSpan | undefined,
  inClosure: (pc: number) => boolean,
): { readonly scope: readonly Binder[]; readonly values: ReadonlyMap<string, ScopedValue> } {
  const scope: Binder[] = [];
  const values = new Map<string, ScopedValue>();
  const seen = new Set<string>();
  let frame = [...registers];
  let definition: Decl | undefined;
  for (let depth = 0; depth < MAX_ENCLOSING_FRAMES; depth++) {
    const at = (frame[RA]! - 4) >>> 0;
    // an inlined body's code lies in its caller's: there only the binders of the definition it comes from are in scope
    const returnsTo = where(at);
    const from = returnsTo && definitionAt(d, returnsTo);
    // past a closure's frame, its caller's when that runs code of the same definition (the closure's enclosing
    // binders): only that definition's binders (a pc the source map does not tell is judged by them)
    if (depth > 0 && from && from !== definition) break;
    if (depth === 0) definition = from;
    const own = depth === 0 ? from : definition;
    const live = bindersAt(ranges, at)
      .filter((r) => (!own || definitionAt(d, r.span) === own) && (depth === 0 || r.home.k !== 'reg'))
      .reverse();
    for (const r of live) {
      const name = sourceName(r.name);
      if (name === undefined || seen.has(name)) continue;
      seen.add(name);
      const key = binderKey(name, r.span);
      let shown: string;
      try {
        const pair = pairOf(r.home, frame, mem);
        if (pair === undefined) continue;
        const value = readValue(pair, mem, maxObjects);
        values.set(name, { value, key });
        shown = showValue(value);
      } catch (e) {
        if (!(e instanceof CaxError)) throw e;
        shown = `<${e.code}>`;
      }
      scope.push({ name, value: shown, type: binderType(d, key) });
    }
    if (!inClosure(at)) break;
    const s0 = frame[S0]!;
    frame = [...frame];
    frame[RA] = mem((s0 - 4) >>> 0, 4).getUint32(0, true);
    frame[S0] = mem((s0 - 8) >>> 0, 4).getUint32(0, true);
  }
  return { scope, values };
}
