"""Attacks on the HTTP layer found against `make run`, each on its own daemon or a raw socket: requests
that libmicrohttpd drops half-parsed, framing it must refuse and close on, media types that only
look like JSON, and the client address behind a trusted proxy range."""

import concurrent.futures
import json
import os
import re
import socket
import struct
import subprocess
import sys
import time

import pytest
import requests

from conftest import BIN, HTTP_PORT, INTERNAL_PORT, PUBLIC, ROOT, VAR, base_env, extra_operational, new_email

# Port offsets from the suite's own for the extra daemons of this file (other files use 30 to 90).
FLOOD_OFFSET = 100
FLOOD_REQUESTS = 2000
# Enough query parameters that libmicrohttpd's per-connection memory (128 KiB) runs out while it
# parses the request line: it then drops the connection without calling the access handler.
FLOOD_PARAMETERS = 3000
MIB = 1024 * 1024


def drain(port, request, timeout=30.0):
    """Sends `request` and reads until the server closes; what came back (b"" for a reset)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request)
        chunks = []
        try:
            while True:
                data = s.recv(65536)
                if not data:
                    break
                chunks.append(data)
        except ConnectionResetError:
            pass
        return b"".join(chunks)


def on_fresh_connections(port, request, count):
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: drain(port, request), range(count)))


def flood(port, count):
    params = "&".join(f"p{i}=1" for i in range(FLOOD_PARAMETERS))
    on_fresh_connections(port, f"GET /api/v1/market/status?{params} HTTP/1.1\r\nHost: x\r\n\r\n".encode(), count)


def ordinary(port, count):
    on_fresh_connections(port, b"GET /livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", count)


def abandon(port, reset):
    """Sends headers and half the body they announce, then closes (or resets) the connection."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: 100\r\n\r\n{\"email\":")
    if reset:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def log_path(offset):
    return os.path.join(VAR, "log", f"parity-operational-{offset}.log")


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M).group(1)) * 1024


def in_flight(internal_port):
    text = requests.get(f"http://127.0.0.1:{internal_port}/metrics", timeout=10).text
    found = re.search(r"^parity_operational_http_requests_in_flight (\S+)$", text, re.M)
    assert found, "/metrics has no parity_operational_http_requests_in_flight"
    return int(float(found.group(1)))


