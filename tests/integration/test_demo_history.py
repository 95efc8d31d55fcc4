"""The demo investor of `make run`: deploy/local/demo.sh registers, verifies and onboards it through the API,
then `parity demo-history` writes its five years (cli/cmd_demo.c). Checked here against the schedule rule
computed again from daily_prices (the join day is the first trading day on or after the last day moved back
five years; a month end is a trading day whose next trading day is in another month; the last day is never
one), the model `parity models` generates on the bundled CSV as of the join day, the ledger invariant
(`parity audit`), a second run, and what the dashboard's endpoints answer."""

import datetime
import json
import os
import subprocess
import time
from zoneinfo import ZoneInfo

import pytest
import requests

import conftest
from conftest import BIN, DATA_FILE, HTTP_TIMEOUT, PUBLIC, ROOT, query, scalar

NY = ZoneInfo("America/New_York")
YEARS = 5
FIRST_CENTS, MONTHLY_CENTS = 5_000_000, 100_000
UNIVERSE = "VTI,VOO,QQQ,VTV,VUG,IWM,VEA,VWO,VNQ,VNQI,XLF,XLV,XLE,XLK,BND,TLT,LQD,HYG,BNDX".split(",")
BUCKET = "risk_3_horizon_medium"


def run_demo_sh(vardir, email):
    env = dict(os.environ, DEMO_EMAIL=email, MAIL_DIR=conftest.MAIL_DIR)
    started = time.monotonic()
    run = subprocess.run(["bash", os.path.join(ROOT, "deploy", "local", "demo.sh"), str(vardir), PUBLIC, BIN],
                         env=env, capture_output=True, text=True, timeout=900)
    return run, time.monotonic() - started


def history_summary(stderr):
    line = next(x for x in stderr.splitlines() if x.startswith("parity: demo investor's history: "))
    return json.loads(line.split(": ", 2)[2])


@pytest.fixture(scope="module")
def demo(priced_stack, tmp_path_factory):
    vardir = tmp_path_factory.mktemp("demo-var")
    email = conftest.new_email("demo")
    run, seconds = run_demo_sh(vardir, email)
    assert run.returncode == 0, run.stderr
    print(f"demo.sh with the five years: {seconds:.1f} s; {history_summary(run.stderr)}")
    with open(os.path.join(vardir, "demo-credentials")) as f:
        password = dict(line.strip().split("=", 1) for line in f if "=" in line)["password"]
    session, _ = conftest.login_user(email, password)
    user_id = int(session.get(f"{PUBLIC}/api/v1/me", timeout=HTTP_TIMEOUT).json()["id"])
    return {"vardir": vardir, "email": email, "session": session, "id": user_id, "run": run}


def api(demo, path):
    answer = demo["session"].get(f"{PUBLIC}/api/v1{path}", timeout=HTTP_TIMEOUT)
    assert answer.status_code == 200, answer.text
    return answer.json()


def schedule(db):
    """The steps' days by the rule of the module docstring, from the universe's trading days."""
    days = [r[0] for r in query(db, "SELECT DISTINCT day FROM daily_prices WHERE symbol = ANY(%s) ORDER BY day",
                                UNIVERSE)]
    last = days[-1]
    try:
        back = last.replace(year=last.year - YEARS)
    except ValueError:  # 29 February
        back = last.replace(year=last.year - YEARS, day=28)
    join = next(d for d in days if d >= back)
    ends = [d for d, nxt in zip(days, days[1:]) if d > join and (d.year, d.month) != (nxt.year, nxt.month)]
    return [join] + ends, last


def ny_day(ts):
    return ts.astimezone(NY).date()


