/* csr.S: the CSRs of docs/soc.md: WARL fields, read-only registers, the
   six access forms, and the counters with the exact cycle model (3 cycles
   an instruction, loads 4, div/rem 35; a read of mcycle sees the cycles
   before the reading instruction plus 2). */
#include "trap.h"
#define MTIME 0x10001000
/* Two registers must differ by `expected`. */
#define CHECK_DIFF(n, later, earlier, expected) \
  sub x28, later, earlier; CHECK(n, x28, expected)
TEST_BEGIN
  INSTALL_TRAP_HANDLER
  la x30, cax_fail                /* no trap expected below */
  /* mstatus: only MIE and MPIE are writable, MPP reads 3 */
  li x1, -1
  csrw mstatus, x1
  csrr x14, mstatus
  CHECK(1, x14, 0x1888)
  csrw mstatus, x0
  csrr x14, mstatus
  CHECK(2, x14, 0x1800)
  csrrsi x14, mstatus, 0x8        /* returns the old value */
  CHECK(3, x14, 0x1800)
  csrrci x14, mstatus, 0x8
  CHECK(4, x14, 0x1808)
  csrr x14, mstatus
  CHECK(5, x14, 0x1800)
  /* misa: fixed */
  csrr x14, misa
  CHECK(10, x14, 0x40001100)
  csrw misa, x0
  csrr x14, misa
  CHECK(11, x14, 0x40001100)
  /* mie, mip: zero */
  csrw mie, x1
  csrw mip, x1
  csrr x14, mie
  CHECK(12, x14, 0)
  csrr x14, mip
  CHECK(13, x14, 0)
  /* ID registers read 0 */
  csrr x14, mvendorid
  CHECK(14, x14, 0)
  csrr x14, marchid
  CHECK(15, x14, 0)
  csrr x14, mimpid
  CHECK(16, x14, 0)
  csrr x14, mhartid
  CHECK(17, x14, 0)
  /* mtvec: direct mode, bits 1:0 read 0 */
  csrr x5, mtvec
  li x1, 0x80000123
  csrrw x14, mtvec, x1
  li TESTNUM, 20
  bne x14, x5, cax_fail
  csrrw x14, mtvec, x5
  CHECK(21, x14, 0x80000120)
  /* mepc: bits 1:0 read 0 */
  li x1, 0x80000007
  csrw mepc, x1
  csrr x14, mepc
  CHECK(22, x14, 0x80000004)
  /* mscratch, mcause, mtval: all 32 bits */
  li x1, 0xdeadbeef
  csrw mscratch, x1
  csrrwi x14, mscratch, 0x15
  CHECK(30, x14, 0xdeadbeef)
  csrrsi x14, mscratch, 0x0a
  CHECK(31, x14, 0x15)
  csrrci x14, mscratch, 0x01
  CHECK(32, x14, 0x1f)
  csrr x14, mscratch
  CHECK(33, x14, 0x1e)
  li x1, 0xf0f0f0f0
  csrrs x14, mscratch, x1
  csrrc x14, mscratch, x1
  CHECK(34, x14, 0xf0f0f0fe)
  csrr x14, mscratch
  CHECK(35, x14, 0x0e)
  li x1, 0x8000000b
  csrw mcause, x1
  csrr x14, mcause
  CHECK(36, x14, 0x8000000b)
  li x1, 0xffffffff
  csrw mtval, x1
  csrr x14, mtval
  CHECK(37, x14, 0xffffffff)
  /* csrrw with rd = x0 writes without reading */
  csrrw x0, mscratch, x1
  csrr x14, mscratch
  CHECK(38, x14, 0xffffffff)

  /* mcycle: back-to-back reads are 3 apart; a nop adds 3, a load 4, a
     division 35; the aliases cycle and time read the same counter */
  csrr x5, mcycle
  csrr x6, mcycle
  CHECK_DIFF(40, x6, x5, 3)
  csrr x5, mcycle
  nop
  csrr x6, mcycle
  CHECK_DIFF(41, x6, x5, 6)
  la x1, test_data
  csrr x5, mcycle
  lw x2, 0(x1)
  csrr x6, mcycle
  CHECK_DIFF(42, x6, x5, 7)
  li x2, 7
  csrr x5, mcycle
  div x3, x2, x2
  csrr x6, mcycle
  CHECK_DIFF(43, x6, x5, 38)
  csrr x5, mcycle
  remu x3, x2, x0
  csrr x6, cycle
  CHECK_DIFF(44, x6, x5, 38)
  csrr x5, cycle
  mul x3, x2, x2
  csrr x6, time
  CHECK_DIFF(45, x6, x5, 6)
  /* a taken branch and a jump cost 3 too; so does a trap */
  csrr x5, mcycle
  beq x0, x0, 1f
