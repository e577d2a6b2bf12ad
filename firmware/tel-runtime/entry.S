/* Entry of a compiled TEL image, called by the cax loader as a C function:
 * a0 = the argument vector (values the host wrote at the heap start),
 * a1 = its length, a2 = the first free heap byte, a3 = the cycle budget
 * (compiled code compares mcycle with it, held in s10, at every function
 * entry and loop back edge: the firmware itself only checks at ecalls). Sets up the heap and
 * stack limits, calls the compiled entry (its address is patched into
 * rt_entry by the linker) and returns its value in a0/a1. rt_fail unwinds
 * straight back to the loader with a0 = T_ERROR. rt_call calls compiled
 * code with its arguments in the caller's outgoing area (docs/compiler.md). */
  .section .text.start, "ax"
  .globl _start
_start:
  la t0, rt_saved_sp
  sw sp, 0(t0)
  sw ra, 4(t0)
  la t0, rt_hp
  sw a2, 0(t0)
  li t1, STACK_BYTES
  sub t1, sp, t1
  la t0, rt_hlimit
  sw t1, 0(t0)
  mv s10, a3
  addi s11, t1, 256        /* stack limit for compiled code; C calls get 256 bytes below it */
  la t0, rt_entry
  lw t0, 0(t0)
  jalr ra, t0
  la t0, rt_saved_sp
  lw ra, 4(t0)
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

  /* V rt_call(uint32_t code, uint32_t env, uint32_t n, const V *args) */
  .globl rt_call
rt_call:
  addi sp, sp, -16
  sw ra, 12(sp)
  sw s0, 8(sp)
  mv s0, sp
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
  mv t0, a0
  mv a0, a1
  jalr ra, t0
  mv sp, s0
  lw s0, 8(sp)
  lw ra, 12(sp)
  addi sp, sp, 16
  ret

  .data
  .balign 4
  .globl rt_saved_sp, rt_hp, rt_hlimit, rt_entry
rt_saved_sp: .word 0, 0
rt_hp: .word 0
rt_hlimit: .word 0
rt_entry: .word 0
