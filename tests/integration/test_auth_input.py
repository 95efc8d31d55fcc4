"""Bad input on every account route: malformed JSON, wrong types, missing and extra fields,
1 MiB bodies, empty strings, a 10 KB email, NUL bytes, invalid UTF-8, a wrong Content-Type. Each
answer is a 4xx with the JSON error body, never a 5xx, and no row is written anywhere."""

import json

import pytest
import requests

from conftest import HTTP_TIMEOUT, PUBLIC, login_user, query

API = f"{PUBLIC}/api/v1"
TABLES = ["users", "sessions", "action_tokens", "login_attempts", "totp", "recovery_codes"]

# (method, path, needs a bearer token, a valid body or None for routes without input)
ROUTES = [
    ("POST", "/auth/register", False, {"email": "someone@example.test", "password": "Correct horse battery 42"}),
    ("POST", "/auth/verify-email", False, {"token": "A" * 43}),
    ("POST", "/auth/login", False, {"email": "someone@example.test", "password": "Correct horse battery 42"}),
    ("POST", "/auth/login/2fa", False, {"mfa_token": "A" * 43, "code": "123456"}),
    ("POST", "/auth/forgot-password", False, {"email": "someone@example.test"}),
    ("POST", "/auth/reset-password", False, {"token": "A" * 43, "password": "Correct horse battery 42"}),
    ("POST", "/auth/change-password", True, {"current_password": "Correct horse battery 42",
                                             "new_password": "Correct horse battery 43"}),
    ("POST", "/me/2fa/setup", True, {"password": "Correct horse battery 42"}),
    ("POST", "/me/2fa/enable", True, {"password": "Correct horse battery 42", "code": "123456"}),
    ("POST", "/me/2fa/disable", True, {"password": "Correct horse battery 42", "code": "123456"}),
    ("POST", "/me/2fa/recovery-codes", True, {"password": "Correct horse battery 42", "code": "123456"}),
    ("POST", "/auth/refresh", False, None),
    ("POST", "/auth/logout", False, None),
    ("POST", "/auth/logout-all", True, None),
    ("GET", "/me", True, None),
    ("GET", "/me/sessions", True, None),
    ("DELETE", "/me/sessions/00000000-0000-0000-0000-000000000000", True, None),
]


def bad_bodies(valid):
    """(label, raw bytes) pairs, each wrong in one way."""
    yield "malformed JSON", b'{"email": "a@b.c", '
    yield "not an object", b'["a", "b"]'
    yield "a bare string", b'"hello"'
    yield "trailing garbage", b'{}{}'
    yield "NUL byte in the body", b'{"a": "b\x00c"}'
    yield "invalid UTF-8", b'{"email": "\xff\xfe@example.test", "password": "\xc3\x28xxxxxxxxxx"}'
    yield "1 MiB", b'{"email": "' + b"a" * (1024 * 1024) + b'@example.test"}'
    yield "deep nesting", b'{"a":' * 40 + b"1" + b"}" * 40
    yield "extra field", json.dumps(dict(valid or {}, is_admin=True)).encode()
    if not valid:
        return
    yield "empty object", b"{}"
    for field in valid:
        yield f"missing {field}", json.dumps({k: v for k, v in valid.items() if k != field}).encode()
        yield f"{field} empty", json.dumps(dict(valid, **{field: ""})).encode()
        yield f"{field} NUL", json.dumps(dict(valid, **{field: "ab\u0000cd" * 3})).encode()
        yield f"{field} lone surrogate", json.dumps(dict(valid, **{field: "\ud800abcdefghijk"})).encode()
        yield f"{field} 10 KB", json.dumps(dict(valid, **{field: "a" * 10000 + "@example.test"})).encode()
        for wrong in (123, 1.5, True, None, [], {}, ["x"], {"x": 1}):
            yield f"{field} = {wrong!r}", json.dumps(dict(valid, **{field: wrong})).encode()
    yield "10 KB email", json.dumps(dict(valid, email="x" * 10240 + "@example.test")).encode()


@pytest.fixture(scope="module")
def bearer(stack):
    _, token = login_user()
    return {"Authorization": f"Bearer {token}"}


