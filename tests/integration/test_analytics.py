"""Risk and backtests through the API (SPEC §8a).

The daily pipeline ends in CMD_BACKTEST: each model's risk over the lookback and the walk-forward backtest
of the 15 buckets, stored per as-of day in model_analytics. The API must give the same numbers as
`parity risk` and `parity backtest` run on the same prices (the bundled CSV the pipeline loaded), to 1e-9.
An investor's risk is checked against an independent rebuild: the history endpoint's daily TWR taken on
SPY's trading days, with tests/bench/reference.py's numpy implementation of the §8a metrics."""

import json
import os
import subprocess
import sys
import uuid

import pytest
import requests

import conftest
from conftest import BIN, DATA_FILE, HTTP_TIMEOUT, PUBLIC, base_env, envelope, query, scalar, wait_for
from test_history import Investor, Ledger, at, close_on, price_micros, shares_for

sys.path.insert(0, os.path.join(conftest.ROOT, "tests", "bench"))
import reference  # noqa: E402  (the independent numpy implementation of §8a)

BUCKETS = [f"risk_{r}_horizon_{h}" for r in range(1, 6) for h in ("short", "medium", "long")]
SERIES = len(BUCKETS) + 2  # the buckets, SPY and 60/40
AS_OF = "2026-05-01"  # the bundled data's last day
TOLERANCE = 1e-9
MAX_POINTS = 1000


