/* The loader's protocol core (docs/protocol.md): receives COBS frames,
 * checks their CRC-32, decodes the msgpack request, acts on it and answers.
 * Stop-and-wait: the host sends one request and waits for its answer; a
 * request repeating the last request id gets the last answer again without
 * acting twice. Portable C: the machine is reached only through platform.h. */
#include "cobs.h"
#include "crc32.h"
#include "msgpack.h"
#include "platform.h"
#include "sha256.h"

#define PROTO_VERSION 1u
#define PROTO_MIN_VERSION 1u
#define FIRMWARE_VERSION "0.1.0"
#define ISA "rv32im"
#define MAX_CHUNK 1024u            /* largest bin payload in one frame */
#define MAX_MESSAGE (MAX_CHUNK + 32u) /* msgpack bytes + CRC of one frame */

/* Message types: requests from the host, answers from the firmware. */
enum {
  T_HELLO = 1, T_PING = 2, T_LOAD = 3, T_CHUNK = 4, T_COMMIT = 5, T_RUN = 6,
  T_REPLY = 7, T_READ = 8, T_WRITE = 9, T_RESET = 10,
  T_ACK = 0x40, T_INFO = 0x41, T_PONG = 0x42, T_RESULT = 0x46, T_EFFECT = 0x47,
  T_DATA = 0x48, T_ERROR = 0x7F,
};

/* Error codes carried by ERROR frames. */
enum {
  ERR_FRAME = 1, ERR_MESSAGE = 2, ERR_TYPE = 3, ERR_ADDRESS = 4, ERR_STATE = 5,
  ERR_HASH = 6, ERR_VERSION = 7, ERR_UNSUPPORTED = 8, ERR_OVERRUN = 9, ERR_PANIC = 10,
};

/* Receive buffer: one frame's message and CRC, decoded as it arrives. */
static uint8_t rx[MAX_MESSAGE];
/* The last answer (msgpack without CRC), kept to answer a repeated request. */
static uint8_t tx[MAX_MESSAGE];
static uint32_t tx_len;
static uint32_t last_id;
static int have_last;

/* Image load in progress: where, how much, how far received and hashed,
 * and the named digest. */
static struct {
  int active;
  uint32_t addr, size, next, hashed;
  uint8_t digest[32];
  sha256_ctx sha;
} load;

/* One short step (eight SHA-256 rounds, about 1,000 cycles) of hashing the loaded
 * bytes, done while the UART is idle: the image is hashed while the next
 * chunk arrives. Returns 0 when no whole block is waiting. */
static int hash_step(void) {
  if (!load.active) return 0;
  if (load.sha.round < 64) {
    sha256_block_step(&load.sha);
    return 1;
  }
  if (load.next - load.hashed < 64) return 0;
  sha256_block_begin(&load.sha, platform_mem(load.addr + load.hashed, 64));
  load.hashed += 64;
  return 1;
}

/* The run in progress: its request id, and the pending effect request. */
static struct {
  int active;
  uint32_t id;
  uint32_t effect_id;
  uint8_t frame[64];
  uint32_t frame_len;
} run;
static uint32_t next_effect_id = 1;

static void send_frame(const uint8_t *msg, uint32_t len) {
  cobs_encoder enc;
  uint32_t crc = crc32_update(0, msg, len);
  cobs_begin(&enc, platform_tx);
  for (uint32_t i = 0; i < len; i++) cobs_put(&enc, msg[i]);
  for (int i = 0; i < 4; i++) cobs_put(&enc, (uint8_t)(crc >> (8 * i)));
  cobs_end(&enc);
}

/* Receive results besides a message length. */
#define RX_TIMEOUT (-1)
#define RX_BAD (-2)
#define RX_OVERRUN (-3)

/* A frame being received: un-stuffed and CRC-checked byte by byte as it
 * arrives, so nothing is left to do at its delimiter. */
typedef struct {
  uint32_t raw;      /* stuffed bytes received */
  uint32_t n;        /* decoded bytes in rx */
  uint32_t crc;      /* CRC-32 register over the decoded bytes */
  int overflow;      /* more decoded bytes than rx holds */
  cobs_decoder cobs;
} rx_frame;

static void rx_frame_begin(rx_frame *f) {
  f->raw = 0;
  f->n = 0;
  f->crc = CRC32_START;
  f->overflow = 0;
  cobs_decoder_begin(&f->cobs);
}

