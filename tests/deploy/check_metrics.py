#!/usr/bin/env python3
"""Fails when an alert rule or a dashboard query uses a parity_* metric the code does not declare.

The daemons declare each metric name once, as a string literal in their C sources (operational/,
decisional/, common/). This reads every parity_* name used in deploy/grafana/alerts.yml and
deploy/grafana/*.json (histogram series _bucket/_sum/_count map to their base name), and checks each
against those literals. It also checks that every metric SPEC section 11 names is shown somewhere.
One line per check ("ok   ..." / "FAIL ..."); exit 1 on any failure.
usage: check_metrics.py [--root REPO]
"""
import argparse
import glob
import json
import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
METRIC_RE = re.compile(r"\bparity_(?:operational|decisional)_[a-z0-9_]+")
SELECTOR_RE = re.compile(r"\bparity_(?:operational|decisional)_[a-z0-9_]+\{([^}]*)\}")
EXACT_MATCHER_RE = re.compile(r'(\w+)\s*=\s*"([^"]*)"')
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
# SPEC section 11 plus the gauges the dashboard relies on: each must appear on the dashboard or in an alert.
REQUIRED = [
    "parity_operational_http_requests_total", "parity_operational_http_request_duration_seconds",
    "parity_operational_commands_published_total", "parity_operational_outbox_pending",
    "parity_operational_rebalance_runs_total", "parity_operational_rebalance_stale_aborts_total",
    "parity_decisional_messages_total", "parity_decisional_message_duration_seconds",
    "parity_decisional_forecast_duration_seconds", "parity_decisional_hrp_duration_seconds",
    "parity_decisional_market_rows_upserted_total", "parity_operational_queue_depth",
    "parity_operational_dead_letter_messages",
    "parity_operational_pipeline_last_success_timestamp_seconds",
    "parity_operational_rebalance_last_success_timestamp_seconds",
]
CODE_DIRS = ("operational", "decisional", "common")


def declared_in_code(root):
    """(metric names, every string literal) of the C sources."""
    names = set()
    literals = set()
    for d in CODE_DIRS:
        for path in glob.glob(os.path.join(root, d, "**", "*.[ch]"), recursive=True):
            with open(path, encoding="utf-8", errors="replace") as f:
                for literal in re.findall(r'"((?:[^"\\\n]|\\.)*)"', f.read()):
                    literals.add(literal)
                    m = re.match(r"parity_(?:operational|decisional)_[a-z0-9_]+", literal)
                    if m:
                        names.add(m.group(0))
    return names, literals


def exprs_in_alerts(path):
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    for group in doc.get("groups") or []:
        for rule in group.get("rules") or []:
            yield f"{os.path.basename(path)}:{rule.get('alert') or rule.get('record')}", rule["expr"]


def exprs_in_dashboard(path):
    with open(path, encoding="utf-8") as f:
        dash = json.load(f)

    def walk(panels):
        for p in panels:
            for t in p.get("targets") or []:
                yield f"{os.path.basename(path)}:{p.get('title')}", t.get("expr", "")
            yield from walk(p.get("panels") or [])
    yield from walk(dash.get("panels") or [])


def base_name(name, declared):
    if name in declared:
        return name
    for suffix in HISTOGRAM_SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)] in declared:
            return name[: -len(suffix)]
    return name


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=os.path.abspath(os.path.join(HERE, "..", "..")))
    ap.add_argument("--build-dir", help="accepted for symmetry with check_deploy.py; unused")
    root = ap.parse_args(argv).root
    grafana = os.path.join(root, "deploy", "grafana")
    declared, literals = declared_in_code(root)
    failed = 0

    def report(name, problems):
        nonlocal failed
        if problems:
            failed += 1
            print(f"FAIL {name}: " + "; ".join(problems[:8])
                  + (f" (+{len(problems) - 8} more)" if len(problems) > 8 else ""))
        else:
            print(f"ok   {name}")

    sources = [("alert rules", exprs_in_alerts(os.path.join(grafana, "alerts.yml")))]
    for dash in sorted(glob.glob(os.path.join(grafana, "*.json"))):
        sources.append((f"dashboard {os.path.basename(dash)}", exprs_in_dashboard(dash)))
    used = set()
    for label, exprs in sources:
        problems = []
        count = 0
        for where, expr in exprs:
            # An exact label matcher can only match a value the code writes, as a string literal.
            for selector in SELECTOR_RE.findall(expr):
                for label_name, value in EXACT_MATCHER_RE.findall(selector):
                    if value not in literals:
                        problems.append(f"{where}: {label_name}={value!r} is never written by the code")
            for name in METRIC_RE.findall(expr):
                count += 1
                base = base_name(name, declared)
                used.add(base)
                if base not in declared:
                    problems.append(f"{where} uses {name}")
        if count == 0:
            problems.append("no parity_* metric found at all")
        report(f"{label}: every parity_* metric and exact label value is declared in the C sources", sorted(set(problems)))
    report("grafana: every metric of SPEC section 11 is on the dashboard or in an alert",
           [f"{n} unused" for n in REQUIRED if n not in used and
            not any(u == n or u.startswith(n + "_") for u in used)])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
