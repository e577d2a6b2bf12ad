# Start-up of the ISS test programs: stack, main(), exit(main's result).
  .section .text.start
  .global _start
_start:
  la sp, __stack_top
  call main
  li a7, 93
  ecall
1:j 1b
