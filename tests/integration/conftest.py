"""Integration fixtures: the real daemons against the real PostgreSQL and RabbitMQ that
tests/run-integration.sh started under a throwaway directory. Nothing here is mocked."""

import json
import os
import signal
import subprocess
import time
import uuid

import pika
import psycopg2
import pytest
import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("PARITY_BIN", os.path.join(ROOT, "build", "bin"))
VAR = os.environ.get("PARITY_TEST_VAR", os.path.join(ROOT, "var-test"))
HTTP_PORT = int(os.environ.get("PARITY_TEST_HTTP_PORT", "18081"))
INTERNAL_PORT = int(os.environ.get("PARITY_TEST_INTERNAL_PORT", "18082"))
METRICS_PORT = int(os.environ.get("PARITY_TEST_METRICS_PORT", "19090"))
DATA_FILE = os.path.join(ROOT, "decisional", "data", "etf_daily.csv.gz")
BUNDLED_ROWS = 100474
BUNDLED_SYMBOLS = 20

PUBLIC = f"http://127.0.0.1:{HTTP_PORT}"
INTERNAL = f"http://127.0.0.1:{INTERNAL_PORT}"
DECISIONAL = f"http://127.0.0.1:{METRICS_PORT}"


def wait_for(predicate, timeout=60.0, interval=0.1, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def base_env(**extra):
    env = dict(os.environ)
    env.update(
        HTTP_PORT=str(HTTP_PORT),
        INTERNAL_PORT=str(INTERNAL_PORT),
        METRICS_PORT=str(METRICS_PORT),
        HTTP_BIND="127.0.0.1",
        SHUTDOWN_GRACE_SECONDS="5",
        OUTBOX_POLL_MS="100",
        ENABLE_CRON="false",
        LOG_LEVEL="info",
        AMQP_MAX_ATTEMPTS="3",
        # Sanitizer runs: report leaks and fail loudly, as the unit tests do.
        ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0"),
        UBSAN_OPTIONS=os.environ.get("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1"),
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


class Daemon:
    """One daemon process with its log file; start, stop (SIGTERM, clean exit) or kill (SIGKILL)."""

    def __init__(self, name, ready_url, **env):
        self.name = name
        self.ready_url = ready_url
        self.env = env
        self.proc = None
        self.log_path = os.path.join(VAR, "log", f"{name}.log")

    def start(self, timeout=60, **env):
        os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
        self.log = open(self.log_path, "ab")
        merged = dict(self.env)
        merged.update(env)
        self.proc = subprocess.Popen(
            [os.path.join(BIN, self.name)], env=base_env(**merged), stdout=self.log, stderr=subprocess.STDOUT
        )

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.proc.returncode}; see {self.log_path}")
            try:
                return requests.get(self.ready_url, timeout=2).status_code == 200
            except requests.RequestException:
                return False

        try:
            wait_for(ready, timeout, what=f"{self.name} ready")
        except BaseException:
            self.kill()
            raise
        return self

    def stop(self, timeout=30):
        """SIGTERM and a clean exit (status 0) within the grace period."""
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout)
        self.log.close()
        return code

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
            self.log.close()

    def running(self):
        return self.proc is not None and self.proc.poll() is None


@pytest.fixture(scope="session")
def db_url():
    return os.environ["DATABASE_URL"]


@pytest.fixture(scope="session")
def internal_secret():
    return os.environ["INTERNAL_SECRET"]


def connect(url):
    conn = psycopg2.connect(url)
    conn.autocommit = True
    return conn


@pytest.fixture()
def db(db_url):
    conn = connect(db_url)
    yield conn
    conn.close()


def query(conn, sql, *params):
    with conn.cursor() as cur:
        cur.execute(sql, params)
        if cur.description is None:
            return None
        return cur.fetchall()


def scalar(conn, sql, *params):
    rows = query(conn, sql, *params)
    return rows[0][0] if rows else None


@pytest.fixture(scope="session")
def operational():
    d = Daemon("parity-operational", f"{INTERNAL}/readyz")
    d.start()
    yield d
    code = d.stop()
    assert code == 0, f"parity-operational did not exit cleanly ({code}); see {d.log_path}"


@pytest.fixture(scope="session")
def decisional():
    d = Daemon("parity-decisional", f"{DECISIONAL}/readyz")
    d.start()
    yield d
    code = d.stop()
    assert code == 0, f"parity-decisional did not exit cleanly ({code}); see {d.log_path}"


@pytest.fixture(scope="session")
def stack(operational, decisional):
    return operational, decisional


class Broker:
    """A plain AMQP client (pika) for tests that put messages on the wire themselves."""

    def __init__(self, url):
        self.conn = pika.BlockingConnection(pika.URLParameters(url))
        self.channel = self.conn.channel()

    def publish(self, routing_key, body, message_id=None, exchange="parity.commands"):
        props = pika.BasicProperties(
            content_type="application/json", delivery_mode=2, message_id=message_id or str(uuid.uuid4())
        )
        self.channel.basic_publish(exchange=exchange, routing_key=routing_key, body=body, properties=props)

    def depth(self, queue):
        return self.channel.queue_declare(queue=queue, passive=True).method.message_count

    def purge(self, queue):
        self.channel.queue_purge(queue)

    def get(self, queue):
        method, props, body = self.channel.basic_get(queue=queue, auto_ack=True)
        return (props, body) if method else None

    def close(self):
        self.conn.close()


@pytest.fixture()
def broker():
    b = Broker(os.environ["AMQP_URL"])
    yield b
    b.close()


def envelope(msg_type, payload, msg_id=None):
    return json.dumps(
        {
            "v": 1,
            "id": msg_id or str(uuid.uuid4()),
            "type": msg_type,
            "issued_at": "2026-11-22T00:00:00.000Z",
            "payload": payload,
        }
    )


def post_internal(path, secret, **kw):
    return requests.post(f"{INTERNAL}{path}", headers={"X-Internal-Secret": secret}, timeout=10, **kw)


def wait_sync_finished(conn, message_id, timeout=120):
    """The market_sync_log row of a message, once its transaction committed."""

    def done():
        return query(
            conn,
            "SELECT rows, changed, error, symbols FROM market_sync_log WHERE message_id = %s AND finished_at IS NOT NULL",
            message_id,
        )

    return wait_for(done, timeout, what=f"sync of {message_id}")[0]
