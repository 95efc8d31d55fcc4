"""Faults of the real parts: the broker and the database restart under running daemons, which must
report not-ready while they are gone and carry on, losing nothing, when they return."""

import uuid

import pytest
import requests

from conftest import (DECISIONAL, EXTERNAL_SERVICES, HTTP_TIMEOUT, INTERNAL, envelope, post_internal, ready, service,
                      wait_for, wait_sync_finished)

pytestmark = pytest.mark.skipif(EXTERNAL_SERVICES,
                                reason="the services belong to the CI runner; they cannot be restarted from here")


def test_broker_restart_delays_commands_but_loses_none(stack, db, internal_secret):
    service("rabbitmq.sh", "stop", "PARITY_TEST_AMQP_PORT")
    try:
        wait_for(lambda: not ready(f"{INTERNAL}/readyz"), what="operational to notice the broker is gone")
        body = requests.get(f"{INTERNAL}/readyz", timeout=HTTP_TIMEOUT).json()
        assert body["broker"] == "unreachable" and body["database"] == "ok"
        # Accepted while the broker is down: the command waits in the outbox.
        answer = post_internal("/internal/pipeline/daily", internal_secret)
        assert answer.status_code == 202
        message_id = answer.json()["message_id"]
    finally:
        service("rabbitmq.sh", "start", "PARITY_TEST_AMQP_PORT")
    wait_for(lambda: ready(f"{INTERNAL}/readyz") and ready(f"{DECISIONAL}/readyz"), what="both ready again")
    _, _, error, _ = wait_sync_finished(db, message_id)
    assert error is None


def test_database_restart_is_survived(stack, db_url, broker):
    service("pg.sh", "stop", "PARITY_TEST_PG_PORT")
    try:
        wait_for(lambda: not ready(f"{INTERNAL}/readyz"), what="operational to notice the database is gone")
        assert requests.get(f"{INTERNAL}/readyz", timeout=HTTP_TIMEOUT).json()["database"] == "unreachable"
        # A command arriving meanwhile is retried, not lost.
        message_id = str(uuid.uuid4())
        broker.publish("CMD_SYNC_DAILY", envelope("CMD_SYNC_DAILY", {"symbols": ["LQD"], "lookback_days": 30},
                                                  message_id).encode(), message_id)
    finally:
        service("pg.sh", "start", "PARITY_TEST_PG_PORT")
    wait_for(lambda: ready(f"{INTERNAL}/readyz") and ready(f"{DECISIONAL}/readyz"), what="both ready again")
    import psycopg2
    conn = psycopg2.connect(db_url)
    conn.autocommit = True
    try:
        _, _, error, symbols = wait_sync_finished(conn, message_id)
        assert (error, symbols) == (None, 1)
    finally:
        conn.close()
