"""Every kind of work is a job and the older run tables point to theirs: `parity load-prices` is a price_load
job (its counters, its failure with the reason); a daily sync's log row, the generation's models and the
dividend days name their job; a watcher of a multi-symbol sync sees it move while it runs; a generation's job
names the symbol it refused and why; crediting dividends is a dividend_credit job. Real daemons, PostgreSQL
and RabbitMQ."""

import json
import subprocess
import threading

import requests

from conftest import (BIN, HTTP_TIMEOUT, INTERNAL, WAIT_SECONDS, audit, post_internal, query, scalar, wait_for)
from test_dividends import HELD_FROM, backdate, best_ex_day, invested
from test_jobs import cli_env, get, job, open_stream, sse_events, wait_job
from test_market_data import current_models, forget, load_csv


def finished(secret, job_id):
    """The job once it has ended, whatever its outcome."""
    return wait_for(lambda: (j := job(secret, job_id))["status"] in ("succeeded", "failed", "aborted") and j,
                    what=f"job {job_id} to end")


def job_id_of(run):
    """The job a `parity load-prices` run reported on stderr ("job N")."""
    ids = [int(line.split()[1]) for line in run.stderr.splitlines() if line.startswith("job ")]
    assert len(ids) == 1, run.stderr
    return ids[0]


# ---------------------------------------------------------------- price loads


def test_load_prices_is_a_price_load_job_with_its_counters(stack, db, internal_secret):
    forget(db, "QQJA", "QQJB")
    try:
        rows = [f"2024-06-0{d},QQJA,10,11,9,10.5,10.5,1000" for d in (3, 4, 5)]
        rows.append("2024-06-06,QQJA,10,11,9,10.5,10.5,0")  # zero volume on a trading day: one warning
        rows += [f"2024-06-0{d},QQJB,10,11,9,10.5,10.5,1000" for d in (3, 4, 5)]
        run = load_csv(rows)
        assert run.returncode == 0, run.stderr
        summary = json.loads(run.stdout)
        job_id = job_id_of(run)
        assert summary["job_id"] == job_id and summary["rows"] == 7 and summary["symbols"] == 2

        done = job(internal_secret, job_id)
        assert (done["type"], done["trigger"], done["status"], done["reason"]) == ("price_load", "cli", "succeeded",
                                                                                    None)
        assert done["params"]["file"].endswith(".csv")
        assert done["progress"] == {"done": 2, "total": 2, "unit": "symbols"}
        counters = done["counters"]
        assert (counters["rows"], counters["symbols"], counters["changed"]) == (7, 2, 7)
        assert counters["quality"]["findings"] >= 1 and counters["quality"]["blocking"] == 0
        assert counters["last_day"] == "2024-06-06"
        # Its log row points to it, and the CLI lists it by type.
        assert query(db, "SELECT source, rows, error FROM market_sync_log WHERE job_id = %s", job_id) == \
            [("file", 7, None)]
        assert counters["sync_log_id"] == scalar(db, "SELECT id FROM market_sync_log WHERE job_id = %s", job_id)
        listed = subprocess.run([f"{BIN}/parity", "jobs", "--type", "price_load", "--json"], env=cli_env(internal_secret),
                                capture_output=True, text=True, timeout=HTTP_TIMEOUT)
        assert listed.returncode == 0, listed.stderr
        assert job_id in [j["id"] for j in json.loads(listed.stdout)["jobs"]]
        assert {j["type"] for j in json.loads(listed.stdout)["jobs"]} == {"price_load"}
    finally:
        forget(db, "QQJA", "QQJB")


def test_a_rejected_file_fails_its_job_with_the_reason(stack, db, internal_secret):
    forget(db, "QQJC")
    try:
        # The second row's low is above its open: the whole file is rejected.
        run = load_csv(["2024-06-03,QQJC,10,11,9,10.5,10.5,1000", "2024-06-04,QQJC,10,11,10.2,10.5,10.5,1000"])
        assert run.returncode == 1
        failed = job(internal_secret, job_id_of(run))
        assert (failed["type"], failed["status"]) == ("price_load", "failed")
        reason = failed["reason"]
        assert reason and f"parity load-prices: {reason}" in run.stderr
        assert failed["counters"]["quality"] == {"findings": 1, "blocking": 1}  # the rejected row, recorded
        assert failed["counters"]["rows"] == 0 or failed["counters"]["changed"] == 0
        assert scalar(db, "SELECT count(*) FROM daily_prices WHERE symbol = 'QQJC'") == 0
        assert query(db, "SELECT error FROM market_sync_log WHERE job_id = %s", failed["id"]) == [(reason,)]
    finally:
        forget(db, "QQJC")