def test_deposits_are_50000_then_1000_at_every_month_end(demo, db):
    steps, _ = schedule(db)
    assert len(steps) == 61  # the bundled data ends on 1 May 2026: May 2021 .. April 2026
    for kind in ("deposit", "invest"):
        rows = query(db, "SELECT created_at, amount_cents FROM cash_movements WHERE user_id = %s AND kind = %s "
                         "ORDER BY created_at", demo["id"], kind)
        assert [ny_day(t) for t, _ in rows] == steps, kind
        assert [c for _, c in rows] == [FIRST_CENTS] + [MONTHLY_CENTS] * (len(steps) - 1), kind
    # Every other movement is a dividend of what the past held, each with its payment row; some were paid.
    assert scalar(db, "SELECT count(*) FROM cash_movements m WHERE user_id = %s AND kind NOT IN ('deposit', 'invest') "
                      "AND NOT (kind = 'dividend' AND EXISTS (SELECT 1 FROM dividend_payments p "
                      "WHERE p.movement_id = m.id))", demo["id"]) == 0
    assert scalar(db, "SELECT count(*) FROM dividend_payments WHERE user_id = %s", demo["id"]) > 0
    assert scalar(db, "SELECT cash_cents FROM wallets WHERE user_id = %s", demo["id"]) == 0
    assert scalar(db, "SELECT pending_cents FROM portfolios WHERE user_id = %s", demo["id"]) == 0
    assert scalar(db, "SELECT bucket_key FROM portfolios WHERE user_id = %s", demo["id"]) == BUCKET


def test_every_step_trades_and_the_first_buys_the_model_of_its_day(demo, db):
    steps, _ = schedule(db)
    trades = query(db, "SELECT created_at, symbol, side, amount_cents, reason, batch_id FROM trades "
                       "WHERE user_id = %s ORDER BY created_at, id", demo["id"])
    by_day = {}
    for t in trades:
        by_day.setdefault(ny_day(t[0]), []).append(t)
    assert sorted(by_day) == steps  # a trade on every step's day, and on no other
    first = by_day[steps[0]]
    assert {(side, reason) for _, _, side, _, reason, _ in first} == {("buy", "invest")}
    assert all(reason == "rebalance" for d in steps[1:] for _, _, _, _, reason, _ in by_day[d])
    assert any(side == "sell" for _, _, side, _, _, _ in trades), "five years without one rebalancing sale"
    # One applied batch per step, created with its invest so that /transactions groups them.
    batches = query(db, "SELECT b.created_at, b.kind, b.status, b.trades, (SELECT created_at FROM cash_movements c "
                        "WHERE c.user_id = b.user_id AND c.kind = 'invest' AND c.created_at = b.created_at) "
                        "FROM rebalance_batches b WHERE b.user_id = %s ORDER BY b.created_at", demo["id"])
    assert [ny_day(b[0]) for b in batches] == steps
    assert all(b[1:3] == ("deploy", "applied") and b[4] == b[0] for b in batches)
    assert sum(b[3] for b in batches) == len(trades)

    # The join day's buys are the model CMD_GENERATE makes as of that day: `parity models` on the same prices.
    run = conftest.parity_tool("models", "--csv", DATA_FILE, "--as-of", steps[0].isoformat())
    assert run.returncode == 0, run.stderr
    model = json.loads(run.stdout)["buckets"][BUCKET]
    bought = {symbol: cents / FIRST_CENTS for _, symbol, _, cents, _, _ in first}
    assert set(bought) == set(model)
    for symbol, w in model.items():
        # Whole micro-shares never spend more than the budget; short of it by less than a share's millionth.
        assert w - 1e-6 <= bought[symbol] <= w + 1e-9, symbol


