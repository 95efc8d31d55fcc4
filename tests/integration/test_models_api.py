"""GET /api/v1/models and /api/v1/models/{bucket}: the 15 current model portfolios, public,
checked against model_portfolios (newest as-of day per bucket) and the generation's invariants."""

import datetime
import json

import pytest
import requests

from conftest import HTTP_TIMEOUT, PUBLIC, query, scalar, wait_for

BUCKETS = [f"risk_{r}_horizon_{h}" for r in range(1, 6) for h in ("short", "medium", "long")]
MIN_WEIGHT = 0.02  # MODEL_MIN_WEIGHT: smaller weights are cut and redistributed (SPEC §8)


def current_rows(db):
    rows = query(db, "SELECT DISTINCT ON (bucket_key) bucket_key, as_of_day, computed_at, weights FROM model_portfolios "
                     "ORDER BY bucket_key, as_of_day DESC")
    return {b: (day.isoformat(), at, w) for b, day, at, w in rows}


def current_model(bucket, as_of):
    """The bucket's model as GET /models/{bucket} and GET /models both serve it, once its as_of is as_of."""
    model = requests.get(f"{PUBLIC}/api/v1/models/{bucket}", timeout=HTTP_TIMEOUT).json()
    listed = {m["bucket"]: m for m in requests.get(f"{PUBLIC}/api/v1/models", timeout=HTTP_TIMEOUT).json()["models"]}
    return model if model.get("as_of") == as_of and listed.get(bucket) == model else None


def model_answer(bucket, status):
    """GET /models/{bucket}'s body once it answers `status`, else None (a 404 Response is falsy)."""
    answer = requests.get(f"{PUBLIC}/api/v1/models/{bucket}", timeout=HTTP_TIMEOUT)
    return answer.json() if answer.status_code == status else None


def test_models_lists_the_fifteen_current_models_in_bucket_order(priced_stack, db):
    answer = requests.get(f"{PUBLIC}/api/v1/models", timeout=HTTP_TIMEOUT)
    assert answer.status_code == 200
    models = answer.json()["models"]
    assert [m["bucket"] for m in models] == BUCKETS
    rows = current_rows(db)
    newest_day = scalar(db, "SELECT max(day) FROM daily_prices").isoformat()
    for m in models:
        as_of, computed_at, weights = rows[m["bucket"]]
        risk, horizon = m["bucket"].split("_")[1], m["bucket"].split("_")[3]
        assert (m["risk_tolerance"], m["horizon"]) == (int(risk), horizon)
        assert m["as_of"] == as_of == newest_day
        shown = datetime.datetime.strptime(m["computed_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
        assert abs((shown - computed_at).total_seconds()) < 1
        assert m["weights"] == weights
        # Generation's invariants: exact micro-unit weights summing to 1, none below the cut.
        assert sum(round(w * 1_000_000) for w in m["weights"].values()) == 1_000_000
        assert all(w >= MIN_WEIGHT and abs(w * 1e6 - round(w * 1e6)) < 1e-6 for w in m["weights"].values())


def test_one_bucket_is_the_same_model(priced_stack):
    listed = {m["bucket"]: m for m in requests.get(f"{PUBLIC}/api/v1/models", timeout=HTTP_TIMEOUT).json()["models"]}
    for bucket in BUCKETS:
        answer = requests.get(f"{PUBLIC}/api/v1/models/{bucket}", timeout=HTTP_TIMEOUT)
        assert answer.status_code == 200
        assert answer.json() == listed[bucket]


@pytest.mark.parametrize("bucket", ["risk_6_horizon_long", "risk_0_horizon_short", "risk_3_horizon_forever",
                                    "RISK_3_HORIZON_LONG", "risk_3_horizon_long_", "risk_3", "x", "risk_33_horizon_long"])
def test_an_unknown_bucket_is_404(priced_stack, bucket):
    answer = requests.get(f"{PUBLIC}/api/v1/models/{bucket}", timeout=HTTP_TIMEOUT)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "NOT_FOUND"


def test_models_are_public_and_read_only(priced_stack):
    # A bearer header, valid or not, changes nothing on a public route.
    assert requests.get(f"{PUBLIC}/api/v1/models", headers={"Authorization": "Bearer x"},
                        timeout=HTTP_TIMEOUT).status_code == 200
    assert requests.post(f"{PUBLIC}/api/v1/models", json={}, timeout=HTTP_TIMEOUT).status_code == 405
    assert requests.delete(f"{PUBLIC}/api/v1/models/risk_3_horizon_long", timeout=HTTP_TIMEOUT).status_code == 405


def test_the_newest_as_of_day_is_current(priced_stack, db):
    bucket = "risk_1_horizon_short"
    newest = scalar(db, "SELECT max(as_of_day) FROM model_portfolios WHERE bucket_key = %s", bucket)
    later = newest + datetime.timedelta(days=3)
    try:
        query(db, "INSERT INTO model_portfolios (bucket_key, as_of_day, weights) VALUES (%s, %s, %s)", bucket, later,
              json.dumps({"BND": 0.6, "VTI": 0.4}))
        # Served from memory: the insert's NOTIFY has the daemon reload its models, a moment after the commit.
        model = wait_for(lambda: current_model(bucket, later.isoformat()), what="the new model to be served")
        assert model["weights"] == {"BND": 0.6, "VTI": 0.4}
        listed = {m["bucket"]: m for m in requests.get(f"{PUBLIC}/api/v1/models", timeout=HTTP_TIMEOUT).json()["models"]}
        assert listed[bucket] == model
    finally:
        query(db, "DELETE FROM model_portfolios WHERE bucket_key = %s AND as_of_day = %s", bucket, later)
    wait_for(lambda: current_model(bucket, newest.isoformat()), what="the older model to be served again")


def test_a_bucket_without_a_model_yet_is_404_and_absent_from_the_list(priced_stack, db):
    bucket = "risk_5_horizon_short"
    saved = query(db, "SELECT id, bucket_key, as_of_day, computed_at, weights::text, diagnostics::text "
                      "FROM model_portfolios WHERE bucket_key = %s", bucket)
    try:
        query(db, "DELETE FROM model_portfolios WHERE bucket_key = %s", bucket)
        answer = wait_for(lambda: model_answer(bucket, 404), what="the deleted model to be gone")
        assert "no model portfolio yet" in answer["error"]["message"]
        listed = [m["bucket"] for m in requests.get(f"{PUBLIC}/api/v1/models", timeout=HTTP_TIMEOUT).json()["models"]]
        assert listed == [b for b in BUCKETS if b != bucket]
    finally:
        for row in saved:
            query(db, "INSERT INTO model_portfolios (id, bucket_key, as_of_day, computed_at, weights, diagnostics) "
                      "OVERRIDING SYSTEM VALUE VALUES (%s, %s, %s, %s, %s::jsonb, %s::jsonb)", *row)
    wait_for(lambda: model_answer(bucket, 200), what="the restored model to be served")
