"""Accounts and security, end to end on the real daemon: registration and verification mail,
login, refresh-token families (rotation, reuse, concurrency, absolute expiry), logout, sessions and
their isolation between users, forgotten/changed passwords, CORS and security headers."""

import concurrent.futures
import os
import re
import time

import requests

import conftest
from conftest import (DEFAULT_PASSWORD, HTTP_TIMEOUT, PUBLIC, link_token, login_user, mails_to, new_email, query,
                      register_user, scalar, wait_for, wait_mail)

API = f"{PUBLIC}/api/v1"
COOKIE = "parity_refresh"


def post(path, body=None, **kw):
    return requests.post(f"{API}{path}", json=body, timeout=HTTP_TIMEOUT, **kw)


def assert_error(answer, status, code=None):
    assert answer.status_code == status, (answer.status_code, answer.text)
    assert answer.headers["Content-Type"].startswith("application/json")
    error = answer.json()["error"]
    assert set(error) == {"code", "message", "request_id"}
    assert error["request_id"] == answer.headers["X-Request-Id"]
    if code:
        assert error["code"] == code, error
    return error


def refresh_cookie_of(answer):
    """The refresh token the answer set, and the attributes of its Set-Cookie."""
    header = answer.headers["Set-Cookie"]
    found = re.match(COOKIE + r"=([^;]*);(.*)$", header)
    assert found, header
    attrs = [a.strip() for a in found.group(2).split(";")]
    return found.group(1), attrs


def refresh_with(token):
    return post("/auth/refresh", cookies={COOKIE: token})


def me(token):
    return requests.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"}, timeout=HTTP_TIMEOUT)


# ---------------------------------------------------------------- registration and verification


def test_register_answers_the_same_for_new_and_existing_emails(stack, db):
    email = new_email("dup")
    first = post("/auth/register", {"email": email, "password": DEFAULT_PASSWORD})
    second = post("/auth/register", {"email": email.upper(), "password": DEFAULT_PASSWORD + " other"})
    assert first.status_code == second.status_code == 202
    assert first.json() == second.json() == {"status": "verification_sent"}
    assert scalar(db, "SELECT count(*) FROM users WHERE email = %s", email) == 1
    # The stored hash is argon2id, never the password.
    stored = scalar(db, "SELECT password_hash FROM users WHERE email = %s", email)
    assert stored.startswith("$argon2id$") and DEFAULT_PASSWORD not in stored
    # Unverified, so each registration mailed a fresh link; once one is opened, the others are spent.
    wait_mail(email, "Confirm", count=2)
    mails = mails_to(email, "Confirm")
    assert len(mails) == 2
    old, new = link_token(mails[0], "/verify-email"), link_token(mails[1], "/verify-email")
    assert post("/auth/verify-email", {"token": new}).status_code == 200
    assert_error(post("/auth/verify-email", {"token": old}), 400, "INVALID_TOKEN")
    stored = scalar(db, "SELECT password_hash FROM users WHERE email = %s", email)
    # Once verified, registering again mails a notice instead of a link, and still answers 202.
    again = post("/auth/register", {"email": email, "password": DEFAULT_PASSWORD})
    assert again.status_code == 202 and again.json() == {"status": "verification_sent"}
    notice = wait_mail(email, "Your Parity account")
    assert "/verify-email" not in notice.get_content() and "already has one" in notice.get_content()
    # The existing password did not change.
    assert scalar(db, "SELECT password_hash FROM users WHERE email = %s", email) == stored


def test_verification_mail_is_an_rfc5322_message_with_a_single_use_link(stack, db):
    email = new_email("mail")
    assert post("/auth/register", {"email": email, "password": DEFAULT_PASSWORD}).status_code == 202
    msg = wait_mail(email, "Confirm")
    for header in ("Date", "From", "To", "Subject", "Message-ID", "MIME-Version", "Content-Type"):
        assert msg[header], header
    text = msg.get_content()
    assert re.search(r"https?://[^/\s]+/verify-email\?token=[A-Za-z0-9_-]{43}\b", text), text
    token = link_token(msg, "/verify-email")
    # Only the SHA-256 of the token is stored.
    assert scalar(db, "SELECT count(*) FROM action_tokens WHERE token_hash = sha256(%s::bytea)",
                  token.encode()) == 1
    lifetime = scalar(db, "SELECT extract(epoch FROM expires_at - created_at) FROM action_tokens "
                          "WHERE token_hash = sha256(%s::bytea)", token.encode())
    assert abs(float(lifetime) - 24 * 3600) < 5
    assert post("/auth/verify-email", {"token": token}).status_code == 200
    assert_error(post("/auth/verify-email", {"token": token}), 400, "INVALID_TOKEN")
    assert scalar(db, "SELECT email_verified_at IS NOT NULL FROM users WHERE email = %s", email)


