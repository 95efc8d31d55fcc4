"""Recurring deposits and auto-invest: the schedules' API, and the daily job (POST /internal/recurring, whose
body's "day" is the schedule's clock here) depositing each schedule's date exactly once, investing it through
the deploy batch of one, catching up missed dates once each, whatever retries and concurrent runs do."""
import concurrent.futures
import datetime
import uuid

import pytest

import requests

from conftest import HTTP_TIMEOUT, PUBLIC, audit, post_internal, query, scalar
from test_auth import assert_error
from test_money import Investor, wait_deployed


def today():
    return datetime.datetime.now(datetime.timezone.utc).date()


def first_date(frequency, day, after):
    """The first date of a schedule strictly after `after`, by the calendar (the reference for the SQL)."""
    d = after + datetime.timedelta(days=1)
    if frequency == "monthly":
        if d.day > day:
            d = (d.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
        return d.replace(day=day)
    return d + datetime.timedelta(days=(day - d.isoweekday()) % 7)


def run_day(secret, day):
    answer = post_internal("/internal/recurring", secret, json={"day": str(day)})
    assert answer.status_code == 200, answer.text
    assert answer.json()["complete"] is True
    return answer.json()


def create(investor, **body):
    answer = investor.post("/recurring-deposits", body)
    assert answer.status_code == 201, answer.text
    return answer.json()


API = f"{PUBLIC}/api/v1"


def deposits_of(db, user_id):
    return query(db, "SELECT kind, amount_cents, source, external_ref FROM cash_movements WHERE user_id = %s "
                     "ORDER BY id", user_id)


@pytest.fixture()
def investor(priced_stack):
    return Investor()


@pytest.mark.parametrize("frequency,day", [("weekly", 1), ("weekly", 7), ("biweekly", 3), ("monthly", 1),
                                          ("monthly", 28)])
def test_a_schedule_starts_on_its_first_date_after_today(investor, frequency, day):
    s = create(investor, amount_cents=10_000, frequency=frequency, day=day)
    assert s["frequency"] == frequency and s["day"] == day and s["status"] == "active"
    assert s["auto_invest"] is True and s["last_day"] is None
    assert s["next_day"] == str(first_date(frequency, day, today()))
    assert investor.get("/recurring-deposits").json() == {"recurring_deposits": [s]}


@pytest.mark.parametrize("body", [
    {"amount_cents": 100, "frequency": "weekly", "day": 8},
    {"amount_cents": 100, "frequency": "weekly", "day": 0},
    {"amount_cents": 100, "frequency": "monthly", "day": 29},
    {"amount_cents": 100, "frequency": "daily", "day": 1},
    {"amount_cents": 0, "frequency": "weekly", "day": 1},
    {"amount_cents": 10_000_000_001, "frequency": "weekly", "day": 1},
    {"amount_cents": 100, "frequency": "weekly"},
    {"amount_cents": 100, "frequency": "weekly", "day": 1, "extra": 1},
])
def test_bad_schedules_are_400_and_store_nothing(investor, db, body):
    assert_error(investor.post("/recurring-deposits", body), 400)
    assert scalar(db, "SELECT count(*) FROM recurring_deposits WHERE user_id = %s", investor.id) == 0


def test_pause_edit_resume_delete(investor, db):
    s = create(investor, amount_cents=5_000, frequency="weekly", day=2)
    url = f"/recurring-deposits/{s['id']}"
    send = investor.session.patch
    base = API
    paused = send(f"{base}{url}", json={"paused": True}).json()
    assert paused["status"] == "paused" and paused["next_day"] == s["next_day"]
    edited = send(f"{base}{url}", json={"amount_cents": 7_500, "auto_invest": False}).json()
    assert edited["amount_cents"] == 7_500 and edited["auto_invest"] is False and edited["status"] == "paused"
    moved = send(f"{base}{url}", json={"frequency": "monthly", "day": 15}).json()
    assert moved["next_day"] == str(first_date("monthly", 15, today()))
    resumed = send(f"{base}{url}", json={"paused": False}).json()
    assert resumed["status"] == "active" and resumed["next_day"] == str(first_date("monthly", 15, today()))
    assert_error(send(f"{base}{url}", json={"frequency": "weekly"}), 400)  # frequency and day together
    assert_error(send(f"{base}{url}", json={"frequency": "weekly", "day": 9}), 400)
    assert_error(send(f"{base}{url}", json={}), 400)
    # another investor's schedule is not found, whatever the verb
    other = Investor()
    assert_error(other.session.patch(f"{base}{url}", json={"paused": True}), 404, "SCHEDULE_NOT_FOUND")
    assert_error(other.session.delete(f"{base}{url}"), 404, "SCHEDULE_NOT_FOUND")
    assert investor.session.delete(f"{base}{url}").status_code == 204
    assert investor.get("/recurring-deposits").json() == {"recurring_deposits": []}
    assert_error(investor.session.delete(f"{base}{url}"), 404)
    assert_error(send(f"{base}{url}", json={"paused": False}), 404)
    assert_error(investor.session.delete(f"{base}/recurring-deposits/abc"), 404)


def test_at_most_ten_schedules(investor):
    for _ in range(10):
        create(investor, amount_cents=100, frequency="weekly", day=1)
    assert_error(investor.post("/recurring-deposits", {"amount_cents": 100, "frequency": "weekly", "day": 1}), 409,
                 "TOO_MANY_SCHEDULES")


def schedules_of(db, user_id):
    return scalar(db, "SELECT count(*) FROM recurring_deposits WHERE user_id = %s", user_id)


WEEKLY = {"amount_cents": 12_500, "frequency": "weekly", "day": 3}


def create_keyed(investor, key):
    answer = investor.post("/recurring-deposits", WEEKLY, key=key)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_the_same_idempotency_key_creates_one_schedule_and_answers_it_again(investor, db):
    key = str(uuid.uuid4())
    first = investor.post("/recurring-deposits", WEEKLY, key=key)
    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    again = investor.post("/recurring-deposits", WEEKLY, key=key)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert schedules_of(db, investor.id) == 1
    assert investor.get("/recurring-deposits").json() == {"recurring_deposits": [first.json()]}
    # The key is the investor's: another investor's same key creates their own schedule.
    other = Investor()
    theirs = other.post("/recurring-deposits", WEEKLY, key=key)
    assert theirs.status_code == 201 and theirs.json()["id"] != first.json()["id"]
    assert "Idempotent-Replayed" not in theirs.headers


def test_the_same_idempotency_key_with_another_body_is_refused(investor, db):
    key = str(uuid.uuid4())
    first = create_keyed(investor, key)
    assert_error(investor.post("/recurring-deposits", dict(WEEKLY, amount_cents=12_501), key=key), 409,
                 "IDEMPOTENCY_KEY_REUSED")
    assert_error(investor.post("/recurring-deposits", dict(WEEKLY, auto_invest=False), key=key), 409,
                 "IDEMPOTENCY_KEY_REUSED")
    assert investor.get("/recurring-deposits").json() == {"recurring_deposits": [first]}
    assert_error(investor.post("/recurring-deposits", WEEKLY, key="k" * 129), 400, "INVALID_IDEMPOTENCY_KEY")
    assert schedules_of(db, investor.id) == 1


def test_concurrent_requests_with_one_key_create_one_schedule(investor, db):
    key = str(uuid.uuid4())
    with concurrent.futures.ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(lambda _: investor.post("/recurring-deposits", WEEKLY, key=key), range(5)))
    assert [a.status_code for a in answers] == [201] * 5, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 4
    assert schedules_of(db, investor.id) == 1


