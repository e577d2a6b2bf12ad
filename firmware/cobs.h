/* COBS (consistent overhead byte stuffing): frames on the wire contain no
 * 0x00 byte, so 0x00 delimits them and a receiver resynchronises on it. */
#ifndef CAX_COBS_H
#define CAX_COBS_H
#include <stddef.h>
#include <stdint.h>

/* Decodes `len` stuffed bytes in place; returns the decoded length, or -1
 * when the input is not valid COBS (a zero byte or a code past the end). */
int cobs_decode(uint8_t *buf, size_t len);

/* Encoder that emits bytes one by one through `put` (no buffer needed for
 * the output): feed data with cobs_put, finish with cobs_end (which also
 * writes the 0x00 delimiter). Holds at most one 254-byte block. */
typedef struct {
  uint8_t block[254];
  uint8_t n;
  void (*put)(uint8_t byte);
} cobs_encoder;

void cobs_begin(cobs_encoder *e, void (*put)(uint8_t byte));
void cobs_put(cobs_encoder *e, uint8_t byte);
void cobs_end(cobs_encoder *e);

#endif