def test_an_expired_verification_link_is_refused(stack, db):
    email = new_email("exp")
    assert post("/auth/register", {"email": email, "password": DEFAULT_PASSWORD}).status_code == 202
    token = link_token(wait_mail(email, "Confirm"), "/verify-email")
    query(db, "UPDATE action_tokens SET expires_at = now() - interval '1 second' "
              "WHERE token_hash = sha256(%s::bytea)", token.encode())
    assert_error(post("/auth/verify-email", {"token": token}), 400, "INVALID_TOKEN")


def test_registering_an_address_first_cannot_take_over_its_account(stack, db):
    """Someone registers the owner's address with a password of their own and never verifies; the owner
    registers later and opens the link of their own mail: the owner's password is the one that works."""
    email = new_email("victim")
    attacker, owner = DEFAULT_PASSWORD + " attacker", DEFAULT_PASSWORD + " owner"
    first = post("/auth/register", {"email": email, "password": attacker})
    second = post("/auth/register", {"email": email, "password": owner})
    assert first.status_code == second.status_code == 202 and first.json() == second.json()
    # Unverified, the account lets nobody in.
    assert_error(post("/auth/login", {"email": email, "password": attacker}), 403, "EMAIL_NOT_VERIFIED")
    assert post("/auth/login", {"email": email, "password": owner}).status_code in (401, 403)
    wait_mail(email, "Confirm", count=2)
    owners_link = link_token(mails_to(email, "Confirm")[1], "/verify-email")
    assert post("/auth/verify-email", {"token": owners_link}).status_code == 200
    assert post("/auth/login", {"email": email, "password": owner}).status_code == 200
    assert_error(post("/auth/login", {"email": email, "password": attacker}), 401, "INVALID_CREDENTIALS")
    # The other pending registration's link is spent: it cannot switch the password back.
    attackers_link = link_token(mails_to(email, "Confirm")[0], "/verify-email")
    assert_error(post("/auth/verify-email", {"token": attackers_link}), 400, "INVALID_TOKEN")
    assert post("/auth/login", {"email": email, "password": owner}).status_code == 200


def test_a_later_registration_does_not_change_what_an_earlier_link_activates(stack):
    """Each link activates the password of its own registration: the owner registers first and opens that
    link after someone else registered the address too."""
    email = new_email("first")
    owner, other = DEFAULT_PASSWORD + " owner", DEFAULT_PASSWORD + " later"
    assert post("/auth/register", {"email": email, "password": owner}).status_code == 202
    assert post("/auth/register", {"email": email, "password": other}).status_code == 202
    wait_mail(email, "Confirm", count=2)
    owners_link, others_link = (link_token(m, "/verify-email") for m in mails_to(email, "Confirm"))
    assert post("/auth/verify-email", {"token": owners_link}).status_code == 200
    assert post("/auth/login", {"email": email, "password": owner}).status_code == 200
    assert_error(post("/auth/login", {"email": email, "password": other}), 401, "INVALID_CREDENTIALS")
    assert_error(post("/auth/verify-email", {"token": others_link}), 400, "INVALID_TOKEN")


def test_a_reset_spends_the_links_of_pending_registrations(stack):
    """A reset proves the mailbox as well: a registration link opened afterwards changes nothing."""
    email = new_email("pending")
    attacker, owner = DEFAULT_PASSWORD + " attacker", DEFAULT_PASSWORD + " owner"
    assert post("/auth/register", {"email": email, "password": attacker}).status_code == 202
    pending = link_token(wait_mail(email, "Confirm"), "/verify-email")
    assert post("/auth/forgot-password", {"email": email}).status_code == 202
    reset = link_token(wait_mail(email, "Reset"), "/reset-password")
    assert post("/auth/reset-password", {"token": reset, "password": owner}).status_code == 200
    assert_error(post("/auth/verify-email", {"token": pending}), 400, "INVALID_TOKEN")
    assert post("/auth/login", {"email": email, "password": owner}).status_code == 200
    assert_error(post("/auth/login", {"email": email, "password": attacker}), 401, "INVALID_CREDENTIALS")


