/* trap.S: every trap of docs/soc.md with its mcause, mepc and mtval;
   a trapping instruction writes nothing; mret and the MIE/MPIE stack. */
#include "trap.h"
#define RAM_END 0x80400000   /* the simulated SoC's 4 MiB (mk/rtl.mk SIM_RAM_BYTES) */
TEST_BEGIN
  INSTALL_TRAP_HANDLER
  /* illegal instructions */
  TEST_ILLEGAL(1, 0x00000000)
  TEST_ILLEGAL(2, 0xffffffff)
  TEST_ILLEGAL(3, 0x0000007f)   /* reserved major opcode */
  TEST_ILLEGAL(4, 0x0000000b)   /* custom-0 */
  TEST_ILLEGAL(5, 0x40001033)   /* OP funct7=0100000 funct3=SLL */
  TEST_ILLEGAL(6, 0x02001013)   /* SLLI with funct7 != 0 */
  TEST_ILLEGAL(7, 0x60005013)   /* SRAI with a bad funct7 */
  TEST_ILLEGAL(8, 0x00003003)   /* LD */
  TEST_ILLEGAL(9, 0x00007003)   /* LOAD funct3=7 */
  TEST_ILLEGAL(10, 0x00003023)  /* SD */
  TEST_ILLEGAL(11, 0x00002063)  /* BRANCH funct3=2 */
  TEST_ILLEGAL(12, 0x00001067)  /* JALR funct3=1 */
  TEST_ILLEGAL(13, 0x00004073)  /* SYSTEM funct3=4 */
  TEST_ILLEGAL(14, 0x10200073)  /* sret */
  TEST_ILLEGAL(15, 0x00200073)  /* uret */
  TEST_ILLEGAL(16, 0x0000202f)  /* AMO (no A extension) */
  TEST_ILLEGAL(17, 0x00002007)  /* FLW (no F extension) */
  TEST_ILLEGAL(18, 0x00000013 | (1 << 25) | (1 << 12)) /* slli funct7=1 */
  TEST_ILLEGAL(19, 0x0000201b)  /* OP-IMM-32 (RV64) */
  TEST_ILLEGAL(20, 0x7c0020f3)  /* csrrs x1, 0x7c0: no such CSR */
  TEST_ILLEGAL(21, 0x320020f3)  /* mcountinhibit: not implemented */
  TEST_ILLEGAL(22, 0xc0009073)  /* csrw cycle, x1: read-only */
  TEST_ILLEGAL(23, 0xc020a0f3)  /* csrrs x1, instret, x1: read-only */
  TEST_ILLEGAL(24, 0xf1405073)  /* csrwi mhartid, 0: CSRRW always writes */
  TEST_ILLEGAL(25, 0xc81160f3)  /* csrrsi x1, timeh, 2 */
  TEST_ILLEGAL(26, 0x7b200073)  /* dret */
  /* a trapping instruction writes nothing */
  li x1, 0x5555
  TEST_TRAP(30, 2, csrrs x1, 0x7c0, x0)
  CHECK(31, x1, 0x5555)
  /* reading a read-only CSR with rs1 = x0 / uimm = 0 is legal */
  li TESTNUM, 32
  la x30, cax_fail
  csrrs x1, cycle, x0
  csrrsi x1, mhartid, 0
  csrrci x1, instreth, 0
  /* ebreak: mtval = pc; ecall: mtval = 0 */
  TEST_TRAP(40, 3, ebreak)
  la x29, 97b
  bne x27, x29, cax_fail
  li x27, -1
  TEST_TRAP(41, 11, ecall)
  CHECK_TVAL(42, 0)
  /* misaligned loads and stores: mtval = the address */
  la x1, test_data
  TEST_TRAP(50, 4, lh x14, 1(x1))
  addi x28, x1, 1
  bne x27, x28, cax_fail
  TEST_TRAP(51, 4, lw x14, 2(x1))
  addi x28, x1, 2
  bne x27, x28, cax_fail
  TEST_TRAP(52, 4, lhu x14, 3(x1))
  TEST_TRAP(53, 4, lw x14, 1(x1))
  TEST_TRAP(54, 6, sh x14, 1(x1))
  addi x28, x1, 1
  bne x27, x28, cax_fail
  TEST_TRAP(55, 6, sw x14, 3(x1))
  TEST_TRAP(56, 6, sw x14, 2(x1))
  /* misaligned beats access fault */
  li x1, 1
  TEST_TRAP(57, 4, lw x14, 0(x1))
  TEST_TRAP(58, 6, sw x14, 0(x1))
  /* access faults: holes in the map */
  li x1, 0
  TEST_TRAP(60, 5, lw x14, 0(x1))
  CHECK_TVAL(61, 0)
  li x1, 0x20000000
  TEST_TRAP(62, 5, lb x14, 0(x1))
  CHECK_TVAL(63, 0x20000000)
  li x1, 0x10000010
  TEST_TRAP(64, 5, lw x14, 0(x1))
  CHECK_TVAL(65, 0x10000010)
  li x1, RAM_END
  TEST_TRAP(66, 5, lw x14, 0(x1))
  TEST_TRAP(67, 7, sw x14, 0(x1))
  CHECK_TVAL(68, RAM_END)
  TEST_TRAP(69, 7, sb x14, -0x800(x0))
  CHECK_TVAL(70, 0xfffff800)
  li x1, 0x10003000
  TEST_TRAP(71, 7, sw x14, 0(x1))
  /* the last RAM word is mapped */
  li TESTNUM, 72
  la x30, cax_fail
  li x1, RAM_END
  sw x1, -4(x1)
  lw x14, -4(x1)
  bne x14, x1, cax_fail
  /* RAM_SIZE tells the RAM's size */
  li TESTNUM, 75
  li x1, 0x10002008
  lw x14, 0(x1)
  li x1, RAM_END - 0x80000000
  bne x14, x1, cax_fail
  /* a load that traps does not write rd */
  li x14, 0x777
  li x1, 0
  TEST_TRAP(73, 5, lw x14, 0(x1))
  CHECK(74, x14, 0x777)
  /* misaligned jump targets: raised by the jump, mtval = the target */
  la x1, 1f
  TEST_TRAP(80, 0, jalr x0, 2(x1))
  addi x28, x1, 2
  bne x27, x28, cax_fail
