#!/bin/bash
# Black-box tests of `parity hrp`, `models`, `forecast` and `rebalance-check`: runs the built binary on
# the fixtures and checks the JSON (golden HRP weights, forecast determinism and closed forms,
# rebalance cases, model generation against the numpy/SciPy reference) and that bad input exits
# non-zero with a message on stderr and nothing on stdout.
# Usage: tests/cli/test_quant_cli.sh [PARITY_BINARY]   (default: build/bin/parity)
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PARITY=${1:-$ROOT/build/bin/parity}
FIX="$ROOT/tests/fixtures"
DATA="$ROOT/decisional/data/etf_daily.csv.gz"
PY=/usr/bin/python3
[ -x "$PARITY" ] || { echo "test_quant_cli: $PARITY is not built" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# The models command reads the universe and parameters from the environment: use the defaults.
unset UNIVERSE_EQUITIES UNIVERSE_BONDS MODEL_LOOKBACK_DAYS MODEL_MIN_COMMON_DAYS MODEL_TOP_EQUITIES MODEL_MIN_WEIGHT
export PARITY_ENV=development

# shellcheck source=tests/cli/lib.sh
. "$ROOT/tests/cli/lib.sh"

GOLDEN='
got, ref = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
tol = ref["tolerance"]
assert got["order"] == ref["order"], (got["order"], ref["order"])
assert set(got["weights"]) == set(ref["weights"])
for s, w in ref["weights"].items():
    assert abs(got["weights"][s] - w) <= tol, (s, got["weights"][s], w)
assert abs(sum(got["weights"].values()) - 1) < 1e-14
'

# ---- hrp ----
run "hrp 5 assets" "$TMP/h5.json" hrp --csv "$FIX/hrp_five_assets.csv" --input returns &&
  check "hrp: the 5-asset golden case to 1e-10, leaf order E A B C D" "$GOLDEN" "$TMP/h5.json" "$FIX/hrp_five_assets.json"
run "hrp pypfopt" "$TMP/pp.json" hrp --csv "$FIX/pypfopt_stock_prices.csv" --missing pairwise &&
  check "hrp: PyPortfolioOpt's published weights to 1e-12 (pairwise)" "$GOLDEN" "$TMP/pp.json" "$FIX/pypfopt_hrp_weights.json"
run "hrp pypfopt listwise" "$TMP/pl.json" hrp --csv "$FIX/pypfopt_stock_prices.csv" &&
  check "hrp: listwise differs from pairwise on gapped data (as documented)" '
a, b = json.load(open(sys.argv[1]))["weights"], json.load(open(sys.argv[2]))["weights"]
assert max(abs(a[s] - b[s]) for s in a) > 1e-3' "$TMP/pl.json" "$TMP/pp.json"
$PY - "$TMP/y2x.csv" <<'PYEOF'
import math, sys
with open(sys.argv[1], "w") as f:
    f.write("date,X,Y\n")
    px, py = 100.0, 50.0
    for d in range(60):
        r = 0.01 * math.sin(1.7 * d + 0.3)
        px *= 1 + r
        py *= 1 + 2 * r
        f.write("2024-%02d-%02d,%r,%r\n" % (1 + d // 28, 1 + d % 28, px, py))
PYEOF
run "hrp Y=2X" "$TMP/y2x.json" hrp --csv "$TMP/y2x.csv" &&
  check "hrp: Y = 2X gives X 0.8, Y 0.2" '
w = json.load(open(sys.argv[1]))["weights"]
assert abs(w["X"] - 0.8) < 1e-12 and abs(w["Y"] - 0.2) < 1e-12, w' "$TMP/y2x.json"
if grep -q '0\.[0-9]\{17\}' "$TMP/h5.json"; then ok "hrp: weights printed with 17 significant digits"; else bad "hrp: %.17g output" "$(cat "$TMP/h5.json")"; fi

printf 'date,A,B\n' >"$TMP/empty_rows.csv"
printf '' >"$TMP/empty.csv"
printf 'date,A,B\n2024-01-02,1,2\n2024-01-03,1.1,nan\n' >"$TMP/nan.csv"
printf 'date,A,B\n2024-01-02,1,2\n2024-01-03,1.1,inf\n' >"$TMP/inf.csv"
printf 'date,A\n2024-01-02,1\n2024-01-03,1.1\n2024-01-04,1.2\n' >"$TMP/single.csv"
printf 'date,A,A\n2024-01-02,1,2\n2024-01-03,1.1,2.1\n' >"$TMP/dup.csv"
printf 'date,A,B\n2024-01-02,1,2\n2024-01-03,1.1\n' >"$TMP/short.csv"
printf 'date,A,B\n2024-01-02,1,2\n2024-01-03,1.1,2\n2024-01-04,1.2,2\n2024-01-05,1.1,2\n' >"$TMP/const.csv"
printf 'date,A,B\n2024-01-02,1,2\n2024-01-03,0,2.1\n' >"$TMP/zero.csv"
$PY -c "print('date,' + ','.join('C%d' % i for i in range(10001)))" >"$TMP/wide.csv"
expect_error "hrp: missing file" 1 hrp --csv "$TMP/none.csv"
expect_error "hrp: empty CSV" 1 hrp --csv "$TMP/empty.csv"
expect_error "hrp: header only" 1 hrp --csv "$TMP/empty_rows.csv"
expect_error "hrp: NaN cell" 1 hrp --csv "$TMP/nan.csv"
expect_error "hrp: infinite cell" 1 hrp --csv "$TMP/inf.csv"
expect_error "hrp: single asset" 1 hrp --csv "$TMP/single.csv"
expect_error "hrp: duplicate symbol" 1 hrp --csv "$TMP/dup.csv"
expect_error "hrp: mismatched columns" 1 hrp --csv "$TMP/short.csv"
expect_error "hrp: constant series" 1 hrp --csv "$TMP/const.csv"
expect_error "hrp: zero price" 1 hrp --csv "$TMP/zero.csv"
expect_error "hrp: absurd width" 1 hrp --csv "$TMP/wide.csv"
expect_error "hrp: no --csv" 2 hrp
expect_error "hrp: bad --missing" 2 hrp --csv "$FIX/hrp_five_assets.csv" --missing sometimes
if "$PARITY" hrp --help | grep -q -- "--missing"; then ok "hrp --help"; else bad "hrp --help"; fi

# ---- forecast ----
F="forecast --mu 0.07 --sigma 0.15 --initial-cents 1000000 --monthly-cents 50000 --months 120"
run "forecast a" "$TMP/fa.json" $F --seed 7 --goal-cents 8000000 &&
  run "forecast b" "$TMP/fb.json" $F --seed 7 --goal-cents 8000000 &&
  run "forecast c" "$TMP/fc.json" $F --seed 8 --goal-cents 8000000 && {
  if cmp -s "$TMP/fa.json" "$TMP/fb.json"; then ok "forecast: same seed, byte-identical output"; else bad "forecast: same seed differs"; fi
  if ! cmp -s "$TMP/fa.json" "$TMP/fc.json"; then ok "forecast: another seed, other numbers"; else bad "forecast: seed ignored"; fi
  check "forecast: shape, ordering and goal probability" '
f = json.load(open(sys.argv[1]))
assert f["months"] == list(range(121)) and f["paths"] == 10000
keys = ["p5", "p10", "p25", "p50", "p75", "p90", "p95"]
for m in range(121):
    v = [f[k][m] for k in keys]
    assert v == sorted(v), (m, v)
assert all(f[k][0] == 1000000 for k in keys)
assert 0 < f["goal_probability"] < 1' "$TMP/fa.json"
}
run "forecast sigma 0" "$TMP/f0.json" forecast --mu 0.05 --sigma 0 --initial-cents 250000 --monthly-cents 10000 --months 360 &&
  check "forecast: sigma 0 is the deterministic recursion to 1e-12" '
f = json.load(open(sys.argv[1]))
v = 250000.0
for m in range(361):
    if m:
        v = v * math.exp(0.05 / 12) + 10000
    for k in ("p5", "p50", "p95"):
        assert abs(f[k][m] / v - 1) < 1e-12, (m, k, f[k][m], v)' "$TMP/f0.json"
run "forecast no contributions" "$TMP/fn.json" forecast --mu 0.08 --sigma 0.2 --initial-cents 1000000 --monthly-cents 0 --months 360 --seed 3 &&
  check "forecast: percentiles within 4 standard errors of the lognormal quantiles (30 years)" '
f = json.load(open(sys.argv[1]))
se = {"p5": 0.02113, "p10": 0.01709, "p25": 0.01363, "p50": 0.01253, "p75": 0.01363, "p90": 0.01709, "p95": 0.02113}
for m in range(1, 361):
    t = m / 12
    for k, s in se.items():
        got, cf = f[k][m], f["closed_form"][k][m]
        assert abs(math.log(got / cf)) <= 4 * s * 0.2 * math.sqrt(t), (m, k, got, cf)' "$TMP/fn.json"
expect_error "forecast: missing --months" 2 forecast --mu 0.07 --sigma 0.15 --initial-cents 100 --monthly-cents 0
expect_error "forecast: non-numeric mu" 2 forecast --mu abc --sigma 0.15 --initial-cents 100 --monthly-cents 0 --months 12
expect_error "forecast: absurd months" 1 forecast --mu 0.07 --sigma 0.15 --initial-cents 100 --monthly-cents 0 --months 100000
expect_error "forecast: absurd paths" 1 forecast --mu 0.07 --sigma 0.15 --initial-cents 100 --monthly-cents 0 --months 12 --paths 99999999
expect_error "forecast: negative sigma" 1 forecast --mu 0.07 --sigma -1 --initial-cents 100 --monthly-cents 0 --months 12
expect_error "forecast: infinite mu" 2 forecast --mu inf --sigma 0.1 --initial-cents 100 --monthly-cents 0 --months 12
expect_error "forecast: negative cents" 1 forecast --mu 0.07 --sigma 0.1 --initial-cents -5 --monthly-cents 0 --months 12

# ---- rebalance-check ----
$PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
json.dump([{k: c[k] for k in ('current', 'target', 'threshold', 'cash_first')} for c in d['cases']], open(sys.argv[2], 'w'))
" "$FIX/rebalance_cases.json" "$TMP/rb_in.json"
run "rebalance-check" "$TMP/rb.json" rebalance-check --json "$TMP/rb_in.json" &&
  check "rebalance-check: every case of the replaced service, sums to 1, no zero weights" '
out, ref = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert len(out) == len(ref["cases"]) == 11
for i, (o, c) in enumerate(zip(out, ref["cases"])):
    assert set(o["adjusted"]) == set(c["expected"]), i
    for s, w in c["expected"].items():
        assert abs(o["adjusted"][s] - w) <= 1e-12, (i, s, o["adjusted"][s], w)
    assert all(w > 0 for w in o["adjusted"].values())
    assert abs(sum(o["adjusted"].values()) - 1) < 1e-12
    assert sorted(o["skipped"]) == sorted(c["skipped"]), (i, o["skipped"])
    assert 0 <= o["drift"] <= 1' "$TMP/rb.json" "$FIX/rebalance_cases.json"
printf '[{"current":{"A":1},"target":{"A":0.5,"M":0.5},"threshold":0.02}]' >"$TMP/rb_nocf.json"
printf '[{"current":{"A":1},"target":{"A":0.7,"M":0.5},"threshold":0.02,"cash_first":false}]' >"$TMP/rb_sum.json"
printf '[{"current":{"A":1},"target":{"A":0.5,"A":0.5},"threshold":0.02,"cash_first":false}]' >"$TMP/rb_dup.json"
printf '[{"current":{"A":1},"target":{"A":1},"threshold":0.02,"cash_first":false,"extra":1}]' >"$TMP/rb_extra.json"
printf '[{"current":' >"$TMP/rb_trunc.json"
expect_error "rebalance-check: missing cash_first" 1 rebalance-check --json "$TMP/rb_nocf.json"
expect_error "rebalance-check: target not summing to 1" 1 rebalance-check --json "$TMP/rb_sum.json"
expect_error "rebalance-check: duplicate symbol" 1 rebalance-check --json "$TMP/rb_dup.json"
expect_error "rebalance-check: unknown field" 1 rebalance-check --json "$TMP/rb_extra.json"
expect_error "rebalance-check: malformed JSON" 1 rebalance-check --json "$TMP/rb_trunc.json"
expect_error "rebalance-check: missing file" 1 rebalance-check --json "$TMP/none.json"

# ---- models ----
if [ -e "$DATA" ]; then
  run "models 2024" "$TMP/m.json" models --csv "$DATA" --as-of 2024-12-31 &&
    check "models: 15 buckets equal to the numpy/SciPy reference, micro-exact, summing to 1" '
got, ref = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert got["as_of"] == ref["as_of"] and [e["symbol"] for e in got["excluded"]] == ref["excluded"]
assert len(got["buckets"]) == 15
for k, b in ref["buckets"].items():
    assert set(got["buckets"][k]) == set(b), k
    for s, w in b.items():
        assert abs(got["buckets"][k][s] - w) <= 1e-12, (k, s)
    assert sum(round(w * 1e6) for w in got["buckets"][k].values()) == 1000000, k
    assert min(got["buckets"][k].values()) >= 0.02, k' "$TMP/m.json" "$FIX/models_expected_2024-12-31.json"
  run "models 2014" "$TMP/m14.json" models --csv "$DATA" --as-of 2014-01-31 &&
    check "models: BNDX excluded and reported early in 2014" '
got = json.load(open(sys.argv[1]))
assert [e["symbol"] for e in got["excluded"]] == ["BNDX"] and "253" in got["excluded"][0]["reason"]' "$TMP/m14.json"
  run "models again" "$TMP/m2.json" models --csv "$DATA" --as-of 2024-12-31 &&
    if cmp -s "$TMP/m.json" "$TMP/m2.json"; then ok "models: regenerating is byte-identical"; else bad "models: not idempotent"; fi
  expect_error "models: before any data" 1 models --csv "$DATA" --as-of 1999-01-01
  UNIVERSE_BONDS=NOPE expect_error "models: universe without data" 1 models --csv "$DATA"
else
  echo "skip models: $DATA missing"
fi
expect_error "models: bad date" 2 models --csv "$FIX/hrp_five_assets.csv" --as-of 2024-13-40
expect_error "models: not a long CSV" 1 models --csv "$FIX/hrp_five_assets.csv"

echo "test_quant_cli: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
