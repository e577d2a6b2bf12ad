/* muldiv.S: the M extension, with signed/unsigned corners, division by
   zero and the signed overflow case. */
#include "env.h"
TEST_BEGIN
  TEST_RR(1, mul, 0x00000000, 0x00000000, 0x00000000)
  TEST_RR(2, mul, 0x00000001, 0x00000001, 0x00000001)
  TEST_RR(3, mul, 0x00000015, 0x00000003, 0x00000007)
  TEST_RR(4, mul, 0x00000000, 0x80000000, 0x00000002)
  TEST_RR(5, mul, 0x80000000, 0x80000000, 0xffffffff)
  TEST_RR(6, mul, 0xfffffffe, 0xffffffff, 0x00000002)
  TEST_RR(7, mul, 0x0000ff7f, 0xaaaaaaab, 0x0002fe7d)
  TEST_RR_ZERO_DEST(8, mul, 3, 5)
  TEST_RR(10, mulh, 0x00000000, 0x00000000, 0x00000000)
  TEST_RR(11, mulh, 0xffffffff, 0xffffffff, 0x00000001)
  TEST_RR(12, mulh, 0x00000000, 0xffffffff, 0xffffffff)
  TEST_RR(13, mulh, 0x40000000, 0x80000000, 0x80000000)
  TEST_RR(14, mulh, 0xc0000000, 0x80000000, 0x7fffffff)
  TEST_RR(15, mulh, 0x3fffffff, 0x7fffffff, 0x7fffffff)
  TEST_RR(16, mulh, 0x00000000, 0x00000001, 0x7fffffff)
  TEST_RR(20, mulhu, 0x00000000, 0x00000000, 0x00000000)
  TEST_RR(21, mulhu, 0xfffffffe, 0xffffffff, 0xffffffff)
  TEST_RR(22, mulhu, 0x40000000, 0x80000000, 0x80000000)
  TEST_RR(23, mulhu, 0x7fffffff, 0x80000000, 0xffffffff)
  TEST_RR(24, mulhu, 0x0001fefe, 0xaaaaaaab, 0x0002fe7d)
  TEST_RR(30, mulhsu, 0x00000000, 0x00000000, 0x00000000)
  TEST_RR(31, mulhsu, 0xffffffff, 0xffffffff, 0xffffffff)
  TEST_RR(32, mulhsu, 0xc0000000, 0x80000000, 0x80000000)
  TEST_RR(33, mulhsu, 0x80000000, 0x80000000, 0xffffffff)
  TEST_RR(34, mulhsu, 0x7ffffffe, 0x7fffffff, 0xffffffff)
  TEST_RR(35, mulhsu, 0xffffffff, 0xffffffff, 0x00000001)
  /* div / divu */
  TEST_RR(40, div, 3, 20, 6)
  TEST_RR(41, div, -3, -20, 6)
  TEST_RR(42, div, -3, 20, -6)
  TEST_RR(43, div, 3, -20, -6)
  TEST_RR(44, div, 0x80000000, 0x80000000, 1)
  TEST_RR(45, div, 0x80000000, 0x80000000, -1)     /* overflow */
  TEST_RR(46, div, -1, 0x80000000, 0)             /* by zero */
  TEST_RR(47, div, -1, 1, 0)
  TEST_RR(48, div, -1, 0, 0)
  TEST_RR(49, divu, 3, 20, 6)
  TEST_RR(50, divu, 715827879, -20, 6)
  TEST_RR(51, divu, 0, 20, -6)
  TEST_RR(52, divu, 0, -20, -6)
  TEST_RR(53, divu, 0xffffffff, 0x80000000, 0)    /* by zero */
  TEST_RR(54, divu, 1, 0xffffffff, 0xffffffff)
  TEST_RR(55, divu, 0x80000000, 0x80000000, 1)
  /* rem / remu */
  TEST_RR(60, rem, 2, 20, 6)
  TEST_RR(61, rem, -2, -20, 6)
  TEST_RR(62, rem, 2, 20, -6)
  TEST_RR(63, rem, -2, -20, -6)
  TEST_RR(64, rem, 0, 0x80000000, 1)
  TEST_RR(65, rem, 0, 0x80000000, -1)             /* overflow */
  TEST_RR(66, rem, 0x80000000, 0x80000000, 0)     /* by zero: the dividend */
  TEST_RR(67, rem, 1, 1, 0)
  TEST_RR(68, rem, 0, 0, 0)
  TEST_RR(69, remu, 2, 20, 6)
  TEST_RR(70, remu, 2, -20, 6)
  TEST_RR(71, remu, 20, 20, -6)
  TEST_RR(72, remu, -20, -20, -6)
  TEST_RR(73, remu, 0x80000000, 0x80000000, 0)    /* by zero */
  TEST_RR(74, remu, 0, 0xffffffff, 0xffffffff)
  TEST_RR_SRC1_EQ_DEST(75, div, 5, 31, 6)
  TEST_RR_SRC2_EQ_DEST(76, rem, 1, 31, 6)
  TEST_RR_ZERO_DEST(77, div, 31, 6)
  TEST_RR_ZERO_SRC2(78, divu, 0xffffffff, 31)
  TEST_RR_ZERO_SRC1(79, remu, 0, 31)
TEST_END
