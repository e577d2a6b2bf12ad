/* COBS framing: the streaming encoder (the decoder is inline, see cobs.h). */
#include "cobs.h"

static void flush_block(cobs_encoder *e) {
  e->put((uint8_t)(e->n + 1));
  for (uint8_t i = 0; i < e->n; i++) e->put(e->block[i]);
  e->n = 0;
}

void cobs_begin(cobs_encoder *e, void (*put)(uint8_t byte)) {
  e->n = 0;
  e->put = put;
}

void cobs_put(cobs_encoder *e, uint8_t byte) {
  if (byte == 0) {
    flush_block(e);
    return;
  }
  e->block[e->n++] = byte;
  if (e->n == 254) flush_block(e);
}

void cobs_end(cobs_encoder *e) {
  flush_block(e);
  e->put(0);
}
