/* echo.S: sends back every byte received on the UART, lower-case letters
   turned upper-case, until it receives 'q'; then passes. */
#include "env.h"
#define UART 0x10000000
TEST_BEGIN
  li x1, UART
1: lw x5, 4(x1)                   /* RXDATA: bit 31 = empty */
  bltz x5, 1b
  li x6, 'q'
  beq x5, x6, 4f
  addi x6, x5, -'a'
  sltiu x6, x6, 26
  beqz x6, 2f
  addi x5, x5, 'A' - 'a'
2: lw x6, 0(x1)
  bltz x6, 2b
  sw x5, 0(x1)
  j 1b
4: lw x6, 8(x1)
  andi x6, x6, 2
  beqz x6, 4b
TEST_END
