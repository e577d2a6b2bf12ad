/* CRC-32 (IEEE 802.3, as zlib's crc32): the check word of every frame. */
#ifndef CAX_CRC32_H
#define CAX_CRC32_H
#include <stddef.h>
#include <stdint.h>

/* Continues a CRC: start with crc = 0. */
uint32_t crc32_update(uint32_t crc, const uint8_t *data, size_t len);

#endif
