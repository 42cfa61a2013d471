"""The browser tests' harness: `noticegen serve` on a free loopback port over a copy of the
examples, and Debian's Chromium driven by Playwright (never a downloaded browser). Every page
a test opens fails it if a dialog appears (an injected script ran); screenshots go to
out/screenshots/."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml
from conftest import REPO, env_var, examples_project

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = REPO / "out" / "screenshots"
PASSWORD = "a-long-browser-password"
KEY = "browser-test-signing-key"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    root: Path
    url: str
    process: subprocess.Popen
    env: dict[str, str]

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        """The command line over the same record, as a clerk at a terminal would run it."""
        return subprocess.run([sys.executable, "-m", "noticegen", "--root", str(self.root),
                               *args], env=self.env, capture_output=True, text=True,
                              check=False, timeout=600, input=stdin)


def city(folder: Path, users: dict[str, str], prepare=None) -> Server:
    """The examples (SQLite) with their verification base URL set to the service's own
    address on a free port, and one user per NAME: ROLE; `prepare(server)` runs last."""
    env = {k: v for k, v in os.environ.items() if k != "NOTICEGEN_DATABASE_URL"}
    env["NOTICEGEN_HMAC_KEY"] = KEY
    with env_var("NOTICEGEN_HMAC_KEY", KEY):
        root = examples_project(folder, None)
    url = f"http://127.0.0.1:{free_port()}"
    settings = root / "config" / "agency.yaml"
    data = settings.read_text(encoding="utf-8")
    configured = yaml.safe_load(data)["verification"]["base_url"]
    settings.write_text(data.replace(configured, f"{url}/verify"), encoding="utf-8")
    server = Server(root, url, None, env)  # type: ignore[arg-type]
    for name, role in users.items():
        officer = ["--officer", "ofc-garza"] if role == "officer" else []
        added = server.cli("users", "add", name, "--role", role, *officer, "--password-stdin",
                           stdin=PASSWORD + "\n")
        assert added.returncode == 0, added.stderr
    if prepare is not None:
        prepare(server)
    return server


@contextmanager
def started(server: Server) -> Iterator[Server]:
    """`noticegen serve` over the server's project, until the block ends (or a test kills
    it)."""
    log = (server.root.parent / "serve.log").open("a")
    server.process = subprocess.Popen(
        [sys.executable, "-m", "noticegen", "--root", str(server.root), "serve", "--port",
         server.url.rsplit(":", 1)[1]], env=server.env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{server.url}/sign-in", timeout=2):
                    break
            except OSError:
                if server.process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("the service did not start: " + (
                        server.root.parent / "serve.log").read_text()) from None
                time.sleep(0.2)
        yield server
    finally:
        server.process.terminate()
        try:
            server.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.process.kill()
        log.close()


@contextmanager
def serving(folder: Path, users: dict[str, str], prepare=None) -> Iterator[Server]:
    """The service over a new copy of the examples (see `city`)."""
    with started(city(folder, users, prepare)) as server:
        yield server


@contextmanager
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "Debian's chromium is missing: run scripts/setup.sh"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


class Visit:
    """One person's browser window: a fresh context, dialogs counted (none may open)."""

    def __init__(self, browser, server: Server, phone: bool = False) -> None:
        options = {"viewport": {"width": 390, "height": 844}, "is_mobile": True,
                   "has_touch": True, "device_scale_factor": 2} if phone else \
            {"viewport": {"width": 1280, "height": 900}}
        self.context = browser.new_context(accept_downloads=True, **options)
        self.page = self.context.new_page()
        self.server = server
        self.dialogs: list[str] = []
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def go(self, path: str):
        answer = self.page.goto(self.server.url + path)
        self.page.wait_for_load_state("networkidle")
        return answer

    def sign_in(self, name: str) -> None:
        self.go("/sign-in")
        self.page.fill("#name", name)
        self.page.fill("#password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("networkidle")
        assert "/sign-in" not in self.page.url, self.page.content()

    def shot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def accessibility(self) -> list[dict]:
        """axe-core's violations of the WCAG 2.0 and 2.1 A and AA rules (what the ADA Title II
        rule, 28 CFR 35, asks of a city's web content) on the page as it stands now."""
        from axe_playwright_python.sync_playwright import Axe

        options = {"resultTypes": ["violations"],
                   "runOnly": {"type": "tag",
                               "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
        return Axe().run(self.page, options=options).response["violations"]

    def check(self, name: str) -> None:
        """The page as it stands: a screenshot to look at, no axe-core violation, nothing
        wider than the screen."""
        self.shot(name)
        barriers = [f"{rule['id']} ({rule['impact']}) at "
                    f"{', '.join(' '.join(n['target']) for n in rule['nodes'][:3])}: "
                    f"{rule['help']}" for rule in self.accessibility()]
        assert not barriers, f"{name}: WCAG 2.1 AA (axe-core):\n" + "\n".join(barriers)
        assert not self.overflows(), f"{name} scrolls sideways"

    def focused(self) -> str:
        return self.page.evaluate("document.activeElement.id || document.activeElement.tagName")

    def tab_to(self, element_id: str, most: int = 40) -> None:
        """Tab until the element has the focus (the keyboard alone)."""
        for _ in range(most):
            self.page.keyboard.press("Tab")
            if self.focused() == element_id:
                return
        raise AssertionError(f"Tab never reached #{element_id}")

    def overflows(self) -> bool:
        return self.page.evaluate(
            "document.documentElement.scrollWidth > document.documentElement.clientWidth")

    def close(self) -> None:
        self.context.close()
        assert not self.dialogs, f"a dialog opened: {self.dialogs}"
