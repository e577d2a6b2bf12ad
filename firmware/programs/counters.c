/* Test program for the firmware's trap path around the counters (soc/start.S trap_entry reads their low words
 * first and completes the high words after, taking one off where the low word wrapped in between): for k = 0..255
 * it sets mcycle and minstret to k counts before their low words wrap, makes an effect at once (effect 1, whose
 * answer it ignores), and checks that each 64-bit count read after it lies past the one it set by less than 1,000
 * (a trap path that took 2^32 off or added it would be far out). Returns the failed checks in a0, the effects
 * made in a1. */
#include <stdint.h>

#include "cax.h"

/* A 64-bit counter read as its high word, low word, high word again, until both high words agree. */
#define READ_COUNTER(name)                                      \
  static uint64_t read_##name(void) {                           \
    uint32_t hi, lo, again;                                     \
    do {                                                        \
      __asm__ volatile("csrr %0, " #name "h" : "=r"(hi));       \
      __asm__ volatile("csrr %0, " #name : "=r"(lo));           \
      __asm__ volatile("csrr %0, " #name "h" : "=r"(again));    \
    } while (hi != again);                                      \
    return (uint64_t)hi << 32 | lo;                             \
  }

READ_COUNTER(mcycle)
READ_COUNTER(minstret)

uint64_t main(void) {
  uint32_t failed = 0, made = 0;
  for (uint32_t k = 0; k < 256; k++) {
    uint32_t low = 0xFFFFFFFFu - k;
    __asm__ volatile("csrw minstret, zero\n\tcsrw minstreth, zero\n\tcsrw minstret, %0\n\tcsrw mcycle, zero\n\tcsrw mcycleh, zero\n\tcsrw mcycle, %0" : : "r"(low));
    cax_effect(1, k, 0, 0, 0, 0, 0);
    uint64_t cycles = read_mcycle(), instret = read_minstret();
    made++;
    if (cycles < low || cycles - low >= 1000) failed++;
    if (instret < low || instret - low >= 1000) failed++;
  }
  return (uint64_t)made << 32 | failed;
}