def test_a_verification_link_without_a_registration_password_is_refused(stack, db):
    """Links mailed before links carried their registration's password cannot say which password to activate."""
    email = new_email("legacy")
    assert post("/auth/register", {"email": email, "password": DEFAULT_PASSWORD}).status_code == 202
    token = link_token(wait_mail(email, "Confirm"), "/verify-email")
    query(db, "UPDATE action_tokens SET password_hash = NULL WHERE token_hash = sha256(%s::bytea)", token.encode())
    assert_error(post("/auth/verify-email", {"token": token}), 400, "INVALID_TOKEN")
    assert not scalar(db, "SELECT email_verified_at IS NOT NULL FROM users WHERE email = %s", email)


def test_unverified_accounts_cannot_log_in(stack):
    email, password = register_user(verify=False)
    assert_error(post("/auth/login", {"email": email, "password": password}), 403, "EMAIL_NOT_VERIFIED")
    # A wrong password on an unverified account gives nothing away.
    assert_error(post("/auth/login", {"email": email, "password": password + "x"}), 401, "INVALID_CREDENTIALS")


def test_weak_short_and_long_passwords_are_refused(stack, db):
    email = new_email("weak")
    cases = {
        "short1234": "PASSWORD_TOO_SHORT",
        "x" * 129: "PASSWORD_TOO_LONG",
        "password1234": "PASSWORD_TOO_WEAK",
        "qwertyuiop": "PASSWORD_TOO_WEAK",
        # The email's own parts count as guessable (zxcvbn user inputs).
        email.split("@")[0] + "2024": "PASSWORD_TOO_WEAK",
    }
    for password, code in cases.items():
        assert_error(post("/auth/register", {"email": email, "password": password}), 400, code)
    # Ten code points of four bytes each is 40 bytes but 10 characters: long enough.
    assert post("/auth/register", {"email": email, "password": "\U0001F600\U0001F34E\U0001F680\U0001F3B8"
                                   "\U0001F30D\U0001F9ED\U0001F9F2\U0001F4A1\U0001F9EA\U0001F5FA"}).status_code == 202
    assert scalar(db, "SELECT count(*) FROM users WHERE email = %s", email) == 1


# ---------------------------------------------------------------- login and the tokens it hands out


