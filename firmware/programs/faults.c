/* Test program for how runs end: mode 0 loads from `addr` (an access fault
 * when it is outside RAM), mode 1 spins forever calling effect 4 now and
 * then (the cycle budget ends it at an ecall), mode 2 spins forever without
 * any ecall (only the host's watchdog notices), mode 3 executes ebreak. */
#include <stdint.h>

#include "cax.h"

uint32_t main(uint32_t mode, uint32_t addr) {
  if (mode == 0) return *(volatile uint32_t *)addr;
  if (mode == 3) __asm__ volatile("ebreak");
  for (volatile uint32_t i = 0;; i++)
    if (mode == 1 && i % 1000 == 0) cax_effect(4, i, 0, 0, 0, 0, 0);
}