def counts(db):
    return {t: query(db, f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}


def check(answer, label):
    assert 400 <= answer.status_code < 500, (label, answer.status_code, answer.text[:300])
    assert answer.headers["Content-Type"].startswith("application/json"), label
    error = answer.json()["error"]
    assert error["code"] and error["message"] and error["request_id"] == answer.headers["X-Request-Id"], label


def test_bad_input_on_every_route_is_a_4xx_json_error_and_writes_nothing(stack, db, bearer):
    before = counts(db)
    tried = 0
    for method, path, needs_token, valid in ROUTES:
        headers = {"Content-Type": "application/json", **(bearer if needs_token else {})}
        for label, raw in bad_bodies(valid):
            answer = requests.request(method, f"{API}{path}", data=raw, headers=headers, timeout=HTTP_TIMEOUT)
            check(answer, f"{method} {path}: {label}")
            if label == "1 MiB":
                assert answer.status_code == 413, (path, answer.status_code)
            tried += 1
        # The right body with the wrong media type.
        if valid is not None:
            answer = requests.request(method, f"{API}{path}", data=json.dumps(valid),
                                      headers={"Content-Type": "text/plain", **(bearer if needs_token else {})},
                                      timeout=HTTP_TIMEOUT)
            check(answer, f"{method} {path}: text/plain")
    assert tried > 300
    assert counts(db) == before


def test_malformed_emails_and_tokens_are_refused_before_any_lookup(stack, db):
    before = counts(db)
    for email in ("plainaddress", "@example.test", "a@", "a@b@c.test", "a b@example.test", "a@.test", "a@b..test",
                  "a\tb@example.test", "x" * 65 + "@example.test", "a@" + "b" * 260 + ".test", "é\u0085@x.test"):
        for path in ("/auth/register", "/auth/login", "/auth/forgot-password"):
            body = {"email": email, "password": "Correct horse battery 42"} if path != "/auth/forgot-password" \
                else {"email": email}
            answer = requests.post(f"{API}{path}", json=body, timeout=HTTP_TIMEOUT)
            check(answer, f"{path} {email!r}")
            assert answer.json()["error"]["code"] == "INVALID_EMAIL", (path, email, answer.text)
    for token in ("short", "A" * 42, "A" * 44, "!" * 43, "A" * 42 + "=", "../../etc/passwd"):
        for path, body in (("/auth/verify-email", {"token": token}),
                           ("/auth/reset-password", {"token": token, "password": "Correct horse battery 42"})):
            check(requests.post(f"{API}{path}", json=body, timeout=HTTP_TIMEOUT), f"{path} {token!r}")
    assert counts(db) == before


def test_addresses_the_mailer_would_refuse_are_refused_at_registration(stack, db):
    """Normal-looking to the address check, but no mail could reach them (or it would reach someone else:
    "<victim@...>" and "a,victim@..." name another mailbox in the To header): 400 with a clear error, before
    anything is written or sent."""
    before = counts(db)
    for email in ("<victim@example.test>", "a<b@example.test", "a>b@example.test", "a,victim@example.test",
                  "a;b@example.test", "a:b@example.test", '"a"@example.test', "a(x)@example.test",
                  "a\\b@example.test", "a@[127.0.0.1]"):
        for path in ("/auth/register", "/auth/forgot-password"):
            body = {"email": email, "password": "Correct horse battery 42"} if path == "/auth/register" \
                else {"email": email}
            answer = requests.post(f"{API}{path}", json=body, timeout=30)
            check(answer, f"{path} {email!r}")
            assert answer.status_code == 400, (path, email, answer.text)
            error = answer.json()["error"]
            assert error["code"] == "INVALID_EMAIL" and "cannot receive" in error["message"], (path, email, error)
    assert counts(db) == before


def test_a_body_on_a_route_without_input_may_only_be_empty_or_an_empty_object(stack, bearer):
    assert requests.get(f"{API}/me", headers=bearer, timeout=HTTP_TIMEOUT).status_code == 200
    answer = requests.get(f"{API}/me", headers={**bearer, "Content-Type": "application/json"}, data=b"{}",
                          timeout=HTTP_TIMEOUT)
    assert answer.status_code == 200
    check(requests.get(f"{API}/me", headers={**bearer, "Content-Type": "application/json"}, data=b'{"x":1}',
                       timeout=HTTP_TIMEOUT), "GET /me with a field")