def test_login_answers_tokens_and_a_strict_refresh_cookie(stack, db):
    email, password = register_user()
    answer = post("/auth/login", {"email": email, "password": password}, headers={"User-Agent": "pytest-agent/1"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 600 and body["access_token"].count(".") == 2
    token, attrs = refresh_cookie_of(answer)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    assert "HttpOnly" in attrs and "SameSite=Strict" in attrs and "Path=/api/v1/auth" in attrs
    assert "Secure" not in attrs  # COOKIE_SECURE is false here; test_auth_config checks the true case
    max_age = int(next(a for a in attrs if a.startswith("Max-Age="))[8:])
    assert abs(max_age - 30 * 24 * 3600) < 10
    assert "refresh" not in body and token not in answer.text
    # Only the SHA-256 is stored, with the device and address of the login.
    row = query(db, "SELECT user_agent, host(ip), family_expires_at - created_at FROM sessions "
                    "WHERE token_hash = sha256(%s::bytea)", token.encode())
    assert row and row[0][0] == "pytest-agent/1" and row[0][1] == "127.0.0.1"
    assert abs(row[0][2].total_seconds() - 30 * 24 * 3600) < 5
    profile = me(body["access_token"])
    assert profile.status_code == 200
    assert profile.json()["email"] == email and profile.json()["email_verified"] is True
    assert set(profile.json()) >= {"id", "email", "email_verified", "two_factor_enabled", "risk_tolerance",
                                   "horizon", "bucket"}
    assert profile.json()["two_factor_enabled"] is False and profile.json()["bucket"] is None


def test_unknown_email_and_wrong_password_answer_alike(stack):
    email, password = register_user()
    wrong = post("/auth/login", {"email": email, "password": password + "!"})
    unknown = post("/auth/login", {"email": new_email("nobody"), "password": password})
    for answer in (wrong, unknown):
        assert_error(answer, 401, "INVALID_CREDENTIALS")
        assert "Set-Cookie" not in answer.headers
    assert wrong.json()["error"]["message"] == unknown.json()["error"]["message"]


def test_email_is_case_and_space_insensitive_at_login(stack):
    email, password = register_user()
    answer = post("/auth/login", {"email": "  " + email.upper() + " ", "password": password})
    assert answer.status_code == 200, answer.text


def test_login_user_helper_gives_a_working_session(stack):
    session, token = login_user()
    assert session.get(f"{API}/me", timeout=HTTP_TIMEOUT).status_code == 200
    assert session.cookies.get(COOKIE)


# ---------------------------------------------------------------- refresh families


def test_refresh_rotates_and_reuse_revokes_the_whole_family(stack, db):
    email, password = register_user()
    login = post("/auth/login", {"email": email, "password": password})
    t1, _ = refresh_cookie_of(login)
    access1 = login.json()["access_token"]

    second = refresh_with(t1)
    assert second.status_code == 200, second.text
    t2, _ = refresh_cookie_of(second)
    assert t2 != t1 and second.json()["access_token"] != access1
    third = refresh_with(t2)
    assert third.status_code == 200
    t3, _ = refresh_cookie_of(third)
    access3 = third.json()["access_token"]
    assert me(access3).status_code == 200 and me(access1).status_code == 200

    # t1 was used: presenting it again is a theft signal. The whole family dies, t3 included.
    reuse = refresh_with(t1)
    assert_error(reuse, 401, "REFRESH_TOKEN_REUSED")
    cleared, attrs = refresh_cookie_of(reuse)
    assert cleared == "" and "Max-Age=0" in attrs
    assert_error(refresh_with(t3), 401)
    assert_error(refresh_with(t2), 401)
    # Access tokens of the family stop working at once, not only when they expire.
    assert_error(me(access3), 401, "INVALID_TOKEN")
    assert_error(me(access1), 401, "INVALID_TOKEN")
    family = scalar(db, "SELECT family_id FROM sessions WHERE token_hash = sha256(%s::bytea)", t1.encode())
    assert scalar(db, "SELECT count(*) FROM sessions WHERE family_id = %s AND revoked_at IS NULL", family) == 0
    assert scalar(db, "SELECT count(*) FROM sessions WHERE family_id = %s", family) == 3
    # A new login is unaffected.
    assert post("/auth/login", {"email": email, "password": password}).status_code == 200


def test_rotation_never_extends_the_family(stack, db):
    email, password = register_user()
    token, _ = refresh_cookie_of(post("/auth/login", {"email": email, "password": password}))
    ends = scalar(db, "SELECT family_expires_at FROM sessions WHERE token_hash = sha256(%s::bytea)", token.encode())
    for _ in range(3):
        answer = refresh_with(token)
        assert answer.status_code == 200
        token, attrs = refresh_cookie_of(answer)
    assert scalar(db, "SELECT family_expires_at FROM sessions WHERE token_hash = sha256(%s::bytea)",
                  token.encode()) == ends


def test_a_family_ends_30_days_after_its_login(stack, db):
    email, password = register_user()
    token, _ = refresh_cookie_of(post("/auth/login", {"email": email, "password": password}))
    token, _ = refresh_cookie_of(refresh_with(token))
    # Age the family as if its login were 30 days and a second ago.
    query(db, "UPDATE sessions SET family_expires_at = now() - interval '1 second' WHERE family_id = "
              "(SELECT family_id FROM sessions WHERE token_hash = sha256(%s::bytea))", token.encode())
    assert_error(refresh_with(token), 401, "SESSION_EXPIRED")


def test_concurrent_refreshes_with_one_token_cannot_both_succeed(stack):
    for _ in range(3):
        email, password = register_user()
        token, _ = refresh_cookie_of(post("/auth/login", {"email": email, "password": password}))
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: refresh_with(token), range(8)))
        statuses = sorted(a.status_code for a in answers)
        assert statuses.count(200) == 1, statuses
        assert all(s == 401 for s in statuses if s != 200), statuses


