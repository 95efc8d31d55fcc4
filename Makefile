# Parity: `make run` to try it, `make test` to prove it. `make help` lists every target.
SHELL := /bin/bash
.DEFAULT_GOAL := help

BUILD_DIR ?= build
ASAN_DIR ?= build-asan
TSAN_DIR ?= build-tsan
JOBS ?= $(shell nproc)
VAR_DIR ?= $(CURDIR)/var
TEST_VAR_DIR ?= $(CURDIR)/var-test
TSAN_VAR_DIR ?= $(CURDIR)/var-test-tsan
# The integration files `make test` runs under ThreadSanitizer: the ones whose daemons work hardest across
# threads (HTTP workers and SIGTERM drain, outbox relay, forecast listener, concurrent money requests).
# `make test-tsan` runs every file; CI does too.
TSAN_SUBSET ?= test_http.py test_pipeline.py test_forecast.py test_money.py

export PARITY_ROOT := $(CURDIR)

.PHONY: help deps build build-asan build-tsan run stop test test-unit test-unit-asan test-integration \
        test-tsan test-cli test-containers bench bench-auth fuzz lint lint-c lint-tidy fmt fmt-check clean distclean

help: ## list the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*?## ' $(MAKEFILE_LIST) | sort -u | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-26s\033[0m %s\n", $$1, $$2}'

deps: ## install the Debian packages Parity needs (sudo when not root; fast when nothing is missing)
	@bash deploy/local/deps.sh

build: deps ## build the three binaries into build/bin (warnings are errors)
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

build-asan: deps ## build with AddressSanitizer and UndefinedBehaviorSanitizer into build-asan
	@cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DPARITY_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_DIR) -j $(JOBS)

build-tsan: deps ## build with ThreadSanitizer into build-tsan (not combinable with ASan, hence its own directory)
	@cmake -S . -B $(TSAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DPARITY_TSAN=ON >/dev/null
	@cmake --build $(TSAN_DIR) -j $(JOBS)

run: build ## start PostgreSQL, RabbitMQ and both daemons under ./var; serve http://localhost:8081 (Ctrl-C stops)
	@bash deploy/local/run.sh "$(VAR_DIR)" "$(BUILD_DIR)"

stop: ## stop the PostgreSQL and RabbitMQ that `make run` left under ./var (normally Ctrl-C does it)
	@bash deploy/local/pg.sh stop "$(VAR_DIR)" 55432 || true
	@bash deploy/local/rabbitmq.sh stop "$(VAR_DIR)" 55672 || true

test: build build-asan build-tsan ## every suite: unit (plain, ASan, TSan), CLI, integration on real PostgreSQL + RabbitMQ, lint
	@TSAN_DIR="$(TSAN_DIR)" TSAN_SUBSET="$(TSAN_SUBSET)" bash tests/run-all.sh "$(BUILD_DIR)" "$(ASAN_DIR)" "$(TEST_VAR_DIR)"
	@if [ "$${PARITY_TEST_CONTAINERS:-}" = 1 ]; then $(MAKE) --no-print-directory test-containers; fi

test-unit: build ## cmocka unit tests
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

test-unit-asan: build-asan ## cmocka unit tests under ASan + UBSan
	@cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)

test-integration: build-asan ## integration tests against real PostgreSQL and RabbitMQ (sanitized daemons)
	@bash tests/run-integration.sh "$(ASAN_DIR)" "$(TEST_VAR_DIR)"

test-tsan: build-tsan ## unit tests and the whole integration suite under ThreadSanitizer (TSAN_TESTS="test_x.py" narrows)
	@bash tests/run-tsan.sh "$(TSAN_DIR)" "$(TSAN_VAR_DIR)" $(TSAN_TESTS)

# Not part of `make test` unless PARITY_TEST_CONTAINERS=1: it builds four images (minutes of CPU).
test-containers: ## the images and the compose stack for real (Docker, else Podman), smoke checks through nginx
	@bash deploy/containers/test.sh

bench: build ## benchmarks: figures and ratios, never assertions
	@bash tests/bench/run.sh "$(BUILD_DIR)"

# The monthly rebalance over N synthetic investors on a throwaway stack of its own (own ports, own VARDIR).
N ?= 1000
BENCH_VAR_DIR ?= $(CURDIR)/var-bench
.PHONY: bench-rebalance
bench-rebalance: build ## rebalance run over N synthetic investors (N=1000): seeding, latency, run time, floor, RSS
	@bash tests/bench/rebalance.sh "$(BUILD_DIR)" "$(N)" "$(BENCH_VAR_DIR)"

# The read path under wrk (32 connections): /livez, /api/v1/models, /api/v1/portfolio on a throwaway stack.
.PHONY: bench-http
bench-http: build ## requests/s, p50/p99 of /livez, /api/v1/models, /api/v1/portfolio (wrk, 32 connections)
	@bash tests/bench/http.sh "$(BUILD_DIR)" "$(BENCH_VAR_DIR)-http"

bench-auth: build ## login latency (20 clients at once), known vs unknown email timing, on a throwaway stack
	@bash tests/bench/auth.sh "$(BUILD_DIR)" "$(CURDIR)/var-bench"

FUZZ_SECONDS ?= 30
fuzz: ## libFuzzer targets: Yahoo JSON, price CSV, AMQP envelopes (FUZZ_SECONDS each, default 30)
	@sh tests/fuzz/build.sh $(FUZZ_SECONDS)

lint-c: ## cppcheck over the C sources
	@cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability --inline-suppr \
	  --suppress=missingIncludeSystem -I . common operational decisional cli

lint-frontend: ## ESLint over the SPA (skipped, with a message, when Node is too old)
	@bash -c '. frontend/lib.sh; if spa_node_ok; then spa_install && cd frontend && npm run -s lint; fi'

lint-tidy: ## clang-tidy over the C sources and unit tests (.clang-tidy says which checks and why)
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@run-clang-tidy -p $(BUILD_DIR) -j $(JOBS) -quiet '^$(CURDIR)/(common|operational|decisional|cli|tests/unit)/' \
	  > $(BUILD_DIR)/clang-tidy.log 2>&1 || { grep -E '(warning|error):' $(BUILD_DIR)/clang-tidy.log | sort -u; exit 1; }

lint: lint-c lint-tidy lint-deploy lint-frontend ## every static check: C, SPA, manifests, compose, workflows, Dockerfiles

C_SOURCES = find common operational decisional cli tests -name '*.[ch]' -print0

fmt: ## format the C sources with clang-format
	@$(C_SOURCES) | xargs -0 clang-format -i

fmt-check: ## list the C files `make fmt` would change (non-zero when there is one)
	@$(C_SOURCES) | xargs -0 clang-format --dry-run 2>&1 | grep -o '^[^:]*:[0-9]*:[0-9]*: warning' | cut -d: -f1 | sort -u \
	  | awk '{ print "not formatted: " $$0; n++ } END { if (n) { print n " file(s) differ from .clang-format; make fmt"; exit 1 } }'

clean: ## remove build directories (keeps ./var and its data)
	@rm -rf $(BUILD_DIR) $(ASAN_DIR) $(TSAN_DIR) $(TEST_VAR_DIR) $(TSAN_VAR_DIR)

distclean: stop clean ## also delete ./var (the local database, broker and secrets)
	@rm -rf $(VAR_DIR)

-include deploy/ops.mk
