"""Cash dividends: the bundled history loaded by the daily sync, each held position credited
floor(shares x amount) cents on the ex-date, once, and the cash reinvested by the next deploy; the
ledger invariant (`parity audit`) holds throughout. Real daemons, PostgreSQL and RabbitMQ."""

import concurrent.futures

import requests

from conftest import HTTP_TIMEOUT, INTERNAL, WAIT_SECONDS, audit, post_internal, query, scalar, wait_for
from test_money import Investor, wait_deployed

# The day trades are moved back to, and the ex-date after it (2024-03-20 .. 2024-03-28: the March
# quarter-end ex-dates of the bundled funds fall there).
HELD_FROM = "2024-03-01"


def floor_cents(shares_micro, amount_micros):
    """The rule under test, written out: micro-shares x micro-dollars / 10^10, rounded down."""
    return shares_micro * amount_micros // 10_000_000_000


def backdate(db, user_id, when):
    """Moves the investor's whole history to `when` (New York time): their positions were held since."""
    for table in ("trades", "cash_movements"):
        query(db, f"UPDATE {table} SET created_at = (%s::timestamp AT TIME ZONE 'America/New_York') "
                  "WHERE user_id = %s RETURNING 1", when, user_id)


def credit(secret, day=None):
    answer = post_internal("/internal/dividends/credit" + (f"?day={day}" if day else ""), secret)
    assert answer.status_code == 200, answer.text
    return answer.json()


def invested(priced_stack, cents=100_000_000):
    investor = Investor()
    investor.onboard(3, "long")
    assert investor.post("/wallet/deposits", {"amount_cents": cents}).status_code == 201
    assert investor.post("/portfolio/invest", {"amount_cents": cents}).status_code == 201
    wait_deployed(investor)
    return investor


def best_ex_day(db, symbols, after):
    """The ex-date after `after` on which the most of `symbols` pay (ties: the earliest)."""
    rows = query(db, "SELECT ex_day::text FROM dividends WHERE symbol = ANY(%s) AND ex_day > %s::date "
                     "GROUP BY ex_day ORDER BY count(*) DESC, ex_day LIMIT 1", list(symbols), after)
    return rows[0][0]


def test_the_bundled_history_is_loaded_exactly(priced_stack, db):
    # decisional/data/PROVENANCE.md: 2,275 rows, all 20 symbols; BND 2007-05-01 paid $0.127 a share
    assert scalar(db, "SELECT count(*) FROM dividends WHERE source = 'bundled'") == 2275
    assert scalar(db, "SELECT count(DISTINCT symbol) FROM dividends") == 20
    assert scalar(db, "SELECT amount_micros FROM dividends WHERE symbol = 'BND' AND ex_day = '2007-05-01'") == 127000
    assert scalar(db, "SELECT count(*) FROM dividends WHERE symbol = 'TLT'") == 255


def test_held_positions_receive_floor_cents_once_and_the_next_deploy_reinvests(priced_stack, db, internal_secret):
    investor = invested(priced_stack)
    late = invested(priced_stack)  # bought on the ex-date itself: not entitled
    backdate(db, investor.id, f"{HELD_FROM} 12:00")
    held = dict(query(db, "SELECT symbol, shares_micro FROM positions WHERE user_id = %s AND shares_micro > 0",
                      investor.id))
    day = best_ex_day(db, held, HELD_FROM)
    backdate(db, late.id, f"{day} 10:00")
    amounts = dict(query(db, "SELECT symbol, amount_micros FROM dividends WHERE ex_day = %s AND symbol = ANY(%s)",
                         day, list(held)))
    assert amounts, f"none of {sorted(held)} pays on {day}"
    expected = {s: floor_cents(held[s], a) for s, a in amounts.items() if floor_cents(held[s], a) > 0}
    before = investor.get("/portfolio").json()
    last_batch = scalar(db, "SELECT coalesce(max(id), 0) FROM rebalance_batches WHERE user_id = %s", investor.id)
    movements_before = scalar(db, "SELECT count(*) FROM cash_movements")

    answer = credit(internal_secret, day)
    assert answer["days"][0]["ex_day"] == day

    paid = dict(query(db, "SELECT dp.symbol, m.amount_cents FROM dividend_payments dp JOIN cash_movements m "
                          "ON m.id = dp.movement_id WHERE dp.user_id = %s AND m.kind = 'dividend'", investor.id))
    assert paid == expected
    assert scalar(db, "SELECT count(*) FROM dividend_payments WHERE user_id = %s", late.id) == 0
    # the movement is filed on its ex-date (its close, New York)
    assert {r[0] for r in query(db, "SELECT (created_at AT TIME ZONE 'America/New_York')::date::text "
                                    "FROM cash_movements WHERE user_id = %s AND kind = 'dividend'", investor.id)} == {day}
    total = sum(expected.values())
    assert answer["payments"] >= len(expected) and answer["cents"] >= total

    # the transactions list shows each dividend with its fund, shares and amount per share
    rows = [t for t in investor.get("/transactions?limit=100").json()["transactions"] if t["kind"] == "dividend"]
    assert {t["symbol"]: t["amount_cents"] for t in rows} == expected
    for t in rows:
        assert t["type"] == "cash" and t["operation"] == f"movement:{t['id']}"
        assert t["shares_micro"] == held[t["symbol"]] and t["per_share_micros"] == amounts[t["symbol"]]

    # again, by day and by the catch-up: nothing more
    again = credit(internal_secret, day)
    assert again["payments"] == 0 and again["cents"] == 0
    credit(internal_secret)
    assert dict(query(db, "SELECT dp.symbol, dp.cents FROM dividend_payments dp WHERE dp.user_id = %s "
                          "AND dp.ex_day = %s", investor.id, day)) == expected
    assert scalar(db, "SELECT count(*) FROM cash_movements WHERE user_id = %s AND kind = 'dividend' "
                      "AND (created_at AT TIME ZONE 'America/New_York')::date = %s", investor.id, day) == len(expected)
    # One notification of the day to the investor, with the day's total, however often it is credited.
    notes = query(db, "SELECT title, body FROM notifications WHERE user_id = %s AND kind = 'dividend_paid' "
                      "AND ref = %s", investor.id, f"dividend:{day}")
    assert len(notes) == 1 and notes[0][0] == "Dividend paid", notes
    assert f"${total // 100:,}.{total % 100:02d}" in notes[0][1], notes
    audit()

    # the dividend was pending cash: the sweep deploys it, cash first, into the model's funds
    def reinvested():
        p = investor.get("/portfolio").json()
        return p if p["pending_cents"] == 0 and p["cash_cents"] < before["cash_cents"] + total else None

    after = wait_for(reinvested, WAIT_SECONDS, what="the dividends to be reinvested")
    bought = scalar(db, "SELECT coalesce(sum(t.amount_cents), 0) FROM trades t JOIN rebalance_batches b "
                        "ON b.id = t.batch_id WHERE t.user_id = %s AND b.kind = 'deploy' AND t.side = 'buy' AND b.id > %s",
                    investor.id, last_batch)
    assert 0 < bought <= before["cash_cents"] + total
    assert after["cash_cents"] == before["cash_cents"] + total - bought
    # P&L counts the dividend as a gain, not a contribution
    assert after["net_contributions_cents"] == before["net_contributions_cents"]
    assert scalar(db, "SELECT count(*) FROM cash_movements") >= movements_before + len(expected)
    audit()


