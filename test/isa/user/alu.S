/* alu.S: every RV32I register-register and register-immediate operation,
   LUI and AUIPC, with x0, shift amounts and signed/unsigned corners. */
#include "env.h"
TEST_BEGIN
  /* add / addi */
  TEST_RR(1, add, 0x00000000, 0x00000000, 0x00000000)
  TEST_RR(2, add, 0x00000002, 0x00000001, 0x00000001)
  TEST_RR(3, add, 0x80000000, 0x7fffffff, 0x00000001)
  TEST_RR(4, add, 0x00000000, 0xffffffff, 0x00000001)
  TEST_RR(5, add, 0x7fffffff, 0x80000000, 0xffffffff)
  TEST_RI(6, addi, 0x00000000, 0x00000001, -1)
  TEST_RI(7, addi, 0x800007fe, 0x7fffffff, 0x7ff)
  TEST_RI(8, addi, 0x7ffff800, 0x80000000, -2048)
  TEST_RR_SRC1_EQ_DEST(9, add, 24, 13, 11)
  TEST_RR_SRC2_EQ_DEST(10, add, 25, 14, 11)
  TEST_RR_ZERO_SRC1(11, add, 15, 15)
  TEST_RR_ZERO_SRC2(12, add, 32, 32)
  TEST_RR_ZERO_DEST(13, add, 16, 30)
  /* sub */
  TEST_RR(20, sub, 0x00000000, 0x00000000, 0x00000000)
  TEST_RR(21, sub, 0xffffffff, 0x00000000, 0x00000001)
  TEST_RR(22, sub, 0x7fffffff, 0x80000000, 0x00000001)
  TEST_RR(23, sub, 0x80000001, 0x00000000, 0x7fffffff)
  TEST_RR_ZERO_SRC1(24, sub, 0xfffffff1, 15)
  TEST_RR_ZERO_DEST(25, sub, 16, 30)
  /* sll / slli: amounts 0, 1, 31 and rs2 with high bits set */
  TEST_RR(30, sll, 0x00000001, 0x00000001, 0)
  TEST_RR(31, sll, 0x00000002, 0x00000001, 1)
  TEST_RR(32, sll, 0x80000000, 0x00000001, 31)
  TEST_RR(33, sll, 0x00000002, 0x00000001, 0xffffffe1)
  TEST_RR(34, sll, 0x90909080, 0x21212121, 7)
  TEST_RI(35, slli, 0x80000000, 0x00000001, 31)
  TEST_RI(36, slli, 0x21212121, 0x21212121, 0)
  TEST_RI(37, slli, 0x42424242, 0x21212121, 1)
  /* srl / srli */
  TEST_RR(40, srl, 0x80000000, 0x80000000, 0)
  TEST_RR(41, srl, 0x00000001, 0x80000000, 31)
  TEST_RR(42, srl, 0x40000000, 0x80000000, 0xffffffe1)
  TEST_RR(43, srl, 0x01ffffff, 0xffffffff, 7)
  TEST_RI(44, srli, 0x00000001, 0xffffffff, 31)
  TEST_RI(45, srli, 0x7fffffff, 0xffffffff, 1)
  /* sra / srai */
  TEST_RR(50, sra, 0x80000000, 0x80000000, 0)
  TEST_RR(51, sra, 0xffffffff, 0x80000000, 31)
  TEST_RR(52, sra, 0xc0000000, 0x80000000, 0xffffffe1)
  TEST_RR(53, sra, 0x00ffffff, 0x7fffffff, 7)
  TEST_RI(54, srai, 0xffffffff, 0x80000001, 31)
  TEST_RI(55, srai, 0x3fffffff, 0x7fffffff, 1)
  TEST_RI(56, srai, 0xff030303, 0x81818181, 7)
  /* slt / slti / sltu / sltiu */
  TEST_RR(60, slt, 0, 0x00000000, 0x00000000)
  TEST_RR(61, slt, 1, 0x80000000, 0x7fffffff)
  TEST_RR(62, slt, 0, 0x7fffffff, 0x80000000)
  TEST_RR(63, slt, 1, 0xffffffff, 0x00000000)
  TEST_RI(64, slti, 1, 0xfffffff0, -1)
  TEST_RI(65, slti, 0, 0x00000000, -2048)
  TEST_RR(66, sltu, 0, 0x80000000, 0x7fffffff)
  TEST_RR(67, sltu, 1, 0x7fffffff, 0x80000000)
  TEST_RR(68, sltu, 0, 0xffffffff, 0xffffffff)
  TEST_RI(69, sltiu, 1, 0x00000000, -1)       /* -1 is 0xffffffff unsigned */
  TEST_RI(70, sltiu, 0, 0xffffffff, -1)
  TEST_RI(71, sltiu, 1, 0x00000000, 1)        /* seqz */
  TEST_RR_ZERO_SRC1(72, sltu, 1, 5)           /* snez */
  /* xor / or / and and immediates (sign-extended) */
  TEST_RR(80, xor, 0xf00ff00f, 0xff00ff00, 0x0f0f0f0f)
  TEST_RR(81, or,  0xff0fff0f, 0xff00ff00, 0x0f0f0f0f)
  TEST_RR(82, and, 0x0f000f00, 0xff00ff00, 0x0f0f0f0f)
  TEST_RI(83, xori, 0xff00f00f, 0x00ff0f00, -0xf1)
  TEST_RI(84, ori,  0xffffff0f, 0xff00ff00, -0xf1)
  TEST_RI(85, andi, 0xff00ff00, 0xff00ff00, -0xf1)
  TEST_RI(86, xori, 0xffffffff, 0x00000000, -1)
  TEST_RI(87, andi, 0x000007ff, 0xffffffff, 0x7ff)
  TEST_RR_ZERO_DEST(88, xor, 1, 2)
  /* lui / auipc */
  li TESTNUM, 90
  lui x14, 0xfffff
  li x29, 0xfffff000
  bne x14, x29, cax_fail
  lui x0, 0x12345
  bnez x0, cax_fail
  li TESTNUM, 91
1: auipc x14, 0x1
  la x29, 1b
  sub x14, x14, x29
  li x29, 0x1000
  bne x14, x29, cax_fail
  li TESTNUM, 92
1: auipc x14, 0x80000
  la x29, 1b
  sub x14, x14, x29
  li x29, 0x80000000
  bne x14, x29, cax_fail
  /* fence, fence.i: no-ops that retire */
  li TESTNUM, 93
  li x14, 7
  fence
  fence.i
  fence rw, rw
  CHECK(94, x14, 7)
TEST_END
