"""The daily tax-loss harvest through the API (POST /internal/harvest): a lot at a loss of at least
max($100, 5 % of its basis) is sold and the proceeds buy its family's alternate in one transaction, the
allocation's weights do not move beyond rounding, an investor is harvested at most once a day, an investor
with harvesting off and a loss under the threshold are left alone, and a purchase of the fund within 30 days
(a wash sale) blocks the harvest. Losses come from market data only: a lower close inserted for a later day
(removed afterwards); positions, trades and lots are only ever written by the daemons. `parity audit` after
every scenario. Expected figures are recomputed here with the ledger's rules (operational/money.h)."""

import datetime
import json
import os

import pytest
import requests

import conftest
from conftest import INTERNAL, audit, post_internal, query, scalar, wait_for
from test_money import answers, wait_deployed
from test_tax import TaxInvestor, conftest_value as value_cents

LATEST_PRICE = ("SELECT price FROM ((SELECT close AS price, ((day + time '16:00') AT TIME ZONE 'America/New_York') "
                "AS at FROM daily_prices WHERE symbol = %s ORDER BY day DESC LIMIT 1) UNION ALL (SELECT price, ts "
                "FROM intraday_prices WHERE symbol = %s ORDER BY ts DESC LIMIT 1)) x ORDER BY at DESC LIMIT 1")


def today():
    return datetime.datetime.now(datetime.timezone.utc).date()


def latest(db, symbol):
    """The price a trade of `symbol` gets now (Q_LATEST_PRICES' rule: the newest close or intraday bar)."""
    return scalar(db, LATEST_PRICE, symbol, symbol)


def micros(price):
    return round(price * 1e6)


def shares_for(cents, price):
    """parity_shares_for_cents: the most micro-shares `cents` pays for."""
    return cents * 10_000_000_000 // micros(price)


@pytest.fixture()
def closes(db):
    """drop(symbol, factor): a close of `factor` times the symbol's price now, on a day after every price of
    it (and after today, so no intraday bar of today is newer); the rows are deleted afterwards."""
    added = []

    def drop(symbol, factor):
        price = round(latest(db, symbol) * factor, 4)
        newest = scalar(db, "SELECT max(day) FROM daily_prices WHERE symbol = %s", symbol)
        day = max(newest, today()) + datetime.timedelta(days=1)
        query(db, "INSERT INTO daily_prices (symbol, day, open, high, low, close, adj_close, volume) "
                  "VALUES (%s, %s, %s, %s, %s, %s, %s, 0)", symbol, day, price, price, price, price, price)
        added.append((symbol, day))
        return price

    yield drop
    for symbol, day in added:
        query(db, "DELETE FROM daily_prices WHERE symbol = %s AND day = %s", symbol, day)


@pytest.fixture()
def families(db):
    """add(members): a family of interchangeable funds (operators edit tax_families), removed afterwards."""
    added = []

    def add(name, members):
        for rank, symbol in enumerate(members, start=1):
            query(db, "INSERT INTO tax_families (symbol, family, rank) VALUES (%s, %s, %s)", symbol, name, rank)
            added.append(symbol)

    yield add
    for symbol in added:
        query(db, "DELETE FROM tax_families WHERE symbol = %s", symbol)


@pytest.fixture(scope="module")
def plan(priced_stack):
    """The bucket whose model holds the most of a fund with a family alternate: (risk, horizon, that fund,
    its alternate, the model's weights)."""
    db = conftest.connect(os.environ["DATABASE_URL"])
    rows = query(db, "SELECT DISTINCT ON (bucket_key) bucket_key, weights::text FROM model_portfolios "
                     "ORDER BY bucket_key, as_of_day DESC")
    fam = query(db, "SELECT symbol, family FROM tax_families ORDER BY family, rank")
    db.close()
    best = None
    for bucket, weights in rows:
        weights = json.loads(weights)
        for symbol, family in fam:
            members = [s for s, f in fam if f == family and s != symbol]
            w = weights.get(symbol, 0)
            if members and (best is None or w > best[0]):
                best = (w, bucket, symbol, members[0], weights)
    assert best and best[0] >= 0.05, "no model holds 5 % of a fund with a family alternate"
    _, bucket, symbol, alternate, weights = best
    _, risk, _, horizon = bucket.split("_")
    return int(risk), horizon, symbol, alternate, weights


