#!/usr/bin/env bash
# The monthly rebalance at scale: a throwaway stack (PostgreSQL, RabbitMQ, both release daemons) on its own
# ports, the bundled prices, the 15 models, N synthetic investors (`parity seed-investors`), then one run of
# POST /internal/rebalance, timed until GET /internal/rebalance/runs/{id} says complete. Prints figures and
# ratios in one block, never asserts a timing; fails only when the run does not complete or `parity audit`
# is not clean afterwards. Everything it started is stopped on exit (the logs stay in VARDIR/log).
#
# The set-based floor is what the same PostgreSQL needs for the run's bare writes done in bulk: a COPY of
# the run's trade rows into a scratch table shaped like trades (same defaults, identity and indexes, no
# foreign keys), plus one UPDATE of as many position rows from a staging table (each row rewritten with its
# own values, so only updated_at moves; both commit, as the run's batches do). The ratio run time / floor
# says how far the per-investor path is from what a set-based one could approach.
#
# Usage: tests/bench/rebalance.sh BUILD_DIR N [VARDIR]     (make bench-rebalance N=... runs it)
# Ports: PARITY_BENCH_PG_PORT, _AMQP_PORT, _HTTP_PORT, _INTERNAL_PORT, _METRICS_PORT; SEED (default 1).
set -euo pipefail

