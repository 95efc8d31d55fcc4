"""GET /api/v1/portfolio/history: value, net contributions and time-weighted return per
day, checked against a separate rebuild in Python from the same ledger rows and daily closes.

The ledger of the main scenario is written with past timestamps (January to April 2026, inside the bundled
prices), the way operational writes it, so that the history has real market moves in it; it keeps the
ledger invariant of SPEC §5, which `parity audit` confirms at the end."""

import datetime
import json
import os
import subprocess
from zoneinfo import ZoneInfo

import pytest
import requests

import conftest
from conftest import BIN, HTTP_TIMEOUT, PUBLIC, query, scalar, wait_for

NY = ZoneInfo("America/New_York")
RANGES = ["1D", "1W", "1M", "6M", "1Y", "YTD", "5Y", "MAX"]
TWR_TOLERANCE = 1e-12


class Investor:
    def __init__(self):
        self.session, self.token = conftest.login_user()
        self.id = int(self.session.get(f"{PUBLIC}/api/v1/me", timeout=HTTP_TIMEOUT).json()["id"])

    def get(self, path, **kw):
        return self.session.get(f"{PUBLIC}/api/v1{path}", timeout=HTTP_TIMEOUT, **kw)

    def post(self, path, body=None):
        return self.session.post(f"{PUBLIC}/api/v1{path}", json=body, timeout=HTTP_TIMEOUT)

    def onboard(self):
        answers = {"age": "30_44", "goal": "growth", "drop_reaction": "hold", "horizon": "over_7"}
        assert self.post("/onboarding", {"answers": answers}).status_code == 200

    def history(self, rng):
        answer = self.get(f"/portfolio/history?range={rng}")
        assert answer.status_code == 200, answer.text
        return answer.json()


# ------------------------------------------------------------------ money as the ledger computes it

def price_micros(dollars):
    return int(round(dollars * 1_000_000))


def value_cents(shares_micro, micros):
    """money.h: S * P / 1e10 rounded half up."""
    return (shares_micro * micros + 5_000_000_000) // 10_000_000_000


def shares_for(budget_cents, micros):
    return budget_cents * 10_000_000_000 // micros


def close_on(db, symbol, day):
    return scalar(db, "SELECT close FROM daily_prices WHERE symbol = %s AND day = %s", symbol, day)


# ------------------------------------------------------------------ the backdated scenario