def close(a, b, where):
    """Equal JSON values, numbers to TOLERANCE (null only where null)."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), (where, sorted(a), sorted(b))
        for k in a:
            close(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), (where, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            close(x, y, f"{where}[{i}]")
    elif isinstance(a, bool) or a is None or isinstance(a, str):
        assert a == b, (where, a, b)
    else:
        assert b is not None and abs(a - b) <= TOLERANCE, (where, a, b)


def api(path, **kw):
    return requests.get(f"{PUBLIC}/api/v1{path}", timeout=HTTP_TIMEOUT, **kw)


def cli(*args):
    run = subprocess.run([os.path.join(BIN, "parity"), *args], capture_output=True, text=True, env=base_env())
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def analytics_rows(db):
    return {k: (f, t) for k, f, t in query(db, "SELECT series_key, prices_fingerprint, computed_at::text "
                                               "FROM model_analytics WHERE as_of_day = %s", AS_OF)}


@pytest.fixture(scope="module")
def computed(priced_stack):
    """The pipeline's CMD_BACKTEST for the data's last day has written all 17 rows."""
    db = conftest.connect(os.environ["DATABASE_URL"])
    wait_for(lambda: len(analytics_rows(db)) == SERIES, what="model_analytics for the as-of day")
    rows = analytics_rows(db)
    db.close()
    return rows


def test_the_pipeline_stores_every_series_once_per_day(computed, db):
    assert set(computed) == set(BUCKETS) | {"SPY", "60/40"}
    assert len({f for f, _ in computed.values()}) == 1  # one digest of one set of inputs
    assert scalar(db, "SELECT count(*) FROM model_analytics WHERE risk IS NULL") == 2  # SPY, 60/40
    # The rows point to the backtest job that computed them, whose progress counted the 15 models simulated.
    jobs = query(db, "SELECT DISTINCT j.type, j.status, j.progress_done, j.progress_total, j.progress_unit "
                     "FROM model_analytics a JOIN jobs j ON j.id = a.job_id WHERE a.as_of_day = %s", AS_OF)
    assert jobs == [("backtest", "succeeded", 15, 15, "models")]


@pytest.mark.parametrize("bucket", BUCKETS)
def test_model_risk_is_parity_risk_on_the_same_prices(computed, bucket):
    answer = api(f"/models/{bucket}/risk")
    assert answer.status_code == 200, answer.text
    got = answer.json()
    assert (got["bucket"], got["as_of"], got["prices_as_of"], got["benchmark_symbol"]) == (bucket, AS_OF, AS_OF, "SPY")
    assert got["to"] == AS_OF and got["days"] == got["lookback"] == 1260
    want = cli("risk", "--csv", DATA_FILE, "--weights", json.dumps(got["weights"]), "--from", got["from"], "--to",
               got["to"])
    close(want, {k: got[k] for k in want}, bucket)


@pytest.fixture(scope="module")
def cli_backtest(computed):
    return cli("backtest", "--csv", DATA_FILE, "--to", AS_OF)


@pytest.mark.parametrize("bucket", BUCKETS)
def test_model_backtest_is_parity_backtest_on_the_same_prices(cli_backtest, bucket):
    answer = api(f"/models/{bucket}/backtest?full=1")
    assert answer.status_code == 200, answer.text
    got = answer.json()
    assert (got["from"], got["to"], got["decisions"]) == (cli_backtest["from"], cli_backtest["to"],
                                                          cli_backtest["decisions"])
    assert (got["as_of"], got["prices_as_of"], got["cost_bps"]) == (AS_OF, AS_OF, 0)
    assert set(got["series"]) == {bucket, "SPY", "60/40"}
    for key in got["series"]:
        close(cli_backtest["series"][key], got["series"][key], f"{bucket}/{key}")
    assert got["downsampling"]["method"] == "none"
    assert got["downsampling"]["points"] == got["downsampling"]["total_points"] == len(got["series"][bucket]["values"])


def test_backtest_values_are_thinned_to_at_most_1000_keeping_the_ends(computed):
    bucket = "risk_3_horizon_medium"
    full = api(f"/models/{bucket}/backtest?full=1").json()
    thin = api(f"/models/{bucket}/backtest").json()
    n = len(full["series"][bucket]["values"])
    assert n > MAX_POINTS  # the bundled history is long enough for the thinning to matter
    k = thin["downsampling"]["step"]
    # The history endpoint's rule: the last point, every k-th counted back from it, and the first.
    kept = [i for i in range(n) if i == 0 or (n - 1 - i) % k == 0]
    assert len(kept) <= MAX_POINTS
    assert thin["downsampling"] == {"method": "every_kth_from_last", "step": k, "points": len(kept),
                                    "total_points": n, "max_points": MAX_POINTS}
    for key in (bucket, "SPY", "60/40"):
        values = thin["series"][key]["values"]
        assert values == [full["series"][key]["values"][i] for i in kept], key
        assert values[0] == full["series"][key]["values"][0] and values[-1] == full["series"][key]["values"][-1]
        assert values[0][1] == 1.0
        assert thin["series"][key]["metrics"] == full["series"][key]["metrics"]  # of the full series


@pytest.mark.parametrize("query_text", ["full=2", "full=yes", "full="])
def test_a_bad_full_is_400(computed, query_text):
    answer = api(f"/models/risk_1_horizon_short/backtest?{query_text}")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"]


@pytest.mark.parametrize("bucket", ["risk_6_horizon_short", "risk_1_horizon_forever", "SPY", "risk_3_horizon_", "nope"])
@pytest.mark.parametrize("what", ["risk", "backtest"])
def test_an_unknown_bucket_is_404(computed, bucket, what):
    answer = api(f"/models/{bucket}/{what}")
    assert answer.status_code == 404, answer.text
    assert answer.json()["error"]["code"] == "NOT_FOUND"


def last_backtest_command(db):
    return query(db, "SELECT id::text, payload FROM outbox WHERE type = 'CMD_BACKTEST' ORDER BY created_at DESC "
                     "LIMIT 1")[0]


def test_a_redelivered_or_repeated_cmd_backtest_changes_nothing(computed, db, broker):
    before = analytics_rows(db)
    message_id, payload = last_backtest_command(db)
    assert payload["as_of"] == AS_OF
    # The same message again (a redelivery): processed_messages already holds its id.
    broker.publish("CMD_BACKTEST", envelope("CMD_BACKTEST", payload, message_id), message_id)
    # A new message for the same day and the same prices: the stored digest matches, nothing is rewritten.
    fresh = str(uuid.uuid4())
    broker.publish("CMD_BACKTEST", envelope("CMD_BACKTEST", payload, fresh), fresh)
    wait_for(lambda: scalar(db, "SELECT count(*) FROM processed_messages WHERE message_id = %s", fresh),
             what="the repeated CMD_BACKTEST handled")
    wait_for(lambda: broker.depth("decisional.pipeline") == 0, what="the pipeline queue drained")
    assert scalar(db, "SELECT count(*) FROM processed_messages WHERE message_id = %s", message_id) == 1
    assert analytics_rows(db) == before


def test_changed_prices_are_recomputed(computed, db, broker):
    """A corrected close for the as-of day changes the digest: the day is computed again and replaced."""
    before = analytics_rows(db)
    _, payload = last_backtest_command(db)
    original = scalar(db, "SELECT adj_close FROM daily_prices WHERE symbol = 'SPY' AND day = %s", AS_OF)
    query(db, "UPDATE daily_prices SET adj_close = adj_close * 1.01 WHERE symbol = 'SPY' AND day = %s", AS_OF)
    try:
        fresh = str(uuid.uuid4())
        broker.publish("CMD_BACKTEST", envelope("CMD_BACKTEST", payload, fresh), fresh)
        wait_for(lambda: scalar(db, "SELECT count(*) FROM processed_messages WHERE message_id = %s", fresh),
                 what="CMD_BACKTEST on changed prices")
        after = analytics_rows(db)
        assert set(after) == set(before)
        assert all(after[k][0] != before[k][0] and after[k][1] != before[k][1] for k in before)
        spy = api("/models/risk_1_horizon_short/backtest?full=1").json()["series"]["SPY"]["values"]
        assert spy[-1][0] == AS_OF
    finally:
        query(db, "UPDATE daily_prices SET adj_close = %s WHERE symbol = 'SPY' AND day = %s", original, AS_OF)
    # Back to the original prices: the original digest, so the same numbers as the CLI again.
    fresh = str(uuid.uuid4())
    broker.publish("CMD_BACKTEST", envelope("CMD_BACKTEST", payload, fresh), fresh)
    wait_for(lambda: scalar(db, "SELECT count(*) FROM processed_messages WHERE message_id = %s", fresh),
             what="CMD_BACKTEST on the original prices")
    assert {k: f for k, (f, _) in analytics_rows(db).items()} == {k: f for k, (f, _) in before.items()}


# ------------------------------------------------------------------ an investor's risk

@pytest.fixture(scope="module")
def investor(priced_stack):
    """Jan 2 2025: $40,000 deposited and $30,000 invested at the Dec 31 2024 closes (60% VTI, 40% BND);
    Jul 1 2025 $5,000 more into VTI at the Jun 30 close; Feb 2 2026 $4,000 taken out of BND."""
    inv = Investor()
    inv.onboard()
    db = conftest.connect(os.environ["DATABASE_URL"])
    led = Ledger(db, inv.id)
    import datetime
    d = datetime.date
    led.movement(at("2025-01-02T10:00:00"), "deposit", 4_000_000)
    led.movement(at("2025-01-02T10:05:00"), "invest", 3_000_000)
    vti, bnd = price_micros(close_on(db, "VTI", d(2024, 12, 31))), price_micros(close_on(db, "BND", d(2024, 12, 31)))
    led.trade(at("2025-01-02T10:05:01"), "VTI", "buy", shares_for(1_800_000, vti), vti, "invest")
    led.trade(at("2025-01-02T10:05:01"), "BND", "buy", shares_for(1_200_000, bnd), bnd, "invest")
    led.movement(at("2025-07-01T11:00:00"), "invest", 500_000)
    vti_jun = price_micros(close_on(db, "VTI", d(2025, 6, 30)))
    led.trade(at("2025-07-01T11:00:01"), "VTI", "buy", shares_for(500_000, vti_jun), vti_jun, "invest")
    bnd_jan = price_micros(close_on(db, "BND", d(2026, 1, 30)))
    proceeds = led.trade(at("2026-02-02T12:00:00"), "BND", "sell", shares_for(400_000, bnd_jan), bnd_jan, "sell")
    led.movement(at("2026-02-02T12:00:01"), "sell", proceeds)
    led.settle()
    yield inv, db
    db.close()


def reference_portfolio_risk(db, history):
    """The definition, independently: growth = 1 + TWR per calendar day (the history, unthinned); the grid is
    the range's base (with SPY's close on or before it) and every SPY close after it up to the last day;
    returns of growth and of SPY's close between grid days; §8a metrics by reference.py."""
    points = history["points"]
    assert len(points) == history["days"]  # not thinned
    growth = {p["date"]: 1.0 + p["twr"] for p in points}
    first, last = points[0]["date"], points[-1]["date"]
    base = query(db, "SELECT day::text, close FROM daily_prices WHERE symbol = 'SPY' AND day <= %s "
                     "ORDER BY day DESC LIMIT 1", first)
    later = query(db, "SELECT day::text, close FROM daily_prices WHERE symbol = 'SPY' AND day > %s AND day <= %s "
                      "ORDER BY day", first, last)
    grid = ([(first, float(base[0][1]))] if base else []) + [(day, float(c)) for day, c in later]
    r = [growth[b[0]] / growth[a[0]] - 1 for a, b in zip(grid, grid[1:])]
    bench = [b[1] / a[1] - 1 for a, b in zip(grid, grid[1:])]
    return grid, {**reference.risk_own(r), **reference.risk_relative(r, bench)}, reference.risk_own(bench)