root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
if [[ $# -lt 2 || ! $2 =~ ^[1-9][0-9]*$ ]]; then
	echo "usage: $0 BUILD_DIR N [VARDIR]   (N investors, a positive integer)" >&2
	exit 2
fi
build=$(cd "$1" && pwd)
bin=$build/bin
n=$2
vardir=${3:-$root/var-bench}
seed=${SEED:-1}
pg_port=${PARITY_BENCH_PG_PORT:-58432}
amqp_port=${PARITY_BENCH_AMQP_PORT:-58672}
export HTTP_PORT=${PARITY_BENCH_HTTP_PORT:-38081}
export INTERNAL_PORT=${PARITY_BENCH_INTERNAL_PORT:-38082}
export METRICS_PORT=${PARITY_BENCH_METRICS_PORT:-39090}
# Generous on purpose (a shared machine can be ten times slower than a quiet one): the models take about
# 2 s here, and the run is given 120 s plus 100 ms per investor (10 investors/s).
readonly RUN_TIMEOUT_SECONDS=$((120 + n / 10))
readonly POLL_SECONDS=0.1

bench=rebalance.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$root/tests/bench/lib.sh"
bench_require curl jq psql python3

now() { date +%s.%N; }
# secs T0 [T1]: seconds from T0 to T1 (default now), 3 decimals
secs() { python3 -c 'import sys; print("%.3f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$1" "${2:-$(now)}"; }
# field JSON KEY: one field of a JSON object (jq is light enough to call on every poll)
field() { jq -r ".$2" <<<"$1"; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo "?"; }
fmt_mib() {
	if [[ $1 == "?" ]]; then echo "?"; else python3 -c 'import sys; print("%.1f MiB" % (int(sys.argv[1]) / 1024))' "$1"; fi
}

load_start=$(uptime)
echo "== bench-rebalance: N=$n investors, seed $seed, $(nproc) cores, build $build"
echo "   uptime at start: $load_start"

t=$(now)
bench_stack_up
echo "   stack ready in $(secs "$t") s (logs in $vardir/log)"

t=$(now)
seeded=$("$bin/parity" seed-investors "$n" --seed "$seed")
seed_wall=$(secs "$t")
positions=$(sql -c "SELECT count(*) FROM positions")

period=$(date -u +%Y-%m)
t=$(now)
posted=$(curl -fsS -X POST -H "X-Internal-Secret: $INTERNAL_SECRET" -w '\n%{time_total}' \
	"http://127.0.0.1:$INTERNAL_PORT/internal/rebalance?period=$period")
post_seconds=$(tail -n 1 <<<"$posted")
run_json=$(head -n 1 <<<"$posted")
run_id=$(field "$run_json" run_id)
deadline=$((SECONDS + RUN_TIMEOUT_SECONDS))
status=$(field "$run_json" status)
while [[ $status == running || $status == pending || $status == planning ]]; do
	if ((SECONDS >= deadline)); then
		echo "rebalance.sh: run $run_id still $status after ${RUN_TIMEOUT_SECONDS}s: $run_json" >&2
		exit 1
	fi
	sleep "$POLL_SECONDS"
	run_json=$(curl -fsS -H "X-Internal-Secret: $INTERNAL_SECRET" \
		"http://127.0.0.1:$INTERNAL_PORT/internal/rebalance/runs/$run_id")
	status=$(field "$run_json" status)
done
run_seconds=$(secs "$t")
op_hwm=$(hwm_kib "$op_pid")
dec_hwm=$(hwm_kib "$dec_pid")
if [[ $status != complete ]]; then
	echo "rebalance.sh: run $run_id ended $status: $run_json" >&2
	exit 1
fi
db_run_seconds=$(sql -c "SELECT round(extract(epoch FROM finished_at - started_at)::numeric, 3) FROM rebalance_runs WHERE id = $run_id")
portfolios=$(field "$run_json" portfolios)
trades=$(field "$run_json" trades)
batches=$(field "$run_json" batches)
# Where a batch's time went: planned -> computed by decisional -> applied (queueing included), and its size.
batch_figures=$(sql -c "SELECT max(portfolios) || ' ' ||
  round(avg(extract(epoch FROM computed_at - created_at))::numeric, 2) || ' ' ||
  round(avg(extract(epoch FROM applied_at - computed_at))::numeric, 2) || ' ' ||
  round(extract(epoch FROM max(applied_at) - min(applied_at))::numeric / greatest(count(*) - 1, 1), 3) || ' ' ||
  round(extract(epoch FROM (SELECT planned_at - started_at FROM rebalance_runs WHERE id = $run_id))::numeric, 1)
  FROM rebalance_batches WHERE run_id = $run_id")

# The floor, in one psql session so that connecting is not timed; clock_timestamp() brackets each step.
trade_file=$vardir/floor-trades.tsv
sql -c "\\copy (SELECT user_id, symbol, side, shares_micro, price_micros, amount_cents, reason, run_id FROM trades WHERE run_id = $run_id) TO '$trade_file'"
floor=$(
	sql <<-SQL
		CREATE TABLE bench_floor_trades (LIKE trades INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING INDEXES);
		CREATE TEMP TABLE bench_floor_stage AS
		  SELECT p.user_id, p.symbol, p.shares_micro, p.cost_basis_cents FROM positions p
		  JOIN (SELECT DISTINCT user_id, symbol FROM trades WHERE run_id = $run_id) t USING (user_id, symbol);
		ANALYZE bench_floor_stage;
		SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
		\copy bench_floor_trades (user_id, symbol, side, shares_micro, price_micros, amount_cents, reason, run_id) FROM '$trade_file'
		SELECT extract(epoch FROM clock_timestamp()) AS t1 \gset
		UPDATE positions p SET shares_micro = s.shares_micro, cost_basis_cents = s.cost_basis_cents, updated_at = now()
		  FROM bench_floor_stage s WHERE p.user_id = s.user_id AND p.symbol = s.symbol;
		SELECT extract(epoch FROM clock_timestamp()) AS t2 \gset
		SELECT (SELECT count(*) FROM bench_floor_trades) || ' ' || (SELECT count(*) FROM bench_floor_stage) || ' ' ||
		  round((:t1 - :t0)::numeric, 4) || ' ' || round((:t2 - :t1)::numeric, 4);
		DROP TABLE bench_floor_trades;
	SQL
)
read -r floor_trades floor_positions floor_copy floor_update <<<"$floor"

audit_out=$("$bin/parity" audit) && audit_rc=0 || audit_rc=$?
load_end=$(uptime)

python3 - "$seeded" "$seed_wall" "$positions" "$post_seconds" "$run_seconds" "$db_run_seconds" "$portfolios" \
	"$trades" "$batches" "$floor_trades" "$floor_positions" "$floor_copy" "$floor_update" "$batch_figures" <<-'PY'
	import json, sys
	seeded = json.loads(sys.argv[1])
	seed_wall, positions, post, run, db_run = sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
	portfolios, trades, batches = int(sys.argv[7]), int(sys.argv[8]), int(sys.argv[9])
	f_trades, f_positions, f_copy, f_update = int(sys.argv[10]), int(sys.argv[11]), float(sys.argv[12]), float(sys.argv[13])
	rows = seeded["rows"]
	floor = f_copy + f_update
	print(f"   seeding            {float(seed_wall):10.3f} s wall ({seeded['copy_seconds']:.3f} s COPY in one transaction, "
	      f"{seeded['analyze_seconds']:.3f} s ANALYZE; {seeded['investors_per_second']:.0f} investors/s)")
	print(f"                      {rows['users']} users, {rows['cash_movements']} cash movements, {rows['positions']} positions, "
	      f"{rows['trades']} trades ({positions} positions in the database)")
	print(f"   POST /internal/rebalance  {post * 1000:8.1f} ms  (the run row only: {portfolios} portfolios were then planned in {batches} batches)")
	print(f"   run time           {run:10.3f} s from the POST until GET /internal/rebalance/runs/{{id}} said complete")
	print(f"                      (database: {db_run} s from the run row's insert to the start of its last batch's"
	      " transaction)")
	b_size, b_compute, b_apply, b_gap, b_planned = sys.argv[14].split()
	print(f"   batches            {batches:10d}  (up to {b_size} portfolios; planning done {b_planned} s after the POST;"
	      f" on average {b_compute} s planned -> computed, {b_apply} s computed -> applied, one applied every {b_gap} s)")
	print(f"   investors/s        {portfolios / run if run > 0 else 0:10.1f}  ({portfolios} portfolios rebalanced)")
	print(f"   trades             {trades:10d}  ({trades / portfolios if portfolios else 0:.2f} per investor)")
	print(f"   set-based floor    {floor:10.3f} s  = COPY of {f_trades} trade rows {f_copy:.3f} s + one UPDATE of "
	      f"{f_positions} position rows {f_update:.3f} s")
	print(f"   run time / floor   {run / floor if floor > 0 else float('inf'):10.1f} x")
	PY
echo "   peak RSS (VmHWM)   parity-operational $(fmt_mib "$op_hwm"), parity-decisional $(fmt_mib "$dec_hwm")"
echo "   uptime at start:   $load_start"
echo "   uptime at end:     $load_end"
if ((audit_rc == 0)); then
	echo "   parity audit:      clean (every user's cash and shares balance)"
else
	echo "   parity audit:      NOT CLEAN (exit $audit_rc): $audit_out" >&2
	exit 1
fi
