"""Monthly statements and trade confirmations through the API (operational/svc_statement.h), against the real
stack. The figures are recomputed here from the ledger rows and daily_prices, not from the daemon's history:
the account's value at the end of a New York day is the wallet's cash + the portfolio's cash + each symbol's
shares at its newest close on or before that day (rounded half up to the cent, the ledger's rule). A past month
comes from `parity demo-history --years 1` (a year of monthly deposits, invests, rebalances and dividends
written by the product's own code, back-dated: the `past` fixture); the current month from deposits, an invest,
a sale and a withdrawal made here.
The PDFs are read back with pdftotext (poppler-utils)."""

import datetime
import subprocess
from zoneinfo import ZoneInfo

import pytest
import requests

import conftest
from conftest import HTTP_TIMEOUT, PUBLIC, audit, query, scalar
from test_money import Investor, answers, value_cents, wait_deployed

NY = ZoneInfo("America/New_York")
PAST_MONTH = "2026-03"  # inside the demo year (the bundled data ends on 2026-05-01): a month end with a step


def money_text(cents):
    """parity_money_text(): "$1,234.50", "-$0.05"."""
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100:,}.{abs(cents) % 100:02d}"


def pdftotext(pdf):
    run = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return run.stdout.decode()


def ny_day(ts):
    return ts.astimezone(NY).date()


class Ledger:
    """One investor's rows and the closes of the symbols they traded, for values at the end of any day."""

    def __init__(self, db, user_id):
        self.movements = [(ny_day(t), kind, cents) for t, kind, cents in query(
            db, "SELECT created_at, kind, amount_cents FROM cash_movements WHERE user_id = %s", user_id)]
        self.trades = [(ny_day(t), i, symbol, side, shares, cents) for t, i, symbol, side, shares, cents in query(
            db, "SELECT created_at, id, symbol, side, shares_micro, amount_cents FROM trades WHERE user_id = %s "
                "ORDER BY created_at, id", user_id)]
        symbols = sorted({t[2] for t in self.trades})
        self.closes = {}
        for symbol, day, close in query(db, "SELECT symbol, day, close FROM daily_prices WHERE symbol = ANY(%s) "
                                            "ORDER BY symbol, day", symbols):
            self.closes.setdefault(symbol, []).append((day, close))

    def close_on(self, symbol, day):
        before = [c for d, c in self.closes[symbol] if d <= day]
        return before[-1]

    def wallet(self, day):
        sign = {"deposit": 1, "sell": 1, "withdrawal": -1, "invest": -1, "fee": -1}
        return sum(sign.get(kind, 0) * cents for d, kind, cents in self.movements if d <= day)

    def portfolio(self, day):
        cash = sum({"invest": 1, "sell": -1, "dividend": 1}.get(kind, 0) * cents
                   for d, kind, cents in self.movements if d <= day)
        shares = {}
        for d, _, symbol, side, qty, cents in self.trades:
            if d <= day:
                sign = 1 if side == "buy" else -1
                cash -= sign * cents
                shares[symbol] = shares.get(symbol, 0) + sign * qty
        held = {s: q for s, q in shares.items() if q > 0}
        positions = sum(value_cents(q, self.close_on(s, day)) for s, q in held.items())
        return cash + positions, cash, held

    def value(self, day):
        return self.wallet(day) + self.portfolio(day)[0]

    def flow(self, day):
        """The portfolio's external flow of a day (invest +, sell -), the history's return convention."""
        return sum({"invest": 1, "sell": -1}.get(kind, 0) * cents for d, kind, cents in self.movements if d == day)

    def sums(self, first, last, kind):
        return sum(cents for d, k, cents in self.movements if k == kind and first <= d <= last)


def month_bounds(month):
    y, m = map(int, month.split("-"))
    first = datetime.date(y, m, 1)
    last = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
    return first, last


def adds_up(st):
    return (st["opening_value_cents"] + st["contributions_cents"] - st["withdrawals_cents"] + st["dividends_cents"]
            - st["fees_cents"] + st["market_change_cents"]) == st["closing_value_cents"]


