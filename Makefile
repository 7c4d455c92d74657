# VenueGuard — the two commands a new user needs:
#   make demo   play the demo afternoon on the simulated venue (about a minute), then exit
#   make test   build and run every test (and check the systemd unit's sandbox)
#   make hil    the release binary and the package against a real kernel and a real systemd, in QEMU
# Both first run scripts/setup.sh, which installs what is missing on Debian / Raspberry Pi OS.

# Found after `setup` has run (recursive variable: expanded when a recipe runs).
SWIFT = $(shell ./scripts/setup.sh --find-swift)
BUILD_FLAGS ?=

.PHONY: all setup setup-tests build test demo simulate fuzz clean release install install-files uninstall deb deb-package bench soak hil

all: build

setup:
	@./scripts/setup.sh >/dev/null

# What the tests need on top (a headless browser, tmux, PDF tools, Japanese fonts).
setup-tests:
	@./scripts/setup.sh --tests >/dev/null

build: setup
	$(SWIFT) build $(BUILD_FLAGS)

# The timing-sensitive *RealTime* suites run on their own afterwards, so the CPU-heavy
# simulations of the other suites cannot starve them.
test: setup-tests
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	$(SWIFT) test --skip-build $(BUILD_FLAGS) --skip RealTime
	$(SWIFT) test --skip-build $(BUILD_FLAGS) --filter RealTime --no-parallel
	./scripts/check-systemd.sh

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

# The footprint figures of BENCHMARKS.md (about 40 minutes): medians of BENCH_RUNS runs of the
# release build on simulated hardware with a real local mosquitto. Not part of `make test`.
BENCH_RUNS ?= 3
bench: release
	$(SWIFT) build -c release --static-swift-stdlib --product venueguard-bench $(RELEASE_FLAGS)
	python3 scripts/bench.py --runs $(BENCH_RUNS)

# Several simulated days with faults, broker restarts and serial unplugs, checking that memory
# and file descriptors stay flat and no message is lost (SOAK_MINUTES, default 20).
SOAK_MINUTES ?= 20
soak: release
	python3 scripts/soak.py --minutes $(SOAK_MINUTES)

clean:
	rm -rf .build

# --- Packaging (README: "Install on a Raspberry Pi") ------------------------------------------------
#   make deb                 out/venueguard_<VERSION>_<arch>.deb, built and checked
#   sudo make install        install under PREFIX (default /usr/local) without a package
#   sudo make uninstall      remove that again (keeps /etc/venueguard and /var/lib/venueguard)
# DESTDIR=/some/dir stages instead of installing. `make install-files` and `make deb-package`
# skip the build and take VENUEGUARD_BIN (default .build/release/venueguard).
PREFIX ?= /usr/local
DESTDIR ?=
VENUEGUARD_BIN ?= .build/release/venueguard
RELEASE_FLAGS ?=
INSTALL_ENV = PREFIX='$(PREFIX)' DESTDIR='$(DESTDIR)' VENUEGUARD_BIN='$(VENUEGUARD_BIN)'

# A self-contained binary: the Swift runtime is linked in, so it runs without a toolchain.
release: setup
	$(SWIFT) build -c release --static-swift-stdlib --product venueguard $(RELEASE_FLAGS)
	$(SWIFT) build -c release --static-swift-stdlib --product venueguard-companion $(RELEASE_FLAGS)

# Under sudo, install does not build (that would build as root, with root's toolchain):
# run `make release` as yourself first; install.sh refuses a binary older than the sources.
install: $(if $(SUDO_USER),,release)
	$(INSTALL_ENV) VENUEGUARD_REQUIRE_FRESH=$(if $(SUDO_USER),1,) ./scripts/install.sh install

install-files:
	$(INSTALL_ENV) ./scripts/install.sh install

uninstall:
	$(INSTALL_ENV) ./scripts/install.sh uninstall

deb: release
	VENUEGUARD_BIN=.build/release/venueguard ./scripts/build-deb.sh --release

deb-package:
	VENUEGUARD_BIN='$(VENUEGUARD_BIN)' ./scripts/build-deb.sh

# --- Hardware in the loop (README: "Hardware in the loop: make hil") --------------------------------
# The release binary and the package that `make deb` writes, against a Debian kernel (i2c-stub,
# gpio-sim, hil-i2c) and a Debian system with systemd as PID 1, under QEMU. Downloads and builds
# go to ${XDG_CACHE_HOME:-~/.cache}/venueguard-hil; logs to out/hil.
HIL_DEB = out/venueguard_$(shell tr -d ' \t\r\n' < VERSION)_$(shell dpkg --print-architecture 2>/dev/null).deb
hil: release deb
	VENUEGUARD_BIN=.build/release/venueguard VENUEGUARD_DEB='$(HIL_DEB)' ./scripts/hil/run.sh
