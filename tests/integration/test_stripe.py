"""Card deposits through Stripe: a PaymentIntent created through the local stand-in (stripe_standin.py, which
speaks Stripe's documented API), and the signed webhook that credits the wallet once per event and per
PaymentIntent; unsigned, mis-signed and stale deliveries are refused. Paper deposits stay the default: the
suite's own daemon has no Stripe settings."""
import concurrent.futures
import time
import uuid

import pytest
import requests

from conftest import HTTP_TIMEOUT, PUBLIC, audit, extra_operational, query, scalar
from stripe_standin import StripeStandIn, sign, signed_delivery, succeeded_event
from test_auth import assert_error
from test_money import Investor

STRIPE_OFFSET = 110  # a parity-operational with Stripe settings on HTTP_PORT + 110 (conftest.extra_operational)
SECRET_KEY = "sk_test_parity_standin"
WEBHOOK_SECRET = "whsec_parity_test_secret"
PUBLISHABLE_KEY = "pk_test_parity_standin"


@pytest.fixture(scope="module")
def standin():
    server = StripeStandIn(SECRET_KEY).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def card(priced_stack, standin):
    daemon = extra_operational(STRIPE_OFFSET, STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                               STRIPE_PUBLISHABLE_KEY=PUBLISHABLE_KEY, STRIPE_API_BASE=standin.url)
    yield daemon
    assert daemon.stop() == 0, f"see {daemon.log_path}"


def intent(daemon, investor, cents, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return investor.session.post(f"{daemon.public}/api/v1/wallet/deposits/intent", json={"amount_cents": cents},
                                 headers=headers, timeout=HTTP_TIMEOUT)


def deliver(daemon, body, headers):
    return requests.post(f"{daemon.public}/api/v1/webhooks/stripe", data=body, headers=headers, timeout=HTTP_TIMEOUT)


def wallet(investor):
    return investor.get("/wallet").json()["cash_cents"]


def test_paper_deposits_are_the_default(priced_stack):
    investor = Investor()
    config = requests.get(f"{PUBLIC}/api/v1/config", timeout=HTTP_TIMEOUT)
    assert config.json() == {"card_deposits": False, "stripe_publishable_key": None}
    assert "stripe" not in config.headers["Content-Security-Policy"]
    assert_error(investor.post("/wallet/deposits/intent", {"amount_cents": 5000}), 404, "CARD_DEPOSITS_DISABLED")
    body, headers = signed_delivery(WEBHOOK_SECRET, succeeded_event("pi_x", 5000))
    assert_error(requests.post(f"{PUBLIC}/api/v1/webhooks/stripe", data=body, headers=headers, timeout=HTTP_TIMEOUT),
                 404, "CARD_DEPOSITS_DISABLED")


def test_config_serves_the_publishable_key_and_the_csp_admits_stripe_only_then(card):
    answer = requests.get(f"{card.public}/api/v1/config", timeout=HTTP_TIMEOUT)
    assert answer.json() == {"card_deposits": True, "stripe_publishable_key": PUBLISHABLE_KEY}
    csp = answer.headers["Content-Security-Policy"]
    assert "script-src 'self' https://js.stripe.com" in csp and "frame-src https://js.stripe.com" in csp
    assert "connect-src 'self' https://api.stripe.com" in csp and "frame-ancestors 'none'" in csp


def test_an_intent_is_created_through_stripe_once_per_key(card, standin, db):
    investor = Investor()
    key = str(uuid.uuid4())
    before = len(standin.requests)
    first = intent(card, investor, 12_345, key)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["id"].startswith("pi_") and body["client_secret"].startswith(body["id"] + "_secret_")
    assert body["amount_cents"] == 12_345 and body["status"] == "requires_payment_method"
    headers, form = standin.requests[before]
    # Stripe's documented request: form-encoded, cents, usd, our investor in the metadata, a scoped key.
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form == {"amount": ["12345"], "currency": ["usd"], "metadata[user_id]": [str(investor.id)],
                    "automatic_payment_methods[enabled]": ["true"]}
    assert headers["Idempotency-Key"] == f"parity-{investor.id}-{key}"
    # The same key: Stripe answers the same intent, and nothing new is remembered.
    again = intent(card, investor, 12_345, key)
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    assert query(db, "SELECT user_id, amount_cents FROM stripe_payment_intents WHERE id = %s", body["id"]) == \
        [(investor.id, 12_345)]
    # The same key for another amount: Stripe's idempotency_error, the API's own code for it.
    assert_error(intent(card, investor, 12_346, key), 409, "IDEMPOTENCY_KEY_REUSED")
    # Without a key every request is its own intent; nothing is credited before the webhook.
    other = intent(card, investor, 500)
    assert other.status_code == 201 and other.json()["id"] != body["id"]
    assert wallet(investor) == 0
    assert_error(intent(card, investor, 0), 400)
    assert_error(intent(card, investor, 10_000_000_001), 400)


def test_a_signed_webhook_credits_once_per_event_and_per_intent(card, db):
    investor = Investor()
    pi = intent(card, investor, 25_000).json()["id"]
    event = succeeded_event(pi, 25_000, user_id=investor.id)
    body, headers = signed_delivery(WEBHOOK_SECRET, event)
    first = deliver(card, body, headers)
    assert first.status_code == 200, first.text
    assert first.json() == {"received": True, "duplicate": False, "credited_cents": 25_000}
    assert wallet(investor) == 25_000
    # Stripe retries a delivery (same event id): 200, nothing credited again.
    replay = deliver(card, body, {**headers, "Stripe-Signature": sign(WEBHOOK_SECRET, body)})
    assert replay.status_code == 200 and replay.json() == {"received": True, "duplicate": True, "credited_cents": 0}
    # Another event about the same PaymentIntent: recorded, not credited twice.
    second = deliver(card, *signed_delivery(WEBHOOK_SECRET, succeeded_event(pi, 25_000)))
    assert second.status_code == 200 and second.json()["credited_cents"] == 0
    assert wallet(investor) == 25_000
    rows = query(db, "SELECT kind, amount_cents, source, external_ref FROM cash_movements WHERE user_id = %s",
                 investor.id)
    assert rows == [("deposit", 25_000, "card", f"stripe:{pi}")]
    assert scalar(db, "SELECT count(*) FROM stripe_events WHERE payment_intent = %s AND movement_id IS NOT NULL",
                  pi) == 1
    # Other event types and intents not created here are acknowledged and move nothing.
    other = dict(succeeded_event("pi_not_ours", 9_999), type="payment_intent.created")
    assert deliver(card, *signed_delivery(WEBHOOK_SECRET, other)).json()["credited_cents"] == 0
    assert deliver(card, *signed_delivery(WEBHOOK_SECRET, succeeded_event("pi_not_ours", 9_999))).json()[
        "credited_cents"] == 0
    audit()


def test_concurrent_deliveries_of_one_payment_credit_it_once(card):
    investor = Investor()
    pi = intent(card, investor, 7_700).json()["id"]
    deliveries = [signed_delivery(WEBHOOK_SECRET, succeeded_event(pi, 7_700, event_id=f"evt_{i % 3}_{pi}"))
                  for i in range(12)]
    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(lambda d: deliver(card, *d), deliveries))
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    assert sum(a.json()["credited_cents"] for a in answers) == 7_700
    assert wallet(investor) == 7_700


