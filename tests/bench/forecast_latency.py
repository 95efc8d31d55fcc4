#!/usr/bin/env python3
"""Forecast latency, POST /api/v1/forecasts to the result (GET /api/v1/forecasts/{id}?wait=30), over N
requests against a running stack: p50, p90, p99 and max, printed, never asserted (timings depend on the
machine and its load).

    python3 tests/bench/forecast_latency.py --url http://127.0.0.1:8081 --credentials var/demo-credentials

The account must be verified and onboarded (the demo investor of `make run` is). Run the stack with
RATE_LIMIT_RPS=0, or the per-IP limit (10/s) paces the loop and the figures measure the limiter instead.
Besides the client's view (the whole round trip: outbox relay, RabbitMQ, decisional, NOTIFY, the long-poll)
it prints the server's view, created_at -> completed_at of each forecast row (the POST's transaction to the
moment decisional wrote the result), and how many came back pending or in error."""

import argparse
import json
import statistics
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime


def call(method, url, body=None, token=None, timeout=60):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def login(api, email, password):
    status, body = call("POST", f"{api}/auth/login", {"email": email, "password": password})
    if status != 200 or "access_token" not in body:
        sys.exit(f"forecast_latency: login failed ({status}): {body}")
    return body["access_token"]


def read_credentials(path):
    fields = dict(line.strip().split("=", 1) for line in open(path) if "=" in line)
    return fields["email"], fields["password"]


def percentile(sorted_values, p):
    """Type 7 (numpy's default), as the forecasts themselves."""
    h = (len(sorted_values) - 1) * p
    lo = int(h)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo])


def stamp(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", default="http://127.0.0.1:8081", help="public base URL")
    ap.add_argument("--credentials", help="file with email= and password= lines (make run's var/demo-credentials)")
    ap.add_argument("--email")
    ap.add_argument("--password")
    ap.add_argument("-n", "--requests", type=int, default=200)
    ap.add_argument("--months", type=int, default=360)
    ap.add_argument("--monthly-cents", type=int, default=50_000)
    args = ap.parse_args()
    email, password = (read_credentials(args.credentials) if args.credentials else (args.email, args.password))
    if not email or not password:
        sys.exit("forecast_latency: give --credentials FILE or --email and --password")
    api = args.url.rstrip("/") + "/api/v1"
    token, token_at = login(api, email, password), time.monotonic()

    client, server, outcomes = [], [], {}
    for i in range(args.requests):
        if time.monotonic() - token_at > 480:  # access tokens live 10 minutes
            token, token_at = login(api, email, password), time.monotonic()
        # A different contribution each time: every request is a new computation with its own seed.
        body = {"monthly_cents": args.monthly_cents + i, "months": args.months}
        t0 = time.perf_counter()
        status, asked = call("POST", f"{api}/forecasts", body, token)
        if status == 429:
            sys.exit("forecast_latency: 429 from the server; run the stack with RATE_LIMIT_RPS=0")
        if status != 202:
            sys.exit(f"forecast_latency: POST answered {status}: {asked}")
        status, f = call("GET", f"{api}/forecasts/{asked['id']}?wait=30", token=token)
        while status == 200 and f["status"] == "pending" and time.perf_counter() - t0 < 120:
            status, f = call("GET", f"{api}/forecasts/{asked['id']}?wait=30", token=token)
        t1 = time.perf_counter()
        if status != 200:
            sys.exit(f"forecast_latency: GET answered {status}: {f}")
        outcomes[f["status"]] = outcomes.get(f["status"], 0) + 1
        client.append((t1 - t0) * 1000)
        if f.get("completed_at"):
            server.append((stamp(f["completed_at"]) - stamp(f["created_at"])).total_seconds() * 1000)

    client.sort()
    server.sort()
    print(f"forecast latency over {len(client)} requests ({args.months} months, paths as FORECAST_PATHS), "
          f"outcomes {outcomes}")
    for name, values in (("POST -> result (client)", client), ("created -> written (server)", server)):
        if values:
            print(f"  {name:30s} p50 {percentile(values, 0.50):8.1f} ms   p90 {percentile(values, 0.90):8.1f} ms   "
                  f"p99 {percentile(values, 0.99):8.1f} ms   max {values[-1]:8.1f} ms   mean {statistics.fmean(values):8.1f} ms")


if __name__ == "__main__":
    main()
