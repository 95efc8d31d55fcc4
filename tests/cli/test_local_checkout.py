"""What `make run` leaves in a checkout and how the tools use it: the addresses the daemons hand out follow
the port they serve, and the broker script never shows the broker's password. Run by tests/run-all.sh
(PARITY_BIN names build/bin). The RabbitMQ started here listens on PARITY_TEST_CLI_AMQP_PORT (56673 by
default, beside `make test`'s 56672) under a throwaway directory, and is stopped again."""

import os
import re
import shutil
import subprocess
import tempfile

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LOCAL = os.path.join(ROOT, "deploy", "local")
AMQP_PORT = os.environ.get("PARITY_TEST_CLI_AMQP_PORT", "56673")


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


@pytest.fixture()
def scratch():
    """A throwaway directory the service accounts can enter (as root the servers run as postgres/rabbitmq)."""
    path = tempfile.mkdtemp(prefix="parity-cli-test-")
    os.chmod(path, 0o755)
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