def test_logout_all_racing_rotations_leaves_no_live_token(stack, db):
    """A rotation in flight while every session is revoked must not leave its new token alive."""
    email, password = register_user()
    user_id = None
    for attempt in range(12):
        login = post("/auth/login", {"email": email, "password": password})
        token = refresh_cookie_of(login)[0]
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        user_id = user_id or me(login.json()["access_token"]).json()["id"]
        rotations = []

        def rotate(token=token):
            for _ in range(300):
                answer = refresh_with(token)
                if answer.status_code != 200:
                    return
                token = refresh_cookie_of(answer)[0]
                rotations.append(token)
            raise AssertionError("the token chain outlived logout-all")

        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            rotator = pool.submit(rotate)
            time.sleep(0.005 * attempt)
            assert pool.submit(post, "/auth/logout-all", None, headers=headers).result().status_code == 204
            rotator.result()
        assert scalar(db, "SELECT count(*) FROM sessions WHERE user_id = %s AND revoked_at IS NULL", user_id) == 0
        if rotations:
            assert_error(refresh_with(rotations[-1]), 401)


def test_refresh_without_or_with_a_bogus_cookie(stack):
    assert_error(post("/auth/refresh"), 401, "INVALID_REFRESH_TOKEN")
    assert_error(refresh_with("A" * 43), 401, "INVALID_REFRESH_TOKEN")
    assert_error(refresh_with("not-a-token"), 401, "INVALID_REFRESH_TOKEN")


# ---------------------------------------------------------------- logout, sessions


def test_logout_ends_this_session_only(stack):
    email, password = register_user()
    a = post("/auth/login", {"email": email, "password": password})
    b = post("/auth/login", {"email": email, "password": password})
    ta, _ = refresh_cookie_of(a)
    tb, _ = refresh_cookie_of(b)
    out = post("/auth/logout", cookies={COOKIE: ta})
    assert out.status_code == 204 and out.text == ""
    assert refresh_cookie_of(out)[0] == ""
    assert_error(refresh_with(ta), 401)
    assert_error(me(a.json()["access_token"]), 401, "INVALID_TOKEN")
    assert refresh_with(tb).status_code == 200
    # Logging out with nothing to end is not an error.
    assert post("/auth/logout").status_code == 204


def test_logout_all_ends_every_session(stack):
    email, password = register_user()
    logins = [post("/auth/login", {"email": email, "password": password}) for _ in range(3)]
    access = logins[0].json()["access_token"]
    out = post("/auth/logout-all", headers={"Authorization": f"Bearer {access}"})
    assert out.status_code == 204
    for login in logins:
        assert_error(refresh_with(refresh_cookie_of(login)[0]), 401)
        assert_error(me(login.json()["access_token"]), 401, "INVALID_TOKEN")
    assert_error(post("/auth/logout-all"), 401, "INVALID_TOKEN")


def test_sessions_list_and_revoke_one(stack):
    email, password = register_user()
    phone = post("/auth/login", {"email": email, "password": password}, headers={"User-Agent": "Phone/1.0"})
    laptop = post("/auth/login", {"email": email, "password": password}, headers={"User-Agent": "Laptop/2.0"})
    headers = {"Authorization": f"Bearer {laptop.json()['access_token']}"}
    listed = requests.get(f"{API}/me/sessions", headers=headers, timeout=HTTP_TIMEOUT)
    assert listed.status_code == 200
    sessions = listed.json()["sessions"]
    assert len(sessions) == 2
    for s in sessions:
        assert set(s) == {"id", "current", "created_at", "last_used_at", "ip", "user_agent"}
        assert s["ip"] == "127.0.0.1" and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", s["last_used_at"])
    current = [s for s in sessions if s["current"]]
    assert len(current) == 1 and current[0]["user_agent"] == "Laptop/2.0"
    other = next(s for s in sessions if not s["current"])
    assert other["user_agent"] == "Phone/1.0"
    # A rotation keeps the session: same id, still two sessions.
    refreshed = refresh_with(refresh_cookie_of(phone)[0])
    assert refreshed.status_code == 200
    ids = {s["id"] for s in requests.get(f"{API}/me/sessions", headers=headers, timeout=HTTP_TIMEOUT).json()["sessions"]}
    assert ids == {s["id"] for s in sessions}

    gone = requests.delete(f"{API}/me/sessions/{other['id']}", headers=headers, timeout=HTTP_TIMEOUT)
    assert gone.status_code == 204
    assert_error(refresh_with(refresh_cookie_of(refreshed)[0]), 401)
    assert_error(me(refreshed.json()["access_token"]), 401, "INVALID_TOKEN")
    left = requests.get(f"{API}/me/sessions", headers=headers, timeout=HTTP_TIMEOUT).json()["sessions"]
    assert [s["id"] for s in left] == [current[0]["id"]]
    assert_error(requests.delete(f"{API}/me/sessions/{other['id']}", headers=headers, timeout=HTTP_TIMEOUT), 404)


