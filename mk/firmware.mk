# The loader firmware (firmware/, docs/protocol.md): the SoC build, the
# native build of the same protocol core (for tests and fuzzing, with
# AddressSanitizer/UBSan), and the test programs it loads and runs.
FW_DIR      := firmware
FW_BUILD    := $(BUILD)/firmware
FW_CC       := riscv64-unknown-elf-gcc
FW_OBJCOPY  := riscv64-unknown-elf-objcopy
FW_CFLAGS   := -march=rv32im_zicsr -mabi=ilp32 -Os -Wall -Wextra -Werror -ffreestanding \
               -fno-tree-loop-distribute-patterns -nostdlib -nostartfiles -Wl,--no-warn-rwx-segments
# The loader itself with link-time optimisation: the UART reads of
# soc/platform.c are inlined into the protocol core's receive loop, which must
# keep up with the simulated line (8 clocks per bit, mk/rtl.mk).
FW_LTO      := -flto
# libgcc of the rv32im multilib (the _zicsr suffix would defeat multilib selection).
FW_LIBGCC    = $(shell $(FW_CC) -march=rv32im -mabi=ilp32 -print-libgcc-file-name)
FW_CORE     := $(addprefix $(FW_DIR)/,proto.c cobs.c crc32.c msgpack.c sha256.c)
FW_HEADERS  := $(wildcard $(FW_DIR)/*.h)
FW_PROGRAMS := $(patsubst $(FW_DIR)/programs/%.c,$(FW_BUILD)/programs/%.bin,$(wildcard $(FW_DIR)/programs/*.c))

$(FW_BUILD)/firmware.elf: $(FW_CORE) $(FW_HEADERS) $(FW_DIR)/soc/start.S $(FW_DIR)/soc/platform.c $(FW_DIR)/soc/firmware.ld mk/firmware.mk
	@mkdir -p $(@D)
	$(FW_CC) $(FW_CFLAGS) $(FW_LTO) -T $(FW_DIR)/soc/firmware.ld -o $@ $(FW_DIR)/soc/start.S $(FW_DIR)/soc/platform.c $(FW_CORE) $(FW_LIBGCC)

$(FW_BUILD)/cax-fw-native: $(FW_CORE) $(FW_HEADERS) $(FW_DIR)/native/platform.c
	@mkdir -p $(@D)
	gcc -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -O1 -g -fsanitize=address,undefined \
	  -fno-sanitize-recover=all -o $@ $(FW_DIR)/native/platform.c $(FW_CORE)

$(FW_BUILD)/programs/%.elf: $(FW_DIR)/programs/%.c $(FW_DIR)/programs/crt0.S $(FW_DIR)/programs/program.ld $(FW_DIR)/include/cax.h
	@mkdir -p $(@D)
	$(FW_CC) $(FW_CFLAGS) -I$(FW_DIR)/include -T $(FW_DIR)/programs/program.ld -o $@ $(FW_DIR)/programs/crt0.S $< $(FW_PROGRAM_LINKS) $(FW_LIBGCC)

# The SHA-256 speed program measures the loader's own SHA-256.
$(FW_BUILD)/programs/sha256-speed.elf: FW_PROGRAM_LINKS := $(FW_DIR)/sha256.c
$(FW_BUILD)/programs/sha256-speed.elf: $(FW_DIR)/sha256.c $(FW_DIR)/sha256.h

$(FW_BUILD)/%.bin: $(FW_BUILD)/%.elf
	$(FW_OBJCOPY) -O binary $< $@

.PRECIOUS: $(FW_BUILD)/programs/%.elf
.PHONY: firmware
firmware: $(FW_BUILD)/firmware.elf $(FW_BUILD)/firmware.bin $(FW_BUILD)/cax-fw-native $(FW_PROGRAMS)

TEST_PREREQS += $(FW_BUILD)/firmware.elf $(FW_BUILD)/firmware.bin $(FW_BUILD)/cax-fw-native $(FW_PROGRAMS)
