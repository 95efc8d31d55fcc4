#!/usr/bin/env bash
# The SPA's end-to-end journeys: a throwaway stack (PostgreSQL, RabbitMQ, both daemons serving the freshly
# built SPA) on its own ports, model portfolios generated, then e2e/run.mjs drives headless Chromium.
# Usage: run-e2e.sh BUILD_DIR VARDIR [--serve]
#   --serve: bring the same stack up and keep it running (Ctrl-C stops it), for working on the SPA by hand.
# Skips (exit 0, with a message) when Node is missing or older than Vite needs; fails when Chromium is missing.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
root=$(cd -- "$here/.." && pwd)
if [[ $# -lt 2 ]]; then
	echo "usage: $0 BUILD_DIR VARDIR [--serve]" >&2
	exit 2
fi
build=$(cd "$1" && pwd)
vardir=$2
serve=${3:-}

# Ports of this suite only, so it never collides with `make run` (55432/55672/8081) or the integration
# tests (56432/56672/18081).
pg_port=${PARITY_E2E_PG_PORT:-57432}
amqp_port=${PARITY_E2E_AMQP_PORT:-57672}
export HTTP_PORT=${PARITY_E2E_HTTP_PORT:-48081}
export INTERNAL_PORT=${PARITY_E2E_INTERNAL_PORT:-48082}
export METRICS_PORT=${PARITY_E2E_METRICS_PORT:-49090}
chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
# Deadlines, sized for a shared machine ten times slower than an idle one: a daemon answering /readyz (about
# a second here, idle) and the daily pipeline writing the 15 model portfolios (about 2 s here, idle).
readonly READY_TIMEOUT_SECONDS=120
readonly MODELS_TIMEOUT_SECONDS=300
readonly MODELS_EXPECTED=15

# shellcheck source=lib.sh
. "$here/lib.sh"
spa_node_ok || exit 0
if [[ ! -x $chromium ]]; then
	echo "run-e2e.sh: error: no Chromium at $chromium (apt-get install chromium, or set CHROMIUM_PATH)" >&2
	exit 1
fi
spa_build || {
	echo "run-e2e.sh: error: the SPA does not build" >&2
	exit 1
}

# shellcheck source=../deploy/local/stack.sh
. "$root/deploy/local/stack.sh"

# Throwaway means fresh: whatever an interrupted run left is stopped and removed.
vardir=$(parity_stack_fresh "$vardir" "$pg_port" "$amqp_port")

pids=()
names=()
stopping=0
shutdown() {
	((stopping)) && return
	stopping=1
	local t0=$SECONDS
	for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	local t1=$SECONDS
	parity_stack_down "$vardir" "$pg_port" "$amqp_port" >>"$vardir/log/stack.log" 2>&1 || true
	echo "run-e2e.sh: stopped (daemons $((t1 - t0)) s, services $((SECONDS - t1)) s)" >&2
}
trap shutdown EXIT
trap 'exit 130' INT TERM

# Fails with the reason and the log's end when one of the daemons has exited (they must run to the end).
daemons_alive() {
	local i
	for i in "${!pids[@]}"; do
		if ! kill -0 "${pids[$i]}" 2>/dev/null; then
			echo "run-e2e.sh: error: ${names[$i]} exited; the end of $vardir/log/${names[$i]#parity-}.log:" >&2
			tail -n 30 "$vardir/log/${names[$i]#parity-}.log" >&2
			return 1
		fi
	done
}

started=$SECONDS
parity_stack_up "$vardir" "$pg_port" "$amqp_port" >"$vardir/log/stack.log" 2>&1 || {
	echo "run-e2e.sh: error: PostgreSQL or RabbitMQ did not start ($vardir/log/stack.log):" >&2
	cat "$vardir/log/stack.log" >&2
	exit 1
}
"$build/bin/parity" migrate >/dev/null || {
	echo "run-e2e.sh: error: parity migrate failed" >&2
	exit 1
}
"$build/bin/parity" load-prices "$root/decisional/data/etf_daily.csv.gz" >/dev/null || {
	echo "run-e2e.sh: error: parity load-prices failed" >&2
	exit 1
}

export STATIC_DIR=$here/dist ENABLE_CRON=false RATE_LIMIT_RPS=0 HTTP_BIND=127.0.0.1 SHUTDOWN_GRACE_SECONDS=5
# Card deposits against the local Stripe stand-in (tests/integration/stripe_standin.py, Stripe's documented
# API); the journeys sign webhooks with the same secret.
stripe_port=${PARITY_E2E_STRIPE_PORT:-$((HTTP_PORT + 9))}
export STRIPE_SECRET_KEY=sk_test_e2e_standin STRIPE_WEBHOOK_SECRET=whsec_e2e_secret STRIPE_PUBLISHABLE_KEY=pk_test_e2e
export STRIPE_API_BASE=http://127.0.0.1:$stripe_port
python3 "$root/tests/integration/stripe_standin.py" "$stripe_port" "$STRIPE_SECRET_KEY" >"$vardir/log/stripe-standin.log" 2>&1 &
pids+=($!) names+=(stripe-standin)
export PUBLIC_BASE_URL=http://127.0.0.1:$HTTP_PORT FRONTEND_ORIGIN=http://127.0.0.1:$HTTP_PORT
export MAIL_DIR=$vardir/mail
"$build/bin/parity-operational" >"$vardir/log/operational.log" 2>&1 &
pids+=($!) names+=(parity-operational)
"$build/bin/parity-decisional" >"$vardir/log/decisional.log" 2>&1 &
pids+=($!) names+=(parity-decisional)
parity_wait_daemon parity-operational "${pids[1]}" "http://127.0.0.1:$INTERNAL_PORT/readyz" \
	"$READY_TIMEOUT_SECONDS" "$vardir/log/operational.log" || exit 1
parity_wait_daemon parity-decisional "${pids[2]}" "http://127.0.0.1:$METRICS_PORT/readyz" \
	"$READY_TIMEOUT_SECONDS" "$vardir/log/decisional.log" || exit 1

# The daily pipeline writes the model portfolios; investing and forecasting need them.
curl -fsS -X POST -H "X-Internal-Secret: $INTERNAL_SECRET" \
	"http://127.0.0.1:$INTERNAL_PORT/internal/pipeline/daily" >/dev/null || {
	echo "run-e2e.sh: error: the daily pipeline was not accepted; the end of $vardir/log/operational.log:" >&2
	tail -n 30 "$vardir/log/operational.log" >&2
	exit 1
}
deadline=$((SECONDS + MODELS_TIMEOUT_SECONDS))
until [[ $(curl -fsS "http://127.0.0.1:$HTTP_PORT/api/v1/models" 2>/dev/null | jq '.models | length' 2>/dev/null) == "$MODELS_EXPECTED" ]]; do
	daemons_alive || exit 1
	if ((SECONDS >= deadline)); then
		echo "run-e2e.sh: error: no $MODELS_EXPECTED model portfolios after ${MODELS_TIMEOUT_SECONDS}s" >&2
		tail -n 20 "$vardir/log/decisional.log" >&2
		exit 1
	fi
	sleep 0.2
done
echo "run-e2e.sh: stack ready in $((SECONDS - started)) s on http://127.0.0.1:$HTTP_PORT (logs in $vardir/log)" >&2

if [[ $serve == --serve ]]; then
	echo "run-e2e.sh: serving; emails land in $MAIL_DIR; Ctrl-C stops everything" >&2
	wait -n "${pids[@]}" || true
	exit 0
fi

cd "$here"
status=0
E2E_BASE_URL=http://127.0.0.1:$HTTP_PORT E2E_MAIL_DIR=$MAIL_DIR E2E_OUT_DIR=$vardir \
	E2E_INTERNAL_URL=http://127.0.0.1:$INTERNAL_PORT E2E_STRIPE_WEBHOOK_SECRET=$STRIPE_WEBHOOK_SECRET \
	E2E_CHROMIUM=$chromium node e2e/run.mjs "${E2E_ONLY:-}" || status=$?
if ((status != 0)); then
	# What the daemons said about it: the 4xx/5xx answers and every warning or error.
	echo "run-e2e.sh: daemon log lines about failures (full logs in $vardir/log):" >&2
	grep -hE '"status":[45][0-9][0-9]|"level":"(warn|error)"' "$vardir/log/operational.log" "$vardir/log/decisional.log" |
		grep -v '"route":"auth_refresh".*"status":401' | tail -n 30 >&2 || true
fi
exit "$status"
