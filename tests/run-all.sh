#!/usr/bin/env bash
# `make test`: every suite in turn; prints each suite's summary and a final tally; non-zero on any failure.
# Usage: run-all.sh BUILD_DIR ASAN_DIR TEST_VARDIR   (TSAN_DIR and TSAN_SUBSET from the environment: `make test`)
set -uo pipefail

root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
build=$1 asan=$2 vardir=$3
passed=0 failed=0
failures=()

suite() {
	local name=$1
	shift
	printf '\n==> %s\n' "$name"
	if "$@"; then
		passed=$((passed + 1))
		printf '<== %s: ok\n' "$name"
	else
		failed=$((failed + 1))
		failures+=("$name")
		printf '<== %s: FAILED\n' "$name"
	fi
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

suite "unit tests (cmocka)" bash -c "cd '$build' && ctest --output-on-failure -j '$(nproc)'"
suite "unit tests under ASan+UBSan (cmocka)" bash -c "cd '$asan' && ctest --output-on-failure -j '$(nproc)'"
for t in "$root"/tests/cli/test_*.sh; do
	[[ -e $t ]] && suite "CLI $(basename "$t")" bash "$t" "$build/bin/parity"
done
for t in "$root"/tests/cli/test_*.py; do
	[[ -e $t ]] && suite "CLI $(basename "$t")" env PARITY_BIN="$build/bin" /usr/bin/python3 -m pytest -p no:cacheprovider -q "$t"
done
suite "integration tests (real PostgreSQL + RabbitMQ, sanitized daemons)" \
	bash "$root/tests/run-integration.sh" "$asan" "$vardir"
if [[ -n ${TSAN_DIR:-} ]]; then
	# shellcheck disable=SC2086 # TSAN_SUBSET is a list of file names
	suite "ThreadSanitizer: unit tests and the threaded integration files" \
		bash "$root/tests/run-tsan.sh" "$TSAN_DIR" "$vardir-tsan" ${TSAN_SUBSET:-}
fi
suite "C lint (cppcheck)" make -s -C "$root" lint-c
suite "C lint (clang-tidy)" make -s -C "$root" lint-tidy
suite "C format (clang-format)" make -s -C "$root" fmt-check
if [[ -f $root/deploy/ops.mk ]]; then
	suite "deployment lint" make -s -C "$root" lint-deploy
fi
# BEGIN frontend: the SPA's component tests, then its journeys in headless Chromium on a throwaway stack.
suite "SPA unit tests (vitest)" bash "$root/frontend/run-unit.sh"
suite "SPA end-to-end (headless Chromium)" bash "$root/frontend/run-e2e.sh" "$build" "$root/var-test-e2e"
# END frontend

printf '\n'
for f in "${failures[@]}"; do printf 'failed suite: %s\n' "$f"; done
printf 'suites: %d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