/* Waits for one frame, polling the UART tightly (its FIFO holds only 32
 * bytes). Returns the length of the checked message in rx (CRC removed),
 * RX_TIMEOUT when `wait` ticks pass with no frame started (wait 0: forever),
 * or RX_BAD / RX_OVERRUN for a frame that must be dropped. A frame whose
 * bytes stop arriving for platform_gap_ticks is dropped too. */
static int receive_frame(uint32_t wait) {
  uint32_t since = platform_ticks();
  int fresh = 0;
  rx_frame f;
  rx_frame_begin(&f);
  crc32_init();
  for (;;) {
    int c = platform_rx();
    if (c < 0) {
      if (hash_step()) continue;
      /* The clock is read only while the line is idle, to keep the
       * per-byte path short. */
      if (fresh) {
        since = platform_ticks();
        fresh = 0;
        continue;
      }
      uint32_t idle = platform_ticks() - since;
      if (f.raw == 0 && wait != 0 && idle >= wait) return RX_TIMEOUT;
      if (f.raw > 0 && idle >= platform_gap_ticks) rx_frame_begin(&f);
      continue;
    }
    fresh = 1;
    if (c != 0) {
      if (f.raw++ == 0) platform_rx_lost(); /* clear the lost flag at a frame start */
      int b = cobs_decode_byte(&f.cobs, (uint8_t)c);
      if (b < 0) continue;
      if (f.n < MAX_MESSAGE) {
        rx[f.n++] = (uint8_t)b;
        f.crc = crc32_byte(f.crc, (uint8_t)b);
      } else {
        f.overflow = 1;
      }
      continue;
    }
    if (f.raw == 0) continue; /* back-to-back delimiters */
    if (platform_rx_lost()) return RX_OVERRUN;
    if (f.overflow || !cobs_complete(&f.cobs) || f.n < 5 || f.crc != CRC32_RESIDUE) return RX_BAD;
    return (int)f.n - 4;
  }
}

/* Starts an answer [type, id, ...] with `fields` more elements. */
static void answer_begin(mp_writer *w, uint32_t type, uint32_t id, uint32_t fields) {
  mp_writer_init(w, tx, sizeof tx);
  mp_write_array(w, 2 + fields);
  mp_write_uint(w, type);
  mp_write_uint(w, id);
}

static void answer_end(mp_writer *w, uint32_t id) {
  tx_len = (uint32_t)mp_written(w);
  last_id = id;
  have_last = 1;
  send_frame(tx, tx_len);
}

static void answer_error(uint32_t id, uint32_t code, const char *text) {
  mp_writer w;
  answer_begin(&w, T_ERROR, id, 2);
  mp_write_uint(&w, code);
  mp_write_str(&w, text);
  answer_end(&w, id);
}

static void answer_ack(uint32_t id, uint32_t value) {
  mp_writer w;
  answer_begin(&w, T_ACK, id, 1);
  mp_write_uint(&w, value);
  answer_end(&w, id);
}

/* An ERROR about a frame that carried no usable request: not remembered. */
static void frame_error(uint32_t code, const char *text) {
  uint8_t buf[48];
  mp_writer w;
  mp_writer_init(&w, buf, sizeof buf);
  mp_write_array(&w, 4);
  mp_write_uint(&w, T_ERROR);
  mp_write_uint(&w, 0);
  mp_write_uint(&w, code);
  mp_write_str(&w, text);
  send_frame(buf, (uint32_t)mp_written(&w));
}

/* A word that may alias bytes (the receive buffer read a word at a time). */
typedef uint32_t __attribute__((may_alias)) word_t;

/* Copies a chunk's bytes from the receive buffer into RAM: whole words when
 * the destination is word-aligned (each stored word put together from the
 * two aligned source words it straddles), bytes otherwise and for the tail.
 * The aligned source reads end at most 3 bytes past the data, which in rx
 * is followed by the frame's CRC. */
static void copy_in(uint8_t *dst, const uint8_t *src, uint32_t len) {
  uint32_t i = 0;
  if (((uintptr_t)dst & 3) == 0 && len >= 4) {
    uint32_t shift = ((uintptr_t)src & 3) * 8;
    const word_t *from = (const word_t *)((uintptr_t)src & ~(uintptr_t)3);
    word_t *to = (word_t *)dst;
    if (shift == 0) {
      for (; i + 4 <= len; i += 4) *to++ = *from++;
    } else {
      uint32_t low = *from++;
      for (; i + 4 <= len; i += 4) {
        uint32_t high = *from++;
        *to++ = low >> shift | high << (32 - shift);
        low = high;
      }
    }
  }
  for (; i < len; i++) dst[i] = src[i];
}

