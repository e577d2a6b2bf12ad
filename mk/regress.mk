# Regression runs (docs/regress.md): `make regress` runs the project's whole
# suite (regress/all.yaml: examples on interp, iss and sim, the ISA tests,
# generated programs) through `cax regress`, with JUnit and HTML reports and
# failure artefacts under build/regress/. The small suite runs in `make test`
# (test/regress/regress.test.ts).
REGRESS_OUT := $(BUILD)/regress

# Programs of the regression runner's own tests (test/regress/programs).
REGRESS_PROGRAMS := $(patsubst test/regress/programs/%.S,$(REGRESS_OUT)/programs/%.elf,$(wildcard test/regress/programs/*.S))

$(REGRESS_OUT)/programs/%.elf: test/regress/programs/%.S test/isa/link.ld mk/regress.mk
	@mkdir -p $(@D)
	$(ISA_CC) $(ISA_CFLAGS) -o $@ $<

.PHONY: regress-programs
regress-programs: $(REGRESS_PROGRAMS)

TEST_PREREQS += regress-programs

.PHONY: regress
regress: $(STAMP) build sim firmware tel-runtime isa-tests
	$(CAX) regress regress/all.yaml --junit $(REGRESS_OUT)/junit.xml --html $(REGRESS_OUT)/report.html --artifacts $(REGRESS_OUT)/artifacts
