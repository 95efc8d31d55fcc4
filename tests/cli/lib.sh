# Helpers shared by the black-box CLI tests (sourced, not run): counters and checks that print one line
# each. The sourcing script sets PARITY (the binary), PY (/usr/bin/python3) and TMP (a scratch directory).
PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok   $1"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     /' <<<"$2"; }

# check NAME PYTHON-CHECK FILE...: runs python with the files as sys.argv[1:]; the check raises on failure.
check() {
  local name=$1 code=$2
  shift 2
  local out
  if out=$($PY -c "import json, math, sys
$code" "$@" 2>&1); then ok "$name"; else bad "$name" "$out"; fi
}

# expect_error NAME EXIT-CODE ARGS...: the command fails with that status, says why on stderr, prints nothing.
expect_error() {
  local name=$1 want=$2
  shift 2
  "$PARITY" "$@" >"$TMP/out" 2>"$TMP/err"
  local rc=$?
  if [ "$rc" -eq "$want" ] && [ -s "$TMP/err" ] && [ ! -s "$TMP/out" ] && ! grep -q Sanitizer "$TMP/err"; then
    ok "$name (exit $rc: $(head -c 100 "$TMP/err" | head -1))"
  else
    bad "$name" "exit $rc (want $want); stdout: $(head -c 200 "$TMP/out"); stderr: $(head -c 200 "$TMP/err")"
  fi
}

# run NAME OUTFILE ARGS...: the command succeeds (else a failure with its stderr).
run() {
  local name=$1 out=$2
  shift 2
  if ! "$PARITY" "$@" >"$out" 2>"$TMP/err"; then
    bad "$name" "$(cat "$TMP/err")"
    return 1
  fi
}
