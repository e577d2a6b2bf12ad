/* The tiny runtime of the ISS test programs: Linux system calls through
   ecall (qemu-user's convention, which the ISS implements with
   syscalls 'linux') and output helpers. */
#ifndef RT_H
#define RT_H
#include <stdint.h>

static inline long sys_call3(long n, long a, long b, long c) {
  register long a0 __asm__("a0") = a;
  register long a1 __asm__("a1") = b;
  register long a2 __asm__("a2") = c;
  register long a7 __asm__("a7") = n;
  __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
  return a0;
}

static inline void put_str(const char *s) {
  unsigned long n = 0;
  while (s[n]) n++;
  sys_call3(64, 1, (long)s, (long)n);
}

static inline void put_hex(uint32_t v) {
  char buf[10];
  for (int i = 0; i < 8; i++) buf[7 - i] = "0123456789abcdef"[(v >> (4 * i)) & 15];
  buf[8] = '\n';
  sys_call3(64, 1, (long)buf, 9);
}

void *memset(void *d, int c, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n);
#endif
