/* Entry, program switch and trap entry of the firmware on the cax SoC.
 *
 * _start: firmware stack, trap vector, zeroed .bss, then main().
 * run_program: saves the firmware's registers, gives the program clean
 *   registers, zeroed counters and its own stack, and jumps to it with ra =
 *   program_returned. run_leave (from the return or from a trap) restores
 *   the firmware and returns the outcome from run_program.
 * trap_entry: swaps sp with mscratch (the trap frame), saves x1..x31 there
 *   and calls trap_handler(frame) on the trap stack below the frame; when
 *   that returns, the program resumes with the (possibly edited) frame. */
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

  .align 2
trap_entry:
  csrrw sp, mscratch, sp
  sw x1, 4(sp)
  sw x3, 12(sp)
  sw x4, 16(sp)
  sw x5, 20(sp)
  sw x6, 24(sp)
  sw x7, 28(sp)
  sw x8, 32(sp)
  sw x9, 36(sp)
  sw x10, 40(sp)
  sw x11, 44(sp)
  sw x12, 48(sp)
  sw x13, 52(sp)
  sw x14, 56(sp)
  sw x15, 60(sp)
  sw x16, 64(sp)
  sw x17, 68(sp)
  sw x18, 72(sp)
  sw x19, 76(sp)
  sw x20, 80(sp)
  sw x21, 84(sp)
  sw x22, 88(sp)
  sw x23, 92(sp)
  sw x24, 96(sp)
  sw x25, 100(sp)
  sw x26, 104(sp)
  sw x27, 108(sp)
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
  lw x3, 12(sp)
  lw x4, 16(sp)
  lw x5, 20(sp)
  lw x6, 24(sp)
  lw x7, 28(sp)
  lw x8, 32(sp)
  lw x9, 36(sp)
  lw x10, 40(sp)
  lw x11, 44(sp)
  lw x12, 48(sp)
  lw x13, 52(sp)
  lw x14, 56(sp)
  lw x15, 60(sp)
  lw x16, 64(sp)
  lw x17, 68(sp)
  lw x18, 72(sp)
  lw x19, 76(sp)
  lw x20, 80(sp)
  lw x21, 84(sp)
  lw x22, 88(sp)
  lw x23, 92(sp)
  lw x24, 96(sp)
  lw x25, 100(sp)
  lw x26, 104(sp)
  lw x27, 108(sp)
  lw x28, 112(sp)
  lw x29, 116(sp)
  lw x30, 120(sp)
  lw x31, 124(sp)
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
trap_frame: /* x0..x31 of the trapped program */
  .space 128
