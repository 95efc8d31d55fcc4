#!/usr/bin/env bash
# Integration tests: a throwaway PostgreSQL and RabbitMQ under VARDIR on test ports (so `make run` can
# keep running beside them), the real daemons from BUILD_DIR, and pytest driving them.
# Usage: run-integration.sh BUILD_DIR VARDIR [pytest args...]
set -euo pipefail

root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "$1" && pwd)
vardir=$2
shift 2
pg_port=${PARITY_TEST_PG_PORT:-56432}
amqp_port=${PARITY_TEST_AMQP_PORT:-56672}

# shellcheck source=../deploy/local/stack.sh
. "$root/deploy/local/stack.sh"

if [[ -n ${PARITY_TEST_EXTERNAL:-} ]]; then
	# CI with service containers: DATABASE_URL, DECISIONAL_DATABASE_URL and AMQP_URL are given; only the
	# secrets are generated. Tests that restart the services skip themselves.
	mkdir -p "$vardir"
	vardir=$(cd "$vardir" && pwd)
	bash "$root/deploy/local/env.sh" "$vardir"
	eval "$(grep -E '^(INTERNAL_SECRET|JWT_SECRET|TOTP_ENC_KEY)=' "$vardir/env" | sed 's/^/export /')"
	export MAIL_DIR=$vardir/mail
	mkdir -p "$MAIL_DIR"
else
	# Throwaway means fresh: whatever an interrupted run left is stopped and removed.
	vardir=$(parity_stack_fresh "$vardir" "$pg_port" "$amqp_port")
	trap 'parity_stack_down "$vardir" "$pg_port" "$amqp_port" >/dev/null 2>&1 || true' EXIT
	parity_stack_up "$vardir" "$pg_port" "$amqp_port"
fi
"$build/bin/parity" migrate >/dev/null

export PARITY_BIN=$build/bin PARITY_TEST_VAR=$vardir PARITY_TEST_PG_PORT=$pg_port PARITY_TEST_AMQP_PORT=$amqp_port
cd "$root/tests/integration"
/usr/bin/python3 -m pytest -p no:cacheprovider -q -ra "$@"