def in_flight_settled(internal_port, timeout=60.0):
    """The in-flight count once it is back to 0, or its last value after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        count = in_flight(internal_port)
        if count == 0 or time.monotonic() > deadline:
            return count
        time.sleep(0.1)


def test_requests_dropped_by_libmicrohttpd_hold_no_state(stack):
    # How the RSS is read on the sanitizer build the suite runs: ASan keeps freed blocks in a quarantine
    # (disabled here: it would grow RSS with every malloc/free) and keeps a record of every thread that
    # ever ran, for its reports, so each connection (one thread each) costs a few hundred bytes for
    # good, whatever its request. A warm-up round of both kinds brings glibc's stack cache and the
    # allocator's free lists to their steady state; then a round of 2,000 ordinary requests measures
    # what 2,000 connections cost, and the flood round must cost no more than that plus 1 MiB (on a
    # release build both cost nothing). A leaked per-request state (about 2 KiB each) shows as 4 MiB.
    log_start = os.path.getsize(log_path(FLOOD_OFFSET)) if os.path.exists(log_path(FLOOD_OFFSET)) else 0
    daemon = extra_operational(FLOOD_OFFSET, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:quarantine_size_mb=0")
    internal_port = INTERNAL_PORT + FLOOD_OFFSET
    port = int(daemon.public.rsplit(":", 1)[1])
    pid = daemon.proc.pid
    try:
        flood(port, FLOOD_REQUESTS)
        warm = in_flight_settled(internal_port)
        ordinary(port, FLOOD_REQUESTS)
        in_flight_settled(internal_port)
        start = rss_bytes(pid)
        ordinary(port, FLOOD_REQUESTS)
        in_flight_settled(internal_port)
        before = rss_bytes(pid)
        flood(port, FLOOD_REQUESTS)
        settled = in_flight_settled(internal_port)
        after = rss_bytes(pid)
        print(f"flood: in_flight {warm} after the warm-up flood, {settled} after the measured one; RSS {start} B, "
              f"{before} B after {FLOOD_REQUESTS} ordinary requests (+{before - start}), {after} B after the flood "
              f"(+{after - before})")
        assert (warm, settled) == (0, 0), "request states still held after their connections closed"
        assert (after - before) - (before - start) < MIB, "the flood cost more memory than ordinary requests"
        # Requests whose state exists and whose client goes away mid-body (closed, or reset) end too.
        for _ in range(50):
            abandon(port, reset=False)
            abandon(port, reset=True)
        assert in_flight_settled(internal_port) == 0, "abandoned requests still held"
        assert requests.get(f"{daemon.public}/livez", timeout=10).status_code == 200
    finally:
        code = daemon.stop()
    assert code == 0, f"see {daemon.log_path}"
    with open(daemon.log_path, encoding="utf-8", errors="replace") as f:
        f.seek(log_start)
        log = f.read()
    # A request state never released would hold the stop for the whole grace period, then leak.
    assert "http_grace_expired" not in log


# ---------------------------------------------------------------- ambiguous framing

PIPELINED = b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n"
AMBIGUOUS = {
    "content_length_and_transfer_encoding":
        b"POST /api/v1/market/status HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"0\r\n\r\n",
    "two_content_lengths":
        b"POST /api/v1/market/status HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n",
    "two_transfer_encodings":
        b"POST /api/v1/market/status HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "chunked_on_http_1_0":
        b"POST /api/v1/market/status HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    # Nothing follows its headers: libmicrohttpd alone would wait for a body until the idle timeout.
    "unknown_transfer_encoding":
        b"POST /api/v1/market/status HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
    "whitespace_before_a_colon":
        b"POST /api/v1/market/status HTTP/1.1\r\nHost: x\r\nContent-Length : 0\r\n\r\n",
}


@pytest.mark.parametrize("case", sorted(AMBIGUOUS))
def test_ambiguous_framing_is_answered_400_and_the_connection_closed(stack, case):
    # Far under the idle timeout (HTTP_CONNECTION_TIMEOUT, 30 s): an answer that waits for it is none.
    with socket.create_connection(("127.0.0.1", HTTP_PORT), timeout=20) as s:
        s.sendall(AMBIGUOUS[case] + PIPELINED)
        received = b""
        try:
            while True:
                data = s.recv(65536)
                if not data:
                    break
                received += data
        except socket.timeout:
            pytest.fail(f"the connection was neither answered nor closed in 20 s; got {received[:200]!r}")
        except ConnectionResetError:
            pass
    statuses = re.findall(rb"(?:^|\r\n)HTTP/1\.[01] (\d{3}) ", received)
    assert statuses == [b"400"], f"exactly one answer, a 400, expected: {received[:400]!r}"
    head = received.split(b"\r\n\r\n", 1)[0]
    assert re.search(rb"\r\nConnection: close(\r\n|$)", head, re.I), head


# ---------------------------------------------------------------- media type


@pytest.mark.parametrize("media_type", ["application/jsonx", "application/json-seq", "application/json+x"])
def test_only_application_json_is_taken_as_json(stack, media_type):
    body = json.dumps({"email": new_email()})
    answer = requests.post(f"{PUBLIC}/api/v1/auth/forgot-password", data=body,
                           headers={"Content-Type": media_type}, timeout=10)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE", answer.text


@pytest.mark.parametrize("media_type", ["application/json; charset=utf-8", "Application/JSON"])
def test_application_json_with_parameters_or_any_case_is_json(stack, media_type):
    body = json.dumps({"email": new_email()})
    answer = requests.post(f"{PUBLIC}/api/v1/auth/forgot-password", data=body,
                           headers={"Content-Type": media_type}, timeout=10)
    assert answer.status_code == 202, answer.text


# ---------------------------------------------------------------- trusted proxy networks

PROXY_OFFSET, REFUSED_PROXIES_OFFSET = 110, 120


def k8s_trusted_proxies():
    """TRUSTED_PROXIES as the k3s overlay gives it to operational (rendered as `kubectl apply -k` would)."""
    sys.path.insert(0, os.path.join(ROOT, "deploy", "tools"))
    import kustomize_render

    objs = kustomize_render.render(os.path.join(ROOT, "deploy", "k8s", "overlays", "k3s"))
    config = next(o for o in objs if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "parity-config")
    return config["data"].get("TRUSTED_PROXIES", "")


def test_trusted_proxy_networks_give_each_client_behind_the_ingress_its_bucket(stack):
    deployed = k8s_trusted_proxies()
    assert "10.42.0.0/16" in [e.strip() for e in deployed.split(",")], deployed
    # The deployed value, with this machine's loopback networks (IPv4 and IPv6) standing in for the Pod one.
    daemon = extra_operational(PROXY_OFFSET, TRUSTED_PROXIES=f"{deployed}, 127.0.0.0/8, ::1/128",
                               RATE_LIMIT_RPS="0.2", RATE_LIMIT_BURST="3")
    try:
        def hit(client):
            return requests.get(f"{daemon.public}/api/v1/market/status", headers={"X-Forwarded-For": client},
                                timeout=10).status_code

        assert [hit("203.0.113.20") for _ in range(3)] == [200] * 3
        assert hit("203.0.113.20") == 429
        assert hit("203.0.113.21") == 200
        # A hop inside the trusted networks is skipped, not taken for the client.
        assert hit("203.0.113.21, 10.42.7.9") == 200
        assert hit("203.0.113.20, 10.42.7.9") == 429
    finally:
        assert daemon.stop() == 0, f"see {daemon.log_path}"


@pytest.mark.parametrize("value", ["10.42.0.0/016", "10.42.0.0/33", "fd00::/129", "10.42.0.0/16/16", "::1/064"])
def test_a_bad_trusted_proxy_prefix_stops_the_daemon_at_start(stack, value):
    env = base_env(HTTP_PORT=str(HTTP_PORT + REFUSED_PROXIES_OFFSET),
                   INTERNAL_PORT=str(INTERNAL_PORT + REFUSED_PROXIES_OFFSET), TRUSTED_PROXIES=value)
    run = subprocess.run([os.path.join(BIN, "parity-operational")], env=env, capture_output=True, timeout=60)
    output = (run.stdout + run.stderr).decode(errors="replace")
    assert run.returncode != 0 and "TRUSTED_PROXIES" in output, output[-2000:]
