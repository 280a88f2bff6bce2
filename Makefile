# smorg: the three things a user runs. Everything else goes through CMake presets.
#   make demo    install missing Debian packages, build (Release), run the demo on the sample organization
#   make test    the same set-up, then every test (CTest)
#   make bench   the same set-up, then the benchmarks (long: minutes)
# Variables: JOBS (parallel build jobs), PRESET (release by default).

JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
PRESET ?= release
BUILD  := build/$(PRESET)

.PHONY: all setup configure build demo test bench asan install-check clean

all: build

setup:
	@scripts/setup.sh

configure: setup
	@cmake --preset $(PRESET) >/dev/null

build: configure
	@cmake --build --preset $(PRESET) -j $(JOBS)

demo: build
	@$(BUILD)/cli/smorg demo

test: build
	@ctest --preset $(PRESET) -j $(JOBS)
	@scripts/install_check.sh $(BUILD)

bench: build
	@bench/run_all.sh $(BUILD)

asan: setup
	@cmake --workflow --preset asan-ubsan

install-check: build
	@scripts/install_check.sh $(BUILD)

clean:
	@rm -rf build
