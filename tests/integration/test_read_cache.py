"""The read path served from memory: GET /portfolio values positions at the prices parity-operational holds,
and GET /models serves the models it holds. Both follow the database without a restart: a write to the price
or model tables notifies (migrations/0007 triggers) and the LISTEN thread reloads; after its connection is
lost (a PostgreSQL restart, a killed backend) it reloads on reconnecting, so a notification sent meanwhile
is not missed for good."""

import datetime
import math
import os
import subprocess
import tempfile

import psycopg2
import pytest
import requests

from conftest import (BIN, HTTP_TIMEOUT, INTERNAL, PUBLIC, ROOT, VAR, post_internal, query, scalar, wait_for)
from test_money import Investor, wait_deployed

LOCAL = os.path.join(ROOT, "deploy", "local")
MICRO = 1_000_000


def value_cents(shares_micro, price):
    """operational/money.c: the price in micro-dollars (llround, half away from zero), then micro-shares x
    micro-dollars (10^-12 dollars, 10^-10 cents) in cents, half up."""
    price_micros = math.floor(price * MICRO + 0.5)
    return (shares_micro * price_micros + 5_000_000_000) // 10_000_000_000


@pytest.fixture()
def deployed(priced_stack):
    investor = Investor()
    investor.onboard(3, "long")
    investor.post("/wallet/deposits", {"amount_cents": 1_000_000})
    investor.post("/portfolio/invest", {"amount_cents": 1_000_000})
    wait_deployed(investor)
    return investor


def position(investor, symbol):
    p = investor.get("/portfolio").json()
    return p, next(pos for pos in p["positions"] if pos["symbol"] == symbol)


def priced_at(investor, symbol, price):
    """The portfolio once `symbol` is valued at `price`, else None (for wait_for)."""
    p, pos = position(investor, symbol)
    return p if pos["price"] == pytest.approx(price, rel=1e-12) else None


def check_valuation(p, symbol, price):
    """The answer's arithmetic at `price`: the position's value, the totals and the weights follow it."""
    pos = next(pos for pos in p["positions"] if pos["symbol"] == symbol)
    assert pos["value_cents"] == value_cents(pos["shares_micro"], price)
    assert p["positions_value_cents"] == sum(x["value_cents"] for x in p["positions"])
    assert p["value_cents"] == p["positions_value_cents"] + p["cash_cents"]
    assert pos["weight"] == pytest.approx(pos["value_cents"] / p["value_cents"], rel=1e-12)


def newest_close(db, symbol):
    return query(db, "SELECT day, close FROM daily_prices WHERE symbol = %s ORDER BY day DESC LIMIT 1", symbol)[0]


