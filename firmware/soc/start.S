/* Entry, program switch and trap entry of the firmware on the cax SoC.
 *
 * _start: firmware stack, trap vector, zeroed .bss, then main().
 * run_program: saves the firmware's registers, gives the program clean
 *   registers, zeroed counters and its own stack, and jumps to it with ra =
 *   program_returned. run_leave (from the return or from a trap) restores
 *   the firmware and returns the outcome from run_program.
 * trap_entry: swaps sp with mscratch (the trap frame), reads the counters
 *   into it and saves the registers a C function may change there, calls
 *   trap_handler(frame) on the trap stack below the frame; when that
 *   returns, the program resumes with the (possibly edited) frame and the
 *   counters as they were at the trap. */
  .section .text.start, "ax"
  .globl _start
_start:
  la sp, __stack_top
  la t0, trap_entry
  csrw mtvec, t0
  la t0, trap_frame
  csrw mscratch, t0
  la t0, __bss_start
  la t1, __bss_end
1:
  bgeu t0, t1, 2f
  sw zero, 0(t0)
  addi t0, t0, 4
  j 1b
2:
  call main
  j _start

  .text
  /* uint32_t run_program(uint32_t entry, const uint32_t args[8], uint32_t sp) */
  .globl run_program
run_program:
  addi sp, sp, -64
  sw ra, 0(sp)
  sw s0, 4(sp)
  sw s1, 8(sp)
  sw s2, 12(sp)
  sw s3, 16(sp)
  sw s4, 20(sp)
  sw s5, 24(sp)
  sw s6, 28(sp)
  sw s7, 32(sp)
  sw s8, 36(sp)
  sw s9, 40(sp)
  sw s10, 44(sp)
  sw s11, 48(sp)
  la t0, firmware_sp
  sw sp, 0(t0)
  la t0, trap_frame
  csrw mscratch, t0
  mv t0, a0
  mv t1, a1
  mv sp, a2
  lw a0, 0(t1)
  lw a1, 4(t1)
  lw a2, 8(t1)
  lw a3, 12(t1)
  lw a4, 16(t1)
  lw a5, 20(t1)
  lw a6, 24(t1)
  lw a7, 28(t1)
  la ra, program_returned
  li gp, 0
  li tp, 0
  li t1, 0
  li t2, 0
  li t3, 0
  li t4, 0
  li t5, 0
  li t6, 0
  li s0, 0
  li s1, 0
  li s2, 0
  li s3, 0
  li s4, 0
  li s5, 0
  li s6, 0
  li s7, 0
  li s8, 0
  li s9, 0
  li s10, 0
  li s11, 0
  csrw mcycleh, zero
  csrw mcycle, zero
  csrw minstreth, zero
  csrw minstret, zero
  jr t0

program_returned:
  csrr t0, minstret
  csrr t1, minstreth
  csrr t2, mcycle
  csrr t3, mcycleh
  la t4, run_exit
  sw a0, 0(t4)
  sw a1, 4(t4)
  sw t2, 8(t4)
  sw t3, 12(t4)
  sw t0, 16(t4)
  sw t1, 20(t4)
  li a0, 0 /* RUN_RETURNED */

  /* void run_leave(uint32_t outcome): back to run_program's caller. */
  .globl run_leave
run_leave:
  la t0, firmware_sp
  lw sp, 0(t0)
  lw ra, 0(sp)
  lw s0, 4(sp)
  lw s1, 8(sp)
  lw s2, 12(sp)
  lw s3, 16(sp)
  lw s4, 20(sp)
  lw s5, 24(sp)
  lw s6, 28(sp)
  lw s7, 32(sp)
  lw s8, 36(sp)
  lw s9, 40(sp)
  lw s10, 44(sp)
  lw s11, 48(sp)
  addi sp, sp, 64
  ret

  /* The counters stop at the trap: their low words are read first thing (mcycle at the third instruction, minstret
   * at the fifth), their 64-bit values completed into the frame's words 32..35 after (a low word that wrapped since
   * its first read takes one off the high word read with the consistent pair), and written back at the very end, the
   * low words last (after every register but t0, t1 and sp is restored), so the firmware's own trap code costs a
   * program the few instructions around them only (as the host's answer costs it nothing). Only the registers a C
   * function may change are saved: trap_handler keeps s0..s11 (the C ABI) and never touches gp or tp. */
  .align 2
trap_entry:
  csrrw sp, mscratch, sp
  sw x5, 20(sp)
  csrr t0, mcycle          /* the cycles at the trap (low word) */
  sw x6, 24(sp)
  csrr t1, minstret        /* the instructions at the trap (low word) */
  sw x7, 28(sp)
  sw t0, 128(sp)
  sw t1, 136(sp)
1:                         /* the high words: a consistent (high, low) pair; the low word lower than at the trap: it wrapped since */
  csrr t0, mcycleh
  csrr t1, mcycle
  csrr t2, mcycleh
  bne t0, t2, 1b
  lw t2, 128(sp)
  bgeu t1, t2, 2f
  addi t0, t0, -1
2:
  sw t0, 132(sp)
3:
  csrr t0, minstreth
  csrr t1, minstret
  csrr t2, minstreth
  bne t0, t2, 3b
  lw t2, 136(sp)
  bgeu t1, t2, 4f
  addi t0, t0, -1
4:
  sw t0, 140(sp)
  sw x1, 4(sp)
  sw x10, 40(sp)
  sw x11, 44(sp)
  sw x12, 48(sp)
  sw x13, 52(sp)
  sw x14, 56(sp)
  sw x15, 60(sp)
  sw x16, 64(sp)
  sw x17, 68(sp)
  sw x28, 112(sp)
  sw x29, 116(sp)
  sw x30, 120(sp)
  sw x31, 124(sp)
  csrr t0, mscratch
  sw t0, 8(sp)
  mv a0, sp
  call trap_handler
  csrw mscratch, sp
  lw x1, 4(sp)
  lw x7, 28(sp)
  lw x10, 40(sp)
  lw x11, 44(sp)
  lw x12, 48(sp)
  lw x13, 52(sp)
  lw x14, 56(sp)
  lw x15, 60(sp)
  lw x16, 64(sp)
  lw x17, 68(sp)
  lw x28, 112(sp)
  lw x29, 116(sp)
  lw x30, 120(sp)
  lw x31, 124(sp)
  lw t0, 132(sp)           /* the high words first (each low word zeroed before: no carry into it meanwhile) */
  lw t1, 140(sp)
  csrw mcycle, zero
  csrw mcycleh, t0
  csrw minstret, zero
  csrw minstreth, t1
  lw t0, 128(sp)
  lw t1, 136(sp)
  csrw minstret, t1        /* the instructions count again from here */
  csrw mcycle, t0          /* the cycles count again from here */
  lw x5, 20(sp)
  lw x6, 24(sp)
  lw sp, 8(sp)
  mret

  .bss
  .align 4
firmware_sp:
  .space 4
  .globl run_exit
run_exit: /* a0, a1, cycles (lo, hi), instret (lo, hi) at the end of a run */
  .space 24
trap_stack:
  .space 2048
trap_frame: /* x0..x31 of the trapped program (those trap_entry saves), then mcycle and minstret at the trap */
  .space 144
