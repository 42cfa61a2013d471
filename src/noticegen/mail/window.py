"""What shows through the envelope's windows: the cover's certified-mail marks and delivery
address, set in the largest type that keeps every mark inside its window with the clearance —
or refused, naming the line that does not fit."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..config import Envelope, FaceWindow
from ..errors import ConfigurationError, NoticegenError

TYPE = ((10.0, 1.15), (9.0, 1.15), (9.0, 1.0), (8.5, 1.0))
"""Address type size (pt) and leading, tried largest first. 8.5 pt Liberation Sans keeps
capitals 0.08 in high, the least USPS address-reading equipment reads."""
PX = 96
"""CSS pixels per inch: the unit of WeasyPrint's laid-out boxes."""


@dataclass(frozen=True)
class Room:
    """Where marks may print: a window less the clearance (inches from the page's top-left)."""

    left: float
    top: float
    width: float
    height: float

    @classmethod
    def of(cls, envelope: Envelope, window: FaceWindow) -> Room:
        page, gap = envelope.on_page(window), envelope.clearance
        return cls(round(page.left + gap, 4), round(page.top + gap, 4),
                   round(page.width - 2 * gap, 4), round(page.height - 2 * gap, 4))

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height


@dataclass(frozen=True)
class Fit:
    """The address's type size and leading (pt)."""

    size: float
    leading: float


def fits(lines: int, room: Room) -> Iterator[Fit]:
    """The type settings worth laying out for `lines` address lines: those whose lines can
    stack inside the window at all, largest first."""
    for size, leading in TYPE:
        if lines * size * leading <= room.height * 72:
            yield Fit(size, round(size * leading, 2))


@dataclass(frozen=True)
class Mark:
    """One printed line of a window block, as laid out (inches)."""

    text: str
    left: float
    top: float
    right: float
    bottom: float


def marks(page: Any, block: str) -> list[Mark]:
    """Each line (class `line`) of the block with class `block` on a laid-out WeasyPrint page:
    the extent of its text as PDF readers measure it (ascent to descent) and its images.
    (WeasyPrint has no public API for laid-out boxes; `_page_box` is what its own tests read.)"""
    found: list[Mark] = []

    def drawn(box: Any) -> Iterator[Any]:
        for child in getattr(box, "children", ()):
            if type(child).__name__ in ("TextBox", "InlineReplacedBox", "BlockReplacedBox"):
                yield child
            yield from drawn(child)

    def walk(box: Any, inside: bool) -> None:
        classes = (box.element.get("class") or "").split() \
            if getattr(box, "element", None) is not None and box.element_tag != "html" else []
        inside = inside or block in classes
        if inside and "line" in classes and type(box).__name__ != "LineBox":
            parts = list(drawn(box))
            if parts:
                found.append(Mark(
                    " ".join(getattr(p, "text", "") for p in parts).strip() or "(image)",
                    min(p.position_x for p in parts) / PX,
                    min(p.position_y for p in parts) / PX,
                    max(p.position_x + p.width for p in parts) / PX,
                    max(p.position_y + p.height for p in parts) / PX))
            return
        for child in getattr(box, "children", ()):
            walk(child, inside)

    walk(page._page_box, False)
    return found


def overflow(lines: list[Mark], room: Room) -> str | None:
    """How the first line that crosses the room's edges crosses them, in words; None if all
    are inside."""
    slack = 0.001  # rounding of laid-out positions
    for mark in lines:
        past = [(f"{edge} edge", round(by, 2)) for edge, by in (
            ("right", mark.right - room.right), ("bottom", mark.bottom - room.bottom),
            ("top", room.top - mark.top), ("left", room.left - mark.left)) if by > slack]
        if past:
            edges = " and ".join(f"{by} in past its {edge}" for edge, by in past)
            return f"“{mark.text}” runs {edges}"
    return None


class AddressDoesNotFit(NoticegenError):
    """A mailing address too long or too tall for the envelope's address window."""

    exit_code = 2

    def __init__(self, case_number: str, party_id: str, name: str, why: str,
                 room: Room) -> None:
        self.args_ = (case_number, party_id, name, why, room)
        super().__init__(
            f"case {case_number}: the mailing address of {party_id} ({name}) does not fit the "
            f"envelope's address window even in {TYPE[-1][0]:g} pt type: {why}",
            f"shorten it in the case file's responsible_parties → {party_id} → "
            "mailing_address (USPS Publication 28 abbreviations: STREET → ST, SUITE → STE, "
            f"ATTENTION → ATTN) or use fewer lines: the window holds {room.width:g} × "
            f"{room.height:g} in of text")

    def __reduce__(self) -> tuple[object, ...]:  # from a worker process, as itself
        return (AddressDoesNotFit, self.args_)


def certified_marks_refused(why: str, room: Room) -> ConfigurationError:
    return ConfigurationError(
        f"the envelope's certified-mail window ({room.width:g} × {room.height:g} in inside "
        f"the clearance) cannot show the certified-mail banner, barcode and article number: "
        f"{why}", "check mail.envelope.certified_window in config/agency.yaml against the "
                  "envelope stock")