def test_without_a_key_every_request_creates_a_schedule(investor, db):
    first, second = create(investor, **WEEKLY), create(investor, **WEEKLY)
    assert first["id"] != second["id"]
    assert query(db, "SELECT count(*), count(idempotency_key) FROM recurring_deposits WHERE user_id = %s",
                 investor.id) == [(2, 0)]


def test_a_schedule_fires_on_its_date_invests_and_runs_once(investor, db, internal_secret):
    investor.onboard(3, "long")
    s = create(investor, amount_cents=250_000, frequency="weekly", day=5)
    date = datetime.date.fromisoformat(s["next_day"])
    # The day before its date: nothing.
    run_day(internal_secret, date - datetime.timedelta(days=1))
    assert deposits_of(db, investor.id) == []
    # Its date: a deposit and its invest, one transaction; the deploy batch of one follows.
    answer = run_day(internal_secret, date)
    # The run is a job of its own, finished with what it did.
    job = query(db, "SELECT type, trigger, status, progress_done, counters->>'deposits' FROM jobs WHERE id = %s",
                answer["job_id"])
    assert job == [("recurring_deposits", "api", "succeeded", answer["deposits"], str(answer["deposits"]))]
    assert answer["deposits"] >= 1
    # The date's run row points to that job.
    assert query(db, "SELECT job_id FROM recurring_deposit_runs WHERE schedule_id = %s AND day = %s", s["id"],
                 date) == [(answer["job_id"],)]
    ref = f"recurring:{s['id']}:{date}"
    assert deposits_of(db, investor.id) == [("deposit", 250_000, "recurring", ref),
                                           ("invest", 250_000, "recurring", ref + ":invest")]
    assert investor.get("/wallet").json()["cash_cents"] == 0
    p = wait_deployed(investor)
    assert p["net_contributions_cents"] == 250_000
    after = investor.get("/recurring-deposits").json()["recurring_deposits"][0]
    assert after["last_day"] == str(date) and after["next_day"] == str(date + datetime.timedelta(days=7))
    # Retried, the same day and concurrently: nothing more.
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda _: run_day(internal_secret, date), range(6)))
    assert len(deposits_of(db, investor.id)) == 2
    assert query(db, "SELECT day FROM recurring_deposit_runs WHERE schedule_id = %s", s["id"]) == [(date,)]
    audit()


