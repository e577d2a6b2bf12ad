/* A small program for the proof tests (short, so that proving it is quick):
   ALU, shifts, M (mulh, div, remu), byte/half/word loads and
   stores, a loop's branches, a call and return. Result in a0. */
static volatile int seeds[2] = {-200000, 76543};
static volatile int rounds = 2;
static volatile signed char bytes[2];
static volatile short halves[2];

static int __attribute__((noinline, noipa)) mix(int x, int y) {
  return (int)(((long long)x * y) >> 32) ^ (x / y) ^ (int)((unsigned)x % (unsigned)y) ^ (x >> 3);
}

int main(void) {
  unsigned h = 7;
  for (int i = 0; i < rounds; i++) {
    int x = seeds[i];
    bytes[i] = (signed char)x;
    halves[i] = (short)x;
    h = h * 31u + (unsigned)bytes[i] + (unsigned)halves[i] + (unsigned)mix(x, i - 2) + (h < (unsigned)x);
  }
  return (int)h;
}
