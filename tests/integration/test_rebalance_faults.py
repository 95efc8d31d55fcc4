"""Faults during a monthly rebalance run of 20,000 investors: decisional SIGKILLed while it computes batches,
operational SIGKILLed while it applies them, RabbitMQ restarted and PostgreSQL restarted mid-run. Each time the
run completes once the part is back, with every investor rebalanced exactly once (no trade twice, none
missing), `parity audit` exact and the run's counters equal to the rows.

"None missing" has two references, both computed without the daemons' help:
- the rules of SPEC's rebalance section (cash first, the threshold, a holding outside the target sold whole,
  trades under $1 skipped), applied here in Python to the seeded holdings: which investor buys or sells which
  symbol (expected_trades below);
- a fault-free run over the same seeded investors (the `reference` fixture): a run is deterministic (the
  same holdings, prices and models give the same targets and trades), so a run that survived a fault must
  have written exactly its trades, share for share.

Every run has a database of its own, a copy (CREATE DATABASE ... TEMPLATE) of one database seeded once per
module with `parity seed-investors`, so that each run starts from the same drifted investors. The copy gets
its own pair of daemons; the suite's pair is stopped meanwhile, since both pairs would consume the same
queues, and started again at the end. A fault lands mid-run deterministically: the test watches the run and
strikes once some but not all batches are done; the daemons get a small PARITY_REBALANCE_BATCH_SIZE so a run
has hundreds of batches.

The checks that read the schema beyond the stable surface (POST /internal/rebalance, GET
/internal/rebalance/runs/{id}, `trades` with run_id and reason) are each one function, marked SCHEMA."""

import json
import math
import os
import signal
import sys
import time
import uuid
from collections import Counter, defaultdict
from datetime import timedelta

import psycopg2
import pytest
import requests

from conftest import (DECISIONAL, EXTERNAL_SERVICES, HTTP_TIMEOUT, INTERNAL, VAR, WAIT_SECONDS, Broker, Daemon, audit,
                      connect, copy_models, copy_newest_closes, create_database, database_url, drop_database,
                      parity_tool, post_internal, query, ready, run_status, seed_investors, service, wait_for)

INVESTORS = 20_000
SEED = 20_261
PERIOD = "2096-01"  # every run has its database, so all share the period
# Portfolios per batch for the daemons here (PARITY_REBALANCE_BATCH_SIZE): 400 batches, so a fault finds the run
# under way however fast it goes.
BATCH_SIZE = 50
THRESHOLD = 0.02  # REBALANCE_THRESHOLD's default (SPEC: target assets within 0.02 of target keep their weight)
MIN_TRADE_CENTS = 100  # SPEC: trades under $1 are skipped
# Deadlines, never pauses. With sanitized daemons and today's per-investor pipeline a run of 20,000 took
# 1.5 to 5 minutes here (load 3 to 30), about 70 investors/s at worst; the overall limit allows 5/s (ten
# times slower and more), and a run fails sooner when nothing moves for twice the suite's asynchronous limit
# (a restarted PostgreSQL alone may take minutes to accept connections on a loaded machine).
RUN_TIMEOUT_SECONDS = WAIT_SECONDS + INVESTORS / 5
STALL_SECONDS = 2 * WAIT_SECONDS
# How often the watcher looks at a run it wants to catch mid-way (a batch takes far longer than this).
WATCH_INTERVAL = 0.05
QUEUES = ("decisional.interactive", "decisional.pipeline", "decisional.rebalance", "operational.events")

restarts_services = pytest.mark.skipif(EXTERNAL_SERVICES, reason="the services belong to the CI runner; they "
                                                                 "cannot be restarted from here")


# ---------------------------------------------------------------- the independent expectation (SPEC rules)

def llround(x):
    """C's llround for x >= 0 (halves away from zero), exact: x - floor(x) is exact for these magnitudes."""
    whole = math.floor(x)
    return whole + (1 if x - whole >= 0.5 else 0)


def price_micros(price):
    return llround(price * 1e6)


