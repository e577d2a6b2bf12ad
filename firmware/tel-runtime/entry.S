/* Entry of a compiled TEL image, called by the cax loader as a C function:
 * a0 = the argument vector (values the host wrote at the heap start),
 * a1 = its length, a2 = the first free heap byte, a3 = the cycle budget
 * (compiled code compares mcycle with it, held in s10, at every function
 * entry and loop back edge: the firmware itself only checks at ecalls), and
 * gp = the allocator's state (struct alloc_state in gc.c) for the whole run. Sets up the heap and
 * stack limits (rt_heap_init for a run of main, whose heap starts at a2;
 * rt_heap_resume for a continuation, a4/a5 = the function), calls the compiled entry (its address is patched into
 * rt_entry by the linker), settles an effect result (rt_settle, below) and returns the value in a0/a1. rt_fail unwinds
 * straight back to the loader with a0 = T_ERROR. rt_call calls compiled
 * code with its arguments in the caller's outgoing area (docs/compiler.md).
 * rt_collect spills the callee-saved registers onto the stack and runs
 * rt_gc, which walks the frames through the saved s0/ra chain (_start sets
 * s0 to its sp, the chain's end; the runtime is built with frame pointers).
 * rt_apply and rt_alloc_slow enter C functions (rt_apply_c, rt_alloc_slow_c)
 * with their frames zeroed, which the collector scans conservatively.
 * The stack is [sp - S, sp) with S a quarter of the RAM above the program
 * base (sp is the RAM's end), at least STACK_BYTES: 24 KiB on the 128 KiB
 * board, about 1 MiB on the 4 MiB simulated SoC; the same S in every run of
 * a program, so the heap's end stays put. The collector's bitmaps lie right
 * below it, so nothing may run below its floor: compiled code checks its
 * frames against s11 = floor + COMPILED_RESERVE (the runtime's deepest
 * non-recursive chain, rt_apply → rt_alloc → rt_collect → rt_gc, needs about
 * 500 bytes below a compiled frame), and the runtime's recursive functions
 * (comparison, show) check their frames against rt_c_stack_limit = floor +
 * C_RESERVE (what they call needs less than that); both end the run with
 * E_BUDGET (stack). */
#include "tel.h"
#define COMPILED_RESERVE 1024
#define C_RESERVE 768
  .section .text.start, "ax"
  .globl _start
_start:
  la t0, rt_saved_sp
  sw sp, 0(t0)
  sw ra, 4(t0)
  sw s0, 8(t0)
  mv s0, sp                /* the end of the frame chain the collector walks (gc.c rt_gc): every frame's s0 is below */
  li t1, 0x80008000
  sub t1, sp, t1
  srli t1, t1, 2
  andi t1, t1, -16
  li t2, STACK_BYTES
  bgeu t1, t2, 3f
  mv t1, t2
3:
  sub t1, sp, t1
  mv s10, a3
  la gp, rt_alloc_state    /* the allocator's state (rt_alloc_filled); nothing else uses gp */
  addi s11, t1, COMPILED_RESERVE  /* stack limit for compiled code; C calls get the reserve below it */
  addi t2, t1, C_RESERVE
  la t0, rt_c_stack_limit
  sw t2, 0(t0)
  addi sp, sp, -16         /* every word written: the collector scans this frame conservatively */
  sw a0, 0(sp)
  sw a1, 4(sp)
  sw a4, 8(sp)
  sw a5, 12(sp)
  mv a0, a2
  mv a1, t1
  bnez a4, 1f
  call rt_heap_init        /* a run of main: the heap is [a2, sp - S) */
  j 2f
1:
  call rt_heap_resume      /* a continuation: the heap of the earlier runs, the arguments up to a2 */
2:
  lw a0, 0(sp)
  lw a1, 4(sp)
  lw a4, 8(sp)
  lw a5, 12(sp)
  addi sp, sp, 16
  la t0, rt_entry
  lw t0, 0(t0)
  jalr ra, t0
  call rt_settle           /* an effect result: begun here as far as the host's scheduler allows (rt_settle, below) */
  la t0, rt_last_result    /* kept alive for the continuations a later run may apply */
  sw a1, 0(t0)
  la t0, rt_saved_sp
  lw ra, 4(t0)
  lw s0, 8(t0)
  ret

  .text
  .globl rt_fail
rt_fail:
  slli a1, a1, 8
  or a1, a1, a0
  li a0, -1
  la t0, rt_saved_sp
  lw sp, 0(t0)
  lw ra, 4(t0)
  lw s0, 8(t0)
  ret

  .globl rt_out_of_cycles