def investor_in(plan, cents=5_000_000, harvesting=True):
    risk, horizon = plan[0], plan[1]
    investor = TaxInvestor()
    assert investor.post("/onboarding", {"answers": answers(risk, horizon)}).status_code == 200
    if harvesting:
        assert investor.patch_settings({"tax_loss_harvesting": True}).json()["tax_loss_harvesting"] is True
    investor.post("/wallet/deposits", {"amount_cents": cents})
    assert investor.post("/portfolio/invest", {"amount_cents": cents}).status_code == 201
    wait_deployed(investor)
    return investor


def harvest(secret, trigger=None):
    headers = {"X-Internal-Secret": secret}
    if trigger:
        headers["X-Job-Trigger"] = trigger
    answer = requests.post(f"{INTERNAL}/internal/harvest", headers=headers, timeout=conftest.WAIT_SECONDS)
    assert answer.status_code == 200, answer.text
    return answer.json()


def positions(db, user_id):
    return {s: (sh, c) for s, sh, c in query(db, "SELECT symbol, shares_micro, cost_basis_cents FROM positions "
                                                 "WHERE user_id = %s", user_id)}


def harvest_trades(db, user_id):
    return query(db, "SELECT id, symbol, side, shares_micro, price_micros, amount_cents FROM trades "
                     "WHERE user_id = %s AND reason = 'harvest' ORDER BY id", user_id)


def ledger(db, user_id):
    """Everything a harvest could change: positions, lots, trades, realized gains and portfolio cash."""
    return (positions(db, user_id),
            query(db, "SELECT id, symbol, shares_micro, basis_cents FROM lots WHERE user_id = %s ORDER BY id", user_id),
            scalar(db, "SELECT count(*) FROM trades WHERE user_id = %s", user_id),
            scalar(db, "SELECT count(*) FROM realized_gains WHERE user_id = %s", user_id),
            scalar(db, "SELECT cash_cents FROM portfolios WHERE user_id = %s", user_id))


def weights(db, user_id, merge):
    """Each fund's share of the portfolio's value at today's prices, the funds of `merge` counted as one."""
    held = positions(db, user_id)
    values = {}
    for symbol, (shares, _) in held.items():
        key = "family" if symbol in merge else symbol
        values[key] = values.get(key, 0) + value_cents(shares, latest(db, symbol))
    total = sum(values.values()) + scalar(db, "SELECT cash_cents FROM portfolios WHERE user_id = %s", user_id)
    return {k: v / total for k, v in values.items()}, total


def harvested_metric():
    text = requests.get(f"{INTERNAL}/metrics", timeout=conftest.HTTP_TIMEOUT).text
    line = [x for x in text.splitlines() if x.startswith("parity_operational_tax_harvested_cents_total")]
    return float(line[0].split()[-1]) if line else 0.0


