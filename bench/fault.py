#!/usr/bin/env python3
"""Faults under load, and what they cost: a private PostgreSQL cluster and a repeatd server
(build/repeatd) under a steady load of ticket intake, through three faults in turn:

  1. a database restart (pg.sh stop, start);
  2. a stalled database: SIGSTOP of the postmaster and every backend for 8 s, then SIGCONT;
  3. SIGTERM of the server under load, and a new server in its place.

Every 201 the load receives is an acknowledged write. At the end every acknowledged ticket is
read back: a missing one is a lost write (must be 0). Also counted: answers by status (a 500
is a failure), the longest answer during the stall (bounded by REPEATD_DB_TIMEOUT_MS), and
/healthz at its worst during the stall. Exit 0 when nothing was lost and nothing was 500.

  bench/fault.py [--seconds-per-phase 8] [--threads 8] [--db-timeout-ms 2000]
"""
import argparse
import collections
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PG = os.path.join(ROOT, "tests", "pg.sh")
BIN = os.path.join(ROOT, "build", "repeatd")
PG_PORT = 5432  # names the socket in the cluster's own folder


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def pg(cmd, pgdir):
    subprocess.run([PG, cmd, pgdir, str(PG_PORT)], check=True, env=dict(os.environ, PG_FAST="1"),
                   stdout=subprocess.DEVNULL)


def cluster_pids(pgdir):
    with open(os.path.join(pgdir, "data", "postmaster.pid")) as f:
        pm = int(f.readline())
    pids = [pm]
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    stat = f.read()
                if int(stat[stat.rindex(")") + 2:].split()[1]) == pm:
                    pids.append(int(d))
            except (OSError, ValueError):
                pass
    return pids


def request(base, method, path, key=None, body=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if key:
        req.add_header("Authorization", "Bearer " + key)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        e.read()
        status = e.code
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        status = 0  # refused while the server restarts
    return status, (time.monotonic() - t0) * 1000


class Server:
    def __init__(self, env, log):
        self.env, self.log, self.proc = env, log, None

    def start(self, base):
        self.proc = subprocess.Popen([BIN, "serve"], env=self.env, stdout=self.log,
                                     stderr=self.log)
        for _ in range(300):
            if request(base, "GET", "/healthz", timeout=1)[0] == 200:
                return
            time.sleep(0.1)
        self.log.flush()
        with open(self.log.name) as f:
            sys.stderr.write(f.read()[-2000:])
        raise SystemExit("the server did not start")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds-per-phase", type=float, default=8)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--db-timeout-ms", type=int, default=2000)
    a = ap.parse_args()
    if not os.access(BIN, os.X_OK):
        raise SystemExit("build/repeatd is missing: meson setup build && meson compile -C build")

    pgdir = tempfile.mkdtemp(prefix="repeatd-fault.")
    log = open(os.path.join(pgdir, "server.log"), "w")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    admin = secrets.token_hex(16)
    env = dict(os.environ,
               REPEATD_DATABASE_URL=f"postgresql:///postgres?host={pgdir}&port={PG_PORT}&user=postgres",
               REPEATD_LISTEN=f"127.0.0.1:{port}", REPEATD_SECRET=secrets.token_hex(16),
               REPEATD_BOOTSTRAP_ADMIN_KEY=admin, REPEATD_DB_TIMEOUT_MS=str(a.db_timeout_ms))
    stopped = []
    server = Server(env, log)
    try:
        pg("start", pgdir)
        server.start(base)
        with open(os.path.join(ROOT, "deploy", "sample-categories.json")) as f:
            cats = json.load(f)
        st, _ = request(base, "PUT", "/v1/admin/categories", admin, cats)
        assert st == 200, f"categories: {st}"

        acked, statuses, lock = [], collections.Counter(), threading.Lock()
        phase = {"name": "warm-up"}
        worst = collections.defaultdict(float)
        running = True

        def load(n):
            i = 0
            while running:
                i += 1
                tid = f"F{n:02d}-{i:07d}"
                body = {"ticket_id": tid, "received_at": "2026-09-03T09:00:00+08:00",
                        "citizen": {"phone": f"139{n:02d}{i % 1000000:06d}"},
                        "category": "HB.ZS.JZ"}
                st, ms = request(base, "POST", "/v1/tickets", admin, body)
                with lock:
                    statuses[st] += 1
                    worst[phase["name"]] = max(worst[phase["name"]], ms)
                    if st == 201:
                        acked.append(tid)
                if st in (0, 503):
                    time.sleep(0.05)

        threads = [threading.Thread(target=load, args=(n,)) for n in range(a.threads)]
        for t in threads:
            t.start()
        T = a.seconds_per_phase
        time.sleep(T / 2)

        phase["name"] = "database restart"
        pg("stop", pgdir)
        time.sleep(T / 2)
        pg("start", pgdir)
        time.sleep(T / 2)

        phase["name"] = "database stopped (SIGSTOP)"
        stopped = cluster_pids(pgdir)
        for p in stopped:
            os.kill(p, signal.SIGSTOP)
        health = 0.0
        end = time.monotonic() + T
        while time.monotonic() < end:
            st, ms = request(base, "GET", "/healthz", timeout=10)
            health = max(health, ms)
            assert st == 200, f"/healthz {st} while the database is stopped"
            time.sleep(0.1)
        for p in stopped:
            os.kill(p, signal.SIGCONT)
        stopped = []
        time.sleep(T / 2)

        phase["name"] = "server SIGTERM and restart"
        code = server.stop()
        server.start(base)
        time.sleep(T / 2)
        phase["name"] = "after"
        running = False
        for t in threads:
            t.join()

        lost = [tid for tid in acked
                if request(base, "GET", f"/v1/tickets/{tid}", admin)[0] != 200]
        report = {
            "acknowledged_writes": len(acked),
            "lost_acknowledged_writes": len(lost),
            "answers_by_status": {str(k): v for k, v in sorted(statuses.items())},
            "longest_answer_ms_by_phase": {k: round(v, 1) for k, v in worst.items()},
            "healthz_worst_ms_while_stopped": round(health, 1),
            "db_timeout_ms": a.db_timeout_ms,
            "server_exit_on_sigterm": code,
        }
        print(json.dumps(report, indent=2))
        server.stop()
        ok = not lost and statuses.get(500, 0) == 0 and code == 0
        return 0 if ok else 1
    finally:
        for p in stopped:
            os.kill(p, signal.SIGCONT)
        if server.proc and server.proc.poll() is None:
            server.proc.kill()
        try:
            pg("stop", pgdir)
        except subprocess.CalledProcessError:
            pass
        log.close()
        shutil.rmtree(pgdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
