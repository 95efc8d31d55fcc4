# Helpers shared by deploy/local/pg.sh and rabbitmq.sh (sourced, never run).
# shellcheck shell=bash

# Bounds for the ports we are handed: below 1024 needs privileges, above 65535 does not exist.
readonly PARITY_PORT_MIN=1024
readonly PARITY_PORT_MAX=65535
# A Unix socket path must fit in sun_path (108 bytes including the terminating NUL).
# shellcheck disable=SC2034 # used by pg.sh
readonly PARITY_SUN_PATH_MAX=107
# Start attempts when the port is taken only for a moment (see parity_port_collision).
# shellcheck disable=SC2034 # used by pg.sh and rabbitmq.sh
readonly PARITY_START_ATTEMPTS=5
# How long we wait for a port held by a closed connection; Linux keeps TIME_WAIT for 60 s.
readonly PARITY_PORT_WAIT_SECONDS=90

parity_die() {
	printf '%s: error: %s\n' "${PARITY_SCRIPT:-parity}" "$*" >&2
	exit 1
}

parity_note() {
	printf '%s: %s\n' "${PARITY_SCRIPT:-parity}" "$*" >&2
}

# Milliseconds since the epoch, for the start-up timings we report.
parity_now_ms() {
	local ns
	ns=$(date +%s%N)
	printf '%s\n' "$((ns / 1000000))"
}

parity_check_port() {
	local port=$1
	[[ $port =~ ^[0-9]+$ ]] || parity_die "port '$port' is not a number"
	((port >= PARITY_PORT_MIN && port <= PARITY_PORT_MAX)) ||
		parity_die "port $port is outside $PARITY_PORT_MIN..$PARITY_PORT_MAX"
}

# Absolute, symlink-free VARDIR, without creating it (status and stop must not create anything).
parity_abs_vardir() {
	[[ -n ${1:-} ]] || parity_die "VARDIR is empty"
	realpath -m -- "$1"
}

# The account the servers run as. PostgreSQL refuses to run as root and RabbitMQ's own tooling
# expects its service account, so as root we drop to the account the Debian package created.
parity_service_owner() {
	local system_user=$1
	if [[ $(id -u) -eq 0 ]]; then
		getent passwd "$system_user" >/dev/null ||
			parity_die "user '$system_user' does not exist; run deploy/local/deps.sh first"
		printf '%s\n' "$system_user"
	else
		id -un
	fi
}

# Runs a command as OWNER; a no-op switch when we already are OWNER. runuser keeps the
# environment, so callers pass what the command needs through env(1) explicitly. The lock
# descriptor is closed for the command: a server started while we hold the lock would
# otherwise inherit it and keep every later start/stop waiting.
parity_run_as() {
	local owner=$1
	shift
	if [[ $owner == "$(id -un)" ]]; then
		"$@" 9>&-
	else
		runuser -u "$owner" -- "$@" 9>&-
	fi
}

# Serialises start/stop on one VARDIR so two callers never initialise or start the same
# instance at once. The lock is released when the script exits.
parity_lock() {
	local vardir=$1 name=$2
	mkdir -p -- "$vardir"
	# Descriptor 9 is reserved for this lock in the scripts that source this file.
	exec 9>"$vardir/.$name.lock"
	flock -w 120 9 || parity_die "another $name start/stop on $vardir is still running"
}

# Where a service keeps its files, for status and stop: what VARDIR/NAME/location says, else
# VARDIR/NAME itself. Never creates anything.
parity_service_dir_lookup() {
	local vardir=$1 name=$2
	if [[ -s $vardir/$name/location ]]; then
		head -n 1 -- "$vardir/$name/location"
	else
		printf '%s\n' "$vardir/$name"
	fi
}

