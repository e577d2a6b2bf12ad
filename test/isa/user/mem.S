/* mem.S: every load and store, each size at each offset, sign and zero
   extension, negative offsets. */
#include "env.h"
TEST_BEGIN
  TEST_LOAD(1, lb,  0xffffff80, 0x7f00ff80, 0)
  TEST_LOAD(2, lb,  0xffffffff, 0x7f00ff80, 1)
  TEST_LOAD(3, lb,  0x00000000, 0x7f00ff80, 2)
  TEST_LOAD(4, lb,  0x0000007f, 0x7f00ff80, 3)
  TEST_LOAD(5, lbu, 0x00000080, 0x7f00ff80, 0)
  TEST_LOAD(6, lbu, 0x000000ff, 0x7f00ff80, 1)
  TEST_LOAD(7, lbu, 0x0000007f, 0x7f00ff80, 7 - 4)
  TEST_LOAD(8, lh,  0xffffff80, 0x7f00ff80, 0)
  TEST_LOAD(9, lh,  0x00007f00, 0x7f00ff80, 2)
  TEST_LOAD(10, lh, 0xffff8001, 0x80017fff, 6)
  TEST_LOAD(11, lhu, 0x0000ff80, 0x7f00ff80, 0)
  TEST_LOAD(12, lhu, 0x00008001, 0x80017fff, 6)
  TEST_LOAD(13, lw, 0x80017fff, 0x80017fff, 8)
  TEST_LOAD(14, lw, 0xdeadbeef, 0xdeadbeef, 252)
  /* negative offsets */
  li TESTNUM, 15
  la x1, test_data + 16
  li x2, 0x12345678
  sw x2, -16(x1)
  lw x14, -16(x1)
  bne x14, x2, cax_fail
  lbu x14, -13(x1)
  li x29, 0x12
  bne x14, x29, cax_fail
  /* stores into a word of 0xaaaaaaaa */
  TEST_STORE(20, sb, 0xaaaaaa55, 0xaaaaaaaa, 0x12345655, 0)
  TEST_STORE(21, sb, 0xaaaa55aa, 0xaaaaaaaa, 0x12345655, 1)
  TEST_STORE(22, sb, 0xaa55aaaa, 0xaaaaaaaa, 0x12345655, 2)
  TEST_STORE(23, sb, 0x55aaaaaa, 0xaaaaaaaa, 0x12345655, 3)
  TEST_STORE(24, sh, 0xaaaa5655, 0xaaaaaaaa, 0x12345655, 4)
  TEST_STORE(25, sh, 0x5655aaaa, 0xaaaaaaaa, 0x12345655, 6)
  TEST_STORE(26, sw, 0x12345655, 0xaaaaaaaa, 0x12345655, 8)
  /* load into x0 leaves x0 zero; store of x0 stores 0 */
  li TESTNUM, 27
  la x1, test_data
  lw x0, 0(x1)
  bnez x0, cax_fail
  sw x0, 12(x1)
  lw x14, 12(x1)
  bnez x14, cax_fail
  /* a load's destination may be its base */
  li TESTNUM, 28
  la x1, test_data
  li x2, 0x600d600d
  sw x2, 16(x1)
  lw x1, 16(x1)
  bne x1, x2, cax_fail
  /* leave a pattern in the signature */
  la x1, test_data
  li x2, 0x01020304
  sw x2, 32(x1)
  sh x2, 38(x1)
  sb x2, 41(x1)
TEST_END
