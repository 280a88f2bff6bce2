# smorg: the three things a user runs. Everything else goes through CMake presets.
#   make demo    install missing Debian packages, build (Release), run the demo on the sample organization
#                (and make the Python module importable: scripts/python_path.sh)
#   make test    the same set-up, then every test (CTest)
#   make bench   the same set-up, then the benchmarks (long: minutes)
#   make package the same set-up and build, then the Debian package (CPack): build/release/smorg_0.1.0_amd64.deb
#   make asan    every test but the [slow] ones under AddressSanitizer + UndefinedBehaviorSanitizer
#   make tsan    the concurrency tests under ThreadSanitizer
#   make fuzz    every libFuzzer harness for FUZZ_SECONDS each (clang 15, ASan + UBSan)
#   make format  format the C++ sources with .clang-format (make format-check: only say which differ)
#   make lint    clang-tidy on the C++ files changed against LINT_BASE (HEAD); LINT_ALL=1 for all
#   make ci      what CI runs: format-check, test, asan, tsan, fuzz (bounded)
# Variables: JOBS (parallel build jobs), PRESET (release by default), FUZZ_SECONDS (60).

JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
PRESET ?= release
BUILD  := build/$(PRESET)

FUZZ_SECONDS ?= 60

.PHONY: all setup configure build demo test bench package asan tsan fuzz format format-check lint ci install-check clean

all: build

setup:
	@scripts/setup.sh

configure: setup
	@cmake --preset $(PRESET) >/dev/null

build: configure
	@cmake --build --preset $(PRESET) -j $(JOBS)

demo: build
	@scripts/python_path.sh $(BUILD)
	@$(BUILD)/cli/smorg demo

test: build
	@ctest --preset $(PRESET) -j $(JOBS)
	@scripts/install_check.sh $(BUILD)

bench: build
	@bench/run_all.sh $(BUILD)

package: build
	@cd $(BUILD) && cpack -G DEB >cpack.log 2>&1 || { cat cpack.log >&2; exit 1; }
	@sed -n 's|^CPack: - package: \(.*\) generated\.$$|\1|p' $(BUILD)/cpack.log

asan: setup
	@cmake --preset asan-ubsan >/dev/null
	@cmake --build --preset asan-ubsan -j $(JOBS)
	@ctest --preset asan-ubsan -j $(JOBS)

tsan: setup
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan -j $(JOBS)
	@ctest --preset tsan -j $(JOBS)

fuzz: setup
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

format: setup
	@scripts/format.sh

format-check: setup
	@scripts/format.sh --check

lint: configure
	@BUILD=$(BUILD) scripts/lint.sh

ci: format-check test asan tsan fuzz

install-check: build
	@scripts/install_check.sh $(BUILD)

clean:
	@rm -rf build
