"""Market data an operator can trust: every quality check fired by a crafted CSV (one row per defect) loaded
with `parity load-prices`, reported by `parity data-quality` and GET /internal/market/quality; a model
generation leaving out a symbol with a blocking finding and saying why; the incremental Yahoo sync against
crafted chart answers (a revision, then a 2:1 split the source re-adjusted its history for); the split applied
to a held position once, with `parity audit` exact; and the cleanup of old intraday bars and superseded
forecasts."""

import datetime
import http.server
import json
import os
import pty
import subprocess
import tempfile
import threading
import time
import uuid

import pytest
import requests

from conftest import (BIN, DECISIONAL, HTTP_TIMEOUT, INTERNAL, ROOT, Daemon, audit, envelope, parity_tool, post_internal,
                      query, scalar, wait_for, wait_sync_finished)

FIXTURES = os.path.join(ROOT, "tests", "fixtures", "yahoo")
HEADER = "date,symbol,open,high,low,close,adj_close,volume\n"


def load_csv(rows):
    """`parity load-prices` of a CSV with these rows (after the header): the finished run."""
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        f.write(HEADER + "".join(r + "\n" for r in rows))
    try:
        return parity_tool("load-prices", f.name)
    finally:
        os.unlink(f.name)


def findings(symbol):
    run = parity_tool("data-quality", "--symbol", symbol, "--json")
    assert run.returncode == 0, run.stderr
    return {(f["day"], f["check"]): f for f in json.loads(run.stdout)["findings"]}


def forget(db, *symbols):
    for table in ("market_quality", "market_revisions", "market_events", "daily_prices"):
        query(db, f"DELETE FROM {table} WHERE symbol = ANY(%s)", list(symbols))


@pytest.fixture()
def crafted(db):
    forget(db, "QQTA", "QQTB", "QQTC")
    yield
    forget(db, "QQTA", "QQTB", "QQTC")


