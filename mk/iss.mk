# The ISS's test and benchmark programs (test/riscv/programs), built as
# static rv32im ELFs that run both on qemu-riscv32 and on the ISS with the
# Linux exit/write convention. Small sizes for tests, large for bench/.

ISS_CC      := riscv64-unknown-elf-gcc
ISS_CFLAGS  := -march=rv32im -mabi=ilp32 -O2 -Wall -Werror -ffreestanding -fno-builtin -nostdlib -static -Wl,--no-warn-rwx-segments
ISS_SRC     := test/riscv/programs
ISS_OUT     := $(BUILD)/iss
ISS_RT      := $(ISS_SRC)/crt0.S $(ISS_SRC)/rt.c
ISS_DEPS    := $(ISS_RT) $(ISS_SRC)/rt.h $(ISS_SRC)/link.ld mk/iss.mk
ISS_PROGRAMS := arith sort fib compute
ISS_ELFS    := $(ISS_PROGRAMS:%=$(ISS_OUT)/%.elf) $(ISS_OUT)/tohost.elf $(ISS_OUT)/fib-bench.elf $(ISS_OUT)/compute-bench.elf

$(ISS_OUT)/%.elf: $(ISS_SRC)/%.c $(ISS_DEPS)
	@mkdir -p $(@D)
	$(ISS_CC) $(ISS_CFLAGS) -T $(ISS_SRC)/link.ld -o $@ $(ISS_RT) $< -lgcc

$(ISS_OUT)/tohost.elf: $(ISS_SRC)/tohost.S $(ISS_DEPS)
	@mkdir -p $(@D)
	$(ISS_CC) $(ISS_CFLAGS) -T $(ISS_SRC)/link.ld -o $@ $<

$(ISS_OUT)/fib-bench.elf: $(ISS_SRC)/fib.c $(ISS_DEPS)
	@mkdir -p $(@D)
	$(ISS_CC) $(ISS_CFLAGS) -DFIB_N=32 -T $(ISS_SRC)/link.ld -o $@ $(ISS_RT) $< -lgcc

$(ISS_OUT)/compute-bench.elf: $(ISS_SRC)/compute.c $(ISS_DEPS)
	@mkdir -p $(@D)
	$(ISS_CC) $(ISS_CFLAGS) -DROUNDS=30000000 -T $(ISS_SRC)/link.ld -o $@ $(ISS_RT) $< -lgcc

.PHONY: iss-programs
iss-programs: $(ISS_ELFS)

TEST_PREREQS += iss-programs
