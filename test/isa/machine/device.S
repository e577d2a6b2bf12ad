/* device.S: the device registers as the program sees them: word accesses
   only (a byte or half access reads 0 and writes nothing), TRACE_EN reads
   back, UART STATUS after reset, even EXIT values are ignored. */
#include "trap.h"
#define UART 0x10000000
#define CONTROL 0x10002000
TEST_BEGIN
  INSTALL_TRAP_HANDLER
  la x30, cax_fail
  li x1, CONTROL
  lw x14, 4(x1)                   /* TRACE_EN is on after reset */
  CHECK(1, x14, 1)
  sw x0, 4(x1)
  lw x14, 4(x1)
  CHECK(2, x14, 0)
  li x2, 1
  sb x2, 4(x1)                    /* byte store: ignored */
  lw x14, 4(x1)
  CHECK(3, x14, 0)
  sw x2, 4(x1)
  lbu x14, 4(x1)                  /* byte load: 0 */
  CHECK(4, x14, 0)
  lh x14, 4(x1)
  CHECK(5, x14, 0)
  lw x14, 4(x1)
  CHECK(6, x14, 1)
  lw x14, 0(x1)                   /* EXIT reads 0 */
  CHECK(7, x14, 0)
  sw x0, 0(x1)                    /* even values do not end the program */
  li x2, 2
  sw x2, 0(x1)
  li x2, 0xfffffffe
  sw x2, 0(x1)
  sb x2, 0(x1)
  li x2, 3
  sb x2, 0(x1)                    /* odd, but a byte: ignored */
  /* UART after reset: transmitter idle, nothing received, not busy */
  li x1, UART
  lw x14, 8(x1)
  CHECK(10, x14, 2)
  lw x14, 4(x1)
  srli x14, x14, 31
  CHECK(11, x14, 1)
  lw x14, 0(x1)
  CHECK(12, x14, 0)
  lw x14, 12(x1)                  /* DIVISOR reads back */
  li x2, 37
  sw x2, 12(x1)
  lw x15, 12(x1)
  CHECK(13, x15, 37)
  sw x14, 12(x1)
TEST_END
