/* CRC-32 (IEEE 802.3, as zlib's crc32): the check word of every frame. */
#ifndef CAX_CRC32_H
#define CAX_CRC32_H
#include <stddef.h>
#include <stdint.h>

/* Continues a CRC: start with crc = 0. */
uint32_t crc32_update(uint32_t crc, const uint8_t *data, size_t len);

/* Byte at a time, for a receiver that checks a frame while it arrives: the
 * register starts at CRC32_START (after crc32_init); a message followed by
 * its own CRC (little-endian) leaves CRC32_RESIDUE in it, whatever the
 * message. */
#define CRC32_START 0xFFFFFFFFu
#define CRC32_RESIDUE 0xDEBB20E3u
extern uint32_t crc32_table[256];
void crc32_init(void);
static inline uint32_t crc32_byte(uint32_t reg, uint8_t byte) { return crc32_table[(reg ^ byte) & 0xFF] ^ (reg >> 8); }

#endif
