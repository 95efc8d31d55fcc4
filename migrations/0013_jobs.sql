-- 0013_jobs: one row per unit of scheduled or triggered work (a sync, a model generation, a monthly
-- rebalance, a cleanup ...), with its progress, its outcome and who started it. Every change of a job row
-- is announced on the job_events channel with the job's state in the payload, so the operational process
-- that serves the live progress (GET /internal/jobs/{id}/events) fans it out without reading it back.

CREATE TABLE jobs (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  type             text NOT NULL CHECK (type ~ '^[a-z][a-z0-9_]{0,39}$'),
  params           jsonb NOT NULL DEFAULT '{}',
  trigger          text NOT NULL CHECK (trigger IN ('cronjob', 'schedule', 'cli', 'api', 'event')),
  status           text NOT NULL DEFAULT 'queued'
                   CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'aborted')),
  reason           text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  started_at       timestamptz,
  finished_at      timestamptz,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  progress_done    bigint NOT NULL DEFAULT 0 CHECK (progress_done >= 0),
  progress_total   bigint CHECK (progress_total >= 0),
  progress_unit    text NOT NULL,
  counters         jsonb NOT NULL DEFAULT '{}',
  message_ids      uuid[] NOT NULL DEFAULT '{}',
  expected_seconds integer NOT NULL CHECK (expected_seconds > 0),
  stuck_at         timestamptz,
  attempts         integer NOT NULL DEFAULT 1 CHECK (attempts >= 1),
  rev              bigint NOT NULL DEFAULT 0,
  CONSTRAINT jobs_finished_check CHECK ((status IN ('succeeded', 'failed', 'aborted')) = (finished_at IS NOT NULL)),
  CONSTRAINT jobs_reason_check CHECK (status NOT IN ('failed', 'aborted') OR reason IS NOT NULL)
);
-- GET /internal/jobs pages by id (newest first), filtered by type or not; ops-status asks each type's last.
CREATE INDEX jobs_type_id_idx ON jobs (type, id DESC);
-- The stuck-job sweep looks only at unfinished jobs.
CREATE INDEX jobs_open_idx ON jobs (created_at) WHERE status IN ('queued', 'running');
COMMENT ON TABLE jobs IS 'Every unit of scheduled or triggered work: what, with which parameters, who asked, how far, how it ended.';
COMMENT ON COLUMN jobs.type IS 'The kind of work; the names and their units and expected durations are the table in common/job_types.h.';
COMMENT ON COLUMN jobs.trigger IS 'Who started it: a Kubernetes CronJob, the in-process schedule, the parity CLI, another API call, or an event of an earlier job.';
COMMENT ON COLUMN jobs.progress_total IS 'NULL while the total is not known yet (a rebalance run still planning).';
COMMENT ON COLUMN jobs.message_ids IS 'The commands the job sent (outbox ids), so a dead-lettered one can be traced to its job.';
COMMENT ON COLUMN jobs.expected_seconds IS 'Past this since creation an unfinished job is marked stuck (stuck_at) and alerted.';
COMMENT ON COLUMN jobs.rev IS 'Incremented by every update: watchers drop a notification older than what they have shown.';

-- The revision and update time are the trigger's, so no writer can forget them.
CREATE FUNCTION jobs_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.rev := OLD.rev + 1;
  NEW.updated_at := now();
  RETURN NEW;
END $$;
CREATE TRIGGER jobs_touch BEFORE UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION jobs_touch();

-- The state a watcher shows, small enough for NOTIFY's 8000-byte payload (the reason is cut to 500): sent
-- by the trigger below and read by operational when a watcher arrives or the listener reconnects.
CREATE FUNCTION job_event(j jobs) RETURNS json LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', j.id, 'type', j.type, 'status', j.status, 'reason', left(j.reason, 500),
    'done', j.progress_done, 'total', j.progress_total, 'unit', j.progress_unit,
    'stuck', j.stuck_at IS NOT NULL, 'attempts', j.attempts, 'rev', j.rev,
    'seconds', round(extract(epoch FROM coalesce(j.finished_at, now()) - coalesce(j.started_at, j.created_at))::numeric, 1))
$$;
CREATE FUNCTION jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('job_events', job_event(NEW)::text);
  RETURN NULL;
END $$;
CREATE TRIGGER jobs_notify AFTER INSERT OR UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION jobs_notify();

