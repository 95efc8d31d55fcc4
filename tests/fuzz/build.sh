#!/bin/sh
# Builds the libFuzzer targets (clang -fsanitize=fuzzer,address,undefined) and runs each for N seconds.
#   tests/fuzz/build.sh [SECONDS] [TARGET...]     (default 30 s; targets: fuzz_yahoo fuzz_market_csv fuzz_envelope)
# Work files (binaries, corpora, crash artefacts) go to $PARITY_FUZZ_DIR (default build/fuzz).
# Exits non-zero when a target finds a crash, a leak or a sanitizer report; the reproducer is left in
# $PARITY_FUZZ_DIR/<target>/ (crash-*, leak-*, timeout-*); replay it with: <binary> <file>.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SECONDS_PER_TARGET=${1:-30}
[ $# -gt 0 ] && shift
TARGETS=${*:-"fuzz_yahoo fuzz_market_csv fuzz_envelope"}
OUT=${PARITY_FUZZ_DIR:-$ROOT/build/fuzz}
CC=${CC:-clang}

command -v "$CC" >/dev/null 2>&1 || { echo "build.sh: $CC not found (apt-get install clang)" >&2; exit 2; }
mkdir -p "$OUT"

# Only the pure parsing code and what it needs; no daemon, no database.
SOURCES="$ROOT/decisional/bars.c $ROOT/decisional/price_validate.c $ROOT/decisional/market_csv.c \
         $ROOT/decisional/yahoo.c $ROOT/common/errors.c $ROOT/common/log.c $ROOT/common/json.c \
         $ROOT/common/message.c $ROOT/common/calendar.c $ROOT/common/ids.c"
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
        -fno-sanitize-recover=undefined -I$ROOT -Wall -Wextra -Werror"
LIBS="$(pkg-config --libs jansson libcurl zlib libsodium) -lpthread -lm"

seed_yahoo() {
  cp "$ROOT"/tests/fixtures/yahoo/*.json "$1"/
  # The parser reads the first byte as a mode (bit 0 intraday, bit 1 expect QQQ): prefix the bodies.
  for f in "$ROOT"/tests/fixtures/yahoo/*.json; do
    for mode in 0 1 2 3; do
      { printf "\\$(printf '%03o' $mode)"; cat "$f"; } > "$1/mode$mode-$(basename "$f")"
    done
  done
}

seed_market_csv() {
  gzip -dc "$ROOT/decisional/data/etf_daily.csv.gz" | head -n 200 > "$1/head200.csv"
  printf 'date,symbol,open,high,low,close,adj_close,volume\n2024-01-02,AAA,1,2,0.5,1.5,1.4,10\n2024-01-03,AAA,1.5,2,1,1.8,1.7,0\n2024-01-02,BBB,5,5,5,5,5,0\n' \
    > "$1/small.csv"
  printf 'symbol,date,volume,close,adj_close,open,high,low\r\nSPY,2024-12-31,1,586.08,586.08,589,590,585\r\n' > "$1/crlf.csv"
}

seed_envelope() {
  printf '{"v":1,"id":"0b1e7a52-3f1c-4d8e-9a55-7f2d7c2e4b10","type":"CMD_SYNC_DAILY","issued_at":"2026-11-22T00:00:00.000Z","payload":{"symbols":["SPY","BND"],"lookback_days":1900}}' > "$1/sync.json"
  printf '{"v":1,"id":"0b1e7a52-3f1c-4d8e-9a55-7f2d7c2e4b11","type":"CMD_FORECAST","issued_at":"2026-11-22T00:00:00.000Z","payload":{"forecast_id":"0b1e7a52-3f1c-4d8e-9a55-7f2d7c2e4b12","weights":{"VTI":0.6,"CASH":0.4},"initial_cents":100,"monthly_cents":0,"months":12,"seed":7}}' > "$1/forecast.json"
}

status=0
for target in $TARGETS; do
  name=${target#fuzz_}
  dir="$OUT/$target"
  corpus="$dir/corpus"
  mkdir -p "$corpus"
  echo "== building $target"
  # shellcheck disable=SC2086
  $CC $CFLAGS -o "$dir/$target" "$ROOT/tests/fuzz/$target.c" $SOURCES $LIBS
  [ -n "$(ls -A "$corpus")" ] || "seed_$name" "$corpus"
  echo "== running $target for ${SECONDS_PER_TARGET}s"
  if ! (cd "$dir" && "./$target" -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -timeout=10 \
          -rss_limit_mb=2048 -dict="$ROOT/tests/fuzz/$name.dict" -print_final_stats=1 corpus \
          > "$dir/run.log" 2>&1); then
    echo "!! $target failed; see $dir/run.log" >&2
    tail -n 40 "$dir/run.log" >&2
    status=1
  fi
  grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$dir/run.log" | sed "s/^/   $target /" || true
  echo "   corpus: $(ls "$corpus" | wc -l) inputs"
done
exit $status