@pytest.fixture(scope="module")
def past(priced_stack, db_url):
    """An investor with a year of back-dated history: `parity demo-history --years 1` writes it by the
    product's own code (trades, lots, dividends, every row dated in the past)."""
    session, _ = conftest.login_user()
    answer = session.post(f"{PUBLIC}/api/v1/onboarding", json={"answers": answers(3, "medium")},
                          timeout=HTTP_TIMEOUT)
    assert answer.status_code == 200, answer.text
    me = session.get(f"{PUBLIC}/api/v1/me", timeout=HTTP_TIMEOUT).json()
    run = conftest.parity_tool("demo-history", "--email", me["email"], "--years", "1")
    assert run.returncode == 0, run.stderr
    db = conftest.connect(db_url)
    yield {"email": me["email"], "session": session, "id": int(me["id"]), "base": f"{PUBLIC}/api/v1", "db": db}
    db.close()


def get(session, path, **kw):
    return session.get(f"{PUBLIC}/api/v1{path}", timeout=HTTP_TIMEOUT, **kw)


def past_get(past, path, **kw):
    return past["session"].get(f"{past['base']}{path}", timeout=HTTP_TIMEOUT, **kw)


def test_a_past_month_is_valued_at_its_closes_and_adds_up(past):
    answer = past_get(past, f"/statements/{PAST_MONTH}")
    assert answer.status_code == 200, answer.text
    st = answer.json()
    ledger = Ledger(past["db"], past["id"])
    first, last = month_bounds(PAST_MONTH)
    assert (st["month"], st["from"], st["to"], st["complete"]) == (PAST_MONTH, first.isoformat(), last.isoformat(),
                                                                   True)
    assert st["includes_wallet_cash"] is True and st["investor"]["email"] == past["email"]
    opening_day = first - datetime.timedelta(days=1)
    assert st["opening_value_cents"] == ledger.value(opening_day)
    assert st["closing_value_cents"] == ledger.value(last)
    assert st["contributions_cents"] == ledger.sums(first, last, "deposit") == 100_000  # the month end's $1,000
    assert st["withdrawals_cents"] == ledger.sums(first, last, "withdrawal")
    assert st["dividends_cents"] == ledger.sums(first, last, "dividend")
    assert st["invested_cents"] == ledger.sums(first, last, "invest")
    assert st["opening_value_cents"] > 5_000_000  # a year of holdings: the opening is not an empty account
    assert adds_up(st)
    # the market change is what the holdings gained: the closing minus the opening, the money that came in and
    # the dividends the funds paid (the demo's year has them: March's quarterly ex-dates among them)
    assert st["market_change_cents"] == ledger.value(last) - ledger.value(opening_day) - 100_000 - st["dividends_cents"]
    assert scalar(past["db"], "SELECT count(*) FROM cash_movements WHERE user_id = %s AND kind = 'dividend'",
                  past["id"]) > 0
    value, cash, held = ledger.portfolio(last)
    assert st["closing"]["portfolio_value_cents"] == value and st["closing"]["portfolio_cash_cents"] == cash
    assert st["closing"]["wallet_cash_cents"] == ledger.wallet(last) == 0
    assert {h["symbol"]: h["shares_micro"] for h in st["holdings"]} == held
    for h in st["holdings"]:
        assert h["value_cents"] == value_cents(h["shares_micro"], ledger.close_on(h["symbol"], last))
    assert sum(h["value_cents"] for h in st["holdings"]) == st["closing"]["positions_value_cents"]
    month_trades = [t for t in ledger.trades if first <= t[0] <= last]
    assert month_trades, "the month end's step trades"
    assert [t["id"] for t in st["trades"]] == [t[1] for t in month_trades]
    assert st["bought_cents"] == sum(t[5] for t in month_trades if t[3] == "buy")
    # the portfolio's time-weighted return: the daily chain with flows at the start of the day
    growth, prev = 1.0, ledger.portfolio(opening_day)[0]
    day = first
    while day <= last:
        v = ledger.portfolio(day)[0]
        at_risk = prev + ledger.flow(day)
        if at_risk > 0:
            growth *= v / at_risk
        prev, day = v, day + datetime.timedelta(days=1)
    assert st["performance"]["twr"] == pytest.approx(growth - 1, abs=1e-12)