rt_out_of_cycles:
  li a0, 7
  li a1, 0
  j rt_fail

  .globl rt_stack_overflow
rt_stack_overflow:
  li a0, 5
  li a1, 0
  j rt_fail

  /* void rt_collect(void): a garbage collection with the callee-saved registers on the stack: rt_gc finds the frame
   * chain from the spilled s0 and ra, and scans the C frames (these registers among them) conservatively */
  .globl rt_collect
rt_collect:
  addi sp, sp, -64
  sw ra, 60(sp)
  sw s0, 0(sp)
  sw s1, 4(sp)
  sw s2, 8(sp)
  sw s3, 12(sp)
  sw s4, 16(sp)
  sw s5, 20(sp)
  sw s6, 24(sp)
  sw s7, 28(sp)
  sw s8, 32(sp)
  sw s9, 36(sp)
  sw s10, 40(sp)
  sw s11, 44(sp)
  sw zero, 48(sp)          /* the frame's other words: no stale word for the collector's conservative scan of it */
  sw zero, 52(sp)
  sw zero, 56(sp)
  mv a0, sp
  call rt_gc
  lw ra, 60(sp)
  addi sp, sp, 64
  ret

  /* SET_BIT a, at, w, m, one: sets the bit of the granule at address \a in the bitmap at \at (starts_at or used_at of
   * struct alloc_state: its word is at \at + ((a >> 6) & ~3), its bit (a >> 3) & 31); \at, \w, \m, \one: scratch */
  .macro SET_BIT a, at, w, m, one
  srli \w, \a, 6
  andi \w, \w, -4
  add \at, \at, \w
  srli \m, \a, 3
  li \one, 1
  sll \m, \one, \m
  lw \w, 0(\at)
  or \w, \w, \m
  sw \w, 0(\at)
  .endm

  /* uint32_t rt_alloc_filled(uint32_t size): the allocator's fast path for objects whose every word the caller
   * writes before anything else allocates (size a multiple of 8, not 0; docs/compiler.md "Allocation"): the free
   * list of the size (the chunk's start bit is set: set its used bit), else the untouched top up to top_end (set its
   * start bit; the next collection sets the used bits there), else the front of the carved chunk (set its used bit,
   * and the start bit of its rest), else rt_alloc_filled_c (gc.c): the slow path. The same choices as gc.c's
   * alloc_fast, with the allocator's state at gp (struct alloc_state, set by _start). rt_alloc_small: the same for a
   * size of at most 8 * ALLOC_CLASSES (compiled code's small objects), without the test for a free list's size.
   * rt_alloc_carve: the rest (the carved chunk, then the slow path), for compiled code that tried the free list and the
   * top itself (host/compiler/inline-alloc.ts). */
  .globl rt_alloc_filled
rt_alloc_filled:
  sltiu t1, a0, 8 * (ALLOC_CLASSES + 1)
  beqz t1, 2f
  .globl rt_alloc_small
rt_alloc_small:
  srli t1, a0, 1                      /* 4 * (size / 8): the free list's offset */
  add t1, t1, gp
  lw a1, ALLOC_FREE_LISTS(t1)
  bnez a1, 4f
2:
  lw a1, ALLOC_HP(gp)
  add a2, a1, a0
  lw a3, ALLOC_TOP_END(gp)
  bltu a3, a2, 5f
  sw a2, ALLOC_HP(gp)
  lw t2, ALLOC_STARTS_AT(gp)
3:                                    /* set the chunk's bit in the bitmap at t2 */
  SET_BIT a1, t2, t1, a3, a2
  mv a0, a1
  ret
4:                                    /* from the free list at t1 */
  lw t2, 4(a1)
  sw t2, ALLOC_FREE_LISTS(t1)
  lw t2, ALLOC_USED_AT(gp)
  j 3b
  .globl rt_alloc_carve
rt_alloc_carve:                       /* compiled code's inline allocation, its free list and the top found empty */
5:                                    /* from the front of the carved chunk (its start bit is set) */
  lw a1, ALLOC_CARVE(gp)
  lw a3, ALLOC_CARVE_END(gp)
  add a2, a1, a0
  bltu a3, a2, 7f
  sw a2, ALLOC_CARVE(gp)
  beq a2, a3, 6f
  lw t2, ALLOC_STARTS_AT(gp)          /* the rest starts a chunk: set its start bit */
  SET_BIT a2, t2, t1, a3, a0
6:
  lw t2, ALLOC_USED_AT(gp)
  j 3b