# Decides (once) where a service keeps its files, creates the directory owned by OWNER and
# prints its path. Normally it is VARDIR/NAME. When we run the server under another account
# that cannot reach VARDIR (a checkout under /root, say), the directory goes under /tmp,
# keyed by a hash of VARDIR, and VARDIR/NAME/location records where. STALE_HOOK is called
# with the /tmp directory when one is found that no VARDIR claims any more (its VARDIR was
# deleted), so that the caller can stop what still runs there before we wipe it.
parity_service_dir() {
	local vardir=$1 name=$2 owner=$3 stale_hook=$4
	local home=$vardir/$name loc=$vardir/$name/location dir hash

	mkdir -p -- "$home"
	if [[ -s $loc ]]; then
		dir=$(head -n 1 -- "$loc")
		if [[ ! -d $dir ]]; then
			# A /tmp directory vanishes on reboot; the data went with it.
			parity_note "$dir is gone (reboot?); starting $name from empty"
			mkdir -m 700 -- "$dir"
			chown -- "$owner:" "$dir"
		fi
		printf '%s\n' "$dir"
		return 0
	fi

	dir=$home
	if [[ $owner != "$(id -un)" ]]; then
		chown -- "$owner:" "$home"
		chmod 700 -- "$home"
		if ! runuser -u "$owner" -- test -w "$home" -a -x "$home" 2>/dev/null; then
			# Some parent of VARDIR is closed to OWNER: keep VARDIR/NAME for the record
			# only and put the files where OWNER can reach them.
			chown -- root: "$home"
			chmod 755 -- "$home"
			hash=$(printf '%s' "$vardir" | sha256sum | cut -c1-12)
			dir=/tmp/parity-$name-$hash
			if [[ -e $dir ]]; then
				[[ -d $dir && ! -L $dir && $(stat -c %U -- "$dir") == "$owner" ]] ||
					parity_die "$dir exists and is not a directory owned by $owner; remove it"
				parity_note "removing stale $dir left by an earlier $vardir"
				"$stale_hook" "$dir"
				rm -rf -- "$dir"
			fi
			mkdir -m 700 -- "$dir"
			chown -- "$owner:" "$dir"
			parity_note "$owner cannot reach $vardir; keeping $name files in $dir"
		fi
	fi
	printf '%s\n' "$dir" >"$loc.tmp"
	mv -f -- "$loc.tmp" "$loc"
	printf '%s\n' "$dir"
}

# True when a server already listens on 127.0.0.1:PORT (connect succeeds). Uses bash's
# /dev/tcp so that no ss/netstat is needed.
parity_port_listening() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# True when a listening socket could bind 127.0.0.1:PORT now, with SO_REUSEADDR as both
# servers set it. perl-base is Essential in Debian, so this needs nothing extra.
parity_port_bindable() {
	perl -MSocket -e '
		socket(my $s, PF_INET, SOCK_STREAM, 0) or exit 2;
		setsockopt($s, SOL_SOCKET, SO_REUSEADDR, 1) or exit 2;
		bind($s, sockaddr_in($ARGV[0], inet_aton("127.0.0.1"))) or exit 1;
		exit 0' "$1"
}

# Fails at once when a server listens on PORT; otherwise waits (bounded) until the port can
# be bound. Our default ports lie inside Linux's ephemeral range (32768-60999): any outgoing
# connection on the machine may have used one as its source port, and after it closes the
# port stays in TIME_WAIT for a minute, which makes the server's bind fail with "address in
# use" although nothing listens there.
parity_wait_port_free() {
	local port=$1 deadline noted=0
	deadline=$(($(date +%s) + PARITY_PORT_WAIT_SECONDS))
	while :; do
		parity_port_listening "$port" &&
			parity_die "something already listens on 127.0.0.1:$port; stop it or pick another port"
		parity_port_bindable "$port" && return 0
		(($(date +%s) < deadline)) ||
			parity_die "127.0.0.1:$port stayed in use (no listener) for ${PARITY_PORT_WAIT_SECONDS}s"
		if ((!noted)); then
			parity_note "port $port is held by a closed connection (TIME_WAIT); waiting for it"
			noted=1
		fi
		sleep 1
	done
}

# Size of a file in bytes (0 when absent), to read later only what a start attempt logged.
parity_log_size() {
	stat -c %s -- "$1" 2>/dev/null || echo 0
}

# True when the part of LOG after OFFSET matches PATTERN (extended regex, any case): how
# callers recognise a bind lost to a connection that took the port after
# parity_wait_port_free looked, so that they retry instead of failing.
parity_port_collision() {
	local log=$1 offset=$2 pattern=$3
	tail -c +"$((offset + 1))" -- "$log" 2>/dev/null | grep -qiE -- "$pattern"
}

# Last lines of a log, to explain a failed start without sending the reader hunting.
parity_log_tail() {
	local log=$1
	if [[ -r $log ]]; then
		printf -- '--- last lines of %s ---\n' "$log" >&2
		tail -n 40 -- "$log" >&2
		printf -- '---\n' >&2
	fi
}
