/* exit-code.S: a program that ends through the EXIT register with failure
   code 21 (value 43), after even values that must not end it; the test
   expects exactly this failure. */
#include "env.h"
TEST_BEGIN
  li x1, 0x10002000
  sw x0, 0(x1)
  li x2, 42
  sw x2, 0(x1)
  li x2, 43
  sw x2, 0(x1)
  j cax_pass                      /* not reached */
TEST_END
