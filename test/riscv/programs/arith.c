/* M-extension and shift corners, signed/unsigned compares, printed one
   value a line, so qemu and the ISS can be compared line by line. */
#include "rt.h"

static volatile int32_t vals[] = {0, 1, -1, 2, -2, 7, -7, 0x7fffffff, (int32_t)0x80000000, 0x12345678, (int32_t)0xdeadbeef, 31, 32, 33};
#define N (sizeof vals / sizeof vals[0])

int main(void) {
  uint32_t h = 0;
  for (unsigned i = 0; i < N; i++) {
    for (unsigned j = 0; j < N; j++) {
      int32_t a = vals[i], b = vals[j];
      uint32_t r[] = {
        (uint32_t)(a * b), (uint32_t)(((int64_t)a * b) >> 32), (uint32_t)(((uint64_t)(uint32_t)a * (uint32_t)b) >> 32),
        (uint32_t)(((int64_t)a * (uint64_t)(uint32_t)b) >> 32),
        b == 0 ? 0u : (uint32_t)(a == (int32_t)0x80000000 && b == -1 ? a : a / b), b == 0 ? 0u : (uint32_t)a / (uint32_t)b,
        (uint32_t)(b == 0 || (a == (int32_t)0x80000000 && b == -1) ? 0 : a % b), b == 0 ? 0u : (uint32_t)a % (uint32_t)b,
        (uint32_t)a << (b & 31), (uint32_t)a >> (b & 31), (uint32_t)(a >> (b & 31)), a < b, (uint32_t)a < (uint32_t)b,
      };
      for (unsigned k = 0; k < sizeof r / sizeof r[0]; k++) h = (h ^ r[k]) * 16777619u;
    }
    put_hex(h);
  }
  return 0;
}