1:
  li x5, 0x1234
  TEST_TRAP(81, 0, jalr x5, 6(x1))
  CHECK(82, x5, 0x1234)          /* rd not written */
  TEST_TRAP(83, 0, .word 0x00000363)   /* beq x0, x0, .+6 */
  addi x28, x26, 6
  bne x27, x28, cax_fail
  TEST_TRAP(84, 0, .word 0x006000ef)   /* jal x1, .+6 */
  addi x28, x26, 6
  bne x27, x28, cax_fail
  li TESTNUM, 85                   /* not taken: no trap */
  la x30, cax_fail
  .word 0x00001363                 /* bne x0, x0, .+6 */
  /* instruction access faults: mepc = mtval = the target */
  li TESTNUM, 90
  la x30, 1f
  li x1, 0x10000000
  jalr x0, 0(x1)
  j cax_fail
1: li x29, 1
  bne x25, x29, cax_fail
  bne x26, x1, cax_fail
  bne x27, x1, cax_fail
  li TESTNUM, 91
  la x30, 1f
  li x1, RAM_END
  jr x1
  j cax_fail
1: li x29, 1
  bne x25, x29, cax_fail
  bne x27, x1, cax_fail
  li TESTNUM, 92
  la x30, 1f
  jr x0
  j cax_fail
1: li x29, 1
  bne x25, x29, cax_fail
  bnez x26, cax_fail
  /* trap entry: MPIE <- MIE, MIE <- 0; mret: MIE <- MPIE, MPIE <- 1 */
  csrwi mstatus, 0x8
  TEST_TRAP(100, 11, ecall)
  CHECK(101, x24, 0x1880)
  csrr x14, mstatus
  CHECK(102, x14, 0x1888)
  csrwi mstatus, 0x8
  la x1, 1f
  csrw mepc, x1
  mret
  j cax_fail
1: csrr x14, mstatus
  CHECK(103, x14, 0x1880)
  csrwi mstatus, 0
  la x1, 1f
  csrw mepc, x1
  mret
  j cax_fail
1: csrr x14, mstatus
  CHECK(104, x14, 0x1880)
  li x1, 0x80
  csrw mstatus, x1
  la x1, 1f
  csrw mepc, x1
  mret
  j cax_fail
1: csrr x14, mstatus
  CHECK(105, x14, 0x1888)
  /* wfi retires as a no-op */
  li TESTNUM, 106
  la x30, cax_fail
  wfi
TEST_END
