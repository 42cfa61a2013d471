"""`noticegen serve` as a process: a kill -9 in the middle of a mail batch loses nothing —
the next start resumes the job, which finishes once, with the numbers it would have had."""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.request

import pytest
from browser import city, started

pytestmark = pytest.mark.slow


def _api(server, path: str, token: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        server.url + path, data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state, parent, …), or None."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _children(pid: int) -> list[int]:
    return [int(e) for e in os.listdir("/proc")
            if e.isdigit() and (fields := _stat(int(e))) and int(fields[1]) == pid]


def test_a_batch_killed_with_serve_is_resumed_by_the_next_serve(tmp_path):
    server = city(tmp_path, {"clerk.jones": "clerk"})
    token = server.cli("users", "token", "clerk.jones").stdout.split()[0]
    cases = ["CE-2026-0163", "CE-2026-0174", "CE-2026-0196"]
    with started(server):
        worker = _children(server.process.pid)
        assert len(worker) == 1
        job = _api(server, "/api/batches", token,
                   {"cases": cases, "mail_date": "2026-11-25"})["job_id"]
        for _ in range(600):
            state = _api(server, f"/api/jobs/{job}", token)
            if state["state"] == "progress" and state["done"] >= 1:
                break
            time.sleep(0.1)
        assert state["state"] == "progress", state
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait()
        for _ in range(100):  # the worker dies with serve
            if (fields := _stat(worker[0])) is None or fields[0] == "Z":
                break
            time.sleep(0.1)
        else:
            pytest.fail("the worker outlived serve")
    with started(server):
        for _ in range(1200):
            state = _api(server, f"/api/jobs/{job}", token)
            if state["state"] in ("finished", "failed"):
                break
            time.sleep(0.1)
        assert state["state"] == "finished", state
        batch = _api(server, "/api/batches/nov-2026-11-25", token)
    numbers = sorted(int(p["article_number"].replace(" ", "")[-8:-1]) for p in batch["lines"])
    assert len(numbers) == 5 and numbers == list(range(numbers[0], numbers[0] + 5))
    checked = server.cli("db", "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_second_worker_for_the_same_record_is_refused(tmp_path):
    import subprocess
    import sys

    server = city(tmp_path, {})
    first = subprocess.Popen([sys.executable, "-m", "noticegen", "--root", str(server.root),
                              "worker"], env=server.env)
    try:
        for _ in range(100):
            if (server.root.parent / "var" / "worker.lock").exists() or \
                    (server.root / "var" / "worker.lock").exists():
                break
            time.sleep(0.1)
        time.sleep(1)
        second = server.cli("worker", "--once")
        assert second.returncode == 1
        assert "another worker is already running" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        first.terminate()
        first.wait(timeout=30)
    assert server.cli("worker", "--once").returncode == 0  # the lock went with it