7:
  j rt_alloc_filled_c                 /* the slow path, in C */

  /* rt_remember_reversed (t2 = a cell): the write barrier after compiled code reversed a list in place, t2 its first
   * cell, the oldest, below swept_to (host/compiler/inline-alloc.ts emitRememberReversed, which skips a cell above
   * it: young): when the cell is old (its bit set in the mark bitmap, which holds the survivors of the last collection
   * between collections), the list goes among the remembered cells, whose old cells the next minor collection scans as
   * roots (gc.c); with no room left there, the next collection is a major one. Clobbers t0 and a2 only. */
  .globl rt_remember_reversed
rt_remember_reversed:
  lw t0, ALLOC_MARKS_AT(gp)
  srli a2, t2, 6
  andi a2, a2, -4
  add t0, t0, a2
  lw t0, 0(t0)
  srli a2, t2, 3
  srl t0, t0, a2
  andi t0, t0, 1
  beqz t0, 1f                         /* young */
  lw a2, ALLOC_REMEMBERED(gp)
  lw t0, ALLOC_REMEMBERED_END(gp)
  bgeu a2, t0, 2f
  sw t2, 0(a2)
  addi a2, a2, 4
  sw a2, ALLOC_REMEMBERED(gp)
1:
  ret
2:
  sw gp, ALLOC_DIRTY(gp)              /* no room: gp is not 0 */
  ret

  /* ZERO_BELOW_SP n: zeroes the n bytes below sp (a multiple of 4) */
  .macro ZERO_BELOW_SP n
  .if \n > 0
  sw zero, -(\n)(sp)
  ZERO_BELOW_SP (\n - 4)
  .endif
  .endm

  /* uint32_t rt_alloc_slow(uint32_t size): the allocator's slow path (gc.c rt_alloc_slow_c, which may collect),
   * entered with its frame (ALLOC_SLOW_FRAME bytes right below sp) zeroed: the collector scans that frame
   * conservatively, and gcc leaves words of it unwritten, which would hold stale words of earlier calls (from every
   * caller: rt_alloc, rt_alloc_filled_c and so the fast paths above) */
  .globl rt_alloc_slow
rt_alloc_slow:
  ZERO_BELOW_SP ALLOC_SLOW_FRAME
  j rt_alloc_slow_c

  /* V rt_apply(V f, uint32_t n, const V *args): runtime.c's rt_apply_c, entered with its frame (APPLY_FRAME bytes)
   * zeroed: it stays under the compiled code it calls, and the collector scans it conservatively (gcc leaves words
   * of it unwritten, which would keep what stale words of earlier calls point to for as long as the callee runs) */
  .globl rt_apply
rt_apply:
  ZERO_BELOW_SP APPLY_FRAME
  j rt_apply_c

  /* V rt_call(uint32_t code, uint32_t env, uint32_t n, const V *args), with a frame as the C compiler makes them
   * (s0 = the caller's sp, ra at s0 - 4, the caller's s0 at s0 - 8), so that the collector's walk goes through it */
  .globl rt_call
rt_call:
  addi sp, sp, -16
  sw ra, 12(sp)
  sw s0, 8(sp)
  sw zero, 4(sp)           /* every word of the frame written: the collector scans it conservatively */
  sw zero, 0(sp)
  addi s0, sp, 16
  slli t1, a2, 3
  addi t1, t1, 15
  andi t1, t1, -16
  sub sp, sp, t1
  mv t2, sp
1:
  beqz a2, 2f
  lw t3, 0(a3)
  lw t4, 4(a3)
  sw t3, 0(t2)
  sw t4, 4(t2)
  addi a3, a3, 8
  addi t2, t2, 8
  addi a2, a2, -1
  j 1b
2:
  addi t3, s0, -16         /* an odd count leaves 8 bytes up to the frame's words: zeroed too */
  beq t2, t3, 3f
  sw zero, 0(t2)
  sw zero, 4(t2)
