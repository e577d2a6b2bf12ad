/* The firmware on the cax SoC (docs/soc.md): UART and MTIME registers, and
 * running a program: ecall becomes an effect request to the host, any other
 * trap ends the run. The counters are frozen from the trap until the program
 * resumes (start.S trap_entry), so a program's cycle and instruction counts
 * depend neither on the host nor on the firmware's trap code. */
#include "../platform.h"

#define REG(addr) (*(volatile uint32_t *)(addr))
#define UART_TXDATA REG(0x10000000u)
#define UART_RXDATA REG(0x10000004u)
#define UART_STATUS REG(0x10000008u)
#define UART_DIVISOR REG(0x1000000Cu)
#define MTIME_LO REG(0x10001000u)
#define RAM_SIZE REG(0x10002008u)

#define CSR_READ(name) ({ uint32_t v_; __asm__ volatile("csrr %0, " #name : "=r"(v_)); v_; })
#define CSR_WRITE(name, v) __asm__ volatile("csrw " #name ", %0" ::"r"(v))

const char platform_core_id[] = "cax-soc";
const uint32_t platform_gap_ticks = 1u << 22;
const uint32_t platform_retry_ticks = 1u << 21;

/* Set by start.S at the end of a run: a0, a1, cycles, instret. */
extern volatile uint32_t run_exit[6];
uint32_t run_program(uint32_t entry, const uint32_t args[8], uint32_t sp);
__attribute__((noreturn)) void run_leave(uint32_t outcome);
__attribute__((noreturn)) void _start(void);

static volatile int running;
static uint64_t budget;
static uint32_t trap_cause, trap_pc, trap_tval;

int platform_rx(void) {
  uint32_t v = UART_RXDATA;
  return (int32_t)v < 0 ? -1 : (int)(v & 0xFF);
}

int platform_rx_lost(void) { return (UART_STATUS >> 2) & 1; }

void platform_tx(uint8_t byte) {
  while ((int32_t)UART_TXDATA < 0) {
  }
  UART_TXDATA = byte;
}

uint32_t platform_divisor(void) { return UART_DIVISOR; }

void platform_set_divisor(uint32_t divisor) {
  while ((int32_t)UART_TXDATA < 0) {
  }
  UART_DIVISOR = divisor;
}

uint32_t platform_ticks(void) { return MTIME_LO; }

uint32_t platform_ram_bytes(void) { return RAM_SIZE; }

uint8_t *platform_mem(uint32_t addr, uint32_t len) {
  uint32_t ram_bytes = RAM_SIZE;
  if (addr < RAM_BASE || addr - RAM_BASE > ram_bytes || len > ram_bytes - (addr - RAM_BASE)) return 0;
  return (uint8_t *)addr;
}

/* Ends the run from inside a trap: records the counters and the trap. */
__attribute__((noreturn)) static void leave(uint32_t outcome, uint64_t cycles, uint64_t instret) {
  run_exit[2] = (uint32_t)cycles;
  run_exit[3] = (uint32_t)(cycles >> 32);
  run_exit[4] = (uint32_t)instret;
  run_exit[5] = (uint32_t)(instret >> 32);
  run_leave(outcome);
}

/* The trap frame (start.S trap_entry): x0..x31 of the program (x10..x17 are read and a0/a1 written here), then
 * mcycle and minstret as they were at the trap, which trap_entry writes back when the program resumes. */
enum { FRAME_CYCLES = 32, FRAME_INSTRET = 34 };

void trap_handler(uint32_t regs[36]) {
  uint64_t cycles = (uint64_t)regs[FRAME_CYCLES + 1] << 32 | regs[FRAME_CYCLES];
  uint64_t instret = (uint64_t)regs[FRAME_INSTRET + 1] << 32 | regs[FRAME_INSTRET];
  trap_cause = CSR_READ(mcause);
  trap_pc = CSR_READ(mepc);
  trap_tval = CSR_READ(mtval);
  if (!running) {
    proto_panic(trap_cause, trap_pc, trap_tval);
    _start();
  }
  if (trap_cause != 11) leave(RUN_TRAPPED, cycles, instret);
  if (cycles >= budget) leave(RUN_BUDGET, cycles, instret);
  uint32_t reply[2];
  if (proto_effect(regs[17], &regs[10], reply) != 0) leave(RUN_LINK_LOST, cycles, instret);
  regs[10] = reply[0];
  regs[11] = reply[1];
  CSR_WRITE(mepc, trap_pc + 4);
}

const int platform_runs_programs = 1;

void platform_run(const run_request *req, run_result *res) {
  budget = req->budget;
  trap_cause = trap_pc = trap_tval = 0;
  running = 1;
  res->outcome = run_program(req->entry, req->args, RAM_BASE + RAM_SIZE);
  running = 0;
  res->a0 = run_exit[0];
  res->a1 = run_exit[1];
  res->cycles = (uint64_t)run_exit[3] << 32 | run_exit[2];
  res->instret = (uint64_t)run_exit[5] << 32 | run_exit[4];
  int trapped = res->outcome == RUN_TRAPPED;
  res->cause = trapped ? trap_cause : 0;
  res->pc = trapped ? trap_pc : 0;
  res->tval = trapped ? trap_tval : 0;
  if (res->outcome == RUN_RETURNED && res->cycles > budget) res->outcome = RUN_BUDGET;
}

int main(void) {
  proto_serve();
  return 0;
}
