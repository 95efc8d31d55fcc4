"""Jobs: every start of work has a job row that its process moves; GET /internal/jobs pages by keyset; the
event stream (SSE, fed by NOTIFY) reaches many watchers and ends with the final status; the CLI follows a job
on a terminal and on a pipe; a dead-lettered command fails its job and a retry resends only what never
committed; a job past its expected time is marked stuck. Real daemons, PostgreSQL and RabbitMQ."""

import json
import os
import pty
import select
import subprocess
import threading
import time
import uuid

import pytest
import requests

import conftest
from conftest import (BIN, HTTP_TIMEOUT, INTERNAL, WAIT_SECONDS, audit, post_internal, query, run_status, scalar,
                      seed_investors, wait_for)

INVESTORS = 5000
SEED = 20261
WATCHERS_MAX = 32  # PARITY_JOB_WATCHERS_MAX (operational/job_watch.h)


def get(path, secret, **kw):
    return requests.get(f"{INTERNAL}{path}", headers={"X-Internal-Secret": secret}, timeout=HTTP_TIMEOUT, **kw)


def job(secret, job_id):
    answer = get(f"/internal/jobs/{job_id}", secret)
    assert answer.status_code == 200, answer.text
    return answer.json()


def wait_job(secret, job_id, status, timeout=WAIT_SECONDS):
    return wait_for(lambda: (j := job(secret, job_id))["status"] == status and j, timeout,
                    what=f"job {job_id} {status}")


def open_stream(secret, job_id):
    return requests.get(f"{INTERNAL}/internal/jobs/{job_id}/events", headers={"X-Internal-Secret": secret},
                        stream=True, timeout=(HTTP_TIMEOUT, WAIT_SECONDS))


def sse_events(answer):
    """(event name, data as JSON) of each event of an event stream, as the bytes come; comments skipped."""
    name, data = None, []
    buf = b""
    for chunk in answer.iter_content(chunk_size=None):
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            line = line.decode().rstrip("\r")
            if line == "":
                if data:
                    yield name or "message", json.loads("\n".join(data))
                name, data = None, []
            elif line.startswith(":"):
                continue
            elif line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])


def insert_job(db, status="running", total=100, expected_seconds=3600, created_ago="0 seconds"):
    """A job row as a process would write it (for streams and the CLI driven by hand)."""
    return scalar(db, "INSERT INTO jobs (type, trigger, status, started_at, finished_at, progress_unit, "
                      "progress_total, expected_seconds, created_at) VALUES ('cleanup', 'cli', %s, CASE WHEN %s "
                      "<> 'queued' THEN now() - %s::interval END, CASE WHEN %s IN ('succeeded', 'failed', "
                      "'aborted') THEN now() END, 'tables', %s, %s, now() - %s::interval) RETURNING id",
                  status, status, created_ago, status, total, expected_seconds, created_ago)


def cli_env(secret):
    env = dict(os.environ)
    env.update(PARITY_INTERNAL_URL=INTERNAL, INTERNAL_SECRET=secret)
    return env


# ---------------------------------------------------------------- every start has its job


def test_the_daily_pipeline_is_a_job_its_worker_moves(conftest_stack_priced, db, internal_secret):
    answer = requests.post(f"{INTERNAL}/internal/pipeline/daily", timeout=HTTP_TIMEOUT,
                           headers={"X-Internal-Secret": internal_secret, "X-Job-Trigger": "cli"})
    assert answer.status_code == 202
    body = answer.json()
    done = wait_job(internal_secret, body["job_id"], "succeeded")
    assert done["type"] == "daily_sync" and done["trigger"] == "cli"
    assert done["message_ids"] == [body["message_id"]]
    # Its units are the symbols it synced: all of them, counted by the worker in the sync's transaction.
    symbols = len(done["params"]["symbols"])
    assert done["progress"] == {"done": symbols, "total": symbols, "unit": "symbols"}
    assert done["counters"]["symbols"] == symbols and done["counters"]["kind"] == "daily"
    assert done["started_at"] and done["finished_at"] and done["reason"] is None
    # Its event queued the model generation, a job of its own started by that event.
    generation = wait_for(lambda: [j for j in get("/internal/jobs?type=model_generation&limit=5",
                                                  internal_secret).json()["jobs"] if j["id"] > done["id"]],
                          what="the model generation job")[0]
    assert generation["trigger"] == "event"
    assert wait_job(internal_secret, generation["id"], "succeeded")["counters"]["buckets"] == 15


