# The TEL runtime (firmware/tel-runtime/) that compiled TEL images link
# against: one ELF linked at the loader's program base, read by
# host/compiler/link.ts for its bytes and symbols.
TELRT_DIR    := firmware/tel-runtime
TELRT_BUILD  := $(BUILD)/tel-runtime
TELRT_CC     := riscv64-unknown-elf-gcc
TELRT_STACK  := 16384
TELRT_CFLAGS := -march=rv32im -mabi=ilp32 -Os -Wall -Wextra -Werror -ffreestanding -fno-tree-loop-distribute-patterns \
                -nostdlib -nostartfiles -Wl,--no-warn-rwx-segments -DSTACK_BYTES=$(TELRT_STACK) -DSHA256_SMALL
TELRT_LIBGCC  = $(shell $(TELRT_CC) -march=rv32im -mabi=ilp32 -print-libgcc-file-name)
TELRT_SRC    := $(TELRT_DIR)/entry.S $(TELRT_DIR)/runtime.c $(TELRT_DIR)/double.c $(TELRT_DIR)/gc.c firmware/sha256.c
TELRT_PROVE  := $(TELRT_DIR)/prove-start.S $(TELRT_SRC)

$(TELRT_BUILD)/runtime.elf: $(TELRT_SRC) $(TELRT_DIR)/tel.h $(TELRT_DIR)/runtime.ld firmware/include/cax.h firmware/sha256.h mk/compiler.mk
	@mkdir -p $(@D)
	$(TELRT_CC) $(TELRT_CFLAGS) -T $(TELRT_DIR)/runtime.ld -o $@ $(TELRT_SRC) $(TELRT_LIBGCC)

# The variant for proving images (docs/proofs.md): at the reset pc, entered by prove-start.S, no loader.
$(TELRT_BUILD)/prove-runtime.elf: $(TELRT_PROVE) $(TELRT_DIR)/tel.h $(TELRT_DIR)/prove.ld firmware/include/cax.h firmware/sha256.h mk/compiler.mk
	@mkdir -p $(@D)
	$(TELRT_CC) $(TELRT_CFLAGS) -T $(TELRT_DIR)/prove.ld -o $@ $(TELRT_PROVE) $(TELRT_LIBGCC)

.PHONY: tel-runtime
tel-runtime: $(TELRT_BUILD)/runtime.elf $(TELRT_BUILD)/prove-runtime.elf

TEST_PREREQS += $(TELRT_BUILD)/runtime.elf $(TELRT_BUILD)/prove-runtime.elf
