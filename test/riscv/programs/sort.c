/* Memory traffic of every width: insertion-sorts arrays of bytes, halves and
   words with sign extension, copies with memcpy, prints checksums. */
#include "rt.h"

static int8_t b[200];
static int16_t hw[200];
static int32_t w[200];

#define SORT(arr, n) for (int i = 1; i < (n); i++) { __typeof__(arr[0]) k = arr[i]; int j = i - 1; while (j >= 0 && arr[j] > k) { arr[j + 1] = arr[j]; j--; } arr[j + 1] = k; }

int main(void) {
  uint32_t x = 1;
  for (int i = 0; i < 200; i++) {
    x = x * 1103515245u + 12345u;
    b[i] = (int8_t)(x >> 16);
    hw[i] = (int16_t)(x >> 8);
    w[i] = (int32_t)x;
  }
  SORT(b, 200) SORT(hw, 200) SORT(w, 200)
  uint32_t sum = 0;
  for (int i = 0; i < 200; i++) sum = sum * 31 + (uint32_t)b[i] + (uint32_t)hw[i] * 3u + (uint32_t)w[i];
  put_hex(sum);
  static char copy[200];
  memcpy(copy, b, sizeof b);
  put_hex((uint32_t)copy[0] ^ ((uint32_t)copy[199] << 8));
  put_str("sorted\n");
  return 0;
}
