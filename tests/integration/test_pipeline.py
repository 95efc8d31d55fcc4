"""The daily market-data pipeline end to end: HTTP -> outbox -> RabbitMQ -> decisional -> PostgreSQL,
with redelivery, duplicates, dead-lettering and a worker killed mid-sync."""

import json
import uuid

import psycopg2
import pytest
import requests

from conftest import (
    BUNDLED_ROWS,
    BUNDLED_SYMBOLS,
    DECISIONAL,
    HTTP_TIMEOUT,
    INTERNAL,
    PUBLIC,
    envelope,
    post_internal,
    query,
    scalar,
    wait_for,
    wait_sync_finished,
)

UNIVERSE = ["VTI", "VOO", "QQQ", "VTV", "VUG", "IWM", "VEA", "VWO", "VNQ", "VNQI", "XLF", "XLV", "XLE", "XLK",
            "BND", "TLT", "LQD", "HYG", "BNDX", "SPY"]


def sync_payload(symbols=None):
    return {"symbols": symbols or UNIVERSE, "lookback_days": 1900}


def test_internal_endpoint_needs_the_secret_and_the_internal_port(stack, internal_secret):
    assert requests.post(f"{INTERNAL}/internal/pipeline/daily", timeout=HTTP_TIMEOUT).status_code == 401
    wrong = requests.post(f"{INTERNAL}/internal/pipeline/daily", headers={"X-Internal-Secret": "x" * 40},
                          timeout=HTTP_TIMEOUT)
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "UNAUTHENTICATED"
    # Never on the public port, even with the secret.
    public = requests.post(f"{PUBLIC}/internal/pipeline/daily", headers={"X-Internal-Secret": internal_secret},
                           timeout=HTTP_TIMEOUT)
    assert public.status_code == 404


def test_daily_pipeline_loads_every_bundled_row_and_is_idempotent(stack, db, internal_secret):
    query(db, "TRUNCATE daily_prices")
    answer = post_internal("/internal/pipeline/daily", internal_secret)
    assert answer.status_code == 202
    message_id = answer.json()["message_id"]
    rows, changed, error, symbols = wait_sync_finished(db, message_id)
    assert error is None
    assert (rows, changed, symbols) == (BUNDLED_ROWS, BUNDLED_ROWS, BUNDLED_SYMBOLS)
    assert scalar(db, "SELECT count(*) FROM daily_prices") == BUNDLED_ROWS
    assert scalar(db, "SELECT count(DISTINCT symbol) FROM daily_prices") == BUNDLED_SYMBOLS
    # The command was marked processed in the same transaction.
    assert scalar(db, "SELECT type FROM processed_messages WHERE message_id = %s", message_id) == "CMD_SYNC_DAILY"
    # The outbox row is marked sent only after the broker's confirm.
    assert scalar(db, "SELECT published_at IS NOT NULL FROM outbox WHERE id = %s", message_id)

    again = post_internal("/internal/pipeline/daily", internal_secret).json()["message_id"]
    rows, changed, error, _ = wait_sync_finished(db, again)
    assert (rows, changed, error) == (BUNDLED_ROWS, 0, None)
    assert scalar(db, "SELECT count(*) FROM daily_prices") == BUNDLED_ROWS


def test_market_api_reads_the_loaded_prices(stack, db):
    status = requests.get(f"{PUBLIC}/api/v1/market/status", timeout=HTTP_TIMEOUT).json()
    by_symbol = {s["symbol"]: s for s in status["symbols"]}
    assert set(by_symbol) == set(UNIVERSE)
    assert by_symbol["SPY"]["first_day"] == "2005-01-03"
    assert by_symbol["SPY"]["last_day"] == "2026-05-01"
    assert by_symbol["SPY"]["rows"] == 5366
    assert by_symbol["VOO"]["first_day"] == "2010-09-09"

    bars = requests.get(f"{PUBLIC}/api/v1/market/prices/SPY?from=2024-12-31&to=2024-12-31",
                        timeout=HTTP_TIMEOUT).json()["bars"]
    assert len(bars) == 1 and bars[0]["date"] == "2024-12-31"
    assert bars[0]["close"] == 586.08  # the README's known value
    year = requests.get(f"{PUBLIC}/api/v1/market/prices/VTI?from=2024-01-01&to=2024-12-31", timeout=HTTP_TIMEOUT).json()
    assert len(year["bars"]) == scalar(
        db, "SELECT count(*) FROM daily_prices WHERE symbol='VTI' AND day BETWEEN '2024-01-01' AND '2024-12-31'")
    assert year["bars"][-1]["close"] == 289.81


