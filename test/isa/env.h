/* env.h: the environment shim of the ISA tests (docs/rtl.md). One ELF runs
   both bare-metal on the cax SoC (simulated) and under qemu-riscv32 (Linux
   user mode); env.S tells them apart at _start (Linux starts a program with
   sp set, the SoC with all registers 0) and ends the run the way each
   expects: a store to `tohost` on the SoC, write(1, signature) and exit()
   under Linux.

   A test is a file with one function-less body:
       #include "env.h"
       TEST_BEGIN
         ... instructions, checks with the macros below ...
       TEST_END
   Register conventions: gp (x3) belongs to the shim; TESTNUM (x31) holds
   the number of the check being made, reported as the failure code.
   The signature (begin_signature … end_signature) is x0..x31 as they were
   at the end (the gp slot holds the signature address) followed by the
   256-byte data area `test_data` the body may load from and store to; the
   differential test compares it between the core and qemu. */
#pragma once

#define TESTNUM x31

#define TEST_BEGIN  .section .text; .globl test_body; test_body:
#define TEST_END    j cax_pass;
#define TEST_FAIL   j cax_fail;

/* Loads an arbitrary 32-bit constant (li handles it). */
#define CHECK(n, reg, expected) \
  li TESTNUM, n; li x29, expected; bne reg, x29, cax_fail;

/* Register-register and register-immediate operations. */
#define TEST_RR(n, inst, expected, v1, v2) \
  li x1, v1; li x2, v2; inst x14, x1, x2; CHECK(n, x14, expected)
#define TEST_RI(n, inst, expected, v1, imm) \
  li x1, v1; inst x14, x1, imm; CHECK(n, x14, expected)
/* Source and destination the same register. */
#define TEST_RR_SRC1_EQ_DEST(n, inst, expected, v1, v2) \
  li x1, v1; li x2, v2; inst x1, x1, x2; CHECK(n, x1, expected)
#define TEST_RR_SRC2_EQ_DEST(n, inst, expected, v1, v2) \
  li x1, v1; li x2, v2; inst x2, x1, x2; CHECK(n, x2, expected)
/* x0 as a source reads 0; as a destination stays 0. */
#define TEST_RR_ZERO_SRC1(n, inst, expected, v2) \
  li x2, v2; inst x14, x0, x2; CHECK(n, x14, expected)
#define TEST_RR_ZERO_SRC2(n, inst, expected, v1) \
  li x1, v1; inst x14, x1, x0; CHECK(n, x14, expected)
#define TEST_RR_ZERO_DEST(n, inst, v1, v2) \
  li x1, v1; li x2, v2; inst x0, x1, x2; CHECK(n, x0, 0)

/* Loads from test_data + offset after storing `word` at the aligned word. */
#define TEST_LOAD(n, inst, expected, word, offset) \
  la x1, test_data; li x2, word; sw x2, ((offset) & ~3)(x1); inst x14, offset(x1); CHECK(n, x14, expected)
/* Stores `value` with `inst` at test_data + offset over `init`, checks the word. */
#define TEST_STORE(n, inst, expected_word, init, value, offset) \
  la x1, test_data; li x2, init; sw x2, ((offset) & ~3)(x1); li x2, value; inst x2, offset(x1); \
  lw x14, ((offset) & ~3)(x1); CHECK(n, x14, expected_word)

/* Branches: taken / not taken. */
#define TEST_BR_TAKEN(n, inst, v1, v2) \
  li TESTNUM, n; li x1, v1; li x2, v2; inst x1, x2, 1f; j cax_fail; 1:
#define TEST_BR_NOT_TAKEN(n, inst, v1, v2) \
  li TESTNUM, n; li x1, v1; li x2, v2; inst x1, x2, cax_fail;