3:
  mv t0, a0
  mv a0, a1
  jalr ra, t0
  addi sp, s0, -16
  lw s0, 8(sp)
  lw ra, 12(sp)
  addi sp, sp, 16
  ret

  /* V rt_settle(V e), called by _start with a run's result: begins to run an effect as the host's scheduler would, for
   * as long as nothing but this fiber's own steps could happen (docs/compiler.md "Effects and time"). `bind(e, k)`
   * waits while e runs (at most SETTLE_DEPTH binds); `return v` (SETTLE_RETURN) or an `emit`/`now` the host performed
   * through the EFFECT_PERFORM ecall in the fiber waiting for this run (SETTLE_PRIMITIVES; a0 = the kind, a1/a2 = the
   * emitted value, a3 = the heap top, a4 = mcycle, a5 = 0; reply a0 = 1, a1 = the payload of the answer) gives its
   * value to the innermost waiting bind, whose continuation k is applied to it here: a closure of one parameter called
   * straight away (a0 = its env, the answer in this frame's outgoing area at sp, where compiled code passes
   * arguments), anything else through rt_apply; what it returns runs next. Anything else — other effects, an
   * `emit`/`now` the host did not perform (a run of main, a failure), a top-level `return`, a full stack — ends the
   * settling: it goes back to the host inside the binds still waiting, a bind rebuilt only where its effect is no
   * longer the one it had. The innermost waiting bind is kept in s4 (0: none), the others on a stack in this frame,
   * which is a C frame (s0 = the caller's sp, ra at s0 - 4, the caller's s0 at s0 - 8) on the collector's walk,
   * scanned conservatively: zeroed when the routine begins and where a bind is taken off (no stale word). s1 = the
   * stack's next free slot, s2 = T_EFFECT, s3 = EK_BIND, s5 = the node performed, s6 = EFFECT_PERFORM, s7 = EK_EMIT
   * (-1 without SETTLE_PRIMITIVES), s8 = 1, s9 = EK_PURE (-1 without SETTLE_RETURN). */
  .equ SETTLE_DEPTH, 32
  .equ SETTLE_STACK, 16               /* the stack's offset from sp, after the outgoing area: room for two arguments, as
                                       * in rt_call's (a continuation's tail jump writes a callee's two: codegen.ts
                                       * CONTINUATION_AREA) */
  .equ SETTLE_FRAME, SETTLE_STACK + 4 * SETTLE_DEPTH + 48
  .macro PERFORM                      /* the ecall for the node at s5: a0 = the kind, a1/a2 = the value */
  lw a3, ALLOC_HP(gp)                 /* rt_hp */
  .insn i 0x73, 2, a4, x0, -1280      /* csrr a4, mcycle (the runtime is built without Zicsr) */
  li a5, 0
  mv a7, s6
  ecall
  bne a0, s8, 10f                     /* not performed */
  .endm
  .globl rt_settle
rt_settle:
  li t1, T_EFFECT
  bne a0, t1, 1f                      /* no effect: nothing to settle */
  la t0, rt_settle_mode
  lw t0, 0(t0)
  bnez t0, 2f
1:
  ret
2:
  addi sp, sp, -SETTLE_FRAME
  sw ra, SETTLE_FRAME - 4(sp)
  sw s0, SETTLE_FRAME - 8(sp)
  sw s1, SETTLE_FRAME - 12(sp)
  sw s2, SETTLE_FRAME - 16(sp)
  sw s3, SETTLE_FRAME - 20(sp)
  sw s4, SETTLE_FRAME - 24(sp)
  sw s5, SETTLE_FRAME - 28(sp)
  sw s6, SETTLE_FRAME - 32(sp)
  sw s7, SETTLE_FRAME - 36(sp)
  sw s8, SETTLE_FRAME - 40(sp)
  sw s9, SETTLE_FRAME - 44(sp)
  sw zero, SETTLE_FRAME - 48(sp)
  addi s0, sp, SETTLE_FRAME
  li s2, T_EFFECT
  li s3, EK_BIND
  li s4, 0
  li s5, 0
  li s6, EFFECT_PERFORM
  li s7, -1
  andi t1, t0, SETTLE_PRIMITIVES
  beqz t1, 2f
  li s7, EK_EMIT
2:
  li s8, 1
  li s9, -1
  andi t1, t0, SETTLE_RETURN
  beqz t1, 2f
  li s9, EK_PURE
2:
  sw zero, 0(sp)
  sw zero, 4(sp)
  sw zero, 8(sp)
  sw zero, 12(sp)
  addi s1, sp, SETTLE_STACK
  addi t1, sp, SETTLE_STACK + 4 * SETTLE_DEPTH
2:                                    /* zero the stack, four slots a step (SETTLE_DEPTH is a multiple of 4) */
  sw zero, 0(s1)
  sw zero, 4(s1)
  sw zero, 8(s1)
  sw zero, 12(s1)
  addi s1, s1, 16
  bne s1, t1, 2b
  addi s1, sp, SETTLE_STACK
  /* the loop: a0/a1 = the effect */
3:
  bne a0, s2, 9f
  lw t1, 0(a1)                        /* its kind */
4:
  bne t1, s3, 5f
  beqz s4, 2f                         /* a bind: it waits in s4, the one there on the stack */
  addi t0, sp, SETTLE_STACK + 4 * SETTLE_DEPTH
  beq s1, t0, 9f                      /* the stack is full */
  sw s4, 0(s1)
  addi s1, s1, 4
