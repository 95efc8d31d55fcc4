"""The gate's settings on their own daemons: the per-IP token bucket (429 JSON + Retry-After,
forwarded-for honoured only from TRUSTED_PROXIES), COOKIE_SECURE (Secure cookie, HSTS), Turnstile on
register/login/forgot-password against a local siteverify, and refusing to start on bad secrets."""

import concurrent.futures
import http.server
import os
import subprocess
import threading
import urllib.parse

import pytest
import requests

from conftest import (BIN, DEFAULT_PASSWORD, HTTP_PORT, HTTP_TIMEOUT, INTERNAL_PORT, WAIT_SECONDS, base_env,
                      extra_operational, new_email, register_user, scalar)
from test_auth import assert_error, refresh_cookie_of

# Port offsets from the suite's own, one per extra daemon (test_auth_lockout uses 30).
LIMITED_OFFSET, PROXIED_OFFSET, SECURE_OFFSET, TURNSTILE_OFFSET, REFUSED_OFFSET, BUSY_OFFSET = 40, 50, 60, 70, 80, 100
BURST = 5
# One token every 50 s: once the burst is spent, every request of a test below, however slow the machine, is
# long over before the next token.
RATE = 0.02
# Clients hashing at once against the 2-slot gate, and rounds tried before giving up on seeing it shed.
BUSY_CLIENTS, BUSY_ROUNDS = 16, 10


def hit(base, xff=None):
    headers = {"X-Forwarded-For": xff} if xff else {}
    return requests.get(f"{base}/api/v1/market/status", headers=headers, timeout=HTTP_TIMEOUT)


@pytest.fixture(scope="module")
def limited(stack):
    daemon = extra_operational(LIMITED_OFFSET, RATE_LIMIT_RPS=str(RATE), RATE_LIMIT_BURST=str(BURST))
    yield daemon
    assert daemon.stop() == 0, f"see {daemon.log_path}"


@pytest.fixture(scope="module")
def proxied(stack):
    daemon = extra_operational(PROXIED_OFFSET, RATE_LIMIT_RPS=str(RATE), RATE_LIMIT_BURST=str(BURST),
                               TRUSTED_PROXIES="127.0.0.0/8")
    yield daemon
    assert daemon.stop() == 0, f"see {daemon.log_path}"


def test_the_bucket_allows_the_burst_then_answers_429_json(limited):
    statuses = [hit(limited.public).status_code for _ in range(BURST)]
    assert statuses == [200] * BURST
    refused = hit(limited.public)
    assert_error(refused, 429, "RATE_LIMITED")
    assert 1 <= int(refused.headers["Retry-After"]) <= 1 / RATE
    # Every route is behind it, the auth routes included; forged forwarded-for values change nothing here.
    for xff in ("203.0.113.1", "203.0.113.2", "198.51.100.3"):
        assert_error(hit(limited.public, xff), 429, "RATE_LIMITED")
    answer = requests.post(f"{limited.public}/api/v1/auth/login", json={"email": new_email(), "password": "x" * 12},
                           timeout=HTTP_TIMEOUT)
    assert_error(answer, 429, "RATE_LIMITED")
    # The internal listener is not limited (never exposed; every route there needs the secret).
    assert requests.get(f"http://127.0.0.1:{INTERNAL_PORT + LIMITED_OFFSET}/readyz",
                        timeout=HTTP_TIMEOUT).status_code == 200


def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(proxied):
    for _ in range(BURST):
        assert hit(proxied.public, "203.0.113.10").status_code == 200
    assert_error(hit(proxied.public, "203.0.113.10"), 429, "RATE_LIMITED")
    # Another client behind the same proxy is not affected...
    assert hit(proxied.public, "203.0.113.11").status_code == 200
    # ...and a client cannot escape its bucket by prepending a forged address.
    assert_error(hit(proxied.public, "192.0.2.1, 203.0.113.10"), 429, "RATE_LIMITED")


def test_the_shared_daemon_runs_with_the_limit_disabled(stack):
    """RATE_LIMIT_RPS=0 (set by the suite, as benchmarks do) disables the bucket."""
    for _ in range(3 * BURST):
        assert hit(f"http://127.0.0.1:{HTTP_PORT}").status_code == 200


# ---------------------------------------------------------------- COOKIE_SECURE


def test_cookie_secure_adds_secure_and_hsts(stack):
    daemon = extra_operational(SECURE_OFFSET, COOKIE_SECURE="true")
    try:
        email, password = register_user()
        answer = requests.post(f"{daemon.public}/api/v1/auth/login", json={"email": email, "password": password},
                               timeout=HTTP_TIMEOUT)
        assert answer.status_code == 200
        _, attrs = refresh_cookie_of(answer)
        assert "Secure" in attrs and "HttpOnly" in attrs and "SameSite=Strict" in attrs
        assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
        out = requests.post(f"{daemon.public}/api/v1/auth/logout", timeout=HTTP_TIMEOUT)
        assert "Secure" in refresh_cookie_of(out)[1]
    finally:
        assert daemon.stop() == 0, f"see {daemon.log_path}"


# ---------------------------------------------------------------- Turnstile