# ---------------------------------------------------------------- the daily pipeline, seen while it runs


def test_a_watcher_sees_a_multi_symbol_sync_move_and_its_runs_point_to_their_jobs(priced_stack, db, decisional,
                                                                                  internal_secret):
    seen = {}

    def watch(job_id):
        with open_stream(internal_secret, job_id) as answer:
            seen["status"] = answer.status_code
            for event in sse_events(answer):
                seen.setdefault("events", []).append(event)

    # Decisional is away while the watcher connects, so the sync cannot start before it watches.
    decisional.stop()
    try:
        answer = requests.post(f"{INTERNAL}/internal/pipeline/daily", timeout=HTTP_TIMEOUT,
                               headers={"X-Internal-Secret": internal_secret, "X-Job-Trigger": "cli"})
        assert answer.status_code == 202, answer.text
        sync_id = answer.json()["job_id"]
        watcher = threading.Thread(target=watch, args=(sync_id,))
        watcher.start()
        wait_for(lambda: seen.get("events"), what="the watcher connected")
    finally:
        decisional.start()
    watcher.join(WAIT_SECONDS)
    assert not watcher.is_alive()
    events = [e for _, e in seen["events"]]
    symbols = len(job(internal_secret, sync_id)["params"]["symbols"])
    assert symbols > 2
    # The worker writes every symbol staged as it goes (one commit each, outside the sync's transaction); the
    # stream shows the newest state when it wakes, so it may skip some, but not all of a 20-symbol read.
    moving = [e for e in events if e["status"] == "running" and e["total"] == symbols and 0 < e["done"] < symbols]
    assert moving, events
    dones = [e["done"] for e in events]
    assert dones == sorted(dones)
    assert events[-1]["status"] == "succeeded" and events[-1]["done"] == events[-1]["total"] == symbols

    # The sync's log row points to its job.
    assert query(db, "SELECT kind, source, error FROM market_sync_log WHERE job_id = %s", sync_id) == \
        [("daily", "bundled", None)]

    # Its event started the generation, whose progress counts the buckets stored and whose rows point to it.
    def generation():
        jobs = get("/internal/jobs?type=model_generation&limit=5", internal_secret).json()["jobs"]
        return next((j for j in jobs if j["id"] > sync_id), None)

    gen = wait_job(internal_secret, wait_for(generation, what="the generation job")["id"], "succeeded")
    assert gen["progress"] == {"done": 15, "total": 15, "unit": "buckets"}
    as_of = gen["counters"]["as_of"]
    assert scalar(db, "SELECT count(*) FROM model_portfolios WHERE as_of_day = %s AND job_id = %s", as_of,
                  gen["id"]) == 15
    audit()


# ---------------------------------------------------------------- a generation says what it refused


def test_a_generation_job_names_the_symbol_it_refused(priced_stack, db, internal_secret):
    models = current_models(db)
    equities = sorted({s for _, weights, _ in models.values() for s in weights
                       if s not in ("BND", "TLT", "LQD", "HYG", "BNDX", "CASH")})
    symbol = equities[-1]
    as_of = models["risk_5_horizon_long"][0]
    close = scalar(db, "SELECT close FROM daily_prices WHERE symbol = %s AND day = %s", symbol, as_of)
    # The newest day of a held equity with its low above its open: rejected, recorded as a blocking finding.
    assert load_csv([f"{as_of},{symbol},{close},{close * 1.01},{close * 1.005},{close},{close},1000"]).returncode == 1
    try:
        answer = post_internal("/internal/models/generate", internal_secret)
        assert answer.status_code == 202, answer.text
        done = wait_job(internal_secret, answer.json()["job_id"], "succeeded")
        counters = done["counters"]
        assert counters["refused_symbols"] == [symbol]
        assert [(r["symbol"], r["check"], r["day"]) for r in counters["refused"]] == [(symbol, "ohlc", as_of)]
        assert f"{symbol} (ohlc on {as_of})" in counters["note"]
        # `parity job ID` shows the same.
        shown = subprocess.run([f"{BIN}/parity", "job", str(done["id"])], env=cli_env(internal_secret),
                               capture_output=True, text=True, timeout=HTTP_TIMEOUT)
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout)["counters"]["refused_symbols"] == [symbol]
    finally:
        query(db, "DELETE FROM market_quality WHERE symbol = %s AND day = %s", symbol, as_of)
        answer = post_internal("/internal/models/generate", internal_secret)
        clean = wait_job(internal_secret, answer.json()["job_id"], "succeeded")
    assert "refused_symbols" not in clean["counters"] and clean["counters"]["refused"] == []


