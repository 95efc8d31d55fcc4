"""Forecasts: POST /forecasts -> outbox -> CMD_FORECAST -> decisional's GBM Monte Carlo ->
forecasts.result and NOTIFY -> the long-poll of GET /forecasts/{id}?wait=N. Every figure is checked against
an independent computation: mu and sigma from daily_prices with numpy (SPEC §8), the GBM closed-form median,
the investor's own weights and value from GET /portfolio."""

import concurrent.futures
import json
import math
import threading
import time
import uuid

import numpy as np
import pytest
import requests

import conftest
from conftest import DECISIONAL, HTTP_TIMEOUT, LONG_POLL_SECONDS, PUBLIC, envelope, long_poll, query, scalar, wait_for

LOOKBACK = 1260            # MODEL_LOOKBACK_DAYS default
PATHS = 10000              # FORECAST_PATHS default
REPLICA_OFFSET = 90       # a second parity-operational on HTTP_PORT + 90 (conftest.extra_operational)
BANDS = ["p5", "p10", "p25", "p50", "p75", "p90", "p95"]
RISK_OPTIONS = {"age": ["75_plus", "60_74", "45_59", "30_44", "18_29"],
                "goal": ["preserve", "income", "balanced", "growth", "max_growth"],
                "drop_reaction": ["sell_all", "sell_some", "wait", "hold", "buy_more"]}
HORIZONS = {"short": "under_3", "medium": "3_to_7", "long": "over_7"}


class Investor:
    """A registered, verified, logged-in user with a session carrying the access token."""

    def __init__(self):
        self.session, self.token = conftest.login_user()
        me = self.session.get(f"{PUBLIC}/api/v1/me", timeout=HTTP_TIMEOUT)
        assert me.status_code == 200, me.text
        self.id = int(me.json()["id"])

    def get(self, path, **kw):
        return self.session.get(f"{PUBLIC}/api/v1{path}", timeout=LONG_POLL_SECONDS + HTTP_TIMEOUT, **kw)

    def post(self, path, body=None, **kw):
        return self.session.post(f"{PUBLIC}/api/v1{path}", json=body, timeout=HTTP_TIMEOUT, **kw)

    def poll(self, fid, base=PUBLIC):
        return long_poll(self.session.get, f"{base}/api/v1/forecasts/{fid}")

    def onboard(self, risk=3, horizon="long"):
        a = {q: opts[risk - 1] for q, opts in RISK_OPTIONS.items()}
        a["horizon"] = HORIZONS[horizon]
        answer = self.post("/onboarding", {"answers": a})
        assert answer.status_code == 200, answer.text
        return answer.json()["bucket"]

    def invest(self, cents):
        assert self.post("/wallet/deposits", {"amount_cents": cents}).status_code == 201
        assert self.post("/portfolio/invest", {"amount_cents": cents}).status_code in (200, 201, 202)
        return wait_for(lambda: (lambda p: p if p["pending_cents"] == 0 and p["positions"] else None)(
            self.get("/portfolio").json()), what="invested cash deployed")

    def forecast(self, body):
        asked = self.post("/forecasts", body)
        assert asked.status_code == 202, asked.text
        fid = asked.json()["id"]
        assert asked.headers["Location"] == f"/api/v1/forecasts/{fid}"
        answer = self.poll(fid)
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture(scope="module")
def invested(priced_stack):
    """One investor with $25,000 deployed into the risk 3 / long model."""
    inv = Investor()
    inv.onboard(3, "long")
    inv.portfolio = inv.invest(2_500_000)
    return inv


