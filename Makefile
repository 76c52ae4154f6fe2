# Two commands on a fresh Debian machine: `make run` and `make test`.
# Both install the missing system packages first (as root), or print the command and stop.

SYSTEM_PACKAGES := libwebsockets-dev libssl-dev libyaml-dev openssl pkg-config
BENCH_PACKAGES  := wrk nginx-light erlang-base
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

# Two runs, each a process of its own: every suite but ProcessWideTests in parallel, then
# ProcessWideTests alone, one test at a time (they count the process's open files and RSS, use
# most of its fd limit, and measure latency: nothing else may run beside them).
# The parallel run keeps at most TEST_WIDTH test cases in flight: the cooperative pool is one
# thread per core, and with all ~700 started at once a test's next step waits seconds behind the
# others' and meets lassod's own 5 s timeouts (GenServer calls, idle keep-alive connections).
PROCESS_WIDE := '^ProcessWideTests\.'
TEST_WIDTH ?= 8

test: test-deps
	$(SWIFT) build --build-tests
	SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=$(TEST_WIDTH) \
	    $(SWIFT) test --skip-build --disable-xctest --skip $(PROCESS_WIDE)
	$(SWIFT) test --skip-build --disable-xctest --no-parallel --filter $(PROCESS_WIDE)

bench: bench-deps
	$(SWIFT) run -c release lasso-bench all --vs-otp --runs 5

clean:
	rm -rf .build
