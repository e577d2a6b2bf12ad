/* msgpack subset reader and writer (see msgpack.h). Multi-byte integers are
 * big-endian, as msgpack says. */
#include "msgpack.h"

void mp_reader_init(mp_reader *r, const uint8_t *data, size_t len) {
  r->p = data;
  r->end = data + len;
  r->error = 0;
}

/* Reads an n-byte big-endian unsigned integer, or latches an error. */
static uint64_t read_be(mp_reader *r, unsigned n) {
  if (r->error || (size_t)(r->end - r->p) < n) {
    r->error = 1;
    return 0;
  }
  uint64_t v = 0;
  for (unsigned i = 0; i < n; i++) v = v << 8 | *r->p++;
  return v;
}

static uint8_t read_tag(mp_reader *r) { return (uint8_t)read_be(r, 1); }

uint32_t mp_read_array(mp_reader *r) {
  uint8_t tag = read_tag(r);
  if (r->error) return 0;
  if ((tag & 0xF0) == 0x90) return tag & 0x0F;
  if (tag == 0xDC) return (uint32_t)read_be(r, 2);
  if (tag == 0xDD) return (uint32_t)read_be(r, 4);
  r->error = 1;
  return 0;
}

uint64_t mp_read_uint64(mp_reader *r) {
  uint8_t tag = read_tag(r);
  if (r->error) return 0;
  if (tag < 0x80) return tag;
  if (tag >= 0xCC && tag <= 0xCF) return read_be(r, 1u << (tag - 0xCC));
  r->error = 1;
  return 0;
}

uint32_t mp_read_uint(mp_reader *r) {
  uint64_t v = mp_read_uint64(r);
  if (v > 0xFFFFFFFFu) r->error = 1;
  return (uint32_t)v;
}

const uint8_t *mp_read_bin(mp_reader *r, uint32_t *len) {
  uint8_t tag = read_tag(r);
  *len = 0;
  if (r->error) return 0;
  if (tag < 0xC4 || tag > 0xC6) {
    r->error = 1;
    return 0;
  }
  uint32_t n = (uint32_t)read_be(r, 1u << (tag - 0xC4));
  if (r->error || (size_t)(r->end - r->p) < n) {
    r->error = 1;
    return 0;
  }
  const uint8_t *data = r->p;
  r->p += n;
  *len = n;
  return data;
}

void mp_writer_init(mp_writer *w, uint8_t *buf, size_t cap) {
  w->start = w->p = buf;
  w->end = buf + cap;
  w->error = 0;
}

size_t mp_written(const mp_writer *w) { return (size_t)(w->p - w->start); }

/* Writes a tag byte followed by an n-byte big-endian value. */
static void write_tagged(mp_writer *w, uint8_t tag, uint64_t v, unsigned n) {
  if (w->error || (size_t)(w->end - w->p) < 1 + n) {
    w->error = 1;
    return;
  }
  *w->p++ = tag;
  for (unsigned i = n; i > 0; i--) *w->p++ = (uint8_t)(v >> (8 * (i - 1)));
}

static void write_raw(mp_writer *w, const uint8_t *data, uint32_t len) {
  if (w->error || (size_t)(w->end - w->p) < len) {
    w->error = 1;
    return;
  }
  for (uint32_t i = 0; i < len; i++) *w->p++ = data[i];
}

void mp_write_array(mp_writer *w, uint32_t n) {
  if (n < 16) write_tagged(w, (uint8_t)(0x90 | n), 0, 0);
  else if (n <= 0xFFFF) write_tagged(w, 0xDC, n, 2);
  else write_tagged(w, 0xDD, n, 4);
}

void mp_write_uint64(mp_writer *w, uint64_t v) {
  if (v < 0x80) write_tagged(w, (uint8_t)v, 0, 0);
  else if (v <= 0xFF) write_tagged(w, 0xCC, v, 1);
  else if (v <= 0xFFFF) write_tagged(w, 0xCD, v, 2);
  else if (v <= 0xFFFFFFFFu) write_tagged(w, 0xCE, v, 4);
  else write_tagged(w, 0xCF, v, 8);
}

void mp_write_uint(mp_writer *w, uint32_t v) { mp_write_uint64(w, v); }

void mp_write_bin(mp_writer *w, const uint8_t *data, uint32_t len) {
  if (len <= 0xFF) write_tagged(w, 0xC4, len, 1);
  else if (len <= 0xFFFF) write_tagged(w, 0xC5, len, 2);
  else write_tagged(w, 0xC6, len, 4);
  write_raw(w, data, len);
}

void mp_write_str(mp_writer *w, const char *s) {
  uint32_t len = 0;
  while (s[len]) len++;
  if (len < 32) write_tagged(w, (uint8_t)(0xA0 | len), 0, 0);
  else write_tagged(w, 0xD9, len, 1);
  write_raw(w, (const uint8_t *)s, len);
}
