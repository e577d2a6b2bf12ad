/* branch.S: conditional branches taken and not taken at signed/unsigned
   corners, JAL and JALR with their link values, JALR clearing bit 0, x0 as
   the link register. */
#include "env.h"
TEST_BEGIN
  TEST_BR_TAKEN(1, beq, 0, 0)
  TEST_BR_TAKEN(2, beq, -1, -1)
  TEST_BR_NOT_TAKEN(3, beq, 0, 1)
  TEST_BR_TAKEN(4, bne, 0, 1)
  TEST_BR_NOT_TAKEN(5, bne, 5, 5)
  TEST_BR_TAKEN(6, blt, -1, 0)
  TEST_BR_TAKEN(7, blt, 0x80000000, 0x7fffffff)
  TEST_BR_NOT_TAKEN(8, blt, 0, -1)
  TEST_BR_NOT_TAKEN(9, blt, 3, 3)
  TEST_BR_TAKEN(10, bge, 3, 3)
  TEST_BR_TAKEN(11, bge, 0, -1)
  TEST_BR_NOT_TAKEN(12, bge, 0x80000000, 0x7fffffff)
  TEST_BR_TAKEN(13, bltu, 0, -1)
  TEST_BR_TAKEN(14, bltu, 0x7fffffff, 0x80000000)
  TEST_BR_NOT_TAKEN(15, bltu, -1, 0)
  TEST_BR_NOT_TAKEN(16, bltu, 3, 3)
  TEST_BR_TAKEN(17, bgeu, -1, 0)
  TEST_BR_TAKEN(18, bgeu, 3, 3)
  TEST_BR_NOT_TAKEN(19, bgeu, 0x7fffffff, 0x80000000)
  /* backward branch loop */
  li TESTNUM, 20
  li x1, 5
  li x14, 0
1: addi x14, x14, 2
  addi x1, x1, -1
  bnez x1, 1b
  CHECK(21, x14, 10)
  /* jal: link is pc + 4 */
  li TESTNUM, 22
  jal x5, 2f
3: j cax_fail
2: la x29, 3b
  bne x5, x29, cax_fail
  /* jal x0 does not link */
  li TESTNUM, 23
  jal x0, 4f
  j cax_fail
4: bnez x0, cax_fail
  /* jalr with offset, bit 0 of the target cleared */
  li TESTNUM, 24
  la x1, 5f - 3
  jalr x6, 3(x1)
6: j cax_fail
5: la x29, 6b
  bne x6, x29, cax_fail
  li TESTNUM, 25
  la x1, 7f + 1
  jalr x7, 0(x1)
  j cax_fail
7: li TESTNUM, 26
  /* jalr rd = rs1 */
  la x8, 8f
  jalr x8, 0(x8)
9: j cax_fail
8: la x29, 9b
  bne x8, x29, cax_fail
  /* negative jalr offset */
  li TESTNUM, 27
  la x1, 10f + 16
  jalr x0, -16(x1)
  j cax_fail
10:
TEST_END
