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
    postage: Decimal
    certified: Decimal
    return_receipt: Decimal

    @property
    def total(self) -> Decimal:
        return self.postage + self.certified + self.return_receipt


@dataclass(frozen=True)
class Totals:
    postage: Decimal
    certified: Decimal
    return_receipt: Decimal
    total: Decimal
    pieces: int

    @classmethod
    def of(cls, lines: list[BookLine]) -> Totals:
        return cls(sum((x.postage for x in lines), Decimal(0)),
                   sum((x.certified for x in lines), Decimal(0)),
                   sum((x.return_receipt for x in lines), Decimal(0)),
                   sum((x.total for x in lines), Decimal(0)), len(lines))


@dataclass(frozen=True)
class BookPage:
    number: int
    lines: tuple[BookLine, ...]
    unused: int
    totals: Totals


def book_line(line: int, article: str, name: str, address: str, cost: Postage) -> BookLine:
    return BookLine(line, article, name, address, cost.postage, cost.certified,
                    cost.return_receipt)


def book_pages(lines: list[BookLine], per_page: int) -> list[BookPage]:
    """Pages of the book; unused lines on the last page are counted so they can be struck."""
    pages = []
    for start in range(0, len(lines), per_page):
        chunk = lines[start:start + per_page]
        pages.append(BookPage(len(pages) + 1, tuple(chunk), per_page - len(chunk),
                              Totals.of(chunk)))
    return pages
