#!/usr/bin/env bash
# Installs whichever of Parity's Debian packages (deploy/local/packages.txt) are missing.
# Usage: deps.sh   (fast no-op when everything is installed)
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
list=${PARITY_PACKAGES_FILE:-$here/packages.txt}
readonly POLICY_RC=/usr/sbin/policy-rc.d

[[ -r $list ]] || {
	printf 'deps.sh: error: cannot read %s\n' "$list" >&2
	exit 1
}

# Package names, comments and blank lines stripped.
mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' -- "$list")
((${#wanted[@]} > 0)) || exit 0

# One dpkg-query for the whole list; a package dpkg has never heard of prints nothing on
# stdout (its complaint goes to stderr), so anything not reported "install ok installed"
# is missing.
declare -A installed=()
while read -r name status; do
	[[ $status == "install ok installed" ]] && installed[${name%%:*}]=1
done < <(dpkg-query -W -f='${Package} ${Status}\n' -- "${wanted[@]}" 2>/dev/null || true)

missing=()
for p in "${wanted[@]}"; do
	[[ -n ${installed[$p]:-} ]] || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

printf 'deps.sh: installing %s\n' "${missing[*]}" >&2
sudo=()
if [[ $(id -u) -ne 0 ]]; then
	command -v sudo >/dev/null || {
		printf 'deps.sh: error: not root and no sudo; install as root: apt-get install %s\n' "${missing[*]}" >&2
		exit 1
	}
	sudo=(sudo)
fi

# Installing postgresql or rabbitmq-server asks invoke-rc.d to start the system services.
# Without systemd (containers, CI) that start can fail and fail the install with it, and we
# do not want them anyway (our instances run on their own ports): when nothing decides
# already, deny service starts for the duration of the install.
added_policy=0
cleanup() {
	if ((added_policy)); then
		"${sudo[@]}" rm -f -- "$POLICY_RC"
	fi
}
trap cleanup EXIT
if [[ ! -e $POLICY_RC && ! -d /run/systemd/system ]]; then
	printf '#!/bin/sh\n# Temporary, from Parity deploy/local/deps.sh: no service starts during install.\nexit 101\n' |
		"${sudo[@]}" tee -- "$POLICY_RC" >/dev/null
	"${sudo[@]}" chmod 755 -- "$POLICY_RC"
	added_policy=1
fi

export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -- "${missing[@]}"
