"""The investor's money: onboarding, wallet, invest, sell, portfolio at market value, with every
figure recomputed from the ledger and the prices, idempotency, concurrency and `parity audit` after
each scenario. Real daemons, real PostgreSQL, real RabbitMQ."""

import concurrent.futures
import json
import uuid

import pytest
import requests

import conftest
from conftest import HTTP_TIMEOUT, PUBLIC, WAIT_SECONDS, audit, post_internal, query, scalar, wait_for

RISK_OPTIONS = {  # option ids per risk score, for the three scored questions (SPEC §8)
    "age": ["75_plus", "60_74", "45_59", "30_44", "18_29"],
    "goal": ["preserve", "income", "balanced", "growth", "max_growth"],
    "drop_reaction": ["sell_all", "sell_some", "wait", "hold", "buy_more"],
}
HORIZONS = {"short": "under_3", "medium": "3_to_7", "long": "over_7"}


def answers(risk, horizon):
    a = {q: opts[risk - 1] for q, opts in RISK_OPTIONS.items()}
    a["horizon"] = HORIZONS[horizon]
    return a


class Investor:
    """A registered, verified, logged-in user and a requests session carrying their token."""

    def __init__(self):
        self.session, self.token = conftest.login_user()
        self.session.headers["Authorization"] = f"Bearer {self.token}"
        me = self.session.get(f"{PUBLIC}/api/v1/me", timeout=HTTP_TIMEOUT)
        assert me.status_code == 200, me.text
        self.id = int(me.json()["id"])

    def get(self, path, **kw):
        return self.session.get(f"{PUBLIC}/api/v1{path}", timeout=HTTP_TIMEOUT, **kw)

    def post(self, path, body=None, key=None, **kw):
        headers = {"Idempotency-Key": key} if key else {}
        return self.session.post(f"{PUBLIC}/api/v1{path}", json=body, headers=headers, timeout=HTTP_TIMEOUT, **kw)

    def onboard(self, risk=3, horizon="long"):
        answer = self.post("/onboarding", {"answers": answers(risk, horizon)})
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture()
def investor(priced_stack):
    return Investor()


def movements(db, user_id):
    return scalar(db, "SELECT count(*) FROM cash_movements WHERE user_id = %s", user_id)


def test_questionnaire_reaches_all_fifteen_buckets(investor):
    questions = requests.get(f"{PUBLIC}/api/v1/onboarding/questions", timeout=HTTP_TIMEOUT).json()["questions"]
    assert [q["id"] for q in questions] == ["age", "goal", "drop_reaction", "horizon"]
    seen = set()
    for risk in range(1, 6):
        for horizon in HORIZONS:
            profile = investor.onboard(risk, horizon)
            assert profile == {"risk_tolerance": risk, "horizon": horizon,
                               "bucket": f"risk_{risk}_horizon_{horizon}"}
            seen.add(profile["bucket"])
    assert len(seen) == 15
    # floor of the mean: scores 5, 4, 4 -> 4
    mixed = answers(5, "short")
    mixed["goal"], mixed["drop_reaction"] = "growth", "hold"
    assert investor.post("/onboarding", {"answers": mixed}).json()["risk_tolerance"] == 4


@pytest.mark.parametrize("bad,question", [
    ({"age": "18_29", "goal": "growth", "drop_reaction": "hold"}, "horizon"),
    ({"age": "18_29", "goal": "growth", "drop_reaction": "panic", "horizon": "over_7"}, "drop_reaction"),
    ({"age": "18_29", "goal": "growth", "drop_reaction": "hold", "horizon": "over_7", "pets": "cat"}, "pets"),
    ({"age": 3, "goal": "growth", "drop_reaction": "hold", "horizon": "over_7"}, "age"),
])
def test_onboarding_names_the_bad_question(investor, bad, question):
    answer = investor.post("/onboarding", {"answers": bad})
    assert answer.status_code == 400
    assert question in answer.json()["error"]["message"]


