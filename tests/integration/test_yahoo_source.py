"""MARKET_SOURCE=yahoo end to end: the real worker fetches from a local HTTP server that replays the
recorded Yahoo chart responses (tests/fixtures/yahoo), validates and writes them; a bad answer is
reported with its symbol and nothing of the batch is kept."""

import http.server
import os
import threading
import uuid

import pytest

from conftest import DECISIONAL, HTTP_TIMEOUT, ROOT, Daemon, envelope, query, scalar, wait_sync_finished

FIXTURES = os.path.join(ROOT, "tests", "fixtures", "yahoo")


class ChartReplay(http.server.BaseHTTPRequestHandler):
    """GET /v8/finance/chart/{SYMBOL}: the recorded daily body for AAPL and QQQ, the recorded 404
    body for anything else, and a 500 for BROKEN (the worker retries, then gives up)."""

    routes = {"AAPL": "yahoo_chart_AAPL_1d.json", "QQQ": "yahoo_chart_QQQ_1d.json"}
    requests_seen = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        symbol = self.path.split("?")[0].rsplit("/", 1)[-1]
        ChartReplay.requests_seen.append(self.path)
        if symbol == "BROKEN":
            self.send_response(500)
            self.end_headers()
            return
        name = self.routes.get(symbol, "chart_404_not_found.json")
        with open(os.path.join(FIXTURES, name), "rb") as f:
            body = f.read()
        self.send_response(200 if symbol in self.routes else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def yahoo_worker(stack):
    """The session's bundled worker is stopped; a worker reading from the replay server takes its place."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ChartReplay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    bundled = stack[1]
    assert bundled.stop() == 0
    worker = Daemon("parity-decisional", f"{DECISIONAL}/readyz")
    worker.start(MARKET_SOURCE="yahoo", YAHOO_BASE_URL=f"http://127.0.0.1:{server.server_address[1]}",
                 YAHOO_MAX_RETRIES="1", YAHOO_TIMEOUT_MS=str(HTTP_TIMEOUT * 1000))
    yield worker
    assert worker.stop() == 0
    server.shutdown()
    bundled.start()


def sync(broker, symbols):
    message_id = str(uuid.uuid4())
    broker.publish("CMD_SYNC_DAILY", envelope("CMD_SYNC_DAILY", {"symbols": symbols, "lookback_days": 365},
                                              message_id).encode(), message_id)
    return message_id


def test_recorded_yahoo_answers_are_loaded(yahoo_worker, broker, db):
    query(db, "DELETE FROM daily_prices WHERE symbol IN ('AAPL', 'QQQ')")
    message_id = sync(broker, ["AAPL", "QQQ"])
    rows, changed, error, symbols = wait_sync_finished(db, message_id)
    assert error is None
    assert symbols == 2
    assert scalar(db, "SELECT count(*) FROM daily_prices WHERE symbol = 'AAPL'") == 49
    first, last = query(db, "SELECT min(day)::text, max(day)::text FROM daily_prices WHERE symbol = 'AAPL'")[0]
    assert (first, last) == ("2020-08-31", "2020-11-06")
    # The QQQ bar equals the bundled CSV's row for that day (the data README's cross-check).
    bar = query(db, "SELECT open, high, low, close, volume FROM daily_prices WHERE symbol='QQQ' AND day='2020-01-02'")
    assert bar and abs(bar[0][3] - 216.16000366210938) < 1e-9 and bar[0][4] == 30969400
    assert any("range=1y&interval=1d" in p for p in ChartReplay.requests_seen)


def test_an_unknown_symbol_rejects_the_whole_batch_and_says_which(yahoo_worker, broker, db):
    query(db, "DELETE FROM daily_prices WHERE symbol = 'AAPL'")
    message_id = sync(broker, ["AAPL", "NOSUCHTICKER"])
    rows, changed, error, symbols = wait_sync_finished(db, message_id)
    assert error is not None and "NOSUCHTICKER" in error
    # AAPL was fetched fine, but nothing of the failed batch is committed.
    assert scalar(db, "SELECT count(*) FROM daily_prices WHERE symbol = 'AAPL'") == 0
    assert scalar(db, "SELECT count(*) FROM processed_messages WHERE message_id = %s", message_id) == 1