def test_consecutive_months_join_and_the_list_runs_to_this_month(past):
    db = past["db"]
    feb = past_get(past, "/statements/2026-02").json()
    mar = past_get(past, f"/statements/{PAST_MONTH}").json()
    assert feb["closing_value_cents"] == mar["opening_value_cents"]
    listing = past_get(past, "/statements")
    assert listing.status_code == 200
    months = listing.json()["months"]
    this_month = scalar(db, "SELECT to_char(now() AT TIME ZONE 'America/New_York', 'YYYY-MM')")
    first_month = scalar(db, "SELECT to_char(min(created_at) AT TIME ZONE 'America/New_York', 'YYYY-MM') "
                             "FROM cash_movements WHERE user_id = %s", past["id"])
    assert months[0] == {"month": this_month, "complete": False, "activity": False}
    assert months[-1]["month"] == first_month and months[-1]["activity"] is True
    y, m = map(int, first_month.split("-"))
    ty, tm = map(int, this_month.split("-"))
    assert len(months) == (ty - y) * 12 + tm - m + 1  # every month, quiet ones too, newest first
    assert {x["month"]: x["activity"] for x in months}[PAST_MONTH] is True
    # months outside the list have no statement
    before = f"{y - 1:04d}-{m:02d}"
    after = f"{ty + 1:04d}-{tm:02d}"
    for month in (before, after):
        answer = past_get(past, f"/statements/{month}")
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "STATEMENT_NOT_FOUND"


def test_the_past_month_pdf_shows_the_investors_figures(past):
    st = past_get(past, f"/statements/{PAST_MONTH}").json()
    answer = past_get(past, f"/statements/{PAST_MONTH}.pdf")
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == "application/pdf"
    assert answer.headers["Content-Disposition"] == f'attachment; filename="parity-statement-{PAST_MONTH}.pdf"'
    assert answer.content.startswith(b"%PDF-1.4")
    text = pdftotext(answer.content)
    assert "Monthly statement: March 2026" in text and past["email"] in text
    for key in ("opening_value_cents", "closing_value_cents", "contributions_cents", "market_change_cents"):
        assert money_text(st[key]) in text, key
    for h in st["holdings"]:
        assert h["symbol"] in text and money_text(h["value_cents"]) in text
    assert money_text(st["trades"][0]["amount_cents"]) in text
    same = past_get(past, f"/statements/{PAST_MONTH}", params={"format": "pdf"})
    assert same.status_code == 200 and same.content == answer.content


@pytest.fixture(scope="module")
def current(priced_stack):
    """An investor who deposits twice, invests, sells part and withdraws, all this month, through the API."""
    inv = Investor()
    inv.onboard(4, "long")
    for cents in (1_000_000, 500_000):
        assert inv.post("/wallet/deposits", {"amount_cents": cents}).status_code == 201
    assert inv.post("/portfolio/invest", {"amount_cents": 1_200_000}).status_code == 201
    wait_deployed(inv)
    sale = inv.post("/portfolio/sell", {"amount_cents": 300_000})
    assert sale.status_code == 201, sale.text
    assert inv.post("/wallet/withdrawals", {"amount_cents": 100_000}).status_code == 201
    return inv


def this_month(db):
    return scalar(db, "SELECT to_char(now() AT TIME ZONE 'America/New_York', 'YYYY-MM')")


