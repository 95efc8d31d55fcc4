#!/usr/bin/python3
"""A straightforward numpy/SciPy implementation of Parity's quant algorithms (SPEC §8), written
independently of the C engine. Two uses:

  reference.py bench --data FILE --n N --t T [--repeat R]     time HRP on a float64 matrix (t x n)
  reference.py bench-forecast [--paths P --months M]          time the GBM forecast with 7 percentiles
  reference.py bench-models --csv FILE --as-of DAY            time model generation
  reference.py models --csv FILE --as-of DAY                  print the 15 buckets as JSON (fixtures)
  reference.py forecast-inputs --csv FILE --as-of DAY --weights JSON   print mu, sigma (fixtures)
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


def models(series, as_of):
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
    buckets = {}
    for r in range(1, 6):
        for h, mult in HORIZONS:
            share = min(RISK_BASE[r - 1] * mult, 0.95)
            raw = np.concatenate([share * w_eq, (1.0 - share) * w_bd])
            raw = np.where(raw >= MIN_WEIGHT, raw, 0.0)
            raw = raw / raw.sum()
            micros = round_micros(raw)
            buckets[f"risk_{r}_horizon_{h}"] = {n: int(m) / 1_000_000 for n, m in zip(names, micros) if m > 0}
    return {"as_of": common[-1], "excluded": excluded, "returns_used": len(common) - 1, "buckets": buckets}


def forecast_inputs(series, as_of, weights):
    syms = [s for s, w in weights.items() if s != "CASH" and w > 0]
    _, _, common, returns = align(series, syms, as_of)
    w = np.array([weights[s] for s in syms])
    ell = np.log1p(returns @ w)
    sigma = math.sqrt(252) * ell.std(ddof=1)
    g = 252 * ell.mean()
    return {"mu": g + sigma * sigma / 2, "sigma": sigma, "returns_used": len(ell), "from": common[0], "to": common[-1]}


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
    s = sub.add_parser("blas")
    s.set_defaults(fn=cmd_blas)
    a = p.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
