/* SHA-256: a compression function that runs eight rounds per call,
 * unrolled (the message schedule's words are computed eight at a time, just
 * before the rounds that use them; rolled into loops with SHA256_SMALL, the
 * TEL runtime's build, where code size is heap), a byte buffer for unaligned
 * input, and the padding. */
#include "sha256.h"

static const uint32_t K[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* RV32IM has no rotate: each is two shifts and an or. The round functions
 * in their cheapest forms (choose as g ^ e & (f ^ g), majority as
 * a & b | c & (a | b)). */
#define ROR(x, n) ((x) >> (n) | (x) << (32 - (n)))
#define BIG_S0(a) (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22))
#define BIG_S1(e) (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25))
#define SMALL_S0(x) (ROR(x, 7) ^ ROR(x, 18) ^ ((x) >> 3))
#define SMALL_S1(x) (ROR(x, 17) ^ ROR(x, 19) ^ ((x) >> 10))
#define CHOOSE(e, f, g) ((g) ^ ((e) & ((f) ^ (g))))
#define MAJORITY(a, b, c) (((a) & (b)) | ((c) & ((a) | (b))))

void sha256_init(sha256_ctx *c) {
  static const uint32_t iv[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  };
  for (int i = 0; i < 8; i++) c->state[i] = iv[i];
  c->round = 64;
  c->length = 0;
  c->used = 0;
}

void sha256_block_begin(sha256_ctx *c, const uint8_t *p) {
  for (int i = 0; i < 16; i++)
    c->w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
  for (int i = 0; i < 8; i++) c->v[i] = c->state[i];
  c->round = 0;
  c->length += 64;
}

/* The message schedule's next eight words, w[0..7], from the sixteen before
 * them (w[-16..-1]): constant offsets from w, unrolled. */
#define EXPAND(j) w[j] = SMALL_S1(w[(j) - 2]) + w[(j) - 7] + SMALL_S0(w[(j) - 15]) + w[(j) - 16]
#ifdef SHA256_SMALL
static void expand_eight(uint32_t *w) {
  for (int j = 0; j < 8; j++) EXPAND(j);
}
#else
static void expand_eight(uint32_t *w) {
  EXPAND(0); EXPAND(1); EXPAND(2); EXPAND(3); EXPAND(4); EXPAND(5); EXPAND(6); EXPAND(7);
}
#endif

/* One round with the working variables named as they stand: d and h take
 * the new values, the others shift by renaming in the next call. */
#define ROUND(a, b, c, d, e, f, g, h, j)                                       \
  do {                                                                         \
    uint32_t t1 = h + BIG_S1(e) + CHOOSE(e, f, g) + k[j] + w[j];               \
    d += t1;                                                                   \
    h = t1 + BIG_S0(a) + MAJORITY(a, b, c);                                    \
  } while (0)

/* Eight rounds with the round constants k[0..7] and message words w[0..7],
 * unrolled: after eight the names are back in place, so the working
 * variables stay in registers from round to round. */
#ifdef SHA256_SMALL
/* The same eight rounds as a loop, the working variables renamed by moving them (the TEL runtime's build: about
 * 1.9 KB less code, every byte of which is heap lost on the 128 KiB board; slower, which hashOf can afford). */
static void eight_rounds(uint32_t v[8], const uint32_t *w, const uint32_t *k) {
  for (int j = 0; j < 8; j++) {
    uint32_t a = v[0], e = v[4];
    uint32_t t1 = v[7] + BIG_S1(e) + CHOOSE(e, v[5], v[6]) + k[j] + w[j];
    uint32_t t2 = BIG_S0(a) + MAJORITY(a, v[1], v[2]);
    for (int i = 7; i > 0; i--) v[i] = v[i - 1];
    v[4] += t1;
    v[0] = t1 + t2;
  }
}
#else
static void eight_rounds(uint32_t v[8], const uint32_t *w, const uint32_t *k) {
  uint32_t a = v[0], b = v[1], c = v[2], d = v[3], e = v[4], f = v[5], g = v[6], h = v[7];
  ROUND(a, b, c, d, e, f, g, h, 0);
  ROUND(h, a, b, c, d, e, f, g, 1);
  ROUND(g, h, a, b, c, d, e, f, 2);
  ROUND(f, g, h, a, b, c, d, e, 3);
  ROUND(e, f, g, h, a, b, c, d, 4);
  ROUND(d, e, f, g, h, a, b, c, 5);
  ROUND(c, d, e, f, g, h, a, b, 6);
  ROUND(b, c, d, e, f, g, h, a, 7);
  v[0] = a; v[1] = b; v[2] = c; v[3] = d; v[4] = e; v[5] = f; v[6] = g; v[7] = h;
}
#endif

uint32_t sha256_block_step(sha256_ctx *c) {
  uint32_t r = c->round;
  if (r >= 16) expand_eight(&c->w[r]);
  eight_rounds(c->v, &c->w[r], &K[r]);
  c->round = r + 8;
  if (c->round == 64)
    for (int i = 0; i < 8; i++) c->state[i] += c->v[i];
  return 64 - c->round;
}

static void compress(sha256_ctx *c, const uint8_t *p) {
  sha256_block_begin(c, p);
  while (sha256_block_step(c) != 0) {
  }
}

void sha256_update(sha256_ctx *c, const uint8_t *data, size_t len) {
  while (len > 0) {
    if (c->used == 0 && len >= 64) {
      compress(c, data);
      data += 64;
      len -= 64;
      continue;
    }
    c->block[c->used++] = *data++;
    len--;
    if (c->used == 64) {
      compress(c, c->block);
      c->used = 0;
    }
  }
}

void sha256_final(sha256_ctx *c, uint8_t digest[32]) {
  uint64_t bits = (c->length + c->used) * 8;
  uint8_t pad = 0x80;
  sha256_update(c, &pad, 1);
  pad = 0;
  while (c->used != 56) sha256_update(c, &pad, 1);
  for (int i = 7; i >= 0; i--) {
    uint8_t b = (uint8_t)(bits >> (8 * i));
    sha256_update(c, &b, 1);
  }
  for (int i = 0; i < 32; i++) digest[i] = (uint8_t)(c->state[i / 4] >> (24 - 8 * (i % 4)));
}
