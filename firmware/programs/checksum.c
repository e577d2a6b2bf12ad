/* Test program: FNV-1a over the `len` bytes at `addr` (images loaded by the
 * host are checked on the device with it). */
#include <stdint.h>

uint32_t main(const uint8_t *addr, uint32_t len) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < len; i++) h = (h ^ addr[i]) * 16777619u;
  return h;
}