/* True when [addr, addr + len) lies in RAM above the firmware. */
static int program_region(uint32_t addr, uint32_t len) {
  return addr >= PROGRAM_BASE && platform_mem(addr, len) != 0;
}

/* The fewest clocks per bit the loader keeps up with: its receive loop takes
 * more than 60 cycles a byte, so below 8 clocks a bit (80 a byte) a long
 * frame overruns the 32-byte receive FIFO, and every CHUNK would be lost. */
#define MIN_RATE_DIVISOR 8u

/* The UART divisor for `rate` baud when the line runs at `line` baud now:
 * the clock is DIVISOR x line. 0 when there is no such divisor: below
 * MIN_RATE_DIVISOR, or more than 2 % off the rate (or the line has no rate:
 * the native build). */
static uint32_t rate_divisor(uint32_t line, uint32_t rate) {
  uint32_t now = platform_divisor();
  if (now == 0 || rate == 0 || rate > 0x7FFFFFFFu || line > 0x7FFFFFFFu / now) return 0;
  uint32_t clock = now * line, divisor = (clock + rate / 2) / rate, got = divisor * rate;
  uint32_t off = got > clock ? got - clock : clock - got;
  return divisor >= MIN_RATE_DIVISOR && off <= clock / 50 ? divisor : 0;
}

/* HELLO [version] or [version, line rate now, rate wanted]: INFO at the
 * line's rate, then the UART switches to the wanted rate. */
static void on_hello(mp_reader *r, uint32_t id, uint32_t fields) {
  uint32_t wanted = mp_read_uint(r), divisor = 0;
  if (fields == 3) {
    uint32_t line = mp_read_uint(r);
    divisor = rate_divisor(line, mp_read_uint(r));
  }
  if (r->error) return;
  uint32_t version = wanted < PROTO_VERSION ? wanted : PROTO_VERSION;
  if (version < PROTO_MIN_VERSION) {
    answer_error(id, ERR_VERSION, "protocol version too old");
    return;
  }
  if (fields == 3 && divisor == 0) {
    answer_error(id, ERR_UNSUPPORTED, "line rate not possible");
    return;
  }
  mp_writer w;
  answer_begin(&w, T_INFO, id, 9);
  mp_write_uint(&w, version);
  mp_write_str(&w, FIRMWARE_VERSION);
  mp_write_str(&w, platform_core_id);
  mp_write_str(&w, ISA);
  mp_write_uint(&w, RAM_BASE);
  mp_write_uint(&w, platform_ram_bytes());
  mp_write_uint(&w, PROGRAM_BASE);
  mp_write_uint(&w, MAX_MESSAGE);
  mp_write_uint(&w, MAX_CHUNK);
  answer_end(&w, id);
  if (divisor) platform_set_divisor(divisor);
}

static void on_ping(mp_reader *r, uint32_t id) {
  uint32_t len;
  const uint8_t *data = mp_read_bin(r, &len);
  if (r->error) return;
  mp_writer w;
  answer_begin(&w, T_PONG, id, 1);
  mp_write_bin(&w, data, len);
  answer_end(&w, id);
}

static void on_load(mp_reader *r, uint32_t id) {
  uint32_t addr = mp_read_uint(r), size = mp_read_uint(r), len;
  const uint8_t *digest = mp_read_bin(r, &len);
  if (r->error) return;
  if (len != 32) {
    answer_error(id, ERR_MESSAGE, "digest must be 32 bytes");
    return;
  }
  if (!program_region(addr, size)) {
    answer_error(id, ERR_ADDRESS, "image outside program memory");
    return;
  }
  load.active = 1;
  load.addr = addr;
  load.size = size;
  load.next = 0;
  load.hashed = 0;
  for (int i = 0; i < 32; i++) load.digest[i] = digest[i];
  sha256_init(&load.sha);
  answer_ack(id, 0);
}

static void on_chunk(mp_reader *r, uint32_t id) {
  uint32_t offset = mp_read_uint(r), len;
  const uint8_t *data = mp_read_bin(r, &len);
  if (r->error) return;
  if (load.active && offset < load.next && len <= load.next - offset) {
    /* Bytes already stored: the host sent a chunk again, cut smaller, after
     * our ACK of it was lost. They are the same bytes: ACK what we have. */
    answer_ack(id, load.next);
    return;
  }
  if (!load.active || offset != load.next || len > load.size - load.next) {
    answer_error(id, ERR_STATE, "chunk out of sequence");
    return;
  }
  uint8_t *dst = platform_mem(load.addr + offset, len);
  copy_in(dst, data, len);
  load.next += len;
  answer_ack(id, load.next);
}

