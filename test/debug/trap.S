# A program that traps three times (ecall into a handler that adds 100 to a0
# and returns past the ecall), then stores a0 to `counter` and ends with
# EXIT = 1: the `cax iss gdb` test reverse-steps across its traps.
  .section .text.start
  .global _start
_start:
  la t0, handler
  csrw mtvec, t0
  li a0, 7
  li a1, 0
loop:
  addi a1, a1, 1
  .global trapping
trapping:
  ecall
  addi a0, a0, 1
  li t1, 3
  blt a1, t1, loop
  la t0, counter
  sw a0, 0(t0)
  li t0, 0x10002000
  li t1, 1
  sw t1, 0(t0)
1:j 1b
  .global handler
handler:
  csrr t2, mepc
  addi t2, t2, 4
  csrw mepc, t2
  addi a0, a0, 100
  mret
  .section .data
  .global counter
counter: .word 0
