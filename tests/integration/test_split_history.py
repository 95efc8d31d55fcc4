"""Portfolio history across a share split: the stored closes are split-adjusted over the whole history
(daily_prices' contract; a sync rebases the days before a split), so the history counts every share traded
before an applied split times its ratio. The value is then what the investor holds at every day: continuous
across the split day, equal to the position's shares times the close after it, and equal to what was paid on
the day of the first buy. GET /transactions shows the split as the shares it added, not a $0 movement.

Hand computation of the crafted scenario (symbol QQSP, 2:1 split on Thu 2026-11-05, adjusted closes):
  closes          11-02: 50    11-03: 51    11-04: 52    11-05: 52.50  11-06: 53   (raw before: 100, 102, 104)
  11-02 buy 3.5 at $100 raw ($350.00)       adjusted shares 7.0   value 7.0 * 50    = $350.00
  11-03 sell 0.5 at $102 raw ($51.00)       adjusted shares 6.0   value 6.0 * 51    = $306.00
  11-04                                                           value 6.0 * 52    = $312.00
  11-05 split: 3.0 held at the open -> +3.0; a buy of 1.0 at $52.50 after the open ($52.50, a flow)
                                          shares 7.0            value 7.0 * 52.50 = $367.50
  11-06 onwards                           shares 7.0            value 7.0 * 53    = $371.00
The split day's return (flows at the start of the day, the history's method) is the market's only:
367.50 / (312.00 + 52.50) - 1 = +0.82 %. Counting the split's shares at its day over unscaled earlier trades
would give 367.50 / (3.0 * 52 + 52.50) - 1 = +76 %; counting trades only, $371.00 would read $212.00."""

import datetime
import os
from zoneinfo import ZoneInfo

import pytest

import conftest
from conftest import HTTP_TIMEOUT, PUBLIC, parity_tool, query, scalar

NY = ZoneInfo("America/New_York")
SYMBOL = "QQSP"
CLOSES = {"2026-11-02": 50.0, "2026-11-03": 51.0, "2026-11-04": 52.0, "2026-11-05": 52.5, "2026-11-06": 53.0}


def at(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=NY)


@pytest.fixture()
def split_investor(stack):
    session, _ = conftest.login_user()
    user = int(session.get(f"{PUBLIC}/api/v1/me", timeout=HTTP_TIMEOUT).json()["id"])
    answers = {"age": "30_44", "goal": "growth", "drop_reaction": "hold", "horizon": "over_7"}
    assert session.post(f"{PUBLIC}/api/v1/onboarding", json={"answers": answers},
                        timeout=HTTP_TIMEOUT).status_code == 200
    db = conftest.connect(os.environ["DATABASE_URL"])
    for table in ("market_events", "daily_prices"):
        query(db, f"DELETE FROM {table} WHERE symbol = %s", SYMBOL)
    for day, close in CLOSES.items():
        query(db, "INSERT INTO daily_prices (symbol, day, open, high, low, close, adj_close, volume) "
                  "VALUES (%s, %s, %s, %s, %s, %s, %s, 1000)", SYMBOL, day, close, close, close, close, close)
    query(db, "INSERT INTO market_events (symbol, day, kind, numerator, denominator, source) "
              "VALUES (%s, '2026-11-05', 'split', 2, 1, 'file')", SYMBOL)
    # The ledger as operational writes it (SPEC §5 invariant): deposit, invest, buy; a sale; invest, buy.
    query(db, "INSERT INTO wallets (user_id) VALUES (%s) ON CONFLICT DO NOTHING", user)
    for when, kind, cents in (("2026-11-02T10:00", "deposit", 40250), ("2026-11-02T10:01", "invest", 35000),
                              ("2026-11-03T11:00", "sell", 5100), ("2026-11-05T11:00", "invest", 5250)):
        query(db, "INSERT INTO cash_movements (user_id, kind, amount_cents, created_at) VALUES (%s, %s, %s, %s)",
              user, kind, cents, at(when))
    for when, side, shares, micros, cents, reason in (
            ("2026-11-02T10:01", "buy", 3_500_000, 100_000_000, 35000, "invest"),
            ("2026-11-03T11:00", "sell", 500_000, 102_000_000, 5100, "sell"),
            ("2026-11-05T11:00", "buy", 1_000_000, 52_500_000, 5250, "invest")):
        query(db, "INSERT INTO trades (user_id, symbol, side, shares_micro, price_micros, amount_cents, reason, "
                  "created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
              user, SYMBOL, side, shares, micros, cents, reason, at(when))
    # Its lots as the lot engine leaves them: the sale took 0.5 of the 3.5 bought for $350 ($50 of basis).
    for when, shares, basis in (("2026-11-02T10:01", 3_000_000, 30000), ("2026-11-05T11:00", 1_000_000, 5250)):
        query(db, "INSERT INTO lots (user_id, symbol, shares_micro, basis_cents, acquired, bought, created_at) "
                  "VALUES (%s, %s, %s, %s, %s, %s, %s)", user, SYMBOL, shares, basis, when[:10], when[:10], at(when))
    query(db, "INSERT INTO positions (user_id, symbol, shares_micro, cost_basis_cents) VALUES (%s, %s, 4000000, "
              "35250)", user, SYMBOL)
    query(db, "UPDATE wallets SET cash_cents = 5100 WHERE user_id = %s", user)
    query(db, "UPDATE portfolios SET cash_cents = 0, pending_cents = 0 WHERE user_id = %s", user)
    yield session, user, db
    for table in ("lots", "positions", "trades", "cash_movements"):
        query(db, f"DELETE FROM {table} WHERE user_id = %s", user)
    query(db, "UPDATE wallets SET cash_cents = 0 WHERE user_id = %s", user)
    for table in ("market_events", "daily_prices"):
        query(db, f"DELETE FROM {table} WHERE symbol = %s", SYMBOL)
    db.close()


