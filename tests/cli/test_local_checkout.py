"""What `make run` leaves in a checkout and how the tools use it: the addresses the daemons hand out follow
the port they serve. Run by tests/run-all.sh (PARITY_BIN names build/bin)."""

import os
import re
import subprocess

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LOCAL = os.path.join(ROOT, "deploy", "local")


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
