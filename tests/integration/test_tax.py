"""The tax ledger through the API: lots opened by deploys and closed by sells, realized gains, the wash-sale
rule when a deploy buys within 30 days after a loss sale, the Form 8949 report, the sale preview, the
settings, and `parity audit` (lots included) after every scenario (a redelivered batch: test_money.py).
Real daemons, real PostgreSQL, real RabbitMQ. Expected figures are recomputed here from the trades and the rules of
operational/tax_lots.h (pro rata proceeds with cumulative floors, basis removed rounded half up,
disallowed loss floor(loss * replaced / shares))."""

import datetime

import pytest

import conftest
from conftest import audit, query, scalar
from test_money import Investor, wait_deployed


class TaxInvestor(Investor):
    def patch_settings(self, body):
        return self.session.patch(f"{conftest.PUBLIC}/api/v1/me/settings", json=body, timeout=conftest.HTTP_TIMEOUT)


@pytest.fixture()
def investor(priced_stack):
    return TaxInvestor()


@pytest.fixture()
def moved_prices(db):
    """Moves a symbol's price by an intraday bar newer than every close (what a sell and a deploy price
    at); the bars are removed afterwards so other tests see the bundled closes again."""
    added = []

    def move(symbol, factor):
        close = scalar(db, "SELECT close FROM daily_prices WHERE symbol = %s ORDER BY day DESC LIMIT 1", symbol)
        price = round(close * factor, 4)
        ts = query(db, "INSERT INTO intraday_prices (symbol, ts, price) VALUES (%s, now(), %s) RETURNING ts",
                   symbol, price)[0][0]
        added.append((symbol, ts))
        return price

    yield move
    for symbol, ts in added:
        query(db, "DELETE FROM intraday_prices WHERE symbol = %s AND ts = %s", symbol, ts)


def today():
    return datetime.datetime.now(datetime.timezone.utc).date()


def removed_basis(cost, held, sold):
    """parity_cost_basis_after_sell's rounding: the basis a sale of `sold` of `held` takes, half up."""
    return cost if sold >= held else (cost * sold * 2 + held) // (2 * held)


def invested(investor, cents, risk=4, horizon="long"):
    investor.onboard(risk, horizon)
    investor.post("/wallet/deposits", {"amount_cents": cents})
    assert investor.post("/portfolio/invest", {"amount_cents": cents}).status_code == 201
    return wait_deployed(investor)


def trades_of(db, user_id, side):
    return query(db, "SELECT id, symbol, shares_micro, amount_cents FROM trades WHERE user_id = %s AND side = %s "
                     "ORDER BY id", user_id, side)


