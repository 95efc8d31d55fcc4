"""Account lockout: 5 consecutive failures lock an email for 15 minutes whatever the client
address (forwarded-for values are ignored from untrusted peers and honoured from trusted proxies, and
the lock is per account either way), unknown emails lock alike, concurrent guesses cannot exceed the
limit, a success ends the streak, and the owner is told by email. Likewise per address, whatever the
client and the replica: at most 3 registration or reset mails an hour."""

import concurrent.futures
import time

import pytest
import requests

from conftest import (DEFAULT_PASSWORD, HTTP_TIMEOUT, PUBLIC, extra_operational, is_load_shedding, mails_to,
                      new_email, query, register_user, scalar, wait_mail)
from test_auth import assert_error

API = f"{PUBLIC}/api/v1"
LOCK_SECONDS = 15 * 60
# An offset from the suite's ports for the daemon that trusts 127.0.0.1 as a proxy.
PROXY_OFFSET = 30


def login(email, password, base=API, xff=None):
    headers = {"X-Forwarded-For": xff} if xff else {}
    return requests.post(f"{base}/auth/login", json={"email": email, "password": password}, headers=headers,
                         timeout=HTTP_TIMEOUT)


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
    started = time.monotonic()
    for _ in range(5):
        assert_error(login(email, "not the password!"), 401, "INVALID_CREDENTIALS")
        assert_error(login(ghost, "not the password!"), 401, "INVALID_CREDENTIALS")
    real, unknown = login(email, "x" * 12), login(ghost, "x" * 12)
    assert assert_locked(real) == assert_locked(unknown)
    # Both count down from the 15 minutes of their own last failure, however long the guesses took (a second
    # more for each whole-second clock).
    for answer in (real, unknown):
        assert LOCK_SECONDS - (time.monotonic() - started) - 2 <= int(answer.headers["Retry-After"]) <= LOCK_SECONDS
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
    # Each attempt is counted before its hash runs: at most 5 were ever checked. On a loaded machine one of those
    # 5 may have been shed instead (503 BUSY: counted, never hashed), so it is not retried here.
    assert statuses.count(429) == 15, statuses
    assert all(a.status_code == 401 or is_load_shedding(a) for a in answers if a.status_code != 429), statuses
    assert_locked(login(email, password))


def test_changing_the_password_with_a_wrong_current_one_counts(stack):
    email, password = register_user()
    session = requests.Session()
    token = session.post(f"{API}/auth/login", json={"email": email, "password": password}, timeout=HTTP_TIMEOUT).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    body = {"current_password": "wrong password!", "new_password": password + " new"}
    for _ in range(5):
        assert_error(requests.post(f"{API}/auth/change-password", json=body, headers=headers, timeout=HTTP_TIMEOUT), 403)
    body["current_password"] = password
    assert_locked(requests.post(f"{API}/auth/change-password", json=body, headers=headers, timeout=HTTP_TIMEOUT))
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
    sessions = requests.get(f"{behind_proxy.public}/api/v1/me/sessions", headers=headers, timeout=HTTP_TIMEOUT).json()
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


def drain_mail_queues(bases):
    """Mail leaves each daemon through one FIFO queue: once a fresh message sent through every daemon is written,
    whatever they queued before it is written too."""
    for base in bases:
        control = new_email("control")
        assert requests.post(f"{base}/auth/forgot-password", json={"email": control}, timeout=HTTP_TIMEOUT).status_code == 202
        assert requests.post(f"{base}/auth/register", json={"email": control, "password": DEFAULT_PASSWORD},
                             timeout=HTTP_TIMEOUT).status_code == 202
        wait_mail(control, "Confirm")


def test_an_address_gets_at_most_three_registration_or_reset_mails_an_hour(behind_proxy, db):
    """Whatever the client address and whichever replica answers (the count lives in PostgreSQL), and with the
    same answers as ever: registering an address and asking for its reset cannot flood its mailbox."""
    email = new_email("flood")
    bases = [API, f"{behind_proxy.public}/api/v1"]
    registered = [requests.post(f"{bases[i % 2]}/auth/register", json={"email": email, "password": DEFAULT_PASSWORD},
                                headers={"X-Forwarded-For": f"203.0.113.{i + 1}"}, timeout=HTTP_TIMEOUT) for i in range(4)]
    forgot = [requests.post(f"{base}/auth/forgot-password", json={"email": email},
                            headers={"X-Forwarded-For": "198.51.100.77"}, timeout=HTTP_TIMEOUT) for base in bases]
    unknown = requests.post(f"{API}/auth/forgot-password", json={"email": new_email("ghost")}, timeout=HTTP_TIMEOUT)
    assert [a.status_code for a in registered] == [202] * 4 and all(a.json() == registered[0].json() for a in registered)
    assert [a.status_code for a in forgot] == [202] * 2 and all(a.json() == unknown.json() for a in forgot)
    user_id = scalar(db, "SELECT id FROM users WHERE email = %s", email)
    # Three links went out (the first three registrations); the rest were answered and nothing more.
    assert scalar(db, "SELECT count(*) FROM action_tokens WHERE user_id = %s", user_id) == 3
    wait_mail(email, count=3)
    drain_mail_queues(bases)
    assert len(mails_to(email)) == 3
    assert len(mails_to(email, "Reset")) == 0

    # An hour later the address gets mail again.
    query(db, "UPDATE mail_quota SET sent_at = ARRAY(SELECT t - interval '1 hour' FROM unnest(sent_at) t) "
              "WHERE email_key = %s", email)
    assert requests.post(f"{bases[1]}/auth/forgot-password", json={"email": email}, timeout=HTTP_TIMEOUT).status_code == 202
    wait_mail(email, "Reset")
