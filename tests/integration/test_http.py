"""The HTTP layer's defences, spoken on a raw socket where a client library would tidy the request:
body caps, request smuggling, methods, headers, timeouts and graceful shutdown."""

import json
import re
import socket

import requests

from conftest import HTTP_PORT, HTTP_TIMEOUT, INTERNAL, PUBLIC, extra_operational, post_internal, wait_for


def raw(request: bytes, port=HTTP_PORT, timeout=HTTP_TIMEOUT) -> bytes:
    """What the server sent back: up to the end of its first response (head and Content-Length body; the
    connection may stay open), or until it closed the connection or went quiet for `timeout` seconds."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request)
        received = b""
        try:
            while not whole_response(received):
                data = s.recv(65536)
                if not data:
                    break
                received += data
        except socket.timeout:
            pass
        return received


def whole_response(received: bytes) -> bool:
    head, end, body = received.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length:[ \t]*(\d+)[ \t]*\r?$", head)
    return bool(end and length and len(body) >= int(length.group(1)))


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/1.") else 0


def test_every_answer_has_a_request_id_and_security_headers(stack):
    answer = requests.get(f"{PUBLIC}/api/v1/market/status", timeout=HTTP_TIMEOUT)
    assert len(answer.headers["X-Request-Id"]) == 36
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["Cache-Control"] == "no-store"


def test_a_body_over_64_kib_is_refused_with_413(stack, internal_secret):
    big = b"x" * (64 * 1024 + 1)
    answer = requests.post(f"{INTERNAL}/internal/pipeline/daily", data=big,
                           headers={"X-Internal-Secret": internal_secret, "Content-Type": "application/json"},
                           timeout=HTTP_TIMEOUT)
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


def test_a_chunked_body_over_the_cap_is_refused_too(stack, internal_secret):
    def chunks():
        for _ in range(20):
            yield b"y" * 8192

    answer = requests.post(f"{INTERNAL}/internal/pipeline/daily", data=chunks(),
                           headers={"X-Internal-Secret": internal_secret}, timeout=HTTP_TIMEOUT)
    assert answer.status_code == 413


def test_duplicate_content_length_is_rejected(stack):
    response = raw(b"POST /api/v1/market/status HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                   b"Content-Length: 3\r\n\r\nabc")
    assert status_of(response) == 400


def test_content_length_with_transfer_encoding_is_rejected(stack):
    response = raw(b"POST /api/v1/market/status HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                   b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    assert status_of(response) == 400


def test_wrong_method_is_405_and_unknown_path_404(stack):
    answer = requests.delete(f"{PUBLIC}/api/v1/market/status", timeout=HTTP_TIMEOUT)
    assert answer.status_code == 405
    assert answer.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
    assert requests.get(f"{PUBLIC}/api/v2/market/status", timeout=HTTP_TIMEOUT).status_code == 404


def test_an_idle_connection_is_not_kept_forever(stack):
    # The connection timeout (HTTP_CONNECTION_TIMEOUT, 30 s by default) is configured; a half-sent
    # request must not pin a thread for longer than that. Here we only check the server closes a
    # connection that sends garbage instead of a request line.
    response = raw(b"\x16\x03\x01 not http\r\n\r\n", timeout=HTTP_TIMEOUT)
    assert status_of(response) in (0, 400)


def test_internal_pipeline_routes_answer_202_json(stack, internal_secret):
    for path in ("/internal/pipeline/intraday", "/internal/models/generate"):
        answer = post_internal(path, internal_secret)
        assert answer.status_code == 202, path
        assert answer.json()["status"] == "queued"
    cleanup = post_internal("/internal/cleanup", internal_secret)
    assert cleanup.status_code == 200 and "outbox" in cleanup.json()["deleted"]


def test_openapi_document_is_served(stack):
    doc = requests.get(f"{PUBLIC}/api/v1/openapi.json", timeout=HTTP_TIMEOUT).json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/market/prices/{symbol}" in doc["paths"]


def test_sigterm_drains_and_exits_cleanly(stack):
    operational = stack[0]
    assert operational.stop() == 0  # within Daemon.stop's wait, longer than SHUTDOWN_GRACE_SECONDS in tests
    operational.start()
    assert requests.get(f"{INTERNAL}/readyz", timeout=HTTP_TIMEOUT).status_code == 200


def test_the_public_root_serves_the_spa_or_a_placeholder(stack):
    root = requests.get(f"{PUBLIC}/", timeout=HTTP_TIMEOUT)
    assert root.status_code == 200 and root.headers["Content-Type"].startswith("text/html")
    # The build tree links share/parity/www to frontend/dist: the SPA when it was built, else the placeholder.
    assert '<div id="root">' in root.text or ("Parity" in root.text and "/api/v1/openapi.json" in root.text)
    assert requests.get(f"{PUBLIC}/portfolio/overview", timeout=HTTP_TIMEOUT).status_code == 200  # client-side route
    assert requests.get(f"{PUBLIC}/api/v1/nothing", timeout=HTTP_TIMEOUT).json()["error"]["code"] == "NOT_FOUND"
    assert requests.get(f"{PUBLIC}/internal/pipeline/daily", timeout=HTTP_TIMEOUT).status_code == 404


def test_a_built_spa_is_served_from_static_dir(stack, tmp_path):
    import conftest

    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>SPA</title><div id=root></div>")
    (tmp_path / "assets" / "app.js").write_text("console.log('parity')")
    extra = conftest.extra_operational(90, STATIC_DIR=str(tmp_path))
    try:
        index = requests.get(f"{extra.public}/", timeout=HTTP_TIMEOUT)
        assert index.status_code == 200 and "<div id=root>" in index.text
        js = requests.get(f"{extra.public}/assets/app.js", timeout=HTTP_TIMEOUT)
        assert js.headers["Content-Type"].startswith("text/javascript") and js.text == "console.log('parity')"
        assert "<div id=root>" in requests.get(f"{extra.public}/wallet", timeout=HTTP_TIMEOUT).text
        port = int(extra.public.rsplit(":", 1)[1])
        assert status_of(raw(b"GET /assets/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                             port=port)) == 400
        assert "root:" not in requests.get(f"{extra.public}/etc/passwd", timeout=HTTP_TIMEOUT).text
    finally:
        assert extra.stop() == 0


# ---------------------------------------------------------------- X-Request-Id from a trusted proxy

TRUSTED_ID_OFFSET = 140
NGINX_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"  # nginx's $request_id: 32 hex digits
UUID_ID = "6f9619ff-8b86-4011-b42d-00c04fd430c8"


def logged_ids(path):
    """The request ids of the http_request lines in a daemon's JSON log."""
    ids = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("event") == "http_request":
                ids.add(entry.get("request_id"))
    return ids


