/* Test program for effect round trips (no TEL involved): `rounds` times it
 * asks the host to add two numbers (effect 1); then it hands the host a
 * message in its memory (effect 2: address, length), and asks the host to
 * fill a buffer (effect 3: address, capacity; reply a0 = bytes written),
 * whose bytes it sums. Returns the sum of all additions in a0 and the sum
 * of the filled bytes in a1. */
#include <stdint.h>

#include "cax.h"

static const char message[] = "hello from the co-processor";
static uint8_t buffer[256];

uint64_t main(uint32_t rounds) {
  uint32_t total = 0;
  for (uint32_t i = 0; i < rounds; i++) total += cax_effect(1, i, 1000 * i, 0, 0, 0, 0).a0;
  cax_effect(2, (uint32_t)(uintptr_t)message, sizeof message - 1, 0, 0, 0, 0);
  uint32_t filled = cax_effect(3, (uint32_t)(uintptr_t)buffer, sizeof buffer, 0, 0, 0, 0).a0;
  uint32_t bytes = 0;
  for (uint32_t i = 0; i < filled && i < sizeof buffer; i++) bytes += buffer[i];
  return (uint64_t)bytes << 32 | total;
}
