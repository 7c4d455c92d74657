# VenueGuard — the two commands a new user needs:
#   make demo   play the demo afternoon on the simulated venue (about a minute), then exit
#   make test   build and run every test
# Both first run scripts/setup.sh, which installs what is missing on Debian / Raspberry Pi OS.

# Found after `setup` has run (recursive variable: expanded when a recipe runs).
SWIFT = $(shell ./scripts/setup.sh --find-swift)
BUILD_FLAGS ?=

.PHONY: all setup build test demo simulate clean

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

clean:
	rm -rf .build
