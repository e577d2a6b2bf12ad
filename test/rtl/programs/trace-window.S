/* trace-window.S: switches the trace off at once, runs a loop untraced,
   traces exactly the window between window_begin and window_end (the
   disabling store included), then runs untraced to the end. */
#include "env.h"
#define CONTROL 0x10002000
TEST_BEGIN
  li x1, CONTROL
  sw x0, 4(x1)                    /* traced: TRACE_EN was on when it began */
  li x5, 100
1: addi x5, x5, -1
  bnez x5, 1b
  li x6, 1
  sw x6, 4(x1)                    /* not traced: TRACE_EN was off */
  .globl window_begin, window_end
window_begin:
  li x7, 3
  addi x7, x7, 4
  lw x8, 4(x1)                    /* reads 1 */
window_end:
  sw x0, 4(x1)
  li x5, 100
1: addi x5, x5, -1
  bnez x5, 1b
TEST_END