@pytest.mark.parametrize("rng", ["MAX", "1Y", "YTD"])
def test_portfolio_risk_matches_the_reference(investor, rng):
    inv, db = investor
    answer = inv.get(f"/portfolio/risk?range={rng}")
    assert answer.status_code == 200, answer.text
    got = answer.json()
    history = inv.history(rng)
    grid, metrics, bench = reference_portfolio_risk(db, history)
    assert got["status"] == "ok", got
    assert (got["range"], got["benchmark_symbol"], got["method"]) == (rng, "SPY", "time_weighted_daily_chain")
    assert (got["days"], got["from"], got["to"]) == (len(grid) - 1, grid[0][0], grid[-1][0])
    assert got["prices_as_of"] == history["prices_as_of"] == AS_OF
    close(metrics, got["metrics"], f"{rng}.metrics")
    close(bench, got["benchmark"], f"{rng}.benchmark")


def test_not_enough_history_is_a_clear_200(investor, priced_stack):
    inv, _ = investor
    # The range after the newest close holds no SPY trading day: no return at all.
    got = inv.get("/portfolio/risk?range=1W").json()
    assert (got["status"], got["days"]) == ("not_enough_history", 0)
    assert "at least 20" in got["reason"] and "metrics" not in got
    # A new investor: nothing invested.
    newcomer = Investor()
    answer = newcomer.get("/portfolio/risk")
    assert answer.status_code == 200
    assert answer.json()["status"] == "not_enough_history"
    assert answer.json()["reason"] == "nothing has been invested yet"


@pytest.mark.parametrize("rng", ["2Y", "", "max"])
def test_a_bad_range_is_400(investor, rng):
    inv, _ = investor
    answer = inv.get(f"/portfolio/risk?range={rng}")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"]


def test_portfolio_risk_needs_a_token(priced_stack):
    assert api("/portfolio/risk").status_code == 401


def test_the_investor_keeps_the_ledger_invariant(investor):
    run = subprocess.run([os.path.join(BIN, "parity"), "audit"], capture_output=True, text=True, env=base_env())
    assert run.returncode == 0, run.stdout + run.stderr