static void on_commit(uint32_t id) {
  if (!load.active || load.next != load.size) {
    answer_error(id, ERR_STATE, "image incomplete");
    return;
  }
  uint8_t digest[32];
  int same = 1;
  while (hash_step()) {
  }
  sha256_update(&load.sha, platform_mem(load.addr + load.hashed, load.size - load.hashed), load.size - load.hashed);
  sha256_final(&load.sha, digest);
  load.active = 0;
  for (int i = 0; i < 32; i++) same &= digest[i] == load.digest[i];
  if (!same) answer_error(id, ERR_HASH, "image digest mismatch");
  else answer_ack(id, load.size);
}

static void on_run(mp_reader *r, uint32_t id) {
  run_request req;
  req.entry = mp_read_uint(r);
  req.nargs = mp_read_array(r);
  if (req.nargs > 8) r->error = 1;
  for (uint32_t i = 0; i < 8; i++) req.args[i] = i < req.nargs && !r->error ? mp_read_uint(r) : 0;
  req.budget = mp_read_uint64(r);
  if (r->error) return;
  if (!program_region(req.entry, 4) || (req.entry & 3) != 0) {
    answer_error(id, ERR_ADDRESS, "entry outside program memory");
    return;
  }
  if (!platform_runs_programs) {
    answer_error(id, ERR_UNSUPPORTED, "this build cannot run programs");
    return;
  }
  run_result res;
  run.active = 1;
  run.id = id;
  run.frame_len = 0;
  answer_ack(id, 0); /* the run starts; a repeated RUN now gets the pending effect request or the result */
  have_last = 0;
  platform_run(&req, &res);
  run.active = 0;
  mp_writer w;
  answer_begin(&w, T_RESULT, id, 8);
  mp_write_uint(&w, res.outcome);
  mp_write_uint(&w, res.a0);
  mp_write_uint(&w, res.a1);
  mp_write_uint64(&w, res.cycles);
  mp_write_uint64(&w, res.instret);
  mp_write_uint(&w, res.cause);
  mp_write_uint(&w, res.pc);
  mp_write_uint(&w, res.tval);
  answer_end(&w, id);
}

static void on_read(mp_reader *r, uint32_t id) {
  uint32_t addr = mp_read_uint(r), len = mp_read_uint(r);
  if (r->error) return;
  const uint8_t *src = len <= MAX_CHUNK ? platform_mem(addr, len) : 0;
  if (src == 0) {
    answer_error(id, ERR_ADDRESS, "read outside RAM or too long");
    return;
  }
  mp_writer w;
  answer_begin(&w, T_DATA, id, 1);
  mp_write_bin(&w, src, len);
  answer_end(&w, id);
}

static void on_write(mp_reader *r, uint32_t id) {
  uint32_t addr = mp_read_uint(r), len;
  const uint8_t *data = mp_read_bin(r, &len);
  if (r->error) return;
  if (!program_region(addr, len)) {
    answer_error(id, ERR_ADDRESS, "write outside program memory");
    return;
  }
  uint8_t *dst = platform_mem(addr, len);
  copy_in(dst, data, len);
  answer_ack(id, len);
}

static void soft_reset(void) {
  load.active = 0;
  have_last = 0;
}

/* Acts on one request (header already read). Returns 0, or -1 when the
 * body did not match the message's shape. */
static int serve(mp_reader *r, uint32_t fields, uint32_t type, uint32_t id) {
  if (have_last && id == last_id && type != T_HELLO) {
    send_frame(tx, tx_len); /* a repeated request: the same answer again */
    return 0;
  }
  static const uint8_t field_count[] = {0, 1, 1, 3, 2, 0, 3, 1, 2, 2, 0};
  if (type == 0 || type > T_RESET) {
    answer_error(id, ERR_TYPE, "unknown message type");
    return 0;
  }
  if (fields != field_count[type] && !(type == T_HELLO && fields == 3)) return -1;
  switch (type) {
  case T_HELLO: on_hello(r, id, fields); break;
  case T_PING: on_ping(r, id); break;
  case T_LOAD: on_load(r, id); break;
  case T_CHUNK: on_chunk(r, id); break;
  case T_COMMIT: on_commit(id); break;
  case T_RUN: on_run(r, id); break;
  case T_READ: on_read(r, id); break;
  case T_WRITE: on_write(r, id); break;
  case T_RESET: soft_reset(); answer_ack(id, 0); break;
  default: answer_error(id, ERR_STATE, "no effect request pending"); break;
  }
  return r->error ? -1 : 0;
}

