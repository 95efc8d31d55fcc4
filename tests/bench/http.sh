#!/usr/bin/env bash
# The read path under load: a throwaway stack (PostgreSQL, RabbitMQ, both release daemons) on its own ports,
# the bundled prices, the 15 models and one investor (registered, verified through the mail folder,
# onboarded, with a deposit invested: deploy/local/demo.sh), then wrk with 32 connections against
# GET /livez, GET /api/v1/models and GET /api/v1/portfolio (with the investor's access token). Prints
# requests/s, p50 and p99 for each and the ratio of each to /livez, with the machine's load. Never asserts a
# timing; fails only when the stack cannot be brought up or an endpoint does not answer 200.
#
# The per-IP rate limit is off (RATE_LIMIT_RPS=0): wrk's connections all come from 127.0.0.1, and the
# figures would otherwise measure the limiter. Each endpoint gets a short warm-up run (discarded) first.
#
# Usage: tests/bench/http.sh BUILD_DIR [VARDIR]     (make bench-http runs it)
# Ports: PARITY_BENCH_PG_PORT, _AMQP_PORT, _HTTP_PORT, _INTERNAL_PORT, _METRICS_PORT.
# Knobs: BENCH_HTTP_SECONDS (10), BENCH_HTTP_CONNECTIONS (32), BENCH_HTTP_THREADS (2).
set -euo pipefail

root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
if [[ $# -lt 1 ]]; then
	echo "usage: $0 BUILD_DIR [VARDIR]" >&2
	exit 2
fi
build=$(cd "$1" && pwd)
bin=$build/bin
vardir=${2:-$root/var-bench}
pg_port=${PARITY_BENCH_PG_PORT:-58432}
amqp_port=${PARITY_BENCH_AMQP_PORT:-58672}
export HTTP_PORT=${PARITY_BENCH_HTTP_PORT:-38081}
export INTERNAL_PORT=${PARITY_BENCH_INTERNAL_PORT:-38082}
export METRICS_PORT=${PARITY_BENCH_METRICS_PORT:-39090}
seconds=${BENCH_HTTP_SECONDS:-10}
connections=${BENCH_HTTP_CONNECTIONS:-32}
threads=${BENCH_HTTP_THREADS:-2}
readonly INVEST_TIMEOUT_SECONDS=120
readonly WARMUP_SECONDS=2

bench=http.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$root/tests/bench/lib.sh"
bench_require curl jq psql python3 wrk

load_start=$(uptime)
echo "== bench-http: $connections connections, $threads wrk threads, ${seconds}s per endpoint, $(nproc) cores, build $build"
echo "   uptime at start: $load_start"

bench_stack_up

# One investor through the public API, as `make run` makes its demo investor.
api=http://127.0.0.1:$HTTP_PORT/api/v1
bash "$root/deploy/local/demo.sh" "$vardir" "http://127.0.0.1:$HTTP_PORT" "$bin" 2>"$vardir/log/demo.log"
email=demo@parity.local
password=$(sed -n 's/^password=//p' "$vardir/demo-credentials")
access=$(curl -fsS -X POST -H 'Content-Type: application/json' "$api/auth/login" \
	-d "$(jq -cn --arg e "$email" --arg p "$password" '{email:$e, password:$p}')" | jq -r .access_token)
deadline=$((SECONDS + INVEST_TIMEOUT_SECONDS))
until [[ $(curl -fsS -H "Authorization: Bearer $access" "$api/portfolio" | jq '.pending_cents == 0 and (.positions | length) > 0') == true ]]; do
	if ((SECONDS >= deadline)); then
		echo "http.sh: the investor's cash was not deployed after ${INVEST_TIMEOUT_SECONDS}s" >&2
		tail -n 20 "$vardir/log/operational.log" >&2
		exit 1
	fi
	sleep 0.2
done
positions=$(curl -fsS -H "Authorization: Bearer $access" "$api/portfolio" | jq '.positions | length')
body_bytes=$(curl -fsS -H "Authorization: Bearer $access" "$api/portfolio" | wc -c)
echo "   investor ready: $positions positions, GET /api/v1/portfolio answers $body_bytes bytes"

# run NAME URL [HEADER]: wrk's summary of one endpoint in VARDIR/log/wrk-NAME.txt (after a warm-up run)
run() {
	local name=$1 url=$2 header=(${3:+-H "$3"})
	wrk -t "$threads" -c "$connections" -d "${WARMUP_SECONDS}s" "${header[@]}" "$url" >/dev/null
	wrk -t "$threads" -c "$connections" -d "${seconds}s" --latency "${header[@]}" "$url" >"$vardir/log/wrk-$name.txt"
	local status
	status=$(curl -sS -o /dev/null -w '%{http_code}' "${header[@]}" "$url")
	[[ $status == 200 ]] || {
		echo "http.sh: $url answered $status" >&2
		exit 1
	}
}
run livez "http://127.0.0.1:$HTTP_PORT/livez"
run models "$api/models"
run portfolio "$api/portfolio" "Authorization: Bearer $access"
load_end=$(uptime)

python3 - "$vardir/log" <<-'PY'
	import re, sys
	units = {"us": 0.001, "ms": 1.0, "s": 1000.0}
	def ms(text):
	    m = re.fullmatch(r"([0-9.]+)(us|ms|s)", text)
	    return float(m.group(1)) * units[m.group(2)]
	def parse(name):
	    text = open(f"{sys.argv[1]}/wrk-{name}.txt").read()
	    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", text).group(1))
	    p50 = ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1))
	    p99 = ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
	    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
	    errors = re.search(r"Socket errors:.*", text)
	    return rps, p50, p99, int(bad.group(1)) if bad else 0, errors.group(0) if errors else ""
	rows = [("/livez", "livez"), ("/api/v1/models", "models"), ("/api/v1/portfolio", "portfolio")]
	base = parse("livez")[0]
	print(f"   {'endpoint':<20} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'vs /livez':>10}")
	for path, name in rows:
	    rps, p50, p99, bad, errors = parse(name)
	    note = (f"  ({bad} non-2xx)" if bad else "") + (f"  ({errors})" if errors else "")
	    print(f"   {path:<20} {rps:11.0f} {p50:8.2f} {p99:8.2f} {rps / base if base else 0:10.3f}{note}")
	PY
echo "   uptime at start: $load_start"
echo "   uptime at end:   $load_end"
