/* trap.h: machine-mode trap checks for the SoC-only ISA tests. The handler
   records mcause (x25), mepc (x26), mtval (x27) and mstatus at entry (x24),
   then resumes at the address in x30. */
#pragma once
#include "env.h"

#define INSTALL_TRAP_HANDLER \
  la x29, trap_handler; csrw mtvec, x29; j 99f; \
  .align 2; trap_handler: \
  csrr x24, mstatus; csrr x25, mcause; csrr x26, mepc; csrr x27, mtval; \
  csrw mepc, x30; mret; \
  99:

/* The instruction (the variadic argument) must trap with `cause`; mepc must be its pc. */
#define TEST_TRAP(n, cause, ...) \
  li TESTNUM, n; la x30, 98f; li x25, -1; 97: __VA_ARGS__; j cax_fail; \
  98: li x29, cause; bne x25, x29, cax_fail; la x29, 97b; bne x26, x29, cax_fail;
/* The mtval of the last trap. */
#define CHECK_TVAL(n, expected) CHECK(n, x27, expected)
/* An illegal instruction word: cause 2, mtval = the word. */
#define TEST_ILLEGAL(n, bits) \
  TEST_TRAP(n, 2, .word bits) CHECK_TVAL(n, bits)
