# shellcheck shell=bash
# What the benches that need a whole stack share: the checks of tools and binaries, a throwaway stack
# (PostgreSQL, RabbitMQ, both release daemons, the bundled prices, the 15 models) on the bench ports, and
# its teardown on exit. Source it after setting root, bin, vardir, pg_port and amqp_port; the caller's
# name for messages is $bench.

# shellcheck disable=SC2154 # root, bin, vardir, the ports and bench are set by the bench that sources this
readonly BENCH_MODELS_TIMEOUT_SECONDS=300 # the models take about 2 s here; a busy machine is slower
readonly BENCH_MODELS_EXPECTED=15

# bench_require TOOL...: every tool on the PATH and the three binaries built, or exit 1 saying which.
bench_require() {
	local tool b
	for tool in "$@"; do
		command -v "$tool" >/dev/null || {
			echo "$bench: $tool is needed (make deps installs it)" >&2
			exit 1
		}
	done
	for b in parity parity-operational parity-decisional; do
		[[ -x $bin/$b ]] || {
			echo "$bench: $bin/$b not built (make build)" >&2
			exit 1
		}
	done
}

# shellcheck source-path=SCRIPTDIR source=../../deploy/local/stack.sh
. "$root/deploy/local/stack.sh"

bench_pids=()
bench_stopping=0
bench_shutdown() {
	((bench_stopping)) && return
	bench_stopping=1
	local pid
	for pid in "${bench_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in "${bench_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	parity_stack_down "$vardir" "$pg_port" "$amqp_port" >>"$vardir/log/stack.log" 2>&1 || true
}

sql() { psql "$DATABASE_URL" -X -q -At -v ON_ERROR_STOP=1 "$@"; }

# sql: psql on the stack's database, quiet, values only.

# bench_stack_up: a fresh stack under $vardir (whatever an interrupted run left is removed), stopped on
# exit; sets vardir to its absolute path and op_pid / dec_pid to the daemons; returns once the 15
# models exist.
bench_stack_up() {
	vardir=$(parity_stack_fresh "$vardir" "$pg_port" "$amqp_port")
	trap bench_shutdown EXIT
	trap 'exit 130' INT TERM
	parity_stack_up "$vardir" "$pg_port" "$amqp_port" >"$vardir/log/stack.log" 2>&1 || {
		cat "$vardir/log/stack.log" >&2
		exit 1
	}
	"$bin/parity" migrate >/dev/null
	"$bin/parity" load-prices "$root/decisional/data/etf_daily.csv.gz" >/dev/null
	export ENABLE_CRON=false RATE_LIMIT_RPS=0 HTTP_BIND=127.0.0.1 SHUTDOWN_GRACE_SECONDS=10 LOG_LEVEL=${LOG_LEVEL:-warn}
	"$bin/parity-operational" >"$vardir/log/operational.log" 2>&1 &
	op_pid=$!
	bench_pids+=("$op_pid")
	"$bin/parity-decisional" >"$vardir/log/decisional.log" 2>&1 &
	dec_pid=$!
	bench_pids+=("$dec_pid")
	parity_wait_daemon parity-operational "$op_pid" "http://127.0.0.1:$INTERNAL_PORT/readyz" 60 "$vardir/log/operational.log"
	parity_wait_http "http://127.0.0.1:$METRICS_PORT/readyz" 60
	curl -fsS -X POST -H "X-Internal-Secret: $INTERNAL_SECRET" \
		"http://127.0.0.1:$INTERNAL_PORT/internal/pipeline/daily" >/dev/null
	local deadline=$((SECONDS + BENCH_MODELS_TIMEOUT_SECONDS))
	until [[ $(sql -c "SELECT count(DISTINCT bucket_key) FROM model_portfolios") == "$BENCH_MODELS_EXPECTED" ]]; do
		if ((SECONDS >= deadline)); then
			echo "$bench: no $BENCH_MODELS_EXPECTED model portfolios after ${BENCH_MODELS_TIMEOUT_SECONDS}s" >&2
			tail -n 20 "$vardir/log/decisional.log" >&2
			exit 1
		fi
		sleep 0.2
	done
}