def test_investing_before_onboarding_is_409(investor):
    assert investor.post("/wallet/deposits", {"amount_cents": 1000}).status_code == 201
    answer = investor.post("/portfolio/invest", {"amount_cents": 500})
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "ONBOARDING_REQUIRED"


def test_deposit_and_withdraw_with_idempotency_keys(investor, db):
    key = str(uuid.uuid4())
    first = investor.post("/wallet/deposits", {"amount_cents": 250000}, key=key)
    assert first.status_code == 201 and first.json()["cash_cents"] == 250000
    again = investor.post("/wallet/deposits", {"amount_cents": 250000}, key=key)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert investor.get("/wallet").json() == {"cash_cents": 250000}
    reused = investor.post("/wallet/deposits", {"amount_cents": 999}, key=key)
    assert reused.status_code == 409 and reused.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"

    out = investor.post("/wallet/withdrawals", {"amount_cents": 50000})
    assert out.status_code == 201 and out.json()["cash_cents"] == 200000
    before = movements(db, investor.id)
    short = investor.post("/wallet/withdrawals", {"amount_cents": 200001})
    assert short.status_code == 409 and short.json()["error"]["code"] == "INSUFFICIENT_FUNDS"
    assert movements(db, investor.id) == before
    assert investor.get("/wallet").json() == {"cash_cents": 200000}
    audit()


@pytest.mark.parametrize("body", [
    {"amount_cents": 0}, {"amount_cents": -5}, {"amount_cents": 10 ** 13}, {"amount_cents": 1.5},
    {"amount_cents": "100"}, {"amount_cents": None}, {}, {"amount_cents": 100, "currency": "EUR"},
])
@pytest.mark.parametrize("path", ["/wallet/deposits", "/wallet/withdrawals", "/portfolio/invest"])
def test_bad_amounts_are_400_and_write_nothing(investor, db, path, body):
    before = movements(db, investor.id)
    answer = investor.post(path, body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] in ("INVALID_REQUEST",)
    assert movements(db, investor.id) == before


def test_malformed_bodies_are_400(investor):
    for data, ctype in [(b"{", "application/json"), (b"[]", "application/json"), (b"amount=5", "text/plain"),
                        (b'{"amount_cents": 5}\x00', "application/json")]:
        answer = investor.session.post(f"{PUBLIC}/api/v1/wallet/deposits", data=data,
                                       headers={"Content-Type": ctype}, timeout=HTTP_TIMEOUT)
        assert answer.status_code == 400, data


def wait_deployed(investor, timeout=WAIT_SECONDS):
    def deployed():
        p = investor.get("/portfolio").json()
        return p if p["pending_cents"] == 0 and p["positions"] else None

    return wait_for(deployed, timeout, what="the invested cash to be deployed")


def prices_now(db, symbols):
    rows = query(db, "SELECT DISTINCT ON (symbol) symbol, close FROM daily_prices WHERE symbol = ANY(%s) "
                     "ORDER BY symbol, day DESC", list(symbols))
    return {s: p for s, p in rows}


def value_cents(shares_micro, price):
    micros = round(price * 1e6)
    return (shares_micro * micros + 5_000_000_000) // 10_000_000_000


