"""Fixtures built in code: a project folder with the real catalogs and a small seeded case."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

REPO = Path(__file__).resolve().parent.parent

CASE_TEXT = """\
case_number: CE-2026-0001
opened: 2026-11-02
complaint:
  received: 2026-11-01
  source: citizen
  type: High grass and weeds
property:
  address:
    lines: ["512 N Britton St"]
    city: Tom Bean
    state: TX
    zip: "75489"
  parcel_id: R-104233
complainant:
  name: Margaret Ellison
  phone: (903) 555-0147
  mailing_address:
    lines: ["516 N Britton St"]
    city: Tom Bean
    state: TX
    zip: "75489"
officer: ofc-garza
responsible_parties:
  - id: owner
    role: owner
    name: José Muñoz
    mailing_address:
      lines: ["PO Box 88"]
      city: Tom Bean
      state: TX
      zip: "75489"
violations:
  - id: v1
    ordinance: TB-34-2
    observed: 2026-11-03 10:15
    location: Front yard
    description: Grass and weeds about 18 inches tall across the front yard.
    corrective_action: Mow the yard to under 12 inches and remove the clippings.
    photos: ["photos/yard.jpg"]
history:
  - action: warning_notice
    on: 2026-11-03 10:30
    method: door_hanger
    recipients: [owner]
"""


def make_photo(path: Path, taken: datetime | None = None, orientation: int = 1,
               size: tuple[int, int] = (640, 480)) -> Path:
    """A small JPEG with the EXIF tags a phone would write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, (90, 140, 60))
    exif = Image.Exif()
    exif[274] = orientation
    if taken:
        exif[0x8769] = {36867: taken.strftime("%Y:%m:%d %H:%M:%S")}
    image.save(path, "JPEG", quality=80, exif=exif)
    return path


def make_heic(path: Path, taken: str, offset: str = "-06:00") -> Path:
    """A small HEIC photo, as an iPhone writes it: its EXIF time (`YYYY:MM:DD HH:MM:SS`)
    with its UTC offset."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    path.parent.mkdir(parents=True, exist_ok=True)
    exif = Image.Exif()
    exif[0x8769] = {36867: taken, 36881: offset}
    Image.new("RGB", (320, 240), (180, 40, 40)).save(path, format="HEIF", quality=50,
                                                     exif=exif.tobytes())
    return path


@pytest.fixture
def project_root(tmp_path: Path) -> Path:
    """A project folder: the repository's catalogs and settings plus one valid case."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "ordinances", root / "ordinances")
    shutil.copytree(REPO / "config", root / "config")
    (root / "cases").mkdir()
    (root / "cases" / "CE-2026-0001.yaml").write_text(CASE_TEXT, encoding="utf-8")
    make_photo(root / "cases" / "photos" / "yard.jpg", datetime(2026, 11, 3, 10, 16))
    return root


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def cli_run(root: Path, *args: str, actor: str | None = None, input: str | None = None):
    """`noticegen --root ROOT [--actor ACTOR] ARGS...`'s result (INPUT as its stdin)."""
    from noticegen.cli import cli

    head = ["--root", str(root), *(["--actor", actor] if actor else [])]
    return CliRunner().invoke(cli, [*head, *args], input=input)


def cli_ok(root: Path, *args: str, actor: str | None = None, input: str | None = None) -> str:
    """What `noticegen --root ROOT ARGS...` printed, having asserted that it succeeded."""
    result = cli_run(root, *args, actor=actor, input=input)
    assert result.exit_code == 0, result.output
    return result.output


def case_data() -> dict:
    """The fixture case as plain data, to change per test."""
    import yaml

    from noticegen.source import _Loader

    return yaml.load(CASE_TEXT, Loader=_Loader)


@pytest.fixture(scope="session")
def repo_project():
    """The repository's own catalogs and settings, loaded once."""
    from noticegen.project import load_project

    return load_project(REPO)


TEST_KEY = "test-key-not-secret"
"""The signing key every test's documents are signed with."""


@pytest.fixture(autouse=True)
def _signing_key(monkeypatch):
    """Documents are signed; tests use a fixed key from the environment, never a file."""
    monkeypatch.setenv("NOTICEGEN_HMAC_KEY", TEST_KEY)


@contextmanager
def env_var(name: str, value: str | None):
    """NAME set to VALUE (unset for None) while the block runs, as it was afterwards: for
    module fixtures and helpers, which the per-test monkeypatch does not reach."""
    before = os.environ.get(name)
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
    try:
        yield value
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def pytest_collection_modifyitems(items):
    """Tests that use the record are marked `record`: scripts/test.sh runs them a second time
    against PostgreSQL."""
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.record)


@contextmanager
def fresh_database():
    """None for the embedded default (SQLite in the project's state folder); a fresh
    PostgreSQL database's URL, dropped afterwards, when the suite runs with
    NOTICEGEN_TEST_DATABASE=postgresql (and NOTICEGEN_TEST_POSTGRES_URL names the server)."""
    import uuid

    if os.environ.get("NOTICEGEN_TEST_DATABASE") != "postgresql":
        yield None
        return
    from sqlalchemy import create_engine, text

    server = os.environ["NOTICEGEN_TEST_POSTGRES_URL"]
    name = f"nt_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as c:
            c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@contextmanager
def opened(root: Path, actor: str = "tester"):
    """The project's App over the record under test (NOTICEGEN_DATABASE_URL, else SQLite),
    acting as ACTOR."""
    from noticegen.service import App

    app = App.open(root, actor, os.environ.get("NOTICEGEN_DATABASE_URL"))
    try:
        yield app
    finally:
        app.close()