/* Receives one frame and reads its header. Returns the message's reader
 * positioned after [type, id], or reports a bad frame and returns 0. */
static int next_request(uint32_t wait, mp_reader *r, uint32_t *fields, uint32_t *type, uint32_t *id) {
  int len = receive_frame(wait);
  if (len == RX_TIMEOUT) return RX_TIMEOUT;
  if (len == RX_OVERRUN) {
    frame_error(ERR_OVERRUN, "receive FIFO overrun");
    return RX_BAD;
  }
  if (len == RX_BAD) {
    frame_error(ERR_FRAME, "bad frame");
    return RX_BAD;
  }
  mp_reader_init(r, rx, (uint32_t)len);
  uint32_t n = mp_read_array(r);
  *type = mp_read_uint(r);
  *id = mp_read_uint(r);
  if (r->error || n < 2) {
    frame_error(ERR_MESSAGE, "bad message header");
    return RX_BAD;
  }
  *fields = n - 2;
  return 0;
}

void proto_serve(void) {
  soft_reset();
  for (;;) {
    mp_reader r;
    uint32_t fields, type, id;
    if (next_request(0, &r, &fields, &type, &id) != 0) continue;
    if (serve(&r, fields, type, id) != 0) answer_error(id, ERR_MESSAGE, "malformed message");
  }
}

#define EFFECT_RETRIES 1024 /* silent retry periods before a run ends as link-lost */

int proto_effect(uint32_t effect, const uint32_t args[6], uint32_t reply[2]) {
  mp_writer w;
  mp_writer_init(&w, run.frame, sizeof run.frame);
  run.effect_id = next_effect_id++;
  mp_write_array(&w, 5);
  mp_write_uint(&w, T_EFFECT);
  mp_write_uint(&w, run.effect_id);
  mp_write_uint(&w, run.id);
  mp_write_uint(&w, effect);
  mp_write_array(&w, 6);
  for (int i = 0; i < 6; i++) mp_write_uint(&w, args[i]);
  run.frame_len = (uint32_t)mp_written(&w);
  send_frame(run.frame, run.frame_len);
  for (int silent = 0; silent < EFFECT_RETRIES;) {
    mp_reader r;
    uint32_t fields, type, id;
    int got = next_request(platform_retry_ticks, &r, &fields, &type, &id);
    if (got == RX_TIMEOUT) {
      silent++;
      send_frame(run.frame, run.frame_len);
      continue;
    }
    silent = 0;
    if (got != 0) continue;
    if (type == T_REPLY && id == run.effect_id) {
      uint32_t n = fields == 1 ? mp_read_array(&r) : 0;
      reply[0] = n >= 1 ? mp_read_uint(&r) : 0;
      reply[1] = n >= 2 ? mp_read_uint(&r) : 0;
      if (!r.error && n <= 2 && fields == 1) return 0;
      answer_error(id, ERR_MESSAGE, "malformed reply");
    } else if (type == T_RUN && id == run.id) {
      send_frame(run.frame, run.frame_len); /* the host missed the request */
    } else if (type == T_PING || type == T_READ || type == T_WRITE) {
      if (serve(&r, fields, type, id) != 0) answer_error(id, ERR_MESSAGE, "malformed message");
    } else {
      answer_error(id, ERR_STATE, "a program is running");
    }
  }
  return -1;
}

void proto_panic(uint32_t cause, uint32_t pc, uint32_t tval) {
  uint8_t buf[48];
  mp_writer w;
  mp_writer_init(&w, buf, sizeof buf);
  mp_write_array(&w, 5);
  mp_write_uint(&w, T_ERROR);
  mp_write_uint(&w, 0);
  mp_write_uint(&w, ERR_PANIC);
  mp_write_str(&w, "firmware trap");
  mp_write_array(&w, 3);
  mp_write_uint(&w, cause);
  mp_write_uint(&w, pc);
  mp_write_uint(&w, tval);
  send_frame(buf, (uint32_t)mp_written(&w));
}
