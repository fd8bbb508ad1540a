#!/usr/bin/env python3
"""Copies ECharts, as pinned by web/package.json and web/package-lock.json, into the build.

Runs `npm ci` in a folder of the build tree (never in the source tree), then copies
node_modules/echarts/dist/echarts.min.js to the output. npm's cache makes a rebuild cheap."""
import os
import shutil
import subprocess
import sys

npm, srcdir, out = sys.argv[1], sys.argv[2], sys.argv[3]
work = os.path.join(os.path.dirname(os.path.abspath(out)), "npm")
os.makedirs(work, exist_ok=True)
for name in ("package.json", "package-lock.json"):
    shutil.copyfile(os.path.join(srcdir, name), os.path.join(work, name))
r = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
                   cwd=work)
if r.returncode != 0:
    sys.exit("web/fetch_echarts.py: npm ci failed; build with -Dui=false to leave the "
             "dashboard out")
shutil.copyfile(os.path.join(work, "node_modules", "echarts", "dist", "echarts.min.js"), out)
