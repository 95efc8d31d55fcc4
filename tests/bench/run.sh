#!/bin/sh
# Side-by-side benchmark of the C quant engine and the numpy/SciPy reference (tests/bench/reference.py).
# Usage: tests/bench/run.sh BUILD_DIR   (make bench runs it on ./build). Prints figures and ratios;
# asserts nothing, since timings depend on the machine and its load.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
BENCH="$BUILD/bench/bench_quant"
PY=/usr/bin/python3
REF="$ROOT/tests/bench/reference.py"
DATA="$ROOT/decisional/data/etf_daily.csv.gz"
NETLIB_DIR=/usr/lib/x86_64-linux-gnu/blas
T=1260
[ -x "$BENCH" ] || { echo "run.sh: $BENCH not built (cmake --build $BUILD --target bench_quant)" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

field() { # field JSON NAME
  printf '%s' "$1" | $PY -c "import json,sys; print(json.load(sys.stdin)['$2'])"
}
row() { # row LABEL C_MS PY_MS [NOTE]
  $PY -c "import sys; c,p=float(sys.argv[2]),float(sys.argv[3]); print('%-34s C %9.2f ms   numpy %9.2f ms   %7.1fx  %s' % (sys.argv[1], c, p, p/c, sys.argv[4]))" "$1" "$2" "$3" "${4:-}"
}

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "== numpy's build configuration (np.show_config()):"
$PY "$REF" blas | sed 's/^/   /'
echo "== numpy's BLAS at run time: $($PY -c 'import numpy.core._multiarray_umath as m; print(m.__file__)' | xargs ldd | grep -i -E 'blas|lapack' | awk '{print $1" -> "$3}' | tr '\n' ' ')"
echo "   (Debian's libblas.so.3 alternative: $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3))"
HAVE_NETLIB=0
[ -e "$NETLIB_DIR/libblas.so.3" ] && HAVE_NETLIB=1
echo

echo "== HRP over $T days (best of several runs; C column also shows the covariance alone)"
for n in 19 500 2000; do
  $PY -c "
import numpy as np
rng = np.random.default_rng($n)
f = rng.standard_normal(($T, 3))
b = rng.uniform(0.2, 1.2, (3, $n))
x = 0.01 * (f @ b + rng.standard_normal(($T, $n)))
x.astype('<f8').tofile('$TMP/r$n.bin')"
  reps=5; [ "$n" -ge 2000 ] && reps=3
  c=$("$BENCH" hrp --data "$TMP/r$n.bin" --n "$n" --t "$T" --repeat $((reps * 2)))
  p=$($PY "$REF" bench --data "$TMP/r$n.bin" --n "$n" --t "$T" --repeat "$reps")
  row "hrp n=$n" "$(field "$c" ms)" "$(field "$p" ms)" "(C covariance $(field "$c" cov_ms) ms, kernel $(field "$c" kernel))"
  if [ "$HAVE_NETLIB" = 1 ] && [ "$n" -ge 500 ]; then
    q=$(LD_LIBRARY_PATH="$NETLIB_DIR" $PY "$REF" bench --data "$TMP/r$n.bin" --n "$n" --t "$T" --repeat 1)
    row "hrp n=$n, numpy on netlib BLAS" "$(field "$c" ms)" "$(field "$q" ms)" "(reference BLAS forced via LD_LIBRARY_PATH)"
  fi
done
echo

echo "== forecast: 10,000 paths x 120 months, 7 exact percentiles per month"
c=$("$BENCH" forecast --paths 10000 --months 120 --repeat 30)
c1=$("$BENCH" forecast --paths 10000 --months 120 --repeat 30 --threads 1)
p=$($PY "$REF" bench-forecast --paths 10000 --months 120 --repeat 10)
row "forecast (2 threads)" "$(field "$c" ms)" "$(field "$p" ms)"
row "forecast (1 thread)" "$(field "$c1" ms)" "$(field "$p" ms)"
echo

echo "== CMD_GENERATE compute: 19-symbol universe, 1,260-day lookback, as of 2024-12-31 (prices in memory)"
c=$("$BENCH" models --csv "$DATA" --as-of 2024-12-31 --repeat 20)
p=$($PY "$REF" bench-models --csv "$DATA" --as-of 2024-12-31 --repeat 3)
row "models" "$(field "$c" ms)" "$(field "$p" ms)" "(C CSV parse of the whole file, not timed above: $(field "$c" csv_parse_ms) ms)"
echo
echo "== walk-forward backtest (SPEC §8a): 15 models regenerated at every month end, 17 series with metrics (prices in memory)"
c=$("$BENCH" backtest --csv "$DATA" --repeat 5)
p=$($PY "$REF" bench-backtest --csv "$DATA" --repeat 1)
row "backtest ($(field "$c" decisions) decisions)" "$(field "$c" ms)" "$(field "$p" ms)" "(C CPU $(field "$c" cpu_ms) ms; one generation $(field "$c" generation_ms) ms; JSON text $(field "$c" json_ms) ms)"
echo
echo "Targets: HRP >= 10x at 500 and 2,000 assets and never slower at 19; 2,000 assets < 100 ms;"
echo "forecast < 10 ms and >= 5x; CMD_GENERATE < 50 ms including database I/O (database part not measured here)."
echo "The monthly rebalance at scale has its own stack and target: make bench-rebalance N=10000 (tests/bench/rebalance.sh)."
