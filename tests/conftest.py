"""Fixtures built in code: a project folder with the real catalogs and a small seeded case."""

from __future__ import annotations

import shutil
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


@pytest.fixture(autouse=True)
def _signing_key(monkeypatch):
    """Documents are signed; tests use a fixed key from the environment, never a file."""
    monkeypatch.setenv("NOTICEGEN_HMAC_KEY", "test-key-not-secret")
