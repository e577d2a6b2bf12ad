/* Reset entry of a TEL proving image (host/compiler/prove-image.ts,
 * docs/proofs.md "Proving TEL programs"): no loader firmware, the image runs
 * from reset at 0x80000000. Sets sp to the top of RAM, calls the runtime's
 * _start with the argument vector, its length and the first free heap byte
 * that the host patched into prove_args (the arguments are heap objects in
 * the image), and ends the run with the result still in a0/a1 (tag, payload;
 * a0 = 0xFFFFFFFF, a1 = code | site << 8 after rt_fail) by a word store of 1
 * to EXIT (docs/soc.md). No CSR, no ecall: the step circuit has neither. */
  .section .text.prove, "ax"
  .globl _prove_start
_prove_start:
  la sp, __stack_top
  la t0, prove_args
  lw a0, 0(t0)
  lw a1, 4(t0)
  lw a2, 8(t0)
  li a3, -1                /* no cycle budget: the compiled code does not check it */
  li a4, 0                 /* no continuation: run main */
  li a5, 0
  call _start
  li t0, 0x10002000        /* EXIT */
  li t1, 1
  sw t1, 0(t0)
1:
  j 1b

  .data
  .balign 4
  .globl prove_args
prove_args: .word 0, 0, 0  /* argument vector, its length, first free heap byte */
