/* The firmware as a host process, for tests: the line is stdin/stdout, RAM
 * is an array, ticks are microseconds. Programs cannot run here (they are
 * RV32 code): RUN is answered with an UNSUPPORTED error. Everything else is
 * the same protocol core that runs on the SoC. */
#include <poll.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../platform.h"

const char platform_core_id[] = "cax-native";
const uint32_t platform_gap_ticks = 500000;
const uint32_t platform_retry_ticks = 1000000;

#define RAM_BYTES 131072u /* 128 KiB, as the board */
static uint8_t ram[RAM_BYTES];

uint32_t platform_ram_bytes(void) { return RAM_BYTES; }
static uint8_t in[4096], out[4096];
static size_t in_pos, in_len, out_len;

static void flush_out(void) {
  size_t done = 0;
  while (done < out_len) {
    ssize_t n = write(1, out + done, out_len - done);
    if (n <= 0) exit(1);
    done += (size_t)n;
  }
  out_len = 0;
}

int platform_rx(void) {
  if (in_pos == in_len) {
    struct pollfd p = {.fd = 0, .events = POLLIN};
    if (poll(&p, 1, 2) <= 0) return -1;
    ssize_t n = read(0, in, sizeof in);
    if (n <= 0) exit(0); /* the host closed the line */
    in_pos = 0;
    in_len = (size_t)n;
  }
  return in[in_pos++];
}

int platform_rx_lost(void) { return 0; }

/* stdin/stdout have no line rate: a HELLO asking for one is refused. */
uint32_t platform_divisor(void) { return 0; }
void platform_set_divisor(uint32_t divisor) { (void)divisor; }

void platform_tx(uint8_t byte) {
  out[out_len++] = byte;
  if (byte == 0 || out_len == sizeof out) flush_out();
}

uint32_t platform_ticks(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint32_t)((uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u);
}

uint8_t *platform_mem(uint32_t addr, uint32_t len) {
  if (addr < RAM_BASE || addr - RAM_BASE > RAM_BYTES || len > RAM_BYTES - (addr - RAM_BASE)) return 0;
  return ram + (addr - RAM_BASE);
}

const int platform_runs_programs = 0;

/* Never called (platform_runs_programs is 0); here to complete the platform. */
void platform_run(const run_request *req, run_result *res) {
  (void)req;
  (void)res;
}

int main(void) {
  proto_serve();
  return 0;
}
