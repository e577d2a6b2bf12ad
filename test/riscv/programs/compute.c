/* Compute kernel: a tight ALU loop (xorshift, multiply, rotate) without
   memory traffic (benchmark and test). */
#include "rt.h"
#ifndef ROUNDS
#define ROUNDS 100000
#endif

int main(void) {
  uint32_t x = 0x12345678, acc = 0;
  for (uint32_t i = 0; i < ROUNDS; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    acc += (x * 0x9e3779b1u) ^ (acc >> 7) ^ i;
  }
  put_hex(acc);
  return (int)(acc & 0x7f);
}