def test_a_deploy_opens_one_lot_per_buy_and_a_sell_closes_them(investor, db):
    p = invested(investor, 2_000_000)
    lots = investor.get("/tax/lots")
    assert lots.status_code == 200, lots.text
    body = lots.json()
    assert body["method"] == "tax_min"
    newest = scalar(db, "SELECT max(day)::text FROM daily_prices")
    assert body["prices_as_of"] == newest
    buys = {symbol: (shares, cents) for _, symbol, shares, cents in trades_of(db, investor.id, "buy")}
    assert {lot["symbol"] for lot in body["lots"]} == set(buys)
    for lot in body["lots"]:
        assert (lot["shares_micro"], lot["basis_cents"]) == buys[lot["symbol"]]
        assert lot["acquired"] == today().isoformat() and lot["term"] == "short"
        assert lot["unrealized_cents"] == lot["value_cents"] - lot["basis_cents"]
    held = {pos["symbol"]: pos for pos in p["positions"]}

    # The preview and the sale agree, piece by piece, and with the rule recomputed here.
    amount = 700_000
    preview = investor.post("/portfolio/sell/preview", {"amount_cents": amount})
    assert preview.status_code == 200, preview.text
    sold = investor.post("/portfolio/sell", {"amount_cents": amount})
    assert sold.status_code == 201, sold.text
    rest = amount - min(amount, p["cash_cents"])
    expected = []
    for symbol in sorted(held):
        pos = held[symbol]
        shares = pos["shares_micro"] * rest // p["positions_value_cents"]
        proceeds = conftest_value(shares, pos["price"])
        if shares <= 0 or proceeds <= 0:
            continue
        basis = removed_basis(pos["cost_basis_cents"], pos["shares_micro"], shares)
        expected.append((symbol, shares, proceeds, basis))
    got = [(x["symbol"], x["shares_micro"], x["proceeds_cents"], x["basis_cents"]) for x in preview.json()["lots"]]
    assert got == expected
    assert preview.json()["amount_cents"] == sold.json()["amount_cents"]
    rows = query(db, "SELECT symbol, shares_micro, proceeds_cents, basis_cents, term, wash_cents, sold::text, "
                     "trade_id FROM realized_gains WHERE user_id = %s ORDER BY symbol", investor.id)
    assert [r[:4] for r in rows] == expected
    sells = {symbol: tid for tid, symbol, _, _ in trades_of(db, investor.id, "sell")}
    for r in rows:
        assert r[4] == "short" and r[5] == 0 and r[6] == today().isoformat() and r[7] == sells[r[0]]
    gain = sum(e[2] - e[3] for e in expected)
    assert preview.json()["short"] == {"gain_cents": gain} and preview.json()["long"] == {"gain_cents": 0}

    realized = investor.get(f"/tax/realized?year={today().year}").json()
    assert realized["short"] == {"proceeds_cents": sum(e[2] for e in expected),
                                 "basis_cents": sum(e[3] for e in expected), "gain_cents": gain}
    assert realized["long"] == {"proceeds_cents": 0, "basis_cents": 0, "gain_cents": 0}
    assert realized["wash_sale_disallowed_cents"] == 0 and realized["harvested_losses_cents"] == 0
    assert investor.get(f"/tax/realized?year={today().year - 1}").json()["short"]["proceeds_cents"] == 0
    # What is left of each lot is the position.
    after = {lot["symbol"]: lot for lot in investor.get("/tax/lots").json()["lots"]}
    for pos in investor.get("/portfolio").json()["positions"]:
        assert (after[pos["symbol"]]["shares_micro"], after[pos["symbol"]]["basis_cents"]) == \
            (pos["shares_micro"], pos["cost_basis_cents"])
    audit()

    assert investor.post("/portfolio/sell", {"all": True}).status_code == 201
    assert investor.get("/tax/lots").json()["lots"] == []
    assert scalar(db, "SELECT count(*) FROM lots WHERE user_id = %s", investor.id) == 0
    audit()


def conftest_value(shares_micro, price):
    micros = round(price * 1e6)
    return (shares_micro * micros + 5_000_000_000) // 10_000_000_000


def loss_sale(investor, db, moved_prices, backdate_days):
    """Invests, backdates the lots of the largest position by `backdate_days` (an old purchase), drops that
    symbol's price 20 % and sells everything: a loss on it. Returns the symbol and its realized row."""
    p = invested(investor, 4_000_000)
    symbol = max(p["positions"], key=lambda pos: pos["value_cents"])["symbol"]
    query(db, "UPDATE lots SET acquired = acquired - %s, bought = bought - %s WHERE user_id = %s AND symbol = %s",
          backdate_days, backdate_days, investor.id, symbol)
    moved_prices(symbol, 0.8)
    assert investor.post("/portfolio/sell", {"all": True}).status_code == 201
    row = query(db, "SELECT id, shares_micro, proceeds_cents, basis_cents, acquired, sold, term, wash_cents "
                    "FROM realized_gains WHERE user_id = %s AND symbol = %s", investor.id, symbol)
    assert len(row) == 1
    return symbol, row[0]


