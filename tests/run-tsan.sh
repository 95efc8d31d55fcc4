#!/usr/bin/env bash
# ThreadSanitizer run: the cmocka unit tests, then the integration suite with TSan-built daemons on the
# real PostgreSQL and RabbitMQ. Fails when any test fails or any process wrote a TSan report.
# Usage: run-tsan.sh TSAN_BUILD_DIR VARDIR [pytest args...]   (e.g. test_http.py test_money.py; none = all)
set -uo pipefail

root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "$1" && pwd)
vardir=$2
shift 2
reports=$build/tsan-reports
rm -rf "$reports"
mkdir -p "$reports"

# Reports go to files, one per process, and do not change exit codes (exitcode=0): a race in a daemon
# would otherwise turn its clean SIGTERM exit into 66 and fail every later test that shares it, hiding
# the report in a cascade. The verdict is the report directory, checked at the end.
export TSAN_OPTIONS="log_path=$reports/tsan exitcode=0 halt_on_error=0 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"

status=0
(cd "$build" && ctest --output-on-failure -j "$(nproc)") || status=1
# test_auth_timing.py measures login latency; figures taken under TSan's slowdown mean nothing, and its
# concurrent logins outrun the password-hashing gate (503) at that speed.
bash "$root/tests/run-integration.sh" "$build" "$vardir" --ignore=test_auth_timing.py "$@" || status=1

if compgen -G "$reports/tsan.*" >/dev/null; then
	printf '\nThreadSanitizer reports (%s):\n' "$reports"
	grep -h '^SUMMARY' "$reports"/tsan.* | sort | uniq -c
	status=1
fi
exit $status
