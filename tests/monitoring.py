#!/usr/bin/env python3
"""Checks the monitoring files of deploy/monitoring/ against the server and against promtool.

* every metric that the Grafana dashboard and the alerting rules name is one that /metrics
  writes (its `# TYPE` lines in src/http/*.c; a histogram's _bucket, _sum and _count);
* every PromQL query of the dashboard parses: they are written, with Grafana's variables
  replaced, into a throwaway rules file for `promtool check rules`;
* the dashboard is JSON that Grafana can import: a uid, panels with queries on the
  ${datasource} variable, no two panels with one id;
* every alerting rule has a unit test in repeatd-alerts.test.yml.

`promtool check rules` and `promtool test rules` of the rules themselves are separate steps of
tests/run.sh. Exit 0 when everything holds, 1 otherwise, listing what does not."""
import json
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
MON = ROOT / "deploy" / "monitoring"


def exported_metrics():
    names = {}
    for f in sorted((ROOT / "src" / "http").glob("*.c")):
        for name, kind in re.findall(r"# TYPE (repeatd_\w+) (counter|gauge|histogram)",
                                     f.read_text(encoding="utf-8")):
            names[name] = kind
    series = set()
    for name, kind in names.items():
        series.add(name)
        if kind == "histogram":
            series.update({name + "_bucket", name + "_sum", name + "_count"})
    return series


def main():
    problems = []
    series = exported_metrics()
    if len(series) < 10:
        problems.append(f"only {len(series)} metrics found in src/http/*.c: the pattern is stale")

    dash = json.loads((MON / "grafana-repeatd.json").read_text(encoding="utf-8"))
    if not dash.get("uid") or not dash.get("title"):
        problems.append("grafana-repeatd.json: no uid or title")
    exprs, ids = [], set()
    for p in dash.get("panels", []):
        if p.get("id") in ids:
            problems.append(f"panel id {p.get('id')} twice")
        ids.add(p.get("id"))
        if p.get("type") == "row":
            continue
        if not p.get("targets"):
            problems.append(f"panel {p.get('title')!r} has no query")
        for t in p.get("targets", []):
            if t.get("datasource", {}).get("uid") != "${datasource}":
                problems.append(f"panel {p.get('title')!r}: a query not on ${{datasource}}")
            exprs.append((p.get("title"), t.get("expr", "")))
    for v in dash.get("templating", {}).get("list", []):
        q = v.get("query")
        if isinstance(q, dict):
            exprs.append((f"variable {v['name']}", q.get("query", "")))

    rules = (MON / "repeatd-alerts.yml").read_text(encoding="utf-8")
    for where, text in [(t, e) for t, e in exprs] + [("repeatd-alerts.yml", rules)]:
        for name in set(re.findall(r"\brepeatd_[a-z_]+", text)):
            if name not in series:
                problems.append(f"{where}: {name} is not a metric that /metrics writes")

    tests = (MON / "repeatd-alerts.test.yml").read_text(encoding="utf-8")
    tested = set(re.findall(r"alertname:\s*(\w+)", tests))
    for alert in re.findall(r"- alert:\s*(\w+)", rules):
        if alert not in tested:
            problems.append(f"alert {alert} has no test in repeatd-alerts.test.yml")

    # Grafana's variables as a query would see them, then promtool parses every query.
    lines = ["groups:", "  - name: dashboard", "    rules:"]
    for i, (title, e) in enumerate(exprs):
        if e.startswith("label_values("):  # Grafana's own function around a selector
            e = re.sub(r"^label_values\((.*), *\w+\)$", r"\1", e)
        e = (e.replace("$__rate_interval", "1m").replace("$__range", "1h")
             .replace("$job", "repeatd").replace("$instance", ".*"))
        lines.append(f"      - record: dashboard_query_{i}")
        lines.append(f"        expr: {json.dumps(e)}")
    with tempfile.TemporaryDirectory() as d:
        path = pathlib.Path(d) / "dashboard-queries.yml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        r = subprocess.run(["promtool", "check", "rules", str(path)], capture_output=True,
                           text=True)
        if r.returncode != 0:
            problems.append("a dashboard query does not parse:\n" + r.stdout + r.stderr)

    for p in problems:
        print(f"monitoring: {p}")
    print(f"monitoring: {len(exprs)} dashboard queries, {len(series)} metric series known, "
          f"{len(tested)} alerts tested: {'ok' if not problems else 'FAILED'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
