"""Text of a case that the documents' fonts cannot draw: the font stacks of the templates' style
sheets, each family resolved by fontconfig and its cmap read with fontTools. Such text is
refused as case data before anything is printed, instead of a missing-glyph box in a notice."""

from __future__ import annotations

import subprocess
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import tinycss2
from pydantic import BaseModel

from .errors import ConfigurationError, Problem
from .source import Loc, Source, format_loc

Stack = tuple[str, ...]
"""A font-family list as written in CSS, first choice first."""
Face = tuple[str, int]
"""A font file and the index of the face in it (collections hold several)."""

CSS_WIDE = frozenset({"inherit", "initial", "unset", "revert", "revert-layer"})
"""Values that name no font: the parent's stack applies."""
SHOWN = 5
"""Characters named in one message; the rest are counted."""


def font_stacks(assets: Path) -> tuple[Stack, ...]:
    """Every distinct font-family list of the style sheets in `assets` (from `font-family`
    and the `font` shorthand), in the order first written."""
    stacks: dict[Stack, None] = {}
    for sheet in sorted(assets.glob("*.css")):
        rules = tinycss2.parse_stylesheet(sheet.read_text(encoding="utf-8"),
                                          skip_comments=True, skip_whitespace=True)
        for declaration in _declarations(rules):
            stack = _families(declaration.value)
            if declaration.lower_name in ("font", "font-family") and stack \
                    and stack[0] not in CSS_WIDE:
                stacks[stack] = None
    return tuple(stacks)


def _declarations(nodes: list[Any]) -> Iterator[Any]:
    """Declarations at any depth: in rules, @page and its margin boxes, @media."""
    for node in nodes:
        if node.type == "declaration":
            yield node
        elif node.type in ("qualified-rule", "at-rule") and node.content is not None:
            yield from _declarations(tinycss2.parse_blocks_contents(
                node.content, skip_comments=True, skip_whitespace=True))


def _families(tokens: list[Any]) -> Stack:
    """The family names of a `font-family` value, or of a `font` shorthand (where the family
    list comes last: each comma-separated part ends with one name)."""
    parts: list[list[Any]] = [[]]
    for token in tokens:
        if token.type == "literal" and token.value == ",":
            parts.append([])
        elif token.type != "whitespace":
            parts[-1].append(token)
    names = []
    for part in parts:
        if part and part[-1].type == "string":
            names.append(part[-1].value)
            continue
        words: list[str] = []
        for token in reversed(part):
            if token.type != "ident":
                break
            words.insert(0, token.value)
        names.append(" ".join(words))
    return tuple(name for name in names if name)


@dataclass(frozen=True)
class Installed:
    """The installed fonts, as fontconfig (so WeasyPrint) finds them."""

    families: Mapping[str, Face]
    """Each family (case-folded) and its regular face."""
    emoji: tuple[Face, ...]
    """The colour emoji faces (fontconfig's language und-zsye), which Pango takes for emoji
    by itself. They are named in no font stack: an emoji font in a CSS font-family list draws
    the digits too (WeasyPrint issue 2291)."""


@cache
def _installed() -> Installed:
    """The installed fonts, from one `fc-list`."""
    try:
        listed = subprocess.run(
            ["fc-list", "--format", r"%{family}\t%{style}\t%{lang}\t%{file}\t%{index}\n"],
            capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise ConfigurationError(f"cannot list the installed fonts (fc-list: {exc})",
                                 "run scripts/setup.sh; it installs fontconfig and the "
                                 "fonts") from None
    faces: dict[str, tuple[bool, Face]] = {}
    emoji: list[Face] = []
    # Sorted, fc-list's order is not stable; a family's plain face ("DejaVu Serif" alone,
    # "Book") sorts before the faces it shares with others ("DejaVu Serif,… Condensed").
    for line in sorted(listed.splitlines()):
        families, styles, langs, file, index = line.split("\t")
        face = (file, int(index))
        regular = bool({"regular", "book"} & {s.strip().lower() for s in styles.split(",")})
        for family in families.split(","):
            key = family.strip().casefold()
            if key not in faces or (regular and not faces[key][0]):
                faces[key] = (regular, face)
        if "und-zsye" in langs.split("|"):
            emoji.append(face)
    return Installed(MappingProxyType({key: face for key, (_, face) in faces.items()}),
                     tuple(emoji))


@cache
def _faces(stack: Stack) -> tuple[Face, ...]:
    """The installed faces of a stack's families, in its order, then the emoji faces.
    Generic families (serif, sans-serif, …) name whatever a machine prefers and are not
    counted."""
    installed = _installed()
    named = [installed.families[name.casefold()] for name in stack
             if name.casefold() in installed.families]
    return (*named, *installed.emoji)


@cache
def _codepoints(face: Face) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # here: every command loads a project, few read fonts

    file, index = face
    with TTFont(file, fontNumber=index, lazy=True) as font:
        # Numbered glyph names: the real ones are not needed, and decoding them took half the
        # time.
        font.setGlyphOrder([f"g{gid}" for gid in range(font["maxp"].numGlyphs)])
        return frozenset(font.getBestCmap())


@cache
def drawable(stacks: tuple[Stack, ...], char: str) -> bool:
    """A font of every stack has the character: a field may be printed in any of them. The
    large fonts (CJK) are only read when the ones before them lack the character."""
    return all(any(ord(char) in _codepoints(face) for face in _faces(stack))
               for stack in stacks)


def _invisible(char: str) -> bool:
    """Spaces, line breaks, format characters (joiners, direction marks) and variation
    selectors: shaped, never drawn as glyphs of their own."""
    return char.isspace() or unicodedata.category(char) == "Cf" or \
        0xFE00 <= ord(char) <= 0xFE0F or 0xE0100 <= ord(char) <= 0xE01EF


def undrawable(text: str, stacks: tuple[Stack, ...]) -> list[str]:
    """The distinct characters of `text` (composed, as shaping composes them) that some
    stack cannot draw, in order of appearance."""
    return [char for char in dict.fromkeys(unicodedata.normalize("NFC", text))
            if not _invisible(char) and not drawable(stacks, char)]


def _texts(value: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
    """Every text of a model with its field path (paths of files are not printed)."""
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _texts(getattr(value, name), (*loc, name))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _texts(item, (*loc, index))


def _code(char: str) -> str:
    """U+738B CJK UNIFIED IDEOGRAPH-738B; private-use characters have no name."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}" if name else f"U+{ord(char):04X}"


def undrawable_text(case: BaseModel, stacks: tuple[Stack, ...], where: Source | str
                    ) -> list[Problem]:
    """One problem per field of the case holding characters the documents cannot print;
    `where` is the case file (with lines) or, for a case from the record, its number."""
    problems = []
    for loc, text in _texts(case, ()):
        if chars := undrawable(text, stacks):
            named = ", ".join(f"'{c}' ({_code(c)})" for c in chars[:SHOWN])
            more = f" and {len(chars) - SHOWN} more" if len(chars) > SHOWN else ""
            message = f"cannot be printed: no font of the documents has {named}{more}"
            hint = ("write it without these characters (a name as its owner spells it in "
                    "Latin letters, a description in words); on a machine without the Noto "
                    "fonts, scripts/setup.sh installs them")
            problems.append(where.problem(loc, message, hint) if isinstance(where, Source)
                            else Problem(where, None, format_loc(loc), message, hint))
    return problems
