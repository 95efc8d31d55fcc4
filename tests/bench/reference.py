#!/usr/bin/python3
"""A straightforward numpy/SciPy implementation of Parity's quant algorithms (SPEC §8), written
independently of the C engine. Two uses:

  reference.py bench --data FILE --n N --t T [--repeat R]     time HRP on a float64 matrix (t x n)
  reference.py bench-forecast [--paths P --months M]          time the GBM forecast with 7 percentiles
  reference.py bench-models --csv FILE --as-of DAY            time model generation
  reference.py models --csv FILE --as-of DAY                  print the 15 buckets as JSON (fixtures)
  reference.py forecast-inputs --csv FILE --as-of DAY --weights JSON   print mu, sigma (fixtures)
  reference.py risk --csv FILE --weights JSON [--from D --to D --benchmark S --rf R]   SPEC §8a metrics
  reference.py backtest --csv FILE [--from D --to D --cost-bps B]                     SPEC §8a backtest
  reference.py backtest-fixture --csv FILE [--cost-bps B]     the same without value paths (fixtures)
  reference.py bench-backtest --csv FILE                      time the backtest
  reference.py blas                                           print numpy's BLAS configuration

HRP follows PyPortfolioOpt's recipe with numpy's cov/corrcoef-style statistics (listwise), SciPy's
single linkage and to_tree().pre_order(), and the breadth-first recursive bisection. Percentiles are
numpy's default (type 7). Run with Debian's /usr/bin/python3 (python3-numpy, python3-scipy)."""
import argparse
import csv
import gzip
import io
import json
import math
import sys
import time

import numpy as np
from scipy.cluster.hierarchy import linkage, to_tree
from scipy.spatial.distance import squareform

EQUITIES = "VTI,VOO,QQQ,VTV,VUG,IWM,VEA,VWO,VNQ,VNQI,XLF,XLV,XLE,XLK".split(",")
BONDS = "BND,TLT,LQD,HYG,BNDX".split(",")
LOOKBACK, MIN_COMMON, TOP_N, MIN_WEIGHT = 1260, 252, 6, 0.02
RISK_BASE = [0.20, 0.40, 0.60, 0.80, 0.90]
HORIZONS = [("short", 0.7), ("medium", 1.0), ("long", 1.1)]
LEVELS = [5, 10, 25, 50, 75, 90, 95]


# ---- HRP ----------------------------------------------------------------------------------------