def test_each_check_is_triggered_by_its_row(stack, db, internal_secret, crafted):
    # QQTA: a clean Monday, then one row per defect; QQTB stops a week before QQTA's newest day.
    rows = [
        "2024-06-03,QQTA,99.5,101,99,100,98,1000",
        "2024-06-04,QQTA,100.5,102,100,101,98.98,0",            # zero volume on a trading day
        "2024-06-05,QQTA,130.8,132,130,131.3,128.674,1000",     # +30 % (close and adj_close), no split
        "2024-06-06,QQTA,65.5,66.5,65,65.65,129.96074,1000",    # the close halves, adj_close does not: 2:1?
        "2024-06-10,QQTA,65.8,67,65.5,66.3065,131.2603474,1000",  # 2024-06-07 (a Friday) is missing
        "2024-05-28,QQTB,50,51,49,50,50,1000",
        "2024-05-29,QQTB,50,51,49,50,50,1000",
    ]
    run = load_csv(rows)
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert summary["rows"] == 7 and summary["quality"] == {"findings": 5, "blocking": 2}

    found = findings("QQTA")
    assert set(found) == {("2024-06-04", "zero_volume"), ("2024-06-05", "large_move"),
                          ("2024-06-06", "suspected_split"), ("2024-06-07", "calendar_gap")}
    assert found[("2024-06-05", "large_move")]["severity"] == "blocking"
    assert abs(found[("2024-06-05", "large_move")]["detail"]["return"] - 0.30) < 1e-9
    assert found[("2024-06-06", "suspected_split")]["detail"]["split"] == "2:1"
    assert found[("2024-06-04", "zero_volume")]["severity"] == "warning"
    # QQTB's newest day, 2024-05-29, is 8 trading days before 2024-06-10.
    stale = findings("QQTB")
    assert set(stale) == {("2024-05-29", "stale")}
    assert stale[("2024-05-29", "stale")]["detail"]["trading_days_behind"] == 8

    # A file of one new day is checked against the stored day before it: 66.3065 -> 92.8291 is +40 %.
    run = load_csv(["2024-06-11,QQTA,92,93,91,92.8291,183.76448636,1000"])
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["quality"] == {"findings": 1, "blocking": 1}
    assert abs(findings("QQTA")[("2024-06-11", "large_move")]["detail"]["return"] - 0.40) < 1e-9

    # The three defects the database cannot hold: the row is rejected (nothing of its file is kept) and
    # the defect is recorded under its symbol and day.
    for row, check in (("2024-06-03,QQTC,10,11,10.5,10.8,10.8,5", "ohlc"),       # low above open
                       ("2024-06-04,QQTC,10,11,9,0,10.8,5", "non_positive"),     # close 0
                       ("2024-06-05,QQTC,10,11,9,,10.8,5", "missing_value")):    # close empty
        run = load_csv([row])
        assert run.returncode == 1 and "market_quality" in run.stderr, run.stderr
        day = row.split(",")[0]
        assert findings("QQTC")[(day, check)]["severity"] == "blocking"
    assert scalar(db, "SELECT count(*) FROM daily_prices WHERE symbol = 'QQTC'") == 0

    # The same report over HTTP, filtered by severity; bad filters are a 400.
    answer = requests.get(f"{INTERNAL}/internal/market/quality", params={"symbol": "QQTC", "severity": "blocking"},
                          headers={"X-Internal-Secret": internal_secret}, timeout=HTTP_TIMEOUT)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["blocking"] == 3 and body["warning"] == 0
    assert {c: v["blocking"] for c, v in body["summary"].items()} == {"ohlc": 1, "non_positive": 1,
                                                                    "missing_value": 1}
    bad = requests.get(f"{INTERNAL}/internal/market/quality", params={"severity": "fatal"},
                       headers={"X-Internal-Secret": internal_secret}, timeout=HTTP_TIMEOUT)
    assert bad.status_code == 400 and bad.json()["error"]["code"]

    # A corrected file replaces the findings of the days it covers.
    run = load_csv(["2024-06-03,QQTC,10,11,9.5,10.8,10.8,5"])
    assert run.returncode == 0, run.stderr
    assert ("2024-06-03", "ohlc") not in findings("QQTC")


def current_models(db):
    rows = query(db, "SELECT DISTINCT ON (bucket_key) bucket_key, as_of_day::text, weights, diagnostics "
                     "FROM model_portfolios ORDER BY bucket_key, as_of_day DESC")
    return {bucket: (as_of, weights, diag) for bucket, as_of, weights, diag in rows}


def generate(db, secret):
    message_id = post_internal("/internal/models/generate", secret).json()["message_id"]
    wait_for(lambda: scalar(db, "SELECT count(*) FROM processed_messages WHERE message_id = %s", message_id),
             what="CMD_GENERATE processed")


def test_a_generation_refuses_a_symbol_with_a_blocking_finding(priced_stack, db, internal_secret):
    models = current_models(db)
    held = sorted({s for _, weights, _ in models.values() for s in weights if s not in ("BND", "TLT", "LQD", "HYG",
                                                                                        "BNDX", "CASH")})
    symbol = held[0]
    as_of = models["risk_5_horizon_long"][0]
    close = scalar(db, "SELECT close FROM daily_prices WHERE symbol = %s AND day = %s", symbol, as_of)
    # The newest day of a held equity, with its low above its open: rejected, recorded as blocking.
    run = load_csv([f"{as_of},{symbol},{close},{close * 1.01},{close * 1.005},{close},{close},1000"])
    assert run.returncode == 1
    try:
        generate(db, internal_secret)
        after = current_models(db)
        for bucket, (day, weights, diag) in after.items():
            assert day == as_of and symbol not in weights, bucket
            refused = [e for e in diag["excluded"] if e["symbol"] == symbol]
            assert refused and refused[0]["check"] == "ohlc" and refused[0]["day"] == as_of, diag["excluded"]
            assert "data-quality" in refused[0]["reason"]
    finally:
        query(db, "DELETE FROM market_quality WHERE symbol = %s AND day = %s", symbol, as_of)
        generate(db, internal_secret)
    assert any(symbol in weights for _, weights, _ in current_models(db).values())


