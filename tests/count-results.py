#!/usr/bin/env python3
"""Counts what tests/run.sh ran and prints the summary; the last line is `N passed, N failed`.

  --run LABEL TESTLOG.json RC   one `meson test` run: its JSON log and meson's exit status
                                (RC "-" when it could not run because its build failed)
  --check LABEL RC              one pass/fail test outside meson (the OpenAPI lint)
  --step LABEL RC               a step that is not a test (install, build, database): counts
                                one failure when RC is not 0, nothing otherwise

Each line of a meson JSON log is one test() with its "result". TAP tests (the Check suites) also
have one <testsuite> per test in the JUnit log beside it (the same name, .junit.xml); there each
case is counted on its own, so a suite of 40 cases counts 40. A test that meson judged bad but
whose cases all passed (a crash after the last case, a wrong plan) counts one more failure.
A missing or empty log counts the run as one failure: nothing is skipped silently.
Exit status 0 iff nothing failed and every step ran.
"""

import argparse
import json
import os
import sys
import xml.etree.ElementTree as ET

GOOD = {"OK", "EXPECTEDFAIL"}
SKIPPED = {"SKIP"}
BAD = {"FAIL", "UNEXPECTEDPASS", "TIMEOUT", "ERROR", "INTERRUPT"}


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.failures = []

    def fail(self, what):
        self.failed += 1
        self.failures.append(what)


def junit_cases(junit_path):
    """{suite name: [(case name, outcome)]} for suites holding a TAP test's cases."""
    suites = {}
    if not os.path.isfile(junit_path):
        return suites
    try:
        root = ET.parse(junit_path).getroot()
    except ET.ParseError:
        return suites
    for suite in root.iter("testsuite"):
        cases = []
        for case in suite.findall("testcase"):
            if case.find("failure") is not None or case.find("error") is not None:
                outcome = "FAIL"
            elif case.find("skipped") is not None:
                outcome = "SKIP"
            else:
                outcome = "OK"
            cases.append((case.get("name", "?"), outcome))
        suites[suite.get("name", "")] = cases
    return suites


def project_name(json_path):
    info = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(json_path))),
                        "meson-info", "intro-projectinfo.json")
    try:
        with open(info, encoding="utf-8") as f:
            return json.load(f).get("descriptive_name")
    except (OSError, ValueError):
        return None


def count_run(label, path, rc, total):
    """Adds one meson run to total; returns whether it ran completely."""
    t = Tally()
    if rc == "-":
        print(f"{label}: not run (its build failed)")
        return False
    if not os.path.isfile(path) or os.path.getsize(path) == 0:
        t.fail(f"no test log at {path} (meson test exit {rc}): no test ran")
        entries = []
    else:
        entries = []
        with open(path, encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    entries.append(json.loads(line))
                except ValueError:
                    t.fail(f"{path}:{n}: unreadable log line")
        if not entries and not t.failed:
            t.fail(f"{path}: empty, no test ran")

    base = path[:-len(".json")] if path.endswith(".json") else path
    suites = junit_cases(base + ".junit.xml")
    proj = project_name(path)

    for e in entries:
        name = e.get("name", "?")
        result = e.get("result", "?")
        cases = None
        if proj is not None and f"{proj}.{name}" in suites:
            cases = suites[f"{proj}.{name}"]
        else:
            for sname, scases in suites.items():
                prefix = sname[:-len(name) - 1]
                if sname.endswith("." + name) and prefix and "." not in prefix:
                    cases = scases
                    break
        if cases:
            case_failed = False
            for cname, outcome in cases:
                if outcome == "OK":
                    t.passed += 1
                elif outcome == "SKIP":
                    t.skipped += 1
                else:
                    case_failed = True
                    t.fail(f"{name}: {cname}")
            if result in BAD and not case_failed:
                t.fail(f"{name}: {result} (after its cases; see the log)")
            elif result not in GOOD | SKIPPED | BAD:
                t.fail(f"{name}: unknown result {result!r}")
        elif result in GOOD:
            t.passed += 1
        elif result in SKIPPED:
            t.skipped += 1
        else:
            t.fail(f"{name}: {result}")

    if rc not in ("0", "-") and t.failed == 0:
        t.fail(f"meson test exited {rc} with no failing test in its log")

    line = f"{label}: {t.passed} passed, {t.failed} failed"
    if t.skipped:
        line += f", {t.skipped} skipped"
    print(f"{line}  [meson test exit {rc}, {len(entries)} tests in {path}]")
    for what in t.failures:
        print(f"    FAILED {what}")
    total.passed += t.passed
    total.failed += t.failed
    total.skipped += t.skipped
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--run", nargs=3, action="append", default=[],
                    metavar=("LABEL", "TESTLOG", "RC"))
    ap.add_argument("--check", nargs=2, action="append", default=[], metavar=("LABEL", "RC"))
    ap.add_argument("--step", nargs=2, action="append", default=[], metavar=("LABEL", "RC"))
    args = ap.parse_args()

    total = Tally()
    complete = True
    print("---- summary ----")
    for label, rc in args.step:
        if rc != "0":
            print(f"{label}: FAILED (exit {rc})")
            total.failed += 1
            complete = False
    for label, path, rc in args.run:
        complete &= count_run(label, path, rc, total)
    for label, rc in args.check:
        if rc == "0":
            print(f"{label}: passed")
            total.passed += 1
        else:
            print(f"{label}: FAILED (exit {rc})")
            total.failed += 1
    if total.skipped:
        print(f"({total.skipped} skipped, not counted below)")
    print(f"{total.passed} passed, {total.failed} failed")
    sys.stdout.flush()
    return 0 if total.failed == 0 and complete else 1


if __name__ == "__main__":
    sys.exit(main())