def test_a_user_can_never_see_or_touch_another_users_sessions(stack, db):
    alice, alice_token = login_user()
    bob, bob_token = login_user()
    bob_sessions = bob.get(f"{API}/me/sessions", timeout=HTTP_TIMEOUT).json()["sessions"]
    alice_sessions = alice.get(f"{API}/me/sessions", timeout=HTTP_TIMEOUT).json()["sessions"]
    assert not {s["id"] for s in bob_sessions} & {s["id"] for s in alice_sessions}
    for target in bob_sessions:
        assert_error(alice.delete(f"{API}/me/sessions/{target['id']}", timeout=HTTP_TIMEOUT), 404, "SESSION_NOT_FOUND")
    # Bob's session is untouched and still works.
    assert bob.get(f"{API}/me", timeout=HTTP_TIMEOUT).status_code == 200
    assert scalar(db, "SELECT count(*) FROM sessions WHERE family_id = %s AND revoked_at IS NULL",
                  bob_sessions[0]["id"]) >= 1
    for junk in ("not-a-uuid", "00000000-0000-0000-0000-000000000000", "1"):
        assert_error(alice.delete(f"{API}/me/sessions/{junk}", timeout=HTTP_TIMEOUT), 404)


# ---------------------------------------------------------------- forgot, reset, change


def test_forgot_password_is_uniform_and_reset_is_single_use(stack, db):
    email, password = register_user()
    other = post("/auth/login", {"email": email, "password": password})
    known = post("/auth/forgot-password", {"email": email})
    unknown = post("/auth/forgot-password", {"email": new_email("ghost")})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json() == {"status": "reset_sent"}
    msg = wait_mail(email, "Reset")
    token = link_token(msg, "/reset-password")
    lifetime = scalar(db, "SELECT extract(epoch FROM expires_at - created_at) FROM action_tokens "
                          "WHERE token_hash = sha256(%s::bytea)", token.encode())
    assert abs(float(lifetime) - 15 * 60) < 5
    # A weak password leaves the link usable.
    assert_error(post("/auth/reset-password", {"token": token, "password": "password1234"}), 400,
                 "PASSWORD_TOO_WEAK")
    new_password = DEFAULT_PASSWORD + " reset"
    assert post("/auth/reset-password", {"token": token, "password": new_password}).status_code == 200
    assert_error(post("/auth/reset-password", {"token": token, "password": new_password + "2"}), 400,
                 "INVALID_TOKEN")
    # Every session ended; the old password is gone, the new one works.
    assert_error(refresh_with(refresh_cookie_of(other)[0]), 401)
    assert_error(me(other.json()["access_token"]), 401)
    assert_error(post("/auth/login", {"email": email, "password": password}), 401)
    assert post("/auth/login", {"email": email, "password": new_password}).status_code == 200
    wait_mail(email, "password was changed")


def test_an_expired_reset_link_is_refused(stack, db):
    email, _ = register_user()
    assert post("/auth/forgot-password", {"email": email}).status_code == 202
    token = link_token(wait_mail(email, "Reset"), "/reset-password")
    query(db, "UPDATE action_tokens SET expires_at = now() - interval '1 second' "
              "WHERE token_hash = sha256(%s::bytea)", token.encode())
    assert_error(post("/auth/reset-password", {"token": token, "password": DEFAULT_PASSWORD + " x"}), 400,
                 "INVALID_TOKEN")


