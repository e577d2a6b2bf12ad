/* The digits of `show` of a Double on the core (runtime.c lays them out as
 * the interpreter's showDouble does): the shortest decimal digits that read
 * back to the same bits.
 *
 * They come from the free-format algorithm of Steele & White as Burger &
 * Dybvig state it ("Printing floating-point numbers quickly and
 * accurately", 1996), in exact big-integer arithmetic: the value and its
 * rounding interval (halfway to each neighbouring Double; the ends included
 * when the significand is even, since reading rounds half to even) are
 * scaled by a power of ten, then digits are generated until the digits so far,
 * or the next one up, lie inside the interval; when both do, the nearer one is
 * taken and an exact tie goes to the even digit. This is V8's bignum-dtoa,
 * which Node's toExponential() gives, so the text is bit-identical to the
 * interpreter's. No floating point: the bits are read as integers. The
 * numbers live in this function's frame (about 1 KiB of stack, which the
 * caller checks is there). */
#include "tel.h"

/* Enough 32-bit limbs for every intermediate: the largest is below 10 * 2^1077. */
#define LIMBS 40

typedef struct {
  uint32_t n; /* limbs in use, the highest non-zero (0: the number 0) */
  uint32_t d[LIMBS];
} Big;
static void trim(Big *b) {
  while (b->n > 0 && b->d[b->n - 1] == 0) b->n--;
}

/* b = f * 2^shift */
static void big_set(Big *b, uint64_t f, uint32_t shift) {
  uint32_t words = shift / 32, bits = shift % 32;
  uint32_t lo = (uint32_t)f, hi = (uint32_t)(f >> 32);
  for (uint32_t i = 0; i < words; i++) b->d[i] = 0;
  b->d[words] = lo << bits;
  b->d[words + 1] = bits ? lo >> (32 - bits) | hi << bits : hi;
  b->d[words + 2] = bits ? hi >> (32 - bits) : 0;
  b->n = words + 3;
  trim(b);
}

static void big_mul(Big *b, uint32_t m) {
  uint32_t carry = 0;
  for (uint32_t i = 0; i < b->n; i++) {
    uint64_t p = (uint64_t)b->d[i] * m + carry;
    b->d[i] = (uint32_t)p;
    carry = (uint32_t)(p >> 32);
  }
  if (carry) {
    if (b->n == LIMBS) rt_fail(ERR_INTERNAL, 0);
    b->d[b->n++] = carry;
  }
}

static void big_mul_pow10(Big *b, uint32_t k) {
  static const uint32_t pow10[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
  for (; k >= 9; k -= 9) big_mul(b, 1000000000u);
  if (k) big_mul(b, pow10[k]);
}

static int big_cmp(const Big *a, const Big *b) {
  if (a->n != b->n) return a->n < b->n ? -1 : 1;
  for (uint32_t i = a->n; i-- > 0;)
    if (a->d[i] != b->d[i]) return a->d[i] < b->d[i] ? -1 : 1;
  return 0;
}

/* The comparison of a + b with c. */
static int big_plus_cmp(const Big *a, const Big *b, const Big *c) {
  Big sum, *t = &sum;
  uint32_t n = a->n > b->n ? a->n : b->n, carry = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint64_t x = (uint64_t)(i < a->n ? a->d[i] : 0) + (i < b->n ? b->d[i] : 0) + carry;
    t->d[i] = (uint32_t)x;
    carry = (uint32_t)(x >> 32);
  }
  t->n = n;
  if (carry) t->d[t->n++] = carry;
  return big_cmp(t, c);
}

/* a -= b, with a >= b */
static void big_sub(Big *a, const Big *b) {
  uint32_t borrow = 0;
  for (uint32_t i = 0; i < a->n; i++) {
    uint32_t y = i < b->n ? b->d[i] : 0;
    uint64_t x = (uint64_t)a->d[i] - y - borrow;
    a->d[i] = (uint32_t)x;
    borrow = (uint32_t)(x >> 63);
  }
  trim(a);
}

uint32_t rt_double_digits(uint32_t lo, uint32_t hi, char *digits, int32_t *point) {
  uint32_t biased = hi >> 20 & 0x7FF, top = hi & 0xFFFFF;
  uint64_t f = (uint64_t)top << 32 | lo;
  if (biased) f |= (uint64_t)1 << 52;
  int32_t e = biased ? (int32_t)biased - 1075 : -1074;
  /* the Double below a power of two is nearer than the one above, except at the lowest exponent */
  int asymmetric = biased > 1 && top == 0 && lo == 0;
  Big r, s, m_plus, m_minus_own;
  Big *m_minus = asymmetric ? &m_minus_own : &m_plus;
  int even = (f & 1) == 0;
  uint32_t a = asymmetric ? 1 : 0;
  /* v = r / s; the interval is (r - m_minus, r + m_plus) / s */
  if (e >= 0) {
    big_set(&r, f, (uint32_t)e + 1 + a);
    big_set(&s, 2, a);
    big_set(&m_plus, 1, (uint32_t)e + a);
    if (asymmetric) big_set(&m_minus_own, 1, (uint32_t)e);
  } else {
    big_set(&r, f, 1 + a);
    big_set(&s, 1, (uint32_t)(1 - e) + a);
    big_set(&m_plus, 1, a);
    if (asymmetric) big_set(&m_minus_own, 1, 0);
  }
  /* 2^p <= v < 2^(p+1); k = floor(p * log10 2) from below (78913 / 2^18 is just under log10 2, exact enough for |p| < 1650),
   * never above the final exponent: the loop after it raises k while the interval's top reaches s */
  int32_t p = e + 52; /* f has 53 bits, fewer when subnormal */
  for (uint64_t g = f; !(g >> 52); g <<= 1) p--;
  int32_t k = (p * 78913) >> 18;
  if (k >= 0) big_mul_pow10(&s, (uint32_t)k);
  else {
    big_mul_pow10(&r, (uint32_t)-k);
    big_mul_pow10(&m_plus, (uint32_t)-k);
    if (asymmetric) big_mul_pow10(m_minus, (uint32_t)-k);
  }
  while (big_plus_cmp(&r, &m_plus, &s) >= (even ? 0 : 1)) {
    big_mul(&s, 10);
    k++;
  }
  *point = k;
  uint32_t n = 0;
  for (;;) {
    big_mul(&r, 10);
    big_mul(&m_plus, 10);
    if (asymmetric) big_mul(m_minus, 10);
    uint32_t d = 0;
    while (big_cmp(&r, &s) >= 0) {
      big_sub(&r, &s);
      d++;
    }
    int low = big_cmp(&r, m_minus) < (even ? 1 : 0);           /* the digits so far are inside the interval */
    int high = big_plus_cmp(&r, &m_plus, &s) >= (even ? 0 : 1); /* so are they with the last digit one up */
    if (low && high) {
      int c = big_plus_cmp(&r, &r, &s); /* the rest against half a unit of the last digit */
      if (c > 0 || (c == 0 && (d & 1))) d++;
    } else if (high) d++;
    digits[n++] = (char)('0' + d);
    if (low || high) return n;
  }
}
