/* The program-side ABI of the cax loader (docs/protocol.md, "Programs").
 * A program is entered as a C function: a0..a7 carry the host's arguments,
 * sp is the top of RAM, ra returns to the loader; it returns a0 (and a1).
 * An effect request is an ecall with the effect number in a7 and its
 * arguments in a0..a5; the host's reply comes back in a0 and a1. */
#ifndef CAX_PROGRAM_H
#define CAX_PROGRAM_H
#include <stdint.h>

/* The reply to an effect: a0 and a1 as the host set them. */
typedef struct {
  uint32_t a0, a1;
} cax_reply;

/* a0 of the reply to an effect the host has no handler for. */
#define CAX_EFFECT_UNHANDLED 0xFFFFFFFFu

static inline cax_reply cax_effect(uint32_t effect, uint32_t x0, uint32_t x1, uint32_t x2, uint32_t x3, uint32_t x4, uint32_t x5) {
  register uint32_t a0 __asm__("a0") = x0;
  register uint32_t a1 __asm__("a1") = x1;
  register uint32_t a2 __asm__("a2") = x2;
  register uint32_t a3 __asm__("a3") = x3;
  register uint32_t a4 __asm__("a4") = x4;
  register uint32_t a5 __asm__("a5") = x5;
  register uint32_t a7 __asm__("a7") = effect;
  __asm__ volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a7) : "memory");
  cax_reply r = {a0, a1};
  return r;
}

#endif
