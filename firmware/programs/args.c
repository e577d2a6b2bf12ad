/* Test program: returns the weighted sum of its eight arguments in a0 and
 * their xor in a1, so each argument register is checked. */
#include <stdint.h>

uint64_t main(uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e, uint32_t f, uint32_t g, uint32_t h) {
  uint32_t sum = a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h;
  uint32_t x = a ^ b ^ c ^ d ^ e ^ f ^ g ^ h;
  return (uint64_t)x << 32 | sum;
}
