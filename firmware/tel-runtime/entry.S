/* Entry of a compiled TEL image, called by the cax loader as a C function:
 * a0 = the argument vector (values the host wrote at the heap start),
 * a1 = its length, a2 = the first free heap byte, a3 = the cycle budget
 * (compiled code compares mcycle with it, held in s10, at every function
 * entry and loop back edge: the firmware itself only checks at ecalls), and
 * gp = the allocator's state (struct alloc_state in gc.c) for the whole run. Sets up the heap and
 * stack limits (rt_heap_init for a run of main, whose heap starts at a2;
 * rt_heap_resume for a continuation, a4/a5 = the function), calls the compiled entry (its address is patched into
 * rt_entry by the linker), settles an effect result (rt_settle, runtime.c) and returns the value in a0/a1. rt_fail unwinds
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
  call rt_settle           /* an effect result: begun here as far as the host's scheduler allows (runtime.c) */
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

  /* V rt_call1(uint32_t code, uint32_t env, V arg): rt_call of a closure of one parameter (rt_settle's
   * continuations), its argument passed in a2/a3; the same frame as rt_call's (on the collector's walk), its words
   * between the argument and the saved registers zeroed (the collector scans it conservatively: no stale word) */
  .globl rt_call1
rt_call1:
  addi sp, sp, -32
  sw ra, 28(sp)
  sw s0, 24(sp)
  addi s0, sp, 32
  sw a2, 0(sp)
  sw a3, 4(sp)
  sw zero, 8(sp)
  sw zero, 12(sp)
  sw zero, 16(sp)
  sw zero, 20(sp)
  mv t0, a0
  mv a0, a1
  jalr ra, t0
  lw s0, 24(sp)
  lw ra, 28(sp)
  addi sp, sp, 32
  ret

  .data
  .balign 4
  .globl rt_saved_sp, rt_entry, rt_c_stack_limit, rt_settle_mode
rt_saved_sp: .word 0, 0, 0   /* sp, ra and s0 at _start (the loader's) */
rt_c_stack_limit: .word 0
rt_entry: .word 0
rt_settle_mode: .word 0    /* SETTLE_* bits (tel.h), written by the host per image; 0: results go back as they are */
