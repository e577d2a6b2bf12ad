/* trap.S: a0 = 7, then ebreak with no trap handler (mcause 3); for a regression test expecting a trap. */
#include "env.h"
TEST_BEGIN
  li a0, 7
  ebreak
TEST_END