def test_everything_is_dated_in_the_past_at_the_step_days(demo, db):
    steps, last = schedule(db)
    end = datetime.datetime.combine(steps[-1], datetime.time(16, 3), NY)
    # Dividends of the days after the last step are paid on their ex-dates, up to the data's last close.
    paid_until = datetime.datetime.combine(last, datetime.time(16, 1), NY)
    uid = demo["id"]
    joined = query(db, "SELECT created_at, email_verified_at FROM users WHERE id = %s", uid)[0]
    assert joined == (datetime.datetime.combine(steps[0], datetime.time(15, 0), NY),) * 2
    for what, sql, until in [
        ("movements", "SELECT max(created_at) FROM cash_movements WHERE user_id = %s", paid_until),
        ("trades", "SELECT max(created_at) FROM trades WHERE user_id = %s", end),
        ("lots", "SELECT max(created_at) FROM lots WHERE user_id = %s", end),
        ("positions", "SELECT max(updated_at) FROM positions WHERE user_id = %s", end),
        ("wallet", "SELECT updated_at FROM wallets WHERE user_id = %s", end),
        ("portfolio", "SELECT updated_at FROM portfolios WHERE user_id = %s", paid_until),
        ("batches", "SELECT max(applied_at) FROM rebalance_batches WHERE user_id = %s", end),
    ]:
        assert scalar(db, sql, uid) <= until, what
    # A dividend is filed at its ex-date's close, and the lots' purchase days are the trades' days.
    assert scalar(db, "SELECT count(*) FROM dividend_payments p JOIN cash_movements m ON m.id = p.movement_id "
                      "WHERE p.user_id = %s AND m.created_at <> (p.ex_day + time '16:00') AT TIME ZONE "
                      "'America/New_York'", uid) == 0
    trade_days = {ny_day(t) for (t,) in query(db, "SELECT created_at FROM trades WHERE user_id = %s", uid)}
    assert {d for (d,) in query(db, "SELECT DISTINCT bought FROM lots WHERE user_id = %s", uid)} <= trade_days
    assert scalar(db, "SELECT min(created_at) FROM cash_movements WHERE user_id = %s", uid) > joined[0]
    assert steps[-1] < last


def test_the_ledger_holds(demo):
    conftest.audit()


def test_a_second_run_writes_nothing(demo, db):
    def counts():
        return [scalar(db, f"SELECT count(*) FROM {table} WHERE user_id = %s", demo["id"])
                for table in ("cash_movements", "trades", "positions", "rebalance_batches")]

    before = counts()
    run, _ = run_demo_sh(demo["vardir"], demo["email"])
    assert run.returncode == 0, run.stderr
    summary = history_summary(run.stderr)
    assert (summary["written"], summary["already"], summary["steps"]) == (0, 61, 61)
    assert counts() == before
    conftest.audit()


def test_the_dashboard_shows_five_years(demo, db):
    steps, last = schedule(db)
    invested = FIRST_CENTS + MONTHLY_CENTS * (len(steps) - 1)
    portfolio = api(demo, "/portfolio")
    assert portfolio["net_contributions_cents"] == invested
    assert portfolio["pnl_cents"] == portfolio["value_cents"] - invested
    assert portfolio["pending_cents"] == 0 and len(portfolio["positions"]) >= 5
    # Valued at the newest close of what it holds (no intraday prices here): that close's day.
    held = [p["symbol"] for p in portfolio["positions"]]
    assert portfolio["prices_as_of"] == scalar(db, "SELECT max(day)::text FROM daily_prices WHERE symbol = ANY(%s)",
                                               held)
    assert portfolio["prices_as_of"] == last.isoformat()

    history = api(demo, "/portfolio/history?range=MAX")
    assert history["from"] == (steps[0] - datetime.timedelta(days=1)).isoformat()
    assert history["prices_as_of"] == last.isoformat()
    assert history["net_contributions_cents"] == invested
    assert history["value_cents"] == portfolio["value_cents"]
    points = history["points"]
    assert datetime.date.fromisoformat(points[-1]["date"]) - datetime.date.fromisoformat(points[0]["date"]) \
        > datetime.timedelta(days=5 * 365)
    # The month after joining is worth $50,000 moved by the market, not $0 and not today's value.
    month = next(p for p in points if datetime.date.fromisoformat(p["date"]) >= steps[1])
    assert 0.8 * FIRST_CENTS < month["value_cents"] < 1.2 * FIRST_CENTS + MONTHLY_CENTS

    risk = api(demo, "/portfolio/risk?range=5Y")
    assert risk["status"] == "ok" and risk["days"] > 1000, risk
    assert risk["prices_as_of"] == last.isoformat()

    tx = api(demo, "/transactions?limit=100")
    assert tx["paging"]["total"] == 2 * len(steps) + scalar(
        db, "SELECT (SELECT count(*) FROM trades WHERE user_id = %s) + (SELECT count(*) FROM cash_movements "
            "WHERE user_id = %s AND kind = 'dividend')", demo["id"], demo["id"])
    # Its lots add up to its positions (the audit), and dividends are part of its taxable year.
    lots = api(demo, "/tax/lots")["lots"]
    assert {lot["symbol"] for lot in lots} == set(held)
    year = last.year - 1
    paid = scalar(db, "SELECT coalesce(sum(amount_cents), 0) FROM cash_movements WHERE user_id = %s AND kind = "
                      "'dividend' AND extract(year FROM created_at AT TIME ZONE 'UTC') = %s", demo["id"], year)
    assert paid > 0 and api(demo, f"/tax/realized?year={year}")["dividends_cents"] == paid


