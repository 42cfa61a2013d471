"""Fonts: the Noto fonts the setup installs draw the names and words a Texas city meets, the
templates fall back to them, and text that still cannot be drawn is refused as case data —
by `check`, by import and before printing — never laid out as a missing-glyph box."""

from __future__ import annotations

import copy
import io
import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO, case_data, make_photo
from PIL import Image
from pypdf import PdfReader

from noticegen.cases import Case
from noticegen.cli import cli
from noticegen.glyphs import font_stacks, undrawable, undrawable_text
from noticegen.project import load_project
from noticegen.render import renderer

ASSETS = REPO / "templates" / "assets"
CASE = "cases/CE-2026-0001.yaml"
APPLE = "\uf8ff"
"""A private-use character (the Apple logo on a Mac keyboard) that no font here has."""
NAMES = {"chinese": "王小明", "vietnamese": "Nguyễn Thị Hương", "arabic": "محمد عبد الله",
         "korean": "김민준"}
EMOJI = "🗑️ 👍🏽 👨‍👩‍👧"
FALLBACKS = {"sans-serif": ("Noto Sans", "Noto Sans Arabic", "Noto Sans CJK SC"),
             "serif": ("Noto Serif", "Noto Naskh Arabic", "Noto Serif CJK SC"),
             "monospace": ("Noto Sans Mono CJK SC", "Noto Sans Arabic")}
"""Each generic family's stack ends with these. Colour emoji come from fontconfig's own
fallback: an emoji font named in a stack draws the digits too (wide and spaced)."""


def _run(root: Path, *args: str):
    result = CliRunner().invoke(cli, ["--root", str(root), "--actor", "tester", *args])
    assert "Traceback" not in result.output
    return result


def _with_stylesheets(root: Path) -> Path:
    """The documents' style sheets, which name the fonts (`check` then checks the case text
    against them; the templates themselves are other tests' business)."""
    shutil.copytree(ASSETS, root / "templates" / "assets")
    return root


def _with_templates(root: Path) -> Path:
    shutil.copytree(REPO / "templates", root / "templates")
    return root


def _edit_case(root: Path, old: str, new: str) -> str:
    case = root / CASE
    text = case.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    case.write_text(text, encoding="utf-8")
    return text


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


# The fonts and the stacks


def test_setup_installs_the_noto_fonts():
    setup = (REPO / "scripts" / "setup.sh").read_text(encoding="utf-8")
    debs = re.search(r"debs=\(([^)]*)\)", setup)
    assert debs is not None
    assert {"fonts-noto-core", "fonts-noto-cjk", "fonts-noto-color-emoji",
            "fontconfig"} <= set(debs.group(1).split())


def test_every_font_stack_keeps_its_first_choice_and_falls_back_to_noto():
    stacks = font_stacks(ASSETS)
    assert {stack[-1] for stack in stacks} == set(FALLBACKS)
    for stack in stacks:
        assert stack[0].startswith("Liberation "), stack
        assert stack[-1 - len(FALLBACKS[stack[-1]]):-1] == FALLBACKS[stack[-1]], stack
        assert not any("emoji" in family.lower() for family in stack), stack


def test_the_stacks_draw_every_script_a_texas_city_meets():
    stacks = font_stacks(ASSETS)
    for text in [*NAMES.values(), EMOJI, "José Muñoz", "Ñandú ß Øystein Œuvre"]:
        assert undrawable(text, stacks) == [], text
    assert undrawable(f"Tim {APPLE} Cook", stacks) == [APPLE]


def test_a_machine_without_the_cjk_font_refuses_the_name_instead_of_printing_boxes():
    data = case_data()
    data["responsible_parties"][0]["name"] = "王小明 (Wang Xiaoming)"
    data["violations"][0]["description"] = "Trash 🗑️ piled by the fence."
    case = Case.model_validate(data, context={"base": Path(".")})
    latin_only = (("Liberation Sans", "DejaVu Sans", "sans-serif"),)
    problems = undrawable_text(case, latin_only, "CE-2026-0001")
    assert [(p.file, p.field) for p in problems] == [
        ("CE-2026-0001", "responsible_parties[0].name")]  # emoji: fontconfig's own fallback
    assert "'王' (U+738B CJK UNIFIED IDEOGRAPH-738B), '小'" in problems[0].message
    assert problems[0].hint and "scripts/setup.sh" in problems[0].hint


# check and import


CANNOT = [
    ("owner-name", "    name: José Muñoz", f"    name: José {APPLE} Muñoz",
     "responsible_parties[0].name"),
    ("description", "    description: Grass", f"    description: {APPLE} Grass",
     "violations[0].description"),
    ("mailing-address", '      lines: ["PO Box 88"]', f'      lines: ["PO Box 88 {APPLE}"]',
     "responsible_parties[0].mailing_address.lines[0]"),
    ("complainant", "  name: Margaret Ellison", f"  name: Margaret {APPLE} Ellison",
     "complainant.name"),
]


@pytest.mark.parametrize(("old", "new", "field"), [c[1:] for c in CANNOT],
                         ids=[c[0] for c in CANNOT])
def test_check_refuses_text_no_font_can_draw_naming_file_line_and_field(
        project_root: Path, old: str, new: str, field: str):
    text = _edit_case(_with_stylesheets(project_root), old, new)
    result = _run(project_root, "check", str(project_root / "cases"))
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    line = _line_of(text, new.strip())
    assert f"CE-2026-0001.yaml:{line}: {field}: cannot be printed: no font of the documents " \
           f"has '{APPLE}' (U+F8FF)" in errors[0]
    assert "hint: write it without these characters" in result.stderr
    assert "template" not in result.stderr


