"""TOTP two-factor authentication on the real daemon: setup, enable, the two-step login, replay
refusal, recovery codes, the secret sealed at rest, lockout on the 2FA step, disable."""

import base64
import concurrent.futures
import hashlib
import hmac
import struct
import time
import urllib.parse

import requests

from conftest import (DEFAULT_PASSWORD, HTTP_TIMEOUT, PUBLIC, link_token, login_user, mails_to, query, register_user,
                      scalar, wait_mail)
from test_auth import assert_error, refresh_cookie_of

API = f"{PUBLIC}/api/v1"


def totp(secret_b32, at=None, digits=6, step=30):
    """RFC 6238 TOTP (HMAC-SHA1), written from the RFC independently of the daemon's liboath."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = (int.from_bytes(mac[offset:offset + 4], "big") & 0x7FFFFFFF) % 10 ** digits
    return f"{value:0{digits}d}"


def test_the_reference_totp_matches_rfc6238_appendix_b():
    # RFC 6238 Appendix B, SHA-1 rows: the seed is "12345678901234567890" (ASCII), 8 digits.
    secret = base64.b32encode(b"12345678901234567890").decode().rstrip("=")
    for at, code in [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
                     (1234567890, "89005924"), (2000000000, "69279037"), (20000000000, "65353130")]:
        assert totp(secret, at, digits=8) == code


class TwoFactorUser:
    """A logged-in user with 2FA turned on; codes for the current and the next step are fresh."""

    def __init__(self):
        self.email, self.password = register_user()
        self.session, self.token = login_user(self.email, self.password)
        setup = self.session.post(f"{API}/me/2fa/setup", json={"password": self.password}, timeout=HTTP_TIMEOUT)
        assert setup.status_code == 200, setup.text
        self.secret = setup.json()["secret"]
        self.uri = setup.json()["otpauth_uri"]
        now = time.time()
        self.enable_step = int(now // 30)
        enabled = self.session.post(f"{API}/me/2fa/enable", json={"password": self.password,
                                                                  "code": totp(self.secret, now)}, timeout=HTTP_TIMEOUT)
        assert enabled.status_code == 200, enabled.text
        self.recovery = enabled.json()["recovery_codes"]

    def post(self, route, **body):
        """POST /me/2fa/<route> with the account's password (the routes re-authenticate) and `body`."""
        return self.session.post(f"{API}/me/2fa/{route}", json=dict({"password": self.password}, **body), timeout=HTTP_TIMEOUT)

    def first_step(self):
        answer = requests.post(f"{API}/auth/login", json={"email": self.email, "password": self.password},
                               timeout=HTTP_TIMEOUT)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["mfa_required"] is True and "access_token" not in body and "Set-Cookie" not in answer.headers
        return body["mfa_token"]


def second_step(mfa_token, code):
    return requests.post(f"{API}/auth/login/2fa", json={"mfa_token": mfa_token, "code": code}, timeout=HTTP_TIMEOUT)


def test_setup_gives_an_otpauth_uri_and_the_secret_is_sealed_at_rest(stack, db):
    email, password = register_user()
    session, _ = login_user(email, password)
    user_id = session.get(f"{API}/me", timeout=HTTP_TIMEOUT).json()["id"]
    setup = session.post(f"{API}/me/2fa/setup", json={"password": password}, timeout=HTTP_TIMEOUT).json()
    secret, uri = setup["secret"], setup["otpauth_uri"]
    assert len(secret) == 32 and len(base64.b32decode(secret)) == 20
    parsed = urllib.parse.urlparse(uri)
    assert parsed.scheme == "otpauth" and parsed.netloc == "totp"
    params = urllib.parse.parse_qs(parsed.query)
    assert params["secret"] == [secret] and params["issuer"] == ["Parity"]
    assert params["algorithm"] == ["SHA1"] and params["digits"] == ["6"] and params["period"] == ["30"]
    sealed = bytes(scalar(db, "SELECT secret_enc FROM totp WHERE user_id = %s", user_id))
    raw = base64.b32decode(secret)
    # version byte, 12-byte nonce, ciphertext of 20 bytes, 16-byte GCM tag; the secret appears nowhere.
    assert len(sealed) == 1 + 12 + 20 + 16 and sealed[0] == 1
    assert raw not in sealed and secret.encode() not in sealed
    # Not on until a code confirms it: login still needs no second step.
    assert session.get(f"{API}/me", timeout=HTTP_TIMEOUT).json()["two_factor_enabled"] is False
    wrong = "000000" if totp(secret) != "000000" else "111111"
    assert_error(session.post(f"{API}/me/2fa/enable", json={"password": password, "code": wrong}, timeout=HTTP_TIMEOUT), 403,
                 "INVALID_CODE")


