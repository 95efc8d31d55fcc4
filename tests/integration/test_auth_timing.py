"""Figures for the account routes, measured and reported, never asserted (tests never assert timings):
login latency under 20 concurrent clients, and how long a wrong password takes for a known email
versus an unknown one (the uniformity that stops user enumeration). Written to VAR/auth_timing.json."""

import concurrent.futures
import json
import os
import statistics
import time

import requests

from conftest import PUBLIC, VAR, new_email, register_user

API = f"{PUBLIC}/api/v1"
CLIENTS = 20
LOGINS_PER_CLIENT = 5
ROUNDS = 2


def timed_post(path, body):
    start = time.perf_counter()
    answer = requests.post(f"{API}{path}", json=body, timeout=120)
    return answer, time.perf_counter() - start


def quantile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def test_measure_login_latency_and_enumeration_timing(stack):
    users = [register_user() for _ in range(CLIENTS)]

    # Known email with a wrong password vs unknown email, interleaved so drift hits both alike.
    known, unknown = [], []
    for _ in range(ROUNDS):
        for email, password in users:
            answer, seconds = timed_post("/auth/login", {"email": email, "password": password + " wrong"})
            assert answer.status_code == 401
            known.append(seconds)
            answer, seconds = timed_post("/auth/login", {"email": new_email("ghost"), "password": password + " wrong"})
            assert answer.status_code == 401
            unknown.append(seconds)
    forgot_known, forgot_unknown = [], []
    for email, _ in users[:10]:
        answer, seconds = timed_post("/auth/forgot-password", {"email": email})
        assert answer.status_code == 202
        forgot_known.append(seconds)
        answer, seconds = timed_post("/auth/forgot-password", {"email": new_email("ghost")})
        assert answer.status_code == 202
        forgot_unknown.append(seconds)

    # 20 clients logging in at once, each several times in a row (right password).
    def client(user):
        email, password = user
        out = []
        for _ in range(LOGINS_PER_CLIENT):
            answer, seconds = timed_post("/auth/login", {"email": email, "password": password})
            assert answer.status_code == 200, answer.text
            out.append(seconds)
        return out

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
        latencies = [s for per_client in pool.map(client, users) for s in per_client]
    wall = time.perf_counter() - start

    ms = lambda s: round(s * 1000, 1)  # noqa: E731
    report = {
        "concurrent_login": {"clients": CLIENTS, "logins": len(latencies), "p50_ms": ms(statistics.median(latencies)),
                             "p90_ms": ms(quantile(latencies, 0.9)), "max_ms": ms(max(latencies)),
                             "logins_per_second": round(len(latencies) / wall, 1)},
        "wrong_password_sequential": {"samples_each": len(known), "known_email_median_ms": ms(statistics.median(known)),
                                      "unknown_email_median_ms": ms(statistics.median(unknown)),
                                      "median_difference_ms": ms(statistics.median(known) - statistics.median(unknown)),
                                      "known_p90_ms": ms(quantile(known, 0.9)),
                                      "unknown_p90_ms": ms(quantile(unknown, 0.9))},
        "forgot_password": {"samples_each": len(forgot_known),
                            "known_email_median_ms": ms(statistics.median(forgot_known)),
                            "unknown_email_median_ms": ms(statistics.median(forgot_unknown))},
        "sanitized_build": "asan" in os.environ.get("PARITY_BIN", ""),
    }
    with open(os.path.join(VAR, "auth_timing.json"), "w") as f:
        json.dump(report, f, indent=2)
    print("\nauth timing:", json.dumps(report, indent=2))
