"""The daily pipeline ends in the 15 model portfolios: EVT_SYNC_DONE -> CMD_GENERATE -> model_portfolios.
The worker (reading PostgreSQL) and `parity models` (reading the CSV) must agree to the last digit."""

import json
import os
import subprocess

from conftest import BIN, DATA_FILE, post_internal, query, scalar, wait_for

BUCKETS = {f"risk_{r}_horizon_{h}" for r in range(1, 6) for h in ("short", "medium", "long")}


def current_models(db):
    rows = query(db, "SELECT DISTINCT ON (bucket_key) bucket_key, as_of_day::text, weights FROM model_portfolios "
                     "ORDER BY bucket_key, as_of_day DESC")
    return {bucket: (as_of, weights) for bucket, as_of, weights in rows}


def test_daily_pipeline_generates_the_fifteen_models(stack, db, internal_secret):
    query(db, "DELETE FROM model_portfolios")
    assert post_internal("/internal/pipeline/daily", internal_secret).status_code == 202
    models = wait_for(lambda: len(current_models(db)) == 15 and current_models(db),
                      what="15 model portfolios")
    assert set(models) == BUCKETS
    for bucket, (as_of, weights) in models.items():
        assert as_of == "2026-05-01"
        assert abs(sum(weights.values()) - 1.0) < 1e-9, bucket
        assert all(w >= 0.02 for w in weights.values()), bucket

    cli = subprocess.run([os.path.join(BIN, "parity"), "models", "--csv", DATA_FILE], capture_output=True,
                         text=True, check=True)
    expected = json.loads(cli.stdout)
    assert expected["as_of"] == "2026-05-01"
    for bucket, weights in expected["buckets"].items():
        stored = models[bucket][1]
        assert set(stored) == set(weights), bucket
        for symbol, w in weights.items():
            assert abs(stored[symbol] - w) < 1e-12, (bucket, symbol)


def test_regenerating_the_same_day_is_idempotent(stack, db, internal_secret):
    before = current_models(db)
    count = scalar(db, "SELECT count(*) FROM model_portfolios")
    message_id = post_internal("/internal/models/generate", internal_secret).json()["message_id"]
    wait_for(lambda: scalar(db, "SELECT count(*) FROM processed_messages WHERE message_id = %s", message_id),
             what="CMD_GENERATE processed")
    assert scalar(db, "SELECT count(*) FROM model_portfolios") == count
    assert current_models(db) == before