def test_enable_then_login_needs_the_second_step(stack, db):
    user = TwoFactorUser()
    assert len(user.recovery) == 10 and len(set(user.recovery)) == 10
    assert all(len(c) == 11 and c[5] == "-" for c in user.recovery)
    profile = user.session.get(f"{API}/me", timeout=HTTP_TIMEOUT).json()
    assert profile["two_factor_enabled"] is True and profile["recovery_codes_left"] == 10
    # Recovery codes are stored hashed only.
    for code in user.recovery:
        assert scalar(db, "SELECT count(*) FROM recovery_codes WHERE position(%s::bytea IN code_hash) > 0",
                      code.encode()) == 0
    # A second setup cannot replace an enabled secret.
    assert_error(user.post("setup"), 409, "TWO_FACTOR_ALREADY_ENABLED")

    mfa = user.first_step()
    # The code that enabled 2FA used its step: the same code is a replay.
    assert_error(second_step(mfa, totp(user.secret, user.enable_step * 30)), 409, "CODE_ALREADY_USED")
    done = second_step(mfa, totp(user.secret, (user.enable_step + 1) * 30))
    assert done.status_code == 200, done.text
    assert done.json()["token_type"] == "Bearer"
    token, attrs = refresh_cookie_of(done)
    assert "HttpOnly" in attrs
    # The mfa_token worked once.
    assert_error(second_step(mfa, totp(user.secret, (user.enable_step + 1) * 30)), 401, "INVALID_MFA_TOKEN")
    headers = {"Authorization": f"Bearer {done.json()['access_token']}"}
    assert requests.get(f"{API}/me", headers=headers, timeout=HTTP_TIMEOUT).status_code == 200


def test_a_code_is_never_accepted_twice(stack):
    user = TwoFactorUser()
    code = totp(user.secret, (user.enable_step + 1) * 30)
    assert second_step(user.first_step(), code).status_code == 200
    # Same code, new login: refused although it is still inside the time window.
    assert_error(second_step(user.first_step(), code), 409, "CODE_ALREADY_USED")


def failures(db, email):
    return scalar(db, "SELECT failures FROM login_attempts WHERE email_key = %s", email) or 0


def test_the_loser_of_a_race_with_one_right_code_gets_a_clear_error_and_no_failure(stack, db):
    """A login completed twice at once with the same right code (a double submit): one request wins; the other
    is told the code was just used (or, arriving after the winner finished, that the login step is over), and
    it counts nothing toward the lockout. A later replay of that code is the same loser, however often."""
    user = TwoFactorUser()
    code = totp(user.secret, (user.enable_step + 1) * 30)
    mfa = user.first_step()
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: second_step(mfa, code), range(2)))
    assert sorted(a.status_code for a in answers) in ([200, 401], [200, 409]), [a.text for a in answers]
    loser = next(a for a in answers if a.status_code != 200)
    assert loser.json()["error"]["code"] in ("CODE_ALREADY_USED", "INVALID_MFA_TOKEN"), loser.text
    assert failures(db, user.email) == 0
    for _ in range(6):
        assert_error(second_step(user.first_step(), code), 409, "CODE_ALREADY_USED")
    assert failures(db, user.email) == 0


def test_two_enables_racing_with_one_code_count_no_failure(stack, db):
    email, password = register_user()
    session, _ = login_user(email, password)
    secret = session.post(f"{API}/me/2fa/setup", json={"password": password}, timeout=HTTP_TIMEOUT).json()["secret"]
    code = totp(secret)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: session.post(f"{API}/me/2fa/enable", json={"password": password,
                                                                                      "code": code}, timeout=HTTP_TIMEOUT),
                                range(2)))
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    loser = next(a for a in answers if a.status_code == 409)
    assert loser.json()["error"]["code"] in ("TWO_FACTOR_ALREADY_ENABLED", "CODE_ALREADY_USED")
    assert failures(db, email) == 0


def test_turning_2fa_off_with_a_code_just_used_counts_no_failure(stack, db):
    user = TwoFactorUser()
    code = totp(user.secret, (user.enable_step + 1) * 30)
    assert second_step(user.first_step(), code).status_code == 200
    for _ in range(6):
        assert_error(user.post("disable", code=code), 409, "CODE_ALREADY_USED")
    assert failures(db, user.email) == 0
    assert user.session.get(f"{API}/me", timeout=HTTP_TIMEOUT).json()["two_factor_enabled"] is True


