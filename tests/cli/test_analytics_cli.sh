#!/bin/bash
# Black-box tests of `parity risk` and `parity backtest`: the exact key names tools read, agreement with
# the independent numpy reference (tests/bench/reference.py; its backtest fixture), plain and gzip input,
# and that each kind of bad input exits non-zero with a message on stderr and nothing on stdout.
# Usage: tests/cli/test_analytics_cli.sh [PARITY_BINARY]   (default: build/bin/parity)
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PARITY=${1:-$ROOT/build/bin/parity}
FIX="$ROOT/tests/fixtures"
DATA="$ROOT/decisional/data/etf_daily.csv.gz"
REF="$ROOT/tests/bench/reference.py"
PY=/usr/bin/python3
[ -x "$PARITY" ] || { echo "test_analytics_cli: $PARITY is not built" >&2; exit 1; }
[ -e "$DATA" ] || { echo "test_analytics_cli: $DATA missing" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
unset UNIVERSE_EQUITIES UNIVERSE_BONDS MODEL_LOOKBACK_DAYS MODEL_MIN_COMMON_DAYS MODEL_TOP_EQUITIES MODEL_MIN_WEIGHT
export PARITY_ENV=development

# shellcheck source=tests/cli/lib.sh
. "$ROOT/tests/cli/lib.sh"

# Recursive comparison: same keys (the reference's), numbers within 1e-9, the rest equal.
SAME='
def same(a, b, path=""):
    if isinstance(b, dict):
        assert isinstance(a, dict) and set(a) >= set(b), (path, sorted(set(b) - set(a or {})))
        for k in b:
            same(a[k], b[k], path + "." + k)
    elif isinstance(b, list):
        assert isinstance(a, list) and len(a) == len(b), (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, "%s[%d]" % (path, i))
    elif isinstance(b, bool) or b is None or isinstance(b, str):
        assert a == b, (path, a, b)
    else:
        assert isinstance(a, (int, float)) and not isinstance(a, bool) and abs(a - b) <= 1e-9, (path, a, b)
'
OWN='["total_return", "cagr", "volatility", "sharpe", "sortino", "max_drawdown", "max_drawdown_days", "recovered", "calmar", "var_95", "cvar_95", "var_99", "cvar_99", "pvar_95", "pvar_99"]'
REL='["beta", "alpha", "tracking_error", "information_ratio", "correlation"]'

# ---- risk ----
W='{"VTI":0.6,"BND":0.4}'
run "risk 60/40" "$TMP/r.json" risk --csv "$DATA" --weights "$W" --from 2019-01-01 --to 2023-12-31 --rf 0.02 &&
  $PY "$REF" risk --csv "$DATA" --weights "$W" --from 2019-01-01 --to 2023-12-31 --rf 0.02 >"$TMP/r_ref.json" &&
  check "risk: the exact keys, and every metric equal to the numpy reference to 1e-9" "$SAME
got, ref = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
own, rel = $OWN, $REL
assert list(got) == [\"days\", \"from\", \"to\", \"metrics\", \"benchmark\"], list(got)
assert list(got[\"metrics\"]) == own + rel, list(got[\"metrics\"])
assert list(got[\"benchmark\"]) == own, list(got[\"benchmark\"])
assert got[\"from\"] == \"2019-01-02\" and got[\"to\"] == \"2023-12-29\" and got[\"days\"] == 1257, got[\"days\"]
same(got, ref)" "$TMP/r.json" "$TMP/r_ref.json"
zcat "$DATA" >"$TMP/plain.csv"
run "risk plain CSV" "$TMP/rp.json" risk --csv "$TMP/plain.csv" --weights "$W" --from 2019-01-01 --to 2023-12-31 --rf 0.02 &&
  if cmp -s "$TMP/r.json" "$TMP/rp.json"; then ok "risk: plain and gzip input give the same bytes"; else bad "risk: plain differs from gzip"; fi
run "risk SPY vs SPY" "$TMP/s.json" risk --csv "$DATA" --weights '{"SPY":1}' &&
  check "risk: a series against itself: beta 1, alpha 0, tracking error 0, information ratio null" '
m = json.load(open(sys.argv[1]))["metrics"]
assert m["beta"] == 1 and m["alpha"] == 0 and m["tracking_error"] == 0 and m["information_ratio"] is None, m
assert abs(m["correlation"] - 1) < 1e-15' "$TMP/s.json"
run "risk other benchmark" "$TMP/rb.json" risk --csv "$DATA" --weights '{"QQQ":0.5,"TLT":0.3,"BNDX":0.2}' --benchmark VTI &&
  $PY "$REF" risk --csv "$DATA" --weights '{"QQQ":0.5,"TLT":0.3,"BNDX":0.2}' --benchmark VTI >"$TMP/rb_ref.json" &&
  check "risk: --benchmark VTI and the dates all share (BNDX from 2013-06-04) as the reference" "$SAME
got, ref = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert got[\"from\"] == \"2013-06-04\"
same(got, ref)" "$TMP/rb.json" "$TMP/rb_ref.json"
expect_error "risk: unknown symbol" 1 risk --csv "$DATA" --weights '{"VTI":0.6,"NOPE":0.4}'
expect_error "risk: unknown benchmark" 1 risk --csv "$DATA" --weights "$W" --benchmark NOPE
expect_error "risk: negative weight" 1 risk --csv "$DATA" --weights '{"VTI":1.2,"BND":-0.2}'
expect_error "risk: weights not summing to 1" 1 risk --csv "$DATA" --weights '{"VTI":0.6,"BND":0.3}'
expect_error "risk: weights summing to 1 + 1e-8" 1 risk --csv "$DATA" --weights '{"VTI":0.60000001,"BND":0.4}'
expect_error "risk: a window with 1 return" 1 risk --csv "$DATA" --weights "$W" --from 2024-01-02 --to 2024-01-03
expect_error "risk: an empty window" 1 risk --csv "$DATA" --weights "$W" --from 2030-01-01
expect_error "risk: from after to" 1 risk --csv "$DATA" --weights "$W" --from 2024-01-03 --to 2024-01-02
expect_error "risk: weights not JSON" 1 risk --csv "$DATA" --weights '{"VTI":0.6,'
expect_error "risk: weights not an object" 1 risk --csv "$DATA" --weights '[0.6,0.4]'
expect_error "risk: duplicate symbol" 1 risk --csv "$DATA" --weights '{"VTI":0.5,"VTI":0.5}'
expect_error "risk: missing file" 1 risk --csv "$TMP/none.csv" --weights "$W"
expect_error "risk: not a long CSV" 1 risk --csv "$FIX/hrp_five_assets.csv" --weights "$W"
expect_error "risk: no --weights" 2 risk --csv "$DATA"
expect_error "risk: bad date" 2 risk --csv "$DATA" --weights "$W" --from 2024-02-30
expect_error "risk: bad rf" 2 risk --csv "$DATA" --weights "$W" --rf abc
if "$PARITY" risk --help | grep -q -- "--benchmark"; then ok "risk --help"; else bad "risk --help"; fi

# ---- backtest ----
run "backtest 10 bps" "$TMP/b.json" backtest --csv "$DATA" --cost-bps 10 &&
  check "backtest: the exact keys, 95 decisions from 2018-06-29, every series equal to the numpy reference to 1e-9" "$SAME
got, ref = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
own, rel = $OWN, $REL
assert list(got) == [\"from\", \"to\", \"decisions\", \"series\"], list(got)
keys = [\"risk_%d_horizon_%s\" % (r, h) for r in range(1, 6) for h in (\"short\", \"medium\", \"long\")]
assert list(got[\"series\"]) == keys + [\"SPY\", \"60/40\"], list(got[\"series\"])
assert (got[\"from\"], got[\"to\"], got[\"decisions\"]) == (\"2018-06-29\", \"2026-05-01\", 95)
for name, s in got[\"series\"].items():
    assert list(s) == [\"metrics\", \"turnover\", \"executions\", \"values\"], list(s)
    assert list(s[\"metrics\"]) == own + rel, name
    assert s[\"values\"][0] == [\"2018-06-29\", 1.0], s[\"values\"][0]
    r = ref[\"series\"][name]
    assert len(s[\"values\"]) == r.pop(\"points\")
    same(s[\"values\"][0], r.pop(\"first\"), name)
    same(s[\"values\"][-1], r.pop(\"last\"), name)
    same(s, r, name)
assert got[\"series\"][\"SPY\"][\"executions\"] == 1 and got[\"series\"][\"SPY\"][\"turnover\"] == 0
assert got[\"series\"][\"60/40\"][\"executions\"] == 95
assert got[\"series\"][\"risk_1_horizon_short\"][\"values\"][1][1] == 1 - 0.001  # the first execution pays 10 bps of 1
" "$TMP/b.json" "$FIX/backtest_expected_10bps.json"
run "backtest subset" "$TMP/b2.json" backtest --csv "$TMP/plain.csv" --from 2020-03-02 --to 2024-06-30 --buckets risk_3_horizon_medium,risk_1_horizon_short &&
  check "backtest: --buckets, --from to the next month end, --to to the last trading day, plain CSV" '
got = json.load(open(sys.argv[1]))
assert list(got["series"]) == ["risk_1_horizon_short", "risk_3_horizon_medium", "SPY", "60/40"], list(got["series"])
assert got["from"] == "2020-03-31" and got["to"] == "2024-06-28", (got["from"], got["to"])
v = got["series"]["SPY"]["values"]
assert v[0] == ["2020-03-31", 1.0] and v[-1][0] == "2024-06-28"
assert got["series"]["risk_1_horizon_short"]["values"][1][1] == 1.0  # no cost by default' "$TMP/b2.json"
run "backtest early from" "$TMP/b3.json" backtest --csv "$DATA" --from 2001-01-01 --to 2018-09-30 --buckets all &&
  check "backtest: an earlier --from is moved up to the default start" '
got = json.load(open(sys.argv[1]))
assert got["from"] == "2018-06-29" and got["to"] == "2018-09-28" and got["decisions"] == 3, got["decisions"]' "$TMP/b3.json"
expect_error "backtest: unknown bucket" 1 backtest --csv "$DATA" --buckets risk_3_horizon_medium,risk_9_horizon_long
expect_error "backtest: empty bucket in the list" 1 backtest --csv "$DATA" --buckets risk_3_horizon_medium,
expect_error "backtest: a window with fewer than 2 returns" 1 backtest --csv "$DATA" --from 2026-04-29
expect_error "backtest: window ends before the first decision" 1 backtest --csv "$DATA" --to 2017-01-01
expect_error "backtest: negative cost" 1 backtest --csv "$DATA" --cost-bps -5
UNIVERSE_BONDS=BND,NOPE expect_error "backtest: a universe symbol without prices" 1 backtest --csv "$DATA"
expect_error "backtest: missing file" 1 backtest --csv "$TMP/none.csv"
expect_error "backtest: no --csv" 2 backtest
expect_error "backtest: bad cost" 2 backtest --csv "$DATA" --cost-bps ten
expect_error "backtest: bad date" 2 backtest --csv "$DATA" --to 2024-13-01
if "$PARITY" backtest --help | grep -q -- "--cost-bps"; then ok "backtest --help"; else bad "backtest --help"; fi

echo "test_analytics_cli: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
