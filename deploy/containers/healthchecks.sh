#!/usr/bin/env bash
# Runs the compose project's HEALTHCHECKs with Podman where no systemd schedules them (Podman hands them
# to systemd timers; without systemd a container stays "starting" forever and compose's
# `condition: service_healthy` never holds). Each running container of the project that has a healthcheck
# is checked when its interval is due (start period and retries are Podman's own, as with the timers).
#   healthchecks.sh start PROJECT   in the background; its pid is kept under $CTR_CACHE/run
#   healthchecks.sh stop PROJECT    ends the one `start` started for that project
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=deploy/containers/lib.sh
. "$here/lib.sh"
run="$CTR_CACHE/run"
pidfile="$run/healthchecks-${2:-parity}.pid"

loop() {
  local project="$1" now id interval
  declare -A due=()
  while :; do
    now="$(date +%s)"
    for id in $(podman ps -q --filter "label=com.docker.compose.project=$project" 2>/dev/null); do
      [ "${due[$id]:-0}" -le "$now" ] || continue
      interval="$(podman inspect --format '{{if .Config.Healthcheck}}{{.Config.Healthcheck.Interval}}{{end}}' "$id" 2>/dev/null || true)"
      if [ -z "$interval" ]; then
        due[$id]=$((now + 3600)) # no healthcheck: nothing to run
        continue
      fi
      # Go durations in nanoseconds (or "10s" in some versions); 30 s when unset, as Docker's default.
      case "$interval" in
        *s) interval="${interval%s}" ;;
        0 | '') interval=30 ;;
        *) interval=$((interval / 1000000000)) ;;
      esac
      [ "$interval" -ge 1 ] 2>/dev/null || interval=30
      podman healthcheck run "$id" >/dev/null 2>&1 || true
      due[$id]=$((now + interval))
    done
    sleep 1
  done
}

case "${1:-}" in
  start)
    project="${2:?usage: healthchecks.sh start PROJECT}"
    mkdir -p "$run"
    "$0" stop "$project"
    nohup "$0" loop "$project" >"$run/healthchecks-$project.log" 2>&1 &
    echo $! >"$pidfile"
    ;;
  loop) loop "${2:?}" ;;
  stop)
    if [ -f "$pidfile" ]; then
      kill "$(cat "$pidfile")" 2>/dev/null || true
      rm -f "$pidfile"
    fi
    ;;
  *) echo "usage: $0 start PROJECT | stop PROJECT" >&2; exit 2 ;;
esac
