#!/usr/bin/env bash
# Starts, stops and reports a private RabbitMQ (Debian's 3.10) for Parity under VARDIR, on its own port.
# Usage: rabbitmq.sh start|stop|status VARDIR PORT
# The broker password (AMQP_PASSWORD in VARDIR/env) is never printed, not even under `bash -x`: output
# and logs get copied into bug reports and CI logs. It is read in one function that turns tracing off.
set -euo pipefail

PARITY_SCRIPT=rabbitmq.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)

# We call RabbitMQ's own scripts, not Debian's /usr/sbin wrappers: those cd to
# /var/lib/rabbitmq, log to /var/log/rabbitmq and switch users behind our back.
readonly RMQ_BIN=${PARITY_RABBITMQ_BIN:-/usr/lib/rabbitmq/bin}
# Seconds we wait for the broker to boot or to stop: a cold boot here takes a few when the machine is idle
# and took up to 112 s while builds and test suites shared its two cores (load 16); a deadline, so it costs
# nothing when the boot is fast.
readonly RMQ_WAIT_SECONDS=300
# The Erlang distribution port is derived from the AMQP port so that each instance gets its
# own without configuration: PORT - 25000 (55672 -> 30672, 56672 -> 31672). RabbitMQ's
# default, PORT + 20000, overflows above 45535 and collides with a system broker's 25672
# for PORT - 30000. Ports below 26024 use PORT + 25000. PARITY_RABBITMQ_DIST_PORT overrides.
readonly RMQ_DIST_OFFSET=25000
readonly RMQ_USER=parity
# Length of the Erlang cookie; any length works, 32 letters is plenty for a loopback-only node.
readonly RMQ_COOKIE_LEN=32

usage() {
	printf 'usage: %s start|stop|status VARDIR PORT\n' "$0" >&2
	exit 2
}