-- ---------------------------------------------------------------- the rebalance run feeds its job

ALTER TABLE rebalance_runs ADD COLUMN job_id bigint REFERENCES jobs (id);
CREATE UNIQUE INDEX rebalance_runs_job_idx ON rebalance_runs (job_id);
COMMENT ON COLUMN rebalance_runs.job_id IS 'The job of the run (NULL for runs made before jobs existed).';

-- The runs made before this migration get their job, as they stand (who started them is not known: "api").
WITH made AS (
  INSERT INTO jobs (type, params, trigger, status, reason, created_at, started_at, finished_at, progress_done,
                    progress_total, progress_unit, counters, expected_seconds)
  SELECT 'monthly_rebalance', jsonb_build_object('period', r.period, 'run_id', r.id, 'backfilled', true), 'api',
         CASE r.status WHEN 'pending' THEN 'queued' WHEN 'planning' THEN 'running' WHEN 'running' THEN 'running'
                       WHEN 'complete' THEN 'succeeded' WHEN 'stale_aborted' THEN 'aborted' ELSE 'failed' END,
         CASE WHEN r.status IN ('stale_aborted', 'error') THEN coalesce(r.error, r.status) END,
         r.started_at, r.started_at,
         CASE WHEN r.status IN ('complete', 'stale_aborted', 'error') THEN coalesce(r.finished_at, r.started_at) END,
         r.portfolios_done, CASE WHEN r.status = 'planning' THEN NULL ELSE r.portfolios END, 'portfolios',
         jsonb_build_object('run_id', r.id, 'period', r.period, 'portfolios_planned', r.portfolios,
                            'batches', r.batches, 'batches_applied', r.applied, 'trades', r.trades),
         7200
    FROM rebalance_runs r ORDER BY r.id
  RETURNING id, (params->>'run_id')::bigint AS run_id)
UPDATE rebalance_runs r SET job_id = made.id FROM made WHERE r.id = made.run_id;

-- The run's counters are kept by the planner and by every applier, on any replica; mirroring them here
-- keeps one writer per counter. A job failed from outside (a dead-lettered batch) is not revived by a
-- later batch: only a retry makes it run again.
CREATE FUNCTION rebalance_runs_to_job() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  s text := CASE NEW.status WHEN 'pending' THEN 'queued' WHEN 'planning' THEN 'running' WHEN 'running' THEN 'running'
                            WHEN 'complete' THEN 'succeeded' WHEN 'stale_aborted' THEN 'aborted' ELSE 'failed' END;
BEGIN
  UPDATE jobs j SET
    status = CASE WHEN j.status IN ('failed', 'aborted') AND s = 'running' THEN j.status ELSE s END,
    reason = CASE WHEN j.status IN ('failed', 'aborted') AND s = 'running' THEN j.reason
                  WHEN s IN ('failed', 'aborted') THEN coalesce(NEW.error, NEW.status) END,
    started_at = coalesce(j.started_at, NEW.started_at),
    finished_at = CASE WHEN j.status IN ('failed', 'aborted') AND s = 'running' THEN j.finished_at
                       WHEN s IN ('succeeded', 'failed', 'aborted') THEN coalesce(NEW.finished_at, now()) END,
    progress_done = NEW.portfolios_done,
    progress_total = CASE WHEN NEW.status = 'planning' THEN NULL ELSE NEW.portfolios END,
    counters = jsonb_build_object('run_id', NEW.id, 'period', NEW.period, 'portfolios_planned', NEW.portfolios,
                                  'batches', NEW.batches, 'batches_applied', NEW.applied, 'trades', NEW.trades)
  WHERE j.id = NEW.job_id;
  RETURN NULL;
END $$;
CREATE TRIGGER rebalance_runs_to_job AFTER INSERT OR UPDATE ON rebalance_runs FOR EACH ROW
  WHEN (NEW.job_id IS NOT NULL) EXECUTE FUNCTION rebalance_runs_to_job();

-- ---------------------------------------------------------------- the decisional role

-- Decisional marks the jobs of its commands running, done or failed (a dead-lettered command); it never
-- creates one and never changes what was asked.
GRANT SELECT, UPDATE (status, reason, started_at, finished_at, progress_done, progress_total, counters)
  ON jobs TO parity_decisional;
