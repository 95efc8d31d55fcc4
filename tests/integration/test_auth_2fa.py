"""TOTP two-factor authentication on the real daemon: setup, enable, the two-step login, replay
refusal, recovery codes, the secret sealed at rest, lockout on the 2FA step, disable."""

import base64
import hashlib
import hmac
import struct
import time
import urllib.parse

import requests

from conftest import PUBLIC, login_user, register_user, scalar, wait_mail
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
        setup = self.session.post(f"{API}/me/2fa/setup", timeout=10)
        assert setup.status_code == 200, setup.text
        self.secret = setup.json()["secret"]
        self.uri = setup.json()["otpauth_uri"]
        now = time.time()
        self.enable_step = int(now // 30)
        enabled = self.session.post(f"{API}/me/2fa/enable", json={"code": totp(self.secret, now)}, timeout=10)
        assert enabled.status_code == 200, enabled.text
        self.recovery = enabled.json()["recovery_codes"]

    def first_step(self):
        answer = requests.post(f"{API}/auth/login", json={"email": self.email, "password": self.password}, timeout=30)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["mfa_required"] is True and "access_token" not in body and "Set-Cookie" not in answer.headers
        return body["mfa_token"]


def second_step(mfa_token, code):
    return requests.post(f"{API}/auth/login/2fa", json={"mfa_token": mfa_token, "code": code}, timeout=30)


def test_setup_gives_an_otpauth_uri_and_the_secret_is_sealed_at_rest(stack, db):
    session, _ = login_user()
    user_id = session.get(f"{API}/me", timeout=10).json()["id"]
    setup = session.post(f"{API}/me/2fa/setup", timeout=10).json()
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
    assert session.get(f"{API}/me", timeout=10).json()["two_factor_enabled"] is False
    assert_error(session.post(f"{API}/me/2fa/enable", json={"code": "000000" if totp(secret) != "000000" else "111111"},
                              timeout=10), 403, "INVALID_CODE")


def test_enable_then_login_needs_the_second_step(stack, db):
    user = TwoFactorUser()
    assert len(user.recovery) == 10 and len(set(user.recovery)) == 10
    assert all(len(c) == 11 and c[5] == "-" for c in user.recovery)
    profile = user.session.get(f"{API}/me", timeout=10).json()
    assert profile["two_factor_enabled"] is True and profile["recovery_codes_left"] == 10
    # Recovery codes are stored hashed only.
    for code in user.recovery:
        assert scalar(db, "SELECT count(*) FROM recovery_codes WHERE position(%s::bytea IN code_hash) > 0",
                      code.encode()) == 0
    # A second setup cannot replace an enabled secret.
    assert_error(user.session.post(f"{API}/me/2fa/setup", timeout=10), 409, "TWO_FACTOR_ALREADY_ENABLED")

    mfa = user.first_step()
    # The code that enabled 2FA used its step: the same code is a replay.
    assert_error(second_step(mfa, totp(user.secret, user.enable_step * 30)), 401, "INVALID_CODE")
    done = second_step(mfa, totp(user.secret, (user.enable_step + 1) * 30))
    assert done.status_code == 200, done.text
    assert done.json()["token_type"] == "Bearer"
    token, attrs = refresh_cookie_of(done)
    assert "HttpOnly" in attrs
    # The mfa_token worked once.
    assert_error(second_step(mfa, totp(user.secret, (user.enable_step + 1) * 30)), 401, "INVALID_MFA_TOKEN")
    headers = {"Authorization": f"Bearer {done.json()['access_token']}"}
    assert requests.get(f"{API}/me", headers=headers, timeout=10).status_code == 200


def test_a_code_is_never_accepted_twice(stack):
    user = TwoFactorUser()
    code = totp(user.secret, (user.enable_step + 1) * 30)
    assert second_step(user.first_step(), code).status_code == 200
    # Same code, new login: refused although it is still inside the time window.
    assert_error(second_step(user.first_step(), code), 401, "INVALID_CODE")


def test_recovery_codes_are_single_use(stack):
    user = TwoFactorUser()
    code = user.recovery[0]
    assert second_step(user.first_step(), code.lower().replace("-", " ")).status_code == 200
    assert_error(second_step(user.first_step(), code), 401, "INVALID_CODE")
    assert user.session.get(f"{API}/me", timeout=10).json()["recovery_codes_left"] == 9
    # New codes replace the old ones (a TOTP code is needed; a recovery code cannot mint more).
    assert_error(user.session.post(f"{API}/me/2fa/recovery-codes", json={"code": user.recovery[1]}, timeout=10),
                 403, "INVALID_CODE")
    fresh = user.session.post(f"{API}/me/2fa/recovery-codes",
                              json={"code": totp(user.secret, (user.enable_step + 1) * 30)}, timeout=10)
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
    answer = requests.post(f"{API}/auth/login", json={"email": user.email, "password": user.password}, timeout=30)
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
    assert_error(user.session.post(f"{API}/me/2fa/disable", json={"code": "12345"}, timeout=10), 403, "INVALID_CODE")
    off = user.session.post(f"{API}/me/2fa/disable", json={"code": user.recovery[3]}, timeout=10)
    assert off.status_code == 204, off.text
    user_id = user.session.get(f"{API}/me", timeout=10).json()["id"]
    assert scalar(db, "SELECT count(*) FROM totp WHERE user_id = %s", user_id) == 0
    assert scalar(db, "SELECT count(*) FROM recovery_codes WHERE user_id = %s", user_id) == 0
    answer = requests.post(f"{API}/auth/login", json={"email": user.email, "password": user.password}, timeout=30)
    assert answer.status_code == 200 and "access_token" in answer.json()
    assert_error(user.session.post(f"{API}/me/2fa/disable", json={"code": "123456"}, timeout=10), 409,
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
    a_id = a.session.get(f"{API}/me", timeout=10).json()["id"]
    b_id = b.session.get(f"{API}/me", timeout=10).json()["id"]
    db.cursor().execute("UPDATE totp SET secret_enc = (SELECT secret_enc FROM totp WHERE user_id = %s) "
                        "WHERE user_id = %s", (a_id, b_id))
    # Not a wrong code from the user but data that fails its integrity check: a server error, logged.
    assert_error(second_step(b.first_step(), totp(a.secret, (a.enable_step + 1) * 30)), 500)