def test_recovery_codes_are_single_use(stack):
    user = TwoFactorUser()
    code = user.recovery[0]
    assert second_step(user.first_step(), code.lower().replace("-", " ")).status_code == 200
    assert_error(second_step(user.first_step(), code), 401, "INVALID_CODE")
    assert user.session.get(f"{API}/me", timeout=HTTP_TIMEOUT).json()["recovery_codes_left"] == 9
    # New codes replace the old ones (a TOTP code is needed; a recovery code cannot mint more).
    assert_error(user.post("recovery-codes", code=user.recovery[1]), 403, "INVALID_CODE")
    fresh = user.post("recovery-codes", code=totp(user.secret, (user.enable_step + 1) * 30))
    assert fresh.status_code == 200, fresh.text
    new_codes = fresh.json()["recovery_codes"]
    assert len(new_codes) == 10 and not set(new_codes) & set(user.recovery)
    assert_error(second_step(user.first_step(), user.recovery[2]), 401, "INVALID_CODE")
    assert second_step(user.first_step(), new_codes[0]).status_code == 200


def test_wrong_codes_lock_the_account_on_the_2fa_step(stack):
    user = TwoFactorUser()
    mfa = user.first_step()
    right = totp(user.secret, (user.enable_step + 1) * 30)
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    for _ in range(5):
        assert_error(second_step(mfa, wrong), 401, "INVALID_CODE")
    locked = second_step(mfa, right)
    assert_error(locked, 429, "ACCOUNT_LOCKED")
    assert 1 <= int(locked.headers["Retry-After"]) <= 900
    # The lock is the account's: the password step is refused too, before any hashing.
    answer = requests.post(f"{API}/auth/login", json={"email": user.email, "password": user.password}, timeout=HTTP_TIMEOUT)
    assert_error(answer, 429, "ACCOUNT_LOCKED")
    wait_mail(user.email, "locked")


def test_a_right_password_does_not_reset_the_2fa_streak(stack):
    """Otherwise whoever knows the password could alternate one login and four code guesses forever."""
    user = TwoFactorUser()
    right = totp(user.secret, (user.enable_step + 1) * 30)
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    for _ in range(4):
        assert_error(second_step(user.first_step(), wrong), 401, "INVALID_CODE")
    mfa = user.first_step()  # a right password: must not clear the four failures
    assert_error(second_step(mfa, wrong), 401, "INVALID_CODE")
    assert_error(second_step(mfa, right), 429, "ACCOUNT_LOCKED")


def test_disable_needs_a_code_and_counts_failures(stack, db):
    user = TwoFactorUser()
    assert_error(user.post("disable", code="12345"), 403, "INVALID_CODE")
    off = user.post("disable", code=user.recovery[3])
    assert off.status_code == 204, off.text
    user_id = user.session.get(f"{API}/me", timeout=HTTP_TIMEOUT).json()["id"]
    assert scalar(db, "SELECT count(*) FROM totp WHERE user_id = %s", user_id) == 0
    assert scalar(db, "SELECT count(*) FROM recovery_codes WHERE user_id = %s", user_id) == 0
    answer = requests.post(f"{API}/auth/login", json={"email": user.email, "password": user.password}, timeout=HTTP_TIMEOUT)
    assert answer.status_code == 200 and "access_token" in answer.json()
    assert_error(user.post("disable", code="123456"), 409,
                 "TWO_FACTOR_NOT_ENABLED")
    wait_mail(user.email, "Two-factor authentication is off")


def test_an_unknown_or_expired_mfa_token_is_refused(stack, db):
    user = TwoFactorUser()
    assert_error(second_step("A" * 43, "123456"), 401, "INVALID_MFA_TOKEN")
    assert_error(second_step("short", "123456"), 401, "INVALID_MFA_TOKEN")
    mfa = user.first_step()
    lifetime = scalar(db, "SELECT extract(epoch FROM expires_at - created_at) FROM action_tokens "
                          "WHERE token_hash = sha256(%s::bytea)", mfa.encode())
    assert abs(float(lifetime) - 300) < 5
    db.cursor().execute("UPDATE action_tokens SET expires_at = now() - interval '1 second' "
                        "WHERE token_hash = sha256(%s::bytea)", (mfa.encode(),))
    assert_error(second_step(mfa, totp(user.secret, (user.enable_step + 1) * 30)), 401, "INVALID_MFA_TOKEN")