def test_a_generation_that_cannot_run_for_its_refusals_fails_its_job_naming_them(priced_stack, db, internal_secret):
    as_of = current_models(db)["risk_5_horizon_long"][0]
    bonds = ["BND", "TLT", "LQD", "HYG", "BNDX"]
    # Every bond's newest day with its low above its open: no bond is left for the models.
    for bond in bonds:
        close = scalar(db, "SELECT close FROM daily_prices WHERE symbol = %s AND day = %s", bond, as_of)
        run = load_csv([f"{as_of},{bond},{close},{close * 1.01},{close * 1.005},{close},{close},1000"])
        assert run.returncode == 1, run.stdout
    try:
        answer = post_internal("/internal/models/generate", internal_secret)
        assert answer.status_code == 202, answer.text
        failed = finished(internal_secret, answer.json()["job_id"])
        assert failed["status"] == "failed", failed
        assert "models not generated: left out for blocking data-quality findings:" in failed["reason"]
        for bond in bonds:
            assert f"{bond} (ohlc on {as_of})" in failed["reason"], failed["reason"]
    finally:
        query(db, "DELETE FROM market_quality WHERE symbol = ANY(%s) AND day = %s", bonds, as_of)
        answer = post_internal("/internal/models/generate", internal_secret)
        wait_job(internal_secret, answer.json()["job_id"], "succeeded")


# ---------------------------------------------------------------- dividends


def test_crediting_dividends_is_a_job_with_its_counters(priced_stack, db, internal_secret):
    investor = invested(priced_stack)
    backdate(db, investor.id, f"{HELD_FROM} 12:00")
    held = [r[0] for r in query(db, "SELECT symbol FROM positions WHERE user_id = %s AND shares_micro > 0",
                                investor.id)]
    day = best_ex_day(db, held, HELD_FROM)
    answer = requests.post(f"{INTERNAL}/internal/dividends/credit?day={day}", timeout=HTTP_TIMEOUT,
                           headers={"X-Internal-Secret": internal_secret, "X-Job-Trigger": "cli"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["payments"] > 0 and body["cents"] > 0
    credited = job(internal_secret, body["job_id"])
    assert (credited["type"], credited["trigger"], credited["status"]) == ("dividend_credit", "cli", "succeeded")
    assert credited["params"] == {"day": day}
    assert credited["progress"] == {"done": 1, "total": 1, "unit": "days"}
    assert credited["counters"] == {"days": 1, "payments": body["payments"], "cents": body["cents"]}
    assert scalar(db, "SELECT job_id FROM dividend_days WHERE ex_day = %s", day) == credited["id"]

    # The catch-up is one too; a bad trigger starts nothing.
    catch_up = post_internal("/internal/dividends/credit", internal_secret).json()
    caught = finished(internal_secret, catch_up["job_id"])
    assert (caught["type"], caught["trigger"], caught["status"]) == ("dividend_credit", "api", "succeeded")
    assert caught["counters"]["days"] == len(catch_up["days"]) == caught["progress"]["total"]
    bad = requests.post(f"{INTERNAL}/internal/dividends/credit?day={day}", timeout=HTTP_TIMEOUT,
                        headers={"X-Internal-Secret": internal_secret, "X-Job-Trigger": "schedule"})
    assert bad.status_code == 400
    audit()
