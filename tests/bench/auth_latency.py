#!/usr/bin/env python3
"""Login figures against a running parity-operational, printed and never asserted (timings depend on the
machine and its load): the latency of N clients logging in at once, and how long a wrong password takes for a
known email versus an unknown one, and forgot-password for both (the uniformity that stops user enumeration).

    make bench-auth        (tests/bench/auth.sh: a throwaway stack on ports of its own, then this script)
    python3 tests/bench/auth_latency.py --url http://127.0.0.1:8081 --database-url postgresql://...

The accounts are registered through the API and marked verified in the database (the mail round trip is not
what is measured), so the database URL is needed. Run the daemon with RATE_LIMIT_RPS=0, or the per-IP limit
paces the loops and the figures measure the limiter instead. Answers other than the expected one are counted
and shown, never retried: a 503 BUSY (the two-hash gate's queue timed out) under load is one of the figures, and
so is the 429 ACCOUNT_LOCKED that follows when shed logins (each counted as an attempt) reach the lockout."""

import argparse
import concurrent.futures
import json
import statistics
import sys
import time
import uuid

from forecast_latency import call, percentile


def new_email(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:12]}@bench.example"


def outcome(status, body):
    """An answer as the figures show it: the status, with the error code if any ("503 BUSY")."""
    error = body.get("error") if isinstance(body, dict) else None
    return f"{status} {error['code']}" if error else str(status)


def timed(method, url, body):
    """(outcome, seconds) of one call."""
    t0 = time.perf_counter()
    status, answer = call(method, url, body, timeout=300)
    return outcome(status, answer), time.perf_counter() - t0


def clear_streak(api, email, password):
    """A successful login (after each Retry-After while it is shed), which ends the account's failure streak:
    otherwise the wrong passwords above and any shed login below would add up to a lockout."""
    for _ in range(100):
        status, answer = call("POST", f"{api}/auth/login", {"email": email, "password": password}, timeout=300)
        if status == 200:
            return
        if status != 503:
            sys.exit(f"auth_latency: login of {email} answered {outcome(status, answer)}")
        time.sleep(1)
    sys.exit(f"auth_latency: login of {email} shed 100 times in a row")


def register_verified(api, database_url, count, password):
    import psycopg2  # only here: the rest of the script needs nothing beyond the standard library

    emails = [new_email("bench") for _ in range(count)]
    for email in emails:
        status, body = call("POST", f"{api}/auth/register", {"email": email, "password": password}, timeout=300)
        if status != 202:
            sys.exit(f"auth_latency: register answered {status}: {body}")
    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute("UPDATE users SET email_verified_at = now() WHERE email = ANY(%s)", (emails,))
        if cur.rowcount != count:
            sys.exit(f"auth_latency: {cur.rowcount} of {count} accounts found to verify")
    return emails


def summary(name, samples, statuses):
    ms = sorted(s * 1000 for s in samples)
    others = dict(sorted(statuses.items()))
    return {"what": name, "n": len(ms), "p50_ms": round(percentile(ms, 0.5), 1),
            "p90_ms": round(percentile(ms, 0.9), 1), "max_ms": round(ms[-1], 1),
            "mean_ms": round(statistics.fmean(ms), 1), "statuses": others}


def tally(results):
    statuses = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    return [s for _, s in results], statuses


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", default="http://127.0.0.1:8081", help="public base URL")
    ap.add_argument("--database-url", required=True, help="the operational database (to mark accounts verified)")
    ap.add_argument("--clients", type=int, default=20, help="accounts, and clients logging in at once")
    ap.add_argument("--logins", type=int, default=5, help="logins in a row per client")
    ap.add_argument("--rounds", type=int, default=2, help="wrong-password rounds over every account")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()
    api = args.url.rstrip("/") + "/api/v1"
    password = f"Bench horse battery {uuid.uuid4().hex[:8]}"
    emails = register_verified(api, args.database_url, args.clients, password)

    # A wrong password for a known email and for an unknown one, interleaved so that drift hits both alike.
    known, unknown, wrong = [], [], password + " wrong"
    for _ in range(args.rounds):
        for email in emails:
            known.append(timed("POST", f"{api}/auth/login", {"email": email, "password": wrong}))
            unknown.append(timed("POST", f"{api}/auth/login", {"email": new_email("ghost"), "password": wrong}))
    forgot_known, forgot_unknown = [], []
    for email in emails[:10]:
        forgot_known.append(timed("POST", f"{api}/auth/forgot-password", {"email": email}))
        forgot_unknown.append(timed("POST", f"{api}/auth/forgot-password", {"email": new_email("ghost")}))

    # Every client logging in at once, several times in a row, with the right password.
    for email in emails:
        clear_streak(api, email, password)

    def client(email):
        return [timed("POST", f"{api}/auth/login", {"email": email, "password": password}) for _ in range(args.logins)]

    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
        concurrent_logins = [r for per_client in pool.map(client, emails) for r in per_client]
    wall = time.perf_counter() - t0

    rows = [summary(f"login, {args.clients} clients at once x {args.logins}", *tally(concurrent_logins)),
            summary("wrong password, known email", *tally(known)),
            summary("wrong password, unknown email", *tally(unknown)),
            summary("forgot-password, known email", *tally(forgot_known)),
            summary("forgot-password, unknown email", *tally(forgot_unknown))]
    ok = sum(1 for status, _ in concurrent_logins if status == "200")
    print(f"auth latency against {args.url} ({args.clients} accounts)")
    for r in rows:
        print(f"  {r['what']:38s} p50 {r['p50_ms']:8.1f} ms   p90 {r['p90_ms']:8.1f} ms   max {r['max_ms']:8.1f} ms   "
              f"statuses {r['statuses']}")
    print(f"  concurrent logins: {ok / wall:.1f} successful logins/s over {wall:.1f} s")
    print(f"  known - unknown email, wrong password: median difference "
          f"{(rows[1]['p50_ms'] - rows[2]['p50_ms']):+.1f} ms")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "logins_per_second": round(ok / wall, 1)}, f, indent=2)


if __name__ == "__main__":
    main()