# ---------------------------------------------------------------- incremental sync from Yahoo


class SplitReplay(http.server.BaseHTTPRequestHandler):
    """GET /v8/finance/chart/SPLT: the crafted daily answers in order (backfill, revision, split), one per
    request; an intraday request gets the split day's 15-minute bars with the split in its events."""

    answers = ["yahoo_chart_SPLT_1_backfill.json", "yahoo_chart_SPLT_2_revision.json",
               "yahoo_chart_SPLT_3_split.json"]
    seen = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        if "interval=15m" in self.path:
            name = "yahoo_chart_SPLT_15m_split.json"
        else:
            SplitReplay.seen.append(self.path)
            name = self.answers[min(len(SplitReplay.seen), len(self.answers)) - 1]
        with open(os.path.join(FIXTURES, name), "rb") as f:
            body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def split_worker(stack, db):
    """The bundled worker is stopped; one reading the replay server takes its place."""
    forget(db, "SPLT")
    SplitReplay.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SplitReplay)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    bundled = stack[1]
    assert bundled.stop() == 0
    worker = Daemon("parity-decisional", f"{DECISIONAL}/readyz")
    worker.start(MARKET_SOURCE="yahoo", YAHOO_BASE_URL=f"http://127.0.0.1:{server.server_address[1]}",
                 YAHOO_MAX_RETRIES="1", YAHOO_TIMEOUT_MS=str(HTTP_TIMEOUT * 1000))
    yield worker
    assert worker.stop() == 0
    server.shutdown()
    bundled.start()


def sync(broker, db):
    message_id = str(uuid.uuid4())
    broker.publish("CMD_SYNC_DAILY", envelope("CMD_SYNC_DAILY", {"symbols": ["SPLT"], "lookback_days": 365},
                                              message_id).encode(), message_id)
    rows, changed, error, symbols = wait_sync_finished(db, message_id)
    assert error is None
    return rows, changed


def bars(db):
    return {d: (o, h, low, c, a, v) for d, o, h, low, c, a, v in query(
        db, "SELECT day::text, open, high, low, close, adj_close, volume FROM daily_prices WHERE symbol = 'SPLT'")}


def epoch(day):
    return int(datetime.datetime.fromisoformat(day).replace(tzinfo=datetime.timezone.utc).timestamp())


def test_incremental_sync_records_revisions_and_follows_a_split(split_worker, broker, db):
    # 1. A symbol never loaded is backfilled over the lookback (a range, not a period).
    assert sync(broker, db) == (10, 10)
    assert "range=1y&interval=1d&events=div%2Csplits" in SplitReplay.seen[0]
    first = bars(db)
    assert min(first) == "2025-03-03" and max(first) == "2025-03-14"

    # 2. Then only from 7 days before its newest day: the overlap brings one revised close (2025-03-12,
    #    100 + 7 -> 107.50), recorded with its old and new values; the rest of the overlap is unchanged.
    rows, changed = sync(broker, db)
    assert f"period1={epoch('2025-03-07')}&" in SplitReplay.seen[1]
    assert (rows, changed) == (8, 3)  # 03-12 revised, 03-17 and 03-18 new
    revisions = query(db, "SELECT day::text, kind, old->>'close', new->>'close' FROM market_revisions "
                          "WHERE symbol = 'SPLT' ORDER BY id")
    assert revisions == [("2025-03-12", "value", "107", "107.5")]

    # 3. From 2025-03-11: the source split 2:1 on 2025-03-19 and re-adjusted its history (prices halved,
    #    volumes doubled). The stored days before the overlap are rescaled by the same factor, so the series
    #    has no jump; the split is stored as an event.
    before = bars(db)
    rows, changed = sync(broker, db)
    assert f"period1={epoch('2025-03-11')}&" in SplitReplay.seen[2]
    after = bars(db)
    assert max(after) == "2025-03-20" and len(after) == 14
    for day in ("2025-03-03", "2025-03-07", "2025-03-10"):  # before the re-read days: rescaled here
        o, h, low, c, a, v = before[day]
        assert after[day] == (o / 2, h / 2, low / 2, c / 2, a / 2, v * 2), day
    assert after["2025-03-18"][3] == 55.5 and after["2025-03-19"][3] == 56.0
    rebase = query(db, "SELECT day::text, (new->>'close')::float8, (new->>'adj_close')::float8 FROM market_revisions "
                       "WHERE symbol = 'SPLT' AND kind = 'rebase'")
    assert rebase == [("2025-03-11", 0.5, 0.5)]
    assert query(db, "SELECT day::text, numerator, denominator FROM market_events WHERE symbol = 'SPLT' "
                     "AND kind = 'split'") == [("2025-03-19", 2.0, 1.0)]
    # With the history adjusted there is no jump: no suspected split, no large move.
    assert not [k for k in findings("SPLT") if k[1] in ("suspected_split", "large_move")]


