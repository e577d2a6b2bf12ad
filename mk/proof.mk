# Proofs of execution (docs/proofs.md): the test programs proved by
# test/proof, and the step circuit of the test size compiled with its
# development keys in build/proof/home (a $CAX_HOME), made once: the
# powers-of-tau is the slow part, so the keys depend only on the circuit
# sources and the setup code, not on the rest of the build (a change of the
# setup remakes them: the old keys are removed first).

PROOF_OUT      := $(BUILD)/proof
PROOF_HOME     := $(PROOF_OUT)/home
PROOF_SIZE     := --steps 9
PROOF_CC       := riscv64-unknown-elf-gcc
PROOF_CFLAGS   := -march=rv32im -mabi=ilp32 -Os -Wall -Werror -ffreestanding -fno-builtin -nostdlib -static -Wl,--no-warn-rwx-segments
PROOF_SRC      := test/proof/programs
PROOF_ELFS     := $(PROOF_OUT)/mix.elf
PROOF_KEYS     := $(PROOF_HOME)/keys.stamp

$(PROOF_OUT)/%.elf: $(PROOF_SRC)/%.c $(PROOF_SRC)/crt0.S $(PROOF_SRC)/link.ld mk/proof.mk
	@mkdir -p $(@D)
	$(PROOF_CC) $(PROOF_CFLAGS) -T $(PROOF_SRC)/link.ld -o $@ $(PROOF_SRC)/crt0.S $<

# Needs the compiled CLI (order-only: a rebuild of dist/ alone does not remake the keys).
$(PROOF_KEYS): $(wildcard circuits/*.circom) host/proof/circuit.ts host/proof/setup.ts mk/proof.mk | build
	@mkdir -p $(PROOF_HOME)
	rm -f $(PROOF_HOME)/keys/*.zkey $(PROOF_HOME)/keys/*.vkey.json
	CAX_HOME=$(PROOF_HOME) $(NODE) dist/host/cli/main.js zk setup $(PROOF_SIZE)
	@touch $@

.PHONY: proof-programs proof-keys
proof-programs: $(PROOF_ELFS)
proof-keys: $(PROOF_KEYS)

TEST_PREREQS += proof-programs proof-keys
