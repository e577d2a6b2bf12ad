# The FPGA build (docs/fpga.md): `make fpga BOARD=icebreaker` synthesises the
# SoC with yosys, places and routes it with nextpnr-ice40 (which fails the
# build when the board clock is not met), packs the bitstream with icepack and
# prints the resource use and Fmax; `make flash` programs a connected board.
# The RTL is the simulated RTL but for rtl/soc/cax_ram.v, which the board's
# SPRAM RAM replaces; the firmware is the RAM's boot image.

BOARD           ?= icebreaker
FPGA_OUT        := $(BUILD)/fpga/$(BOARD)
FPGA_TOP        := $(BOARD)_top
FPGA_PCF        := rtl/board/$(BOARD).pcf
FPGA_FREQ_MHZ   := 12
FPGA_DEVICE     := --up5k --package sg48
# Boot image: the firmware, copied from block RAM into SPRAM at power-on.
FPGA_IMAGE      ?= $(BUILD)/firmware/firmware.bin
FPGA_BOOT_BYTES := 12288
FPGA_SOURCES    := $(filter-out rtl/soc/cax_ram.v,$(sort $(wildcard rtl/core/*.v rtl/soc/*.v rtl/uart/*.v))) \
                   rtl/board/cax_ram_spram.v rtl/board/$(FPGA_TOP).v
FPGA_BIN        := $(FPGA_OUT)/cax.bin
FPGA_REPORT     := $(FPGA_OUT)/report.json

FPGA_BOOT_WORDS := $(shell echo $$(($(FPGA_BOOT_BYTES) / 4)))

# The boot image as $$readmemh words, zero-padded to the full size.
$(FPGA_OUT)/boot.hex: $(FPGA_IMAGE) mk/fpga.mk
	@mkdir -p $(@D)
	@size=$$(stat -c %s $<); if [ $$size -gt $(FPGA_BOOT_BYTES) ]; then \
	  echo "fpga: $< is $$size bytes, more than the $(FPGA_BOOT_BYTES)-byte boot image (FPGA_BOOT_BYTES in mk/fpga.mk)"; exit 1; fi
	cp $< $(@D)/boot.bin && truncate -s $(FPGA_BOOT_BYTES) $(@D)/boot.bin
	od -An -v -tx4 -w4 $(@D)/boot.bin | tr -d ' ' > $@

# Synthesis and place-and-route use a random placeholder boot image, which
# icebram then replaces with the real one in the placed design: a new
# firmware costs seconds, not a new synthesis.
$(FPGA_OUT)/placeholder.hex: mk/fpga.mk
	@mkdir -p $(@D)
	icebram -g -s 1 32 $(FPGA_BOOT_WORDS) > $@

# yosys runs in the output directory, where the RAM's $$readmemh finds the placeholder.
$(FPGA_OUT)/cax.json: $(FPGA_SOURCES) $(FPGA_OUT)/placeholder.hex mk/fpga.mk
	cd $(FPGA_OUT) && yosys -q -l synth.log \
	  -p 'chparam -set BOOT_WORDS $(FPGA_BOOT_WORDS) -set BOOT_HEX "placeholder.hex" cax_ram; synth_ice40 -dsp -abc9 -device u -top $(FPGA_TOP) -json cax.json' \
	  $(abspath $(FPGA_SOURCES))

$(FPGA_OUT)/placed.asc $(FPGA_REPORT) &: $(FPGA_OUT)/cax.json $(FPGA_PCF)
	nextpnr-ice40 -q $(FPGA_DEVICE) --freq $(FPGA_FREQ_MHZ) --seed 1 --json $< --pcf $(FPGA_PCF) \
	  --asc $(FPGA_OUT)/placed.asc --report $(FPGA_REPORT) -l $(FPGA_OUT)/pnr.log \
	  || { grep -E "ERROR|Max frequency" $(FPGA_OUT)/pnr.log; rm -f $(FPGA_REPORT); exit 1; }

$(FPGA_OUT)/cax.asc: $(FPGA_OUT)/placed.asc $(FPGA_OUT)/placeholder.hex $(FPGA_OUT)/boot.hex
	icebram $(FPGA_OUT)/placeholder.hex $(FPGA_OUT)/boot.hex < $< > $@

$(FPGA_BIN): $(FPGA_OUT)/cax.asc
	icepack $< $@

.PHONY: fpga flash fpga-lint
fpga: $(FPGA_BIN)
	@sed -n '/Device utilisation/,/^Info: *$$/p' $(FPGA_OUT)/pnr.log | grep -E "ICESTORM_(LC|RAM|SPRAM|DSP)|SB_IO"
	@grep "Max frequency" $(FPGA_OUT)/pnr.log | tail -n 1
	@echo "fpga: $(FPGA_BIN) (report: $(FPGA_REPORT))"

flash: $(FPGA_BIN)
	@command -v iceprog >/dev/null || { echo "flash: iceprog not found (Debian package fpga-icestorm)"; exit 1; }
	@iceprog $(FPGA_BIN) || { echo "flash: no board answered: plug in the $(BOARD) by USB (docs/fpga.md)"; exit 1; }

# Lint of the board wrappers, with yosys's model of the SPRAM cell (cut out
# of its cell library, which Verilator cannot parse whole; warnings off for it).
ICE40_CELLS := /usr/share/yosys/ice40/cells_sim.v
$(FPGA_OUT)/lint/SB_SPRAM256KA.v: $(ICE40_CELLS)
	@mkdir -p $(@D)
	sed -n '/^module SB_SPRAM256KA/,/^endmodule/p' $< > $@

$(FPGA_OUT)/lint.stamp: $(FPGA_SOURCES) rtl/board/lint.vlt $(FPGA_OUT)/lint/SB_SPRAM256KA.v
	verilator --lint-only -Wall --top-module $(FPGA_TOP) rtl/board/lint.vlt $(FPGA_SOURCES) $(FPGA_OUT)/lint/SB_SPRAM256KA.v
	@touch $@
fpga-lint: $(FPGA_OUT)/lint.stamp

TEST_PREREQS += $(FPGA_BIN) $(FPGA_REPORT) $(FPGA_OUT)/lint/SB_SPRAM256KA.v
LINT_TARGETS += fpga-lint