def expected_mu_sigma(db, weights):
    """SPEC §8 recomputed with numpy: the last LOOKBACK + 1 days of the union calendar of the symbols, the
    days they all share, simple returns of adj_close between consecutive shared days, the portfolio's
    daily log return log(1 + Σ w r) (cash earns 0), sigma = √252 sd (ddof 1), mu = 252 mean + sigma²/2."""
    symbols = sorted(s for s in weights if s != "CASH")
    rows = query(db, "SELECT symbol, day, adj_close FROM daily_prices WHERE symbol = ANY(%s) ORDER BY day", symbols)
    by_symbol = {s: {} for s in symbols}
    for s, day, price in rows:
        by_symbol[s][day] = price
    union = sorted(set().union(*[set(v) for v in by_symbol.values()]))[-(LOOKBACK + 1):]
    common = [d for d in union if all(d in by_symbol[s] for s in symbols)]
    prices = np.array([[by_symbol[s][d] for s in symbols] for d in common])
    returns = prices[1:] / prices[:-1] - 1.0
    w = np.array([weights[s] for s in symbols])
    logs = np.log1p(returns @ w)
    sigma = math.sqrt(252) * logs.std(ddof=1)
    return 252 * logs.mean() + sigma ** 2 / 2, sigma, len(logs)


def test_forecast_of_an_invested_portfolio(invested, db):
    portfolio = invested.get("/portfolio").json()
    f = invested.forecast({"monthly_cents": 50_000, "months": 120, "goal_cents": 10_000_000})
    assert f["status"] == "complete", f
    r, rq = f["result"], f["request"]
    # The investor's actual weights (positions and cash) and current value are what was forecast.
    assert rq["weights_source"] == "portfolio"
    assert rq["initial_cents"] == portfolio["value_cents"]
    assert rq["weights"].keys() == portfolio["weights"].keys()
    for sym, w in portfolio["weights"].items():
        assert rq["weights"][sym] == pytest.approx(w, rel=1e-12)
    assert r["months"] == list(range(121))
    assert r["paths"] == PATHS and r["seed"] == rq["seed"]
    assert "type 7" in r["quantile_definition"]
    for m in range(121):
        column = [r[b][m] for b in BANDS]
        assert column == sorted(column), f"bands not monotone at month {m}: {column}"
    # Month 0 is the initial value on every path.
    assert all(r[b][0] == rq["initial_cents"] for b in BANDS)
    assert 0.0 <= r["goal_probability"] <= 1.0
    mu, sigma, used = expected_mu_sigma(db, rq["weights"])
    assert r["returns_used"] == used
    assert r["mu"] == pytest.approx(mu, rel=1e-9)
    assert r["sigma"] == pytest.approx(sigma, rel=1e-9)
    # The goal probability is the share of paths at or above the goal: consistent with the final bands.
    final = {b: r[b][-1] for b in BANDS}
    if final["p95"] < 10_000_000:
        assert r["goal_probability"] <= 0.05 + 1e-9
    if final["p5"] >= 10_000_000:
        assert r["goal_probability"] >= 0.95 - 1e-9
    # The result is stored once, and the listener recorded that this replica saw it.
    assert scalar(db, "SELECT status FROM forecasts WHERE id = %s", f["id"]) == "complete"
    wait_for(lambda: scalar(db, "SELECT notified_at IS NOT NULL FROM forecasts WHERE id = %s", f["id"]),
             what="notified_at")


def test_median_matches_the_gbm_closed_form_without_contributions(invested):
    initial = 100_000_000
    f = invested.forecast({"monthly_cents": 0, "months": 240, "initial_cents": initial})
    r = f["result"]
    assert f["status"] == "complete" and f["request"]["initial_cents"] == initial
    mu, sigma = r["mu"], r["sigma"]
    assert sigma > 0.01
    for m in range(0, 241, 12):
        t = m / 12
        closed = initial * math.exp((mu - sigma ** 2 / 2) * t)
        assert r["median_closed_form"][m] == pytest.approx(closed, abs=1.0)
        if m == 0:
            assert r["p50"][0] == initial
            continue
        # The sample median of N lognormal draws: sd of its log is about sqrt(pi/2) sigma sqrt(t) / sqrt(N).
        bound = 4 * math.sqrt(math.pi / 2) * sigma * math.sqrt(t) / math.sqrt(r["paths"])
        assert abs(math.log(r["p50"][m] / closed)) <= bound, (m, r["p50"][m], closed, bound)


