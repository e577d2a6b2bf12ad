/* args.S: a0 ← a0 + 2·a1 from the a0 and a1 the run starts with, then EXIT
   with that as its exit code ((a0 << 1) | 1; 0 is a pass): ELF arguments in
   regression tests (test/regress). No environment: nothing clears the
   registers before the body. */
  .section .text.init
  .globl _start
_start:
  slli t0, a1, 1
  add a0, a0, t0
  slli t1, a0, 1
  ori t1, t1, 1
  li t2, 0x10002000   /* EXIT (docs/soc.md) */
  sw t1, 0(t2)
1:
  j 1b
