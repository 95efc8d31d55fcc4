"""What `make run` leaves in a checkout and how the tools use it: the addresses the daemons hand out follow
the port they serve, the broker script never shows the broker's password, and the `parity` database
commands run from a checkout reach the database `make run` recorded there. Run by tests/run-all.sh
(PARITY_BIN names build/bin). The PostgreSQL and RabbitMQ started here listen on PARITY_TEST_CLI_PG_PORT
and PARITY_TEST_CLI_AMQP_PORT (56433 and 56673 by default, beside `make test`'s 56432 and 56672) under
throwaway directories, one after the other, and are stopped again."""

import json
import os
import re
import shutil
import subprocess
import tempfile

import psycopg2
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LOCAL = os.path.join(ROOT, "deploy", "local")
AMQP_PORT = os.environ.get("PARITY_TEST_CLI_AMQP_PORT", "56673")
PG_PORT = os.environ.get("PARITY_TEST_CLI_PG_PORT", "56433")
PARITY = os.path.join(os.path.abspath(os.environ.get("PARITY_BIN", os.path.join(ROOT, "build", "bin"))), "parity")
# A port where nothing listens: a command that connects there fails.
CLOSED_URL = "postgresql://parity@127.0.0.1:1/parity"


def run_env(**env):
    """The variables parity_run_env (the settings deploy/local/run.sh gives both daemons) exports, started
    from an environment holding only PATH and `env`."""
    script = f'. "{LOCAL}/stack.sh" && parity_run_env "{ROOT}" && env'
    out = subprocess.run(["bash", "-c", script], env={"PATH": os.environ["PATH"], **env}, check=True,
                         capture_output=True, text=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def test_mail_links_name_the_port_make_run_serves():
    got = run_env(HTTP_PORT="9000")
    assert got["PUBLIC_BASE_URL"] == "http://localhost:9000"
    assert got["FRONTEND_ORIGIN"] == "http://localhost:9000"
    default = run_env()
    assert default["HTTP_PORT"] == "8081" and default["PUBLIC_BASE_URL"] == "http://localhost:8081"
    # An address set by hand (a proxy in front, say) is kept.
    assert run_env(HTTP_PORT="9000", PUBLIC_BASE_URL="https://parity.example")["PUBLIC_BASE_URL"] == \
        "https://parity.example"


def test_make_run_starts_the_daemons_with_those_settings():
    with open(os.path.join(LOCAL, "run.sh")) as f:
        text = f.read()
    settings = re.search(r'^parity_run_env "\$root"$', text, re.M)
    daemon = text.find('"$bin/parity-operational" &')
    assert settings and 0 <= settings.start() < daemon


def sh(*args):
    """(exit status, stdout and stderr together) of `bash ARGS`."""
    done = subprocess.run(["bash", *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=600)
    return done.returncode, done.stdout


def env_value(vardir, name):
    with open(os.path.join(vardir, "env")) as f:
        values = [line.split("=", 1)[1].strip() for line in f if line.startswith(name + "=")]
    return values[-1]


def new_scratch():
    """A throwaway directory the service accounts can enter (as root the servers run as postgres/rabbitmq)."""
    path = tempfile.mkdtemp(prefix="parity-cli-test-")
    os.chmod(path, 0o755)
    return path


@pytest.fixture()
def scratch():
    path = new_scratch()
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_rabbitmq_sh_never_prints_the_amqp_password(scratch):
    """Start (fresh, then again while running), status, a start that fails (the port is taken), stop and
    status once stopped, all traced with `bash -x`: no output holds the password of either VARDIR/env."""
    script = os.path.join(LOCAL, "rabbitmq.sh")
    var, other = os.path.join(scratch, "var"), os.path.join(scratch, "other")
    outputs = {}
    try:
        for step, action in [("start", "start"), ("start again", "start"), ("status", "status")]:
            code, outputs[step] = sh("-x", script, action, var, AMQP_PORT)
            assert code == 0, outputs[step]
        code, outputs["start on a taken port"] = sh("-x", script, "start", other, AMQP_PORT)
        assert code == 1 and "already listens" in outputs["start on a taken port"]
    finally:
        code, outputs["stop"] = sh("-x", script, "stop", var, AMQP_PORT)
        assert code == 0, outputs["stop"]
    code, outputs["status when stopped"] = sh("-x", script, "status", var, AMQP_PORT)
    assert code == 3
    for vardir in (var, other):
        password = env_value(vardir, "AMQP_PASSWORD")
        assert len(password) == 32
        for step, out in outputs.items():
            assert "+ " in out, step  # traced
            assert password not in out, f"{step} printed the password of {vardir}/env"
    # start still names the broker, password aside (it is AMQP_PASSWORD in VARDIR/env).
    assert f"amqp://parity@127.0.0.1:{AMQP_PORT}/" in outputs["start"]


# ---- the parity tool in a checkout (module fixture: starts after the broker test above has stopped its own)

@pytest.fixture(scope="module")
def checkout():
    """A checkout where `make run` brought its services up (parity_stack_up, as deploy/local/run.sh does) on
    non-default ports, migrated, with one planted ledger violation that only this database holds: user
    `planted` with $42.42 in the wallet and no deposit."""
    root = new_scratch()
    var = os.path.join(root, "var")
    up = f'. "{LOCAL}/stack.sh" && parity_stack_up "$1" "$2" "$3"'
    down = f'. "{LOCAL}/stack.sh" && parity_stack_down "$1" "$2" "$3"'
    try:
        code, out = sh("-c", up, "up", var, PG_PORT, AMQP_PORT)
        assert code == 0, out
        url = f"postgresql://parity@127.0.0.1:{PG_PORT}/parity"
        migrated = parity(["migrate"], cwd=root, DATABASE_URL=url)
        assert migrated.returncode == 0, migrated.stderr
        conn = psycopg2.connect(url)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("INSERT INTO users (email, password_hash) VALUES ('planted@checkout.test', 'x') RETURNING id")
            planted = cur.fetchone()[0]
            cur.execute("INSERT INTO wallets (user_id, cash_cents) VALUES (%s, 4242)", (planted,))
        conn.close()
        yield {"root": root, "var": var, "planted": planted}
    finally:
        sh("-c", down, "down", var, PG_PORT, AMQP_PORT)
        shutil.rmtree(root, ignore_errors=True)


def parity(args, cwd, **env):
    """`parity ARGS` in CWD with neither DATABASE_URL nor PARITY_ROOT unless given (make exports PARITY_ROOT)."""
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PARITY_ROOT")}
    return subprocess.run([PARITY, *args], cwd=cwd, env={**base, **env}, capture_output=True, text=True,
                          timeout=300)


def planted_violation(answer, planted):
    """True when `parity audit` reported the planted user, i.e. it read the checkout's database."""
    if answer.returncode != 1 or not answer.stdout:
        return False
    report = json.loads(answer.stdout)
    return [(v["user_id"], v["wallet_cents"], v["net_deposits_cents"]) for v in report["cash_violations"]] == \
        [(planted, 4242, 0)]


def test_audit_in_a_checkout_reads_the_database_make_run_recorded(checkout):
    here = parity(["audit"], cwd=checkout["root"])
    assert planted_violation(here, checkout["planted"]), (here.returncode, here.stdout, here.stderr)
    with open(os.path.join(checkout["var"], "env")) as f:
        assert f"DATABASE_URL=postgresql://parity@127.0.0.1:{PG_PORT}/parity\n" in f.read()
    # PARITY_ROOT names the checkout from anywhere.
    there = parity(["audit"], cwd="/", PARITY_ROOT=checkout["root"])
    assert planted_violation(there, checkout["planted"]), (there.returncode, there.stdout, there.stderr)


def test_an_explicit_database_url_still_wins(checkout):
    closed = parity(["audit"], cwd=checkout["root"], DATABASE_URL=CLOSED_URL)
    assert closed.returncode == 1 and closed.stdout == ""
    assert "cannot connect to the database (from DATABASE_URL)" in closed.stderr
    # The other way round: a checkout recording a closed port, the real database given explicitly.
    other = new_scratch()
    try:
        assert sh(os.path.join(LOCAL, "env.sh"), os.path.join(other, "var"), f"DATABASE_URL={CLOSED_URL}")[0] == 0
        given = parity(["audit"], cwd=other, DATABASE_URL=f"postgresql://parity@127.0.0.1:{PG_PORT}/parity")
        assert planted_violation(given, checkout["planted"]), (given.returncode, given.stdout, given.stderr)
        recorded = parity(["audit"], cwd=other)
        assert recorded.returncode == 1 and "(from ./var/env)" in recorded.stderr, recorded.stderr
    finally:
        shutil.rmtree(other, ignore_errors=True)


def test_a_checkout_env_without_a_database_is_refused_not_guessed():
    """A var/env from before `make run` recorded its database: the tool says so rather than trying the default
    port, where another instance may run. Nothing is started for this; every database command refuses.
    audit goes first: before the fix it is the one that reaches the default port, and it only reads."""
    other = new_scratch()
    try:
        assert sh(os.path.join(LOCAL, "env.sh"), os.path.join(other, "var"))[0] == 0
        for args in (["audit"], ["migrate"], ["load-prices", os.path.join(ROOT, "decisional", "data",
                                                                         "etf_daily.csv.gz")]):
            answer = parity(args, cwd=other)
            assert answer.returncode == 1 and answer.stdout == "", (args, answer.stdout)
            assert "./var/env names no DATABASE_URL" in answer.stderr, (args, answer.stderr)
    finally:
        shutil.rmtree(other, ignore_errors=True)


def test_the_help_says_where_the_database_comes_from():
    out = subprocess.run([PARITY, "--help"], capture_output=True, text=True, check=True).stdout
    assert "var/env" in out and "PARITY_ROOT" in out and "DATABASE_URL" in out