@pytest.mark.parametrize("case", ["unsigned", "wrong_secret", "tampered", "stale", "future", "malformed"])
def test_bad_signatures_are_refused_and_credit_nothing(card, db, case):
    investor = Investor()
    pi = intent(card, investor, 3_000).json()["id"]
    event = succeeded_event(pi, 3_000)
    body, headers = signed_delivery(WEBHOOK_SECRET, event)
    expected = {"unsigned": "SIGNATURE_MISSING", "wrong_secret": "SIGNATURE_INVALID", "tampered": "SIGNATURE_INVALID",
                "stale": "SIGNATURE_EXPIRED", "future": "SIGNATURE_EXPIRED", "malformed": "SIGNATURE_MALFORMED"}[case]
    if case == "unsigned":
        del headers["Stripe-Signature"]
    elif case == "wrong_secret":
        headers["Stripe-Signature"] = sign("whsec_someone_else", body)
    elif case == "tampered":  # signed for 3000 cents, delivered claiming 3000000
        body = body.replace(b'"amount_received":3000', b'"amount_received":3000000')
    elif case == "stale":  # a captured delivery replayed 6 minutes later (tolerance: 5)
        headers["Stripe-Signature"] = sign(WEBHOOK_SECRET, body, int(time.time()) - 360)
    elif case == "future":
        headers["Stripe-Signature"] = sign(WEBHOOK_SECRET, body, int(time.time()) + 360)
    else:
        headers["Stripe-Signature"] = "v1=" + "0" * 64
    assert_error(deliver(card, body, headers), 400, expected)
    assert wallet(investor) == 0
    assert scalar(db, "SELECT count(*) FROM stripe_events WHERE event_id = %s", event["id"]) == 0


def test_a_signed_but_malformed_event_is_400(card):
    body = b'{"type":"payment_intent.succeeded"}'
    assert_error(deliver(card, body, {"Stripe-Signature": sign(WEBHOOK_SECRET, body)}), 400, "INVALID_EVENT")
    body = b"not json"
    assert_error(deliver(card, body, {"Stripe-Signature": sign(WEBHOOK_SECRET, body)}), 400, "INVALID_EVENT")


def test_stripe_unreachable_is_503_with_retry_after(priced_stack):
    daemon = extra_operational(STRIPE_OFFSET + 10, STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                               STRIPE_API_BASE="http://127.0.0.1:9")  # discard port: nothing listens
    try:
        investor = Investor()
        answer = intent(daemon, investor, 5_000)
        assert_error(answer, 503, "STRIPE_UNAVAILABLE")
        assert answer.headers["Retry-After"]
        # a wrong secret key: Stripe refuses (401), a 502 naming it
        wrong = extra_operational(STRIPE_OFFSET + 20, STRIPE_SECRET_KEY="sk_wrong", STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                                  STRIPE_API_BASE=StripeStandIn(SECRET_KEY).start().url)
        try:
            assert_error(intent(wrong, investor, 5_000), 502, "STRIPE_REFUSED")
        finally:
            assert wrong.stop() == 0
    finally:
        assert daemon.stop() == 0, f"see {daemon.log_path}"