def test_an_account_with_its_own_money_or_none_onboarded_is_refused(priced_stack, db):
    session, _ = conftest.login_user()
    email = session.get(f"{PUBLIC}/api/v1/me", timeout=HTTP_TIMEOUT).json()["email"]
    run = conftest.parity_tool("demo-history", "--email", email)
    assert run.returncode == 1 and "has not onboarded" in run.stderr, run.stderr
    answers = {"age": "45_59", "goal": "balanced", "drop_reaction": "wait", "horizon": "3_to_7"}
    assert session.post(f"{PUBLIC}/api/v1/onboarding", json={"answers": answers}, timeout=HTTP_TIMEOUT).ok
    assert session.post(f"{PUBLIC}/api/v1/wallet/deposits", json={"amount_cents": 1000},
                        headers={"Idempotency-Key": "own-money"}, timeout=HTTP_TIMEOUT).status_code == 201
    run = conftest.parity_tool("demo-history", "--email", email)
    assert run.returncode == 1 and "money movement(s) of its own" in run.stderr, run.stderr
    user = scalar(db, "SELECT id FROM users WHERE email = %s", email)
    assert scalar(db, "SELECT count(*) FROM cash_movements WHERE user_id = %s", user) == 1
    run = conftest.parity_tool("demo-history", "--email", "nobody-at-all@example.test")
    assert run.returncode == 1 and "no user" in run.stderr
    for bad in (["--years", "0"], ["--years", "21"], ["--years", "x"], ["extra"]):
        assert conftest.parity_tool("demo-history", "--email", email, *bad).returncode == 2, bad
    assert conftest.parity_tool("demo-history").returncode == 2


def test_models_say_how_old_their_prices_are(priced_stack, db):
    """GET /models and /models/{bucket}: each model's prices_as_of is its as-of day (the newest close its
    generation read), the list's the newest of them."""
    listed = requests.get(f"{PUBLIC}/api/v1/models", timeout=HTTP_TIMEOUT).json()
    newest = scalar(db, "SELECT max(as_of_day)::text FROM model_portfolios")
    assert listed["prices_as_of"] == newest
    for model in listed["models"]:
        assert model["prices_as_of"] == model["as_of"]
    one = requests.get(f"{PUBLIC}/api/v1/models/{BUCKET}", timeout=HTTP_TIMEOUT).json()
    assert one["prices_as_of"] == one["as_of"] == scalar(
        db, "SELECT max(as_of_day)::text FROM model_portfolios WHERE bucket_key = %s", BUCKET)


def test_an_empty_portfolio_prices_nothing(priced_stack):
    session, _ = conftest.login_user()
    answer = session.get(f"{PUBLIC}/api/v1/portfolio", timeout=HTTP_TIMEOUT).json()
    assert answer["positions"] == [] and answer["prices_as_of"] is None
