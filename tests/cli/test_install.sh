#!/bin/bash
# The installed tree is relocatable: `cmake --install` of the build into a temporary prefix, moved after
# install, finds every shipped file beside its binaries (no path variable set) and its binaries carry no
# path of the checkout or of the build directory.
# Usage: tests/cli/test_install.sh [PARITY_BINARY]   (default: build/bin/parity; its build is installed)
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PARITY=${1:-$ROOT/build/bin/parity}
[ -x "$PARITY" ] || { echo "test_install: $PARITY is not built" >&2; exit 1; }
BUILD=$(cd "$(dirname "$PARITY")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
unset PARITY_MIGRATIONS_DIR PARITY_OPENAPI_FILE BUNDLED_DATA_FILE STATIC_DIR

PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok   $1"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $1"; [ -z "${2:-}" ] || printf '     %s\n' "${2//$'\n'/$'\n'     }"; }

if ! out=$(cmake --install "$BUILD" --prefix "$TMP/installed" 2>&1); then
	bad "cmake --install $BUILD" "$out"
	exit 1
fi
mv "$TMP/installed" "$TMP/moved"
TREE=$TMP/moved

# --print-config shows where each shipped-file variable resolved; operational needs its secrets set.
op=$(cd / && JWT_SECRET=0123456789abcdef0123456789abcdef INTERNAL_SECRET=0123456789abcdef \
	TOTP_ENC_KEY=0000000000000000000000000000000000000000000000000000000000000000 \
	"$TREE/bin/parity-operational" --print-config 2>&1)
dec=$(cd / && "$TREE/bin/parity-decisional" --print-config 2>&1)
expect() { # NAME CONFIG VARIABLE PATH-UNDER-SHARE TEST-FLAG
	local want="$TREE/share/parity/$4"
	if grep -qxF "$3=$want" <<<"$2" && test "$5" "$want"; then ok "$1"; else bad "$1" "$(grep "^$3=" <<<"$2")"; fi
}
expect "operational finds the migrations in the moved tree" "$op" PARITY_MIGRATIONS_DIR migrations -d
expect "operational finds openapi.yaml in the moved tree" "$op" PARITY_OPENAPI_FILE openapi.yaml -f
expect "operational looks for the SPA in the moved tree" "$op" STATIC_DIR www -n
expect "decisional finds the bundled prices in the moved tree" "$dec" BUNDLED_DATA_FILE data/etf_daily.csv.gz -f
if diff <(cd "$ROOT/migrations" && find . -name '*.sql' | sort) \
	<(cd "$TREE/share/parity/migrations" && find . -name '*.sql' | sort) >/dev/null; then
	ok "every migration is installed"
else
	bad "every migration is installed"
fi
for b in parity parity-operational parity-decisional; do
	found=$(strings "$TREE/bin/$b" | grep -F -e "$ROOT/" -e "$BUILD/" | sort -u | head -5)
	if [ -z "$found" ]; then
		ok "$b names no path of the checkout or the build"
	else
		bad "$b carries build paths" "$found"
	fi
done

echo "test_install: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