def at(text):
    """A New York wall-clock time as an aware datetime."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=NY)


class Ledger:
    """Writes deposits, invests, sells and trades for one user as operational does, and remembers them."""

    def __init__(self, db, user_id):
        self.db, self.user = db, user_id
        self.events = []  # (when, kind, symbol, shares, cents)
        self.wallet = self.portfolio_cash = 0
        self.shares = {}
        query(db, "INSERT INTO wallets (user_id) VALUES (%s) ON CONFLICT DO NOTHING", user_id)

    def movement(self, when, kind, cents):
        query(self.db, "INSERT INTO cash_movements (user_id, kind, amount_cents, created_at) VALUES (%s, %s, %s, %s)",
              self.user, kind, cents, when)
        self.events.append((when, kind, None, 0, cents))
        if kind == "deposit":
            self.wallet += cents
        elif kind == "invest":
            self.wallet -= cents
            self.portfolio_cash += cents
        elif kind == "sell":
            self.wallet += cents
            self.portfolio_cash -= cents

    def trade(self, when, symbol, side, shares, micros, reason):
        cents = value_cents(shares, micros)
        query(self.db, "INSERT INTO trades (user_id, symbol, side, shares_micro, price_micros, amount_cents, reason, "
                       "created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
              self.user, symbol, side, shares, micros, cents, reason, when)
        sign = 1 if side == "buy" else -1
        self.shares[symbol] = self.shares.get(symbol, 0) + sign * shares
        self.portfolio_cash -= sign * cents
        self.events.append((when, side, symbol, sign * shares, cents))
        return cents

    def settle(self):
        """Positions and balances to match the rows (the invariant of SPEC §5)."""
        for symbol, shares in self.shares.items():
            basis = sum(c for _, k, s, _, c in self.events if s == symbol and k == "buy")
            query(self.db, "INSERT INTO positions (user_id, symbol, shares_micro, cost_basis_cents) VALUES (%s, %s, %s, %s) "
                           "ON CONFLICT (user_id, symbol) DO UPDATE SET shares_micro = EXCLUDED.shares_micro, "
                           "cost_basis_cents = EXCLUDED.cost_basis_cents", self.user, symbol, shares, basis)
        # One tax lot per position, as migration 0009's backfill gives a position it finds (`parity audit`).
        query(self.db, "DELETE FROM lots WHERE user_id = %s", self.user)
        query(self.db, "INSERT INTO lots (user_id, symbol, shares_micro, basis_cents, acquired, bought) "
                       "SELECT user_id, symbol, shares_micro, cost_basis_cents, current_date, current_date "
                       "FROM positions WHERE user_id = %s AND shares_micro > 0", self.user)
        query(self.db, "UPDATE wallets SET cash_cents = %s WHERE user_id = %s", self.wallet, self.user)
        query(self.db, "UPDATE portfolios SET cash_cents = %s, pending_cents = 0 WHERE user_id = %s",
              self.portfolio_cash, self.user)


@pytest.fixture(scope="module")
def scenario(priced_stack):
    """Jan 5: $20,000 deposited, $15,000 invested at the Jan 2 closes (60% VTI, 40% BND). Mar 2 after dark
    (Mar 3 in UTC): half the VTI sold at the Feb 27 close and taken out. Apr 1: $3,000 more into BND."""
    inv = Investor()
    inv.onboard()
    db = conftest.connect(os.environ["DATABASE_URL"])
    led = Ledger(db, inv.id)
    d = datetime.date
    led.movement(at("2026-01-05T14:00:00"), "deposit", 2_000_000)
    led.movement(at("2026-01-05T14:05:00"), "invest", 1_500_000)
    vti, bnd = price_micros(close_on(db, "VTI", d(2026, 1, 2))), price_micros(close_on(db, "BND", d(2026, 1, 2)))
    led.trade(at("2026-01-05T14:05:01"), "VTI", "buy", shares_for(900_000, vti), vti, "invest")
    led.trade(at("2026-01-05T14:05:01"), "BND", "buy", shares_for(600_000, bnd), bnd, "invest")
    vti_feb = price_micros(close_on(db, "VTI", d(2026, 2, 27)))
    proceeds = led.trade(at("2026-03-02T23:30:00"), "VTI", "sell", led.shares["VTI"] // 2, vti_feb, "sell")
    led.movement(at("2026-03-02T23:30:01"), "sell", proceeds)
    led.movement(at("2026-04-01T10:00:00"), "invest", 300_000)
    bnd_mar = price_micros(close_on(db, "BND", d(2026, 3, 31)))
    led.trade(at("2026-04-01T10:00:01"), "BND", "buy", shares_for(300_000, bnd_mar), bnd_mar, "invest")
    led.settle()
    yield inv, led, db
    db.close()


def rebuild(db, led, first, last):
    """The history by the definition, independently: New York days, carried-forward closes, the newest price on
    the last day, flows at the start of the day, TWR chained from the first point."""
    symbols = sorted({s for _, _, s, _, _ in led.events if s})
    closes = {s: dict(query(db, "SELECT day, close FROM daily_prices WHERE symbol = %s ORDER BY day", s)) for s in symbols}
    latest = dict(query(db, "SELECT symbol, price FROM latest_prices WHERE symbol = ANY(%s)", symbols))
    points, growth, prev = [], 1.0, None
    day = first
    while day <= last:
        shares, cash, contrib, flow = {}, 0, 0, 0
        for when, kind, sym, sh, cents in led.events:
            ev_day = when.astimezone(NY).date()
            if ev_day > day:
                continue
            if sym is None:  # a cash movement: invest and sell cross the portfolio's boundary
                f = {"invest": cents, "sell": -cents}.get(kind, 0)
                cash += f
                contrib += f
                if ev_day == day:
                    flow += f
            else:  # a trade
                shares[sym] = shares.get(sym, 0) + sh
                cash += -cents if kind == "buy" else cents
        value = cash
        for s, sh in shares.items():
            if day == last:
                p = latest[s]
            else:
                p = closes[s][max(k for k in closes[s] if k <= day)]
            value += value_cents(sh, price_micros(p))
        if prev is not None and prev + flow > 0:
            growth *= value / (prev + flow)
        points.append({"date": day.isoformat(), "value_cents": value, "net_contributions_cents": contrib,
                       "twr": growth - 1.0})
        prev = value
        day += datetime.timedelta(days=1)
    return points


def today_ny(db):
    return scalar(db, "SELECT (now() AT TIME ZONE 'America/New_York')::date")


def assert_points(got, want):
    assert [p["date"] for p in got] == [p["date"] for p in want]
    for g, w in zip(got, want):
        assert (g["date"], g["value_cents"], g["net_contributions_cents"]) == (w["date"], w["value_cents"],
                                                                                w["net_contributions_cents"])
        assert abs(g["twr"] - w["twr"]) <= TWR_TOLERANCE, (g, w)


def test_max_history_matches_the_rebuild_day_by_day(scenario):
    inv, led, db = scenario
    h = inv.history("MAX")
    today = today_ny(db)
    assert h["method"] == "time_weighted_daily_chain" and h["flow_timing"] == "start_of_day"
    assert h["day_basis"] == "America/New_York" and h["today"] == today.isoformat()
    assert h["prices_as_of"] == scalar(db, "SELECT max(day) FROM daily_prices WHERE symbol IN ('VTI', 'BND')").isoformat()
    first = datetime.date(2026, 1, 4)  # the day before the first ledger row: the base, worth nothing
    want = rebuild(db, led, first, today)
    assert len(want) <= 1000, "this scenario is meant to be below the thinning limit"
    assert_points(h["points"], want)
    assert h["points"][0] == {"date": "2026-01-04", "value_cents": 0, "net_contributions_cents": 0, "twr": 0.0}
    # The sell at 23:30 New York on Mar 2 (Mar 3 in UTC) belongs to Mar 2.
    by_date = {p["date"]: p for p in h["points"]}
    assert by_date["2026-03-02"]["net_contributions_cents"] < by_date["2026-03-01"]["net_contributions_cents"]
    assert (h["value_cents"], h["net_contributions_cents"], h["twr"]) == (
        want[-1]["value_cents"], want[-1]["net_contributions_cents"], h["points"][-1]["twr"])


def test_the_last_point_is_get_portfolio(scenario):
    inv, _, _ = scenario
    h = inv.history("1M")
    portfolio = inv.get("/portfolio").json()
    assert h["points"][-1]["value_cents"] == portfolio["value_cents"]
    assert h["points"][-1]["net_contributions_cents"] == portfolio["net_contributions_cents"]


def test_without_flows_the_return_is_the_value_ratio(scenario):
    """Independent of the flow convention: between two days with no flow in between, 1 + TWR moves exactly as
    the value does."""
    inv, _, _ = scenario
    by_date = {p["date"]: p for p in inv.history("MAX")["points"]}
    for a, b in [("2026-01-06", "2026-02-27"), ("2026-03-03", "2026-03-31"), ("2026-04-02", "2026-05-01")]:
        pa, pb = by_date[a], by_date[b]
        assert abs((1 + pb["twr"]) / (1 + pa["twr"]) - pb["value_cents"] / pa["value_cents"]) < 1e-12


def test_every_range_starts_where_it_should_and_chains_from_zero(scenario):
    inv, led, db = scenario
    today = today_ny(db)
    full = {p["date"]: p for p in inv.history("MAX")["points"]}
    inception_base = datetime.date(2026, 1, 4)

    def months_back(n):
        return scalar(db, "SELECT (%s::date - make_interval(months => %s))::date", today, n)

    starts = {"1D": today - datetime.timedelta(days=1), "1W": today - datetime.timedelta(days=7),
              "1M": months_back(1), "6M": months_back(6), "1Y": months_back(12),
              "YTD": datetime.date(today.year - 1, 12, 31), "5Y": months_back(60), "MAX": inception_base}
    for rng in RANGES:
        h = inv.history(rng)
        assert h["range"] == rng
        start = max(starts[rng], inception_base)
        pts = h["points"]
        assert pts[0]["date"] == start.isoformat() and pts[-1]["date"] == today.isoformat(), rng
        assert pts[0]["twr"] == 0.0
        assert len(pts) == (today - start).days + 1
        base = 1 + full[pts[0]["date"]]["twr"]
        for p in pts:
            f = full[p["date"]]
            assert (p["value_cents"], p["net_contributions_cents"]) == (f["value_cents"], f["net_contributions_cents"])
            assert abs((1 + p["twr"]) - (1 + f["twr"]) / base) < 1e-12


def test_days_after_the_newest_close_carry_it(scenario):
    inv, _, db = scenario
    h = inv.history("1M")
    last_close = h["prices_as_of"]
    values = {p["value_cents"] for p in h["points"][:-1] if p["date"] > last_close}
    intraday = scalar(db, "SELECT count(*) FROM intraday_prices WHERE symbol IN ('VTI', 'BND')")
    assert len(values) == 1  # flat: no close after prices_as_of
    if intraday == 0:
        assert h["points"][-1]["value_cents"] in values


def test_an_investment_made_today(priced_stack, db):
    inv = Investor()
    inv.onboard()
    assert inv.post("/wallet/deposits", {"amount_cents": 500_000}).status_code == 201
    assert inv.post("/portfolio/invest", {"amount_cents": 400_000}).status_code in (200, 201, 202)
    portfolio = wait_for(lambda: (lambda p: p if p["pending_cents"] == 0 and p["positions"] else None)(
        inv.get("/portfolio").json()), what="deployed")
    h = inv.history("1D")
    today = today_ny(db)
    assert [p["date"] for p in h["points"]] == [(today - datetime.timedelta(days=1)).isoformat(), today.isoformat()]
    base, now = h["points"]
    assert (base["value_cents"], base["net_contributions_cents"], base["twr"]) == (0, 0, 0.0)
    assert now["value_cents"] == portfolio["value_cents"]
    assert now["net_contributions_cents"] == 400_000
    assert abs(now["twr"] - (portfolio["value_cents"] / 400_000 - 1)) < 1e-12


def test_no_ledger_no_points(priced_stack):
    inv = Investor()
    h = inv.history("MAX")
    assert h["points"] == [] and h["method"] == "time_weighted_daily_chain"


@pytest.fixture(scope="module")
def plain_investor(priced_stack):
    return Investor()


@pytest.mark.parametrize("rng", ["2Y", "", "1m", "max", "MAX;", "1D1W", "%20MAX"])
def test_a_bad_range_is_400(plain_investor, rng):
    answer = plain_investor.get(f"/portfolio/history?range={rng}")
    assert answer.status_code == 400, (rng, answer.text)
    assert answer.json()["error"]["code"] == "INVALID_REQUEST"


def test_history_defaults_to_one_month_and_needs_a_token(scenario):
    inv, _, _ = scenario
    assert inv.get("/portfolio/history").json()["range"] == "1M"
    assert requests.get(f"{PUBLIC}/api/v1/portfolio/history?range=1M", timeout=HTTP_TIMEOUT).status_code == 401


def test_the_scenario_keeps_the_ledger_invariant(scenario):
    run = subprocess.run([os.path.join(BIN, "parity"), "audit"], capture_output=True, text=True)
    report = json.loads(run.stdout)
    assert run.returncode == 0 and report["ok"], report
