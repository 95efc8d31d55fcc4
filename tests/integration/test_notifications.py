"""Notifications: written in the same transaction as the event they report (a deposit, a login, a rebalance
batch, a goal's forecast falling off track), once per event even when the event's request is replayed;
listed with an unread count, marked read, and emailed according to per-kind switches."""
import datetime

import pytest
import requests

import conftest
from conftest import HTTP_TIMEOUT, PUBLIC, mails_to, post_internal, run_status, scalar, wait_for, wait_mail
from test_goals import GoalInvestor, add_months, today_ny
from test_rebalance_run import drifted  # noqa: F401  (a fixture)


def notes(inv, kind=None):
    answer = inv.get("/notifications")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return body, [n for n in body["notifications"] if kind is None or n["kind"] == kind]


def put_settings(inv, email):
    return inv.session.put(f"{PUBLIC}/api/v1/notifications/settings", json={"email": email}, timeout=HTTP_TIMEOUT)


def test_a_deposit_writes_one_notification_even_when_replayed(stack, db):
    inv = GoalInvestor()
    key = {"Idempotency-Key": "dep-notify-1"}
    first = inv.post("/wallet/deposits", {"amount_cents": 123_456}, headers=key)
    again = inv.post("/wallet/deposits", {"amount_cents": 123_456}, headers=key)
    assert first.status_code == 201 and again.json()["id"] == first.json()["id"]
    body, deposits = notes(inv, "deposit_credited")
    assert len(deposits) == 1 and deposits[0]["read"] is False
    assert deposits[0]["title"] == "Deposit credited" and "$1,234.56" in deposits[0]["body"]
    # The notification and the movement are one transaction: same number of each.
    assert scalar(db, "SELECT count(*) FROM notifications WHERE user_id = %s AND kind = 'deposit_credited'", inv.id) == \
        scalar(db, "SELECT count(*) FROM cash_movements WHERE user_id = %s AND kind = 'deposit'", inv.id) == 1


def test_a_login_is_a_new_sign_in_and_a_refresh_is_not(stack):
    email, password = conftest.register_user()
    session, _ = conftest.login_user(email, password)
    inv = GoalInvestor.__new__(GoalInvestor)
    inv.session = session
    _, signins = notes(inv, "new_sign_in")
    assert len(signins) == 1 and "signed in" in signins[0]["body"]
    refreshed = session.post(f"{PUBLIC}/api/v1/auth/refresh", timeout=HTTP_TIMEOUT)
    assert refreshed.status_code == 200, refreshed.text
    session.headers["Authorization"] = f"Bearer {refreshed.json()['access_token']}"
    assert len(notes(inv, "new_sign_in")[1]) == 1
    # Emailed by default.
    msg = wait_mail(email, "New sign-in")
    assert "signed in to your account" in msg.get_content()


def test_marking_read_by_id_and_all(stack):
    inv = GoalInvestor()  # a sign-in already
    for cents in (100, 200):
        assert inv.post("/wallet/deposits", {"amount_cents": cents}).status_code == 201
    body, listed = notes(inv)
    assert body["unread"] == len(listed) == 3
    first = listed[0]["id"]
    answer = inv.post("/notifications/read", {"ids": [first]})
    assert answer.status_code == 200 and answer.json() == {"unread": 2}
    body, listed = notes(inv)
    assert [n["read"] for n in listed] == [True, False, False]
    other = GoalInvestor()
    assert other.post("/notifications/read", {"ids": [listed[1]["id"]]}).json() == {"unread": 1}  # its own sign-in
    assert notes(inv)[0]["unread"] == 2  # another's ids change nothing here
    assert inv.post("/notifications/read", {"all": True}).json() == {"unread": 0}
    for bad in ({}, {"ids": [1], "all": True}, {"ids": ["x"]}, {"ids": [0]}, {"all": False}, {"what": 1}):
        assert inv.post("/notifications/read", bad).status_code == 400, bad


def test_email_switches(stack):
    email, password = conftest.register_user()
    session, _ = conftest.login_user(email, password)
    inv = GoalInvestor.__new__(GoalInvestor)
    inv.session = session
    defaults = inv.get("/notifications/settings").json()
    assert defaults["email"]["new_sign_in"] is True and defaults["email"]["deposit_credited"] is False
    assert {k["kind"] for k in defaults["kinds"]} >= {"deposit_credited", "rebalance_executed", "new_sign_in",
                                                      "goal_off_track"}
    changed = put_settings(inv, {"new_sign_in": False, "deposit_credited": True})
    assert changed.status_code == 200, changed.text
    assert changed.json()["email"]["new_sign_in"] is False and changed.json()["email"]["deposit_credited"] is True
    wait_mail(email, "New sign-in")  # the first login's, sent before the switch
    conftest.login_user(email, password)  # a second sign-in: switched off
    assert inv.post("/wallet/deposits", {"amount_cents": 5_000}).status_code == 201
    # The sweep takes notifications in id order: once the deposit's email is out, the sign-in's was decided.
    deposit = wait_mail(email, "Deposit credited")
    assert "$50.00" in deposit.get_content()
    assert len(mails_to(email, "New sign-in")) == 1
    assert len(notes(inv, "new_sign_in")[1]) == 2  # listed whatever the email switch
    for bad in ({"email": {"nope": True}}, {"email": {"new_sign_in": "yes"}}, {"email": 1}, {}):
        assert put_settings(inv, bad.get("email")).status_code == 400 if "email" in bad else \
            inv.session.put(f"{PUBLIC}/api/v1/notifications/settings", json=bad, timeout=HTTP_TIMEOUT).status_code == 400


def test_a_rebalance_batch_notifies_its_investors_once(drifted, db, internal_secret):  # noqa: F811
    investor, _, _ = drifted
    started = post_internal("/internal/rebalance?period=2095-03", internal_secret)
    assert started.status_code == 202, started.text
    run_id = started.json()["run_id"]
    wait_for(lambda: run_status(internal_secret, run_id)["status"] == "complete", what="the run")
    rows = scalar(db, "SELECT count(*) FROM notifications n JOIN rebalance_batches b ON n.ref = 'batch:' || b.id "
                      "WHERE b.run_id = %s AND n.kind = 'rebalance_executed' AND n.user_id = %s", run_id, investor.id)
    assert rows == 1
    note = [n for n in investor.get("/notifications").json()["notifications"] if n["kind"] == "rebalance_executed"]
    trades = scalar(db, "SELECT count(*) FROM trades WHERE run_id = %s AND user_id = %s", run_id, investor.id)
    assert len(note) == 1 and f"{trades} trade" in note[0]["body"]


def test_a_goal_falling_off_track_notifies_once(priced_stack):
    inv = GoalInvestor()
    inv.onboard(3, "long")
    inv.invest(1_000_000)
    target = add_months(today_ny(), 24)
    goal = inv.post("/goals", {"name": "Moon", "target_cents": 900_000_000, "target_date": target.isoformat()}).json()
    goal = inv.settled(goal["id"])
    assert goal["status"] == "off_track" and goal["probability"] < 0.01
    found = wait_for(lambda: notes(inv, "goal_off_track")[1] or None, what="the off-track notification")
    assert len(found) == 1 and "Moon" in found[0]["title"]
    inv.get("/goals")
    assert len(notes(inv, "goal_off_track")[1]) == 1
