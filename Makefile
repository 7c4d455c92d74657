# VenueGuard — the two commands a new user needs:
#   make demo   play the demo afternoon on the simulated venue (about a minute), then exit
#   make test   build and run every test
# Both first run scripts/setup.sh, which installs what is missing on Debian / Raspberry Pi OS.

# Found after `setup` has run (recursive variable: expanded when a recipe runs).
SWIFT = $(shell ./scripts/setup.sh --find-swift)
BUILD_FLAGS ?=

.PHONY: all setup build test demo simulate fuzz clean

all: build

setup:
	@./scripts/setup.sh >/dev/null

build: setup
	$(SWIFT) build $(BUILD_FLAGS)

# The timing-sensitive *RealTime* suites run on their own afterwards, so the CPU-heavy
# simulations of the other suites cannot starve them.
test: setup
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	$(SWIFT) test --skip-build $(BUILD_FLAGS) --skip RealTime
	$(SWIFT) test --skip-build $(BUILD_FLAGS) --filter RealTime --no-parallel

demo: build
	$(SWIFT) run $(BUILD_FLAGS) --skip-build venueguard run --config Config/demo.yaml --speed 360 --exit-at-end

# The demo scenario as JSON lines, as fast as possible.
simulate: build
	$(SWIFT) run $(BUILD_FLAGS) --skip-build venueguard simulate Config/scenarios/demo-afternoon.yaml --config Config/demo.yaml

# Fuzz the serial line parser with libFuzzer for FUZZ_SECONDS (default 60), starting from
# Fuzz/corpus/serial-lines; new interesting inputs go to .build-fuzz/corpus, crashes to .build-fuzz/.
FUZZ_SECONDS ?= 60
fuzz: setup
	$(SWIFT) build -c release --scratch-path .build-fuzz --product venueguard-fuzz-serial \
		-Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld \
		-Xlinker --allow-multiple-definition
	mkdir -p .build-fuzz/corpus
	cp Fuzz/corpus/serial-lines/* .build-fuzz/corpus/
	.build-fuzz/release/venueguard-fuzz-serial .build-fuzz/corpus -max_total_time=$(FUZZ_SECONDS) \
		-max_len=4096 -artifact_prefix=.build-fuzz/ -print_final_stats=1

clean:
	rm -rf .build