def test_goal_probability_matches_the_lognormal_tail_without_contributions(invested):
    """P(V_T >= G) = Φ((ln(V0/G) + (mu - sigma²/2) T) / (sigma √T)) for GBM; the simulated share of paths is
    within 4 binomial standard errors of it."""
    initial, goal, months = 100_000_000, 130_000_000, 120
    r = invested.forecast({"monthly_cents": 0, "months": months, "initial_cents": initial, "goal_cents": goal})["result"]
    t = months / 12
    z = (math.log(initial / goal) + (r["mu"] - r["sigma"] ** 2 / 2) * t) / (r["sigma"] * math.sqrt(t))
    p = 0.5 * math.erfc(-z / math.sqrt(2))
    assert 0.02 < p < 0.98, "choose a goal where the check has power"
    assert abs(r["goal_probability"] - p) <= 4 * math.sqrt(p * (1 - p) / r["paths"]), (r["goal_probability"], p)
    assert r["goal_cents"] == goal


def test_same_question_same_answer(invested):
    body = {"monthly_cents": 10_000, "months": 36, "goal_cents": 4_000_000}
    a, b = invested.forecast(body), invested.forecast(body)
    assert a["id"] != b["id"]
    assert a["status"] == b["status"] == "complete"
    assert a["request"]["seed"] == b["request"]["seed"]
    assert a["result"] == b["result"]
    c = invested.forecast(dict(body, months=37))
    assert c["request"]["seed"] != a["request"]["seed"]
    assert c["result"]["p50"][:37] != a["result"]["p50"]


def test_empty_portfolio_forecasts_its_model(priced_stack):
    inv = Investor()
    bucket = inv.onboard(2, "medium")
    model = requests.get(f"{PUBLIC}/api/v1/models/{bucket}", timeout=HTTP_TIMEOUT).json()
    f = inv.forecast({"monthly_cents": 100_000, "months": 24})
    assert f["status"] == "complete", f
    assert f["request"]["weights_source"] == "model"
    assert f["request"]["weights"] == model["weights"]
    assert f["request"]["initial_cents"] == 0
    r = f["result"]
    assert all(r[b][0] == 0 for b in BANDS)
    # With no initial value, month 1 is exactly the first contribution on every path.
    assert all(r[b][1] == 100_000 for b in BANDS)
    assert r["goal_probability"] is None


def test_not_onboarded_is_409(priced_stack, db):
    inv = Investor()
    before = scalar(db, "SELECT count(*) FROM forecasts WHERE user_id = %s", inv.id)
    answer = inv.post("/forecasts", {"monthly_cents": 1000, "months": 12})
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "ONBOARDING_REQUIRED"
    assert scalar(db, "SELECT count(*) FROM forecasts WHERE user_id = %s", inv.id) == before


def test_another_users_or_a_malformed_id_is_404(invested, priced_stack):
    f = invested.forecast({"monthly_cents": 0, "months": 12})
    other = Investor()
    for path in [f"/forecasts/{f['id']}", f"/forecasts/{f['id']}?wait=2", f"/forecasts/{uuid.uuid4()}",
                 "/forecasts/not-a-uuid", "/forecasts/" + "0" * 36, f"/forecasts/{f['id'].upper()}x"]:
        answer = other.get(path)
        assert answer.status_code == 404, (path, answer.text)
        assert answer.json()["error"]["code"] == "NOT_FOUND"
    # The owner still reads it; without a token nobody does.
    assert invested.get(f"/forecasts/{f['id']}").status_code == 200
    assert requests.get(f"{PUBLIC}/api/v1/forecasts/{f['id']}", timeout=HTTP_TIMEOUT).status_code == 401
    assert requests.post(f"{PUBLIC}/api/v1/forecasts", json={"monthly_cents": 0, "months": 1},
                         timeout=HTTP_TIMEOUT).status_code == 401