def test_another_users_secret_cannot_be_opened_with_this_user_id(stack, db):
    """The sealed secret is bound to its user id: copied to another account's row it fails, it does not work."""
    a, b = TwoFactorUser(), TwoFactorUser()
    a_id = a.session.get(f"{API}/me", timeout=HTTP_TIMEOUT).json()["id"]
    b_id = b.session.get(f"{API}/me", timeout=HTTP_TIMEOUT).json()["id"]
    db.cursor().execute("UPDATE totp SET secret_enc = (SELECT secret_enc FROM totp WHERE user_id = %s) "
                        "WHERE user_id = %s", (a_id, b_id))
    # Not a wrong code from the user but data that fails its integrity check: a server error, logged.
    assert_error(second_step(b.first_step(), totp(a.secret, (a.enable_step + 1) * 30)), 500)


def test_verifying_an_address_drops_what_its_unverified_account_gathered(stack, db):
    """Whoever held an unverified account was not proven to own the address: when its owner opens a link, the
    2FA, recovery codes and sessions of the account go, and the owner's password is the one that works. (The
    API lets no unverified account gather them; here a verified one is made unverified again to get there.)"""
    user = TwoFactorUser()
    user_id = user.session.get(f"{API}/me", timeout=HTTP_TIMEOUT).json()["id"]
    query(db, "UPDATE users SET email_verified_at = NULL WHERE id = %s", user_id)
    owner = DEFAULT_PASSWORD + " owner"
    confirms = len(mails_to(user.email, "Confirm"))
    assert requests.post(f"{API}/auth/register", json={"email": user.email, "password": owner},
                         timeout=HTTP_TIMEOUT).status_code == 202
    token = link_token(wait_mail(user.email, "Confirm", count=confirms + 1), "/verify-email")
    assert requests.post(f"{API}/auth/verify-email", json={"token": token}, timeout=HTTP_TIMEOUT).status_code == 200
    assert scalar(db, "SELECT count(*) FROM totp WHERE user_id = %s", user_id) == 0
    assert scalar(db, "SELECT count(*) FROM recovery_codes WHERE user_id = %s", user_id) == 0
    assert scalar(db, "SELECT count(*) FROM sessions WHERE user_id = %s AND revoked_at IS NULL", user_id) == 0
    assert_error(user.session.get(f"{API}/me", timeout=HTTP_TIMEOUT), 401)
    answer = requests.post(f"{API}/auth/login", json={"email": user.email, "password": owner}, timeout=HTTP_TIMEOUT)
    assert answer.status_code == 200 and "access_token" in answer.json(), answer.text
    assert_error(requests.post(f"{API}/auth/login", json={"email": user.email, "password": user.password},
                               timeout=HTTP_TIMEOUT), 401, "INVALID_CREDENTIALS")


def test_an_unverified_account_cannot_set_up_2fa(stack, db):
    session, _ = login_user()
    user_id = session.get(f"{API}/me", timeout=HTTP_TIMEOUT).json()["id"]
    query(db, "UPDATE users SET email_verified_at = NULL WHERE id = %s", user_id)
    assert_error(session.post(f"{API}/me/2fa/setup", json={"password": DEFAULT_PASSWORD}, timeout=HTTP_TIMEOUT), 403,
                 "EMAIL_NOT_VERIFIED")
    assert scalar(db, "SELECT count(*) FROM totp WHERE user_id = %s", user_id) == 0


def reset_password(email, password):
    resets = len(mails_to(email, "Reset"))
    assert requests.post(f"{API}/auth/forgot-password", json={"email": email}, timeout=HTTP_TIMEOUT).status_code == 202
    token = link_token(wait_mail(email, "Reset", count=resets + 1), "/reset-password")
    answer = requests.post(f"{API}/auth/reset-password", json={"token": token, "password": password}, timeout=HTTP_TIMEOUT)
    assert answer.status_code == 200, answer.text


def test_a_password_reset_removes_2fa_so_the_mailbox_owner_gets_the_account_back(stack, db):
    """Whoever took the account and enrolled 2FA must not keep the mailbox's owner out after a reset: the TOTP
    secret and the recovery codes go, and the owner is told by email."""
    user = TwoFactorUser()
    user_id = user.session.get(f"{API}/me", timeout=HTTP_TIMEOUT).json()["id"]
    owner = DEFAULT_PASSWORD + " reset"
    reset_password(user.email, owner)
    assert scalar(db, "SELECT count(*) FROM totp WHERE user_id = %s", user_id) == 0
    assert scalar(db, "SELECT count(*) FROM recovery_codes WHERE user_id = %s", user_id) == 0
    # The new password alone logs in: no second step.
    answer = requests.post(f"{API}/auth/login", json={"email": user.email, "password": owner}, timeout=HTTP_TIMEOUT)
    assert answer.status_code == 200 and "access_token" in answer.json(), answer.text
    assert answer.json().get("mfa_required") is None
    assert_error(second_step("A" * 43, user.recovery[0]), 401, "INVALID_MFA_TOKEN")
    notice = wait_mail(user.email, "Two-factor authentication is off")
    assert "reset" in notice.get_content()