def test_history_is_continuous_across_an_applied_split(split_investor):
    session, user, db = split_investor
    run = parity_tool("apply-splits")
    assert run.returncode == 0 and SYMBOL in run.stdout, (run.stdout, run.stderr)
    # 3.0 held across the split's open become 6.0; the 1.0 bought after it stays.
    assert scalar(db, "SELECT shares_micro FROM positions WHERE user_id = %s AND symbol = %s", user, SYMBOL) == 7_000_000
    # The lot held across the open takes the ratio with its basis; the one bought after stays: the ledger
    # and its lots stay exact.
    assert query(db, "SELECT shares_micro, basis_cents FROM lots WHERE user_id = %s AND symbol = %s ORDER BY id",
                 user, SYMBOL) == [(6_000_000, 30000), (1_000_000, 5250)]
    conftest.audit()

    answer = session.get(f"{PUBLIC}/api/v1/portfolio/history?range=MAX", timeout=HTTP_TIMEOUT)
    assert answer.status_code == 200, answer.text
    points = {p["date"]: p for p in answer.json()["points"]}
    values = {day: points[day]["value_cents"] for day in CLOSES}
    assert values == {"2026-11-02": 35000, "2026-11-03": 30600, "2026-11-04": 31200, "2026-11-05": 36750,
                      "2026-11-06": 37100}
    # No jump: the split day's return is the market's (the $52.50 bought that day is a flow).
    day_return = (1 + points["2026-11-05"]["twr"]) / (1 + points["2026-11-04"]["twr"]) - 1
    assert day_return == pytest.approx(36750 / (31200 + 5250) - 1, abs=1e-9)
    # After the split the value is the position's shares times the newest close.
    assert answer.json()["value_cents"] == 7 * 5300

    risk = session.get(f"{PUBLIC}/api/v1/portfolio/risk", timeout=HTTP_TIMEOUT)
    assert risk.status_code == 200, risk.text


def test_transactions_show_the_shares_a_split_added(split_investor):
    session, user, _ = split_investor
    run = parity_tool("apply-splits")
    assert run.returncode == 0, run.stderr
    answer = session.get(f"{PUBLIC}/api/v1/transactions?limit=100", timeout=HTTP_TIMEOUT)
    assert answer.status_code == 200, answer.text
    splits = [t for t in answer.json()["transactions"] if t["kind"] == "split"]
    assert [(t["type"], t["amount_cents"], t["symbol"], t["shares_micro"]) for t in splits] == [
        ("cash", 0, SYMBOL, 3_000_000)]
    deposits = [t for t in answer.json()["transactions"] if t["kind"] == "deposit"]
    assert all("symbol" not in t and "shares_micro" not in t for t in deposits), deposits