[[ $# -eq 3 ]] || usage
cmd=$1
vardir=$(parity_abs_vardir "$2")
port=$3
parity_check_port "$port"
[[ -x $RMQ_BIN/rabbitmq-server ]] || parity_die "$RMQ_BIN/rabbitmq-server not found; run deploy/local/deps.sh"

owner=$(parity_service_owner rabbitmq)
node=parity-$port@localhost
log=$vardir/log/rabbitmq.log
if [[ -n ${PARITY_RABBITMQ_DIST_PORT:-} ]]; then
	dist_port=$PARITY_RABBITMQ_DIST_PORT
elif ((port - RMQ_DIST_OFFSET >= PARITY_PORT_MIN)); then
	dist_port=$((port - RMQ_DIST_OFFSET))
else
	dist_port=$((port + RMQ_DIST_OFFSET))
fi
parity_check_port "$dist_port"

# The whole environment of the server and of the CLI tools, so that nothing from the
# caller's shell or from /etc/rabbitmq reaches this instance. Both read the cookie from
# $HOME/.erlang.cookie, so HOME is the instance directory.
rmq_env() {
	local dir=$1
	rmq_envv=(
		PATH=/usr/bin:/bin:/usr/sbin:/sbin
		HOME="$dir"
		LANG=C.UTF-8
		LC_ALL=C.UTF-8
		RABBITMQ_NODENAME="$node"
		RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
		RABBITMQ_NODE_PORT="$port"
		RABBITMQ_DIST_PORT="$dist_port"
		RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
		RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf"
		RABBITMQ_CONFIG_FILES="$dir/conf.d"
		RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
		RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
		RABBITMQ_MNESIA_BASE="$dir/mnesia"
		RABBITMQ_LOG_BASE="$dir/log"
		RABBITMQ_LOGS=-
		RABBITMQ_PID_FILE="$dir/rabbitmq.pid"
		RABBITMQ_MOTD_FILE="$dir/motd"
		ERL_CRASH_DUMP="$dir/erl_crash.dump"
		# epmd (shared by every node on the machine) and the distribution listener are
		# reached only from this machine.
		ERL_EPMD_ADDRESS=127.0.0.1
		"RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}"
		"RABBITMQ_CTL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}"
	)
}

# Runs one of RabbitMQ's tools against this instance, as OWNER, from the instance directory.
rmq() {
	local dir=$1 tool=$2
	shift 2
	rmq_env "$dir"
	(cd -- "$dir" && parity_run_as "$owner" env -i "${rmq_envv[@]}" "$RMQ_BIN/$tool" -n "$node" "$@")
}

server_pid() {
	local pidfile=$1/rabbitmq.pid pid
	[[ -s $pidfile ]] || return 1
	pid=$(head -n 1 -- "$pidfile")
	[[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
	printf '%s\n' "$pid"
}

is_running() {
	local dir=$1
	server_pid "$dir" >/dev/null || return 1
	rmq "$dir" rabbitmq-diagnostics -q ping >/dev/null 2>&1
}

# Waits (bounded) for a process to exit.
wait_gone() {
	local pid=$1 deadline
	deadline=$(($(date +%s) + RMQ_WAIT_SECONDS))
	while kill -0 "$pid" 2>/dev/null; do
		(($(date +%s) < deadline)) || return 1
		sleep 0.2
	done
}

stop_dir() {
	local dir=$1 pid
	pid=$(server_pid "$dir") || return 0
	if ! rmq "$dir" rabbitmqctl -q shutdown --timeout "$RMQ_WAIT_SECONDS" >/dev/null 2>&1; then
		# The node is wedged or its CLI cannot reach it: fall back to the signal that
		# the Erlang runtime treats as an orderly shutdown.
		parity_note "rabbitmqctl shutdown failed; sending SIGTERM to $pid"
		kill -TERM "$pid" 2>/dev/null || true
	fi
	wait_gone "$pid" || parity_die "RabbitMQ (pid $pid) did not exit within ${RMQ_WAIT_SECONDS}s"
}

# Stops a broker found in a /tmp directory whose VARDIR was deleted, before it is wiped.
stop_stale() {
	stop_dir "$1"
}

# Files the broker reads at boot, rewritten on every start from this script and VARDIR/env.
write_config() {
	local dir=$1 cookie
	mkdir -p -- "$dir/mnesia" "$dir/log"
	if [[ ! -s $dir/.erlang.cookie ]]; then
		cookie=$(LC_ALL=C tr -dc '[:upper:]' </dev/urandom | head -c "$RMQ_COOKIE_LEN") || true
		(umask 077 && printf '%s' "$cookie" >"$dir/.erlang.cookie")
		# Erlang refuses a cookie file that others can read.
		chmod 400 -- "$dir/.erlang.cookie"
	fi
	printf '# Settings come from deploy/local/rabbitmq.sh; this file keeps /etc/rabbitmq/rabbitmq-env.conf out.\n' \
		>"$dir/rabbitmq-env.conf"
	# No plugins: the management plugin would listen on fixed ports (15672) shared by all
	# instances, and Parity speaks only AMQP.
	printf '[].\n' >"$dir/enabled_plugins"
	cat >"$dir/rabbitmq.conf" <<-EOF
		# Written by deploy/local/rabbitmq.sh on every start: edit the script, not this file.
		# Listener address and port come from RABBITMQ_NODE_IP_ADDRESS / RABBITMQ_NODE_PORT.
		# Users are imported from definitions.json at every boot; since definitions are
		# given, RabbitMQ creates no default 'guest' user.
		load_definitions = $dir/definitions.json
		log.console = true
		log.console.level = info
		log.file = false
		# Two brokers, two databases and the test suites share a small machine.
		vm_memory_high_watermark.relative = 0.2
		disk_free_limit.absolute = 100MB
	EOF
	write_definitions "$dir"
	chown -R -- "$owner:" "$dir"
}

# The users file, the only place the password goes. Tracing is off inside (and back as it was on
# return, through `local -`), so `bash -x rabbitmq.sh start` shows neither the value nor a command
# line holding it; the password never leaves this function's variables.
write_definitions() {
	local -
	set +x
	local dir=$1 envfile=$vardir/env line
	line=$(grep -E '^AMQP_PASSWORD=[0-9a-f]+$' -- "$envfile" | tail -n 1) ||
		parity_die "$envfile has no AMQP_PASSWORD line"
	(
		umask 077
		cat >"$dir/definitions.json" <<-EOF
			{
			  "users": [
			    {"name": "$RMQ_USER", "password": "${line#AMQP_PASSWORD=}", "tags": ["administrator"]}
			  ],
			  "vhosts": [{"name": "/"}],
			  "permissions": [
			    {"user": "$RMQ_USER", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"}
			  ]
			}
		EOF
	)
}

# VARDIR/env with its secrets, created on the first start; fails early when the password is missing.
ensure_env() {
	local envfile=$vardir/env
	"$here/env.sh" "$vardir"
	grep -qE '^AMQP_PASSWORD=[0-9a-f]+$' -- "$envfile" || parity_die "$envfile has no AMQP_PASSWORD line"
}

# Starts the broker in its own session (so a Ctrl-C in the caller's terminal does not reach
# it; the caller stops it with 'rabbitmq.sh stop') and waits until it accepts clients.
# Returns 1 when it failed to boot, leaving nothing running.
launch_once() {
	local dir=$1 launcher=() pid
	rmq_env "$dir"
	if [[ $owner != "$(id -un)" ]]; then
		launcher=(setpriv --reuid="$owner" --regid="$owner" --init-groups)
	fi
	(cd -- "$dir" && exec setsid "${launcher[@]}" env -i "${rmq_envv[@]}" "$RMQ_BIN/rabbitmq-server" \
		</dev/null >>"$log" 2>&1 9>&-) &
	pid=$!
	# 'wait' follows the process and the node together: it fails as soon as the process
	# dies, and succeeds once the rabbit application (listeners included) has booted.
	if rmq "$dir" rabbitmqctl -q wait --pid "$pid" --timeout "$RMQ_WAIT_SECONDS" >/dev/null 2>&1; then
		return 0
	fi
	if kill -0 "$pid" 2>/dev/null; then
		stop_dir "$dir" || true
		wait_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
	fi
	return 1
}

# Launches once both ports are free, retrying when a connection took one in the meantime
# (see parity_wait_port_free in lib.sh).
launch() {
	local dir=$1 attempt offset
	for ((attempt = 1; ; attempt++)); do
		parity_wait_port_free "$port"
		parity_wait_port_free "$dist_port"
		offset=$(parity_log_size "$log")
		launch_once "$dir" && return 0
		if ((attempt < PARITY_START_ATTEMPTS)) && parity_port_collision "$log" "$offset" 'eaddrinuse'; then
			parity_note "a port was busy for a moment; retrying ($attempt/$PARITY_START_ATTEMPTS)"
			sleep 1
			continue
		fi
		parity_log_tail "$log"
		parity_die "RabbitMQ node $node did not start on port $port within ${RMQ_WAIT_SECONDS}s (log: $log)"
	done
}

do_start() {
	local dir t0 t1
	t0=$(parity_now_ms)
	ensure_env
	parity_lock "$vardir" rabbitmq
	mkdir -p -- "$vardir/log"
	touch -- "$log"
	dir=$(parity_service_dir "$vardir" rabbitmq "$owner" stop_stale)
	if server_pid "$dir" >/dev/null; then
		# Running, or still booting after another start: wait for it rather than launch a
		# second node on the same files.
		rmq "$dir" rabbitmqctl -q await_startup --timeout "$RMQ_WAIT_SECONDS" >/dev/null 2>&1 ||
			{
				parity_log_tail "$log"
				parity_die "RabbitMQ node $node runs but did not finish booting"
			}
		parity_note "RabbitMQ node $node already running"
	else
		write_config "$dir"
		launch "$dir"
	fi
	t1=$(parity_now_ms)
	parity_note "RabbitMQ ready on 127.0.0.1:$port in $((t1 - t0)) ms (node $node, dist port $dist_port, data $dir, log $log)"
	# The URL without its password (AMQP_PASSWORD in VARDIR/env): stdout ends up in logs too.
	printf 'amqp://%s@127.0.0.1:%s/\n' "$RMQ_USER" "$port"
}

do_stop() {
	local dir pid
	[[ -d $vardir ]] || return 0
	parity_lock "$vardir" rabbitmq
	dir=$(parity_service_dir_lookup "$vardir" rabbitmq)
	if pid=$(server_pid "$dir"); then
		stop_dir "$dir"
		parity_note "RabbitMQ node $node (pid $pid) stopped"
	else
		parity_note "RabbitMQ in $dir is not running"
	fi
}

do_status() {
	local dir pid
	dir=$(parity_service_dir_lookup "$vardir" rabbitmq)
	if pid=$(server_pid "$dir") && is_running "$dir"; then
		printf 'RabbitMQ running on 127.0.0.1:%s (node %s, pid %s, data %s)\n' "$port" "$node" "$pid" "$dir"
		return 0
	fi
	printf 'RabbitMQ not running (node %s, data %s)\n' "$node" "$dir"
	return 3
}

case $cmd in
start) do_start ;;
stop) do_stop ;;
status) do_status ;;
*) usage ;;
esac
