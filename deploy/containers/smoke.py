#!/usr/bin/env python3
"""Smoke checks of the running compose stack, through nginx as a browser reaches it, plus what only the
engine can see: the mail volume, RabbitMQ's consumers, `parity audit` from the cli image. Standard
library only (runs on any CI runner). One "ok"/"FAIL" line per check, then "N passed, N failed".

usage: smoke.py  (env: BASE_URL, ENGINE, COMPOSE_PROJECT_NAME)
"""
import email
import http.cookiejar
import json
import os
import re
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from email import policy

BASE = os.environ["BASE_URL"].rstrip("/")
ENGINE = os.environ.get("ENGINE", "podman")
PROJECT = os.environ["COMPOSE_PROJECT_NAME"]
# Deadlines, never pauses: a passing check does not wait for them (a loaded 2-core machine is slow).
WAIT = 300
PASSWORD = "Correct horse battery staple 42"
NGINX_REQUEST_ID = re.compile(r"[0-9a-f]{32}")

passed = failed = 0


def check(name, fn):
    global passed, failed
    try:
        detail = fn()
        passed += 1
        print(f"ok   {name}" + (f": {detail}" if detail else ""), flush=True)
        return True
    except Exception as exc:  # a smoke check reports every failure and goes on
        failed += 1
        print(f"FAIL {name}: {exc}", flush=True)
        return False


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)


opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def http(method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with opener.open(req, timeout=60) as r:
            return Answer(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Answer(e.code, e.headers, e.read())


def retry(send, ok, what, timeout=WAIT):
    """send() again until ok(answer) or the deadline; 503/429 with Retry-After are load shedding."""
    deadline = time.monotonic() + timeout
    while True:
        answer = send()
        if ok(answer):
            return answer
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: {answer.status} {answer.body[:300]!r}")
        time.sleep(0.5)


def engine(*args, check=True, **kw):
    run = subprocess.run([ENGINE, *args], capture_output=True, text=True, timeout=600, **kw)
    if check and run.returncode != 0:
        raise AssertionError(f"{ENGINE} {' '.join(args[:3])}... exited {run.returncode}: {run.stderr[-500:]}")
    return run.stdout


def containers(service):
    out = engine("ps", "-q", "--filter", f"label=com.docker.compose.project={PROJECT}",
                 "--filter", f"label=com.docker.compose.service={service}")
    return out.split()


def expect(cond, message):
    if not cond:
        raise AssertionError(message)


# ------------------------------------------------------------------------------------------ checks

def spa():
    a = http("GET", "/")
    expect(a.status == 200 and b'<div id="root">' in a.body, f"GET / answered {a.status}")
    deep = http("GET", "/portfolio")
    expect(deep.status == 200 and b'<div id="root">' in deep.body, f"client route answered {deep.status}")
    return f"{len(a.body)} bytes, client routes fall back to index.html"


def market_status():
    a = http("GET", "/api/v1/market/status")
    expect(a.status == 200, f"{a.status} {a.body[:200]!r}")
    rid = a.headers.get("X-Request-Id", "")
    # nginx's $request_id, not operational's own UUID: the trusted proxy's id names the request.
    expect(NGINX_REQUEST_ID.fullmatch(rid), f"X-Request-Id {rid!r} is not nginx's")
    return f"{a.json()}; X-Request-Id {rid} (nginx's, honoured by operational)"


def internal_refused():
    for method, path in (("GET", "/internal/pipeline/daily"), ("POST", "/internal/pipeline/daily"),
                         ("GET", "/internal/"), ("GET", "/api/../internal/cleanup")):
        a = http(method, path)
        expect(a.status == 404, f"{method} {path} answered {a.status}")
    return "404 for every /internal path"


def openapi():
    a = http("GET", "/api/v1/openapi.json")
    expect(a.status == 200, f"{a.status} {a.body[:200]!r}")
    doc = a.json()
    expect("openapi" in doc and doc.get("paths"), "not an OpenAPI document")
    return f"OpenAPI {doc['openapi']}, {len(doc['paths'])} paths"


def daily_pipeline():
    (operational,) = containers("operational")
    engine("exec", operational, "sh", "-c",
           'curl -fsS -o /dev/null -X POST -H "X-Internal-Secret: $INTERNAL_SECRET" '
           'http://127.0.0.1:8082/internal/pipeline/daily')
    retry(lambda: http("GET", "/api/v1/models/risk_4_horizon_long"), lambda a: a.status == 200, "models")
    return "prices and the 15 models in place (POST /internal/pipeline/daily inside the container)"


journey = {}


def mail_link(address):
    """The /verify-email token of the mail to `address`, read from the mail volume inside operational."""
    (operational,) = containers("operational")

    def find():
        out = engine("exec", operational, "sh", "-c",
                     f"grep -l -F {shlex.quote(address)} /var/lib/parity/mail/* 2>/dev/null | tail -n 1 | xargs -r cat",
                     check=False)
        if not out:
            return None
        msg = email.message_from_string(out, policy=policy.default)
        body = msg.get_body(("plain", "html"))
        text = body.get_content() if body else out
        found = re.search(r"/verify-email\?token=([A-Za-z0-9_-]+)", text)
        return found.group(1) if found else None

    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        token = find()
        if token:
            return token
        time.sleep(0.5)
    raise AssertionError(f"no verification mail to {address} in the mail volume")


def register_verify_login():
    address = f"smoke-{uuid.uuid4().hex[:12]}@example.test"
    a = retry(lambda: http("POST", "/api/v1/auth/register", {"email": address, "password": PASSWORD}),
              lambda a: a.status not in (429, 503), "register")
    expect(a.status == 202, f"register answered {a.status} {a.body[:200]!r}")
    token = mail_link(address)
    a = http("POST", "/api/v1/auth/verify-email", {"token": token})
    expect(a.status == 200, f"verify answered {a.status} {a.body[:200]!r}")
    a = retry(lambda: http("POST", "/api/v1/auth/login", {"email": address, "password": PASSWORD}),
              lambda a: a.status not in (429, 503), "login")
    expect(a.status == 200 and a.json().get("token_type") == "Bearer", f"login answered {a.status}")
    journey["auth"] = {"Authorization": f"Bearer {a.json()['access_token']}"}
    me = http("GET", "/api/v1/me", headers=journey["auth"]).json()
    expect(me["email"] == address and me["email_verified"] is True, f"/me: {me}")
    return f"{address} registered, verified through the mailed link, logged in"


def deposit_invest_portfolio():
    auth = journey["auth"]
    answers = {"age": "30_44", "goal": "growth", "drop_reaction": "hold", "horizon": "over_7"}
    a = http("POST", "/api/v1/onboarding", {"answers": answers}, auth)
    expect(a.status in (200, 201) and a.json().get("bucket") == "risk_4_horizon_long", f"onboarding: {a.status} {a.body[:200]!r}")
    a = http("POST", "/api/v1/wallet/deposits", {"amount_cents": 5_000_000}, {**auth, "Idempotency-Key": "smoke-deposit"})
    expect(a.status in (200, 201) and a.json()["cash_cents"] == 5_000_000, f"deposit: {a.status} {a.body[:200]!r}")
    a = http("POST", "/api/v1/portfolio/invest", {"amount_cents": 4_000_000}, auth)
    expect(a.status == 201 and a.json()["status"] == "deploying", f"invest: {a.status} {a.body[:200]!r}")
    p = retry(lambda: http("GET", "/api/v1/portfolio", headers=auth),
              lambda a: a.status == 200 and a.json()["pending_cents"] == 0 and a.json()["positions"], "deployment")
    p = p.json()
    spent = sum(pos["cost_basis_cents"] for pos in p["positions"])
    # Money is neither lost nor made: what was bought plus what is left is what was invested.
    expect(spent + p["cash_cents"] == 4_000_000, f"bought {spent} + cash {p['cash_cents']} != 4000000")
    wallet = http("GET", "/api/v1/wallet", headers=auth).json()
    expect(wallet == {"cash_cents": 1_000_000}, f"wallet {wallet}")
    return f"50000.00 deposited, 40000.00 invested in {len(p['positions'])} ETFs, value {p['value_cents'] / 100:.2f}"


def decisional_replicas_consume():
    replicas = containers("decisional")
    expect(len(replicas) == 2, f"{len(replicas)} decisional containers, not 2")
    ips = []
    for c in replicas:
        ip = engine("inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", c).split()
        expect(ip, f"no address for {c}")
        ips.append(ip[0])
    (rabbit,) = containers("rabbitmq")
    channels = engine("exec", rabbit, "rabbitmqctl", "-q", "list_channels", "name", "consumer_count")
    per_ip = {ip: 0 for ip in ips}
    for line in channels.splitlines():
        m = re.match(r"([0-9.]+):\d+ -> \S+ \(\d+\)\s+(\d+)", line.strip())
        if m and m.group(1) in per_ip:
            per_ip[m.group(1)] += int(m.group(2))
    expect(all(n > 0 for n in per_ip.values()), f"consumers per replica: {per_ip}\n{channels}")
    queues = engine("exec", rabbit, "rabbitmqctl", "-q", "list_queues", "name", "consumers")
    counts = dict(l.split()[:2] for l in queues.splitlines() if len(l.split()) >= 2)
    for q in ("decisional.interactive", "decisional.pipeline", "decisional.rebalance"):
        expect(counts.get(q) == "2", f"{q} has {counts.get(q)} consumers, not 2")
    return f"consumers per replica {per_ip}; decisional.* queues have 2 consumers each"


def audit():
    # The cli image on the stack's network with migrate's own DATABASE_URL (no secret passes through
    # here). Not `compose run`: docker-compose 1.29 over Podman's API wants the network recreated.
    (migrate,) = engine("ps", "-aq", "--filter", f"label=com.docker.compose.project={PROJECT}",
                        "--filter", "label=com.docker.compose.service=migrate").split()[:1]
    env = engine("inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", migrate).splitlines()
    url = next(e for e in env if e.startswith("DATABASE_URL="))
    image = engine("inspect", "--format", "{{.Config.Image}}", migrate).strip()
    network = engine("inspect", "--format", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}",
                     containers("operational")[0]).split()[0]
    run = subprocess.run([ENGINE, "run", "--rm", "--network", network, "--env", url, image, "audit"],
                         capture_output=True, text=True, timeout=600)
    expect(run.returncode == 0, f"parity audit exited {run.returncode}: {(run.stdout + run.stderr)[-800:]}")
    last = (run.stdout.strip().splitlines() or [""])[-1]
    return f"{image}: exit 0: {last[:200]}"


def main():
    check("SPA served by nginx", spa)
    check("market status through nginx, request id from nginx", market_status)
    check("/internal refused by nginx", internal_refused)
    check("openapi.json 200 (the operational image ships openapi.yaml)", openapi)
    if check("daily pipeline (prices, models)", daily_pipeline):
        if check("register -> verify (mail volume) -> login", register_verify_login):
            check("deposit -> invest -> portfolio", deposit_invest_portfolio)
    check("both decisional replicas consuming", decisional_replicas_consume)
    check("parity audit from the cli image", audit)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
