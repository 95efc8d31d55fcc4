"""Account lockout: 5 consecutive failures lock an email for 15 minutes whatever the client
address (forwarded-for values are ignored from untrusted peers and honoured from trusted proxies, and
the lock is per account either way), unknown emails lock alike, concurrent guesses cannot exceed the
limit, a success ends the streak, and the owner is told by email."""

import concurrent.futures
import time

import pytest
import requests

from conftest import PUBLIC, extra_operational, mails_to, new_email, query, register_user, scalar, wait_mail
from test_auth import assert_error

API = f"{PUBLIC}/api/v1"
# An offset from the suite's ports for the daemon that trusts 127.0.0.1 as a proxy.
PROXY_OFFSET = 30


def login(email, password, base=API, xff=None):
    headers = {"X-Forwarded-For": xff} if xff else {}
    return requests.post(f"{base}/auth/login", json={"email": email, "password": password}, headers=headers,
                         timeout=30)


def assert_locked(answer):
    assert_error(answer, 429, "ACCOUNT_LOCKED")
    assert 1 <= int(answer.headers["Retry-After"]) <= 900
    return answer.json()["error"]["message"]


def test_five_failures_from_five_forwarded_addresses_lock_the_account(stack, db):
    email, password = register_user()
    for i in range(5):
        assert_error(login(email, "wrong password " + str(i), xff=f"203.0.113.{i + 1}"), 401, "INVALID_CREDENTIALS")
    # Even the right password is refused now, from yet another address.
    assert_locked(login(email, password, xff="198.51.100.99"))
    assert_locked(login(email, password))
    assert scalar(db, "SELECT failures FROM login_attempts WHERE email_key = %s", email) == 5
    assert scalar(db, "SELECT locked_until > now() + interval '14 minutes' FROM login_attempts WHERE email_key = %s",
                  email)
    # The owner hears about it once.
    wait_mail(email, "locked")
    assert len(mails_to(email, "locked")) == 1


def test_unknown_emails_lock_exactly_like_real_ones(stack):
    email, _ = register_user()
    ghost = new_email("ghost")
    start = time.monotonic()
    for _ in range(5):
        assert_error(login(email, "not the password!"), 401, "INVALID_CREDENTIALS")
        assert_error(login(ghost, "not the password!"), 401, "INVALID_CREDENTIALS")
    real, unknown = login(email, "x" * 12), login(ghost, "x" * 12)
    assert assert_locked(real) == assert_locked(unknown)
    # The two locks began one login apart: their Retry-After differ by less than the whole exchange took
    # (plus a second of rounding), however slow the machine or the build (a sanitizer's).
    elapsed = time.monotonic() - start
    assert abs(int(real.headers["Retry-After"]) - int(unknown.headers["Retry-After"])) <= elapsed + 1
    assert mails_to(ghost) == []


def test_the_lock_ends_after_15_minutes(stack, db):
    email, password = register_user()
    for _ in range(5):
        login(email, "not the password!")
    assert_locked(login(email, password))
    # Move the streak 15 minutes into the past instead of waiting for it.
    query(db, "UPDATE login_attempts SET last_failure_at = last_failure_at - interval '15 minutes 1 second' "
              "WHERE email_key = %s", email)
    assert login(email, password).status_code == 200
    assert scalar(db, "SELECT count(*) FROM login_attempts WHERE email_key = %s", email) == 0


def test_a_success_ends_the_streak(stack):
    email, password = register_user()
    for _ in range(4):
        assert_error(login(email, "not the password!"), 401)
    assert login(email, password).status_code == 200
    for _ in range(4):
        assert_error(login(email, "not the password!"), 401)
    assert login(email, password).status_code == 200


def test_concurrent_guesses_cannot_get_past_the_limit(stack, db):
    email, password = register_user()
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda i: login(email, f"guess number {i:04d}"), range(20)))
    statuses = [a.status_code for a in answers]
    # Each attempt is counted before its hash runs: at most 5 were ever checked.
    assert statuses.count(401) == 5, statuses
    assert statuses.count(429) == 15, statuses
    assert_locked(login(email, password))


def test_changing_the_password_with_a_wrong_current_one_counts(stack):
    email, password = register_user()
    session = requests.Session()
    token = session.post(f"{API}/auth/login", json={"email": email, "password": password}, timeout=30).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    body = {"current_password": "wrong password!", "new_password": password + " new"}
    for _ in range(5):
        assert_error(requests.post(f"{API}/auth/change-password", json=body, headers=headers, timeout=30), 403)
    body["current_password"] = password
    assert_locked(requests.post(f"{API}/auth/change-password", json=body, headers=headers, timeout=30))
    assert_locked(login(email, password))


@pytest.fixture(scope="module")
def behind_proxy(stack):
    """A daemon that trusts 127.0.0.1 as a reverse proxy (so X-Forwarded-For names the client)."""
    daemon = extra_operational(PROXY_OFFSET, TRUSTED_PROXIES="127.0.0.1, ::1")
    yield daemon
    assert daemon.stop() == 0, f"see {daemon.log_path}"


def test_behind_a_trusted_proxy_the_client_address_is_recorded(behind_proxy, db):
    email, password = register_user()
    answer = login(email, password, base=f"{behind_proxy.public}/api/v1", xff="198.51.100.7")
    assert answer.status_code == 200
    headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    sessions = requests.get(f"{behind_proxy.public}/api/v1/me/sessions", headers=headers, timeout=10).json()
    assert [s["ip"] for s in sessions["sessions"]] == ["198.51.100.7"]
    # A client's own forged prefix is ignored: the right-most untrusted entry is the client.
    answer = login(email, password, base=f"{behind_proxy.public}/api/v1", xff="10.9.9.9, 198.51.100.8")
    assert answer.status_code == 200
    assert scalar(db, "SELECT host(ip) FROM sessions WHERE access_jti IS NOT NULL AND user_id = "
                      "(SELECT id FROM users WHERE email = %s) ORDER BY id DESC LIMIT 1", email) == "198.51.100.8"
    # Without a trusted proxy, the same header changes nothing.
    answer = login(email, password, xff="198.51.100.9")
    assert scalar(db, "SELECT host(ip) FROM sessions WHERE user_id = (SELECT id FROM users WHERE email = %s) "
                      "ORDER BY id DESC LIMIT 1", email) == "127.0.0.1"


def test_behind_a_trusted_proxy_five_clients_still_lock_the_account(behind_proxy):
    email, password = register_user()
    base = f"{behind_proxy.public}/api/v1"
    for i in range(5):
        assert_error(login(email, "not the password!", base=base, xff=f"192.0.2.{10 + i}"), 401)
    assert_locked(login(email, password, base=base, xff="192.0.2.200"))
    # The lock lives in the database: the other replica refuses too.
    assert_locked(login(email, password))