def test_a_position_sold_on_the_ex_date_is_still_paid(priced_stack, db, internal_secret):
    """Held at the end of the day before: a sale on the ex-date does not take the dividend away, and the
    shares are those of the day before (now minus the trades since)."""
    investor = invested(priced_stack, 20_000_000)
    backdate(db, investor.id, f"{HELD_FROM} 12:00")
    held = dict(query(db, "SELECT symbol, shares_micro FROM positions WHERE user_id = %s AND shares_micro > 0",
                      investor.id))
    day = best_ex_day(db, held, HELD_FROM)
    sale = investor.post("/portfolio/sell", {"all": True})
    assert sale.status_code == 201, sale.text
    assert scalar(db, "SELECT count(*) FROM positions WHERE user_id = %s AND shares_micro > 0", investor.id) == 0
    query(db, "UPDATE trades SET created_at = (%s::timestamp AT TIME ZONE 'America/New_York') "
              "WHERE user_id = %s AND side = 'sell' RETURNING 1", f"{day} 11:00", investor.id)
    amounts = dict(query(db, "SELECT symbol, amount_micros FROM dividends WHERE ex_day = %s AND symbol = ANY(%s)",
                         day, list(held)))
    expected = {s: floor_cents(held[s], a) for s, a in amounts.items() if floor_cents(held[s], a) > 0}
    credit(internal_secret, day)
    paid = dict(query(db, "SELECT symbol, cents FROM dividend_payments WHERE user_id = %s AND ex_day = %s",
                      investor.id, day))
    assert paid == expected
    audit()


def test_a_bad_day_is_400_and_the_metric_counts(priced_stack, internal_secret):
    answer = post_internal("/internal/dividends/credit?day=2024-13-01", internal_secret)
    assert answer.status_code == 400 and answer.json()["error"]["code"]
    metrics = requests.get(f"{INTERNAL}/metrics", timeout=HTTP_TIMEOUT).text
    assert "parity_operational_dividends_credited_total" in metrics
    assert "parity_operational_dividend_cents_total" in metrics


def test_the_same_day_credited_twice_at_once_pays_once(priced_stack, db, internal_secret):
    """Two runs of one day at the same time (a CronJob and the pipeline's catch-up, two replicas): the
    second waits for the first's rows and inserts nothing; together they pay each position once."""
    investor = invested(priced_stack, 10_000_000)
    backdate(db, investor.id, f"{HELD_FROM} 12:00")
    held = dict(query(db, "SELECT symbol, shares_micro FROM positions WHERE user_id = %s AND shares_micro > 0",
                      investor.id))
    # a later ex-date than the other tests' (those credited theirs already), so this run pays
    day = query(db, "SELECT ex_day::text FROM dividends WHERE symbol = ANY(%s) AND ex_day > '2024-06-01' "
                    "AND NOT EXISTS (SELECT 1 FROM dividend_days c WHERE c.ex_day = dividends.ex_day) "
                    "GROUP BY ex_day ORDER BY count(*) DESC, ex_day LIMIT 1", list(held))[0][0]
    amounts = dict(query(db, "SELECT symbol, amount_micros FROM dividends WHERE ex_day = %s AND symbol = ANY(%s)",
                         day, list(held)))
    expected = {s: floor_cents(held[s], a) for s, a in amounts.items() if floor_cents(held[s], a) > 0}
    # (an investor's simulated past, the demo's, may have been paid that day already: not by these runs)
    before = scalar(db, "SELECT count(*) FROM dividend_payments WHERE ex_day = %s", day)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: credit(internal_secret, day), range(2)))
    mine = dict(query(db, "SELECT symbol, cents FROM dividend_payments WHERE user_id = %s AND ex_day = %s",
                      investor.id, day))
    assert mine == expected
    paid = scalar(db, "SELECT count(*) FROM dividend_payments WHERE ex_day = %s", day) - before
    assert sum(a["payments"] for a in answers) == paid
    assert scalar(db, "SELECT payments FROM dividend_days WHERE ex_day = %s", day) == paid
    audit()
