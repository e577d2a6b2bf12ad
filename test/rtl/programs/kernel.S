/* kernel.S: the compute kernel of the simulation benchmark: ROUNDS rounds
   of a 64-word xorshift/multiply/divide mix over test_data, with loads,
   stores and branches, then passes. */
#include "env.h"
#ifndef ROUNDS
#define ROUNDS 5000
#endif
TEST_BEGIN
  li x10, ROUNDS
  li x11, 0x12345678              /* state */
  li x13, 7
1: la x12, test_data
  li x14, 64
2: lw x5, 0(x12)
  slli x6, x11, 13
  xor x11, x11, x6
  srli x6, x11, 17
  xor x11, x11, x6
  slli x6, x11, 5
  xor x11, x11, x6
  mul x7, x5, x11
  add x5, x5, x7
  andi x6, x11, 15
  bnez x6, 3f
  divu x5, x5, x13
3: sw x5, 0(x12)
  addi x12, x12, 4
  addi x14, x14, -1
  bnez x14, 2b
  addi x10, x10, -1
  bnez x10, 1b
TEST_END
