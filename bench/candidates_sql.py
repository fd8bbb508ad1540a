#!/usr/bin/env python3
"""Print the SQL text of intake's prior look-up (src/store/tickets.c q_candidates) as the
server prepares it: the C string literals and the macros they use, concatenated.

usage: bench/candidates_sql.py [src/store/tickets.c]
"""
import re
import sys

TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_]*)')


def literal(body):
    return bytes(body, "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


def expand(text, macros):
    out = []
    for m in TOKEN.finditer(text):
        if m.group(1) is not None:
            out.append(literal(m.group(1)))
        elif m.group(2) in macros:
            out.append(macros[m.group(2)])
        else:
            sys.exit("candidates_sql: unknown name in the statement: " + m.group(2))
    return "".join(out)


def main():
    src = open(sys.argv[1] if len(sys.argv) > 1 else "src/store/tickets.c", encoding="utf-8").read()
    macros = {}
    for m in re.finditer(r"^#define ([A-Z_]+)((?:.*\\\n)*.*)$", src, re.M):
        body = m.group(2).replace("\\\n", "\n")
        if '"' in body:
            macros[m.group(1)] = expand(body, macros)
    m = re.search(r'static const rd_stmt q_candidates = \{\s*"ticket_candidates",(.*?),\s*(\d+)\};',
                  src, re.S)
    if not m:
        sys.exit("candidates_sql: q_candidates not found")
    print(expand(m.group(1), macros))


if __name__ == "__main__":
    main()
