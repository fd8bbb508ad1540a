#!/usr/bin/env python3
"""Checks that #include arrows point down the layers of STYLE.md, and prints the graph.

Every header of include/repeatd/ belongs to one layer (the table below: a new header must be
added to it, or the check fails); every source file belongs to the layer of its folder. A file
may include headers of the layers its own may use, never one above. Exit 0 when every arrow
points down, 1 otherwise, listing each arrow that does not."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

HEADERS = {
    # core: pure domain, no I/O; the structs the other layers pass around
    "core": "domain decide settings months phone closeout workflow script kpi errors"
            " ticket_view caller_history settings_change refusal kpi_query kpi_types prior_state"
            " loop loop_types problems"
            " kpi_cursor",
    # base: process utilities with no domain knowledge
    "base": "log crypto config citizen text",
    "store": "pool tx result pg_array store kpi_store import_store migrations loop_store problem_store",
    "codec": "codec json_spec kpi_json csv kpi_csv loop_json problem_json json_out"
             " json_canon",
    "app": "service intake lifecycle reads admin keys key_cache prepare kpi_answer kpi_org"
           " import programmes report problem_list loop_common answer_stored"
           " maintain",
    "http": "http routes auth metrics kpi_view kpi_params web web_assets",
    "cli": "cli",
}

# What each layer may include.
MAY_USE = {
    "core": {"core"},
    "base": {"base", "core"},
    "store": {"store", "base", "core"},
    "codec": {"codec", "base", "core"},
    "app": {"app", "store", "codec", "base", "core"},
    "tools": {"app", "store", "codec", "base", "core"},
    "http": {"http", "app", "codec", "base", "core"},
    "cli": {"cli", "http", "app", "store", "codec", "base", "core"},
}


def layer_of_header(name, table):
    return table.get(name)


def layer_of_source(path):
    rel = path.relative_to(ROOT).as_posix()
    if rel.startswith("include/repeatd/"):
        return None  # headers: by the table
    for prefix, layer in (("src/core/", "core"), ("src/store/", "store"), ("src/codec/", "codec"),
                          ("src/app/", "app"), ("src/http/", "http"), ("tools/", "tools")):
        if rel.startswith(prefix):
            return layer
    if rel in ("src/cli.c", "src/main.c"):
        return "cli"
    if rel.startswith("src/"):
        return "base"
    return None


def main():
    table = {}
    for layer, names in HEADERS.items():
        for n in names.split():
            table[n] = layer
    include_re = re.compile(r'#include\s+"repeatd/([a-z_0-9]+)\.h"')
    bad, edges = [], set()
    headers = sorted((ROOT / "include/repeatd").glob("*.h"))
    for h in headers:
        if h.stem not in table:
            bad.append(f"{h.relative_to(ROOT)}: not in the layer table of tests/layers.py")
    files = headers + sorted((ROOT / "src").rglob("*.c")) + sorted((ROOT / "tools").rglob("*.[ch]"))
    for f in files:
        own = table.get(f.stem) if f.suffix == ".h" and "include" in f.parts else layer_of_source(f)
        if own is None:
            continue
        for m in include_re.finditer(f.read_text(encoding="utf-8")):
            dep = table.get(m.group(1))
            if dep is None:
                continue  # reported above
            if dep != own:
                edges.add((own, dep))
            if dep not in MAY_USE[own]:
                bad.append(f"{f.relative_to(ROOT)} ({own}) includes repeatd/{m.group(1)}.h ({dep})")
    print("include graph between layers:")
    for own, dep in sorted(edges):
        print(f"  {own} -> {dep}")
    for b in bad:
        print("layering:", b)
    print(f"layers: {len(files)} files, {len(bad)} arrow(s) pointing up")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