1: j 2f
2: csrr x6, mcycle
  CHECK_DIFF(46, x6, x5, 9)
  la x30, 3f
  csrr x5, mcycle
  ecall                            /* 3, then the handler: 4 csr + csrw + mret = 18 */
3: csrr x6, mcycle
  CHECK_DIFF(47, x6, x5, 24)
  la x30, cax_fail
  /* MTIME reads the same counter, as a load (4 cycles) */
  li x1, MTIME
  csrr x5, mcycle
  lw x6, 0(x1)
  CHECK_DIFF(48, x6, x5, 3)
  lw x5, 0(x1)
  csrr x6, mcycle
  CHECK_DIFF(49, x6, x5, 4)
  lw x5, 4(x1)
  csrr x6, mcycleh
  li TESTNUM, 50
  bne x5, x6, cax_fail
  csrr x5, mcycleh
  csrr x6, cycleh
  li TESTNUM, 51
  bne x5, x6, cax_fail
  csrr x6, timeh
  bne x5, x6, cax_fail
  /* minstret: counts retired instructions, not traps */
  csrr x5, minstret
  csrr x6, minstret
  CHECK_DIFF(52, x6, x5, 1)
  csrr x5, minstret
  nop
  lw x2, 0(x1)
  div x3, x2, x2
  csrr x6, instret
  CHECK_DIFF(53, x6, x5, 4)
  la x30, 4f
  csrr x5, minstret
  ecall                           /* traps: the handler's 6 retire, ecall does not */
4: csrr x6, minstret
  CHECK_DIFF(54, x6, x5, 7)
  la x30, cax_fail
  csrr x5, minstreth
  csrr x6, instreth
  li TESTNUM, 55
  bne x5, x6, cax_fail
  /* counter writes: the next instruction sees the value (plus 2 for mcycle) */
  li x1, 1000
  csrw mcycle, x1
  csrr x14, mcycle
  CHECK(60, x14, 1002)
  /* a write to one half replaces that half of the value the writing
     instruction began with */
  li x1, 0xfffffff0
  csrw mcycle, x1                 /* the next instruction begins at 0xfffffff0 */
  li x2, 5
  csrw mcycleh, x2                /* began at 0x0_fffffff3: now 0x5_fffffff3 */
  csrr x14, mcycle
  csrr x15, mcycleh
  nop
  nop
  nop
  csrr x16, mcycleh               /* the low half has carried */
  CHECK(61, x14, 0xfffffff5)
  CHECK(62, x15, 5)
  CHECK(63, x16, 6)
  li x1, 1000
  csrw minstret, x1               /* does not count itself */
  csrr x14, minstret
  li x2, 7
  csrw minstreth, x2
  csrr x15, minstreth
  csrr x16, minstret
  CHECK(64, x14, 1000)
  CHECK(65, x15, 7)
  CHECK(66, x16, 1003)
  /* a CSR write to something else counts normally */
  csrr x5, minstret
  csrw mscratch, x0
  csrr x6, minstret
  CHECK_DIFF(67, x6, x5, 2)
TEST_END
