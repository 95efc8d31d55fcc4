#!/usr/bin/env bash
# `make bench-auth`: login latency and enumeration timing (tests/bench/auth_latency.py) against a throwaway
# PostgreSQL, RabbitMQ and parity-operational under VARDIR, on ports of their own (PARITY_BENCH_* change
# them). Prints figures and writes them to VARDIR/auth_timing.json; asserts nothing, since timings depend on
# the machine and its load.
# Usage: tests/bench/auth.sh BUILD_DIR [VARDIR]   (VARDIR defaults to ./var-bench, wiped first)
set -euo pipefail

root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "${1:-build}" && pwd)
vardir=${2:-$root/var-bench}
pg_port=${PARITY_BENCH_PG_PORT:-58432}
amqp_port=${PARITY_BENCH_AMQP_PORT:-58672}
export HTTP_PORT=${PARITY_BENCH_HTTP_PORT:-38081}
export INTERNAL_PORT=${PARITY_BENCH_INTERNAL_PORT:-38082}
# A cold start here takes a second or two; the margin is for a shared, loaded machine.
readonly READY_SECONDS=120

# shellcheck source=../../deploy/local/stack.sh
. "$root/deploy/local/stack.sh"

# Throwaway means fresh: whatever an interrupted run left is stopped and removed.
vardir=$(parity_stack_fresh "$vardir" "$pg_port" "$amqp_port")

pid=
shutdown() {
	[[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	parity_stack_down "$vardir" "$pg_port" "$amqp_port" >>"$vardir/log/stack.log" 2>&1 || true
}
trap shutdown EXIT
trap 'exit 130' INT TERM

parity_stack_up "$vardir" "$pg_port" "$amqp_port" >"$vardir/log/stack.log" 2>&1 || {
	echo "auth.sh: error: the services did not start:" >&2
	tail -n 30 "$vardir/log/stack.log" >&2
	exit 1
}
"$build/bin/parity" migrate >/dev/null

# No rate limit (the figures would measure the limiter), no cron; mail lands as files under VARDIR.
export RATE_LIMIT_RPS=0 ENABLE_CRON=false HTTP_BIND=127.0.0.1
"$build/bin/parity-operational" >"$vardir/log/operational.log" 2>&1 &
pid=$!
parity_wait_daemon parity-operational "$pid" "http://127.0.0.1:$INTERNAL_PORT/readyz" "$READY_SECONDS" \
	"$vardir/log/operational.log"

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), build $build"
/usr/bin/python3 "$root/tests/bench/auth_latency.py" --url "http://127.0.0.1:$HTTP_PORT" \
	--database-url "$DATABASE_URL" --json "$vardir/auth_timing.json"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg); figures in $vardir/auth_timing.json"
