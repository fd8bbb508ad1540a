#!/usr/bin/env python3
"""Checks that the environment the server reads is the environment the documents name.

Every variable of src/config.c's table is in the README's configuration table and in
deploy/repeatd.env.example (but REPEATD_BENCH_*, switches for the benchmarks alone); every
REPEATD_ name the README mentions is read somewhere (src/, tools/, tests/, bench/, deploy/),
so that a renamed or imagined variable cannot stay in the documents. Exit 0 when all hold, 1
otherwise, listing what does not."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
NAME = re.compile(r"REPEATD_[A-Z0-9_]*[A-Z0-9]")


def names(text):
    return set(NAME.findall(text))


def main():
    config = (ROOT / "src/config.c").read_text()
    served = {m for m in re.findall(r'\{"(REPEATD_[A-Z0-9_]+)"', config)
              if not m.startswith("REPEATD_BENCH_")}
    readme = (ROOT / "README.md").read_text()
    table = "\n".join(line for line in readme.splitlines() if line.startswith("| `REPEATD_"))
    example = (ROOT / "deploy/repeatd.env.example").read_text()
    problems = []
    for v in sorted(served - names(table)):
        problems.append(f"{v}: read by src/config.c, not in the README's configuration table")
    for v in sorted(served - names(example)):
        problems.append(f"{v}: read by src/config.c, not in deploy/repeatd.env.example")
    used = set()
    for folder in ("src", "tools", "tests", "bench", "deploy", ".ci"):
        for path in (ROOT / folder).rglob("*"):
            if "node_modules" in path.parts or not path.is_file():
                continue
            if path.suffix not in (".c", ".h", ".sh", ".py", ".lua", ".js", ".example", "") \
                    or path.name == "config_docs.py":
                continue
            try:
                used |= names(path.read_text(errors="replace"))
            except OSError:
                continue
    for v in sorted(names(readme) - used):
        problems.append(f"{v}: named in README.md, read nowhere")
    for p in problems:
        print(p)
    print(f"config docs: {len(served)} variables served, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