@pytest.mark.parametrize("path,status,code", [
    ("/api/v1/market/prices/NOPE", 404, "NOT_FOUND"),
    ("/api/v1/market/prices/spy", 400, "INVALID_REQUEST"),
    ("/api/v1/market/prices/SPY?from=2024-13-01", 400, "INVALID_REQUEST"),
    ("/api/v1/market/prices/SPY?from=2024-02-31", 400, "INVALID_REQUEST"),
    ("/api/v1/market/prices/SPY?from=2024-12-31&to=2024-01-01", 400, "INVALID_REQUEST"),
    ("/api/v1/market/prices/SPY/extra", 404, "NOT_FOUND"),
    ("/api/v1/%2e%2e/internal/pipeline/daily", 400, "BAD_PATH"),
    ("/api/v1/market/prices/%2fetc%2fpasswd", 400, "BAD_PATH"),
    ("/api/v1/market/prices/SPY%00", 400, "BAD_PATH"),
    ("/api//v1/market/status", 400, "BAD_PATH"),
    ("/api/v1/nothing/here", 404, "NOT_FOUND"),
])
def test_market_api_answers_bad_requests_with_json_errors(stack, path, status, code):
    answer = requests.get(f"{PUBLIC}{path}", timeout=HTTP_TIMEOUT)
    assert answer.status_code == status
    body = answer.json()["error"]
    assert body["code"] == code and body["message"] and body["request_id"] == answer.headers["X-Request-Id"]


def test_malformed_messages_are_dead_lettered_and_the_worker_keeps_going(stack, broker, db):
    broker.purge("parity.dead")
    bad = [
        ("CMD_SYNC_DAILY", b"{not json"),
        ("CMD_SYNC_DAILY", envelope("CMD_TELEPORT", {}).encode()),
        ("CMD_SYNC_DAILY", envelope("CMD_SYNC_DAILY", {"symbols": [], "lookback_days": 5}).encode()),
        ("CMD_SYNC_DAILY", json.dumps({"v": 2, "id": str(uuid.uuid4()), "type": "CMD_SYNC_DAILY",
                                       "issued_at": "x", "payload": {}}).encode()),
    ]
    for key, body in bad:
        broker.publish(key, body)
    dead = []

    def all_dead():
        while (got := broker.get("parity.dead")) is not None:
            dead.append(got[1])
        return all(body in dead for _, body in bad)

    wait_for(all_dead, what="every bad message in parity.dead")
    assert stack[1].running()
    # Still consuming: a valid command right after is processed.
    good = str(uuid.uuid4())
    broker.publish("CMD_SYNC_DAILY", envelope("CMD_SYNC_DAILY", sync_payload(["SPY"]), good).encode(), good)
    rows, changed, error, symbols = wait_sync_finished(db, good)
    assert (rows, symbols, error) == (5366, 1, None)
    all_dead()
    assert not any(good.encode() in body for body in dead)


def test_a_command_delivered_twice_has_the_effect_of_once(stack, broker, db):
    message_id = str(uuid.uuid4())
    body = envelope("CMD_SYNC_DAILY", sync_payload(["BND"]), message_id).encode()
    broker.publish("CMD_SYNC_DAILY", body, message_id)
    broker.publish("CMD_SYNC_DAILY", body, message_id)
    wait_sync_finished(db, message_id)
    wait_for(lambda: broker.depth("decisional.pipeline") == 0, what="pipeline queue drained")
    metrics = requests.get(f"{DECISIONAL}/metrics", timeout=HTTP_TIMEOUT).text
    assert 'parity_decisional_messages_total{type="CMD_SYNC_DAILY",status="duplicate"}' in metrics
    assert scalar(db, "SELECT count(*) FROM market_sync_log WHERE message_id = %s", message_id) == 1
    assert scalar(db, "SELECT count(*) FROM processed_messages WHERE message_id = %s", message_id) == 1