def value_cents(shares_micro, micros):
    """Micro-shares at a price in micro-dollars, to the nearest cent (halves up)."""
    return (shares_micro * micros + 5 * 10**9) // 10**10


def shares_for_cents(cents, micros):
    return cents * 10**10 // micros if cents > 0 else 0


def jsonb_order(keys):
    """The order PostgreSQL's jsonb keeps an object's keys in (shorter first, then bytewise): the order the
    targets reach the apply step in, which decides float sums' last bits and nothing else."""
    return sorted(keys, key=lambda k: (len(k.encode()), k.encode()))


def target_weights(current, cash, target):
    """SPEC's rebalance: cash spent first on underweight assets in proportion to their deficits; target
    assets within THRESHOLD of target keep their weight, the others share the rest in proportion to their
    targets; a holding outside the target gets nothing (sold whole). `target` is [(symbol, weight)] in the
    model's order. Returns ({symbol: weight}, near) where near says a weight sits within 1e-9 of the
    threshold (the rounding of a float sum could tip it either way)."""
    w = [current.get(s, 0.0) for s, _ in target]
    if cash > 0.0:
        deficit = 0.0
        for i, (_, t) in enumerate(target):
            deficit += t - w[i] if t > w[i] else 0.0
        if deficit > 0.0:
            spend = min(cash, deficit)
            for i, (_, t) in enumerate(target):
                if t > w[i]:
                    w[i] += spend * ((t - w[i]) / deficit)
    locked, locked_sum, free_target, near = [], 0.0, 0.0, False
    for i, (_, t) in enumerate(target):
        gap = abs(w[i] - t)
        near = near or abs(gap - THRESHOLD) < 1e-9
        locked.append(gap <= THRESHOLD)
        if locked[i]:
            locked_sum += w[i]
        else:
            free_target += t
    rest = 1.0 - locked_sum if locked_sum < 1.0 else 0.0
    a = [w[i] if locked[i] else (rest * (t / free_target) if free_target > 0.0 else 0.0)
         for i, (_, t) in enumerate(target)]
    total = 0.0
    for x in a:
        total += x
    if not total > 0.0:  # every target asset locked at zero weight: buy the targets
        a, total = [t for _, t in target], 1.0
    return {s: a[i] / total for i, (s, _) in enumerate(target) if a[i] / total > 0.0}, near