@pytest.mark.parametrize("sold_days_ago", [0, 30, 31])
def test_a_buy_within_30_days_after_a_loss_sale_is_a_wash_sale(investor, db, moved_prices, sold_days_ago):
    symbol, (gid, shares, proceeds, basis, acquired, sold, term, wash) = loss_sale(investor, db, moved_prices, 400)
    loss = basis - proceeds
    assert loss > 0 and wash == 0 and term == "long" and acquired == today() - datetime.timedelta(days=400)
    # The loss sale happened `sold_days_ago` days before today's buy.
    query(db, "UPDATE realized_gains SET sold = sold - %s, acquired = acquired - %s WHERE id = %s",
          sold_days_ago, sold_days_ago, gid)
    old_acquired = acquired - datetime.timedelta(days=sold_days_ago)
    before = {tid for tid, *_ in trades_of(db, investor.id, "buy")}
    # A smaller invest buys fewer shares of the symbol than were sold: a partial replacement.
    investor.post("/wallet/deposits", {"amount_cents": 1_000_000})
    assert investor.post("/portfolio/invest", {"amount_cents": 1_000_000}).status_code == 201
    wait_deployed(investor)
    new = [t for t in trades_of(db, investor.id, "buy") if t[0] not in before and t[1] == symbol]
    assert len(new) == 1
    bought, cost = new[0][2], new[0][3]
    assert bought < shares
    lots = [lot for lot in investor.get("/tax/lots").json()["lots"] if lot["symbol"] == symbol]
    assert len(lots) == 1
    replaced, wash = query(db, "SELECT replaced_micro, wash_cents FROM realized_gains WHERE id = %s", gid)[0]
    if sold_days_ago <= 30:
        expected_wash = loss * bought // shares  # floor(loss x replaced / sold shares)
        assert (replaced, wash) == (bought, expected_wash)
        assert lots[0]["basis_cents"] == cost + expected_wash
        assert lots[0]["acquired"] == old_acquired.isoformat() and lots[0]["term"] == "long"
        assert scalar(db, "SELECT replacement FROM lots WHERE id = %s", lots[0]["id"]) is True
    else:
        assert (replaced, wash) == (0, 0)
        assert lots[0]["basis_cents"] == cost and lots[0]["acquired"] == today().isoformat()
    expected_wash = wash
    year = (sold - datetime.timedelta(days=sold_days_ago)).year
    realized = investor.get(f"/tax/realized?year={year}").json()
    assert realized["wash_sale_disallowed_cents"] == expected_wash
    longs = query(db, "SELECT coalesce(sum(proceeds_cents - basis_cents + wash_cents), 0) FROM realized_gains "
                      "WHERE user_id = %s AND term = 'long' AND extract(year FROM sold) = %s", investor.id, year)
    assert realized["long"]["gain_cents"] == longs[0][0]
    report = investor.get(f"/tax/report?year={year}").json()
    row = [r for r in report["rows"] if r["description"].endswith(f" sh {symbol}")]
    assert len(row) == 1 and row[0]["proceeds_cents"] == proceeds and row[0]["basis_cents"] == basis
    assert row[0]["code"] == ("W" if expected_wash else "") and row[0]["adjustment_cents"] == expected_wash
    assert row[0]["gain_cents"] == proceeds - basis + expected_wash and row[0]["term"] == "long"
    csv = investor.get(f"/tax/report?year={year}&format=csv")
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert lines[0] == "description,acquired,sold,proceeds,basis,code,adjustment,gain,term"
    line = [x for x in lines[1:] if x.split(",")[0].endswith(f" sh {symbol}")][0].split(",")
    dollars = lambda c: f"{'-' if c < 0 else ''}{abs(c) // 100}.{abs(c) % 100:02d}"  # noqa: E731
    assert line[3:] == [dollars(proceeds), dollars(basis), "W" if expected_wash else "",
                        dollars(expected_wash) if expected_wash else "", dollars(proceeds - basis + expected_wash),
                        "long"]
    audit()