def test_a_start_names_its_trigger_or_is_refused(stack, internal_secret):
    bad = requests.post(f"{INTERNAL}/internal/cleanup", timeout=HTTP_TIMEOUT,
                        headers={"X-Internal-Secret": internal_secret, "X-Job-Trigger": "schedule"})
    assert bad.status_code == 400  # the in-process schedule is no caller of the API
    plain = post_internal("/internal/cleanup", internal_secret)
    assert plain.status_code == 200
    cleanup = job(internal_secret, plain.json()["job_id"])
    assert (cleanup["type"], cleanup["trigger"], cleanup["status"]) == ("cleanup", "api", "succeeded")
    assert cleanup["progress"] == {"done": 9, "total": 9, "unit": "tables"}  # the nine steps of parity_svc_cleanup
    assert set(cleanup["counters"]["deleted"]) >= {"outbox", "sessions", "rebalance_targets"}


def test_keyset_pages_cover_every_job_once(stack, db, internal_secret):
    for _ in range(5):
        assert post_internal("/internal/cleanup", internal_secret).status_code == 200
    expected = [i for (i,) in query(db, "SELECT id FROM jobs WHERE type = 'cleanup' ORDER BY id DESC")]
    seen, cursor = [], None
    while True:
        page = get(f"/internal/jobs?type=cleanup&limit=2{'&cursor=' + cursor if cursor else ''}", internal_secret)
        assert page.status_code == 200
        body = page.json()
        assert len(body["jobs"]) <= 2
        seen += [j["id"] for j in body["jobs"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == expected  # newest first, none twice, none missed
    assert get("/internal/jobs?status=succeeded&since=2000-01-01&limit=1", internal_secret).status_code == 200
    for bad in ("type=nope", "status=done", "limit=0", "limit=501", "cursor=abc", "cursor=-1", "since=yesterday"):
        answer = get(f"/internal/jobs?{bad}", internal_secret)
        assert answer.status_code == 400 and answer.json()["error"]["code"], bad
    assert get("/internal/jobs/999999999", internal_secret).status_code == 404
    assert get("/internal/jobs/999999999/events", internal_secret).status_code == 404


# ---------------------------------------------------------------- the event stream


@pytest.fixture(scope="module")
def conftest_stack_priced(priced_stack):
    return priced_stack


@pytest.fixture(scope="module")
def investors(conftest_stack_priced):
    """5,000 synthetic investors in the suite's database (--force: other suites' real users are there)."""
    run = seed_investors(INVESTORS, "--seed", SEED, "--force")
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def watch(secret, job_id, out):
    out["events"] = []
    with open_stream(secret, job_id) as answer:
        out["status"] = answer.status_code
        out["type"] = answer.headers.get("Content-Type")
        for event in sse_events(answer):
            out["events"].append(event)


def test_two_watchers_see_a_5000_investor_rebalance_from_start_to_end(investors, db, decisional, internal_secret):
    # Decisional is away while the watchers connect, so the run cannot end before they see its start.
    decisional.stop()
    try:
        started = requests.post(f"{INTERNAL}/internal/rebalance?period=2091-03", timeout=HTTP_TIMEOUT,
                                headers={"X-Internal-Secret": internal_secret, "X-Job-Trigger": "cli"})
        assert started.status_code == 202, started.text
        run_id, job_id = started.json()["run_id"], started.json()["job_id"]
        seen = [{}, {}]
        threads = [threading.Thread(target=watch, args=(internal_secret, job_id, s)) for s in seen]
        for t in threads:
            t.start()
        wait_for(lambda: all(s.get("events") for s in seen), what="both watchers connected")
    finally:
        decisional.start()
    for t in threads:
        t.join(WAIT_SECONDS)
    for s in seen:
        first = s["events"][0][1]
        assert first["status"] == "running" and first["done"] == 0  # no batch can be applied yet
    run = run_status(internal_secret, run_id)
    assert run["status"] == "complete" and run["job_id"] == job_id
    assert run["portfolios_done"] >= INVESTORS
    for s in seen:
        assert s["status"] == 200 and s["type"].startswith("text/event-stream")
        events = s["events"]
        names = [n for n, _ in events]
        # Progress events, then exactly one end, last: the stream closes after it.
        assert names[-1] == "end" and names.count("end") == 1 and set(names[:-1]) <= {"progress"}
        revs = [e["rev"] for _, e in events]
        assert revs == sorted(set(revs))  # each state once, never an older one after a newer
        dones = [e["done"] for _, e in events]
        assert dones == sorted(dones)
        assert all(e["status"] in ("queued", "running") for _, e in events[:-1])
        final = events[-1][1]
        assert final["status"] == "succeeded" and final["id"] == job_id and final["unit"] == "portfolios"
        assert final["done"] == final["total"] == run["portfolios_done"]
    assert seen[0]["events"][-1][1]["rev"] == seen[1]["events"][-1][1]["rev"]
    done = job(internal_secret, job_id)
    assert done["counters"]["run_id"] == run_id and done["counters"]["batches_applied"] == run["batches"]
    assert done["counters"]["trades"] == run["trades"] and done["trigger"] == "cli"
    audit()


def test_watchers_beyond_the_bound_get_503_and_one_notify_ends_every_stream(stack, db, internal_secret):
    job_id = insert_job(db)
    streams = [open_stream(internal_secret, job_id) for _ in range(WATCHERS_MAX)]
    try:
        assert all(s.status_code == 200 for s in streams)
        extra = open_stream(internal_secret, job_id)
        assert extra.status_code == 503 and int(extra.headers["Retry-After"]) > 0
        extra.close()
        metrics = requests.get(f"{INTERNAL}/metrics", timeout=HTTP_TIMEOUT).text
        assert f"parity_operational_job_watchers {WATCHERS_MAX}" in metrics
        # One UPDATE, one NOTIFY: every watcher hears it from the one listener.
        query(db, "UPDATE jobs SET status = 'succeeded', finished_at = now(), progress_done = 100 WHERE id = %s",
              job_id)
        ends = []
        for s in streams:
            events = list(sse_events(s))
            ends.append(events[-1])
        assert all(name == "end" and e["status"] == "succeeded" and e["done"] == 100 for name, e in ends)
    finally:
        for s in streams:
            s.close()
    # The slots are free again.
    wait_for(lambda: open_stream(internal_secret, insert_job(db, status="succeeded")).status_code == 200,
             what="a slot")


# ---------------------------------------------------------------- the CLI follows


def drive(db, job_id):
    """Moves a hand-made job: half done, then done."""
    time.sleep(1)
    query(db, "UPDATE jobs SET progress_done = 50 WHERE id = %s", job_id)
    time.sleep(1)
    query(db, "UPDATE jobs SET status = 'succeeded', finished_at = now(), progress_done = 100 WHERE id = %s", job_id)


def test_follow_on_a_pipe_prints_plain_lines_and_exits_with_the_outcome(stack, db, internal_secret):
    job_id = insert_job(db)
    mover = threading.Thread(target=drive, args=(db, job_id))
    mover.start()
    run = subprocess.run([os.path.join(BIN, "parity"), "job", str(job_id), "--follow"], env=cli_env(internal_secret),
                         capture_output=True, text=True, timeout=WAIT_SECONDS)
    mover.join()
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert "\r" not in run.stdout and "\033" not in run.stdout  # no terminal control on a pipe
    assert lines[0].startswith(f"job {job_id} cleanup running ") and "/100 tables" in lines[0]
    assert any("running 50/100 tables (50%)" in line for line in lines)
    assert lines[-1] == f"job {job_id} succeeded"

    failed = insert_job(db)
    query(db, "UPDATE jobs SET status = 'failed', reason = 'disk full', finished_at = now() WHERE id = %s", failed)
    run = subprocess.run([os.path.join(BIN, "parity"), "job", str(failed), "--follow"], env=cli_env(internal_secret),
                         capture_output=True, text=True, timeout=WAIT_SECONDS)
    assert run.returncode == 1 and run.stdout.splitlines()[-1] == f"job {failed} failed: disk full"


def test_follow_on_a_terminal_draws_a_progress_bar(stack, db, internal_secret):
    job_id = insert_job(db)
    mover = threading.Thread(target=drive, args=(db, job_id))
    pid, fd = pty.fork()
    if pid == 0:
        env = cli_env(internal_secret)
        os.execve(os.path.join(BIN, "parity"), ["parity", "job", str(job_id), "--follow"], env)
    mover.start()
    out = b""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    mover.join()
    text = out.decode()
    assert os.waitstatus_to_exitcode(status) == 0, text
    # The bar is redrawn in place (carriage return, erase line), half full at 50 of 100.
    assert "\r\033[K[" in text
    assert "[" + "#" * 15 + "." * 15 + "]  50%  50/100 tables" in text
    assert "/s  ETA " in text
    assert text.rstrip().endswith(f"job {job_id} succeeded")


def test_pipeline_daily_follow_exits_zero_once_the_sync_succeeded(conftest_stack_priced, internal_secret):
    run = subprocess.run([os.path.join(BIN, "parity"), "pipeline", "daily", "--follow"], env=cli_env(internal_secret),
                         capture_output=True, text=True, timeout=WAIT_SECONDS)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1].endswith("succeeded") and "daily_sync" in run.stdout
    listed = subprocess.run([os.path.join(BIN, "parity"), "jobs", "--type", "daily_sync", "--limit", "1"],
                            env=cli_env(internal_secret), capture_output=True, text=True, timeout=HTTP_TIMEOUT)
    assert listed.returncode == 0 and "daily_sync" in listed.stdout and "succeeded" in listed.stdout
    assert " cli " in listed.stdout


# ---------------------------------------------------------------- failures are visible


def test_a_dead_lettered_command_fails_its_job(stack, db, broker, internal_secret):
    job_id = insert_job(db, status="queued", total=None)
    bad = {"symbols": ["not a symbol!"], "lookback_days": 10, "job_id": job_id}
    msg_id = str(uuid.uuid4())
    broker.publish("CMD_SYNC_DAILY", conftest.envelope("CMD_SYNC_DAILY", bad, msg_id), msg_id)
    failed = wait_job(internal_secret, job_id, "failed")
    assert "CMD_SYNC_DAILY" in failed["reason"] and "dead-lettered" in failed["reason"] and msg_id in failed["reason"]
    assert failed["finished_at"]


def test_retry_resends_only_the_batch_that_never_committed(investors, db, broker, decisional, internal_secret):
    decisional.stop()
    try:
        started = post_internal("/internal/rebalance?period=2091-05", internal_secret)
        assert started.status_code == 202
        run_id, job_id = started.json()["run_id"], started.json()["job_id"]
        # Planned to the end, every batch's command on the queue (decisional is away).
        planned = wait_for(lambda: (r := run_status(internal_secret, run_id))["status"] == "running" and r,
                           what="the run planned")
        assert planned["batches"] >= 3  # 5,000 investors and more in batches of 2,000
        wait_for(lambda: broker.depth("decisional.rebalance") >= planned["batches"], what="the commands queued")
        # One command of the run is taken off the queue and replaced by a broken copy under its own id:
        # decisional will dead-letter it, so its batch is never computed. Others are put back as they were.
        while True:
            props, body = broker.get("decisional.rebalance")
            command = json.loads(body)
            if command["payload"].get("run_id") == run_id:
                break
            broker.publish("CMD_REBALANCE_BATCH", body, props.message_id)
        lost_batch = command["payload"]["batch_id"]
        command["payload"]["threshold"] = 5  # over the contract's maximum of 1
        broker.publish("CMD_REBALANCE_BATCH", json.dumps(command), props.message_id, exchange="parity.commands")
    finally:
        decisional.start()
    failed = wait_job(internal_secret, job_id, "failed")
    assert "dead-lettered" in failed["reason"] and command["id"] in failed["reason"]
    # The other batches went on (a failed job is not revived by them); the broken one's never did.
    wait_for(lambda: run_status(internal_secret, run_id)["applied"] == planned["batches"] - 1,
             what="the other batches applied")
    assert job(internal_secret, job_id)["status"] == "failed"
    applied = {b: t for b, t in query(db, "SELECT id, trades FROM rebalance_batches WHERE run_id = %s "
                                          "AND status = 'applied'", run_id)}
    trades_before = scalar(db, "SELECT count(*) FROM trades WHERE run_id = %s", run_id)

    retried = requests.post(f"{INTERNAL}/internal/jobs/{job_id}/retry", headers={"X-Internal-Secret": internal_secret},
                            timeout=HTTP_TIMEOUT)
    assert retried.status_code == 202, retried.text
    assert retried.json()["commands_resent"] == 1 and retried.json()["attempts"] == 2
    done = wait_job(internal_secret, job_id, "succeeded")
    run = run_status(internal_secret, run_id)
    assert run["status"] == "complete" and run["applied"] == run["batches"] == planned["batches"]
    assert done["progress"]["done"] == done["progress"]["total"] == run["portfolios_done"]
    # What had committed did not run again: the applied batches kept their trades, and only the lost batch
    # added some.
    assert {b: t for b, t in query(db, "SELECT id, trades FROM rebalance_batches WHERE run_id = %s AND id <> %s",
                                   run_id, lost_batch)} == applied
    lost_trades = scalar(db, "SELECT trades FROM rebalance_batches WHERE id = %s", lost_batch)
    assert scalar(db, "SELECT count(*) FROM trades WHERE run_id = %s", run_id) == trades_before + lost_trades
    again = requests.post(f"{INTERNAL}/internal/jobs/{job_id}/retry", headers={"X-Internal-Secret": internal_secret},
                          timeout=HTTP_TIMEOUT)
    assert again.status_code == 409 and again.json()["error"]["code"] == "JOB_NOT_RETRYABLE"
    audit()


def test_a_job_past_its_expected_time_is_marked_stuck(stack, db, internal_secret):
    job_id = insert_job(db, expected_seconds=60, created_ago="2 minutes")
    # The sweep runs every 30 s on the listener's connection.
    marked = wait_for(lambda: (j := job(internal_secret, job_id))["stuck"] and j, what="the job marked stuck")
    assert marked["status"] == "running"
    wait_for(lambda: any(line.startswith("parity_operational_jobs_stuck ") and float(line.split()[1]) >= 1
                         for line in requests.get(f"{INTERNAL}/metrics", timeout=HTTP_TIMEOUT).text.splitlines()),
             what="the stuck gauge")
    query(db, "UPDATE jobs SET status = 'aborted', reason = 'test over', finished_at = now() WHERE id = %s", job_id)


def test_ops_status_reports_jobs_freshness_queues_and_dead_letters(conftest_stack_priced, db, internal_secret):
    assert post_internal("/internal/cleanup", internal_secret).status_code == 200
    newest = scalar(db, "SELECT max(day)::text FROM daily_prices")
    # The queue depths come from operational's /metrics, which the relay fills every 15 s.
    wait_for(lambda: "parity_operational_dead_letter_messages " in
             requests.get(f"{INTERNAL}/metrics", timeout=HTTP_TIMEOUT).text, what="the queue depths polled")
    run = subprocess.run([os.path.join(BIN, "parity"), "ops-status"], env=cli_env(internal_secret),
                         capture_output=True, text=True, timeout=HTTP_TIMEOUT)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    last_cleanup = scalar(db, "SELECT max(id) FROM jobs WHERE type = 'cleanup'")
    assert any(line.split()[:3] == ["cleanup", str(last_cleanup), "succeeded"] for line in out.splitlines()), out
    assert f"newest daily close      {newest}" in out
    for queue in ("decisional.pipeline", "decisional.rebalance", "operational.events", "parity.dead"):
        assert queue in out, out
    assert "dead letters (parity.dead): " in out and "jobs stuck" in out


def test_a_quiet_stream_outlives_the_idle_timeout_on_heartbeats(stack, db, internal_secret):
    """Nothing happens to the job for longer than HTTP_CONNECTION_TIMEOUT (30 s): the heartbeats keep the
    stream open, and the job's end still arrives on it."""
    job_id = insert_job(db)
    started = time.monotonic()
    text, ended = b"", False
    with open_stream(internal_secret, job_id) as answer:
        assert answer.status_code == 200
        for chunk in answer.iter_content(chunk_size=None):
            text += chunk
            if b"event: end" in text:
                ended = True
                break
            if time.monotonic() - started > 32 and b": heartbeat" in text and b"succeeded" not in text:
                query(db, "UPDATE jobs SET status = 'succeeded', finished_at = now() WHERE id = %s", job_id)
    assert ended and text.count(b": heartbeat\n\n") >= 2


def test_a_job_with_nothing_to_resend_is_not_retried(stack, db, internal_secret):
    job_id = insert_job(db)
    query(db, "UPDATE jobs SET status = 'failed', reason = 'lost', finished_at = now() WHERE id = %s", job_id)
    answer = requests.post(f"{INTERNAL}/internal/jobs/{job_id}/retry", headers={"X-Internal-Secret": internal_secret},
                           timeout=HTTP_TIMEOUT)
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "NOTHING_TO_RETRY"
    assert job(internal_secret, job_id)["status"] == "failed"  # unchanged: the refusal rolled back
