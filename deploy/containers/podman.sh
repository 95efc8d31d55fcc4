#!/usr/bin/env bash
# Podman as a Docker stand-in on a machine with no Docker engine (and maybe no systemd):
#   podman.sh setup      install Podman, runc, netavark/aardvark-dns, iptables, debootstrap and Debian's
#                        docker-compose (1.29) when missing; write the containers.conf this machine needs
#   podman.sh start      also serve Podman's Docker-compatible API on $PARITY_PODMAN_SOCKET; prints
#                        `export CONTAINERS_CONF=... DOCKER_HOST=...` for eval
#   podman.sh stop       stop that API service
#   podman.sh status     exit 0 when that API service is running
# Everything it starts is recorded under $CTR_CACHE/run, so `stop` ends only what `start` started.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=deploy/containers/lib.sh
. "$here/lib.sh"

conf="$CTR_CACHE/containers.conf"
run="$CTR_CACHE/run"
sock="${PARITY_PODMAN_SOCKET:-$run/podman.sock}"

install_packages() {
  local need=() p
  for p in podman runc netavark aardvark-dns iptables catatonit debootstrap docker-compose; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need+=("$p")
  done
  [ "${#need[@]}" -eq 0 ] && return 0
  ctr_log "installing ${need[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

# Podman's defaults ask runc for limits this sandbox refuses: 1048576 open files (the hard limit here is
# lower) and a process limit above pid_max (refused with EPERM here, even at the hard limit). So the
# containers get this shell's hard limits, the process one capped at pid_max. runc, not crun (which
# refuses this machine's cgroup v1 layout); cgroupfs and file events, as there is no systemd.
write_conf() {
  local nofile nproc pidmax
  nofile="$(ulimit -Hn)"
  nproc="$(ulimit -Hu)"
  pidmax="$(cat /proc/sys/kernel/pid_max 2>/dev/null || echo 32768)"
  [ "$nofile" = unlimited ] && nofile=1048576
  if [ "$nproc" = unlimited ] || [ "$nproc" -gt "$pidmax" ]; then nproc="$pidmax"; fi
  mkdir -p "$CTR_CACHE"
  cat >"$conf.tmp" <<CONF
# Written by deploy/containers/podman.sh for this machine's limits (see there why).
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  mv "$conf.tmp" "$conf"
}

service_alive() {
  [ -f "$run/service.pid" ] && kill -0 "$(cat "$run/service.pid")" 2>/dev/null && [ -S "$sock" ]
}

start_service() {
  mkdir -p "$run" "$(dirname "$sock")"
  if ! service_alive; then
    rm -f "$sock"
    CONTAINERS_CONF="$conf" nohup podman system service --time=0 "unix://$sock" >"$run/service.log" 2>&1 &
    echo $! >"$run/service.pid"
    for _ in $(seq 1 100); do
      [ -S "$sock" ] && curl -fsS --unix-socket "$sock" http://d/_ping >/dev/null 2>&1 && break
      sleep 0.2
    done
    service_alive || { cat "$run/service.log" >&2; ctr_die "podman system service did not start"; }
  fi
  printf 'export CONTAINERS_CONF=%q DOCKER_HOST=%q\n' "$conf" "unix://$sock"
}

stop_service() {
  if [ -f "$run/service.pid" ]; then
    local pid
    pid="$(cat "$run/service.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$run/service.pid" "$sock"
  fi
}

case "${1:-}" in
  setup) install_packages && write_conf && printf 'export CONTAINERS_CONF=%q\n' "$conf" ;;
  start) install_packages && write_conf && start_service ;;
  stop) stop_service ;;
  status) service_alive ;;
  *) echo "usage: $0 setup|start|stop|status" >&2; exit 2 ;;
esac
