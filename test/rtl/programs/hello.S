/* hello.S: prints "hello, cax\n" on the UART (waiting for the transmitter
   before each byte) and passes. */
#include "env.h"
#define UART 0x10000000
TEST_BEGIN
  li x1, UART
  la x2, message
1: lbu x5, 0(x2)
  beqz x5, 3f
2: lw x6, 0(x1)                   /* TXDATA bit 31: busy */
  bltz x6, 2b
  sw x5, 0(x1)
  addi x2, x2, 1
  j 1b
3: lw x6, 8(x1)                   /* STATUS bit 1: idle, the last byte is out */
  andi x6, x6, 2
  beqz x6, 3b
TEST_END
  .data
message: .asciz "hello, cax\n"
