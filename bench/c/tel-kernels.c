/* The C side of bench/tel-vs-c.bench.ts: the same algorithms as the TEL
   kernels there, one selected by -DKERNEL_<NAME>, built with
   riscv64-unknown-elf-gcc -O2 -march=rv32im against the ISS test programs'
   runtime (test/riscv/programs: crt0.S, rt.c). Each prints its result
   (put_hex), which the bench compares with the TEL kernel's value. */
#include "rt.h"

/* The kernel's size, read at run time so that it is not folded away (-DSIZE=N). */
static volatile int32_t size = SIZE;

/* Global, so that the bench reads each kernel's code size from the symbol table. */
int32_t fib(int32_t n);
int32_t sum_squares(int32_t n, int32_t acc);
void merge_sort(int32_t *xs, int32_t *tmp, uint32_t n);
int32_t sort_checksum(uint32_t n);
int32_t pipeline(int32_t n);
int32_t effect_loop(int32_t n);

__attribute__((noinline)) int32_t fib(int32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

__attribute__((noinline)) int32_t sum_squares(int32_t n, int32_t acc) {
  while (n != 0) {
    acc += n * n;
    n--;
  }
  return acc;
}

#define SORT_MAX 4096
static int32_t items[SORT_MAX], scratch[SORT_MAX];

__attribute__((noinline)) void merge_sort(int32_t *xs, int32_t *tmp, uint32_t n) {
  if (n < 2) return;
  uint32_t half = n / 2;
  merge_sort(xs, tmp, half);
  merge_sort(xs + half, tmp, n - half);
  uint32_t i = 0, j = half, k = 0;
  while (i < half && j < n) tmp[k++] = xs[i] <= xs[j] ? xs[i++] : xs[j++];
  while (i < half) tmp[k++] = xs[i++];
  while (j < n) tmp[k++] = xs[j++];
  for (k = 0; k < n; k++) xs[k] = tmp[k];
}

/* The TEL kernel's pseudoRandom (examples/fib.tel): a linear congruential sequence, newest first. */
__attribute__((noinline)) int32_t sort_checksum(uint32_t n) {
  if (n > SORT_MAX) return -1;
  int32_t seed = 12345;
  for (uint32_t k = n; k > 0; k--) {
    items[k - 1] = seed / 65536 % 100000; /* truncating, as TEL's / and mod */
    seed = (int32_t)((uint32_t)seed * 1103515245u + 12345u);
  }
  merge_sort(items, scratch, n);
  int32_t sum = 0;
  for (uint32_t k = 0; k < n; k++) sum += items[k] * (int32_t)(k + 1);
  return sum;
}

__attribute__((noinline)) int32_t pipeline(int32_t n) {
  int32_t acc = 0;
  for (int32_t x = 1; x <= n; x++)
    if (x % 2 == 0) acc += x * 3;
  return acc;
}

/* One write(2) per emitted number: the effect the TEL loop hands to the host. */
__attribute__((noinline)) int32_t effect_loop(int32_t n) {
  int32_t acc = 0;
  for (; n != 0; n--) {
    sys_call3(64, 3, (long)&n, 4);
    acc += n;
  }
  return acc;
}

int main(void) {
#if defined(KERNEL_FIB)
  put_hex((uint32_t)fib(size));
#elif defined(KERNEL_LOOP)
  put_hex((uint32_t)sum_squares(size, 0));
#elif defined(KERNEL_SORT)
  put_hex((uint32_t)sort_checksum((uint32_t)size));
#elif defined(KERNEL_PIPELINE)
  put_hex((uint32_t)pipeline(size));
#elif defined(KERNEL_EFFECTS)
  put_hex((uint32_t)effect_loop(size));
#else
#error "select a kernel with -DKERNEL_<NAME>"
#endif
  return 0;
}
