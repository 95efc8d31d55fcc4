#!/usr/bin/env bash
# shellcheck disable=SC2016 # the sed expressions below are literal on purpose
# Proves the deployment checkers are not vacuous: each case breaks one fact in a copy of the files
# and expects check_deploy.py / check_metrics.py to report exactly that check as FAIL.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
python="${PYTHON:-/usr/bin/python3}"
work="$(mktemp -d "${TMPDIR:-/tmp}/parity-selftest.XXXXXX")"
trap 'rm -rf "$work"' EXIT
failures=0
cases=0

fresh_copy() {
  rm -rf "$work/repo"
  mkdir -p "$work/repo/deploy"
  cp -r "$root/CMakeLists.txt" "$root/docker-compose.yml" "$root/.env.example" "$root/common" \
    "$root/operational" "$root/cli" "$work/repo/"
  mkdir -p "$work/repo/decisional"
  cp -r "$root/decisional" "$work/repo/" && rm -rf "$work/repo/decisional/data"
  cp -r "$root/deploy/docker" "$root/deploy/k8s" "$root/deploy/grafana" "$root/deploy/tools" "$work/repo/deploy/"
  rm -f "$work/repo/deploy/k8s/secrets.env"
}

# expect_fail CHECKER FILE SED_EXPRESSION CHECK_NAME_PATTERN DESCRIPTION
expect_fail() {
  local checker="$1" file="$2" expr="$3" pattern="$4" what="$5"
  cases=$((cases + 1))
  fresh_copy
  local before
  before="$(md5sum "$work/repo/$file")"
  sed -i -e "$expr" "$work/repo/$file"
  if [ "$(md5sum "$work/repo/$file")" = "$before" ]; then
    echo "case '$what': the mutation did not change $file"
    failures=$((failures + 1))
    return
  fi
  local out
  out="$("$python" "$root/tests/deploy/$checker" --root "$work/repo" --build-dir /nonexistent 2>&1)"
  if ! printf '%s\n' "$out" | grep -E "^FAIL .*$pattern" >/dev/null; then
    echo "case '$what': $checker did not report a FAIL matching /$pattern/"
    printf '%s\n' "$out" | grep -E '^FAIL' | sed 's/^/    /'
    failures=$((failures + 1))
  fi
}

expect_fail check_deploy.py deploy/k8s/base/cronjobs.yaml 's/"0 22 \* \* \*"/"0 23 * * *"/' \
  'CronJobs POST' 'daily pipeline at the wrong hour'
expect_fail check_deploy.py deploy/k8s/base/cronjobs.yaml 's#8082/internal/cleanup#8082/internal/clean#' \
  'CronJobs POST' 'cleanup posting to a wrong path'
expect_fail check_deploy.py deploy/k8s/base/cronjobs.yaml '0,/concurrencyPolicy: Forbid/s//concurrencyPolicy: Allow/' \
  'CronJobs POST' 'a CronJob allowing overlapping runs'
expect_fail check_deploy.py deploy/k8s/overlays/k3s/ingress.yaml "s#path: /api#path: /internal#" \
  'overlay k3s.: Traefik Ingress' 'overlay Ingress exposing /internal'
expect_fail check_deploy.py deploy/k8s/base/ingress.yaml 's#name: operational#name: operational-internal#' \
  'base.: Traefik Ingress' 'base Ingress naming the internal Service'
expect_fail check_deploy.py deploy/k8s/base/operational.yaml 's/containerPort: 8081/containerPort: 8080/' \
  'container ports match' 'operational port not HTTP_PORT'
expect_fail check_deploy.py deploy/k8s/base/decisional.yaml 's#path: /readyz#path: /livez#' \
  'probes on /livez, /readyz' 'readiness probe on /livez'
expect_fail check_deploy.py deploy/k8s/base/configmap.yaml 's/^  LOG_LEVEL: info/  LOG_LEVEL: info\n  JWT_SECRET: oops/' \
  'secrets only from Secrets' 'a secret in the ConfigMap'
expect_fail check_deploy.py deploy/k8s/base/configmap.yaml 's/^  LOG_LEVEL: info/  LOG_LEVEL: info\n  LOG_LEVL: info/' \
  'exist in config_vars.h' 'a misspelt variable'
expect_fail check_deploy.py deploy/k8s/secret.example.yaml '/TOTP_ENC_KEY/d' \
  'secret.example.yaml lists every SECRET' 'Secret example missing a secret'
expect_fail check_deploy.py deploy/k8s/base/networkpolicies.yaml '0,/port: 443/s//port: 8443/' \
  'NetworkPolicies' 'operational egress to an arbitrary port'
expect_fail check_deploy.py deploy/k8s/base/networkpolicies.yaml '/name: decisional-egress/,$s/port: 443/port: 80/' \
  'NetworkPolicies' 'decisional egress to plain HTTP'
expect_fail check_deploy.py deploy/k8s/base/operational.yaml '0,/allowPrivilegeEscalation: false/s//allowPrivilegeEscalation: true/' \
  'every Pod non-root' 'privilege escalation allowed'
expect_fail check_deploy.py docker-compose.yml 's/      ENABLE_CRON: "true"/      ENABLE_CRON: "true"\n      ENABLE_CRONN: "true"/' \
  'compose: parity services use only' 'compose passing an unknown variable'
expect_fail check_deploy.py docker-compose.yml 's/JWT_SECRET: ${JWT_SECRET:?set JWT_SECRET in .env}/JWT_SECRET: hunter2hunter2/' \
  'secrets from .env' 'compose holding a literal secret'
expect_fail check_deploy.py docker-compose.yml '0,/condition: service_healthy/s//condition: service_started/' \
  'depends_on by condition' 'compose depending on a started, not healthy, service'
expect_fail check_deploy.py deploy/docker/operational.Dockerfile '/^USER /d' \
  'Dockerfile operational.Dockerfile' 'image running as root'
expect_fail check_deploy.py deploy/docker/decisional.Dockerfile 's/^ARG DEBIAN_IMAGE=debian:12.7-slim/ARG DEBIAN_IMAGE=debian:latest/' \
  'Dockerfile decisional.Dockerfile' 'unpinned base image'
expect_fail check_deploy.py deploy/docker/operational.Dockerfile 's/libpq5/libpq-five/' \
  'runtime package exists' 'a runtime package Debian does not have'
expect_fail check_deploy.py deploy/docker/web-entrypoint.sh 's#operational:8081#operational:8082#' \
  'nginx.conf' 'nginx proxying to the internal port'
expect_fail check_deploy.py deploy/docker/nginx.conf 's#proxy_pass http://$parity_operational;#proxy_pass http://operational:8081;#' \
  'nginx.conf' 'nginx resolving operational once, at start'
expect_fail check_metrics.py deploy/grafana/alerts.yml 's/parity_operational_dead_letter_messages/parity_operational_dead_letters/' \
  'alert rules' 'an alert on a metric the code does not export'
expect_fail check_metrics.py deploy/grafana/alerts.yml 's/pipeline="daily_sync"/pipeline="nightly"/' \
  'alert rules' 'an alert on a label value the code never writes'
expect_fail check_metrics.py deploy/grafana/parity-dashboard.json 's/parity_decisional_hrp_duration_seconds_bucket/parity_decisional_hrp_seconds_bucket/' \
  'dashboard' 'a dashboard panel on an undeclared metric'

echo "$((cases - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