def test_this_month_to_date_adds_up_to_the_wallet_and_the_portfolio(current, db):
    month = this_month(db)
    st = current.get(f"/statements/{month}").json()
    assert st["complete"] is False and st["opening_value_cents"] == 0
    assert st["to"] == scalar(db, "SELECT (now() AT TIME ZONE 'America/New_York')::date::text")
    assert st["contributions_cents"] == 1_500_000 and st["withdrawals_cents"] == 100_000
    assert st["invested_cents"] == 1_200_000
    sold = scalar(db, "SELECT amount_cents FROM cash_movements WHERE user_id = %s AND kind = 'sell'", current.id)
    assert st["sold_cents"] == sold
    wallet = current.get("/wallet").json()["cash_cents"]
    portfolio = current.get("/portfolio").json()
    assert st["closing"]["wallet_cash_cents"] == wallet == 1_500_000 - 1_200_000 + sold - 100_000
    assert st["closing"]["portfolio_value_cents"] == portfolio["value_cents"]
    assert st["closing"]["portfolio_cash_cents"] == portfolio["cash_cents"]
    assert st["closing_value_cents"] == wallet + portfolio["value_cents"]
    assert adds_up(st)
    assert st["market_change_cents"] == wallet + portfolio["value_cents"] - 1_500_000 + 100_000
    trades = query(db, "SELECT id, side, amount_cents FROM trades WHERE user_id = %s ORDER BY created_at, id",
                   current.id)
    assert [t["id"] for t in st["trades"]] == [t[0] for t in trades]
    assert {t["side"] for t in st["trades"]} == {"buy", "sell"}
    assert st["bought_cents"] == sum(c for _, side, c in trades if side == "buy")
    assert st["sold_trades_cents"] == sum(c for _, side, c in trades if side == "sell")
    listing = current.get("/statements").json()["months"]
    assert listing == [{"month": month, "complete": False, "activity": True}]
    audit()


def test_this_months_pdf_and_a_trade_confirmation(current, db):
    month = this_month(db)
    st = current.get(f"/statements/{month}").json()
    pdf = current.get(f"/statements/{month}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    text = pdftotext(pdf.content)
    for key in ("closing_value_cents", "contributions_cents"):
        assert money_text(st[key]) in text, key
    assert money_text(-st["withdrawals_cents"]) in text and "month to date" in text

    trade = st["trades"][-1]
    answer = current.get(f"/trades/{trade['id']}/confirmation")
    assert answer.status_code == 200, answer.text
    c = answer.json()
    row = query(db, "SELECT symbol, side, shares_micro, price_micros, amount_cents, reason FROM trades WHERE id = %s",
                trade["id"])[0]
    assert (c["symbol"], c["side"], c["shares_micro"], c["price_micros"], c["amount_cents"], c["reason"]) == row
    assert c["id"] == trade["id"] and c["fees_cents"] == 0
    doc = current.get(f"/trades/{trade['id']}/confirmation", params={"format": "pdf"})
    assert doc.status_code == 200 and doc.headers["Content-Type"] == "application/pdf"
    assert doc.headers["Content-Disposition"] == f'attachment; filename="parity-trade-{trade["id"]}.pdf"'
    text = pdftotext(doc.content)
    assert "Trade confirmation" in text and c["symbol"] in text and money_text(c["amount_cents"]) in text


def test_another_investor_reads_none_of_it(current, db):
    other = Investor()
    month = this_month(db)
    assert other.get("/statements").json()["months"] == []
    answer = other.get(f"/statements/{month}")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "STATEMENT_NOT_FOUND"
    trade_id = scalar(db, "SELECT max(id) FROM trades WHERE user_id = %s", current.id)
    for fmt in ("json", "pdf"):
        answer = other.get(f"/trades/{trade_id}/confirmation", params={"format": fmt})
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "TRADE_NOT_FOUND"
    # the investor's month is theirs alone: the other's statement of it does not exist
    assert other.get(f"/statements/{month}.pdf").status_code == 404
    anonymous = requests.get(f"{PUBLIC}/api/v1/statements/{month}", timeout=HTTP_TIMEOUT)
    assert anonymous.status_code == 401


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "2026-4", "26-04", "2026-04-01", "abcd-ef", "1969-12",
                                   "2026-04.txt", "2026-04.pdf.pdf"])
def test_a_bad_month_is_400(current, month):
    answer = current.get(f"/statements/{month}")
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "INVALID_MONTH" and "YYYY-MM" in error["message"]


def test_a_bad_format_or_trade_id_is_refused(current, db):
    month = this_month(db)
    answer = current.get(f"/statements/{month}", params={"format": "xml"})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "INVALID_FORMAT"
    answer = current.get(f"/statements/{month}.pdf", params={"format": "json"})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "INVALID_FORMAT"
    for bad in ("0", "abc", "-1", "99999999999999999999"):
        answer = current.get(f"/trades/{bad}/confirmation")
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "TRADE_NOT_FOUND", bad