def expected_trades(holding, model, micros):
    """The trades SPEC's rules give one investor: ({symbol: side}, unsure) where unsure is the set of symbols
    whose trade sits within 2 cents of the $1 floor (or every symbol, when a weight sits on the threshold).
    Sells first (their proceeds are cash for the buys), then buys within the cash, each its share of it when
    the wants exceed it."""
    held = {s: value_cents(sh, micros[s]) for s, sh in holding["shares"].items() if sh > 0}
    value = sum(held.values()) + holding["cash"]
    current = {s: v / value for s, v in held.items() if v > 0}
    cash = holding["cash"] / value if holding["cash"] > 0 else 0.0
    targets, near = target_weights(current, cash, list(model.items()))
    plan = [(s, llround(targets[s] * value) - held.get(s, 0)) for s in jsonb_order(targets)]
    plan += [(s, -v) for s, v in held.items() if s not in targets]
    sides, unsure, money = {}, set(), holding["cash"]
    for s, delta in plan:
        if abs(delta + MIN_TRADE_CENTS) <= 2:
            unsure.add(s)
        if delta > -MIN_TRADE_CENTS or s not in held:
            continue
        shares = holding["shares"][s]
        if s in targets and -delta < held[s]:
            shares = min(shares_for_cents(-delta, micros[s]), shares)
        cents = value_cents(shares, micros[s])
        if shares > 0 and cents > 0:
            sides[s] = "sell"
            money += cents
    wanted = sum(delta for _, delta in plan if delta >= MIN_TRADE_CENTS)
    spent = 0
    for s, delta in plan:
        if abs(delta - MIN_TRADE_CENTS) <= 2:
            unsure.add(s)
        if delta < MIN_TRADE_CENTS:
            continue
        budget = min(delta * money // wanted if wanted > money else delta, money - spent)
        shares = shares_for_cents(budget, micros[s])
        cents = value_cents(shares, micros[s])
        if abs(cents - MIN_TRADE_CENTS) <= 2:
            unsure.add(s)
        if cents >= MIN_TRADE_CENTS and shares > 0:
            sides[s] = "buy"
            spent += cents
    return sides, (set(plan_s for plan_s, _ in plan) if near else unsure)


# ---------------------------------------------------------------- the seeded database and its copies

def live(conn, url):
    """conn if it still works, else a new connection to url (PostgreSQL restarts under some tests)."""
    if conn is not None and conn.closed == 0:
        try:
            query(conn, "SELECT 1")
            return conn
        except psycopg2.Error:
            conn.close()
    return connect(url)


def holdings(conn):
    """Per investor: bucket, portfolio cash and {symbol: micro-shares} (every user of a copy is seeded)."""
    out = {}
    for uid, bucket, cash in query(conn, "SELECT user_id, bucket_key, cash_cents FROM portfolios"):
        out[uid] = {"bucket": bucket, "cash": cash, "shares": {}}
    for uid, symbol, shares in query(conn, "SELECT user_id, symbol, shares_micro FROM positions"):
        out[uid]["shares"][symbol] = shares
    return out


class Seeded:
    """The module's template database: INVESTORS seeded investors, the suite's models and newest closes,
    and what SPEC's rules expect a run over them to trade."""

    def __init__(self, db_url):
        self.db_url = db_url
        self.conn = None
        self.name = f"parity_faults_{uuid.uuid4().hex[:8]}"
        self.url = database_url(db_url, self.name)
        self.copies = 0

    @property
    def admin(self):
        """A connection to the suite's database, to create and drop the copies through."""
        self.conn = live(self.conn, self.db_url)
        return self.conn

    def build(self):
        create_database(self.admin, self.name)
        migrated = parity_tool("migrate", url=self.url)
        assert migrated.returncode == 0, migrated.stderr
        conn = connect(self.url)
        try:
            copy_models(self.admin, conn)
            copy_newest_closes(self.admin, conn)
            seeded = seed_investors(INVESTORS, "--seed", SEED, url=self.url)
            assert seeded.returncode == 0, seeded.stderr
            self.before = holdings(conn)
            assert len(self.before) == INVESTORS
            self.micros = {s: price_micros(p) for s, p in query(conn, "SELECT symbol, price FROM latest_prices")}
            models = dict(query(conn, "SELECT DISTINCT ON (bucket_key) bucket_key, weights::text FROM "
                                      "model_portfolios ORDER BY bucket_key, as_of_day DESC"))
        finally:
            conn.close()  # a template must have no connections when it is copied
        self.expected, self.unsure = {}, {}
        for uid, h in self.before.items():
            # The model's weights in the order the daemons see them (jsonb's), as the run's payload has them.
            model = json.loads(models[h["bucket"]])
            self.expected[uid], self.unsure[uid] = expected_trades(h, model, self.micros)

    def copy(self):
        self.copies += 1
        name = f"{self.name}_{self.copies}"
        create_database(self.admin, name, template=self.name)
        return name


class Run:
    """One copy of the seeded database, the daemons serving it, and the run of PERIOD over it."""

    def __init__(self, seeded, secret, label):
        self.seeded = seeded
        self.secret = secret
        self.name = seeded.copy()
        self.url = database_url(os.environ["DATABASE_URL"], self.name)
        env = dict(DATABASE_URL=self.url, DECISIONAL_DATABASE_URL=database_url(os.environ["DECISIONAL_DATABASE_URL"],
                                                                               self.name),
                   PARITY_REBALANCE_BATCH_SIZE=BATCH_SIZE)
        self.operational = Daemon("parity-operational", f"{INTERNAL}/readyz", **env)
        self.decisional = Daemon("parity-decisional", f"{DECISIONAL}/readyz", **env)
        for d in (self.operational, self.decisional):
            d.log_path = os.path.join(VAR, "log", f"{d.name}-faults-{label}.log")
        self.conn = None
        self.run_id = None

    def __enter__(self):
        try:
            self.decisional.start()
            self.operational.start()
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        return self

    def __exit__(self, *exc):
        codes = {d.name: d.stop() for d in (self.operational, self.decisional)}
        if self.conn:
            self.conn.close()
        purge_queues()
        drop_database(self.seeded.admin, self.name)
        if exc[0] is None:
            assert set(codes.values()) == {0}, f"a daemon did not exit cleanly: {codes}; see {VAR}/log"

    def db(self):
        """A connection to the copy."""
        self.conn = live(self.conn, self.url)
        return self.conn

    def start(self):
        """POSTs the period: the run's json. Today the POST builds every batch before it answers (70 s for
        20,000 investors with sanitized daemons on a busy machine); when it outlasts the request's deadline
        the period is posted again, which waits for the first POST's transaction and answers its run."""
        deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
        while True:
            try:
                answer = post_internal(f"/internal/rebalance?period={PERIOD}", self.secret, timeout=WAIT_SECONDS)
                break
            except requests.Timeout:
                assert time.monotonic() < deadline, "POST /internal/rebalance never answered"
        assert answer.status_code in (200, 202), answer.text
        self.run_id = answer.json()["run_id"]
        return answer.json()

    def status(self):
        """The run as GET /internal/rebalance/runs/{id} shows it, with `computed` batches added (SCHEMA, see
        computed_batches); None while operational or the database is away."""
        try:
            s = run_status(self.secret, self.run_id)
            if "status" not in s:  # an error answer: the database is away
                return None
            s["computed"] = computed_batches(self.db(), self.run_id)
            return s
        except (requests.RequestException, ValueError, psycopg2.Error):
            return None

    def watch(self, until, what, interval=WATCH_INTERVAL):
        """The run's status once until(status) holds; fails when the run completes first (the fault would
        land on a finished run: lower BATCH_SIZE), when nothing moves for STALL_SECONDS, or past
        RUN_TIMEOUT_SECONDS."""
        start = moved = time.monotonic()
        last = None
        while True:
            s = self.status()
            if s is not None:
                if until(s):
                    return s
                assert s["status"] != "complete", f"the run completed before {what}: {s}"
                assert s["status"] in ("pending", "planning", "running"), s
                mark = (s["computed"], s["applied"], s["trades"], s["batches"])
                if mark != last:
                    last, moved = mark, time.monotonic()
            now = time.monotonic()
            assert now - moved < STALL_SECONDS, f"no progress for {STALL_SECONDS}s waiting for {what}: {last}"
            assert now - start < RUN_TIMEOUT_SECONDS, f"timed out waiting for {what}: {last}"
            time.sleep(interval)

    def complete(self):
        return self.watch(lambda s: s["status"] == "complete", "the run to complete", interval=0.5)

    def trades(self):
        return query(self.db(), "SELECT user_id, symbol, side, shares_micro, price_micros, amount_cents, reason, "
                                "created_at FROM trades WHERE run_id = %s", self.run_id)


def purge_queues():
    broker = Broker(os.environ["AMQP_URL"])
    try:
        for q in QUEUES:
            broker.purge(q)
    finally:
        broker.close()


def queues_empty():
    broker = Broker(os.environ["AMQP_URL"])
    try:
        return all(broker.depth(q) == 0 for q in QUEUES)
    finally:
        broker.close()


@pytest.fixture(scope="module")
def seeded(priced_stack, db_url):
    """The seeded template, with the suite's daemons stopped while the module's own pairs use the broker."""
    template = Seeded(db_url)
    try:
        template.build()
        # What the suite's daemons were given is done before they stop (nothing of theirs is left queued).
        wait_for(queues_empty, what="the suite's queues to drain")
        for daemon in priced_stack:
            assert daemon.stop() == 0, f"{daemon.name} did not exit cleanly; see {daemon.log_path}"
        yield template
    finally:
        drop_database(template.admin, template.name)
        template.admin.close()
        for daemon in priced_stack:
            if not daemon.running():
                daemon.start()


# ---------------------------------------------------------------- one function per invariant

def computed_batches(conn, run_id):
    """SCHEMA: batches decisional has computed (rebalance_batches.status past 'pending')."""
    return query(conn, "SELECT count(*) FROM rebalance_batches WHERE run_id = %s AND status <> 'pending'",
                 run_id)[0][0]


def check_counters_equal_rows(conn, run):
    """SCHEMA: the run's counters against its rows: batches and applied against rebalance_batches, the
    portfolios they carry against the run's, trades against `trades`, one target row per portfolio."""
    batches, applied, carried = query(conn, "SELECT count(*), count(*) FILTER (WHERE status = 'applied'), "
                                            "coalesce(sum(portfolios), 0) FROM rebalance_batches WHERE run_id = %s",
                                      run["run_id"])[0]
    assert (run["batches"], run["applied"], run["portfolios"]) == (batches, applied, carried), run
    targets = query(conn, "SELECT count(*), count(DISTINCT user_id) FROM rebalance_targets WHERE run_id = %s",
                    run["run_id"])[0]
    assert targets == (INVESTORS, INVESTORS)
    assert run["trades"] == query(conn, "SELECT count(*) FROM trades WHERE run_id = %s", run["run_id"])[0][0]
    # The batch is each trade's key: every trade of the run names one of the run's batches, and each batch's
    # count is its rows.
    strays = query(conn, "SELECT count(*) FROM trades t WHERE t.run_id = %s AND NOT EXISTS (SELECT 1 FROM "
                         "rebalance_batches b WHERE b.id = t.batch_id AND b.run_id = t.run_id)", run["run_id"])[0][0]
    assert strays == 0
    miscounted = query(conn, "SELECT b.id, b.trades, count(t.*) FROM rebalance_batches b LEFT JOIN trades t "
                             "ON t.batch_id = b.id WHERE b.run_id = %s GROUP BY b.id, b.trades "
                             "HAVING b.trades <> count(t.*)", run["run_id"])
    assert miscounted == [], miscounted[:10]


def check_run_complete(run):
    """The run's own account: complete, every investor in it, every batch applied, trades counted."""
    assert run["status"] == "complete" and run["error"] is None, run
    assert run["portfolios"] == INVESTORS, run
    assert run["batches"] >= 1 and run["applied"] == run["batches"], run
    assert run["trades"] > 0, run


def check_each_investor_once(trades):
    """No trade twice: at most one trade per investor and symbol, all of reason 'rebalance', and each
    investor's trades written by one transaction (one created_at: a batch applied twice, or an investor in
    two batches, would show two)."""
    assert Counter(t[6] for t in trades) == Counter({"rebalance": len(trades)})
    twice = [k for k, n in Counter((t[0], t[1]) for t in trades).items() if n > 1]
    assert twice == [], twice[:10]
    moments = defaultdict(set)
    for t in trades:
        moments[t[0]].add(t[7])
    split = {uid: m for uid, m in moments.items() if len(m) > 1}
    assert split == {}, list(split.items())[:10]


def check_none_missing(seeded, trades):
    """None missing, against SPEC's rules: each investor bought and sold what expected_trades says, symbol
    by symbol (bar the few trades that sit on the $1 floor or weights on the threshold, where rounding
    decides)."""
    actual = defaultdict(dict)
    for uid, symbol, side, *_ in trades:
        actual[uid][symbol] = side
    wrong = []
    for uid, sides in seeded.expected.items():
        unsure = seeded.unsure[uid]
        want = {s: side for s, side in sides.items() if s not in unsure}
        got = {s: side for s, side in actual.get(uid, {}).items() if s not in unsure}
        if want != got:
            wrong.append((uid, want, got))
    assert wrong == [], (len(wrong), wrong[:5])
    assert set(actual) <= set(seeded.expected)
    # The rules are not vacuous here: most investors trade, and few trades sit on a boundary.
    assert sum(1 for sides in seeded.expected.values() if sides) > INVESTORS // 2
    assert sum(len(u) for u in seeded.unsure.values()) < INVESTORS // 100


def check_same_as_reference(trades, reference):
    """None missing, none extra, none different: the trades of a fault-free run of the same investors."""
    mine = {(t[0], t[1]): t[2:6] for t in trades}
    reference = {(t[0], t[1]): t[2:6] for t in reference}
    missing = sorted(set(reference) - set(mine))
    extra = sorted(set(mine) - set(reference))
    different = sorted(k for k in set(mine) & set(reference) if mine[k] != reference[k])
    assert (missing, extra, different) == ([], [], []), (len(missing), len(extra), len(different),
                                                         missing[:5], extra[:5], different[:5])


def check_ledger(conn, seeded, trades):
    """Each investor's positions and cash are what they held before plus the run's trades, and the
    portfolio's market value moved by rounding only (under one cent per trade, SPEC)."""
    after = holdings(conn)
    moved = defaultdict(lambda: {"cash": 0, "shares": Counter(), "n": 0})
    for uid, symbol, side, shares, _, cents, *_ in trades:
        sign = 1 if side == "buy" else -1
        moved[uid]["shares"][symbol] += sign * shares
        moved[uid]["cash"] -= sign * cents
        moved[uid]["n"] += 1
    wrong = []
    for uid, before in seeded.before.items():
        m = moved[uid]
        want = Counter(before["shares"])
        want.update(m["shares"])
        want = {s: n for s, n in want.items() if n}
        got = {s: n for s, n in after[uid]["shares"].items() if n}
        cash = before["cash"] + m["cash"]
        value_before = before["cash"] + sum(value_cents(n, seeded.micros[s]) for s, n in before["shares"].items())
        value_after = after[uid]["cash"] + sum(value_cents(n, seeded.micros[s]) for s, n in got.items())
        if got != want or after[uid]["cash"] != cash or abs(value_after - value_before) > m["n"]:
            wrong.append((uid, before, after[uid], dict(m)))
    assert wrong == [], (len(wrong), wrong[:3])


def check_repost_resumes(run):
    """Posting the period again answers the same run and adds nothing."""
    again = post_internal(f"/internal/rebalance?period={PERIOD}", run.secret, timeout=WAIT_SECONDS)
    assert again.status_code == 200 and again.json()["run_id"] == run.run_id, again.text
    return again.json()


def check_recovered(run, reference):
    """Everything the issue asks of a run that lived through a fault."""
    done = run.complete()
    check_run_complete(done)
    conn = run.db()
    trades = run.trades()
    check_counters_equal_rows(conn, done)
    check_each_investor_once(trades)
    check_none_missing(run.seeded, trades)
    check_same_as_reference(trades, reference)
    check_ledger(conn, run.seeded, trades)
    assert check_repost_resumes(run)["trades"] == done["trades"] == len(run.trades())
    audit(run.url)
    return done


# ---------------------------------------------------------------- the tests

@pytest.fixture(scope="module")
def reference(seeded, internal_secret):
    """The trades of a run with no fault (rows as Run.trades gives them), checked against SPEC's rules and
    the ledger like every other run."""
    with Run(seeded, internal_secret, "reference") as run:
        started = run.start()
        assert started["run_id"] == run.run_id
        done = run.complete()
        check_run_complete(done)
        trades = run.trades()
        check_counters_equal_rows(run.db(), done)
        check_each_investor_once(trades)
        check_none_missing(seeded, trades)
        check_ledger(run.db(), seeded, trades)
        audit(run.url)
        return trades


def mid_run(s):
    """Some batches done, most still to do (the fault finds the run under way, not about to end)."""
    return s["batches"] > 0 and 0 < s["applied"] < s["batches"] * 3 // 4


def test_a_run_without_faults_follows_the_rules(reference):
    """The reference itself: its trades are those SPEC's rules give (checked in the fixture), and most
    investors have some."""
    assert len({t[0] for t in reference}) > INVESTORS // 2


def test_the_checks_see_a_trade_missing_doubled_changed_or_split(reference, seeded):
    """The checks are not vacuous: each fails on the reference's own trades with the fault it exists for."""
    per_user = Counter(t[0] for t in reference)
    i = next(k for k, t in enumerate(reference) if per_user[t[0]] >= 2 and t[1] not in seeded.unsure[t[0]])
    t = reference[i]
    others = reference[:i] + reference[i + 1:]

    def none_missing(trades):
        check_none_missing(seeded, trades)

    def same(trades):
        check_same_as_reference(trades, reference)

    cases = [
        (others, (none_missing, same)),  # a trade missing
        (reference + [t], (check_each_investor_once,)),  # a trade twice
        (others + [t[:3] + (t[3] + 1,) + t[4:]], (same,)),  # one micro-share more
        (others + [t[:7] + (t[7] + timedelta(seconds=1),)], (check_each_investor_once,)),  # a second transaction
    ]
    for trades, checks in cases:
        for check in checks:
            with pytest.raises(AssertionError):
                check(trades)
    check_each_investor_once(reference)
    none_missing(reference)
    same(list(reversed(reference)))


def test_sigkill_decisional_mid_run(seeded, reference, internal_secret):
    with Run(seeded, internal_secret, "kill-decisional") as run:
        # Mid-computation: decisional holds a batch, some are computed and some still wait in the queue.
        # However fast or slow the machine, it is frozen (SIGSTOP) while the period is planned, let go, and
        # frozen again as soon as the first batch is computed, so the kill lands in the middle of the run.
        run.decisional.proc.send_signal(signal.SIGSTOP)
        try:
            run.start()
        finally:
            run.decisional.proc.send_signal(signal.SIGCONT)
        conn = run.db()
        wait_for(lambda: computed_batches(conn, run.run_id) > 0, timeout=RUN_TIMEOUT_SECONDS, interval=0.01,
                 what="decisional to compute a first batch")
        run.decisional.proc.send_signal(signal.SIGSTOP)
        computed = computed_batches(conn, run.run_id)
        batches = query(conn, "SELECT count(*) FROM rebalance_batches WHERE run_id = %s", run.run_id)[0][0]
        run.decisional.kill()
        assert 0 < computed < batches
        run.decisional.start()
        check_recovered(run, reference)


def test_sigkill_operational_mid_apply(seeded, reference, internal_secret):
    with Run(seeded, internal_secret, "kill-operational") as run:
        run.start()
        at = run.watch(mid_run, "operational to be mid-apply")
        run.operational.kill()
        assert at["applied"] < at["batches"]
        run.operational.start()
        # An operator re-posts the period after a crash: it resumes the run, never starts another.
        assert check_repost_resumes(run)["status"] in ("planning", "running", "complete")
        check_recovered(run, reference)


@restarts_services
def test_rabbitmq_restart_mid_run(seeded, reference, internal_secret):
    with Run(seeded, internal_secret, "restart-rabbitmq") as run:
        run.start()
        run.watch(mid_run, "the run to be mid-way")
        service("rabbitmq.sh", "stop", "PARITY_TEST_AMQP_PORT")
        try:
            wait_for(lambda: not ready(f"{INTERNAL}/readyz"), what="operational to notice the broker is gone")
        finally:
            service("rabbitmq.sh", "start", "PARITY_TEST_AMQP_PORT")
        wait_for(lambda: ready(f"{INTERNAL}/readyz") and ready(f"{DECISIONAL}/readyz"), what="both ready again")
        check_recovered(run, reference)


@restarts_services
def test_postgresql_restart_mid_run(seeded, reference, internal_secret):
    with Run(seeded, internal_secret, "restart-postgresql") as run:
        run.start()
        run.watch(mid_run, "the run to be mid-way")
        service("pg.sh", "stop", "PARITY_TEST_PG_PORT")
        try:
            wait_for(lambda: not ready(f"{INTERNAL}/readyz"), what="operational to notice the database is gone")
            assert requests.get(f"{INTERNAL}/readyz", timeout=HTTP_TIMEOUT).json()["database"] == "unreachable"
        finally:
            service("pg.sh", "start", "PARITY_TEST_PG_PORT")
        wait_for(lambda: ready(f"{INTERNAL}/readyz") and ready(f"{DECISIONAL}/readyz"), what="both ready again")
        check_recovered(run, reference)