def hrp(returns):
    """returns: t x n array without missing values. Returns (weights, leaf order)."""
    cov = np.cov(returns, rowvar=False, ddof=1)
    sd = np.sqrt(np.diag(cov))
    corr = np.clip(cov / np.outer(sd, sd), -1.0, 1.0)
    dist = np.sqrt(0.5 * (1.0 - corr))
    np.fill_diagonal(dist, 0.0)
    link = linkage(squareform(dist, checks=False), "single")
    order = to_tree(link, rd=False).pre_order()
    w = np.ones(len(order))
    clusters = [order]
    while clusters:
        clusters = [c[a:b] for c in clusters for a, b in ((0, len(c) // 2), (len(c) // 2, len(c))) if len(c) > 1]
        for i in range(0, len(clusters), 2):
            left, right = clusters[i], clusters[i + 1]
            vl, vr = cluster_var(cov, left), cluster_var(cov, right)
            alpha = 1.0 - vl / (vl + vr)
            w[left] *= alpha
            w[right] *= 1.0 - alpha
    return w, order


def cluster_var(cov, items):
    sub = cov[np.ix_(items, items)]
    w = 1.0 / np.diag(sub)
    w /= w.sum()
    return float(w @ sub @ w)


# ---- models -------------------------------------------------------------------------------------

def load_long(path):
    opener = gzip.open if path.endswith(".gz") else open
    series = {}
    with opener(path, "rt") as f:
        for row in csv.DictReader(f):
            series.setdefault(row["symbol"], []).append((row["date"], float(row["adj_close"])))
    return series


def align(series, symbols, as_of):
    tails = {}
    for s in symbols:
        bars = [b for b in series.get(s, []) if b[0] <= as_of]
        tails[s] = bars
    cal = sorted({d for s in symbols for d, _ in tails[s][-(LOOKBACK + 1):]})[-(LOOKBACK + 1):]
    excluded, kept = [], []
    for s in symbols:
        if not tails[s]:
            excluded.append(s)
            continue
        count = sum(1 for d, _ in tails[s] if d >= cal[0])
        (kept if count >= MIN_COMMON + 1 else excluded).append(s)
    common = sorted(set.intersection(*[{d for d, _ in tails[s] if d >= cal[0]} for s in kept]))
    lookup = {s: dict(tails[s]) for s in kept}
    prices = np.array([[lookup[s][d] for d in common] for s in kept]).T  # days x symbols
    returns = prices[1:] / prices[:-1] - 1.0
    return kept, excluded, common, returns


def round_micros(w):
    scaled = np.asarray(w) / np.sum(w) * 1_000_000
    micros = np.floor(scaled).astype(np.int64)
    missing = 1_000_000 - int(micros.sum())
    rem = scaled - micros
    for i in np.argsort(-rem, kind="stable")[:missing]:
        micros[i] += 1
    return micros


def model_weights(series, as_of):
    """The 15 buckets at full precision (after the cut, before micro rounding): (names, {key: array}, ...)."""
    kept, excluded, common, returns = align(series, EQUITIES + BONDS, as_of)
    eq = [i for i, s in enumerate(kept) if s in EQUITIES]
    bd = [i for i, s in enumerate(kept) if s in BONDS]
    r_eq = returns[:, eq]
    sharpe = r_eq.mean(axis=0) * 252 / (r_eq.std(axis=0, ddof=1) * math.sqrt(252))
    # Decreasing Sharpe, ties to the earlier symbol: the column order pandas' nlargest gives the original
    # service's HRP (SPEC §8); HRP's bisection and SciPy's leaf order depend on it.
    top = list(np.argsort(-sharpe, kind="stable")[:TOP_N])
    sel = [eq[i] for i in top]
    w_eq = hrp(returns[:, sel])[0] if len(sel) > 1 else np.ones(1)
    w_bd = hrp(returns[:, bd])[0] if len(bd) > 1 else np.ones(1)
    names = [kept[i] for i in sel] + [kept[i] for i in bd]
    exact = {}
    for r in range(1, 6):
        for h, mult in HORIZONS:
            share = min(RISK_BASE[r - 1] * mult, 0.95)
            raw = np.concatenate([share * w_eq, (1.0 - share) * w_bd])
            raw = np.where(raw >= MIN_WEIGHT, raw, 0.0)
            exact[f"risk_{r}_horizon_{h}"] = raw / raw.sum()
    return names, exact, excluded, common


def models(series, as_of):
    names, exact, excluded, common = model_weights(series, as_of)
    buckets = {}
    for key, raw in exact.items():
        micros = round_micros(raw)
        buckets[key] = {n: int(m) / 1_000_000 for n, m in zip(names, micros) if m > 0}
    return {"as_of": common[-1], "excluded": excluded, "returns_used": len(common) - 1, "buckets": buckets}


def forecast_inputs(series, as_of, weights):
    syms = [s for s, w in weights.items() if s != "CASH" and w > 0]
    _, _, common, returns = align(series, syms, as_of)
    w = np.array([weights[s] for s in syms])
    ell = np.log1p(returns @ w)
    sigma = math.sqrt(252) * ell.std(ddof=1)
    g = 252 * ell.mean()
    return {"mu": g + sigma * sigma / 2, "sigma": sigma, "returns_used": len(ell), "from": common[0], "to": common[-1]}


# ---- risk metrics and the walk-forward backtest (SPEC §8a) -------------------------------------

Z_05, Z_01 = -1.6448536269514726, -2.326347874040841  # Phi^-1(0.05), Phi^-1(0.01), correctly rounded


def quantile7(x, num, den):
    """numpy's default (type 7) quantile at p = num/den with the position (n-1)p split exactly."""
    xs = np.sort(np.asarray(x, dtype=float))
    lo, rem = divmod((len(xs) - 1) * num, den)
    if lo + 1 >= len(xs):
        return float(xs[-1])
    t = rem / den
    a, b = float(xs[lo]), float(xs[lo + 1])
    return b - (b - a) * (1 - t) if t >= 0.5 else a + (b - a) * t


def nan_to_none(v):
    return None if v is None or not math.isfinite(v) else float(v)


def risk_own(r, rf=0.0):
    r = np.asarray(r, dtype=float)
    n, rfd = len(r), rf / 252
    v = np.concatenate([[1.0], np.cumprod(1.0 + r)])
    with np.errstate(divide="ignore", invalid="ignore"):
        x = r - rfd
        out = {"total_return": v[-1] - 1, "cagr": v[-1] ** (252 / n) - 1, "volatility": r.std(ddof=1) * math.sqrt(252),
               "sharpe": np.float64(x.mean() * 252) / np.float64(x.std(ddof=1) * math.sqrt(252)),
               "sortino": np.float64(x.mean() * 252) / np.float64(math.sqrt(252) * math.sqrt(np.mean(np.minimum(x, 0) ** 2)))}
    runmax = np.maximum.accumulate(v)
    dd = v / runmax - 1
    mdd = float(dd.min())
    if mdd == 0:
        days, recovered, calmar = 0, True, None
    else:
        trough = int(np.argmin(dd))
        peak = int(np.argmax(v[: trough + 1] == runmax[trough]))
        after = np.nonzero(v[trough + 1:] >= v[peak])[0]
        recovered = len(after) > 0
        days = int(trough + 1 + after[0] - peak) if recovered else n - peak
        calmar = out["cagr"] / abs(mdd)
    out.update({"max_drawdown": mdd, "max_drawdown_days": days, "recovered": recovered, "calmar": calmar})
    for c, num in ((95, 5), (99, 1)):
        q = quantile7(r, num, 100)
        out[f"var_{c}"] = -q
        out[f"cvar_{c}"] = -float(r[r <= q].mean())
    out["pvar_95"] = -(r.mean() + Z_05 * r.std(ddof=1))
    out["pvar_99"] = -(r.mean() + Z_01 * r.std(ddof=1))
    return {k: (v if isinstance(v, bool) or isinstance(v, int) else nan_to_none(v)) for k, v in out.items()}


def risk_relative(r, b, rf=0.0):
    r, b = np.asarray(r, dtype=float), np.asarray(b, dtype=float)
    rfd = rf / 252
    c = np.cov(r, b, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        beta = np.float64(c[0, 1]) / np.float64(c[1, 1])
        te = (r - b).std(ddof=1) * math.sqrt(252)
        out = {"beta": beta, "alpha": ((r.mean() - rfd) - beta * (b.mean() - rfd)) * 252, "tracking_error": te,
               "information_ratio": np.float64((r - b).mean() * 252) / np.float64(te),
               "correlation": np.float64(c[0, 1]) / np.sqrt(np.float64(c[0, 0] * c[1, 1]))}
    return {k: nan_to_none(v) for k, v in out.items()}


def panel(series, symbols, lo="0000-00-00", hi="9999-99-99"):
    maps = {s: dict(series[s]) for s in symbols}
    days = sorted(set.intersection(*[{d for d in maps[s] if lo <= d <= hi} for s in symbols]))
    return days, np.array([[maps[s][d] for s in symbols] for d in days])  # days x symbols


def risk(series, weights, benchmark="SPY", lo="0000-00-00", hi="9999-99-99", rf=0.0):
    syms = list(weights) + ([benchmark] if benchmark not in weights else [])
    days, px = panel(series, syms, lo, hi)
    rets = px[1:] / px[:-1] - 1
    r = rets[:, : len(weights)] @ np.array([weights[s] for s in weights])
    b = rets[:, syms.index(benchmark)]
    return {"days": len(r), "from": days[0], "to": days[-1], "metrics": {**risk_own(r, rf), **risk_relative(r, b, rf)},
            "benchmark": risk_own(b, rf)}


def product_rule(cur, target, threshold=0.02):
    """The product's monthly rule without cash: within-band targets keep their weight, the others share
    the rest in proportion to their targets, everything else is sold; renormalised."""
    locked = {s: abs(cur.get(s, 0.0) - t) <= threshold for s, t in target.items()}
    locked_sum = sum(cur.get(s, 0.0) for s in target if locked[s])
    free = sum(t for s, t in target.items() if not locked[s])
    rest = max(1.0 - locked_sum, 0.0)
    adj = {s: cur.get(s, 0.0) if locked[s] else (rest * t / free if free > 0 else 0.0) for s, t in target.items()}
    total = sum(adj.values())
    if not total > 0:
        adj, total = dict(target), 1.0
    return {s: w / total for s, w in adj.items() if w / total > 0}


def simulate(days, px, syms, start, end, execs, targets, rule, cost_bps):
    """Value path over panel days start..end; targets[k] is execution k's {symbol: weight}."""
    col = {s: j for j, s in enumerate(syms)}
    shares, cash, values, turn_sum, n_exec = {}, 1.0, [1.0], 0.0, 0
    for d in range(start + 1, end + 1):
        v = cash + sum(q * px[d, col[s]] for s, q in shares.items())
        if d in execs:
            k = execs.index(d)
            if k == 0 or rule != "hold":
                cur = {s: q * px[d, col[s]] / v for s, q in shares.items() if q > 0}
                if k == 0 or rule == "reset":
                    adj = {s: w for s, w in targets[k].items() if w > 0}
                else:
                    adj = product_rule(cur, {s: w for s, w in targets[k].items() if w > 0})
                t = 1.0 if k == 0 else sum(abs(adj.get(s, 0.0) - cur.get(s, 0.0)) for s in set(adj) | set(cur))
                v -= cost_bps / 1e4 * t * v
                shares = {s: w * v / px[d, col[s]] for s, w in adj.items()}
                cash = 0.0
                n_exec += 1
                turn_sum += t if k > 0 else 0.0
        values.append(v)
    return values, n_exec, turn_sum


def backtest(series, lo=None, hi=None, cost_bps=0.0):
    syms = EQUITIES + BONDS + ["SPY"]
    days, px = panel(series, syms)
    month_end = [i + 1 < len(days) and days[i][:7] != days[i + 1][:7] for i in range(len(days))]
    start = next(i for i in range(LOOKBACK, len(days)) if month_end[i])
    if lo:
        start = next(i for i in range(start, len(days)) if month_end[i] and days[i] >= lo)
    end = max(i for i in range(len(days)) if hi is None or days[i] <= hi)
    decisions = [d for d in range(start, end) if month_end[d]]
    execs = [d + 1 for d in decisions]
    gens = [model_weights(series, days[d]) for d in decisions]
    keys = list(gens[0][1]) if gens else []
    out, n = {}, end - start
    for key in keys:
        targets = [dict(zip(names, exact[key])) for names, exact, _, _ in gens]
        v, ne, ts = simulate(days, px, syms, start, end, execs, targets, "threshold", cost_bps)
        out[key] = (v, ne, ts)
    out["SPY"] = simulate(days, px, syms, start, end, execs, [{"SPY": 1.0}] * len(execs), "hold", 0.0)
    out["60/40"] = simulate(days, px, syms, start, end, execs, [{"SPY": 0.6, "BND": 0.4}] * len(execs), "reset", 0.0)
    spy = np.array(out["SPY"][0])
    b = spy[1:] / spy[:-1] - 1
    series_out = {}
    for key, (v, ne, ts) in out.items():
        v = np.array(v)
        r = v[1:] / v[:-1] - 1
        series_out[key] = {"metrics": {**risk_own(r), **risk_relative(r, b)}, "turnover": (ts / 2) / (n / 252),
                           "executions": ne, "values": [[days[start + i], float(x)] for i, x in enumerate(v)]}
    return {"from": days[start], "to": days[end], "decisions": len(decisions), "series": series_out}


# ---- forecast -----------------------------------------------------------------------------------

def forecast(mu, sigma, v0, c, months, paths, seed):
    rng = np.random.default_rng(seed)
    dt = 1.0 / 12
    v = np.full(paths, float(v0))
    out = np.empty((months + 1, len(LEVELS)))
    out[0] = v0
    for m in range(1, months + 1):
        v = v * np.exp((mu - 0.5 * sigma * sigma) * dt + sigma * math.sqrt(dt) * rng.standard_normal(paths)) + c
        out[m] = np.percentile(v, LEVELS)
    return out


# ---- commands -----------------------------------------------------------------------------------

def best_of(fn, repeat):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def cmd_bench(a):
    x = np.fromfile(a.data, dtype="<f8").reshape(a.t, a.n)
    secs = best_of(lambda: hrp(x), a.repeat)
    print(json.dumps({"what": "hrp", "n": a.n, "t": a.t, "ms": secs * 1e3}))


def cmd_bench_forecast(a):
    secs = best_of(lambda: forecast(0.07, 0.15, 1_000_000, 10_000, a.months, a.paths, 42), a.repeat)
    print(json.dumps({"what": "forecast", "paths": a.paths, "months": a.months, "ms": secs * 1e3}))


def cmd_bench_models(a):
    series = load_long(a.csv)
    secs = best_of(lambda: models(series, a.as_of), a.repeat)
    print(json.dumps({"what": "models", "as_of": a.as_of, "ms": secs * 1e3}))


def cmd_models(a):
    out = models(load_long(a.csv), a.as_of)
    out = {"source": "tests/bench/reference.py models (numpy %s, scipy linkage), SPEC §8 defaults, data %s"
           % (np.__version__, a.csv.split("/")[-1]), **out}
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


def cmd_forecast_inputs(a):
    out = forecast_inputs(load_long(a.csv), a.as_of, json.loads(a.weights))
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


def cmd_risk(a):
    out = risk(load_long(a.csv), json.loads(a.weights), a.benchmark, a.lo or "0000-00-00", a.hi or "9999-99-99", a.rf)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


def cmd_backtest(a):
    json.dump(backtest(load_long(a.csv), a.lo, a.hi, a.cost_bps), sys.stdout)
    sys.stdout.write("\n")


def cmd_backtest_fixture(a):
    """The backtest without the value paths (first, last and count kept): tests/fixtures/backtest_*.json."""
    out = backtest(load_long(a.csv), a.lo, a.hi, a.cost_bps)
    for s in out["series"].values():
        v = s.pop("values")
        s.update({"points": len(v), "first": v[0], "last": v[-1]})
    out = {"source": "tests/bench/reference.py backtest-fixture --cost-bps %g (numpy %s, scipy linkage), SPEC §8a, "
           "data %s" % (a.cost_bps, np.__version__, a.csv.split("/")[-1]), "cost_bps": a.cost_bps, **out}
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


def cmd_bench_backtest(a):
    series = load_long(a.csv)
    secs = best_of(lambda: backtest(series), a.repeat)
    print(json.dumps({"what": "backtest", "ms": secs * 1e3}))


def cmd_blas(_):
    """The BLAS sections of np.show_config() (the rest lists libraries that are not there)."""
    buf = io.StringIO()
    old, sys.stdout = sys.stdout, buf
    try:
        np.show_config()
    finally:
        sys.stdout = old
    sections, name = {}, None
    for line in buf.getvalue().splitlines():
        if line and not line.startswith(" "):
            name = line.strip().rstrip(":")
            sections[name] = []
        elif name is not None:
            sections[name].append(line)
    for name, body in sections.items():
        if "blas" in name and any(b.strip() != "NOT AVAILABLE" for b in body):
            print(name + ":")
            print("\n".join(body))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("bench")
    b.add_argument("--data", required=True)
    b.add_argument("--n", type=int, required=True)
    b.add_argument("--t", type=int, required=True)
    b.add_argument("--repeat", type=int, default=3)
    b.set_defaults(fn=cmd_bench)
    f = sub.add_parser("bench-forecast")
    f.add_argument("--paths", type=int, default=10_000)
    f.add_argument("--months", type=int, default=120)
    f.add_argument("--repeat", type=int, default=5)
    f.set_defaults(fn=cmd_bench_forecast)
    m = sub.add_parser("bench-models")
    m.add_argument("--csv", required=True)
    m.add_argument("--as-of", required=True)
    m.add_argument("--repeat", type=int, default=3)
    m.set_defaults(fn=cmd_bench_models)
    g = sub.add_parser("models")
    g.add_argument("--csv", required=True)
    g.add_argument("--as-of", required=True)
    g.set_defaults(fn=cmd_models)
    fi = sub.add_parser("forecast-inputs")
    fi.add_argument("--csv", required=True)
    fi.add_argument("--as-of", required=True)
    fi.add_argument("--weights", required=True)
    fi.set_defaults(fn=cmd_forecast_inputs)
    rk = sub.add_parser("risk")
    rk.add_argument("--csv", required=True)
    rk.add_argument("--weights", required=True)
    rk.add_argument("--benchmark", default="SPY")
    rk.add_argument("--from", dest="lo")
    rk.add_argument("--to", dest="hi")
    rk.add_argument("--rf", type=float, default=0.0)
    rk.set_defaults(fn=cmd_risk)
    bt = sub.add_parser("backtest")
    bt.add_argument("--csv", required=True)
    bt.add_argument("--from", dest="lo")
    bt.add_argument("--to", dest="hi")
    bt.add_argument("--cost-bps", type=float, default=0.0)
    bt.set_defaults(fn=cmd_backtest)
    bf = sub.add_parser("backtest-fixture")
    bf.add_argument("--csv", required=True)
    bf.add_argument("--from", dest="lo")
    bf.add_argument("--to", dest="hi")
    bf.add_argument("--cost-bps", type=float, default=0.0)
    bf.set_defaults(fn=cmd_backtest_fixture)
    bb = sub.add_parser("bench-backtest")
    bb.add_argument("--csv", required=True)
    bb.add_argument("--repeat", type=int, default=1)
    bb.set_defaults(fn=cmd_bench_backtest)
    s = sub.add_parser("blas")
    s.set_defaults(fn=cmd_blas)
    a = p.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