def test_change_password_needs_the_current_one_and_ends_other_sessions(stack):
    email, password = register_user()
    other = post("/auth/login", {"email": email, "password": password})
    mine = post("/auth/login", {"email": email, "password": password})
    headers = {"Authorization": f"Bearer {mine.json()['access_token']}"}
    new_password = DEFAULT_PASSWORD + " changed"
    wrong = post("/auth/change-password", {"current_password": password + "?", "new_password": new_password},
                 headers=headers)
    assert_error(wrong, 403, "WRONG_PASSWORD")
    weak = post("/auth/change-password", {"current_password": password, "new_password": "password1234"},
                headers=headers)
    assert_error(weak, 400, "PASSWORD_TOO_WEAK")
    done = post("/auth/change-password", {"current_password": password, "new_password": new_password},
                headers=headers)
    assert done.status_code == 204, done.text
    # This session lives on; the other one is over.
    assert me(mine.json()["access_token"]).status_code == 200
    assert refresh_with(refresh_cookie_of(mine)[0]).status_code == 200
    assert_error(refresh_with(refresh_cookie_of(other)[0]), 401)
    assert_error(me(other.json()["access_token"]), 401)
    assert post("/auth/login", {"email": email, "password": new_password}).status_code == 200
    wait_mail(email, "password was changed")


# ---------------------------------------------------------------- headers


def test_cors_allows_only_the_frontend_origin_with_credentials(stack):
    origin = os.environ.get("FRONTEND_ORIGIN", "http://localhost:8081")
    good = requests.options(f"{API}/auth/login", headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
                            timeout=HTTP_TIMEOUT)
    assert good.status_code == 204
    assert good.headers["Access-Control-Allow-Origin"] == origin
    assert good.headers["Access-Control-Allow-Credentials"] == "true"
    assert "POST" in good.headers["Access-Control-Allow-Methods"]
    evil = requests.options(f"{API}/auth/login", headers={"Origin": "https://evil.example"}, timeout=HTTP_TIMEOUT)
    assert evil.status_code == 403 and "Access-Control-Allow-Origin" not in evil.headers
    answer = post("/auth/login", {"email": new_email(), "password": "x" * 12}, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in answer.headers
    answer = post("/auth/login", {"email": new_email(), "password": "x" * 12}, headers={"Origin": origin})
    assert answer.headers["Access-Control-Allow-Origin"] == origin


def test_security_headers_on_auth_answers(stack):
    for answer in (post("/auth/login", {"email": new_email(), "password": "x" * 12}), post("/auth/refresh"),
                   requests.get(f"{API}/me", timeout=HTTP_TIMEOUT)):
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
        assert answer.headers["Referrer-Policy"] == "no-referrer"
        assert answer.headers["Cache-Control"] == "no-store"
        assert "Strict-Transport-Security" not in answer.headers  # COOKIE_SECURE=false here


def test_openapi_documents_the_account_routes(stack):
    paths = requests.get(f"{API}/openapi.json", timeout=HTTP_TIMEOUT).json()["paths"]
    for path, method in [("/api/v1/auth/register", "post"), ("/api/v1/auth/login/2fa", "post"),
                         ("/api/v1/auth/refresh", "post"), ("/api/v1/me/sessions/{id}", "delete"),
                         ("/api/v1/me/2fa/enable", "post"), ("/api/v1/auth/change-password", "post")]:
        assert method in paths[path], path


def test_mail_is_logged_without_its_token(stack):
    email = new_email("log")
    assert post("/auth/register", {"email": email, "password": DEFAULT_PASSWORD}).status_code == 202
    token = link_token(wait_mail(email, "Confirm"), "/verify-email")

    def log():
        with open(conftest.os.path.join(conftest.VAR, "log", "parity-operational.log"), "rb") as f:
            return f.read()

    # The log line comes just after the file: wait for this mail's line, then look for the token anywhere.
    wait_for(lambda: any(b'"mail_written"' in line and email.encode() in line for line in log().splitlines()),
             what="the mail_written log line")
    assert token.encode() not in log()
