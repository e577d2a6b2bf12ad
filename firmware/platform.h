/* What the protocol core needs from the machine it runs on. Two
 * implementations: soc/ (the cax SoC: UART registers, counters, running
 * programs) and native/ (a host process on stdin/stdout, for tests). */
#ifndef CAX_PLATFORM_H
#define CAX_PLATFORM_H
#include <stdint.h>

/* Memory layout shared by every build (docs/protocol.md). */
#define RAM_BASE 0x80000000u
#define PROGRAM_BASE 0x80008000u /* first byte a host may load or write */

/* The RAM's size in bytes: the SoC's RAM_SIZE register (128 KiB on the
 * board, 4 MiB in simulation and on the ISS); the native build's array. */
uint32_t platform_ram_bytes(void);

/* One byte from the line, or -1 when none is waiting. */
int platform_rx(void);
/* 1 when received bytes were lost (receive FIFO overrun) since the last call. */
int platform_rx_lost(void);
void platform_tx(uint8_t byte);
/* The UART's clocks per bit (0 when the line has no rate: the native
 * build), and setting it once the last byte sent has left. */
uint32_t platform_divisor(void);
void platform_set_divisor(uint32_t divisor);
/* A free-running tick counter for timeouts (cycles on the SoC). */
uint32_t platform_ticks(void);
/* Ticks to wait for the next byte of a frame before dropping it, and for a
 * reply to an effect request before sending it again. */
extern const uint32_t platform_gap_ticks;
extern const uint32_t platform_retry_ticks;

/* Names this machine in INFO ("cax-soc", "cax-native"). */
extern const char platform_core_id[];

/* The bytes [addr, addr + len) of RAM, or 0 when not all inside RAM. */
uint8_t *platform_mem(uint32_t addr, uint32_t len);

/* How a run ended (the `outcome` field of RESULT). */
enum { RUN_RETURNED = 0, RUN_TRAPPED = 1, RUN_BUDGET = 2, RUN_LINK_LOST = 3 };

typedef struct {
  uint32_t entry;
  uint32_t args[8];    /* a0..a7 */
  uint32_t nargs;
  uint64_t budget;     /* cycles */
} run_request;

typedef struct {
  uint32_t outcome;
  uint32_t a0, a1;     /* return registers (returned) */
  uint32_t cause, pc, tval; /* the trap (trapped) */
  uint64_t cycles, instret;
} run_result;

/* 0 when this build cannot run programs (the native build has no RV32 core). */
extern const int platform_runs_programs;
/* Runs a loaded program to its end. */
void platform_run(const run_request *req, run_result *res);

/* Called by the platform when the running program executes ecall: sends the
 * effect request to the host and waits for the reply. Returns 0 with the
 * reply in reply[0..1], or -1 when the host never answered. */
int proto_effect(uint32_t effect, const uint32_t args[6], uint32_t reply[2]);

/* Serves the protocol forever. */
void proto_serve(void);
/* Reports a trap taken by the firmware itself (a bug) to the host. */
void proto_panic(uint32_t cause, uint32_t pc, uint32_t tval);

#endif
