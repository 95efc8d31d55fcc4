#!/usr/bin/env bash
# Shared by `make run` and `make test`: bring the local PostgreSQL and RabbitMQ up under a VARDIR and
# export the environment both daemons read. Source it, then call parity_stack_up / parity_stack_down.

PARITY_LOCAL_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)

# parity_stack_up VARDIR PG_PORT AMQP_PORT: services started (idempotent), secrets generated once,
# DATABASE_URL, DECISIONAL_DATABASE_URL, AMQP_URL and the secrets exported. The two database URLs are also
# recorded in VARDIR/env: the parity tool run from the checkout without DATABASE_URL reads them there, so it
# reaches this instance's database and never another's on the default port.
# Fails at the first step that fails, even when called as `parity_stack_up ... || handler` (where bash
# ignores set -e inside it).
parity_stack_up() {
	local vardir=$1 pg_port=$2 amqp_port=$3
	mkdir -p "$vardir" || return
	bash "$PARITY_LOCAL_DIR/env.sh" "$vardir" || return
	set -a
	# shellcheck disable=SC1091
	. "$vardir/env" || {
		set +a
		return 1
	}
	set +a
	bash "$PARITY_LOCAL_DIR/pg.sh" start "$vardir" "$pg_port" || return
	bash "$PARITY_LOCAL_DIR/rabbitmq.sh" start "$vardir" "$amqp_port" || return
	export DATABASE_URL="postgresql://parity@127.0.0.1:$pg_port/parity"
	export DECISIONAL_DATABASE_URL="postgresql://parity_decisional@127.0.0.1:$pg_port/parity"
	export AMQP_URL="amqp://parity:$AMQP_PASSWORD@127.0.0.1:$amqp_port/"
	bash "$PARITY_LOCAL_DIR/env.sh" "$vardir" "DATABASE_URL=$DATABASE_URL" \
		"DECISIONAL_DATABASE_URL=$DECISIONAL_DATABASE_URL" || return
	export MAIL_DIR="$vardir/mail"
	mkdir -p "$MAIL_DIR" || return
}

# parity_stack_fresh VARDIR PG_PORT AMQP_PORT: a throwaway VARDIR made empty (services an interrupted run
# left there are stopped first) with its log/ folder; prints the directory's absolute path.
parity_stack_fresh() {
	local vardir=$1
	if [[ -d $vardir ]]; then
		parity_stack_down "$vardir" "$2" "$3" >/dev/null 2>&1 || true
		rm -rf "$vardir"
	fi
	mkdir -p "$vardir/log" && (cd "$vardir" && pwd)
}

# parity_run_env ROOT: the daemons' settings for `make run`, each kept when already set. The addresses the
# daemons hand out (CORS origin, links in emails) follow HTTP_PORT, so that `HTTP_PORT=9000 make run` sends
# mail whose links lead to http://localhost:9000 and not to another instance on the default port.
parity_run_env() {
	local root=$1
	export HTTP_PORT=${HTTP_PORT:-8081} INTERNAL_PORT=${INTERNAL_PORT:-8082} METRICS_PORT=${METRICS_PORT:-9090}
	export ENABLE_CRON=${ENABLE_CRON:-true} STATIC_DIR=${STATIC_DIR:-$root/frontend/dist}
	export FRONTEND_ORIGIN=${FRONTEND_ORIGIN:-http://localhost:$HTTP_PORT}
	export PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://localhost:$HTTP_PORT}
}

# parity_stack_down VARDIR PG_PORT AMQP_PORT
parity_stack_down() {
	local vardir=$1 pg_port=$2 amqp_port=$3
	bash "$PARITY_LOCAL_DIR/rabbitmq.sh" stop "$vardir" "$amqp_port" || true
	bash "$PARITY_LOCAL_DIR/pg.sh" stop "$vardir" "$pg_port" || true
}

# parity_wait_http URL SECONDS: waits until URL answers 200.
parity_wait_http() {
	local url=$1 deadline=$((SECONDS + $2))
	until curl -fsS -o /dev/null "$url" 2>/dev/null; do
		if ((SECONDS >= deadline)); then
			echo "timed out waiting for $url" >&2
			return 1
		fi
		sleep 0.2
	done
}

# parity_wait_daemon NAME PID URL SECONDS LOG: waits until URL answers 200, like parity_wait_http, but fails at
# once when process PID has exited, and on either failure prints why and the last lines of LOG.
parity_wait_daemon() {
	local name=$1 pid=$2 url=$3 deadline=$((SECONDS + $4)) log=$5 status
	until curl -fsS -o /dev/null "$url" 2>/dev/null; do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" && status=0 || status=$?
			echo "$name exited (status $status) before it was ready; the end of $log:" >&2
			tail -n 30 "$log" >&2
			return 1
		fi
		if ((SECONDS >= deadline)); then
			echo "$name not ready at $url after $4 s; the end of $log:" >&2
			tail -n 30 "$log" >&2
			return 1
		fi
		sleep 0.2
	done
}
