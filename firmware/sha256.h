/* SHA-256 (FIPS 180-4), incremental, and resumable eight rounds at a time:
 * the loader hashes an image in short steps (about 1,000 cycles) while it
 * waits for UART bytes, so hashing overlaps with receiving the next chunk. */
#ifndef CAX_SHA256_H
#define CAX_SHA256_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint32_t state[8];
  uint32_t v[8];       /* working variables a..h of the block in progress */
  uint32_t w[64];      /* message schedule of the block in progress */
  uint32_t round;      /* next round of the block in progress; 64 = none */
  uint64_t length;     /* bytes hashed so far */
  uint8_t block[64];
  uint32_t used;       /* bytes waiting in block */
} sha256_ctx;

void sha256_init(sha256_ctx *c);
/* Starts compressing the 64 bytes at p (no block may be in progress). */
void sha256_block_begin(sha256_ctx *c, const uint8_t *p);
/* Does eight rounds of the block in progress; returns the rounds left (0: done). */
uint32_t sha256_block_step(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const uint8_t *data, size_t len);
void sha256_final(sha256_ctx *c, uint8_t digest[32]);

#endif
