"""The firm mailing book (PS Form 3877 facsimile): numbered lines, fees, page and batch totals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .postage import Postage


@dataclass(frozen=True)
class BookLine:
    line: int
    article: str
    name: str
    address: str
    cost: Postage


@dataclass(frozen=True)
class Totals:
    postage: Decimal
    certified: Decimal
    return_receipt: Decimal
    total: Decimal
    pieces: int

    @classmethod
    def of(cls, lines: list[BookLine]) -> Totals:
        costs = [x.cost for x in lines]
        return cls(sum((c.postage for c in costs), Decimal(0)),
                   sum((c.certified for c in costs), Decimal(0)),
                   sum((c.return_receipt for c in costs), Decimal(0)),
                   sum((c.total for c in costs), Decimal(0)), len(lines))


@dataclass(frozen=True)
class BookPage:
    number: int
    lines: tuple[BookLine, ...]
    unused: int
    totals: Totals


def book_pages(lines: list[BookLine], per_page: int) -> list[BookPage]:
    """Pages of the book; unused lines on the last page are counted so they can be struck."""
    pages = []
    for start in range(0, len(lines), per_page):
        chunk = lines[start:start + per_page]
        pages.append(BookPage(len(pages) + 1, tuple(chunk), per_page - len(chunk),
                              Totals.of(chunk)))
    return pages
