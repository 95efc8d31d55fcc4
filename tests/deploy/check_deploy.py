#!/usr/bin/env python3
"""Checks that the deployment files agree with what the binaries really accept.

Reads the config table from common/config_vars.h and the facts fixed for the daemons (ports, probe
paths, CronJob endpoints and schedules), then checks docker-compose.yml, .env.example, the rendered
k3s overlay, the Secret examples, the Dockerfiles and nginx.conf against them. One line per check:
"ok   NAME" or "FAIL NAME: why" (or "skip NAME: why"); exit 1 when any check failed.

usage: check_deploy.py [--root REPO] [--build-dir DIR]
"""
import argparse
import glob
import ipaddress
import os
import re
import shutil
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))

# The daemons' HTTP facts (SPEC sections 7 and 11): which port serves what.
OPERATIONAL_PUBLIC_PORT_VAR = "HTTP_PORT"
OPERATIONAL_INTERNAL_PORT_VAR = "INTERNAL_PORT"
DECISIONAL_METRICS_PORT_VAR = "METRICS_PORT"
LIVENESS_PATH = "/livez"
READINESS_PATH = "/readyz"
METRICS_PATH = "/metrics"
# CronJob name -> (schedule, internal endpoint): SPEC section 4's schedule.
EXPECTED_CRONJOBS = {
    "parity-pipeline-daily": ("0 22 * * *", "/internal/pipeline/daily"),
    "parity-pipeline-intraday": ("*/15 * * * *", "/internal/pipeline/intraday"),
    "parity-rebalance": ("0 2 1 * *", "/internal/rebalance"),
    "parity-cleanup": ("0 3 * * *", "/internal/cleanup"),
    "parity-recurring-deposits": ("10 0 * * *", "/internal/recurring"),
    "parity-tax-harvest": ("30 23 * * *", "/internal/harvest"),
}
# Variables the images may set that the code reads outside the config table (each must appear in the
# C sources as a string literal, so a renamed variable is caught). There are none: every variable is a
# row of config_vars.h.
EXTRA_CODE_VARS = set()
# The images Parity builds; containers running them must only get variables the code knows.
PARITY_IMAGES = ("parity-operational", "parity-decisional", "parity-cli", "parity-web")
PARITY_DAEMON_IMAGES = ("parity-operational", "parity-decisional", "parity-cli")
DECISIONAL_ALLOWED_EGRESS_PORTS = {5432, 5672, 443}
# PostgreSQL, AMQP, RabbitMQ management API (queue depth), HTTPS (Turnstile), SMTPS, submission.
OPERATIONAL_ALLOWED_EGRESS_PORTS = {5432, 5672, 15672, 443, 465, 587}
DNS_PORT = 53
TRAEFIK_LABELS = {"app.kubernetes.io/name": "traefik"}
MONITORING_NAMESPACE = "monitoring"
# Packages already in debian:12-slim that a runtime stage need not name.
# Variables compose itself reads from .env (COMPOSE_PROJECT_NAME, ...), never interpolated.
COMPOSE_OWN_PREFIX = "COMPOSE_"
SLIM_BASE_PACKAGES = {"libc6", "libgcc-s1", "zlib1g", "libcrypt1", "libstdc++6"}


class Report:
    def __init__(self):
        self.failed = 0
        self.passed = 0
        self.skipped = 0

    def check(self, name, problems):
        """problems: list of strings; empty means the check passed."""
        if problems:
            self.failed += 1
            print(f"FAIL {name}: " + "; ".join(problems[:6])
                  + (f" (+{len(problems) - 6} more)" if len(problems) > 6 else ""))
        else:
            self.passed += 1
            print(f"ok   {name}")

    def skip(self, name, why):
        self.skipped += 1
        print(f"skip {name}: {why}")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def load_config_table(root):
    """NAME -> (type, default) from the X-macro rows of common/config_vars.h. A default may be a named
    constant of that file (CONST or PARITY_CONFIG_TEXT(CONST)); its #define gives the value."""
    text = read(os.path.join(root, "common", "config_vars.h"))
    constants = {name: value.strip('"') for name, value in re.findall(r"^#define (\w+) (\S+)", text, re.M)}
    rows = re.findall(r'^\s+X\((\w+),\s*(\w+),\s*\w+,\s*(?:"((?:[^"\\]|\\.)*)"|(?:PARITY_CONFIG_TEXT\()?(\w+)\)?)',
                      text, re.M)
    return {name: (typ, literal if literal or not constant else constants.get(constant, ""))
            for name, typ, literal, constant in rows}


def c_string_literals(root, dirs):
    """Every string literal in the C sources under the given directories."""
    found = set()
    for d in dirs:
        for path in glob.glob(os.path.join(root, d, "**", "*.[ch]"), recursive=True):
            found.update(re.findall(r'"((?:[^"\\\n]|\\.)*)"', read(path)))
    return found


def render_kustomization(root, rel):
    sys.path.insert(0, os.path.join(root, "deploy", "tools"))
    import kustomize_render  # noqa: E402  (path set just above)
    return kustomize_render.render(os.path.join(root, "deploy", "k8s", rel))


