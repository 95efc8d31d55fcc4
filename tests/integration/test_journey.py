"""The whole investor journey against the real daemons and the bundled prices, every figure recomputed:
register -> verify -> log in -> onboard -> deposit -> invest -> models -> portfolio -> forecast -> sell ->
withdraw. Latencies are printed (pytest -s shows them), never asserted."""

import math
import time

import requests

import conftest
from conftest import HTTP_TIMEOUT, PUBLIC, long_poll, query, scalar, wait_for
from test_money import answers, audit, value_cents


def api(session, method, path, **kw):
    return session.request(method, f"{PUBLIC}/api/v1{path}", timeout=HTTP_TIMEOUT, **kw)


def test_the_whole_journey(priced_stack, db):
    # register and verify through the emailed link, then log in
    email = conftest.new_email("journey")
    session = requests.Session()
    assert api(session, "POST", "/auth/register",
               json={"email": email, "password": conftest.DEFAULT_PASSWORD}).status_code == 202
    token = conftest.link_token(conftest.wait_mail(email, "Confirm"), "/verify-email")
    assert api(session, "POST", "/auth/verify-email", json={"token": token}).status_code == 200
    login = api(session, "POST", "/auth/login", json={"email": email, "password": conftest.DEFAULT_PASSWORD})
    assert login.status_code == 200 and login.json()["token_type"] == "Bearer"
    session.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
    me = api(session, "GET", "/me").json()
    user_id = int(me["id"])
    assert me["email"] == email and me["email_verified"] is True

    # onboard: risk 4 (scores 4, 4, 4), long horizon
    profile = api(session, "POST", "/onboarding", json={"answers": answers(4, "long")}).json()
    assert profile == {"risk_tolerance": 4, "horizon": "long", "bucket": "risk_4_horizon_long"}

    # deposit, then invest most of it
    assert api(session, "POST", "/wallet/deposits", json={"amount_cents": 5_000_000},
               headers={"Idempotency-Key": "journey-deposit"}).json()["cash_cents"] == 5_000_000
    started = time.monotonic()
    invest = api(session, "POST", "/portfolio/invest", json={"amount_cents": 4_000_000})
    assert invest.status_code == 201 and invest.json()["status"] == "deploying"
    portfolio = wait_for(lambda: (lambda p: p if p["pending_cents"] == 0 and p["positions"] else None)(
        api(session, "GET", "/portfolio").json()), interval=0.02, what="deployment")
    deployed_ms = (time.monotonic() - started) * 1000
    print(f"\ninvest -> deployed: {deployed_ms:.0f} ms")

    # the model it was deployed toward, as the public API shows it
    model = api(requests.Session(), "GET", "/models/risk_4_horizon_long").json()
    assert model["bucket"] == "risk_4_horizon_long" and math.isclose(sum(model["weights"].values()), 1, abs_tol=1e-9)
    held = {p["symbol"]: p for p in portfolio["positions"]}
    assert set(held) == set(model["weights"])

    # every figure of the portfolio, recomputed from trades and prices
    closes = dict(query(db, "SELECT DISTINCT ON (symbol) symbol, close FROM daily_prices WHERE symbol = ANY(%s) "
                            "ORDER BY symbol, day DESC", list(held)))
    total = 0
    for symbol, p in held.items():
        bought = query(db, "SELECT sum(shares_micro), sum(amount_cents) FROM trades WHERE user_id = %s AND symbol = %s",
                       user_id, symbol)[0]
        assert (p["shares_micro"], p["cost_basis_cents"]) == (bought[0], bought[1])
        assert p["value_cents"] == value_cents(p["shares_micro"], closes[symbol])
        total += p["value_cents"]
    spent = scalar(db, "SELECT sum(amount_cents) FROM trades WHERE user_id = %s", user_id)
    assert portfolio["cash_cents"] == 4_000_000 - spent
    assert portfolio["value_cents"] == total + portfolio["cash_cents"]
    assert portfolio["net_contributions_cents"] == 4_000_000
    assert portfolio["pnl_cents"] == portfolio["value_cents"] - 4_000_000
    assert api(session, "GET", "/wallet").json() == {"cash_cents": 1_000_000}
    trades = api(session, "GET", "/portfolio/trades").json()["trades"]
    assert len(trades) == len(held) and all(t["side"] == "buy" and t["reason"] == "invest" for t in trades)

    # a forecast on the actual weights, answered by the long-poll
    started = time.monotonic()
    asked = api(session, "POST", "/forecasts", json={"monthly_cents": 50_000, "months": 120,
                                                     "goal_cents": 15_000_000})
    assert asked.status_code == 202
    forecast = long_poll(session.get, f"{PUBLIC}/api/v1/forecasts/{asked.json()['id']}").json()
    print(f"forecast POST -> result: {(time.monotonic() - started) * 1000:.0f} ms")
    assert forecast["status"] == "complete"
    result = forecast["result"]
    assert len(result["p50"]) == 121 and result["p50"][0] == portfolio["value_cents"]
    for month in range(121):
        bands = [result[k][month] for k in ("p5", "p10", "p25", "p50", "p75", "p90", "p95")]
        assert bands == sorted(bands)
    assert 0 <= result["goal_probability"] <= 1

    # sell everything: exactly the market value comes back to the wallet
    portfolio = api(session, "GET", "/portfolio").json()
    sold = api(session, "POST", "/portfolio/sell", json={"all": True}).json()
    assert sold["amount_cents"] == portfolio["value_cents"]
    wallet = api(session, "GET", "/wallet").json()["cash_cents"]
    assert wallet == 1_000_000 + portfolio["value_cents"]

    # withdraw all of it: nothing is left anywhere, and the ledger agrees
    assert api(session, "POST", "/wallet/withdrawals", json={"amount_cents": wallet}).json()["cash_cents"] == 0
    after = api(session, "GET", "/portfolio").json()
    assert (after["value_cents"], after["cash_cents"], after["positions"]) == (0, 0, [])
    history = api(session, "GET", "/transactions?limit=100").json()["transactions"]
    kinds = [t["kind"] for t in history if t["type"] == "cash"]
    assert kinds == ["withdrawal", "sell", "invest", "deposit"]
    audit()
