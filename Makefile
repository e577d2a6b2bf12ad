# cax — top-level build. `make demo` and `make test` are the two commands a
# newcomer runs; both install what they need through scripts/setup (once,
# remembered by a stamp). Subsystems add their own targets in mk/*.mk and
# append what `make test` needs to TEST_PREREQS and LINT_TARGETS.

SHELL := /bin/bash
BUILD := build
STAMP := $(BUILD)/.setup-stamp
NODE  := node
CAX   := $(NODE) dist/host/cli/main.js

TEST_PREREQS :=
LINT_TARGETS :=
# What `make demo` runs: the simulator, firmware, TEL runtime, and the proof keys (mk/*.mk).
DEMO_PREREQS = sim firmware tel-runtime proof-programs proof-keys

.PHONY: all setup build typecheck lint check test docs demo bench clean

all: build

$(STAMP): scripts/setup package.json package-lock.json
	bash scripts/setup
	@mkdir -p $(BUILD) && touch $@

setup: $(STAMP)

build: $(STAMP)
	npx tsc -p tsconfig.build.json

typecheck: $(STAMP)
	npx tsc --noEmit

include $(sort $(wildcard mk/*.mk))

# The TypeScript is formatted by Prettier (.prettierrc.json): `npm run format` rewrites it.
FORMATTED := "host/**/*.ts" "test/**/*.ts" "bench/**/*.ts" eslint.config.js

lint: $(STAMP) $(LINT_TARGETS)
	npx eslint --max-warnings 0 .
	npx prettier --check --log-level warn $(FORMATTED)

test: $(STAMP) build typecheck lint $(TEST_PREREQS)
	$(NODE) --experimental-vm-modules --no-warnings node_modules/jest/bin/jest.js --coverage

# The edit loop's fast tier (under 2 minutes): ESLint, types, and the unit
# suites that need no Verilator build, FPGA run or proof keys. `make test` is the full suite.
CHECK_SUITES := test/architecture test/resources test/execution test/store test/tel
check: $(STAMP) typecheck
	npx eslint --max-warnings 0 .
	npx prettier --check --log-level warn $(FORMATTED)
	$(NODE) --experimental-vm-modules --no-warnings node_modules/jest/bin/jest.js $(CHECK_SUITES)

# API docs from the TSDoc comments of host/ (typedoc.json), into build/api/.
docs: $(STAMP)
	npx typedoc

demo: $(STAMP) build
	$(MAKE) --no-print-directory $(DEMO_PREREQS)
	bash scripts/demo

bench: $(STAMP) build $(TEST_PREREQS)
	$(NODE) dist/bench/run.js docs/performance.md

clean:
	rm -rf $(BUILD) dist
