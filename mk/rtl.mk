# The RTL core and its Verilator simulation (docs/rtl.md): the simulator
# binary build/sim/cax-sim, the assembly ISA tests (test/isa) built for the
# simulated SoC and for qemu-riscv32, and the Verilator lint of the RTL.

RTL_SOURCES  := $(sort $(wildcard rtl/core/*.v rtl/soc/*.v rtl/uart/*.v))
SIM_SOURCES  := sim/main.cpp sim/elf.cpp sim/uart_bridge.cpp
SIM_DEPS     := $(RTL_SOURCES) $(SIM_SOURCES) sim/elf.h sim/uart_bridge.h sim/cax_sim.vlt mk/rtl.mk
SIM_OUT      := $(BUILD)/sim
SIM_BIN      := $(SIM_OUT)/cax-sim
# Clocks per UART bit in simulation (fast; the board uses 104 at 12 MHz).
# State starts at 0, as on the FPGA (test/isa/env.S relies on it: it tells
# the SoC, all registers 0, from Linux, sp set).
SIM_UART_DIVISOR := 8
# RAM of the simulated SoC (the board has 128 KiB): the ISS's default too
# (host/riscv/iss.ts DEFAULT_RAM_BYTES), so both run the same programs.
SIM_RAM_BYTES := 4194304
VERILATOR_FLAGS := -Wall -O3 --x-assign fast --x-initial 0 --trace \
                   --top-module cax_soc -GUART_DIVISOR=$(SIM_UART_DIVISOR) -GRAM_BYTES=$(SIM_RAM_BYTES)

# The model's C++ at -O3 (portable: no -march): 7 % more cycles/s than -O2 on
# build/rtl/kernel.elf (docs/performance.md); GCC's profile-guided build gave
# 7 % more again, not worth a second build and a training run.
$(SIM_BIN): $(SIM_DEPS)
	@mkdir -p $(SIM_OUT)
	verilator --cc --exe --build -j 2 $(VERILATOR_FLAGS) -Mdir $(SIM_OUT)/obj -o ../cax-sim \
	  -CFLAGS '-O3 -std=c++17' -MAKEFLAGS 'OPT_FAST=-O3 OPT_SLOW=-O1' \
	  sim/cax_sim.vlt $(RTL_SOURCES) $(abspath $(SIM_SOURCES)) >$(SIM_OUT)/build.log 2>&1 \
	  || { cat $(SIM_OUT)/build.log; exit 1; }
	@touch $@

# The same simulator with Verilator's line and toggle coverage (docs/waveforms.md):
# `cax-sim --coverage FILE` writes the run's coverage data, `cax coverage report` merges runs.
SIM_COV_OUT := $(BUILD)/sim-coverage
SIM_COV_BIN := $(SIM_COV_OUT)/cax-sim
$(SIM_COV_BIN): $(SIM_DEPS)
	@mkdir -p $(SIM_COV_OUT)
	verilator --cc --exe --build -j 2 $(VERILATOR_FLAGS) --coverage-line --coverage-toggle -Mdir $(SIM_COV_OUT)/obj -o ../cax-sim \
	  -CFLAGS '-O1 -std=c++17' -MAKEFLAGS 'OPT_FAST=-O1 OPT_SLOW=-O0' \
	  sim/cax_sim.vlt $(RTL_SOURCES) $(abspath $(SIM_SOURCES)) >$(SIM_COV_OUT)/build.log 2>&1 \
	  || { cat $(SIM_COV_OUT)/build.log; exit 1; }
	@touch $@

# Lint: Verilator on the RTL, and the harness's own C++ with every warning
# an error (Verilator's headers and the generated model count as system headers).
$(SIM_OUT)/lint.stamp: $(SIM_DEPS) $(SIM_BIN)
	verilator --lint-only -Wall --top-module cax_soc sim/cax_sim.vlt $(RTL_SOURCES)
	for f in $(SIM_SOURCES); do \
	  g++ -std=c++17 -Wall -Wextra -Werror -fsyntax-only -isystem $(SIM_OUT)/obj \
	    -isystem /usr/share/verilator/include -isystem /usr/share/verilator/include/vltstd $$f || exit 1; \
	done
	@touch $@

.PHONY: sim sim-coverage rtl-lint
sim: $(SIM_BIN)
sim-coverage: $(SIM_COV_BIN)
rtl-lint: $(SIM_OUT)/lint.stamp

TEST_PREREQS += sim sim-coverage
LINT_TARGETS += rtl-lint

# ISA tests: test/isa/user/*.S run on the SoC and under qemu-riscv32 (the
# differential test), test/isa/machine/*.S on the SoC only (traps, CSRs).
ISA_CC      := riscv64-unknown-elf-gcc
ISA_CFLAGS  := -march=rv32im_zicsr_zifencei -mabi=ilp32 -nostdlib -static -Wall -Werror \
               -Wl,--no-warn-rwx-segments -Itest/isa -Itest/isa/machine -T test/isa/link.ld
ISA_OUT     := $(BUILD)/isa
ISA_DEPS    := test/isa/env.S test/isa/env.h test/isa/machine/trap.h test/isa/link.ld mk/rtl.mk
ISA_ELFS    := $(patsubst test/isa/%.S,$(ISA_OUT)/%.elf,$(wildcard test/isa/user/*.S test/isa/machine/*.S))

$(ISA_OUT)/%.elf: test/isa/%.S $(ISA_DEPS)
	@mkdir -p $(@D)
	$(ISA_CC) $(ISA_CFLAGS) -o $@ test/isa/env.S $<

.PHONY: isa-tests
isa-tests: $(ISA_ELFS)

TEST_PREREQS += isa-tests

# Programs for the simulator's own tests and benchmark (test/rtl/programs).
RTL_PROGRAMS := $(patsubst test/rtl/programs/%.S,$(BUILD)/rtl/%.elf,$(wildcard test/rtl/programs/*.S))

$(BUILD)/rtl/%.elf: test/rtl/programs/%.S $(ISA_DEPS)
	@mkdir -p $(@D)
	$(ISA_CC) $(ISA_CFLAGS) -o $@ test/isa/env.S $<

.PHONY: rtl-programs
rtl-programs: $(RTL_PROGRAMS)

TEST_PREREQS += rtl-programs
