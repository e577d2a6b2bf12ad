/* The msgpack subset the firmware speaks: arrays, unsigned integers (up to
 * 64 bits), byte strings (bin) and text strings (str). A reader walks a
 * decoded frame with bounds checks; a writer fills a bounded buffer. Both
 * latch the first error, so callers check once at the end. */
#ifndef CAX_MSGPACK_H
#define CAX_MSGPACK_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
  const uint8_t *p;
  const uint8_t *end;
  int error;
} mp_reader;

void mp_reader_init(mp_reader *r, const uint8_t *data, size_t len);
uint32_t mp_read_array(mp_reader *r);                  /* element count */
uint64_t mp_read_uint64(mp_reader *r);
uint32_t mp_read_uint(mp_reader *r);                   /* error if > 32 bits */
const uint8_t *mp_read_bin(mp_reader *r, uint32_t *len);

typedef struct {
  uint8_t *start;
  uint8_t *p;
  uint8_t *end;
  int error;
} mp_writer;

void mp_writer_init(mp_writer *w, uint8_t *buf, size_t cap);
size_t mp_written(const mp_writer *w);
void mp_write_array(mp_writer *w, uint32_t n);
void mp_write_uint64(mp_writer *w, uint64_t v);
void mp_write_uint(mp_writer *w, uint32_t v);
void mp_write_bin(mp_writer *w, const uint8_t *data, uint32_t len);
void mp_write_str(mp_writer *w, const char *s);

#endif
