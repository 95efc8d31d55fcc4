# Helpers for the SPA's scripts and for deploy/local/run.sh (sourced, never run): is Node recent enough,
# install the npm dependencies when needed, build dist/.
# shellcheck shell=bash

SPA_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# Vite 8 needs Node ^20.19 or >= 22.12 (its `engines`); Debian 12's own nodejs is 18, too old.
readonly SPA_NODE_MIN_MAJOR=20
readonly SPA_NODE_MIN_MINOR=19

# True when node and npm exist and node is recent enough for Vite; otherwise says why (on stderr) and fails.
spa_node_ok() {
	local v major minor
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		echo "frontend: skipped: node/npm not found (the SPA needs Node >= $SPA_NODE_MIN_MAJOR.$SPA_NODE_MIN_MINOR;" \
			"Debian 12's nodejs is 18, install a newer one e.g. from NodeSource)" >&2
		return 1
	fi
	v=$(node --version)
	v=${v#v}
	major=${v%%.*}
	minor=${v#*.}
	minor=${minor%%.*}
	if ((major < SPA_NODE_MIN_MAJOR || (major == SPA_NODE_MIN_MAJOR && minor < SPA_NODE_MIN_MINOR))); then
		echo "frontend: skipped: node v$v is older than Vite needs ($SPA_NODE_MIN_MAJOR.$SPA_NODE_MIN_MINOR)" >&2
		return 1
	fi
}

# npm ci when node_modules is missing or older than package-lock.json (npm writes
# node_modules/.package-lock.json on every install, so its age is the install's age).
spa_install() {
	local stamp=$SPA_DIR/node_modules/.package-lock.json
	if [[ ! -f $stamp || $SPA_DIR/package-lock.json -nt $stamp ]]; then
		(cd "$SPA_DIR" && npm ci --no-audit --no-fund --loglevel=error </dev/null)
	fi
}

# Dependencies, then `npm run build` (type check + vite build into dist/).
spa_build() {
	spa_install || return 1
	(cd "$SPA_DIR" && npm run --silent build </dev/null)
}
