"""Access tokens against forgery: each forged token changes exactly one thing of a real, live
token and is re-signed with the daemon's own key where a signature is needed, so a 401 can only come
from the check under test. The unchanged re-signed token is the control: it must pass."""

import base64
import hashlib
import hmac
import json
import os
import time

import pytest
import requests

from conftest import HTTP_TIMEOUT, PUBLIC, login_user
from test_auth import assert_error

ME = f"{PUBLIC}/api/v1/me"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_text(header, payload_text, key, digest=hashlib.sha256):
    """A compact JWS over a payload given as JSON text (so even malformed JSON can be signed)."""
    head = b64url(json.dumps(header, separators=(",", ":")).encode())
    body = b64url(payload_text.encode())
    mac = hmac.new(key, f"{head}.{body}".encode(), digest).digest()
    return f"{head}.{body}.{b64url(mac)}"


def sign(header, claims, key, digest=hashlib.sha256):
    return sign_text(header, json.dumps(claims, separators=(",", ":")), key, digest)


def get_me(token):
    return requests.get(ME, headers={"Authorization": f"Bearer {token}"}, timeout=HTTP_TIMEOUT)


@pytest.fixture(scope="module")
def real():
    """A live session's access token, its claims, and the daemon's key (JWT_SECRET, as text bytes)."""
    _, token = login_user()
    claims = json.loads(unb64url(token.split(".")[1]))
    return token, claims, os.environ["JWT_SECRET"].encode()


HS256 = {"alg": "HS256", "typ": "JWT"}


def test_the_real_token_and_the_control_pass(stack, real):
    token, claims, key = real
    assert set(claims) == {"sub", "iat", "exp", "iss", "aud", "jti"}
    assert claims["exp"] - claims["iat"] == 600 and claims["iss"] and claims["aud"]
    assert get_me(token).status_code == 200
    assert get_me(sign(HS256, claims, key)).status_code == 200


def forged_cases(claims, key):
    now = int(time.time())
    other_key = hashlib.sha256(key + b"-other").hexdigest().encode()
    yield "alg none", b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode()) + "." + \
        b64url(json.dumps(claims).encode()) + "."
    yield "alg None, signed", sign({"alg": "None", "typ": "JWT"}, claims, key)
    yield "HS512", sign({"alg": "HS512", "typ": "JWT"}, claims, key, hashlib.sha512)
    yield "HS384", sign({"alg": "HS384", "typ": "JWT"}, claims, key, hashlib.sha384)
    # RS256 header with an HMAC over the key: the classic algorithm-confusion forgery.
    yield "RS256", sign({"alg": "RS256", "typ": "JWT"}, claims, key)
    yield "crit header", sign({"alg": "HS256", "typ": "JWT", "crit": ["exp"]}, claims, key)
    yield "wrong key", sign(HS256, claims, other_key)
    yield "expired", sign(HS256, dict(claims, iat=now - 1200, exp=now - 600), key)
    yield "not yet valid (iat)", sign(HS256, dict(claims, iat=now + 3600, exp=now + 4200), key)
    yield "not yet valid (nbf)", sign(HS256, dict(claims, nbf=now + 3600), key)
    yield "lifetime too long", sign(HS256, dict(claims, exp=claims["iat"] + 86400), key)
    yield "exp not an integer", sign(HS256, dict(claims, exp=str(claims["exp"])), key)
    yield "exp a float", sign(HS256, dict(claims, exp=claims["exp"] + 0.5), key)
    yield "wrong aud", sign(HS256, dict(claims, aud="someone-else"), key)
    yield "aud list", sign(HS256, dict(claims, aud=[claims["aud"], "x"]), key)
    yield "wrong iss", sign(HS256, dict(claims, iss="evil"), key)
    yield "missing sub", sign(HS256, {k: v for k, v in claims.items() if k != "sub"}, key)
    yield "sub not a number", sign(HS256, dict(claims, sub="admin"), key)
    yield "missing jti", sign(HS256, {k: v for k, v in claims.items() if k != "jti"}, key)
    yield "unknown jti", sign(HS256, dict(claims, jti="AAAAAAAAAAAAAAAAAAAAAA"), key)
    # Another user's id under this token's signature; and re-signed, still bound to this session's jti.
    head, body, sig = sign(HS256, claims, key).split(".")
    other = b64url(json.dumps(dict(claims, sub=str(int(claims["sub"]) + 1)), separators=(",", ":")).encode())
    yield "tampered payload", f"{head}.{other}.{sig}"
    yield "tampered payload re-signed", sign(HS256, dict(claims, sub=str(int(claims["sub"]) + 1)), key)
    yield "tampered signature", f"{head}.{body}.{sig[:-2]}{'AA' if sig[-2:] != 'AA' else 'BB'}"
    # A second "exp" far in the future: parsers that keep the last key would extend the token.
    yield "duplicate exp key", sign_text(HS256, json.dumps(claims, separators=(",", ":"))[:-1] +
                                         f',"exp":{now + 10 ** 6}}}', key)
    yield "two segments", f"{head}.{body}"
    yield "garbage", "not.a.jwt"
    yield "empty", ""
    yield "huge", "a" * 9000


def test_every_forgery_is_401_invalid_token(stack, real):
    token, claims, key = real
    seen = set()
    for name, forged in forged_cases(claims, key):
        seen.add(name)
        answer = get_me(forged)
        assert answer.status_code == 401, (name, answer.status_code, answer.text)
        assert answer.json()["error"]["code"] == "INVALID_TOKEN", name
        assert 'error="invalid_token"' in answer.headers.get("WWW-Authenticate", ""), name
    assert len(seen) >= 25
    # Nothing above hurt the real token.
    assert get_me(token).status_code == 200


def test_missing_or_malformed_authorization_header(stack, real):
    token, _, _ = real
    assert_error(requests.get(ME, timeout=HTTP_TIMEOUT), 401, "INVALID_TOKEN")
    for header in (f"Basic {token}", f"Token {token}", "Bearer", "Bearer ", token):
        assert_error(requests.get(ME, headers={"Authorization": header}, timeout=HTTP_TIMEOUT), 401, "INVALID_TOKEN")
    # The scheme is case-insensitive (RFC 9110 §11.1).
    assert requests.get(ME, headers={"Authorization": f"bearer {token}"}, timeout=HTTP_TIMEOUT).status_code == 200