def test_invest_deploys_toward_the_model_and_every_figure_adds_up(investor, db):
    profile = investor.onboard(4, "long")
    investor.post("/wallet/deposits", {"amount_cents": 10_000_000})
    answer = investor.post("/portfolio/invest", {"amount_cents": 6_000_000})
    assert answer.status_code == 201 and answer.json()["status"] == "deploying"
    assert investor.get("/wallet").json()["cash_cents"] == 4_000_000
    p = wait_deployed(investor)

    model = query(db, "SELECT weights FROM model_portfolios WHERE bucket_key = %s ORDER BY as_of_day DESC LIMIT 1",
                  profile["bucket"])[0][0]
    held = {pos["symbol"]: pos for pos in p["positions"]}
    assert set(held) == set(model)
    prices = prices_now(db, held)
    positions_value = 0
    for symbol, pos in held.items():
        assert pos["price"] == pytest.approx(prices[symbol], abs=1e-9)
        assert pos["value_cents"] == value_cents(pos["shares_micro"], prices[symbol])
        trades = query(db, "SELECT coalesce(sum(amount_cents), 0), coalesce(sum(shares_micro), 0) FROM trades "
                           "WHERE user_id = %s AND symbol = %s AND side = 'buy'", investor.id, symbol)[0]
        assert pos["cost_basis_cents"] == trades[0] and pos["shares_micro"] == trades[1]
        positions_value += pos["value_cents"]
        # deployed toward the model: each weight within a cent-rounding of its target share of the money
        assert abs(pos["cost_basis_cents"] - model[symbol] * 6_000_000) < 100 + 1
    assert p["positions_value_cents"] == positions_value
    assert p["value_cents"] == positions_value + p["cash_cents"]
    assert p["net_contributions_cents"] == 6_000_000
    assert p["pnl_cents"] == p["value_cents"] - 6_000_000
    assert 0 <= p["cash_cents"] < 100 * len(held)  # only the residue of whole micro-shares stays as cash
    spent = scalar(db, "SELECT sum(amount_cents) FROM trades WHERE user_id = %s", investor.id)
    assert p["cash_cents"] == 6_000_000 - spent
    weights = {pos["symbol"]: pos["weight"] for pos in p["positions"]}
    for symbol, w in weights.items():
        assert w == pytest.approx(held[symbol]["value_cents"] / p["value_cents"], abs=1e-9)
        assert held[symbol]["target_weight"] == pytest.approx(model[symbol], abs=1e-12)
    drift = (sum(abs(weights.get(s, 0) - model.get(s, 0)) for s in set(weights) | set(model))
             + p["cash_cents"] / p["value_cents"]) / 2
    assert p["drift"] == pytest.approx(drift, abs=1e-9)
    audit()


def test_selling_everything_returns_exactly_the_market_value(investor, db):
    investor.onboard(2, "medium")
    investor.post("/wallet/deposits", {"amount_cents": 3_000_000})
    investor.post("/portfolio/invest", {"amount_cents": 3_000_000})
    p = wait_deployed(investor)
    partial = investor.post("/portfolio/sell", {"amount_cents": 1_000_000})
    assert partial.status_code == 201
    assert abs(partial.json()["amount_cents"] - 1_000_000) <= len(p["positions"])  # < 1 cent per trade
    p = investor.get("/portfolio").json()
    too_much = investor.post("/portfolio/sell", {"amount_cents": p["value_cents"] + 1})
    assert too_much.status_code == 400 and too_much.json()["error"]["code"] == "AMOUNT_EXCEEDS_VALUE"
    wallet_before = investor.get("/wallet").json()["cash_cents"]
    everything = investor.post("/portfolio/sell", {"all": True})
    assert everything.status_code == 201
    assert everything.json()["amount_cents"] == p["value_cents"]
    assert investor.get("/wallet").json()["cash_cents"] == wallet_before + p["value_cents"]
    after = investor.get("/portfolio").json()
    assert after["positions"] == [] and after["value_cents"] == 0 and after["cash_cents"] == 0
    assert scalar(db, "SELECT count(*) FROM positions WHERE user_id = %s AND shares_micro > 0", investor.id) == 0
    audit()


def test_cash_waits_for_a_model_and_is_deployed_when_it_appears(investor, db, internal_secret):
    investor.onboard(1, "short")
    investor.post("/wallet/deposits", {"amount_cents": 500_000})
    saved = query(db, "DELETE FROM model_portfolios WHERE bucket_key = 'risk_1_horizon_short' RETURNING bucket_key")
    assert saved
    answer = investor.post("/portfolio/invest", {"amount_cents": 500_000})
    assert answer.status_code == 201 and answer.json()["status"] == "waiting_for_model"
    p = investor.get("/portfolio").json()
    assert p["pending_cents"] == 500_000 and p["positions"] == []
    post_internal("/internal/models/generate", internal_secret)
    wait_deployed(investor)
    audit()


