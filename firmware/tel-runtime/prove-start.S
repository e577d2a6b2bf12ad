/* Reset entry of a TEL proving image (host/compiler/prove-image.ts,
 * docs/proofs.md "Proving TEL programs" and "The ecall boundary"): no loader
 * firmware, the image runs from reset at 0x80000000, and the run may yield to
 * the host with an ecall, after which the core restarts here with memory as
 * the host left it.
 *
 * A header at fixed offsets from the reset pc tells the host and the
 * verifier where to talk to the program:
 *   +4   prove_args:   argument vector, its length, first free heap byte,
 *                      continuation (tag, payload; tag 0: run main), finish
 *   +28  prove_result: a0/a1 of the last run (tag, payload; a0 = 0xFFFFFFFF,
 *                      a1 = code | site << 8 after rt_fail)
 *   +36  the address of rt_hp (the runtime's heap pointer)
 *   +40  the pc of the yielding ecall
 * Each start: unless finish is set, call the runtime's _start with
 * prove_args, store its a0/a1 to prove_result, then yield (ecall) when the
 * run was a continuation or main returned an effect; otherwise, or when
 * finish is set, end the run by a word store of 1 to EXIT (docs/soc.md). No
 * CSR, and the one ecall: the step circuit has exactly these. */
  .section .text.prove, "ax"
  .globl _prove_start
_prove_start:
  j 1f
  .globl prove_args
prove_args:   .word 0, 0, 0, 0, 0, 0
  .globl prove_result
prove_result: .word 0, 0
  .word rt_hp
  .word prove_yield
1:
  la sp, __stack_top
  la t0, prove_args
  lw t1, 20(t0)
  bnez t1, 3f              /* finish: the host ran the last effect */
  lw a0, 0(t0)
  lw a1, 4(t0)
  lw a2, 8(t0)
  li a3, -1                /* no cycle budget (the compiled code checks mcycle against it): --max-cycles bounds the run */
  lw a4, 12(t0)
  lw a5, 16(t0)
  call _start
  la t0, prove_result
  sw a0, 0(t0)
  sw a1, 4(t0)
  la t0, prove_args
  lw t1, 12(t0)
  bnez t1, 2f              /* a continuation's result always goes to the host */
  li t1, 11                /* TAG_EFFECT (tel.h) */
  bne a0, t1, 3f
2:
  .globl prove_yield
prove_yield:
  ecall                    /* yield: the host answers in memory, the core restarts at reset */
3:
  li t0, 0x10002000        /* EXIT */
  li t1, 1
  sw t1, 0(t0)
4:
  j 4b
