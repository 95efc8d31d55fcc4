#!/usr/bin/env bash
# `make run`: services under VARDIR, schema, bundled prices, both daemons in the foreground.
# Ctrl-C (or SIGTERM) stops the daemons, then PostgreSQL and RabbitMQ; the data stays in VARDIR.
# Usage: run.sh VARDIR BUILD_DIR
set -euo pipefail

vardir=$(mkdir -p "$1" && cd "$1" && pwd)
bin=$(cd "$2/bin" && pwd)
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
pg_port=${PARITY_PG_PORT:-55432}
amqp_port=${PARITY_AMQP_PORT:-55672}

# shellcheck source=stack.sh
. "$root/deploy/local/stack.sh"

parity_run_env "$root"

started=$SECONDS
pids=()
stopping=0
shutdown() {
	((stopping)) && return
	stopping=1
	echo "parity: stopping..." >&2
	for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	parity_stack_down "$vardir" "$pg_port" "$amqp_port"
	echo "parity: stopped; data kept in $vardir (make distclean deletes it)" >&2
}
trap shutdown EXIT
trap 'exit 130' INT TERM

parity_stack_up "$vardir" "$pg_port" "$amqp_port"
# Where `parity jobs`, `parity pipeline ... --follow` and `make ops-status` find the internal API.
bash "$root/deploy/local/env.sh" "$vardir" "PARITY_INTERNAL_URL=http://127.0.0.1:$INTERNAL_PORT"
"$bin/parity" migrate
"$bin/parity" load-prices "$root/decisional/data/etf_daily.csv.gz"

# BEGIN frontend: build the SPA into frontend/dist when Node is there; a failure only warns (the API runs).
if [[ -f $root/frontend/package.json ]]; then
	# shellcheck source=../../frontend/lib.sh
	. "$root/frontend/lib.sh"
	if spa_node_ok; then
		spa_build || echo "parity: warning: the SPA did not build; the API still runs (see the output above)" >&2
	fi
fi
# END frontend

"$bin/parity-operational" &
pids+=($!)
"$bin/parity-decisional" &
pids+=($!)

parity_wait_http "http://127.0.0.1:$INTERNAL_PORT/readyz" 60
parity_wait_http "http://127.0.0.1:$METRICS_PORT/readyz" 60
# The daily pipeline: prices (already loaded: this changes nothing) and then the model portfolios.
curl -fsS -X POST -H "X-Internal-Secret: $INTERNAL_SECRET" -H "X-Job-Trigger: cli" \
	"http://127.0.0.1:$INTERNAL_PORT/internal/pipeline/daily" >/dev/null
bash "$root/deploy/local/demo.sh" "$vardir" "http://127.0.0.1:$HTTP_PORT" "$bin"

cat >&2 <<MSG

  Parity is running (ready in $((SECONDS - started)) s).
    API and SPA     http://localhost:$HTTP_PORT        (try /api/v1/market/status)
    internal        http://127.0.0.1:$INTERNAL_PORT    (X-Internal-Secret from $vardir/env)
    decisional      http://127.0.0.1:$METRICS_PORT/metrics
  Ctrl-C stops everything; \`make run\` again resumes with the same data.

MSG
# Foreground until a daemon exits or Ctrl-C arrives.
wait -n "${pids[@]}" || true
