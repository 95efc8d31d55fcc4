# shellcheck shell=bash
# Shared by deploy/containers/*.sh: logging, the container engine, and where caches live.
# Sourced, never run. ENGINE is "docker" when a Docker engine answers, else "podman".

ctr_log() { printf '[containers %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
ctr_die() { ctr_log "error: $*"; exit 1; }

# A Docker engine (not just the client, which this kind of machine ships) wins; otherwise Podman.
ctr_engine() {
  if [ -n "${PARITY_CONTAINER_ENGINE:-}" ]; then
    printf '%s\n' "$PARITY_CONTAINER_ENGINE"
  elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    echo docker
  else
    echo podman
  fi
}

# Cache for what is slow to make and never changes between commits: the debootstrapped root file
# system and the Node tarballs. Outside the work tree so a fresh clone finds it.
# shellcheck disable=SC2034 # used by the scripts that source this
CTR_CACHE="${PARITY_CONTAINER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/parity-containers}"

# The Debian mirror apt on this machine already uses (debootstrap needs one; no host is named here).
ctr_debian_mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then
    printf '%s\n' "$DEBIAN_MIRROR"
    return
  fi
  local m
  m="$(grep -rhoE '^(URIs:|deb)[[:space:]]+[^[:space:]]+/debian/?([[:space:]]|$)' \
    /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null | awk '{print $2}' | head -n 1)"
  [ -n "$m" ] || ctr_die "no Debian mirror in /etc/apt sources: set DEBIAN_MIRROR"
  printf '%s\n' "${m%/}"
}
