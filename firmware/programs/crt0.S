/* Start of a program run by the cax loader: zero .bss (keeping the
 * arguments in a0..a7) and tail-call main, which returns to the loader. */
  .section .text.start, "ax"
  .globl _start
_start:
  la t0, __bss_start
  la t1, __bss_end
1:
  bgeu t0, t1, 2f
  sw zero, 0(t0)
  addi t0, t0, 4
  j 1b
2:
  tail main
