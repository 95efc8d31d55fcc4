#!/bin/bash
# Black-box tests of `parity backtest --harvest`: on a crafted CSV, one loss harvested on a known day for
# a hand-computed amount (and not one cent past the thresholds); on the bundled history, the lot
# simulation equals the plain backtest without families, and the report adds up; bad options fail.
# Usage: tests/cli/test_harvest_cli.sh [PARITY_BINARY]   (default: build/bin/parity)
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PARITY=${1:-$ROOT/build/bin/parity}
DATA="$ROOT/decisional/data/etf_daily.csv.gz"
PY=/usr/bin/python3
[ -x "$PARITY" ] || { echo "test_harvest_cli: $PARITY is not built" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
unset UNIVERSE_EQUITIES UNIVERSE_BONDS MODEL_LOOKBACK_DAYS MODEL_MIN_COMMON_DAYS MODEL_TOP_EQUITIES MODEL_MIN_WEIGHT
export PARITY_ENV=development

# shellcheck source=tests/cli/lib.sh
. "$ROOT/tests/cli/lib.sh"

# ---- a crafted history: every weekday of 2024-01-01..2024-03-28 ----
# January alternates (so the covariance is not singular): VTI 100/101, VOO 200/202, BND 50/50.5, SPY 400/404.
# From February: VOO 200, BND 50, SPY 400; VTI 100 until 2 February, 90 from 5 February on.
# With UNIVERSE_EQUITIES=VTI, UNIVERSE_BONDS=BND and a 20-return lookback, the first decision is 31 January
# (22 returns); risk_5_horizon_long holds min(0.9 x 1.1, 0.95) = 0.95 VTI and 0.05 BND, bought on 1 February:
#   VTI 9,500,000 cents / $100 = 950 sh; BND 500,000 cents / $50 = 100 sh.
# On 5 February the VTI lot (basis 9,500,000) is worth 950 x $90 = 8,550,000: a loss of 950,000 cents,
# >= max(10,000, 5 % of 9,500,000 = 475,000), short-term. It is sold and 8,550,000 buys VOO: 427.5 sh at $200.
# Tax deferred: 950,000 x 0.37 = 351,500 cents. Value: 8,550,000 + 100 x 5,000 = 9,050,000 cents, the plain
# backtest's 0.95 x 0.9 + 0.05 = 0.905 of 10,000,000 exactly. No later day moves a price.
$PY - "$TMP/small.csv" "$TMP/block.csv" <<'PYEOF'
import datetime as dt, sys
days, d = [], dt.date(2024, 1, 1)
while d <= dt.date(2024, 3, 28):
    if d.weekday() < 5:
        days.append(d)
    d += dt.timedelta(1)
def vti_small(day):
    return 100 if day < dt.date(2024, 2, 5) else 90
def vti_block(day):
    return 100 if day < dt.date(2024, 2, 26) else 80 if day < dt.date(2024, 3, 5) else 70
for path, vti in ((sys.argv[1], vti_small), (sys.argv[2], vti_block)):
    rows = ["date,symbol,open,high,low,close,adj_close,volume"]
    for s in ("BND", "SPY", "VOO", "VTI"):
        for i, day in enumerate(days):
            alt, jan = i % 2, day.month == 1
            p = {"VTI": (100 + alt) if jan else vti(day),
                 "VOO": (200 + 2 * alt) if jan else 200, "BND": (50 + 0.5 * alt) if jan else 50,
                 "SPY": (400 + 4 * alt) if jan else 400}[s]
            rows.append("%s,%s,%s,%s,%s,%s,%s,1000" % (day, s, p, p, p, p, p))
    open(path, "w").write("\n".join(rows) + "\n")
PYEOF
small() {
  UNIVERSE_EQUITIES=VTI UNIVERSE_BONDS=BND MODEL_LOOKBACK_DAYS=20 MODEL_MIN_COMMON_DAYS=20 \
    "$@"
}
B=risk_5_horizon_long
small run "harvest small" "$TMP/h.json" backtest --csv "$TMP/small.csv" --buckets $B --harvest --families VTI=VOO &&
  small run "plain small" "$TMP/p.json" backtest --csv "$TMP/small.csv" --buckets $B &&
  check "harvest: VTI sold on 2024-02-05 for a 950,000-cent short-term loss into VOO, 351,500 cents deferred; the plain keys unchanged" '
h, p = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
s = h["series"]["risk_5_horizon_long"]
assert list(s) == ["metrics", "turnover", "executions", "values", "harvest"], list(s)
assert "harvest" not in h["series"]["SPY"] and "harvest" not in h["series"]["60/40"]
assert "harvest" not in p["series"]["risk_5_horizon_long"]
for k in ("metrics", "turnover", "executions", "values"):
    assert s[k] == p["series"]["risk_5_horizon_long"][k], k
assert h["from"] == "2024-01-31" and h["decisions"] == 2, (h["from"], h["decisions"])
x = s["harvest"]
assert list(x) == ["losses_by_year", "short_cents", "long_cents", "disallowed_cents", "harvested_lots", "harvests",
                   "wash_blocked", "short_rate", "long_rate", "tax_deferred_cents", "initial_cents", "final_cents",
                   "final_no_harvest_cents", "value_diff_vs_no_harvest", "max_value_diff_vs_no_harvest"], list(x)
assert x["harvests"] == [{"day": "2024-02-05", "symbol": "VTI", "replacement": "VOO", "shares_micro": 950000000,
                          "loss_cents": 950000}], x["harvests"]
assert x["losses_by_year"] == {"2024": {"short_cents": 950000, "long_cents": 0, "total_cents": 950000,
                                        "disallowed_cents": 0}}, x["losses_by_year"]
assert (x["short_cents"], x["long_cents"], x["disallowed_cents"], x["harvested_lots"]) == (950000, 0, 0, 1)
assert x["tax_deferred_cents"] == 351500 and x["short_rate"] == 0.37 and x["long_rate"] == 0.2
assert x["initial_cents"] == 10000000 and x["final_cents"] == 9050000 and x["final_no_harvest_cents"] == 9050000
assert x["value_diff_vs_no_harvest"] == 0 and x["max_value_diff_vs_no_harvest"] == 0
assert s["values"][3] == ["2024-02-05", 0.905], s["values"][3]' "$TMP/h.json" "$TMP/p.json"

# The thresholds, one unit either side: the loss is exactly 10 % (1000 bps) of its basis and 950,000 cents.
harvested() { # NAME WANT-LOSS ARGS...
  local name=$1 want=$2
  shift 2
  small run "$name" "$TMP/t.json" backtest --csv "$TMP/small.csv" --buckets $B --harvest --families VTI=VOO "$@" &&
    check "$name" "
x = json.load(open(sys.argv[1]))['series']['$B']['harvest']
assert x['short_cents'] == $want and len(x['harvests']) == (1 if $want else 0), x['harvests']
assert x['final_cents'] == 9050000" "$TMP/t.json"
}
harvested "harvest: --min-loss-bps 1000 (the loss is 10 % of the basis) harvests" 950000 --min-loss-bps 1000
harvested "harvest: --min-loss-bps 1001 does not" 0 --min-loss-bps 1001
harvested "harvest: --min-loss-cents 950000 harvests" 950000 --min-loss-cents 950000
harvested "harvest: --min-loss-cents 950001 does not" 0 --min-loss-cents 950001
harvested "harvest: no families, no alternate, no harvest" 0 --families ""
small run "harvest rates" "$TMP/r.json" backtest --csv "$TMP/small.csv" --buckets $B --harvest --families VTI=VOO \
  --short-rate 0.3 --long-rate 0.15 --initial-cents 20000000 &&
  check "harvest: --short-rate 0.3 and \$200,000: 1,900 sh sold for a 1,900,000-cent loss, 570,000 deferred" '
x = json.load(open(sys.argv[1]))["series"]["risk_5_horizon_long"]["harvest"]
assert x["harvests"][0]["shares_micro"] == 1900000000 and x["harvests"][0]["loss_cents"] == 1900000, x["harvests"]
assert x["tax_deferred_cents"] == 570000 and x["short_rate"] == 0.3 and x["long_rate"] == 0.15
assert x["final_cents"] == 18100000' "$TMP/r.json"

# The wash-sale block (block.csv: VTI 100 until 23 February, 80 from 26 February, 70 from 5 March).
# risk_1_horizon_short holds 0.2 x 0.7 = 0.14 VTI: 140 sh for 1,400,000 cents on 1 February, BND 1,720 sh.
# On 1 March VTI weighs 140 x 80 / (11,200 + 86,000 dollars) = 0.1152, 0.0248 under its target (outside the
# 0.02 band): the rebalance buys VTI again, a new lot at $80. From 5 March the first lot has lost 30 %
# (>= --min-loss-bps 2500) but the new one only 12.5 % and was bought within 30 days: selling the first would
# be a wash sale, so nothing is harvested on any of the 18 weekdays from 5 to 28 March (the 20 % loss of
# 26 February to 4 March is under 25 %).
small run "harvest wash block" "$TMP/w.json" backtest --csv "$TMP/block.csv" --buckets risk_1_horizon_short \
  --harvest --families VTI=VOO --min-loss-bps 2500 &&
  check "harvest: a lot bought 4 days before a qualifying loss blocks the harvest for the rest of the window" '
s = json.load(open(sys.argv[1]))["series"]["risk_1_horizon_short"]
x = s["harvest"]
assert x["harvests"] == [] and x["wash_blocked"] == 18 and x["tax_deferred_cents"] == 0, (x["harvests"], x["wash_blocked"])
assert s["executions"] == 2 and x["final_cents"] == x["final_no_harvest_cents"], (s["executions"], x["final_cents"])' "$TMP/w.json"

small expect_error "harvest: a default family member without prices (QQQ)" 1 backtest --csv "$TMP/small.csv" --harvest
small expect_error "harvest: a family member without prices" 1 backtest --csv "$TMP/small.csv" --harvest --families VTI=NOPE
expect_error "harvest: a family of one" 1 backtest --csv "$TMP/small.csv" --harvest --families VTI
expect_error "harvest: a symbol in two families" 1 backtest --csv "$TMP/small.csv" --harvest --families VTI=VOO,QQQ=VTI
expect_error "harvest: not a symbol" 1 backtest --csv "$TMP/small.csv" --harvest --families "VTI=v o o"
expect_error "harvest: a rate above 1" 2 backtest --csv "$TMP/small.csv" --harvest --short-rate 1.5
expect_error "harvest: negative bps" 2 backtest --csv "$TMP/small.csv" --harvest --min-loss-bps -1
expect_error "harvest: zero initial" 2 backtest --csv "$TMP/small.csv" --harvest --initial-cents 0

# ---- the bundled history ----
run "harvest bundled, no families" "$TMP/n.json" backtest --csv "$DATA" --harvest --families "" &&
  check "harvest: without families the lot simulation is the plain backtest to rounding (1e-5 of value)" '
d = json.load(open(sys.argv[1]))["series"]
xs = [v["harvest"] for k, v in d.items() if k.startswith("risk_")]
assert len(xs) == 15
for x in xs:
    assert x["harvests"] == [] and x["max_value_diff_vs_no_harvest"] < 1e-5, x["max_value_diff_vs_no_harvest"]' "$TMP/n.json"
run "harvest bundled" "$TMP/b.json" backtest --csv "$DATA" --harvest &&
  check "harvest: the bundled report adds up (years to totals, sales to losses, rates to tax), VTI/VOO/QQQ/VUG only" '
d = json.load(open(sys.argv[1]))["series"]
for k, v in d.items():
    if not k.startswith("risk_"):
        continue
    x = v["harvest"]
    ys = x["losses_by_year"]
    assert list(ys) == [str(y) for y in range(2018, 2027)], list(ys)
    assert sum(y["short_cents"] for y in ys.values()) == x["short_cents"]
    assert sum(y["long_cents"] for y in ys.values()) == x["long_cents"]
    assert all(y["total_cents"] == y["short_cents"] + y["long_cents"] for y in ys.values())
    assert sum(h["loss_cents"] for h in x["harvests"]) == x["short_cents"] + x["long_cents"] + x["disallowed_cents"]
    assert x["tax_deferred_cents"] == round(x["short_cents"] * 0.37 + x["long_cents"] * 0.2)
    assert x["harvests"] and all(h["symbol"] in ("VTI", "VOO", "QQQ", "VUG") and h["loss_cents"] >= 10000 for h in x["harvests"])
    assert all({h["symbol"], h["replacement"]} in ({"VTI", "VOO"}, {"QQQ", "VUG"}) for h in x["harvests"])
    assert abs(x["value_diff_vs_no_harvest"]) <= x["max_value_diff_vs_no_harvest"] < 0.05, x["max_value_diff_vs_no_harvest"]' "$TMP/b.json"
if "$PARITY" backtest --help | grep -q -- "--short-rate"; then ok "backtest --help names --harvest's options"; else bad "backtest --help"; fi

echo "test_harvest_cli: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
