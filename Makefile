# Parity: `make run` to try it, `make test` to prove it. `make help` lists every target.
SHELL := /bin/bash
.DEFAULT_GOAL := help

BUILD_DIR ?= build
ASAN_DIR ?= build-asan
JOBS ?= $(shell nproc)
VAR_DIR ?= $(CURDIR)/var
TEST_VAR_DIR ?= $(CURDIR)/var-test

export PARITY_ROOT := $(CURDIR)

.PHONY: help deps build build-asan run stop test test-unit test-unit-asan test-integration test-cli \
        bench bench-auth fuzz lint lint-c fmt clean distclean

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

run: build ## start PostgreSQL, RabbitMQ and both daemons under ./var; serve http://localhost:8081 (Ctrl-C stops)
	@bash deploy/local/run.sh "$(VAR_DIR)" "$(BUILD_DIR)"

stop: ## stop the PostgreSQL and RabbitMQ that `make run` left under ./var (normally Ctrl-C does it)
	@bash deploy/local/pg.sh stop "$(VAR_DIR)" 55432 || true
	@bash deploy/local/rabbitmq.sh stop "$(VAR_DIR)" 55672 || true

test: build build-asan ## every suite: unit (plain and sanitized), CLI, integration on real PostgreSQL + RabbitMQ, lint
	@bash tests/run-all.sh "$(BUILD_DIR)" "$(ASAN_DIR)" "$(TEST_VAR_DIR)"

test-unit: build ## cmocka unit tests
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

test-unit-asan: build-asan ## cmocka unit tests under ASan + UBSan
	@cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)

test-integration: build-asan ## integration tests against real PostgreSQL and RabbitMQ (sanitized daemons)
	@bash tests/run-integration.sh "$(ASAN_DIR)" "$(TEST_VAR_DIR)"

bench: build ## benchmarks: figures and ratios, never assertions
	@bash tests/bench/run.sh "$(BUILD_DIR)"

# The monthly rebalance over N synthetic investors on a throwaway stack of its own (own ports, own VARDIR).
N ?= 1000
BENCH_VAR_DIR ?= $(CURDIR)/var-bench
.PHONY: bench-rebalance
bench-rebalance: build ## rebalance run over N synthetic investors (N=1000): seeding, latency, run time, floor, RSS
	@bash tests/bench/rebalance.sh "$(BUILD_DIR)" "$(N)" "$(BENCH_VAR_DIR)"

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

lint: lint-c lint-deploy lint-frontend ## every static check: C, SPA, manifests, compose, workflows, Dockerfiles

fmt: ## format the C sources with clang-format
	@find common operational decisional cli tests -name '*.[ch]' -print0 | xargs -0 clang-format -i

clean: ## remove build directories (keeps ./var and its data)
	@rm -rf $(BUILD_DIR) $(ASAN_DIR) $(TEST_VAR_DIR)

distclean: stop clean ## also delete ./var (the local database, broker and secrets)
	@rm -rf $(VAR_DIR)

-include deploy/ops.mk
