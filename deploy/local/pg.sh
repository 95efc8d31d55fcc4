#!/usr/bin/env bash
# Starts, stops and reports a private PostgreSQL 15 for Parity under VARDIR, on its own port.
# Usage: pg.sh start|stop|status VARDIR PORT
set -euo pipefail

PARITY_SCRIPT=pg.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

readonly PG_BIN=${PARITY_PG_BIN:-/usr/lib/postgresql/15/bin}
# Seconds pg_ctl may wait for start-up or shutdown: a cold start here takes about one when the machine is
# idle and up to 24 s with builds and test suites sharing its two cores (a deadline: free when the start is fast).
readonly PG_WAIT_SECONDS=180
readonly PG_ROLE=parity
readonly PG_DB=parity
# The bootstrap superuser, kept apart from the application role so that the role the
# migrations run as can be altered or recreated without locking us out.
readonly PG_BOOTSTRAP_USER=postgres

usage() {
	printf 'usage: %s start|stop|status VARDIR PORT\n' "$0" >&2
	exit 2
}

[[ $# -eq 3 ]] || usage
cmd=$1
vardir=$(parity_abs_vardir "$2")
port=$3
parity_check_port "$port"
[[ -x $PG_BIN/pg_ctl ]] || parity_die "$PG_BIN/pg_ctl not found; run deploy/local/deps.sh"

owner=$(parity_service_owner postgres)
log=$vardir/log/postgres.log

# pg_ctl and initdb refuse to run as root; run them as OWNER from a directory OWNER can
# enter, so they do not warn about the caller's working directory.
as_owner() {
	(cd / && parity_run_as "$owner" env -u PGDATA -u PGPORT -u PGHOST "$@")
}

# Runs SQL as the bootstrap superuser over TCP (trust on 127.0.0.1), ignoring the caller's
# PG* environment so that a PGHOST or PGPASSWORD meant for another server cannot leak in.
psql_admin() {
	env -u PGHOST -u PGHOSTADDR -u PGPORT -u PGUSER -u PGPASSWORD -u PGDATABASE -u PGSERVICE \
		-u PGSSLMODE -u PGOPTIONS \
		"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
		"host=127.0.0.1 port=$port user=$PG_BOOTSTRAP_USER dbname=$1 connect_timeout=10 options='-c client_min_messages=warning'" "${@:2}"
}

is_running() {
	local data=$1
	[[ -f $data/PG_VERSION ]] || return 1
	as_owner "$PG_BIN/pg_ctl" status -D "$data" >/dev/null 2>&1
}

# Stops a server found in a /tmp directory whose VARDIR was deleted, before it is wiped.
stop_stale() {
	local data=$1/data
	if is_running "$data"; then
		as_owner "$PG_BIN/pg_ctl" stop -D "$data" -m fast -w -t "$PG_WAIT_SECONDS" >/dev/null
	fi
}

init_cluster() {
	local data=$1 locale=C
	# C.UTF-8 keeps byte-order collation (stable, like C) but gives lower()/upper() and
	# citext real Unicode case rules, which C lacks; Debian 12's glibc builds it in.
	if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
		locale=C.UTF-8
	fi
	as_owner "$PG_BIN/initdb" -D "$data" -U "$PG_BOOTSTRAP_USER" -E UTF8 --locale="$locale" \
		--auth=trust --data-checksums >>"$log" 2>&1 ||
		{
			parity_log_tail "$log"
			parity_die "initdb failed"
		}
	# Only loopback clients, all trusted: this instance is for one developer's machine.
	cat >"$data/pg_hba.conf" <<-'EOF'
		# Written by deploy/local/pg.sh at initdb: loopback only, no passwords (dev instance).
		# TYPE  DATABASE  USER  ADDRESS       METHOD
		local   all       all                 trust
		host    all       all   127.0.0.1/32  trust
		host    all       all   ::1/128       trust
	EOF
	printf "\n# Parity's settings, rewritten by deploy/local/pg.sh on every start.\ninclude_if_exists = 'parity.conf'\n" \
		>>"$data/postgresql.conf"
	chown -- "$owner:" "$data/pg_hba.conf" "$data/postgresql.conf"
}

# Rewritten on every start so that the port and socket follow the arguments and the
# settings follow this script.
write_settings() {
	local data=$1 rundir=$2 sockdir
	sockdir=$rundir
	# A socket path too long for sun_path would stop the server; TCP alone is enough then.
	if ((${#rundir} + ${#port} + 12 > PARITY_SUN_PATH_MAX)); then
		sockdir=
	fi
	cat >"$data/parity.conf" <<-EOF
		# Written by deploy/local/pg.sh on every start: edit the script, not this file.
		listen_addresses = '127.0.0.1'
		port = $port
		unix_socket_directories = '$sockdir'
		unix_socket_permissions = 0700
		# Two daemons with small pools, the test suites and a psql or two.
		max_connections = 60
		shared_buffers = 64MB
		work_mem = 8MB
		maintenance_work_mem = 64MB
		max_wal_size = 256MB
		# Durability stays on: the integration tests kill and restart this server.
		fsync = on
		synchronous_commit = on
		full_page_writes = on
		timezone = 'UTC'
		log_timezone = 'UTC'
		logging_collector = off
		log_destination = 'stderr'
		log_line_prefix = '%m [%p] %q%u@%d '
		log_min_duration_statement = 1000
		log_lock_waits = on
	EOF
	chown -- "$owner:" "$data/parity.conf"
}

# Role, database and extensions; every statement is safe to repeat.
ensure_objects() {
	psql_admin postgres <<-EOF
		SELECT 'CREATE ROLE $PG_ROLE LOGIN SUPERUSER'
		 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PG_ROLE')\gexec
		ALTER ROLE $PG_ROLE LOGIN SUPERUSER;
		SELECT 'CREATE DATABASE $PG_DB OWNER $PG_ROLE'
		 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$PG_DB')\gexec
	EOF
	# Created here, as the superuser, so that migrations can say IF NOT EXISTS and never
	# depend on who runs them.
	psql_admin "$PG_DB" <<-'EOF'
		CREATE EXTENSION IF NOT EXISTS citext;
		CREATE EXTENSION IF NOT EXISTS pgcrypto;
	EOF
}

running_port() {
	# Line 4 of postmaster.pid is the port the server listens on.
	sed -n 4p -- "$1/postmaster.pid" 2>/dev/null || true
}

# Starts the server once the port is free, retrying when a connection took the port in
# the meantime (see parity_wait_port_free in lib.sh).
start_server() {
	local data=$1 attempt offset
	for ((attempt = 1; ; attempt++)); do
		parity_wait_port_free "$port"
		offset=$(parity_log_size "$log")
		# Without -l the server inherits pg_ctl's stdout, which we open here, as the
		# caller: the log lands in VARDIR/log even when OWNER cannot reach VARDIR.
		if as_owner "$PG_BIN/pg_ctl" start -D "$data" -w -t "$PG_WAIT_SECONDS" \
			</dev/null >>"$log" 2>&1; then
			return 0
		fi
		if ((attempt < PARITY_START_ATTEMPTS)) &&
			parity_port_collision "$log" "$offset" 'address already in use'; then
			parity_note "port $port was busy for a moment; retrying ($attempt/$PARITY_START_ATTEMPTS)"
			sleep 1
			continue
		fi
		parity_log_tail "$log"
		parity_die "PostgreSQL did not start on port $port (log: $log)"
	done
}

do_start() {
	local dir data rundir t0 t1 old
	t0=$(parity_now_ms)
	parity_lock "$vardir" pg
	mkdir -p -- "$vardir/log"
	touch -- "$log"
	dir=$(parity_service_dir "$vardir" pg "$owner" stop_stale)
	data=$dir/data
	rundir=$dir/run

	if is_running "$data"; then
		old=$(running_port "$data")
		[[ $old == "$port" ]] ||
			parity_die "already running from $data on port $old, not $port; stop it first"
	else
		if [[ ! -f $data/PG_VERSION ]]; then
			parity_note "initialising $data"
			init_cluster "$data"
		fi
		as_owner mkdir -p -m 700 -- "$rundir"
		write_settings "$data" "$rundir"
		start_server "$data"
	fi
	ensure_objects
	t1=$(parity_now_ms)
	parity_note "PostgreSQL ready on 127.0.0.1:$port in $((t1 - t0)) ms (data $data, log $log)"
	printf 'postgresql://%s@127.0.0.1:%s/%s\n' "$PG_ROLE" "$port" "$PG_DB"
}

do_stop() {
	local dir data
	[[ -d $vardir ]] || return 0
	parity_lock "$vardir" pg
	dir=$(parity_service_dir_lookup "$vardir" pg)
	data=$dir/data
	if is_running "$data"; then
		as_owner "$PG_BIN/pg_ctl" stop -D "$data" -m fast -w -t "$PG_WAIT_SECONDS" >/dev/null ||
			parity_die "PostgreSQL in $data did not stop"
		parity_note "PostgreSQL on port $port stopped"
	else
		parity_note "PostgreSQL in $data is not running"
	fi
}

do_status() {
	local dir data
	dir=$(parity_service_dir_lookup "$vardir" pg)
	data=$dir/data
	if is_running "$data"; then
		printf 'PostgreSQL running on 127.0.0.1:%s (pid %s, data %s)\n' \
			"$(running_port "$data")" "$(head -n 1 -- "$data/postmaster.pid")" "$data"
		return 0
	fi
	printf 'PostgreSQL not running (data %s)\n' "$data"
	return 3
}

case $cmd in
start) do_start ;;
stop) do_stop ;;
status) do_status ;;
*) usage ;;
esac
