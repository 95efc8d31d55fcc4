#!/usr/bin/env bash
# `make test-containers`: the four images and the compose stack for real, then smoke checks through
# nginx, then everything torn down but the images (the next run's cache).
#  - Docker when its engine answers; otherwise Podman (installed with runc when missing), with the
#    containers.conf this machine needs and its Docker API socket for Debian's docker-compose 1.29;
#  - base images made locally (debootstrap, Node from the npm registry, Debian's PostgreSQL and
#    RabbitMQ) when no registry serves them, kept across runs;
#  - `make images`, `up`, healthchecks run here where no systemd schedules them, smoke.py;
#  - image sizes and the time to healthy printed; containers, networks and volumes removed.
# Env: PARITY_CONTAINERS_WEB_PORT (28081), PARITY_CONTAINERS_RABBITMQ_UI_PORT (28672).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=deploy/containers/lib.sh
. "$here/lib.sh"
t0="$(date +%s)"

engine="$(ctr_engine)"
export PARITY_CONTAINER_ENGINE="$engine"
started_service=0
if [ "$engine" = podman ]; then
  # A service someone else started (`make up`) is left running at the end.
  "$here/podman.sh" status || started_service=1
  eval "$("$here/podman.sh" start)"
  compose_cmd="docker-compose --compatibility"
elif docker compose version >/dev/null 2>&1; then
  compose_cmd="docker compose"
else
  compose_cmd="docker-compose --compatibility"
fi
command -v "${compose_cmd%% *}" >/dev/null || ctr_die "${compose_cmd%% *} is not installed"
ctr_log "engine: $engine; compose: $compose_cmd ($($compose_cmd version 2>/dev/null | head -n 1))"

tag="$(git -C "$root" rev-parse HEAD 2>/dev/null || echo local)"
export COMPOSE_PROJECT_NAME=parity-ctest PARITY_IMAGE_TAG="$tag"
work="$(mktemp -d "${TMPDIR:-/tmp}/parity-ctest.XXXXXX")"
# A fresh .env of random secrets, never the repository's .env (the developer's own stack).
hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }
cat >"$work/env" <<ENV
WEB_PORT=${PARITY_CONTAINERS_WEB_PORT:-28081}
RABBITMQ_UI_PORT=${PARITY_CONTAINERS_RABBITMQ_UI_PORT:-28672}
POSTGRES_PASSWORD=$(hex 16)
DECISIONAL_DB_PASSWORD=$(hex 16)
RABBITMQ_PASSWORD=$(hex 16)
JWT_SECRET=$(hex 32)
TOTP_ENC_KEY=$(hex 32)
INTERNAL_SECRET=$(hex 16)
PARITY_ENV=development
LOG_LEVEL=info
MARKET_SOURCE=bundled
ENV
compose="$compose_cmd --env-file $work/env --project-name $COMPOSE_PROJECT_NAME"

# shellcheck disable=SC2317 # run by the EXIT trap
teardown() {
  local rc=$?
  set +e
  if [ "$rc" -ne 0 ] && [ -n "${compose_started:-}" ]; then
    ctr_log "failed: the last log lines of each service"
    (cd "$root" && $compose logs --tail=30 --no-color 2>&1 | tail -n 200) >&2
  fi
  ctr_log "teardown: containers, networks and volumes (images are kept)"
  (cd "$root" && $compose down --volumes --remove-orphans --timeout 20 >/dev/null 2>&1)
  [ "$engine" = podman ] && "$here/healthchecks.sh" stop "$COMPOSE_PROJECT_NAME"
  [ "$started_service" = 1 ] && "$here/podman.sh" stop
  rm -rf "$work"
  exit "$rc"
}
trap teardown EXIT

bases="$("$here/base-images.sh" "$engine")"
while IFS='=' read -r k v; do export "$k=$v"; done <<<"$bases"
t_bases="$(date +%s)"

ctr_log "make images (tag $tag)"
make --no-print-directory -C "$root" images IMAGE_TAG="$tag" CONTAINER_ENGINE="$engine" \
  DEBIAN_IMAGE="$DEBIAN_IMAGE" NODE_IMAGE="$NODE_IMAGE" >"$work/images.log" 2>&1 ||
  { tail -n 60 "$work/images.log" >&2; ctr_die "make images failed"; }
t_images="$(date +%s)"

# Every shared library of every binary resolves in its image (a package list kept by hand must not
# miss one; the ones nothing needs were removed).
for pair in operational:/usr/bin/parity-operational decisional:/usr/bin/parity-decisional cli:/usr/bin/parity; do
  out="$("$engine" run --rm --entrypoint ldd "parity-${pair%%:*}:$tag" "${pair#*:}" 2>&1)" ||
    ctr_die "ldd ${pair#*:} failed: $out"
  if printf '%s\n' "$out" | grep -q 'not found'; then
    printf '%s\n' "$out" >&2
    ctr_die "parity-${pair%%:*}: a shared library is missing"
  fi
done
"$engine" image inspect --format '{{json .Config.Healthcheck}}' "parity-operational:$tag" | grep -q livez ||
  ctr_die "parity-operational lost its HEALTHCHECK (Podman builds need --format docker)"
[ "$("$engine" image inspect --format '{{index .Config.Labels "org.opencontainers.image.revision"}}' "parity-web:$tag")" = "$tag" ] ||
  ctr_die "parity-web is not labelled with revision $tag"

compose_started=1
COMPOSE="$compose" PARITY_SKIP_IMAGES=1 "$here/compose-up.sh" "$root" >"$work/up.log" 2>&1 ||
  { cat "$work/up.log" >&2; ctr_die "the stack did not become healthy"; }
healthy="$(sed -n 's/^healthy after \([0-9]*\) s$/\1/p' "$work/up.log")"
grep -v '^healthy after' "$work/up.log" | grep -E '^[a-z0-9_-]+ ' | sed 's/^/  /' || true

ctr_log "smoke checks through nginx on http://127.0.0.1:${PARITY_CONTAINERS_WEB_PORT:-28081}"
smoke_rc=0
BASE_URL="http://127.0.0.1:${PARITY_CONTAINERS_WEB_PORT:-28081}" ENGINE="$engine" python3 "$here/smoke.py" ||
  smoke_rc=$?

echo
echo "image sizes:"
for name in operational decisional cli web; do
  "$engine" image ls --format "  {{.Repository}}:{{.Tag}}  {{.Size}}" "parity-$name:$tag" | sed "s/:$tag/:${tag:0:12}/" | head -n 1
done
printf 'base images: %s (%ss)\n' "$(printf '%s' "$bases" | tr '\n' ' ')" "$((t_bases - t0))"
printf 'make images: %s s; up to healthy: %s s; whole run (before teardown): %s s\n' \
  "$((t_images - t_bases))" "${healthy:-?}" "$(($(date +%s) - t0))"
exit "$smoke_rc"
