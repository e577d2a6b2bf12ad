/* Speed program (bench/protocol.bench.ts): hashes `len` bytes (at most
 * 16 KiB, byte i = i * 13) with the loader's own SHA-256 (firmware/sha256.c,
 * linked in by mk/firmware.mk) and returns the cycles that took in a0 and the
 * digest's first word (big-endian) in a1, for the host to check. */
#include <stdint.h>

#include "../sha256.h"

static uint8_t data[16384];

static uint32_t cycles_now(void) {
  uint32_t v;
  __asm__ volatile("csrr %0, mcycle" : "=r"(v));
  return v;
}

uint64_t main(uint32_t len) {
  if (len > sizeof data) len = sizeof data;
  for (uint32_t i = 0; i < len; i++) data[i] = (uint8_t)(i * 13);
  sha256_ctx ctx;
  uint8_t digest[32];
  uint32_t start = cycles_now();
  sha256_init(&ctx);
  sha256_update(&ctx, data, len);
  sha256_final(&ctx, digest);
  uint32_t cycles = cycles_now() - start;
  uint32_t first = (uint32_t)digest[0] << 24 | (uint32_t)digest[1] << 16 | (uint32_t)digest[2] << 8 | digest[3];
  return (uint64_t)first << 32 | cycles;
}
