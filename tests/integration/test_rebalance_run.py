"""The monthly rebalance run: batches out to decisional, trades back once, staleness refused."""

import json

import pytest

from conftest import HTTP_TIMEOUT, post_internal, query, run_status, scalar, wait_for
from test_money import Investor, audit, wait_deployed


@pytest.fixture()
def drifted(priced_stack, db):
    """An investor deployed on risk_3_horizon_long, whose model then moves all of VTI's weight to BND."""
    investor = Investor()
    investor.onboard(3, "long")
    investor.post("/wallet/deposits", {"amount_cents": 2_000_000})
    investor.post("/portfolio/invest", {"amount_cents": 2_000_000})
    wait_deployed(investor)
    model_id, weights = query(db, "SELECT id, weights FROM model_portfolios WHERE bucket_key = 'risk_3_horizon_long' "
                                  "ORDER BY as_of_day DESC LIMIT 1")[0]
    moved = dict(weights)
    donor = max((s for s in moved if s != "BND"), key=lambda s: moved[s])
    moved["BND"] = moved.get("BND", 0) + moved.pop(donor)
    query(db, "UPDATE model_portfolios SET weights = %s WHERE id = %s", json.dumps(moved), model_id)
    yield investor, moved, donor
    query(db, "UPDATE model_portfolios SET weights = %s WHERE id = %s", json.dumps(weights), model_id)


def test_a_run_moves_portfolios_to_their_model_once(drifted, db, internal_secret):
    investor, moved, donor = drifted
    started = post_internal("/internal/rebalance?period=2099-01", internal_secret)
    assert started.status_code == 202, started.text
    run_id = started.json()["run_id"]
    done = wait_for(lambda: (s := run_status(internal_secret, run_id))["status"] == "complete" and s,
                    what="the run to complete")
    assert done["batches"] >= 1 and done["applied"] == done["batches"] and done["trades"] > 0
    p = investor.get("/portfolio").json()
    held = {pos["symbol"]: pos for pos in p["positions"]}
    assert donor not in held  # sold whole: it left the target
    for symbol, w in moved.items():
        assert held[symbol]["weight"] == pytest.approx(w, abs=0.002), symbol
    trades = scalar(db, "SELECT count(*) FROM trades WHERE run_id = %s", run_id)
    assert trades == done["trades"]

    again = post_internal("/internal/rebalance?period=2099-01", internal_secret)
    assert again.status_code == 200 and again.json()["run_id"] == run_id
    assert scalar(db, "SELECT count(*) FROM trades WHERE run_id = %s", run_id) == trades
    audit()


def test_bad_period_is_400(priced_stack, internal_secret):
    for period in ("2099-13", "99-01", "2099-1", "x"):
        assert post_internal(f"/internal/rebalance?period={period}", internal_secret).status_code == 400


def test_stale_prices_abort_the_run(priced_stack, internal_secret, db):
    operational = priced_stack[0]
    assert operational.stop() == 0
    # Live data is judged against today: the bundled closes end 2026-05-01, far past STALENESS_MAX_DAYS.
    operational.start(MARKET_SOURCE="yahoo")
    try:
        answer = post_internal("/internal/rebalance?period=2098-01", internal_secret)
        assert answer.status_code == 202
        body = answer.json()
        assert body["status"] == "stale_aborted" and "days old" in body["error"]
        assert scalar(db, "SELECT count(*) FROM trades WHERE run_id = %s", body["run_id"]) == 0
        from conftest import INTERNAL
        import requests
        metrics = requests.get(f"{INTERNAL}/metrics", timeout=HTTP_TIMEOUT).text
        assert "parity_operational_rebalance_stale_aborts_total 1" in metrics
    finally:
        assert operational.stop() == 0
        operational.start()