def test_a_loss_lot_is_sold_into_the_family_alternate_once_a_day(db, internal_secret, closes, families, plan):
    _, _, symbol, alternate, model = plan
    on = investor_in(plan)
    off = investor_in(plan, harvesting=False)
    late = investor_in(plan, harvesting=False)  # turns harvesting on after the first run
    lots = [lot for lot in on.get("/tax/lots").json()["lots"] if lot["symbol"] == symbol]
    assert len(lots) == 1
    lot = lots[0]
    before = positions(db, on.id)
    cash_before = scalar(db, "SELECT cash_cents FROM portfolios WHERE user_id = %s", on.id)
    off_before = ledger(db, off.id)
    metric_before = harvested_metric()

    price = closes(symbol, 0.8)
    alt_price = latest(db, alternate)
    w_before, total_before = weights(db, on.id, {symbol, alternate})
    body = harvest(internal_secret, trigger="cronjob")
    assert body["day"] == today().isoformat() and body["harvested_investors"] >= 1 and body["harvests"] >= 1

    # The sale: the whole lot at the new close; the buy: the alternate with the proceeds.
    proceeds = value_cents(lot["shares_micro"], price)
    bought = shares_for(proceeds, alt_price)
    cost = value_cents(bought, alt_price)
    loss = lot["basis_cents"] - proceeds
    assert loss >= max(10_000, lot["basis_cents"] * 5 // 100) and 0 <= proceeds - cost <= 1
    (sell_id, *sell), (buy_id, *buy) = harvest_trades(db, on.id)
    assert sell == [symbol, "sell", lot["shares_micro"], micros(price), proceeds]
    assert buy == [alternate, "buy", bought, micros(alt_price), cost]
    gains = query(db, "SELECT symbol, trade_id, shares_micro, proceeds_cents, basis_cents, wash_cents, sold "
                      "FROM realized_gains WHERE user_id = %s", on.id)
    assert gains == [(symbol, sell_id, lot["shares_micro"], proceeds, lot["basis_cents"], 0, today())]
    listed = on.get("/tax/harvests").json()
    assert listed["loss_cents"] == loss
    assert [{k: v for k, v in h.items() if k != "id"} for h in listed["harvests"]] == [{
        "day": today().isoformat(), "symbol": symbol, "replacement": alternate,
        "shares_micro": lot["shares_micro"], "replacement_shares_micro": bought, "proceeds_cents": proceeds,
        "cost_cents": cost, "loss_cents": loss, "sell_trade_id": sell_id, "buy_trade_id": buy_id}]
    assert on.get(f"/tax/realized?year={today().year}").json()["harvested_losses_cents"] == loss
    # The investor is told, once for the day.
    notes = query(db, "SELECT title, body FROM notifications WHERE user_id = %s AND kind = 'harvest_done'", on.id)
    assert len(notes) == 1 and notes[0][0] == "Losses harvested", notes
    assert f"at a loss of ${loss // 100:,}.{loss % 100:02d}" in notes[0][1], notes
    # GET /transactions: both trades are one operation, the day's harvest.
    rows = [t for t in on.get("/transactions?limit=100").json()["transactions"] if t.get("reason") == "harvest"]
    assert sorted((t["id"], t["operation"]) for t in rows) == \
        [(sell_id, f"harvest:{today().isoformat()}"), (buy_id, f"harvest:{today().isoformat()}")]

    # Positions follow the lots (audit), the rest of the proceeds is cash, the weights stay put.
    after = positions(db, on.id)
    old_alt = before.get(alternate, (0, 0))
    assert after[symbol] == (0, 0)
    assert after[alternate] == (old_alt[0] + bought, old_alt[1] + cost)
    assert {s: v for s, v in after.items() if s not in (symbol, alternate)} == \
        {s: v for s, v in before.items() if s not in (symbol, alternate)}
    assert scalar(db, "SELECT cash_cents FROM portfolios WHERE user_id = %s", on.id) == cash_before + proceeds - cost
    w_after, total_after = weights(db, on.id, {symbol, alternate})
    assert abs(total_after - total_before) <= 1
    assert w_after.keys() == w_before.keys()
    for k in w_before:
        assert abs(w_after[k] - w_before[k]) < 1e-6, k
    assert ledger(db, off.id) == off_before  # harvesting off: untouched
    assert harvested_metric() >= metric_before + loss
    job = requests.get(f"{INTERNAL}/internal/jobs/{body['job_id']}", headers={"X-Internal-Secret": internal_secret},
                       timeout=conftest.HTTP_TIMEOUT).json()
    assert (job["type"], job["status"], job["trigger"]) == ("tax_harvest", "succeeded", "cronjob")
    assert job["counters"]["loss_cents"] == body["loss_cents"] >= loss
    assert job["progress"] == {"done": body["investors"], "total": body["investors"], "unit": "investors"}
    audit()

    # Later the same day: another held fund of `on` (with a family of its own now) falls 20 %. `on` was
    # harvested today and is passed over; `late`, who turns harvesting on now, is harvested in the same run,
    # so the rule would have sold it for `on` too.
    held = [s for s in model if s in after and after[s][0] > 0 and
            scalar(db, "SELECT count(*) FROM tax_families WHERE symbol = %s", s) == 0]
    assert held, "the model holds no other fund"
    other = max(held, key=lambda s: model[s])
    universe = [s for s, in query(db, "SELECT DISTINCT symbol FROM daily_prices ORDER BY symbol")]
    spare = [s for s in universe if s not in after and s != "SPY" and
             scalar(db, "SELECT count(*) FROM tax_families WHERE symbol = %s", s) == 0][0]
    families("test_harvest", [other, spare])
    on_before = ledger(db, on.id)
    assert late.patch_settings({"tax_loss_harvesting": True}).status_code == 200
    closes(other, 0.8)
    again = harvest(internal_secret)
    assert ledger(db, on.id) == on_before
    assert len(on.get("/tax/harvests").json()["harvests"]) == 1
    late_sold = {h["symbol"]: h["replacement"] for h in late.get("/tax/harvests").json()["harvests"]}
    assert late_sold == {symbol: alternate, other: spare}
    assert again["harvested_investors"] >= 1
    assert ledger(db, off.id) == off_before
    # A third run changes nothing for anyone already harvested today.
    late_before = ledger(db, late.id)
    harvest(internal_secret)
    assert (ledger(db, on.id), ledger(db, late.id)) == (on_before, late_before)
    audit()


def test_a_loss_under_the_threshold_is_kept(db, internal_secret, closes, plan):
    _, _, symbol, _, _ = plan
    investor = investor_in(plan)
    lot = [lot for lot in investor.get("/tax/lots").json()["lots"] if lot["symbol"] == symbol][0]
    # A 3 % fall: more than $100 on this lot but under 5 % of its basis.
    assert lot["basis_cents"] * 3 // 100 > 10_000
    closes(symbol, 0.97)
    unchanged = ledger(db, investor.id)
    harvest(internal_secret)
    assert ledger(db, investor.id) == unchanged
    assert investor.get("/tax/harvests").json() == {"harvests": [], "loss_cents": 0}
    # Down 20 % from the purchase: harvested (so it was the threshold that kept it).
    closes(symbol, 0.8 / 0.97)
    harvest(internal_secret)
    sold = investor.get("/tax/harvests").json()["harvests"]
    assert [h["symbol"] for h in sold] == [symbol]
    audit()


def test_a_purchase_within_30_days_blocks_the_harvest(db, internal_secret, closes, plan):
    _, _, symbol, _, _ = plan
    investor = investor_in(plan)
    closes(symbol, 0.8)
    # The fall leaves the fund underweight: the next deploy buys more of it today, at the new price (no loss).
    investor.post("/wallet/deposits", {"amount_cents": 2_000_000})
    assert investor.post("/portfolio/invest", {"amount_cents": 2_000_000}).status_code == 201
    wait_deployed(investor)
    lots = [lot for lot in investor.get("/tax/lots").json()["lots"] if lot["symbol"] == symbol]
    assert len(lots) == 2 and lots[0]["unrealized_cents"] < -10_000 and lots[1]["unrealized_cents"] >= 0
    unchanged = ledger(db, investor.id)
    body = harvest(internal_secret)
    # Selling the first lot while the second (bought today) stays would be a wash sale: nothing is sold.
    assert ledger(db, investor.id) == unchanged
    assert investor.get("/tax/harvests").json()["harvests"] == []
    assert body["wash_blocked"] >= 1
    audit()


def test_the_daily_pipeline_harvests_once_its_closes_are_in(db, internal_secret, closes, plan):
    # Last in this file: the pipeline generates models again (from the same closes but this test's one).
    _, _, symbol, alternate, _ = plan
    investor = investor_in(plan)
    closes(symbol, 0.8)
    last = scalar(db, "SELECT coalesce(max(id), 0) FROM jobs WHERE type = 'tax_harvest'")
    assert post_internal("/internal/pipeline/daily", internal_secret).status_code == 202
    done = wait_for(lambda: investor.get("/tax/harvests").json()["harvests"], what="the pipeline's harvest")
    assert [(h["symbol"], h["replacement"]) for h in done] == [(symbol, alternate)]
    jobs = query(db, "SELECT trigger, status FROM jobs WHERE type = 'tax_harvest' AND id > %s", last)
    assert ("event", "succeeded") in jobs
    audit()


def test_harvest_route_needs_the_internal_secret():
    assert requests.post(f"{INTERNAL}/internal/harvest", timeout=conftest.HTTP_TIMEOUT).status_code == 401
    assert requests.post(f"{INTERNAL}/internal/harvest", headers={"X-Internal-Secret": "nope"},
                         timeout=conftest.HTTP_TIMEOUT).status_code == 401
    assert requests.post(f"{conftest.PUBLIC}/internal/harvest", timeout=conftest.HTTP_TIMEOUT).status_code == 404