@pytest.fixture
def database_url(monkeypatch):
    """The record's URL for this test (see fresh_database); NOTICEGEN_DATABASE_URL is set to
    it, so the CLI and the service use it too."""
    with fresh_database() as url:
        if url is None:
            monkeypatch.delenv("NOTICEGEN_DATABASE_URL", raising=False)
        else:
            monkeypatch.setenv("NOTICEGEN_DATABASE_URL", url)
        yield url


@pytest.fixture
def recorded_root(project_root: Path, database_url) -> Path:
    """project_root with its record created (`noticegen db upgrade`) and its case imported."""
    from noticegen.cli import cli

    runner = CliRunner()
    for args in (["db", "upgrade"], ["cases", "import", str(project_root / "cases")]):
        result = runner.invoke(cli, ["--root", str(project_root), *args])
        assert result.exit_code == 0, result.output
    return project_root


@pytest.fixture
def app(recorded_root: Path):
    """The service's application object over recorded_root, acting as 'tester'."""
    with opened(recorded_root) as found:
        yield found


# -- the web service ---------------------------------------------------------------------------

def examples_project(folder: Path, database: str | None) -> Path:
    """A project folder with the repository's catalogs, settings, templates and the 17 example
    cases, its record created and the examples imported (as the quick start does)."""
    from noticegen.service import App, import_cases, upgrade

    root = folder / "city"
    for part in ("ordinances", "config", "templates", "examples"):
        shutil.copytree(REPO / part, root / part)
    app = App.open(root, "tester", database)
    try:
        upgrade(app)
        import_cases(app, [root / "examples" / "cases"])
    finally:
        app.close()
    return root


def complainants(root: Path = REPO) -> dict[str, str]:
    """Each example case's complainant's name, by case number (the cases under ROOT)."""
    import yaml

    found = {}
    for path in sorted((root / "examples" / "cases").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if (data.get("complainant") or {}).get("name"):
            found[data["case_number"]] = data["complainant"]["name"]
    return found


def record_env(url: str | None):
    """NOTICEGEN_DATABASE_URL set to the record under test for a whole module's fixtures."""
    return env_var("NOTICEGEN_DATABASE_URL", url)


@pytest.fixture
def examples_root(tmp_path: Path, database_url) -> Path:
    """The examples in a fresh record (one test's own)."""
    return examples_project(tmp_path, database_url)


class Web:
    """The service over a project, with signed-in test clients for each role."""

    PASSWORD = "a-long-test-password"

    def __init__(self, root: Path) -> None:
        from noticegen.web import create_app

        self.root = root
        self.asgi = create_app(root, os.environ.get("NOTICEGEN_DATABASE_URL"))
        self.seeded = None  # what served_examples' seed made

    def close(self) -> None:
        """The service's own record connections (a test client runs no shutdown)."""
        self.asgi.state.base.close()

    def anonymous(self):
        from fastapi.testclient import TestClient

        return TestClient(self.asgi, base_url="https://testserver", follow_redirects=False)

    def add_user(self, name: str, role: str) -> None:
        from noticegen.service.people import add_user, list_users

        with opened(self.root, "admin.test") as app:
            if not any(a.name == name for a in list_users(app)):
                add_user(app, name, role, self.PASSWORD,
                         officer="ofc-garza" if role == "officer" else None)

    def client(self, role: str, name: str | None = None):
        """A test client signed in as NAME (default '<role>.test') with that role; its
        `.csrf` is the token its forms carry."""
        name = name or f"{role}.test"
        self.add_user(name, role)
        client = self.anonymous()
        signed = client.post("/sign-in", data={"name": name, "password": self.PASSWORD,
                                               "csrf": self.csrf_of(client, "/sign-in")})
        assert signed.status_code == 303, signed.text
        client.csrf = self.csrf_of(client, "/account/password")
        return client

    @staticmethod
    def csrf_of(client, path: str) -> str:
        import re

        found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
        assert found, f"no CSRF token on {path}"
        return found.group(1)


@contextmanager
def served_examples(tmp_path_factory, name: str, seed=None, actor: str = "clerk.test"):
    """The examples in a fresh record under a new folder NAME, served (a module's fixture):
    the signing key and the record's URL are set while it lasts. `seed(app)` runs first with
    an App over the record acting as ACTOR; what it returns is the Web's `seeded`."""
    with env_var("NOTICEGEN_HMAC_KEY", TEST_KEY), fresh_database() as url, record_env(url):
        root = examples_project(tmp_path_factory.mktemp(name), url)
        seeded = None
        if seed is not None:
            with opened(root, actor) as app:
                seeded = seed(app)
        web = Web(root)
        web.seeded = seeded
        try:
            yield web
        finally:
            web.close()


@pytest.fixture
def web(examples_root: Path):
    found = Web(examples_root)
    yield found
    found.close()


# -- the browser tests (tests/browser.py): each module has its own `server` fixture ------------

@pytest.fixture(scope="module")
def browser():
    from browser import chromium

    with chromium() as found:
        yield found


@pytest.fixture
def visit(browser, server):
    """`visit(phone=False)`: a new browser window on the module's server, closed after."""
    from browser import Visit

    opened: list = []

    def make(phone: bool = False):
        opened.append(Visit(browser, server, phone))
        return opened[-1]

    yield make
    for v in opened:
        v.close()


@pytest.fixture
def phone(visit):
    """Officer Garza (user ofc.garza) signed in on a 390 x 844 touch screen."""
    v = visit(phone=True)
    v.sign_in("ofc.garza")
    return v
