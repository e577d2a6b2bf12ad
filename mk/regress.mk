# Regression runs (docs/regress.md): `make regress` runs the project's whole
# suite (regress/all.yaml: examples on interp, iss and sim, the ISA tests,
# generated programs) through `cax regress`, with JUnit and HTML reports and
# failure artefacts under build/regress/. The small suite runs in `make test`
# (test/regress/regress.test.ts).
REGRESS_OUT := $(BUILD)/regress

.PHONY: regress
regress: $(STAMP) build sim firmware tel-runtime isa-tests
	$(CAX) regress regress/all.yaml --junit $(REGRESS_OUT)/junit.xml --html $(REGRESS_OUT)/report.html --artifacts $(REGRESS_OUT)/artifacts
