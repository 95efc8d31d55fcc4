#!/usr/bin/env bash
# Brings the compose stack up and waits until every service is healthy, with Docker or with Podman:
# the base images (made locally when no registry serves them), `make images`, `up --detach`, and with
# Podman the healthchecks run by healthchecks.sh (no systemd here to schedule them). Prints the seconds
# from `up` to healthy as its last line ("healthy after N s").
# usage: compose-up.sh ROOT  (env: COMPOSE, the compose command; PARITY_IMAGE_TAG; PARITY_SKIP_IMAGES=1
# when the images are built already; COMPOSE_PROJECT_NAME and an --env-file in COMPOSE as needed)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=deploy/containers/lib.sh
. "$here/lib.sh"
root="$(cd "${1:?usage: compose-up.sh ROOT}" && pwd)"
engine="$(ctr_engine)"
compose="${COMPOSE:-docker-compose --compatibility}"
project="${COMPOSE_PROJECT_NAME:-$(sed -n 's/^COMPOSE_PROJECT_NAME=//p' "$root/.env" 2>/dev/null || true)}"
project="${project:-$(basename "$root")}"
export COMPOSE_PROJECT_NAME="$project" PARITY_IMAGE_TAG="${PARITY_IMAGE_TAG:-local}"

# POSTGRES_IMAGE etc. in the environment win over .env, as compose reads them.
bases="$("$here/base-images.sh" "$engine")"
while IFS='=' read -r k v; do export "$k=$v"; done <<<"$bases"
if [ "${PARITY_SKIP_IMAGES:-}" != 1 ]; then
  make --no-print-directory -C "$root" images IMAGE_TAG="$PARITY_IMAGE_TAG" CONTAINER_ENGINE="$engine" \
    DEBIAN_IMAGE="$DEBIAN_IMAGE" NODE_IMAGE="$NODE_IMAGE"
fi

if [ "$engine" = podman ]; then
  "$here/healthchecks.sh" start "$project"
fi
started="$(date +%s)"
(cd "$root" && $compose up --detach --no-build)

# Healthy: every container of the project with a healthcheck reports healthy and none is unhealthy or
# exited non-zero (the one-shot migrate exits 0).
state() {
  "$engine" ps -a --filter "label=com.docker.compose.project=$project" \
    --format '{{.Names}} {{.Status}}' 2>/dev/null
}
deadline=$((started + ${PARITY_HEALTHY_TIMEOUT:-600}))
while :; do
  s="$(state)"
  if printf '%s\n' "$s" | grep -Eq '\(unhealthy\)|Exited \([1-9]'; then
    printf '%s\n' "$s" >&2
    ctr_die "a service is unhealthy or exited non-zero"
  fi
  if [ -n "$s" ] && ! printf '%s\n' "$s" | grep -Eq 'starting|\(health: starting\)|Created|Restarting' &&
    [ "$(printf '%s\n' "$s" | grep -c 'healthy')" -ge 1 ]; then
    break
  fi
  [ "$(date +%s)" -lt "$deadline" ] || { printf '%s\n' "$s" >&2; ctr_die "not healthy after ${PARITY_HEALTHY_TIMEOUT:-600} s"; }
  sleep 1
done
printf '%s\n' "$s"
echo "healthy after $(($(date +%s) - started)) s"