def test_check_accepts_names_and_emoji_the_noto_fonts_draw(project_root: Path):
    _edit_case(_with_stylesheets(project_root), "    name: José Muñoz",
               f"    name: {NAMES['chinese']} / {NAMES['vietnamese']} / {NAMES['arabic']}")
    _edit_case(project_root, "    description: Grass", f"    description: {EMOJI} Grass")
    result = _run(project_root, "check", str(project_root / "cases"))
    assert result.exit_code == 0, result.output


def test_import_refuses_it_as_check_does(project_root: Path, database_url):
    _edit_case(_with_stylesheets(project_root), "    name: José Muñoz", f"    name: {APPLE}")
    assert _run(project_root, "db", "upgrade").exit_code == 0
    result = _run(project_root, "cases", "import", str(project_root / "cases"))
    assert result.exit_code == 2
    assert "responsible_parties[0].name: cannot be printed" in result.stderr


# Before printing: a case in the record from a machine with other fonts


@pytest.fixture
def undrawable_on_record(project_root: Path, database_url) -> Path:
    """A case whose owner's name no font here draws, in the record: imported where the
    documents' style sheets (so their fonts) were not there to check it."""
    _edit_case(project_root, "    name: José Muñoz", f"    name: José {APPLE} Muñoz")
    assert _run(project_root, "db", "upgrade").exit_code == 0
    assert _run(project_root, "cases", "import", str(project_root / "cases")).exit_code == 0
    return _with_templates(project_root)


def test_a_batch_refuses_it_as_case_data_naming_case_and_field(undrawable_on_record: Path):
    result = _run(undrawable_on_record, "batch", "CE-2026-0001", "--mail-date", "2026-11-25",
                  "--batch-id", "fonts")
    assert result.exit_code == 2, result.output
    assert f"CE-2026-0001: responsible_parties[0].name: cannot be printed: no font of the " \
           f"documents has '{APPLE}' (U+F8FF)" in result.stderr
    assert ".notdef" not in result.stderr and "template" not in result.stderr
    assert not (undrawable_on_record / "out" / "fonts").exists()


def test_a_render_refuses_it_as_case_data_too(undrawable_on_record: Path):
    result = _run(undrawable_on_record, "render", "warning", "CE-2026-0001", "--draft",
                  "--issued", "2026-11-25 10:00")
    assert result.exit_code == 2, result.output
    assert "CE-2026-0001: responsible_parties[0].name: cannot be printed" in result.stderr
    assert ".notdef" not in result.stderr and "template" not in result.stderr


# What WeasyPrint draws


def _text_by_font(pdf: bytes) -> dict[str, str]:
    """The text drawn in each font (base name without the subset prefix), read with pypdf."""
    drawn: dict[str, str] = {}

    def visit(text, cm, tm, font, size):
        if font and text.strip():
            name = str(font["/BaseFont"]).split("+", 1)[-1]
            drawn[name] = drawn.get(name, "") + text

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return drawn


def test_a_notice_draws_chinese_vietnamese_arabic_korean_names_and_emoji(tmp_path: Path,
                                                                         monkeypatch):
    monkeypatch.setenv("NOTICEGEN_HMAC_KEY", "test-key-not-secret")
    data = case_data()
    owner = data["responsible_parties"][0]
    data["responsible_parties"] = [
        {**copy.deepcopy(owner), "id": key, "name": name} for key, name in NAMES.items()]
    data["history"][0]["recipients"] = list(NAMES)
    data["violations"][0]["description"] = f"Trash {EMOJI} piled by the fence."
    case_file = tmp_path / "cases" / "case.yaml"
    case_file.parent.mkdir()
    case_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    make_photo(tmp_path / "cases" / "photos" / "yard.jpg", datetime(2026, 11, 3, 10, 16))
    project = load_project(REPO, [case_file])
    r = renderer(project, tmp_path / "photo-cache")
    case = project.cases["CE-2026-0001"]
    issued = datetime(2026, 11, 25, 10, 0)
    for key, name in NAMES.items():
        doc = r.render("warning", case, issued, recipient=key, variant="letter")
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(doc.content)).pages)
        words = name.split()
        assert all(word in text for word in words[:2]), (key, text[:400])
        assert "🗑" in text and "👍" in text
        drawn = _text_by_font(doc.content)
        assert "🗑" in drawn.get("Noto-Color-Emoji", ""), drawn.keys()
        if key in ("chinese", "korean"):
            cjk = drawn.get("Noto-Serif-CJK-SC", "") + drawn.get("Noto-Sans-CJK-SC", "")
            assert name in cjk, drawn.keys()
        # Digits stay in the Latin fonts (an emoji font draws them wide and spaced).
        assert not re.search(r"\d", drawn.get("Noto-Color-Emoji", "")), drawn
        assert "2026" in drawn.get("LiberationSerif", "") + drawn.get("Liberation-Serif", "")


# The seal


def _seal_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_seal", REPO / "scripts" / "make_seal.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_seal_is_drawn_by_its_script():
    committed = Image.open(REPO / "config" / "assets" / "seal.png")
    drawn = _seal_module().seal()
    assert committed.size == drawn.size and committed.mode == drawn.mode
    assert committed.tobytes() == drawn.tobytes()


def test_the_mark_under_texas_is_a_star_not_a_missing_glyph_box():
    """A missing-glyph box is hollow: its middle is empty; the lone star is solid there."""
    seal = Image.open(REPO / "config" / "assets" / "seal.png").getchannel("A")
    mark = seal.crop((250, 430, 350, 500))
    left, top, right, bottom = mark.getbbox() or (0, 0, 0, 0)
    assert right > left and bottom > top, "no mark under TEXAS"
    middle = ((left + right) // 2, (top + bottom) // 2)
    assert mark.getpixel(middle) == 255