def holder(db):
    """An investor who bought 3.5 SPLT shares before the split day, and 1 share after its open (priced after the
    split, so not doubled); the ledger balances: deposit = buys. Their user id."""
    user = scalar(db, "INSERT INTO users (email, password_hash) VALUES (%s, 'x') RETURNING id",
                  f"split-{uuid.uuid4().hex[:8]}@example.com")
    query(db, "INSERT INTO cash_movements (user_id, kind, amount_cents) VALUES (%s, 'deposit', 40000)", user)
    query(db, "INSERT INTO trades (user_id, symbol, side, shares_micro, price_micros, amount_cents, reason, "
              "created_at) VALUES (%s, 'SPLT', 'buy', 3500000, 100000000, 35000, 'invest', '2025-03-14 15:00Z'), "
              "(%s, 'SPLT', 'buy', 1000000, 50000000, 5000, 'invest', '2025-03-19 16:00Z')", user, user)
    query(db, "INSERT INTO lots (user_id, symbol, shares_micro, basis_cents, acquired, bought, created_at) VALUES "
              "(%s, 'SPLT', 3500000, 35000, '2025-03-14', '2025-03-14', '2025-03-14 15:00Z'), "
              "(%s, 'SPLT', 1000000, 5000, '2025-03-19', '2025-03-19', '2025-03-19 16:00Z')", user, user)
    query(db, "INSERT INTO positions (user_id, symbol, shares_micro, cost_basis_cents) VALUES (%s, 'SPLT', 4500000, "
              "40000)", user)
    return user


def drop_holder(db, user):
    for table in ("lots", "positions", "trades", "cash_movements"):
        query(db, f"DELETE FROM {table} WHERE user_id = %s", user)
    query(db, "DELETE FROM users WHERE id = %s", user)


def test_the_intraday_sync_applies_a_split_during_its_day(split_worker, broker, db):
    """The intraday answer carries the split on its day: the position follows before the daily sync runs."""
    user = holder(db)
    try:
        message_id = str(uuid.uuid4())
        broker.publish("CMD_SYNC_INTRADAY", envelope("CMD_SYNC_INTRADAY", {"symbols": ["SPLT"]}, message_id).encode(),
                       message_id)
        wait_for(lambda: scalar(db, "SELECT shares_micro FROM positions WHERE user_id = %s", user) == 8000000,
                 what="the split applied after the intraday sync")
        assert query(db, "SELECT day::text, source FROM market_events WHERE symbol = 'SPLT'") == [("2025-03-19",
                                                                                                   "yahoo")]
        audit()
    finally:
        drop_holder(db, user)