def test_a_reset_without_2fa_sends_no_2fa_notice(stack, db):
    email, _ = register_user()
    session, _ = login_user(email)
    # A pending setup (never confirmed) goes too, silently.
    assert session.post(f"{API}/me/2fa/setup", json={"password": DEFAULT_PASSWORD}, timeout=HTTP_TIMEOUT).status_code == 200
    reset_password(email, DEFAULT_PASSWORD + " reset")
    wait_mail(email, "password was changed")
    assert scalar(db, "SELECT count(*) FROM totp WHERE user_id = (SELECT id FROM users WHERE email = %s)", email) == 0
    assert mails_to(email, "Two-factor") == []


def test_the_2fa_routes_need_the_current_password(stack, db):
    """A bearer token alone (copied out of a browser, say) cannot set up, turn on, turn off or re-key the
    second factor: each route re-authenticates with the current password."""
    email, password = register_user()
    session, _ = login_user(email, password)
    user_id = session.get(f"{API}/me", timeout=HTTP_TIMEOUT).json()["id"]
    for route, body in (("setup", None), ("enable", {"code": "123456"}), ("disable", {"code": "123456"}),
                        ("recovery-codes", {"code": "123456"})):
        assert_error(session.post(f"{API}/me/2fa/{route}", json=body, timeout=HTTP_TIMEOUT), 400)
    wrong = password + " not"
    assert_error(session.post(f"{API}/me/2fa/setup", json={"password": wrong}, timeout=HTTP_TIMEOUT), 403, "WRONG_PASSWORD")
    assert scalar(db, "SELECT count(*) FROM totp WHERE user_id = %s", user_id) == 0
    secret = session.post(f"{API}/me/2fa/setup", json={"password": password}, timeout=HTTP_TIMEOUT).json()["secret"]
    assert_error(session.post(f"{API}/me/2fa/enable", json={"password": wrong, "code": totp(secret)}, timeout=HTTP_TIMEOUT),
                 403, "WRONG_PASSWORD")
    assert session.get(f"{API}/me", timeout=HTTP_TIMEOUT).json()["two_factor_enabled"] is False

    user = TwoFactorUser()
    code = totp(user.secret, (user.enable_step + 1) * 30)
    for route in ("disable", "recovery-codes"):
        answer = user.session.post(f"{API}/me/2fa/{route}", json={"password": wrong, "code": code}, timeout=HTTP_TIMEOUT)
        assert_error(answer, 403, "WRONG_PASSWORD")
    profile = user.session.get(f"{API}/me", timeout=HTTP_TIMEOUT).json()
    assert profile["two_factor_enabled"] is True and profile["recovery_codes_left"] == 10
    # The code was not spent by the refused requests: with the password it works.
    assert user.post("recovery-codes", code=code).status_code == 200


def test_wrong_passwords_on_the_2fa_routes_lock_the_account(stack):
    email, password = register_user()
    session, _ = login_user(email, password)
    for i in range(5):
        answer = session.post(f"{API}/me/2fa/setup", json={"password": f"{password} guess {i}"}, timeout=HTTP_TIMEOUT)
        assert_error(answer, 403, "WRONG_PASSWORD")
    locked = session.post(f"{API}/me/2fa/setup", json={"password": password}, timeout=HTTP_TIMEOUT)
    assert_error(locked, 429, "ACCOUNT_LOCKED")
    assert 1 <= int(locked.headers["Retry-After"]) <= 900
    # The same lock as login's.
    answer = requests.post(f"{API}/auth/login", json={"email": email, "password": password}, timeout=HTTP_TIMEOUT)
    assert_error(answer, 429, "ACCOUNT_LOCKED")
    wait_mail(email, "locked")


def test_a_right_password_on_a_2fa_route_does_not_reset_the_code_streak(stack):
    """Otherwise a stolen session and the password would give endless guesses at the code that turns 2FA off."""
    user = TwoFactorUser()
    right = totp(user.secret, (user.enable_step + 1) * 30)
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    for _ in range(4):
        assert_error(user.post("disable", code=wrong), 403, "INVALID_CODE")
    assert_error(user.post("setup"), 409, "TWO_FACTOR_ALREADY_ENABLED")  # a right password, then a refusal
    assert_error(user.post("disable", code=wrong), 403, "INVALID_CODE")
    assert_error(user.post("disable", code=right), 429, "ACCOUNT_LOCKED")