class Siteverify(http.server.BaseHTTPRequestHandler):
    """Cloudflare's siteverify contract: a form with secret, response and remoteip; JSON {"success": bool}."""

    secret = "turnstile-test-secret"
    seen = []

    def do_POST(self):
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        Siteverify.seen.append(form)
        ok = form.get("secret") == [self.secret] and form.get("response") == ["good-token"]
        body = b'{"success": true}' if ok else b'{"success": false, "error-codes": ["invalid-input-response"]}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_turnstile_guards_register_login_and_forgot_password(stack):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Siteverify)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/turnstile/v0/siteverify"
    daemon = extra_operational(TURNSTILE_OFFSET, TURNSTILE_SECRET=Siteverify.secret, TURNSTILE_VERIFY_URL=url)
    try:
        api = f"{daemon.public}/api/v1"
        email, password = register_user()
        bodies = {"/auth/register": {"email": new_email(), "password": password},
                  "/auth/login": {"email": email, "password": password},
                  "/auth/forgot-password": {"email": email}}
        for path, body in bodies.items():
            assert_error(requests.post(f"{api}{path}", json=body, timeout=HTTP_TIMEOUT), 400, "CAPTCHA_REQUIRED")
            assert_error(requests.post(f"{api}{path}", json=dict(body, turnstile_token="bad-token"),
                                       timeout=HTTP_TIMEOUT), 400,
                         "CAPTCHA_FAILED")
            answer = requests.post(f"{api}{path}", json=dict(body, turnstile_token="good-token"), timeout=HTTP_TIMEOUT)
            assert answer.status_code in (200, 202), (path, answer.text)
        assert all(form["remoteip"] == ["127.0.0.1"] for form in Siteverify.seen)
        # Other routes never ask.
        assert requests.post(f"{api}/auth/refresh", timeout=HTTP_TIMEOUT).status_code == 401
        # siteverify down: fail closed, 503 with Retry-After.
        server.shutdown()
        server.server_close()
        down = requests.post(f"{api}/auth/login", json=dict(bodies["/auth/login"], turnstile_token="good-token"),
                             timeout=HTTP_TIMEOUT)
        assert_error(down, 503, "CAPTCHA_UNAVAILABLE")
        assert down.headers["Retry-After"]
    finally:
        assert daemon.stop() == 0, f"see {daemon.log_path}"


# ---------------------------------------------------------------- load shedding at the hash gate


def test_a_busy_hash_gate_answers_503_busy_with_retry_after_and_counts_no_failure(stack, db):
    """Two argon2id hashes run at once; with PASSWORD_GATE_TIMEOUT_MS=1 the others are shed at once. A shed
    login or registration is 503 BUSY with Retry-After (as a lockout's 429 carries one), and since no password
    was checked, the attempt counted in advance is given back."""
    daemon = extra_operational(BUSY_OFFSET, PASSWORD_GATE_TIMEOUT_MS="1")
    try:
        api = f"{daemon.public}/api/v1"

        def attempt(i):
            email = new_email("busy")
            path = "/auth/login" if i % 2 else "/auth/register"
            body = {"email": email, "password": f"{DEFAULT_PASSWORD} {i}"}
            return path, email, requests.post(f"{api}{path}", json=body, timeout=120)

        answers = []
        for _ in range(BUSY_ROUNDS):
            with concurrent.futures.ThreadPoolExecutor(BUSY_CLIENTS) as pool:
                answers += list(pool.map(attempt, range(BUSY_CLIENTS)))
            shed = [(p, e, a) for p, e, a in answers if a.status_code == 503]
            if {p for p, _, _ in shed} == {"/auth/login", "/auth/register"}:
                break
        assert {p for p, _, _ in shed} == {"/auth/login", "/auth/register"}, [a.status_code for _, _, a in answers]
        for path, email, answer in shed:
            assert_error(answer, 503, "BUSY")
            assert answer.headers["Retry-After"] == "1", (path, dict(answer.headers))
            # Shed before its hash: nothing counts toward the lockout.
            assert (scalar(db, "SELECT failures FROM login_attempts WHERE email_key = %s", email) or 0) == 0, path
        for path, email, answer in answers:
            assert answer.status_code in (202, 401, 503), (path, answer.status_code, answer.text)
            if answer.status_code == 401:
                assert scalar(db, "SELECT failures FROM login_attempts WHERE email_key = %s", email) == 1
    finally:
        assert daemon.stop() == 0, f"see {daemon.log_path}"


# ---------------------------------------------------------------- refusing to start


@pytest.mark.parametrize("variable,value", [
    ("TOTP_ENC_KEY", "abcd"),
    ("TOTP_ENC_KEY", "zz" * 32),
    ("JWT_SECRET", "too-short-secret"),
    ("TRUSTED_PROXIES", "10.0.0.0/33"),
    ("TRUSTED_PROXIES", "not-an-address"),
])
def test_bad_security_settings_stop_the_daemon_at_start(stack, variable, value):
    env = base_env(HTTP_PORT=str(HTTP_PORT + REFUSED_OFFSET), INTERNAL_PORT=str(INTERNAL_PORT + REFUSED_OFFSET),
                   **{variable: value})
    run = subprocess.run([os.path.join(BIN, "parity-operational")], env=env, capture_output=True,
                         timeout=WAIT_SECONDS)
    output = (run.stdout + run.stderr).decode(errors="replace")
    assert run.returncode != 0, output[-2000:]
    assert variable in output, output[-2000:]
    # It never got as far as listening.
    assert '"ready"' not in output