def test_lot_methods_choose_which_lots_a_sale_closes(investor, db, moved_prices):
    p = invested(investor, 2_000_000)
    symbol = max(p["positions"], key=lambda pos: pos["value_cents"])["symbol"]
    moved_prices(symbol, 0.8)  # now underweight: the next deploy buys a second, cheaper lot of it
    investor.post("/wallet/deposits", {"amount_cents": 2_000_000})
    assert investor.post("/portfolio/invest", {"amount_cents": 2_000_000}).status_code == 201
    wait_deployed(investor)
    dear, cheap = sorted((lot for lot in investor.get("/tax/lots").json()["lots"] if lot["symbol"] == symbol),
                         key=lambda lot: lot["id"])
    assert dear["basis_cents"] * cheap["shares_micro"] > cheap["basis_cents"] * dear["shares_micro"]
    # The cheap lot becomes the older one (bought 10 days ago), so first-in and highest-basis differ.
    query(db, "UPDATE lots SET acquired = acquired - 10, bought = bought - 10 WHERE id = %s", cheap["id"])

    def closed(method):
        assert investor.patch_settings({"lot_method": method}).json()["lot_method"] == method
        assert investor.get("/tax/lots").json()["method"] == method
        answer = investor.post("/portfolio/sell/preview", {"amount_cents": 100_000})
        assert answer.status_code == 200, answer.text
        pieces = [x for x in answer.json()["lots"] if x["symbol"] == symbol]
        assert len(pieces) == 1  # 2.5 % of the holding: within one lot
        return pieces[0]

    # fifo: the older (cheap) lot; hifo: the dear one; tax_min: the short-term loss, highest basis first.
    for method, lot in (("fifo", cheap), ("hifo", dear), ("tax_min", dear)):
        piece = closed(method)
        assert piece["acquired"] == (today() - datetime.timedelta(days=10 if lot is cheap else 0)).isoformat()
        assert piece["basis_cents"] == removed_basis(lot["basis_cents"], lot["shares_micro"], piece["shares_micro"])

    # The sale itself, by hifo: a loss on the dear lot while the cheap one was bought 10 days ago, so the
    # loss is disallowed (the cheap lot holds more shares than the piece: all of it) and moves into the part
    # of the cheap lot that replaces it (split off; bought before the dear lot, it keeps its own day).
    investor.patch_settings({"lot_method": "hifo"})
    assert investor.post("/portfolio/sell", {"amount_cents": 100_000}).status_code == 201
    shares, proceeds, basis, wash, replaced = query(
        db, "SELECT shares_micro, proceeds_cents, basis_cents, wash_cents, replaced_micro FROM realized_gains "
            "WHERE user_id = %s AND symbol = %s", investor.id, symbol)[0]
    assert shares < cheap["shares_micro"] and basis > proceeds
    assert (wash, replaced) == (basis - proceeds, shares)
    after = query(db, "SELECT shares_micro, basis_cents, acquired, bought, replacement FROM lots WHERE user_id = %s "
                      "AND symbol = %s AND bought = %s ORDER BY replacement", investor.id, symbol,
                  today() - datetime.timedelta(days=10))
    part = removed_basis(cheap["basis_cents"], cheap["shares_micro"], shares)
    assert after == [(cheap["shares_micro"] - shares, cheap["basis_cents"] - part, today() - datetime.timedelta(days=10),
                      today() - datetime.timedelta(days=10), False),
                     (shares, part + wash, today() - datetime.timedelta(days=10),
                      today() - datetime.timedelta(days=10), True)]
    audit()


def test_settings_and_harvests(investor):
    assert investor.get("/me/settings").json() == {"tax_loss_harvesting": False, "lot_method": "tax_min"}
    assert investor.patch_settings({"lot_method": "hifo"}).json() == {"tax_loss_harvesting": False,
                                                                      "lot_method": "hifo"}
    assert investor.patch_settings({"tax_loss_harvesting": True}).json() == {"tax_loss_harvesting": True,
                                                                             "lot_method": "hifo"}
    assert investor.get("/me/settings").json() == {"tax_loss_harvesting": True, "lot_method": "hifo"}
    for bad, code in [({"lot_method": "lifo"}, "INVALID_LOT_METHOD"), ({}, None), ({"colour": "red"}, None),
                      ({"tax_loss_harvesting": "yes"}, None)]:
        answer = investor.patch_settings(bad)
        assert answer.status_code == 400, bad
        if code:
            assert answer.json()["error"]["code"] == code
    assert investor.get("/tax/harvests").json() == {"harvests": [], "loss_cents": 0}
    assert investor.get("/tax/realized?year=20x6").status_code == 400
    assert investor.get("/tax/report?format=pdf").status_code == 400
    assert investor.post("/portfolio/sell/preview", {"amount_cents": 0}).status_code == 400


