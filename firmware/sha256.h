/* SHA-256 (FIPS 180-4), incremental: the loader checks each loaded image
 * against the digest the host named. */
#ifndef CAX_SHA256_H
#define CAX_SHA256_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint32_t state[8];
  uint64_t length;     /* bytes hashed so far */
  uint8_t block[64];
  uint32_t used;       /* bytes waiting in block */
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const uint8_t *data, size_t len);
void sha256_final(sha256_ctx *c, uint8_t digest[32]);

#endif
