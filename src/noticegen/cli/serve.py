"""`noticegen serve` and `noticegen worker`: the web service and the process that does its
long jobs."""

from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from ..errors import NoticegenError
from .common import Context

WORKER_LOCK = "worker.lock"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.pass_obj
def serve(ctx: Context, host: str, port: int) -> None:
    """The web service for clerks, officers, the city attorney's office and the public, over
    the same record as the command line. Starts its worker process for long jobs."""
    import uvicorn

    from ..web import create_app

    web = create_app(ctx.root, os.environ.get("NOTICEGEN_DATABASE_URL"))
    web.state.base.ready()
    _port_free(host, port)
    worker = subprocess.Popen([sys.executable, "-m", "noticegen", "--root", str(ctx.root),
                               "worker"], preexec_fn=_die_with_parent)
    click.echo(f"noticegen: serving http://{host}:{port}/ (worker pid {worker.pid}); "
               "Ctrl-C stops both", err=True)
    try:
        uvicorn.run(web, host=host, port=port, log_level="warning", proxy_headers=False)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


def _die_with_parent() -> None:
    """The worker ends when `serve` does, even killed (-9): the next `serve` then resumes its
    job, and two workers never run one job (Linux; elsewhere it is only stopped at exit)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise NoticegenError(f"cannot serve on {host}:{port}: {exc.strerror}",
                                 "another program (another `noticegen serve`?) holds that "
                                 "port; stop it or choose --port") from None


@click.command()
@click.option("--once", is_flag=True, help="Do what is waiting, then stop.")
@click.pass_obj
def worker(ctx: Context, once: bool) -> None:
    """Does the service's long jobs (mail batches); `serve` starts one. A job a restart
    interrupted is resumed first."""
    from ..service.jobs import unfinished, work

    stopping = {"now": False}

    def stop(*_: object) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with ctx.app() as app:
        app.ready()
        with _only_worker(app.project.settings.state_dir / WORKER_LOCK):
            if once:
                from ..service.jobs import run

                for job_id in unfinished(app):
                    run(app, job_id)
                return
            work(app, lambda: stopping["now"])


@contextmanager
def _only_worker(path: Path) -> Iterator[None]:
    """One worker per record folder: a job a worker has begun is resumed only when no other
    worker can be running it (the lock goes with the process, however it ends)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as held:
        try:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise NoticegenError(f"another worker is already running for this record ({path})",
                                 "it does the jobs; stop it first to start this one") from None
        yield


COMMANDS = [serve, worker]
