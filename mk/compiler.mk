# The TEL runtime (firmware/tel-runtime/) that compiled TEL images link
# against: ELFs linked at the loader's program base, read by
# host/compiler/link.ts for their bytes and symbols. The runtime is built
# once per set of its optional parts (tel.h TEL_DOUBLE, TEL_HASH, TEL_SHOW):
# runtime.elf has all of them, runtime-PARTS.elf only those named (base:
# none), and each image links the smallest build that has what its code can
# reach, so that code only some images need takes no heap from the others
# on the 128 KiB board (docs/compiler.md "The runtime's builds").
TELRT_DIR    := firmware/tel-runtime
TELRT_BUILD  := $(BUILD)/tel-runtime
TELRT_CC     := riscv64-unknown-elf-gcc
TELRT_STACK  := 16384
TELRT_CFLAGS := -march=rv32im -mabi=ilp32 -Os -fno-omit-frame-pointer -Wall -Wextra -Werror -ffreestanding -fno-tree-loop-distribute-patterns \
                -nostdlib -nostartfiles -Wl,--no-warn-rwx-segments -DSTACK_BYTES=$(TELRT_STACK) -DSHA256_SMALL
TELRT_LIBGCC  = $(shell $(TELRT_CC) -march=rv32im -mabi=ilp32 -print-libgcc-file-name)
TELRT_DEPS   := $(TELRT_DIR)/entry.S $(TELRT_DIR)/runtime.c $(TELRT_DIR)/double.c $(TELRT_DIR)/gc.c firmware/sha256.c \
                $(TELRT_DIR)/tel.h firmware/include/cax.h firmware/sha256.h mk/compiler.mk
# The builds with only some parts (host/artefacts.ts RUNTIME_PARTS names the same, in the same order).
TELRT_VARIANTS := base double hash show double-hash double-show hash-show
# The defines and sources of the build with parts $(1) (a list of words): double.c only with Doubles and show,
# firmware/sha256.c only with hashOf.
telrt_flags = $(foreach p,DOUBLE HASH SHOW,-DTEL_$(p)=$(if $(filter $(p),$(1)),1,0))
telrt_src = $(TELRT_DIR)/entry.S $(TELRT_DIR)/runtime.c $(if $(filter DOUBLE,$(1)),$(if $(filter SHOW,$(1)),$(TELRT_DIR)/double.c)) \
            $(TELRT_DIR)/gc.c $(if $(filter HASH,$(1)),firmware/sha256.c)
TELRT_ALL    := DOUBLE HASH SHOW
telrt_parts   = $(subst double,DOUBLE,$(subst hash,HASH,$(subst show,SHOW,$(subst -, ,$(1)))))

$(TELRT_BUILD)/runtime.elf: $(TELRT_DEPS) $(TELRT_DIR)/runtime.ld
	@mkdir -p $(@D)
	$(TELRT_CC) $(TELRT_CFLAGS) $(call telrt_flags,$(TELRT_ALL)) -T $(TELRT_DIR)/runtime.ld -o $@ $(call telrt_src,$(TELRT_ALL)) $(TELRT_LIBGCC)

$(TELRT_BUILD)/runtime-%.elf: $(TELRT_DEPS) $(TELRT_DIR)/runtime.ld
	@mkdir -p $(@D)
	$(TELRT_CC) $(TELRT_CFLAGS) $(call telrt_flags,$(call telrt_parts,$*)) -T $(TELRT_DIR)/runtime.ld -o $@ \
	  $(call telrt_src,$(call telrt_parts,$*)) $(TELRT_LIBGCC)

# The variant for proving images (docs/proofs.md): at the reset pc, entered by prove-start.S, no loader; every part.
$(TELRT_BUILD)/prove-runtime.elf: $(TELRT_DEPS) $(TELRT_DIR)/prove-start.S $(TELRT_DIR)/prove.ld
	@mkdir -p $(@D)
	$(TELRT_CC) $(TELRT_CFLAGS) $(call telrt_flags,$(TELRT_ALL)) -T $(TELRT_DIR)/prove.ld -o $@ \
	  $(TELRT_DIR)/prove-start.S $(call telrt_src,$(TELRT_ALL)) $(TELRT_LIBGCC)

TELRT_ELFS := $(TELRT_BUILD)/runtime.elf $(TELRT_VARIANTS:%=$(TELRT_BUILD)/runtime-%.elf) $(TELRT_BUILD)/prove-runtime.elf

.PHONY: tel-runtime
tel-runtime: $(TELRT_ELFS)

TEST_PREREQS += $(TELRT_ELFS)