def test_an_invest_is_a_batch_of_one_and_repeating_it_changes_nothing(investor, db, broker):
    investor.onboard(5, "long")
    investor.post("/wallet/deposits", {"amount_cents": 1_000_000})
    investor.post("/portfolio/invest", {"amount_cents": 1_000_000})
    wait_deployed(investor)
    # The deploy went through the monthly run's pipeline: one batch of kind deploy, no sells, this investor only.
    batch_id, kind, no_sells, portfolios, status, batch_trades = query(
        db, "SELECT id, kind, no_sells, portfolios, status, trades FROM rebalance_batches WHERE user_id = %s",
        investor.id)[0]
    assert (kind, no_sells, portfolios, status) == ("deploy", True, 1, "applied")
    trades = scalar(db, "SELECT count(*) FROM trades WHERE user_id = %s", investor.id)
    assert trades == batch_trades == scalar(db, "SELECT count(*) FROM trades WHERE batch_id = %s AND reason = 'invest' "
                                                "AND side = 'buy'", batch_id)
    outbox_id, payload = query(db, "SELECT id::text, payload::text FROM outbox WHERE type = 'CMD_REBALANCE_BATCH' "
                                   "AND (payload->>'batch_id')::bigint = %s", batch_id)[0]
    command = json.loads(payload)
    assert [p["ref"] for p in command["portfolios"]] == [investor.id] and set(command["models"]) == {"risk_5_horizon_long"}
    lots = query(db, "SELECT id, symbol, shares_micro, basis_cents FROM lots WHERE user_id = %s ORDER BY id", investor.id)
    assert len(lots) == trades  # one tax lot per buy
    # The command again, with its original message id (a broker redelivery) and a new one, then the event again.
    for msg_id in (outbox_id, str(uuid.uuid4())):
        broker.publish("CMD_REBALANCE_BATCH", conftest.envelope("CMD_REBALANCE_BATCH", command, msg_id), msg_id)
    event_id = str(uuid.uuid4())
    broker.publish("EVT_REBALANCE_BATCH_COMPUTED",
                   conftest.envelope("EVT_REBALANCE_BATCH_COMPUTED", {"batch_id": batch_id}, event_id), event_id,
                   exchange="parity.events")
    wait_for(lambda: broker.depth("decisional.rebalance") == 0 and broker.depth("operational.events") == 0,
             what="queues drained")
    assert scalar(db, "SELECT count(*) FROM trades WHERE user_id = %s", investor.id) == trades
    assert query(db, "SELECT id, symbol, shares_micro, basis_cents FROM lots WHERE user_id = %s ORDER BY id",
                 investor.id) == lots
    assert scalar(db, "SELECT status FROM rebalance_batches WHERE id = %s", batch_id) == "applied"
    audit()


def test_fifty_concurrent_money_requests_keep_every_balance_right(investor, db):
    investor.onboard(3, "medium")
    investor.post("/wallet/deposits", {"amount_cents": 1_000_000})
    investor.post("/portfolio/invest", {"amount_cents": 400_000})
    wait_deployed(investor)

    def one(i):
        kind = i % 3
        if kind == 0:
            return investor.post("/portfolio/invest", {"amount_cents": 20_000}).status_code
        if kind == 1:
            return investor.post("/portfolio/sell", {"amount_cents": 15_000}).status_code
        return investor.post("/wallet/withdrawals", {"amount_cents": 30_000}).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
        codes = list(pool.map(one, range(50)))
    assert all(c in (201, 400, 409) for c in codes), codes
    assert codes.count(201) > 0
    wallet = investor.get("/wallet").json()["cash_cents"]
    assert wallet >= 0
    assert scalar(db, "SELECT cash_cents FROM portfolios WHERE user_id = %s", investor.id) >= 0
    # every answered 201 is one movement: nothing lost, nothing doubled
    assert movements(db, investor.id) == 2 + codes.count(201)
    audit()