def test_a_loaded_csv_day_revalues_the_portfolio_without_a_restart(deployed, db):
    investor = deployed
    p = investor.get("/portfolio").json()
    symbol = p["positions"][0]["symbol"]
    day, close = newest_close(db, symbol)
    next_day = day + datetime.timedelta(days=3 if day.weekday() == 4 else 1)
    new_close = round(close * 1.25, 4)
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        f.write("date,symbol,open,high,low,close,adj_close,volume\n")
        f.write(f"{next_day.isoformat()},{symbol},{new_close},{new_close},{new_close},{new_close},{new_close},1000\n")
    try:
        run = subprocess.run([os.path.join(BIN, "parity"), "load-prices", f.name], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        after = wait_for(lambda: priced_at(investor, symbol, new_close), what="the loaded day to value the position")
        check_valuation(after, symbol, new_close)
        # The close of a day is priced at 16:00 in New York (21:00 UTC in winter, 20:00 in summer).
        _, pos = position(investor, symbol)
        assert pos["price_time"].startswith(next_day.isoformat() + "T2")
        assert after["value_cents"] > p["value_cents"]
    finally:
        os.unlink(f.name)
        query(db, "DELETE FROM daily_prices WHERE symbol = %s AND day = %s", symbol, next_day)
    back = wait_for(lambda: priced_at(investor, symbol, close), what="the removed day to stop valuing the position")
    check_valuation(back, symbol, close)


def test_a_price_written_by_the_decisional_role_revalues_the_portfolio(deployed, db):
    """An intraday sync's write, made as parity-decisional makes it (its own role, its own transaction)."""
    investor = deployed
    symbol = investor.get("/portfolio").json()["positions"][-1]["symbol"]
    _, close = newest_close(db, symbol)
    price = round(close * 0.8, 4)
    dec = psycopg2.connect(os.environ["DECISIONAL_DATABASE_URL"])
    dec.autocommit = True
    ts = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    try:
        query(dec, "INSERT INTO intraday_prices (symbol, ts, price) VALUES (%s, %s, %s)", symbol, ts, price)
        after = wait_for(lambda: priced_at(investor, symbol, price), what="the intraday price to value the position")
        check_valuation(after, symbol, price)
        _, pos = position(investor, symbol)
        assert pos["price_time"] == ts.strftime("%Y-%m-%dT%H:%M:%SZ")
    finally:
        query(dec, "DELETE FROM intraday_prices WHERE symbol = %s AND ts = %s", symbol, ts)
        dec.close()
    wait_for(lambda: priced_at(investor, symbol, close), what="the daily close to value the position again")


def model(bucket):
    answer = requests.get(f"{PUBLIC}/api/v1/models/{bucket}", timeout=HTTP_TIMEOUT)
    return answer.json() if answer.status_code == 200 else None


def test_the_models_follow_a_regeneration(priced_stack, db, internal_secret):
    bucket = "risk_2_horizon_medium"
    before = model(bucket)
    assert before is not None
    # The current generation of the bucket goes; the one served must follow, then come back regenerated.
    query(db, "DELETE FROM model_portfolios WHERE bucket_key = %s AND as_of_day = %s", bucket, before["as_of"])
    wait_for(lambda: (m := model(bucket)) is None or m["as_of"] != before["as_of"],
             what="the deleted model to stop being served")
    assert post_internal("/internal/models/generate", internal_secret).status_code in (200, 202)
    regenerated = wait_for(lambda: (m := model(bucket)) and m["as_of"] == before["as_of"] and m,
                           what="the regenerated model to be served")
    assert regenerated["computed_at"] >= before["computed_at"]
    assert regenerated["weights"] == pytest.approx(before["weights"], abs=1e-9)
    listed = {m["bucket"]: m for m in requests.get(f"{PUBLIC}/api/v1/models", timeout=HTTP_TIMEOUT).json()["models"]}
    assert listed[bucket] == regenerated


def listener_backends(db):
    return [r[0] for r in query(db, "SELECT pid FROM pg_stat_activity WHERE application_name = "
                                    "'parity-operational listener'")]


@pytest.mark.skipif(bool(os.environ.get("PARITY_TEST_EXTERNAL")),
                    reason="the services belong to the CI runner; they cannot be restarted from here")
def test_the_cache_recovers_after_a_database_restart_and_a_lost_listener(deployed, db_url):
    investor = deployed
    symbol = investor.get("/portfolio").json()["positions"][0]["symbol"]
    subprocess.run(["bash", os.path.join(LOCAL, "pg.sh"), "stop", VAR, os.environ["PARITY_TEST_PG_PORT"]], check=True,
                   capture_output=True)
    try:
        # While the database is down the models are still served, from memory.
        assert requests.get(f"{PUBLIC}/api/v1/models", timeout=HTTP_TIMEOUT).status_code == 200
    finally:
        subprocess.run(["bash", os.path.join(LOCAL, "pg.sh"), "start", VAR, os.environ["PARITY_TEST_PG_PORT"]],
                       check=True, capture_output=True)
    wait_for(lambda: requests.get(f"{INTERNAL}/readyz", timeout=HTTP_TIMEOUT).status_code == 200,
             what="operational ready again")
    conn = psycopg2.connect(db_url)
    conn.autocommit = True
    try:
        wait_for(lambda: listener_backends(conn), what="the listener to reconnect")
        _, close = newest_close(conn, symbol)
        price = round(close * 1.5, 4)
        ts = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        # The listener's backend is ended (waiting until it has exited) and the price is written before the
        # listener can reconnect (it pauses PARITY_PG_LISTENER_RECONNECT_PAUSE_MS, 1 s, first): the NOTIFY
        # goes to nobody, and only the reload on reconnecting can bring the price.
        query(conn, "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                    "WHERE application_name = 'parity-operational listener'")
        query(conn, "INSERT INTO intraday_prices (symbol, ts, price) VALUES (%s, %s, %s)", symbol, ts, price)
        try:
            after = wait_for(lambda: priced_at(investor, symbol, price), what="the reconnected listener to reload")
            check_valuation(after, symbol, price)
        finally:
            query(conn, "DELETE FROM intraday_prices WHERE symbol = %s AND ts = %s", symbol, ts)
        wait_for(lambda: priced_at(investor, symbol, close), what="the daily close to value the position again")
        assert scalar(conn, "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                            "'parity-operational listener'") == 1
    finally:
        conn.close()
