"""Integration fixtures: the real daemons against the real PostgreSQL and RabbitMQ that
tests/run-integration.sh started under a throwaway directory. Nothing here is mocked."""

import json
import os
import signal
import subprocess
import time
import urllib.parse
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

# Time limits. Each is a deadline, never a pause (a passing test does not wait for it), sized so the suite
# holds on a machine ten times slower than an idle one: `make test` runs sanitized daemons on shared 2-core
# machines, beside builds and other suites. Tests never assert how long anything took; tests/bench/ measures.
# Anything asynchronous (a worker's effect, a mail, a queue draining, a daemon ready, stopped or not ready):
WAIT_SECONDS = 300
# One HTTP request (the slowest, a login, may queue for argon2id behind the two-hash gate):
HTTP_TIMEOUT = 60
# The longest ?wait= a long-poll accepts; a slow machine may need several (long_poll below).
LONG_POLL_SECONDS = 30


def wait_for(predicate, timeout=WAIT_SECONDS, interval=0.1, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


# The answers a loaded daemon sheds load with, each with Retry-After: the two-hash gate's queue timed out
# (503 BUSY, or UNAVAILABLE where no service names it) and the per-IP bucket (429 RATE_LIMITED).
LOAD_SHEDDING = {(503, "BUSY"), (503, "UNAVAILABLE"), (429, "RATE_LIMITED")}


def is_load_shedding(answer):
    if "Retry-After" not in answer.headers:
        return False
    try:
        code = answer.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return False
    return (answer.status_code, code) in LOAD_SHEDDING


def retry_busy(send, timeout=WAIT_SECONDS):
    """send() (one HTTP request) again, after its Retry-After, while the answer sheds load; then that answer.
    For requests whose point is what they do: a test of a 503 or a 429 itself, or one that counts attempts
    (every login attempt counts toward the lockout, shed or not), sends its requests once."""
    deadline = time.monotonic() + timeout
    while True:
        answer = send()
        if not is_load_shedding(answer) or time.monotonic() >= deadline:
            return answer
        time.sleep(min(max(float(answer.headers["Retry-After"]), 0.1), max(deadline - time.monotonic(), 0)))


def long_poll(get, url, timeout=WAIT_SECONDS):
    """GET url?wait=LONG_POLL_SECONDS, again while the answer is 200 and still pending (on a slow machine the
    work may outlast one long-poll); the first other answer, or the pending one when timeout runs out.
    `get` is requests.get or a Session's get."""
    deadline = time.monotonic() + timeout
    while True:
        answer = get(f"{url}?wait={LONG_POLL_SECONDS}", timeout=LONG_POLL_SECONDS + HTTP_TIMEOUT)
        if answer.status_code != 200 or answer.json().get("status") != "pending" or time.monotonic() >= deadline:
            return answer


def base_env(**extra):
    env = dict(os.environ)
    env.update(
        HTTP_PORT=str(HTTP_PORT),
        INTERNAL_PORT=str(INTERNAL_PORT),
        METRICS_PORT=str(METRICS_PORT),
        HTTP_BIND="127.0.0.1",
        # In-flight requests get this long on SIGTERM; the daemon exits as soon as they are done.
        SHUTDOWN_GRACE_SECONDS="30",
        OUTBOX_POLL_MS="100",
        ENABLE_CRON="false",
        LOG_LEVEL="info",
        AMQP_MAX_ATTEMPTS="3",
        # accounts and security: the suites share one client address; the rate-limit tests
        # start their own daemon with a real limit (test_auth_ratelimit.py).
        RATE_LIMIT_RPS="0",
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

    def start(self, timeout=WAIT_SECONDS, **env):
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
                return requests.get(self.ready_url, timeout=HTTP_TIMEOUT).status_code == 200
            except requests.RequestException:
                return False

        try:
            wait_for(ready, timeout, what=f"{self.name} ready")
        except BaseException:
            self.kill()
            raise
        return self

    def stop(self, timeout=WAIT_SECONDS):
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
            self.proc.wait(WAIT_SECONDS)
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


def post_internal(path, secret, timeout=HTTP_TIMEOUT, **kw):
    return requests.post(f"{INTERNAL}{path}", headers={"X-Internal-Secret": secret}, timeout=timeout, **kw)


def run_status(secret, run_id):
    """GET /internal/rebalance/runs/{id}: the run's json (status, portfolios, batches, applied, trades...)."""
    return requests.get(f"{INTERNAL}/internal/rebalance/runs/{run_id}", headers={"X-Internal-Secret": secret},
                        timeout=HTTP_TIMEOUT).json()


def ready(url):
    """Whether a readiness URL answers 200 now (False while the daemon or what it needs is away)."""
    try:
        return requests.get(url, timeout=HTTP_TIMEOUT).status_code == 200
    except requests.RequestException:
        return False


# ---------------------------------------------------------------- the services and the parity tool

LOCAL = os.path.join(ROOT, "deploy", "local")
# Set when the services belong to a CI runner (service containers): they cannot be restarted from here.
EXTERNAL_SERVICES = bool(os.environ.get("PARITY_TEST_EXTERNAL"))


def service(script, action, port_env):
    """deploy/local/pg.sh or rabbitmq.sh start|stop on the suite's VAR and port (a restart under the daemons)."""
    subprocess.run(["bash", os.path.join(LOCAL, script), action, VAR, os.environ[port_env]], check=True,
                   capture_output=True)


def parity_tool(*args, url=None, timeout=600):
    """The parity command-line tool (against `url` when given, else the suite's database): the finished run."""
    env = dict(os.environ)
    if url:
        env["DATABASE_URL"] = url
    return subprocess.run([os.path.join(BIN, "parity"), *map(str, args)], env=env, capture_output=True, text=True,
                          timeout=timeout)


def seed_investors(*args, url=None):
    """`parity seed-investors ARGS...` (see cli/cmd_seed.c): the finished run; its stdout is a JSON summary."""
    return parity_tool("seed-investors", *args, url=url)


def audit(url=None):
    """`parity audit` over the whole database (the suite's, or `url`): exit 0 and no violation; the report."""
    run = parity_tool("audit", url=url)
    report = json.loads(run.stdout)
    assert run.returncode == 0 and report["ok"], report
    return report


def database_url(url, name):
    """`url` with its database replaced by `name` (same server, same role)."""
    return urllib.parse.urlunparse(urllib.parse.urlparse(url)._replace(path=f"/{name}"))


def create_database(admin, name, template=None):
    """CREATE DATABASE name [TEMPLATE template] through `admin` (a connection to another database); skips the
    test when the server does not let the suite create databases (CI's service container may not)."""
    try:
        query(admin, f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    except psycopg2.errors.InsufficientPrivilege as e:
        pytest.skip(f"cannot create a scratch database: {e}")


def drop_database(admin, name):
    query(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def copy_models(src, dst):
    """The current model portfolio of each bucket, from connection `src` into `dst`."""
    for bucket, as_of, weights in query(src, "SELECT DISTINCT ON (bucket_key) bucket_key, as_of_day, weights "
                                             "FROM model_portfolios ORDER BY bucket_key, as_of_day DESC"):
        query(dst, "INSERT INTO model_portfolios (bucket_key, as_of_day, weights) VALUES (%s, %s, %s)",
              bucket, as_of, json.dumps(weights))


def copy_newest_closes(src, dst):
    """The newest daily bar of each symbol (what latest_prices values holdings at), from `src` into `dst`."""
    for row in query(src, "SELECT DISTINCT ON (symbol) symbol, day, open, high, low, close, adj_close, volume "
                          "FROM daily_prices ORDER BY symbol, day DESC"):
        query(dst, "INSERT INTO daily_prices VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", *row)


def wait_sync_finished(conn, message_id, timeout=WAIT_SECONDS):
    """The market_sync_log row of a message, once its transaction committed."""

    def done():
        return query(
            conn,
            "SELECT rows, changed, error, symbols FROM market_sync_log WHERE message_id = %s AND finished_at IS NOT NULL",
            message_id,
        )

    return wait_for(done, timeout, what=f"sync of {message_id}")[0]


# ---------------------------------------------------------------- accounts and security

MAIL_DIR = os.environ.get("MAIL_DIR") or os.path.join(VAR, "mail")
# zxcvbn scores this 4; tests that need a second good password use DEFAULT_PASSWORD + something.
DEFAULT_PASSWORD = "Correct horse battery staple 42"


def new_email(prefix="user"):
    """A fresh address nobody has used, so tests never share an account or a lockout counter."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.test"


def mails_to(address, subject_contains=None):
    """Every .eml in MAIL_DIR addressed to `address`, oldest first, as email.message.EmailMessage."""
    import email
    from email import policy

    found = []
    if not os.path.isdir(MAIL_DIR):
        return found
    for name in os.listdir(MAIL_DIR):
        if not name.endswith(".eml"):
            continue
        path = os.path.join(MAIL_DIR, name)
        with open(path, "rb") as f:
            msg = email.message_from_binary_file(f, policy=policy.default)
        if msg["To"] != address or (subject_contains and subject_contains not in msg["Subject"]):
            continue
        found.append((os.stat(path).st_mtime_ns, name, msg))
    return [m for _, _, m in sorted(found, key=lambda t: (t[0], t[1]))]


def wait_mail(address, subject_contains=None, count=1, timeout=WAIT_SECONDS):
    """The newest message to `address` once at least `count` arrived (mail leaves through a queue)."""
    return wait_for(lambda: (lambda ms: ms[-1] if len(ms) >= count else None)(mails_to(address, subject_contains)),
                    timeout, what=f"{count} mail(s) to {address}")


def link_token(msg, path):
    """The token of the link ending in `path?token=...` in a message's text."""
    import re

    found = re.search(re.escape(path) + r"\?token=([A-Za-z0-9_-]+)", msg.get_content())
    assert found, f"no {path} link in: {msg.get_content()!r}"
    return found.group(1)


def register_user(email=None, password=None, verify=True):
    """Registers (and, by default, verifies through the emailed link) a new account: (email, password)."""
    email = email or new_email()
    password = password or DEFAULT_PASSWORD
    before = len(mails_to(email, "Confirm"))
    answer = retry_busy(lambda: requests.post(f"{PUBLIC}/api/v1/auth/register",
                                              json={"email": email, "password": password}, timeout=HTTP_TIMEOUT))
    assert answer.status_code == 202, answer.text
    if verify:
        token = link_token(wait_mail(email, "Confirm", count=before + 1), "/verify-email")
        answer = requests.post(f"{PUBLIC}/api/v1/auth/verify-email", json={"token": token}, timeout=HTTP_TIMEOUT)
        assert answer.status_code == 200, answer.text
    return email, password


def login_user(email=None, password=None):
    """A logged-in user: (requests.Session holding the refresh cookie and the Authorization header, access
    token). Without an email, a new verified account is registered first. Needs the `stack` fixture."""
    if email is None:
        email, password = register_user(password=password)
    password = password or DEFAULT_PASSWORD
    session = requests.Session()
    answer = retry_busy(lambda: session.post(f"{PUBLIC}/api/v1/auth/login", json={"email": email, "password": password},
                                             timeout=HTTP_TIMEOUT))
    assert answer.status_code == 200, answer.text
    token = answer.json()["access_token"]
    session.headers["Authorization"] = f"Bearer {token}"
    return session, token


def extra_operational(offset, **env):
    """A second parity-operational on HTTP_PORT+offset / INTERNAL_PORT+offset with extra settings (a real
    rate limit, trusted proxies, Turnstile...): a started Daemon whose public base URL is .public."""
    daemon = Daemon("parity-operational", f"http://127.0.0.1:{INTERNAL_PORT + offset}/readyz",
                    HTTP_PORT=str(HTTP_PORT + offset), INTERNAL_PORT=str(INTERNAL_PORT + offset), **env)
    daemon.log_path = os.path.join(VAR, "log", f"parity-operational-{offset}.log")
    daemon.public = f"http://127.0.0.1:{HTTP_PORT + offset}"
    return daemon.start()


@pytest.fixture(scope="module")
def priced_stack(stack, internal_secret):
    """Prices and the 15 models in place (the daily pipeline), as `make run` has them."""
    db = connect(os.environ["DATABASE_URL"])
    if scalar(db, "SELECT count(DISTINCT bucket_key) FROM model_portfolios") < 15:
        post_internal("/internal/pipeline/daily", internal_secret)
        wait_for(lambda: scalar(db, "SELECT count(DISTINCT bucket_key) FROM model_portfolios") == 15,
                 what="models")
    db.close()
    return stack