def family_model(db, bucket):
    """The newest model of `bucket`, and its weights summed per family of tax_families (symbol -> family)."""
    model = query(db, "SELECT weights FROM model_portfolios WHERE bucket_key = %s ORDER BY as_of_day DESC LIMIT 1",
                  bucket)[0][0]
    families = dict(query(db, "SELECT symbol, family FROM tax_families"))
    firsts = dict(query(db, "SELECT DISTINCT ON (family) family, symbol FROM tax_families ORDER BY family, rank"))
    return model, families, firsts


def test_a_harvesting_investor_is_invested_per_family(investor, db):
    """Targets per family: the family's weight is its members' model weights together, bought as its first
    member by rank; the funds of no family are bought as the model says."""
    assert investor.patch_settings({"tax_loss_harvesting": True}).status_code == 200
    amount = 4_000_000
    invested(investor, amount)
    model, families, firsts = family_model(db, investor.get("/me").json()["bucket"])
    wanted = {}
    for symbol, weight in model.items():
        if symbol == "CASH":
            continue
        key = firsts[families[symbol]] if symbol in families else symbol
        wanted[key] = wanted.get(key, 0) + weight
    merged = [s for s in model if s in families and firsts[families[s]] != s]
    assert merged, "the model holds a second member of some family"  # else this test proves nothing
    held = {pos["symbol"]: pos for pos in investor.get("/portfolio").json()["positions"]}
    assert set(held) == {s for s, w in wanted.items() if w * amount >= 100}
    for symbol, pos in held.items():
        assert abs(pos["cost_basis_cents"] - wanted[symbol] * amount) < 100 + 1, symbol
    audit()


def test_a_harvesting_investors_buy_avoids_the_fund_of_a_recent_loss(investor, db, moved_prices):
    """A loss sale of the family's first member, then a deploy within 30 days: the family is bought as the
    next member, so no loss is disallowed (a non-harvester gets the wash sale: the test above)."""
    assert investor.patch_settings({"tax_loss_harvesting": True}).status_code == 200
    invested(investor, 4_000_000)
    first = scalar(db, "SELECT symbol FROM tax_families WHERE family = 'us_broad' ORDER BY rank LIMIT 1")
    second = scalar(db, "SELECT symbol FROM tax_families WHERE family = 'us_broad' ORDER BY rank OFFSET 1 LIMIT 1")
    assert scalar(db, "SELECT shares_micro FROM positions WHERE user_id = %s AND symbol = %s", investor.id, first) > 0
    moved_prices(first, 0.8)
    assert investor.post("/portfolio/sell", {"all": True}).status_code == 201
    loss = query(db, "SELECT id, basis_cents - proceeds_cents FROM realized_gains WHERE user_id = %s AND symbol = %s",
                 investor.id, first)
    assert len(loss) == 1 and loss[0][1] > 0
    before = {tid for tid, *_ in trades_of(db, investor.id, "buy")}
    investor.post("/wallet/deposits", {"amount_cents": 1_000_000})
    assert investor.post("/portfolio/invest", {"amount_cents": 1_000_000}).status_code == 201
    wait_deployed(investor)
    bought = {t[1] for t in trades_of(db, investor.id, "buy") if t[0] not in before}
    assert first not in bought and second in bought, bought
    assert query(db, "SELECT replaced_micro, wash_cents FROM realized_gains WHERE id = %s", loss[0][0]) == [(0, 0)]
    audit()
