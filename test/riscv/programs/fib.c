/* Call-heavy kernel: naive recursive Fibonacci (benchmark and test). */
#include "rt.h"
#ifndef FIB_N
#define FIB_N 20
#endif

__attribute__((noinline)) static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(void) {
  put_hex(fib(FIB_N));
  return 0;
}