def test_killing_the_worker_mid_sync_leaves_nothing_half_written(stack, broker, db):
    decisional = stack[1]
    query(db, "TRUNCATE daily_prices")
    message_id = str(uuid.uuid4())
    broker.publish("CMD_SYNC_DAILY", envelope("CMD_SYNC_DAILY", sync_payload(), message_id).encode(), message_id)

    def loading():
        return scalar(db, "SELECT count(*) FROM pg_stat_activity WHERE usename = 'parity_decisional' "
                          "AND state IN ('active', 'idle in transaction') AND xact_start IS NOT NULL")

    wait_for(loading, interval=0.01, what="the sync transaction to start")
    decisional.kill()
    # The transaction died with the worker: not one row of the batch is visible.
    wait_for(lambda: not loading(), what="the killed transaction to end")
    assert scalar(db, "SELECT count(*) FROM daily_prices") == 0
    assert scalar(db, "SELECT count(*) FROM processed_messages WHERE message_id = %s", message_id) == 0

    decisional.start()
    rows, changed, error, symbols = wait_sync_finished(db, message_id)
    assert (rows, changed, error, symbols) == (BUNDLED_ROWS, BUNDLED_ROWS, None, BUNDLED_SYMBOLS)
    assert scalar(db, "SELECT count(*) FROM daily_prices") == BUNDLED_ROWS


def test_a_command_committed_while_operational_was_down_is_published_when_it_returns(stack, db):
    operational = stack[0]
    assert operational.stop() == 0
    # As if operational had crashed right after committing the state change and its outbox row.
    message_id = scalar(db, "INSERT INTO outbox (type, payload) VALUES ('CMD_SYNC_DAILY', %s) RETURNING id::text",
                        json.dumps(sync_payload(["TLT"])))
    operational.start()
    rows, _, error, symbols = wait_sync_finished(db, message_id)
    assert (rows, error, symbols) == (5366, None, 1)
    assert scalar(db, "SELECT published_at IS NOT NULL FROM outbox WHERE id = %s", message_id)


def test_probes_and_metrics(stack):
    for base in (PUBLIC, INTERNAL):
        assert requests.get(f"{base}/livez", timeout=HTTP_TIMEOUT).json()["status"] == "ok"
        ready = requests.get(f"{base}/readyz", timeout=HTTP_TIMEOUT).json()
        assert ready == {"status": "ready", "database": "ok", "broker": "ok"}
    assert requests.get(f"{PUBLIC}/metrics", timeout=HTTP_TIMEOUT).status_code == 404  # metrics stay internal
    text = requests.get(f"{INTERNAL}/metrics", timeout=HTTP_TIMEOUT).text
    for name in ("parity_operational_http_requests_total", "parity_operational_http_request_duration_seconds_bucket",
                 "parity_operational_outbox_pending", "parity_operational_commands_published_total"):
        assert name in text
    assert 'parity_operational_commands_published_total{type="CMD_SYNC_DAILY",status="confirmed"}' in text
    dec = requests.get(f"{DECISIONAL}/metrics", timeout=HTTP_TIMEOUT).text
    assert 'parity_decisional_messages_total{type="CMD_SYNC_DAILY",status="ok"}' in dec
    assert "parity_decisional_market_rows_upserted_total" in dec
    assert requests.get(f"{DECISIONAL}/readyz", timeout=HTTP_TIMEOUT).json()["status"] == "ready"


def test_the_decisional_role_cannot_touch_users_or_money(stack, db_url):
    role_url = db_url.replace("postgresql://parity@", "postgresql://parity_decisional@")
    conn = psycopg2.connect(role_url)
    conn.autocommit = True
    forbidden = [
        "SELECT count(*) FROM users", "SELECT count(*) FROM wallets", "SELECT count(*) FROM positions",
        "SELECT count(*) FROM trades", "SELECT count(*) FROM sessions", "SELECT count(*) FROM cash_movements",
        "INSERT INTO wallets (user_id, cash_cents) VALUES (1, 100)", "UPDATE positions SET shares_micro = 0",
        "DELETE FROM trades", "CREATE TABLE evil (x int)", "DROP TABLE daily_prices",
        "SELECT count(*) FROM lots", "SELECT count(*) FROM realized_gains", "SELECT count(*) FROM investor_settings",
    ]
    for sql in forbidden:
        with conn.cursor() as cur, pytest.raises(psycopg2.Error) as caught:
            cur.execute(sql)
        assert caught.value.pgcode in ("42501", "42P01") or "permission denied" in str(caught.value) or \
            "must be owner" in str(caught.value), sql
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM daily_prices")
        assert cur.fetchone()[0] >= 0
    conn.close()