BAD_BODIES = [
    {},
    {"months": 12},
    {"monthly_cents": 1000},
    {"monthly_cents": 1000, "months": 0},
    {"monthly_cents": 1000, "months": 601},
    {"monthly_cents": 1000, "months": 1.5},
    {"monthly_cents": 1000, "months": "12"},
    {"monthly_cents": 1000, "months": None},
    {"monthly_cents": -1, "months": 12},
    {"monthly_cents": 10 ** 13, "months": 12},
    {"monthly_cents": 1.5, "months": 12},
    {"monthly_cents": 1.0, "months": 12},
    {"monthly_cents": "100", "months": 12},
    {"monthly_cents": None, "months": 12},
    {"monthly_cents": True, "months": 12},
    {"monthly_cents": 1000, "months": 12, "initial_cents": -5},
    {"monthly_cents": 1000, "months": 12, "initial_cents": 10 ** 12 + 1},
    {"monthly_cents": 1000, "months": 12, "goal_cents": 0},
    {"monthly_cents": 1000, "months": 12, "goal_cents": None},
    {"monthly_cents": 1000, "months": 12, "paths": 100},
    {"monthly_cents": 1000, "months": 12, "seed": 1},
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_bad_input_is_400_and_writes_nothing(invested, db, body):
    forecasts = scalar(db, "SELECT count(*) FROM forecasts WHERE user_id = %s", invested.id)
    outbox = scalar(db, "SELECT count(*) FROM outbox WHERE type = 'CMD_FORECAST'")
    answer = invested.post("/forecasts", body)
    assert answer.status_code == 400, (body, answer.text)
    assert answer.json()["error"]["code"] == "INVALID_REQUEST"
    assert scalar(db, "SELECT count(*) FROM forecasts WHERE user_id = %s", invested.id) == forecasts
    assert scalar(db, "SELECT count(*) FROM outbox WHERE type = 'CMD_FORECAST'") == outbox


def test_malformed_requests_are_400(invested):
    raw = invested.session.post(f"{PUBLIC}/api/v1/forecasts", data="{not json", timeout=HTTP_TIMEOUT,
                                headers={"Content-Type": "application/json"})
    assert raw.status_code == 400
    text = invested.session.post(f"{PUBLIC}/api/v1/forecasts", data='{"monthly_cents":1,"months":1}', timeout=HTTP_TIMEOUT,
                                 headers={"Content-Type": "text/plain"})
    assert text.status_code == 400
    f = invested.forecast({"monthly_cents": 0, "months": 1})
    for wait in ["31", "-1", "abc", "1.5", "", "100"]:
        assert invested.get(f"/forecasts/{f['id']}?wait={wait}").status_code == 400, wait


def own_forecast_row(db, user_id, weights, created="now()", **extra):
    """A forecasts row as operational writes it, for commands this test publishes itself."""
    fid = str(uuid.uuid4())
    payload = {"forecast_id": fid, "weights": weights, "initial_cents": 100_000, "monthly_cents": 0, "months": 12,
               "seed": 7, **extra}
    query(db, f"INSERT INTO forecasts (id, user_id, request, created_at) VALUES (%s, %s, %s, {created})", fid, user_id,
          json.dumps(payload))
    return fid, payload


@pytest.mark.parametrize("weights,extra,reason", [
    ({"NOSUCH": 1.0}, {}, "NOSUCH"),
    ({"VTI": 0.7, "BND": 0.6}, {}, "more than 1"),
    ({"VTI": 1.0}, {"percentiles": [50, 10]}, "percentile"),
    ({"VTI": 1.0}, {"percentiles": [0, 50]}, "percentile"),
])
def test_an_uncomputable_forecast_ends_in_error_and_is_acked(invested, db, broker, weights, extra, reason):
    fid, payload = own_forecast_row(db, invested.id, weights, **extra)
    message_id = str(uuid.uuid4())
    broker.publish("CMD_FORECAST", envelope("CMD_FORECAST", payload, message_id), message_id=message_id)
    answer = invested.poll(fid).json()
    assert answer["status"] == "error", answer
    assert reason in answer["error"]
    assert answer["result"] is None
    # The message was acked in the same transaction that recorded the error (not dead-lettered).
    assert scalar(db, "SELECT type FROM processed_messages WHERE message_id = %s", message_id) == "CMD_FORECAST"


def test_too_little_history_ends_in_error(invested, db, broker):
    """A symbol with 100 days of prices (fewer than MODEL_MIN_COMMON_DAYS = 252): removed afterwards."""
    try:
        query(db, "INSERT INTO daily_prices (symbol, day, open, high, low, close, adj_close, volume) "
                  "SELECT 'SHORTHIST', d::date, 10 + i * 0.01, 10 + i * 0.01, 10 + i * 0.01, 10 + i * 0.01, "
                  "10 + i * 0.01 + sin(i), 1000 FROM generate_series(1, 100) AS i, "
                  "LATERAL (SELECT DATE '2026-01-01' + i AS d) x")
        fid, payload = own_forecast_row(db, invested.id, {"SHORTHIST": 0.5, "VTI": 0.5})
        message_id = str(uuid.uuid4())
        broker.publish("CMD_FORECAST", envelope("CMD_FORECAST", payload, message_id), message_id=message_id)
        answer = invested.poll(fid).json()
        assert answer["status"] == "error", answer
        assert "SHORTHIST" in answer["error"] or "days" in answer["error"]
    finally:
        query(db, "DELETE FROM daily_prices WHERE symbol = 'SHORTHIST'")


def test_a_lost_command_never_leaves_a_forecast_pending(invested, db):
    """No CMD_FORECAST for this row (as after a dead letter): the listener's sweep ends it with a reason."""
    fid, _ = own_forecast_row(db, invested.id, {"VTI": 1.0}, created="now() - interval '301 seconds'")
    answer = invested.poll(fid).json()
    assert answer["status"] == "error", answer
    assert "not computed within 300 seconds" in answer["error"]


def test_a_pending_forecast_answers_pending_when_the_wait_runs_out(invested, db):
    fid, _ = own_forecast_row(db, invested.id, {"VTI": 1.0})
    answer = invested.get(f"/forecasts/{fid}?wait=1").json()
    assert answer["status"] == "pending" and answer["result"] is None
    query(db, "UPDATE forecasts SET status = 'error', error = 'test over', completed_at = now() WHERE id = %s", fid)


def test_a_missed_notification_is_swept(invested, db):
    """A result written while no listener heard it (notified_at NULL, a few seconds old) wakes the waiter."""
    fid, _ = own_forecast_row(db, invested.id, {"VTI": 1.0})
    # Written as the decisional role would, but without NOTIFY, and dated so the sweep's grace has passed.
    query(db, "UPDATE forecasts SET status = 'error', error = 'computed elsewhere', "
              "completed_at = now() - interval '3 seconds' WHERE id = %s", fid)
    wait_for(lambda: scalar(db, "SELECT notified_at IS NOT NULL FROM forecasts WHERE id = %s", fid),
             what="the sweep to see the unnotified result")
    assert invested.get(f"/forecasts/{fid}").json()["status"] == "error"


def test_pending_forecasts_per_investor_are_bounded(priced_stack, db):
    inv = Investor()
    inv.onboard(1, "short")
    for _ in range(20):
        own_forecast_row(db, inv.id, {"VTI": 1.0})
    answer = inv.post("/forecasts", {"monthly_cents": 0, "months": 1})
    assert answer.status_code == 429
    assert answer.json()["error"]["code"] == "TOO_MANY_PENDING_FORECASTS"
    query(db, "UPDATE forecasts SET status = 'error', error = 'test over', completed_at = now() "
              "WHERE user_id = %s AND status = 'pending'", inv.id)
    assert inv.post("/forecasts", {"monthly_cents": 0, "months": 1}).status_code == 202


# Requests fired at once by test_pending_cap_holds_under_concurrent_requests: more than twice the cap, so that
# a check-then-insert race has room to let several through.
CONCURRENT_REQUESTS = 45
MAX_PENDING = 20           # PARITY_FORECAST_MAX_PENDING


def test_pending_cap_holds_under_concurrent_requests(priced_stack, db, broker):
    """One investor fires 45 forecast requests at once while no worker computes (decisional stopped, so every
    accepted forecast stays pending): exactly 20 are accepted, the rest are refused with 429
    TOO_MANY_PENDING_FORECASTS, and the database never holds more than 20 pending forecasts for them. The
    requests go to a replica of their own (a thread per connection), so they really overlap."""
    inv = Investor()
    inv.onboard(1, "short")
    decisional = priced_stack[1]
    assert decisional.stop() == 0
    replica = None
    try:
        replica = conftest.extra_operational(REPLICA_OFFSET)
        start = threading.Barrier(CONCURRENT_REQUESTS)
        auth = {"Authorization": inv.session.headers["Authorization"]}

        def ask(_):
            start.wait(60)
            return requests.post(f"{replica.public}/api/v1/forecasts", json={"monthly_cents": 0, "months": 1},
                                 headers=auth, timeout=120)

        with concurrent.futures.ThreadPoolExecutor(CONCURRENT_REQUESTS) as pool:
            answers = list(pool.map(ask, range(CONCURRENT_REQUESTS)))
        codes = sorted(a.status_code for a in answers)
        pending = scalar(db, "SELECT count(*) FROM forecasts WHERE user_id = %s AND status = 'pending'", inv.id)
        assert pending <= MAX_PENDING, (pending, codes)
        assert codes.count(202) == MAX_PENDING, codes
        refused = [a for a in answers if a.status_code != 202]
        assert all(a.status_code == 429 and a.json()["error"]["code"] == "TOO_MANY_PENDING_FORECASTS"
                   for a in refused), [a.text for a in refused]
        assert pending == MAX_PENDING
        assert replica.stop() == 0
    finally:
        if replica:
            replica.kill()
        query(db, "UPDATE forecasts SET status = 'error', error = 'test over', completed_at = now() "
                  "WHERE user_id = %s AND status = 'pending'", inv.id)
        # Their commands would only be computed and dropped (no longer pending): drop them unread.
        wait_for(lambda: scalar(db, "SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0, 60,
                 what="the outbox relayed")
        broker.purge("decisional.interactive")
        decisional.start()


def test_forecast_duration_is_observed(invested):
    invested.forecast({"monthly_cents": 0, "months": 6})
    text = requests.get(f"{DECISIONAL}/metrics", timeout=HTTP_TIMEOUT).text
    counts = [line for line in text.splitlines() if line.startswith("parity_decisional_forecast_duration_seconds_count")]
    assert counts and float(counts[0].split()[-1]) > 0


def test_another_replica_answers_the_long_poll_and_drains_it_on_sigterm(invested, db):
    """Each operational replica has its own listener: a forecast asked on one is long-polled on another. On
    SIGTERM a long-poll in flight is answered with what there is (pending), and the replica exits 0."""
    replica = conftest.extra_operational(REPLICA_OFFSET)
    try:
        asked = invested.post("/forecasts", {"monthly_cents": 20_000, "months": 60})
        assert asked.status_code == 202
        answer = invested.poll(asked.json()["id"], replica.public)
        assert answer.status_code == 200 and answer.json()["status"] == "complete", answer.text

        fid, _ = own_forecast_row(db, invested.id, {"VTI": 1.0})
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            poll = pool.submit(invested.session.get, f"{replica.public}/api/v1/forecasts/{fid}?wait=30",
                               timeout=LONG_POLL_SECONDS + HTTP_TIMEOUT)
            time.sleep(1.0)  # ordering only: let the long-poll reach the replica before the signal
            assert replica.stop() == 0
            answer = poll.result()
        assert answer.status_code == 200 and answer.json()["status"] == "pending", answer.text
    finally:
        replica.kill()
        query(db, "UPDATE forecasts SET status = 'error', error = 'test over', completed_at = now() "
                  "WHERE user_id = %s AND status = 'pending'", invested.id)
