/* COBS (consistent overhead byte stuffing): frames on the wire contain no
 * 0x00 byte, so 0x00 delimits them and a receiver resynchronises on it. */
#ifndef CAX_COBS_H
#define CAX_COBS_H
#include <stddef.h>
#include <stdint.h>

/* Streaming decoder: feed the stuffed bytes of one frame (never 0x00) as
 * they arrive; at the delimiter the frame is valid COBS only when
 * cobs_complete. */
typedef struct {
  uint32_t left; /* stuffed data bytes left in the current block */
  uint32_t code; /* the current block's code byte (0xFF before the first) */
} cobs_decoder;

static inline void cobs_decoder_begin(cobs_decoder *d) {
  d->left = 0;
  d->code = 0xFF;
}

/* One stuffed byte: returns the decoded byte, or -1 when it decodes to
 * nothing (the first code byte, or one after a full 254-byte block). */
static inline int cobs_decode_byte(cobs_decoder *d, uint8_t byte) {
  if (d->left != 0) {
    d->left--;
    return byte;
  }
  int out = d->code == 0xFF ? -1 : 0; /* a block shorter than 254 ended in a zero */
  d->code = byte;
  d->left = byte - 1u;
  return out;
}

/* True when the bytes fed so far end on a block boundary (no block cut short). */
static inline int cobs_complete(const cobs_decoder *d) { return d->left == 0; }

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
