# Two commands on a fresh Debian machine: `make run` and `make test`.
# Both install the missing system packages first (as root), or print the command and stop.

SYSTEM_PACKAGES := libwebsockets-dev libssl-dev libyaml-dev openssl pkg-config
BENCH_PACKAGES  := wrk nginx-light
# The dashboard's browser test (DashboardBrowserTests) drives Debian's chromium headless.
TEST_PACKAGES   := chromium
SWIFT ?= swift
CONFIG ?= config/chains.yml

.PHONY: run test build deps test-deps bench-deps bench demo clean

deps:
	@scripts/ensure-packages $(SYSTEM_PACKAGES)

test-deps: deps
	@scripts/ensure-packages $(TEST_PACKAGES)

bench-deps: deps
	@scripts/ensure-packages $(BENCH_PACKAGES)

build: deps
	$(SWIFT) build -c release --product lassod

run: build
	$(SWIFT) run -c release lassod --config $(CONFIG)

demo: build
	$(SWIFT) run -c release lassod demo

# Serial: the transport tests count this process's open files, which only means something
# when no other suite opens sockets meanwhile (it costs ~2 s of the ~35 s run).
test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-xctest --no-parallel

bench: bench-deps
	$(SWIFT) run -c release lasso-bench all

clean:
	rm -rf .build