2:
  mv s4, a1
  lw a0, 8(a1)
  lw a1, 12(a1)
  bne a0, s2, 9f                      /* its effect, an `emit` at once (the loop's head, without its tests) */
  lw t1, 0(a1)
  beq t1, s7, 7f
  j 4b
5:                                    /* not a bind: t1 = its kind */
  bnez s4, 6f
  addi t0, sp, SETTLE_STACK
  beq s1, t0, 9f                      /* no bind waiting */
  addi s1, s1, -4
  lw s4, 0(s1)
  sw zero, 0(s1)
6:
  beq t1, s7, 7f
  beq t1, s9, 11f
  li t0, EK_NOW
  bne t1, t0, 9f
  la t0, rt_settle_mode
  lw t0, 0(t0)
  andi t0, t0, SETTLE_PRIMITIVES
  beqz t0, 9f
  mv s5, a1                           /* now: the answer is the clock, an Int */
  mv a0, t1
  li a1, T_UNIT
  li a2, 0
  PERFORM
  sw s8, 0(sp)                        /* T_INT */
  sw a1, 4(sp)
  j 8f
11:                                   /* return v: the answer is v */
  lw t2, 8(a1)
  lw t3, 12(a1)
  sw t2, 0(sp)
  sw t3, 4(sp)
  j 8f
7:                                    /* emit x: the answer is unit */
  mv s5, a1
  mv a0, t1
  lw a2, 12(s5)
  lw a1, 8(s5)
  PERFORM
  sw zero, 0(sp)                      /* T_UNIT */
  sw a1, 4(sp)
8:                                    /* the answer at sp to the continuation of the bind in s4: t1/a0 */
  lw t1, 16(s4)
  lw a0, 20(s4)
  li s4, 0
  li t0, T_CLOSURE
  bne t1, t0, 12f
  lw t0, 4(a0)                        /* its arity */
  bne t0, s8, 12f
  lw t0, 0(a0)
  jalr ra, t0                         /* a0 = its env */
  j 3b
12:
  mv a1, a0
  mv a0, t1
  li a2, 1
  mv a3, sp
  call rt_apply
  j 3b
10:                                   /* not performed: the effect goes back as it is */
  mv a0, s2
  mv a1, s5
  /* the end: a0/a1 inside the binds still waiting, s4's the innermost */
9:
  bnez s4, 13f
  addi t0, sp, SETTLE_STACK
  beq s1, t0, 15f
  addi s1, s1, -4
  lw s4, 0(s1)
13:
  lw t1, 8(s4)
  bne t1, a0, 14f
  lw t1, 12(s4)
  bne t1, a1, 14f
  mv a0, s2                           /* its effect is the one left: the node as it was */
  mv a1, s4
  li s4, 0
  j 9b
14:                                   /* a new bind node {EK_BIND, 2, a0/a1, its continuation} */
  mv s5, a0
  mv s7, a1
  li a0, 24
  call rt_alloc_filled
  sw s3, 0(a0)
  li t0, 2
  sw t0, 4(a0)
  sw s5, 8(a0)
  sw s7, 12(a0)
  lw t0, 16(s4)
  sw t0, 16(a0)
  lw t0, 20(s4)
  sw t0, 20(a0)
  mv a1, a0
  mv a0, s2
  li s4, 0
  j 9b
15:
  lw ra, SETTLE_FRAME - 4(sp)
  lw s0, SETTLE_FRAME - 8(sp)
  lw s1, SETTLE_FRAME - 12(sp)
  lw s2, SETTLE_FRAME - 16(sp)
  lw s3, SETTLE_FRAME - 20(sp)
  lw s4, SETTLE_FRAME - 24(sp)
  lw s5, SETTLE_FRAME - 28(sp)
  lw s6, SETTLE_FRAME - 32(sp)
  lw s7, SETTLE_FRAME - 36(sp)
  lw s8, SETTLE_FRAME - 40(sp)
  lw s9, SETTLE_FRAME - 44(sp)
  addi sp, sp, SETTLE_FRAME
  ret

  .data
  .balign 4
  .globl rt_saved_sp, rt_entry, rt_c_stack_limit, rt_settle_mode
rt_saved_sp: .word 0, 0, 0   /* sp, ra and s0 at _start (the loader's) */
rt_c_stack_limit: .word 0
rt_entry: .word 0
rt_settle_mode: .word 0    /* SETTLE_* bits (tel.h), written by the host per image; 0: results go back as they are */