def test_a_trusted_proxys_well_formed_request_id_names_the_request(stack):
    # The loopback networks stand in for nginx's address, as in test_http_security's proxy test.
    daemon = extra_operational(TRUSTED_ID_OFFSET, TRUSTED_PROXIES="127.0.0.0/8, ::1/128")
    try:
        def answer_id(sent):
            answer = requests.get(f"{daemon.public}/api/v1/market/status", headers={"X-Request-Id": sent},
                                  timeout=HTTP_TIMEOUT)
            assert answer.status_code == 200, answer.text
            return answer.headers["X-Request-Id"]

        assert answer_id(NGINX_ID) == NGINX_ID
        assert answer_id(UUID_ID) == UUID_ID
        # Malformed: the daemon's own UUID instead, never the text sent.
        for bad in ("not-a-request-id", NGINX_ID + "0", NGINX_ID[:-1] + "g", UUID_ID.replace("-", "_"), "x" * 36):
            own = answer_id(bad)
            assert own != bad and re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", own)
        # The daemon's own log line carries the proxy's id: that is what correlates the two logs.
        wait_for(lambda: {NGINX_ID, UUID_ID} <= logged_ids(daemon.log_path), what="the ids in the log")
    finally:
        assert daemon.stop() == 0, f"see {daemon.log_path}"


def test_a_request_id_from_an_untrusted_peer_is_ignored(stack):
    # The shared stack trusts no proxy: a client does not get to name the daemon's log lines.
    answer = requests.get(f"{PUBLIC}/api/v1/market/status", headers={"X-Request-Id": NGINX_ID}, timeout=HTTP_TIMEOUT)
    assert answer.status_code == 200
    assert answer.headers["X-Request-Id"] != NGINX_ID and len(answer.headers["X-Request-Id"]) == 36