def test_transactions_page_newest_first_without_overlap(investor):
    investor.onboard(3, "long")
    for i in range(7):
        investor.post("/wallet/deposits", {"amount_cents": 100 + i})
    first = investor.get("/transactions?page=1&limit=4").json()
    second = investor.get("/transactions?page=2&limit=4").json()
    ids = [(t["type"], t["id"]) for t in first["transactions"] + second["transactions"]]
    assert len(ids) == len(set(ids)) == 7
    amounts = [t["amount_cents"] for t in first["transactions"] + second["transactions"]]
    assert amounts == sorted(amounts, reverse=True)  # deposited in increasing order, listed newest first
    assert first["paging"]["total"] == 7
    assert investor.get("/transactions?limit=0").status_code == 400
    assert investor.get("/transactions?page=x").status_code == 400


def test_money_routes_need_a_token(priced_stack):
    for method, path in [("GET", "/wallet"), ("POST", "/wallet/deposits"), ("GET", "/portfolio"),
                         ("POST", "/portfolio/invest"), ("GET", "/transactions")]:
        answer = requests.request(method, f"{PUBLIC}/api/v1{path}", json={"amount_cents": 5}, timeout=HTTP_TIMEOUT)
        assert answer.status_code == 401, path


def test_transactions_name_the_operation_of_every_row(investor, db, internal_secret):
    """Every row names the operation it belongs to, so the SPA can show one line per operation: the buys
    of an invest carry the invest's movement, a sale's trades the sale's, and cash invested while the
    bucket had no model is deployed later by a batch of its own."""
    investor.onboard(2, "short")
    deposit = investor.post("/wallet/deposits", {"amount_cents": 1_000_000}).json()
    invest = investor.post("/portfolio/invest", {"amount_cents": 600_000}).json()
    assert invest["status"] == "deploying"
    wait_deployed(investor)
    sale = investor.post("/portfolio/sell", {"amount_cents": 100_000}).json()
    out = investor.post("/wallet/withdrawals", {"amount_cents": 50_000}).json()
    # cash invested while the model is missing: the sweeper deploys it once the model is back
    assert query(db, "DELETE FROM model_portfolios WHERE bucket_key = 'risk_2_horizon_short' RETURNING 1")
    late = investor.post("/portfolio/invest", {"amount_cents": 200_000}).json()
    assert late["status"] == "waiting_for_model"
    post_internal("/internal/models/generate", internal_secret)
    wait_deployed(investor)

    rows = investor.get("/transactions?limit=100").json()["transactions"]
    cash = {(t["kind"], t["id"]): t for t in rows if t["type"] == "cash"}
    for kind, answer in [("deposit", deposit), ("invest", invest), ("sell", sale), ("withdrawal", out),
                         ("invest", late)]:
        row = cash[(kind, answer["id"])]
        assert row["operation"] == f"movement:{answer['id']}" and "reason" not in row
    trades = [t for t in rows if t["type"] == "trade"]
    by_op = {}
    for t in trades:
        by_op.setdefault(t["operation"], []).append(t)
    first_buys = by_op.pop(f"movement:{invest['id']}")
    sells = by_op.pop(f"movement:{sale['id']}")
    assert {t["kind"] for t in first_buys} == {"buy"} and {t["reason"] for t in first_buys} == {"invest"}
    assert sum(t["amount_cents"] for t in first_buys) <= 600_000
    assert {t["kind"] for t in sells} == {"sell"} and {t["reason"] for t in sells} == {"sell"}
    assert len(sells) == sale["trades"] and sum(t["amount_cents"] for t in sells) == sale["proceeds_cents"]
    # what is left is the late deploy: a batch of its own (the sweeper's, not the invest's), named by its id,
    # that no movement claims
    batch_id = scalar(db, "SELECT max(id) FROM rebalance_batches WHERE user_id = %s AND kind = 'deploy'",
                      investor.id)
    assert list(by_op) == [f"batch:{batch_id}"]
    assert {t["reason"] for t in by_op[f"batch:{batch_id}"]} == {"invest"}
    assert len(trades) == scalar(db, "SELECT count(*) FROM trades WHERE user_id = %s", investor.id)
    audit()
