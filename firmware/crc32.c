/* CRC-32, reflected polynomial 0xEDB88320, one table lookup per byte; the
 * 1 KiB table is computed on first use rather than stored. */
#include "crc32.h"

uint32_t crc32_table[256];

void crc32_init(void) {
  if (crc32_table[1] != 0) return;
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t c = n;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    crc32_table[n] = c;
  }
}

uint32_t crc32_update(uint32_t crc, const uint8_t *data, size_t len) {
  crc32_init();
  uint32_t reg = ~crc;
  for (size_t i = 0; i < len; i++) reg = crc32_byte(reg, data[i]);
  return ~reg;
}
