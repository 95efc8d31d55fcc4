#!/usr/bin/env bash
# The demo investor of `make run`: registered, verified and onboarded (risk 3, medium horizon) through the
# public API like any user, then given five real years by `parity demo-history`: joined five years before the
# bundled data's last day, $50,000 deposited and invested, $1,000 more and the monthly rebalance at every
# month end, all dated in the past. Running it again changes nothing (an interrupted history resumes).
# The password is printed once, at first start, and kept in VARDIR/demo-credentials.
# Usage: demo.sh VARDIR API_BASE BIN_DIR (e.g. var http://127.0.0.1:8081 build/bin), DATABASE_URL set;
# DEMO_EMAIL names another investor (tests).
set -euo pipefail

vardir=$1
api=$2/api/v1
bin=$3
email=${DEMO_EMAIL:-demo@parity.local}
creds=$vardir/demo-credentials
mail_dir=${MAIL_DIR:-$vardir/mail}

json() { jq -cn "$@"; }
post() { curl -fsS -X POST -H 'Content-Type: application/json' "$@"; }

if [[ -f $creds ]]; then
	password=$(sed -n 's/^password=//p' "$creds")
	new=0
else
	# 24 characters from 18 random bytes: far beyond the zxcvbn bar, and safe in a shell and in JSON.
	password="Demo-$(head -c 18 /dev/urandom | base64 | tr '+/' 'xy')"
	new=1
	started=$(date +%s)
	post "$api/auth/register" -d "$(json --arg e "$email" --arg p "$password" '{email:$e, password:$p}')" >/dev/null
	# The verification email lands as an .eml file when no SMTP server is configured.
	token=""
	for _ in $(seq 1 50); do
		file=$(grep -l "To: .*$email" "$mail_dir"/*.eml 2>/dev/null | head -n 1 || true)
		if [[ -n $file ]]; then
			token=$(grep -o 'verify-email?token=[A-Za-z0-9_-]*' "$file" | head -n 1 | cut -d= -f2)
			[[ -n $token ]] && break
		fi
		sleep 0.2
	done
	[[ -n $token ]] || { echo "demo.sh: no verification email for $email in $mail_dir" >&2; exit 1; }
	post "$api/auth/verify-email" -d "$(json --arg t "$token" '{token:$t}')" >/dev/null
	umask 077
	printf 'email=%s\npassword=%s\ncreated=%s\n' "$email" "$password" "$started" >"$creds"
fi

access=$(post "$api/auth/login" -d "$(json --arg e "$email" --arg p "$password" '{email:$e, password:$p}')" |
	jq -r .access_token)
auth=(-H "Authorization: Bearer $access")

if ((new)); then
	# Scores 3, 3, 3 and 3 to 7 years: bucket risk_3_horizon_medium.
	post "${auth[@]}" "$api/onboarding" -d '{"answers":{"age":"45_59","goal":"balanced","drop_reaction":"wait","horizon":"3_to_7"}}' >/dev/null
fi
# A var/ from before the simulated past has a demo investor with money of its own: it keeps it (a warning).
if ! summary=$("$bin/parity" demo-history --email "$email" --years 5); then
	echo "demo.sh: warning: the demo investor's five years were not written (see above); \`make distclean\` starts afresh" >&2
else
	echo "parity: demo investor's history: $summary" >&2
fi

if ((new)); then
	cat >&2 <<MSG

  Demo investor (shown once; kept in $creds):
    email     $email
    password  $password
MSG
else
	echo "parity: demo investor $email ready (password in $creds)" >&2
fi
