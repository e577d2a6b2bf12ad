// Allocation of compiled code's small objects at the allocation site
// (CodegenOptions.inlineAlloc; docs/compiler.md "The heap and the garbage
// collector", *Allocation*): the two cheap cases of the runtime's
// rt_alloc_small (firmware/tel-runtime/entry.S) — the free list of the
// object's size, then the untouched top — inline, over the allocator's state
// at gp (struct alloc_state, gc.c), and a call of its rest, rt_alloc_carve
// (the carved chunk, then the slow path: a bigger free chunk, a collection),
// when both are empty. So every object is the chunk rt_alloc_small would
// have given, with the same bitmap bits set: the heap, its collections and
// E_BUDGET (heap) are exactly as with the call. An object bigger than the
// free lists' sizes (a fused bind's chunk of 80 bytes) has no free list of
// its size: only the top is tried in line, as rt_alloc_filled does.
// Also here, over the same state: the write barriers of the generational
// collector (gc.c, "Minor collections" in docs/compiler.md) for compiled code
// that writes into an object allocated earlier.
import { REG, type Asm } from './asm.js';
import { ALLOC_STATE } from './layout.js';

const { zero, gp, t0, t1, t2, a0, a1 } = REG;

/** Prefix of the label at an inline allocation's bitmap update, followed by the object's bytes (link.ts Image.allocations). */
export const ALLOC_SITE_LABEL = '.alloc$';

/** Largest object allocated in line: its size fits addi's 12-bit immediate. */
export const INLINE_ALLOC_MAX_BYTES = 2040;

/**
 * An object of `size` bytes (a multiple of 8, at most INLINE_ALLOC_MAX_BYTES) into a0, not zeroed, as
 * `call rt_alloc_filled` with a0 = size gives it (the free list of its size first when it has one: at most
 * 8 * ALLOC_STATE.classes bytes); clobbers only registers that call may (t1, t2, a1; the slow path is C).
 * `rest` is the runtime's rt_alloc_carve (a call site of the frame maps: emitted in line, so that the sites ascend).
 */
export function emitInlineAlloc(b: Asm, size: number, rest: string): void {
  const top = b.fresh('top');
  const fast = b.fresh('fast');
  const bit = `${ALLOC_SITE_LABEL}${size}$${b.fresh('').slice(1)}`;
  const done = b.fresh('allocated');
  if (size <= 8 * ALLOC_STATE.classes) {
    // the free list of the size: its first chunk (start bit set: set its used bit)
    const list = ALLOC_STATE.freeLists + size / 2; // 4 * (size / 8): the free list's word
    b.lw(a0, list, gp);
    b.branch('beq', a0, zero, top);
    b.lw(t1, 4, a0);
    b.sw(t1, list, gp);
    b.lw(t1, ALLOC_STATE.usedAt, gp);
    b.j(bit);
  }
  // the untouched top up to top_end (set its start bit: the next collection sets the used bits there)
  b.label(top);
  b.lw(a0, ALLOC_STATE.hp, gp);
  b.lw(t1, ALLOC_STATE.topEnd, gp);
  b.addi(t2, a0, size);
  b.branch('bgeu', t1, t2, fast);
  b.li(a0, size);
  b.call(rest);
  b.j(done);
  b.label(fast);
  b.sw(t2, ALLOC_STATE.hp, gp);
  b.lw(t1, ALLOC_STATE.startsAt, gp);
  // the granule's bit in the bitmap at t1: word t1 + ((a >> 6) & ~3), bit (a >> 3) & 31
  b.label(bit);
  b.srli(t2, a0, 6);
  b.andi(t2, t2, -4);
  b.add(t1, t1, t2);
  b.srli(t2, a0, 3);
  b.li(a1, 1);
  b.sll(t2, a1, t2);
  b.lw(a1, 0, t1);
  b.or(a1, a1, t2);
  b.sw(a1, 0, t1);
  b.label(done);
}

/**
 * The write barrier after a list reversed in place (codegen.ts reverseCells), the reversed list's first cell in t2 (0
 * for an empty list), its cells consed in order so that this first cell is the oldest: a cell at or above swept_to
 * came from the top since the last collection (young: nothing to do); any other goes to the runtime's
 * rt_remember_reversed (entry.S), which records the list among the remembered cells when the cell is old, and whose
 * old cells the next minor collection scans as roots (they may now point to younger cells). Clobbers t0 and a2 (and
 * ra: the caller's frame saved it).
 */
export function emitRememberReversed(b: Asm, remember: string): void {
  const young = b.fresh('young');
  b.branch('beq', t2, zero, young);
  b.lw(t0, ALLOC_STATE.sweptTo, gp);
  b.branch('bgeu', t2, t0, young);
  b.call(remember);
  b.label(young);
}

/**
 * The write barrier after a write into an object that a collection may have made old since it was allocated (a
 * recursive binding group's closures and boxes, codegen.ts genBindings): the next collection is a major one (gp, the
 * state's address, is not 0).
 */
export function emitWritten(b: Asm): void {
  b.sw(gp, ALLOC_STATE.dirty, gp);
}