def pod_spec(obj):
    spec = obj.get("spec") or {}
    if obj["kind"] == "CronJob":
        return spec["jobTemplate"]["spec"]["template"]["spec"]
    if obj["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
        return spec["template"]["spec"]
    return None


def containers(spec, init=True):
    out = list(spec.get("containers") or [])
    if init:
        out += list(spec.get("initContainers") or [])
    return out


def image_base(image):
    name = image.split("@")[0]
    slash, colon = name.rfind("/"), name.rfind(":")
    if colon > slash:
        name = name[:colon]
    return name.rsplit("/", 1)[-1]


def by_kind(objs, kind):
    return {o["metadata"]["name"]: o for o in objs if o["kind"] == kind}


def env_value(container, configmaps, name, default):
    """The value a variable takes in a container (plain value, ConfigMap, or the table default)."""
    for e in container.get("env") or []:
        if e["name"] == name and "value" in e:
            return e["value"]
    for src in container.get("envFrom") or []:
        cm = configmaps.get((src.get("configMapRef") or {}).get("name"))
        if cm and name in (cm.get("data") or {}):
            return cm["data"][name]
    return default


# --- checks -----------------------------------------------------------------------------------------

def check_config_table(rep, cfg):
    rep.check("config table parsed from common/config_vars.h",
              [] if len(cfg) >= 10 and all(t in ("STR", "SECRET", "INT", "BOOL", "DOUBLE")
                                           for t, _ in cfg.values())
              else [f"only {len(cfg)} rows or unknown types"])


def check_compose(rep, root, cfg):
    compose = yaml.safe_load(read(os.path.join(root, "docker-compose.yml")))
    env_example = parse_env_file(os.path.join(root, ".env.example"))
    services = compose.get("services") or {}
    secrets = {n for n, (t, _) in cfg.items() if t == "SECRET"}
    known = set(cfg) | EXTRA_CODE_VARS

    parity = {n: s for n, s in services.items()
              if "deploy/docker/" in str((s.get("build") or {}).get("dockerfile", ""))}
    problems = []
    for name, svc in parity.items():
        env = svc.get("environment") or {}
        if isinstance(env, list):
            env = dict(e.split("=", 1) if "=" in e else (e, "") for e in env)
        for var, value in env.items():
            if var not in known:
                problems.append(f"{name}: {var} is not in config_vars.h")
            if var in secrets and value not in (None, "") and "${" not in str(value):
                problems.append(f"{name}: {var} holds a literal secret")
    rep.check("compose: parity services use only variables from config_vars.h, secrets from .env",
              problems)

    text = read(os.path.join(root, "docker-compose.yml"))
    referenced = set(re.findall(r"\$\{(\w+)", text))
    required = set(re.findall(r"\$\{(\w+):\?", text))
    rep.check("compose: every required ${VAR} is defined in .env.example",
              [f"{v} missing from .env.example" for v in sorted(required - set(env_example))])
    rep.check(".env.example: every variable is read by compose",
              [f"{v} is never used in docker-compose.yml" for v in sorted(set(env_example) - referenced)
               if not v.startswith(COMPOSE_OWN_PREFIX)])
    rep.check(".env.example: daemon variables exist in config_vars.h",
              [f"{v} unknown" for v in sorted(env_example)
               if v not in known and v not in referenced_compose_only(text, cfg)])

    problems = []
    for name, svc in services.items():
        one_shot = str(svc.get("restart", "")) == "no"
        if not one_shot and not (svc.get("healthcheck") or {}).get("test"):
            problems.append(f"{name} has no healthcheck")
        for dep, cond in (svc.get("depends_on") or {}).items():
            if not isinstance(cond, dict) or cond.get("condition") not in (
                    "service_healthy", "service_completed_successfully"):
                problems.append(f"{name} -> {dep} without a health condition")
            elif cond["condition"] == "service_completed_successfully" and \
                    str(services.get(dep, {}).get("restart", "")) != "no":
                problems.append(f"{name} waits for {dep} to complete but {dep} restarts")
    rep.check("compose: healthcheck on every long-running service, depends_on by condition", problems)

    # `${POSTGRES_IMAGE:-postgres:15...}`: what runs unless a machine without a registry overrides it.
    def default_image(service):
        image = str(services.get(service, {}).get("image", ""))
        m = re.fullmatch(r"\$\{[A-Z_]+:-(.+)\}", image)
        return m.group(1) if m else image

    expected = {"postgres": "postgres:15", "rabbitmq": "rabbitmq:3"}
    problems = [f"{s} should run {img}*" for s, img in expected.items() if not default_image(s).startswith(img)]
    if "management" not in default_image("rabbitmq"):
        problems.append("rabbitmq image lacks the management UI")
    for s in ("migrate", "operational", "decisional", "web"):
        if s not in services:
            problems.append(f"service {s} missing")
    if ((services.get("decisional") or {}).get("deploy") or {}).get("replicas") != 2:
        problems.append("decisional should run 2 replicas")
    rep.check("compose: postgres 15, rabbitmq with UI, migrate, operational, 2 decisional, web", problems)

    problems = []
    named = set((compose.get("volumes") or {}).keys())
    for name, svc in services.items():
        for v in svc.get("volumes") or []:
            src, _, rest = str(v).partition(":")
            if src.startswith((".", "/")):
                if not rest.endswith(":ro"):
                    problems.append(f"{name}: bind mount {src} is not read-only")
            elif src not in named:
                problems.append(f"{name}: volume {src} is not a declared named volume")
        for p in svc.get("ports") or []:
            p = str(p)
            if name != "web" and not p.startswith("127.0.0.1:"):
                problems.append(f"{name} publishes {p} beyond the loopback interface")
            internal = cfg[OPERATIONAL_INTERNAL_PORT_VAR][1]
            if name == "operational" or p.endswith(":" + internal):
                problems.append(f"{name} publishes the internal port")
    rep.check("compose: named volumes, read-only config binds, internal port never published",
              problems)


def referenced_compose_only(text, cfg):
    """Variables .env.example may hold for compose itself (interpolated, not daemon variables)."""
    return {v for v in re.findall(r"\$\{(\w+)", text) if v not in cfg} | {"COMPOSE_PROJECT_NAME"}


def parse_env_file(path):
    out = {}
    for line in read(path).splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            k, v = line.split("=", 1)
            out[k.strip()] = v
    return out


def check_k8s_env(rep, objs, cfg):
    secrets = {n for n, (t, _) in cfg.items() if t == "SECRET"}
    known = set(cfg) | EXTRA_CODE_VARS
    configmaps = by_kind(objs, "ConfigMap")
    problems = []
    for cm_name, cm in configmaps.items():
        for key in cm.get("data") or {}:
            if key not in known:
                problems.append(f"ConfigMap {cm_name}: {key} not in config_vars.h")
            if key in secrets:
                problems.append(f"ConfigMap {cm_name}: secret {key} in plain config")
    for obj in objs:
        spec = pod_spec(obj)
        if spec is None:
            continue
        for c in containers(spec):
            if image_base(c["image"]) not in PARITY_DAEMON_IMAGES and \
                    obj["kind"] != "CronJob":
                continue
            for e in c.get("env") or []:
                where = f"{obj['kind']}/{obj['metadata']['name']}/{c['name']}"
                if e["name"] not in known:
                    problems.append(f"{where}: {e['name']} not in config_vars.h")
                if e["name"] in secrets and "secretKeyRef" not in (e.get("valueFrom") or {}):
                    problems.append(f"{where}: {e['name']} not taken from a Secret")
                ref = (e.get("valueFrom") or {}).get("secretKeyRef")
                if ref and ref["key"] not in secrets:
                    problems.append(f"{where}: Secret key {ref['key']} is not a SECRET variable")
    rep.check("k8s: env and ConfigMap variables exist in config_vars.h; secrets only from Secrets",
              problems)


def check_secret_examples(rep, root, cfg):
    secrets = {n for n, (t, _) in cfg.items() if t == "SECRET"}
    doc = yaml.safe_load(read(os.path.join(root, "deploy", "k8s", "secret.example.yaml")))
    data = dict(doc.get("stringData") or {}, **(doc.get("data") or {}))
    problems = [f"{s} missing" for s in sorted(secrets - set(data))]
    problems += [f"{k} is not a SECRET variable" for k in sorted(set(data) - secrets)]
    problems += [f"{k} has a value" for k, v in data.items() if v not in ("", None)]
    rep.check("k8s: secret.example.yaml lists every SECRET variable, with no value", problems)
    env = parse_env_file(os.path.join(root, "deploy", "k8s", "secrets.env.example"))
    problems = [f"{s} missing" for s in sorted(secrets - set(env))]
    problems += [f"{k} is not a SECRET variable" for k in sorted(set(env) - secrets)]
    problems += [f"{k} has a value" for k, v in env.items() if v.strip()]
    rep.check("k8s: secrets.env.example lists every SECRET variable, with no value", problems)
    # Every secret a Deployment reads must be a key of the example (so `make k8s-secrets` has it).
    return data


def container_port(c, ref):
    for p in c.get("ports") or []:
        if ref in (p.get("name"), p.get("containerPort")):
            return p["containerPort"]
    return None


def check_ingress(rep, objs, services, label):
    problems = []
    for ing in by_kind(objs, "Ingress").values():
        for rule in ing["spec"].get("rules") or []:
            for p in (rule.get("http") or {}).get("paths") or []:
                svc = p["backend"]["service"]
                if p["path"].startswith("/internal"):
                    problems.append(f"Ingress routes {p['path']}")
                if svc["name"] == "operational-internal":
                    problems.append("Ingress names the internal Service")
                target = services.get(svc["name"])
                if not target:
                    problems.append(f"Ingress backend {svc['name']} is no Service")
                    continue
                port = svc["port"].get("name", svc["port"].get("number"))
                if not any(port in (sp.get("name"), sp["port"]) for sp in target["spec"]["ports"]):
                    problems.append(f"Ingress backend {svc['name']}:{port} is no Service port")
            paths = sorted(p["path"] for p in (rule.get("http") or {}).get("paths") or [])
            if paths != ["/", "/api"]:
                problems.append(f"Ingress paths are {paths}, expected only / and /api")
        if ing["spec"].get("ingressClassName") != "traefik":
            problems.append("Ingress class is not traefik")
    if not by_kind(objs, "Ingress"):
        problems.append("no Ingress")
    rep.check(f"k8s ({label}): Traefik Ingress routes only /api and /, never /internal or the internal port",
              problems)


def check_ports_and_probes(rep, objs, cfg):
    deployments = by_kind(objs, "Deployment")
    services = by_kind(objs, "Service")
    configmaps = by_kind(objs, "ConfigMap")
    problems = []
    want = {
        "operational": {
            "http": OPERATIONAL_PUBLIC_PORT_VAR, "internal": OPERATIONAL_INTERNAL_PORT_VAR},
        "decisional": {"metrics": DECISIONAL_METRICS_PORT_VAR},
    }
    for dname, ports in want.items():
        dep = deployments.get(dname)
        if not dep:
            problems.append(f"Deployment {dname} missing")
            continue
        c = dep["spec"]["template"]["spec"]["containers"][0]
        for port_name, var in ports.items():
            value = env_value(c, configmaps, var, cfg[var][1])
            if str(container_port(c, port_name)) != str(value):
                problems.append(f"{dname}: port {port_name}={container_port(c, port_name)} but {var}={value}")
        ann = dep["spec"]["template"]["metadata"].get("annotations") or {}
        scrape_port = "internal" if dname == "operational" else "metrics"
        if ann.get("prometheus.io/scrape") != "true" or \
                str(ann.get("prometheus.io/port")) != str(container_port(c, scrape_port)) or \
                ann.get("prometheus.io/path") != METRICS_PATH:
            problems.append(f"{dname}: Prometheus annotations do not point at {METRICS_PATH} on {scrape_port}")
        probe_port = "http" if dname == "operational" else "metrics"
        for kind, path in (("livenessProbe", LIVENESS_PATH), ("readinessProbe", READINESS_PATH),
                           ("startupProbe", LIVENESS_PATH)):
            http = (c.get(kind) or {}).get("httpGet") or {}
            if http.get("path") != path or container_port(c, http.get("port")) != container_port(c, probe_port):
                problems.append(f"{dname}: {kind} should GET {path} on {probe_port}")
    rep.check("k8s: container ports match HTTP_PORT/INTERNAL_PORT/METRICS_PORT; probes on /livez, /readyz",
              problems)

    problems = []
    expect_services = {"operational": ("operational", "http"),
                       "operational-internal": ("operational", "internal"),
                       "decisional-metrics": ("decisional", "metrics"), "web": ("web", "http")}
    for sname, (dname, port_name) in expect_services.items():
        svc = services.get(sname)
        dep = deployments.get(dname)
        if not svc or not dep:
            problems.append(f"Service {sname} or Deployment {dname} missing")
            continue
        labels = dep["spec"]["template"]["metadata"]["labels"]
        if any(labels.get(k) != v for k, v in svc["spec"]["selector"].items()):
            problems.append(f"Service {sname} does not select Deployment {dname}")
        c = dep["spec"]["template"]["spec"]["containers"][0]
        targets = [container_port(c, p.get("targetPort", p["port"])) for p in svc["spec"]["ports"]]
        if targets != [container_port(c, port_name)]:
            problems.append(f"Service {sname} should expose only {dname}'s {port_name} port")
    rep.check("k8s: Services (public, internal, metrics, web) select the right Pods and ports", problems)

    check_ingress(rep, objs, services, "overlay k3s")


def check_trusted_proxies(rep, objs, cfg):
    """Behind Traefik every request comes from a Traefik Pod: unless operational trusts the Pod network,
    the per-IP limits see one client (the ingress) and lock everyone out together."""
    problems = []
    dep = by_kind(objs, "Deployment").get("operational")
    if not dep:
        problems.append("Deployment operational missing")
    else:
        c = dep["spec"]["template"]["spec"]["containers"][0]
        value = env_value(c, by_kind(objs, "ConfigMap"), "TRUSTED_PROXIES", cfg["TRUSTED_PROXIES"][1])
        entries = [e.strip() for e in str(value).split(",") if e.strip()]
        if not entries:
            problems.append("TRUSTED_PROXIES is empty")
        nets = []
        for e in entries:
            try:
                nets.append(ipaddress.ip_network(e, strict=False))
            except ValueError:
                problems.append(f"TRUSTED_PROXIES entry {e!r} is not an address or CIDR network")
        if entries and not any(n.version == 4 and n.prefixlen < 32 for n in nets):
            problems.append(f"TRUSTED_PROXIES={value!r} names no IPv4 Pod network (k3s: 10.42.0.0/16)")
    rep.check("k8s: operational trusts X-Forwarded-For from the Pod network (TRUSTED_PROXIES, CIDR)",
              problems)


def check_cronjobs(rep, objs, cfg, literals):
    cronjobs = by_kind(objs, "CronJob")
    services = by_kind(objs, "Service")
    problems = []
    if set(cronjobs) != set(EXPECTED_CRONJOBS):
        problems.append(f"CronJobs are {sorted(cronjobs)}")
    internal_svc = services.get("operational-internal")
    internal_port = internal_svc["spec"]["ports"][0]["port"] if internal_svc else None
    for name, (schedule, path) in EXPECTED_CRONJOBS.items():
        cj = cronjobs.get(name)
        if not cj:
            continue
        spec = cj["spec"]
        job = spec["jobTemplate"]["spec"]
        if spec.get("schedule") != schedule:
            problems.append(f"{name}: schedule {spec.get('schedule')!r}, expected {schedule!r}")
        if spec.get("timeZone") not in ("Etc/UTC", "UTC"):
            problems.append(f"{name}: not in UTC")
        if spec.get("concurrencyPolicy") != "Forbid":
            problems.append(f"{name}: concurrencyPolicy is not Forbid")
        for key in ("successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
            if not isinstance(spec.get(key), int):
                problems.append(f"{name}: {key} not set")
        for key in ("backoffLimit", "ttlSecondsAfterFinished"):
            if not isinstance(job.get(key), int):
                problems.append(f"{name}: {key} not set")
        c = job["template"]["spec"]["containers"][0]
        script = " ".join(c.get("command", []) + c.get("args", []))
        urls = re.findall(r"http://([\w.-]+):(\d+)(/[\w/-]+)", script)
        if len(urls) != 1:
            problems.append(f"{name}: expected one URL, found {urls}")
            continue
        host, port, url_path = urls[0]
        if host.split(".")[0] != "operational-internal" or int(port) != internal_port:
            problems.append(f"{name}: posts to {host}:{port}, not the internal Service port {internal_port}")
        if url_path != path:
            problems.append(f"{name}: posts to {url_path}, expected {path}")
        if "POST" not in script or "X-Internal-Secret" not in script:
            problems.append(f"{name}: not a POST with X-Internal-Secret")
        refs = [(e.get("valueFrom") or {}).get("secretKeyRef", {}).get("key") for e in c.get("env") or []]
        if "INTERNAL_SECRET" not in refs:
            problems.append(f"{name}: INTERNAL_SECRET not from the Secret")
    rep.check("k8s: CronJobs POST the right internal paths on the internal Service, on schedule, "
              "Forbid, backoff, history, TTL", problems)
    missing = sorted(p for _, p in EXPECTED_CRONJOBS.values() if p not in literals)
    rep.check("code: operational declares the CronJobs' internal routes",
              [f"{p} not found as a string literal in operational/" for p in missing])


def check_security(rep, objs):
    problems = []
    for obj in objs:
        spec = pod_spec(obj)
        if spec is None:
            continue
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        psc = spec.get("securityContext") or {}
        if psc.get("runAsNonRoot") is not True:
            problems.append(f"{where}: runAsNonRoot not set")
        if (psc.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
            problems.append(f"{where}: no RuntimeDefault seccomp profile")
        if spec.get("automountServiceAccountToken") is not False:
            problems.append(f"{where}: service account token mounted")
        for c in containers(spec):
            sc = c.get("securityContext") or {}
            if sc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where}/{c['name']}: privilege escalation allowed")
            if sc.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{where}/{c['name']}: root filesystem writable")
            if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
                problems.append(f"{where}/{c['name']}: capabilities not dropped")
            res = c.get("resources") or {}
            for kind in ("requests", "limits"):
                for r in ("cpu", "memory"):
                    if r not in (res.get(kind) or {}):
                        problems.append(f"{where}/{c['name']}: no {kind}.{r}")
            if ":" not in c["image"] and image_base(c["image"]) not in PARITY_IMAGES:
                problems.append(f"{where}/{c['name']}: image {c['image']} not pinned")
    rep.check("k8s: every Pod non-root, no privilege escalation, capabilities dropped, read-only root, "
              "requests and limits", problems)


def check_workloads(rep, objs):
    deployments = by_kind(objs, "Deployment")
    problems = []
    op = deployments.get("operational", {}).get("spec", {})
    if op.get("replicas") != 2:
        problems.append("operational should run 2 replicas")
    if (op.get("strategy") or {}).get("type") != "RollingUpdate":
        problems.append("operational is not a rolling update")
    pdb_targets = {p["spec"]["selector"]["matchLabels"].get("app.kubernetes.io/component")
                   for p in by_kind(objs, "PodDisruptionBudget").values()}
    for comp in ("operational", "decisional"):
        if comp not in pdb_targets:
            problems.append(f"no PodDisruptionBudget for {comp}")
    hpas = [h for h in by_kind(objs, "HorizontalPodAutoscaler").values()
            if h["spec"]["scaleTargetRef"]["name"] == "operational"]
    if not hpas or not any(m.get("resource", {}).get("name") == "cpu" for m in hpas[0]["spec"]["metrics"]):
        problems.append("no CPU HorizontalPodAutoscaler for operational")
    ns = by_kind(objs, "Namespace")
    if "parity" not in ns or any(o["metadata"].get("namespace") not in ("parity", None) for o in objs):
        problems.append("not everything is in namespace parity")
    rep.check("k8s: operational x2 rolling with PDB and CPU HPA, decisional PDB, namespace parity",
              problems)


def selects(policy, labels):
    return all(labels.get(k) == v for k, v in policy["spec"]["podSelector"].get("matchLabels", {}).items())


def check_network_policies(rep, objs, cfg):
    pols = list(by_kind(objs, "NetworkPolicy").values())
    problems = []
    deny = [p for p in pols if p["spec"]["podSelector"] == {} and
            set(p["spec"].get("policyTypes", [])) == {"Ingress", "Egress"} and
            not p["spec"].get("ingress") and not p["spec"].get("egress")]
    if not deny:
        problems.append("no default deny for ingress and egress")
    comp = lambda c: {"app.kubernetes.io/name": "parity", "app.kubernetes.io/component": c}  # noqa: E731
    internal_port = int(cfg[OPERATIONAL_INTERNAL_PORT_VAR][1])
    public_port = int(cfg[OPERATIONAL_PUBLIC_PORT_VAR][1])
    metrics_port = int(cfg[DECISIONAL_METRICS_PORT_VAR][1])

    def ingress_rules(labels):
        return [r for p in pols if selects(p, labels) and p["spec"]["podSelector"]
                for r in p["spec"].get("ingress") or []]

    def egress_rules(labels):
        return [r for p in pols if selects(p, labels) for r in p["spec"].get("egress") or []]

    def peers_ok(rule, allowed):
        return all(any(f == a for a in allowed) for f in rule.get("from") or [{}])

    traefik = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
               "podSelector": {"matchLabels": TRAEFIK_LABELS}}
    cron = {"podSelector": {"matchLabels": comp("cron")}}
    monitoring = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": MONITORING_NAMESPACE}}}

    op_rules = ingress_rules(comp("operational"))
    for r in op_rules:
        ports = {p["port"] for p in r.get("ports") or []}
        if not r.get("ports"):
            problems.append("operational ingress rule without ports")
        if not peers_ok(r, [traefik, cron, monitoring]):
            problems.append(f"operational reachable from {r.get('from')}")
        if traefik in (r.get("from") or []) and ports != {public_port}:
            problems.append("ingress controller reaches more than operational's public port")
        if cron in (r.get("from") or []) and ports != {internal_port}:
            problems.append("CronJobs reach more than operational's internal port")
    if not any(cron in (r.get("from") or []) for r in op_rules):
        problems.append("CronJobs cannot reach operational")
    if not any(traefik in (r.get("from") or []) for r in op_rules):
        problems.append("the ingress controller cannot reach operational")

    for r in ingress_rules(comp("decisional")):
        if r.get("from") != [monitoring] or {p["port"] for p in r.get("ports") or []} != {metrics_port}:
            problems.append(f"decisional ingress beyond metrics scraping: {r}")
    for r in egress_rules(comp("decisional")):
        ports = {p["port"] for p in r.get("ports") or []}
        if not ports:
            problems.append("decisional egress to any port")
        if ports - DECISIONAL_ALLOWED_EGRESS_PORTS - {DNS_PORT}:
            problems.append(f"decisional egress to ports {sorted(ports - DECISIONAL_ALLOWED_EGRESS_PORTS)}")
        if DNS_PORT in ports and r.get("to") is None:
            problems.append("DNS egress not limited to the cluster DNS")
    for r in egress_rules(comp("operational")):
        ports = {p["port"] for p in r.get("ports") or []}
        if not ports:
            problems.append("operational egress to any port")
        if ports - OPERATIONAL_ALLOWED_EGRESS_PORTS - {DNS_PORT}:
            problems.append(f"operational egress to ports {sorted(ports - OPERATIONAL_ALLOWED_EGRESS_PORTS)}")
    cron_egress = egress_rules(comp("cron"))
    if not any({p["port"] for p in r.get("ports") or []} == {internal_port} for r in cron_egress):
        problems.append("CronJobs have no egress to operational's internal port")
    rep.check("k8s: NetworkPolicies default-deny; operational from Traefik and CronJobs only; decisional "
              "only scraped, egress to PostgreSQL, RabbitMQ, DNS, HTTPS", problems)


DOCKERFILE_HEALTHCHECK_NONE_OK = {"cli.Dockerfile"}


def dockerfile_stages(text):
    """[(from_line, [instructions])] with continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    stages = []
    for line in joined.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        word = s.split(None, 1)[0].upper()
        if word == "FROM":
            stages.append((s, []))
        elif stages:
            stages[-1][1].append(s)
    return stages


def check_dockerfiles(rep, root, cfg):
    files = sorted(glob.glob(os.path.join(root, "deploy", "docker", "*.Dockerfile")))
    known = set(cfg) | EXTRA_CODE_VARS
    for path in files:
        name = os.path.basename(path)
        text = read(path)
        args = dict(re.findall(r"^ARG (\w+)=(\S+)", text, re.M))
        stages = dockerfile_stages(text)
        problems = []
        if len(stages) < 2:
            problems.append("not a multi-stage build")
        for from_line, _ in stages:
            image = from_line.split()[1]
            image = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), image)
            if image in [s[0].split()[-1] for s in stages] or image == "scratch":
                continue
            if ":" not in image or image.endswith(":latest") or not re.search(r":\S*\d", image):
                problems.append(f"base {image} not pinned to a version")
        final = stages[-1][1] if stages else []
        users = [i.split(None, 1)[1] for i in final if i.upper().startswith("USER ")]
        if not users or users[-1].split(":")[0] in ("0", "root"):
            problems.append("final stage does not switch to a non-root USER")
        hc = [i for i in final if i.upper().startswith("HEALTHCHECK")]
        if not hc:
            problems.append("no HEALTHCHECK")
        elif hc[0].upper() == "HEALTHCHECK NONE" and name not in DOCKERFILE_HEALTHCHECK_NONE_OK:
            problems.append("HEALTHCHECK NONE on a long-running image")
        if not any("org.opencontainers.image.revision" in i for i in final):
            problems.append("no org.opencontainers.image.revision label")
        for _, instrs in stages:
            for i in instrs:
                if i.upper().startswith("ADD ") and re.search(r"https?://", i):
                    problems.append("ADD of a URL")
                if "apt-get install" in i:
                    if "--no-install-recommends" not in i:
                        problems.append("apt-get install without --no-install-recommends")
                    if "rm -rf /var/lib/apt/lists" not in i:
                        problems.append("apt lists left in the layer")
                if i.upper().startswith("ENV "):
                    for var in re.findall(r"(\w+)=", i[4:]):
                        if var not in known:
                            problems.append(f"ENV {var} is not in config_vars.h")
        entry = [i for i in final if i.upper().startswith("ENTRYPOINT")]
        if not entry or not entry[-1].split(None, 1)[1].startswith("["):
            problems.append("ENTRYPOINT not in exec form (signals would not reach the daemon)")
        rep.check(f"Dockerfile {name}: multi-stage, pinned bases, non-root, HEALTHCHECK, commit label, "
                  "tidy apt, known ENV", problems)
    if not files:
        rep.check("Dockerfiles present", ["no deploy/docker/*.Dockerfile"])
    check_dockerfile_sources(rep, root, files)
    check_runtime_packages(rep, files)


def check_dockerfile_sources(rep, root, files):
    """The C images' build stage must copy every directory CMake adds."""
    subdirs = re.findall(r"add_subdirectory\((\S+?)\)", read(os.path.join(root, "CMakeLists.txt")))
    problems = []
    for path in files:
        text = read(path)
        if "cmake" not in text:
            continue
        copied = re.findall(r"^COPY (?!--from)(\S+)", text, re.M)
        for d in subdirs:
            top = d.split("/")[0]
            if not any(c.rstrip("/") in (d, top) or c.startswith(f"{d}/CMakeLists")
                       or c.startswith(f"{top}/") for c in copied):
                problems.append(f"{os.path.basename(path)} does not copy {d}/")
    rep.check("Dockerfiles: build stages copy every CMake subdirectory", problems)


def runtime_packages(path):
    stages = dockerfile_stages(read(path))
    pkgs = set()
    for i in stages[-1][1]:
        m = re.search(r"apt-get install ([^&;]*)", i)
        if m:
            pkgs.update(w for w in m.group(1).split() if not w.startswith("-"))
    return pkgs


def check_runtime_packages(rep, files):
    if not shutil.which("apt-cache"):
        rep.skip("Dockerfiles: every runtime package exists in this Debian 12's archive", "no apt-cache")
        return
    wanted = {p: os.path.basename(path) for path in files for p in runtime_packages(path)}
    # One apt-cache call for all: it prints a "Candidate:" for each package the archive has.
    out = subprocess.run(["apt-cache", "policy"] + sorted(wanted), capture_output=True, text=True).stdout
    available = set(re.findall(r"^(\S+):\n\s+Installed: .*\n\s+Candidate: (?!\(none\))", out, re.M))
    problems = [f"{df}: no Debian package {p}" for p, df in sorted(wanted.items()) if p not in available]
    rep.check("Dockerfiles: every runtime package exists in this Debian 12's archive", problems)


def dynamic_symbols(path, which):
    out = subprocess.run(["nm", "-D", which, path], capture_output=True, text=True).stdout
    return [line.split()[-1].split("@")[0] for line in out.splitlines() if line.split()]


def check_linked_libraries(rep, root, build_dir):
    """Every shared library the built binaries need is installed by their image's runtime stage."""
    binaries = {"parity-operational": "operational.Dockerfile",
                "parity-decisional": "decisional.Dockerfile", "parity": "cli.Dockerfile"}
    bin_dir = os.path.join(build_dir, "bin") if build_dir else None
    if not bin_dir or not all(os.path.exists(os.path.join(bin_dir, b)) for b in binaries):
        rep.skip("Dockerfiles: runtime stage installs every library the binaries link",
                 f"no built binaries in {bin_dir} (set --build-dir)")
        return
    if not shutil.which("objdump") or not shutil.which("dpkg"):
        rep.skip("Dockerfiles: runtime stage installs every library the binaries link", "no objdump/dpkg")
        return
    problems = []
    for binary, dockerfile in binaries.items():
        dockerfile_text = read(os.path.join(root, "deploy", "docker", dockerfile))
        pkgs = runtime_packages(os.path.join(root, "deploy", "docker", dockerfile)) | SLIM_BASE_PACKAGES
        out = subprocess.run(["objdump", "-p", os.path.join(bin_dir, binary)],
                             capture_output=True, text=True).stdout
        # The image links with --as-needed: a library none of whose symbols the binary uses is not
        # recorded there, whatever this build (linked without it) says.
        as_needed = "--as-needed" in dockerfile_text
        undefined = set(dynamic_symbols(os.path.join(bin_dir, binary), "--undefined-only")) if as_needed else set()
        for lib in re.findall(r"NEEDED\s+(\S+)", out):
            path = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
            m = re.search(rf"\s{re.escape(lib)} \(.*?\) => (\S+)", path)
            if not m:
                problems.append(f"{binary}: {lib} not found on this machine")
                continue
            if as_needed and not undefined & set(dynamic_symbols(m.group(1), "--defined-only")):
                continue
            owner = subprocess.run(["dpkg", "-S", os.path.realpath(m.group(1))],
                                   capture_output=True, text=True).stdout.split(":")[0]
            if not owner:
                owner = subprocess.run(["dpkg", "-S", m.group(1)], capture_output=True,
                                       text=True).stdout.split(":")[0]
            if owner.startswith("libopenblas0-"):
                owner = "libopenblas0"  # the metapackage picks one of the variants
            if owner not in pkgs:
                problems.append(f"{binary} needs {lib} from {owner or '?'}, not in {dockerfile}")
    rep.check("Dockerfiles: runtime stage installs every library the binaries link", problems)


def check_nginx(rep, root, cfg):
    text = read(os.path.join(root, "deploy", "docker", "nginx.conf"))
    problems = []
    port = cfg[OPERATIONAL_PUBLIC_PORT_VAR][1]
    entrypoint = read(os.path.join(root, "deploy", "docker", "web-entrypoint.sh"))
    if f'upstream="${{PARITY_API_UPSTREAM:-operational:{port}}}"' not in entrypoint:
        problems.append(f"web-entrypoint.sh: upstream default is not operational:{port}")
    if "include /tmp/nginx-upstream.conf;" not in text:
        problems.append("nginx.conf does not include what web-entrypoint.sh writes")
    if not re.search(r"location /api/ \{[^}]*proxy_pass http://\$parity_operational;", text):
        problems.append("/api/ not proxied to operational (through the re-resolved variable)")
    if not re.search(r"location /internal \{\s*return 404;", text):
        problems.append("/internal not refused")
    if "try_files $uri $uri/ /index.html" not in text:
        problems.append("no SPA fallback to index.html")
    rep.check("nginx.conf: proxies /api to operational's public port, refuses /internal, SPA fallback",
              problems)

    # The page's CSP: one policy from the entrypoint, allowing Stripe's hosts exactly when a publishable
    # key is set, the same hosts operational's own policy allows (operational/http.c).
    problems = []
    if text.count("add_header Content-Security-Policy $parity_csp always;") < 1 or \
            re.search(r'add_header Content-Security-Policy "', text):
        problems.append("nginx.conf sets a CSP other than the entrypoint's $parity_csp")
    if "map \\$host \\$parity_csp" not in entrypoint or 'if [ -n "${STRIPE_PUBLISHABLE_KEY:-}" ]' not in entrypoint:
        problems.append("web-entrypoint.sh does not write $parity_csp by STRIPE_PUBLISHABLE_KEY")
    http_c = read(os.path.join(root, "operational", "http.c"))
    stripe_hosts = lambda t: set(re.findall(r"https://[a-z]+\.stripe\.com", t))  # noqa: E731
    if stripe_hosts(entrypoint) != stripe_hosts(http_c) or not stripe_hosts(http_c):
        problems.append(f"Stripe hosts differ: web {sorted(stripe_hosts(entrypoint))}, "
                        f"operational {sorted(stripe_hosts(http_c))}")
    rep.check("nginx.conf: the entrypoint's CSP, with Stripe.js allowed only when a publishable key is set",
              problems)


def check_extra_vars(rep, literals):
    missing = sorted(v for v in EXTRA_CODE_VARS if v not in literals)
    rep.check("code: variables read outside the config table are read by the C sources",
              [f"{v} not found as a string literal in the C sources" for v in missing])


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=os.path.abspath(os.path.join(HERE, "..", "..")))
    ap.add_argument("--build-dir", default=os.environ.get("PARITY_BUILD_DIR"))
    args = ap.parse_args(argv)
    root = args.root
    build_dir = args.build_dir or os.path.join(root, "build")
    rep = Report()
    cfg = load_config_table(root)
    check_config_table(rep, cfg)
    objs = render_kustomization(root, "overlays/k3s")
    base = render_kustomization(root, "base")
    literals_all = c_string_literals(root, ["common", "operational", "decisional", "cli"])
    literals_op = c_string_literals(root, ["operational"])
    check_compose(rep, root, cfg)
    check_k8s_env(rep, objs, cfg)
    check_secret_examples(rep, root, cfg)
    check_ports_and_probes(rep, objs, cfg)
    check_ingress(rep, base, by_kind(base, "Service"), "base")
    check_trusted_proxies(rep, objs, cfg)
    check_cronjobs(rep, objs, cfg, literals_op)
    check_security(rep, objs)
    check_workloads(rep, objs)
    check_network_policies(rep, objs, cfg)
    check_dockerfiles(rep, root, cfg)
    check_linked_libraries(rep, root, build_dir)
    check_nginx(rep, root, cfg)
    check_extra_vars(rep, literals_all)
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