def test_a_split_doubles_held_shares_once_and_the_audit_stays_exact(split_worker, broker, db):
    user = holder(db)
    try:
        for _ in range(3):
            sync(broker, db)
        # EVT_SYNC_DONE: operational applies the split: 3.5 held across it become 7, plus the 1 bought after.
        wait_for(lambda: scalar(db, "SELECT shares_micro FROM positions WHERE user_id = %s", user) == 8000000,
                 what="the split applied to the position")
        movement = query(db, "SELECT kind, amount_cents, symbol, shares_micro FROM cash_movements "
                             "WHERE user_id = %s AND kind = 'split'", user)
        assert movement == [("split", 0, "SPLT", 3500000)]
        # The lot held across the split's open doubles with its basis; the one bought after it stays.
        assert query(db, "SELECT shares_micro, basis_cents FROM lots WHERE user_id = %s ORDER BY id", user) == [
            (7000000, 35000), (1000000, 5000)]
        assert scalar(db, "SELECT applied_at IS NOT NULL FROM market_events WHERE symbol = 'SPLT'")
        audit()
        # Exactly once: asking again applies nothing.
        run = parity_tool("apply-splits")
        assert run.returncode == 0 and json.loads(run.stdout) == {"applied": []}, run.stderr
        assert scalar(db, "SELECT shares_micro FROM positions WHERE user_id = %s", user) == 8000000
        audit()
    finally:
        drop_holder(db, user)


def test_metrics_count_the_open_findings_per_check(split_worker, broker, db):
    sync(broker, db)
    text = requests.get(f"{DECISIONAL}/metrics", timeout=HTTP_TIMEOUT).text
    for check in ("ohlc", "large_move", "suspected_split", "zero_volume", "calendar_gap", "stale"):
        assert f'parity_market_quality_findings{{check="{check}",' in text, check


def test_cleanup_drops_old_intraday_bars_and_superseded_forecasts(stack, db, internal_secret):
    query(db, "INSERT INTO intraday_prices (symbol, ts, price) VALUES ('QQTI', now() - interval '15 days', 1), "
              "('QQTI', now() - interval '13 days', 1)")
    user = scalar(db, "INSERT INTO users (email, password_hash) VALUES (%s, 'x') RETURNING id",
                  f"forecasts-{uuid.uuid4().hex[:8]}@example.com")
    for age in (60, 50, 40):
        query(db, "INSERT INTO forecasts (user_id, status, request, result, created_at, completed_at) "
                  f"VALUES (%s, 'complete', '{{}}', '{{}}', now() - interval '{age} days', now() - interval "
                  f"'{age} days')", user)
    try:
        answer = post_internal("/internal/cleanup", internal_secret)
        assert answer.status_code == 200, answer.text
        deleted = answer.json()["deleted"]
        assert deleted["intraday_prices"] >= 1 and deleted["superseded_forecasts"] >= 2
        assert scalar(db, "SELECT count(*) FROM intraday_prices WHERE symbol = 'QQTI'") == 1
        # The newest forecast stays, however old: nothing supersedes it.
        assert scalar(db, "SELECT count(*) FROM forecasts WHERE user_id = %s", user) == 1
    finally:
        query(db, "DELETE FROM intraday_prices WHERE symbol = 'QQTI'")
        query(db, "DELETE FROM forecasts WHERE user_id = %s", user)
        query(db, "DELETE FROM users WHERE id = %s", user)


def test_data_quality_prints_a_table_on_a_terminal(stack):
    """On a pseudo-terminal the report is a table with a header and the totals; through a pipe, JSON."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([os.path.join(BIN, "parity"), "data-quality", "--limit", "5"], stdout=follower,
                            stderr=subprocess.PIPE, env=dict(os.environ))
    os.close(follower)
    out = b""
    deadline = time.monotonic() + HTTP_TIMEOUT
    while time.monotonic() < deadline:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    assert proc.wait(HTTP_TIMEOUT) == 0
    os.close(leader)
    text = out.decode()
    assert text.startswith("SYMBOL") and "CHECK" in text and "\ntotal" in text.replace("\r", ""), text
    piped = parity_tool("data-quality", "--limit", "5")
    assert piped.returncode == 0 and "findings" in json.loads(piped.stdout)