def test_missed_dates_are_deposited_once_each_later(investor, db, internal_secret):
    # Not onboarded: the deposits stay in the wallet (nothing to invest into), whatever auto_invest says.
    s = create(investor, amount_cents=1_000, frequency="biweekly", day=3)
    first = datetime.date.fromisoformat(s["next_day"])
    late = first + datetime.timedelta(days=30)  # the job did not run for a month: first, +14, +28 are due
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: run_day(internal_secret, late), range(4)))
    run_day(internal_secret, late)
    dates = [first + datetime.timedelta(days=14 * i) for i in range(3)]
    assert [r[0] for r in query(db, "SELECT day FROM recurring_deposit_runs WHERE schedule_id = %s ORDER BY day",
                                s["id"])] == dates
    assert [r[:3] for r in deposits_of(db, investor.id)] == [("deposit", 1_000, "recurring")] * 3
    assert investor.get("/wallet").json()["cash_cents"] == 3_000
    assert investor.get("/recurring-deposits").json()["recurring_deposits"][0]["next_day"] == \
        str(first + datetime.timedelta(days=42))
    audit()


def test_a_date_already_deposited_is_never_deposited_again(investor, db, internal_secret):
    # As if an earlier run had deposited the date and the schedule's row were then set back to it: the
    # (schedule, date) key wins, the schedule only moves on.
    s = create(investor, amount_cents=4_200, frequency="monthly", day=10, auto_invest=False)
    date = datetime.date.fromisoformat(s["next_day"])
    run_day(internal_secret, date)
    query(db, "UPDATE recurring_deposits SET next_day = %s, last_day = NULL WHERE id = %s", date, s["id"])
    run_day(internal_secret, date)
    assert len(deposits_of(db, investor.id)) == 1
    assert investor.get("/wallet").json()["cash_cents"] == 4_200


def test_paused_and_deleted_schedules_do_not_fire(investor, db, internal_secret):
    base = API
    paused = create(investor, amount_cents=300, frequency="weekly", day=1)
    deleted = create(investor, amount_cents=400, frequency="weekly", day=1)
    investor.session.patch(f"{base}/recurring-deposits/{paused['id']}", json={"paused": True})
    investor.session.delete(f"{base}/recurring-deposits/{deleted['id']}")
    run_day(internal_secret, datetime.date.fromisoformat(paused["next_day"]) + datetime.timedelta(days=60))
    assert deposits_of(db, investor.id) == []
    # Resumed, it starts again after today: what it skipped while paused is not caught up.
    resumed = investor.session.patch(f"{base}/recurring-deposits/{paused['id']}", json={"paused": False}).json()
    assert resumed["status"] == "active" and resumed["next_day"] == str(first_date("weekly", 1, today()))


def test_the_job_without_a_body_runs_today_and_needs_the_secret(priced_stack, internal_secret):
    answer = post_internal("/internal/recurring", internal_secret)
    assert answer.status_code == 200 and answer.json()["day"] == str(today())
    assert_error(post_internal("/internal/recurring", "wrong-secret-wrong-secret"), 401)
    assert_error(post_internal("/internal/recurring", internal_secret, json={"day": "2026-02-30"}), 400)


def test_schedules_need_a_token(priced_stack):
    assert requests.get(f"{PUBLIC}/api/v1/recurring-deposits", timeout=HTTP_TIMEOUT).status_code == 401
