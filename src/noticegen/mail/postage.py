"""A piece's postage and fees: First-Class Mail by weight (letter up to 3.5 oz, then large
envelope), plus the certified-mail and return-receipt fees, from the price list in settings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ..config import MailSettings, PriceStep
from ..errors import NoticegenError


@dataclass(frozen=True)
class Postage:
    """What one piece costs to mail, and the weight it was priced at."""

    pages: int
    sheets: int
    ounces: Decimal
    shape: Literal["letter", "flat"]
    postage: Decimal
    certified: Decimal
    return_receipt: Decimal

    @property
    def total(self) -> Decimal:
        return self.postage + self.certified + self.return_receipt


class TooHeavy(NoticegenError):
    """A packet heavier than First-Class Mail carries."""

    exit_code = 2

    def __init__(self, pages: int, ounces: Decimal) -> None:
        self.pages, self.ounces = pages, ounces
        super().__init__(f"a {pages}-page packet weighs about {ounces} oz: more than "
                         "First-Class Mail carries (13 oz)",
                         "mail it apart from the batch (Priority Mail), or shorten it")

    def __reduce__(self) -> tuple[object, ...]:  # from a worker process, as itself
        return (TooHeavy, (self.pages, self.ounces))


def sheets(pages: int) -> int:
    """Sheets of paper a packet takes: printed on both sides (the print file starts every
    packet on the front of a sheet)."""
    return (pages + 1) // 2


def _step(steps: list[PriceStep], ounces: Decimal) -> Decimal | None:
    return next((s.price for s in steps if ounces <= s.ounces), None)


def price(pages: int, mail: MailSettings) -> Postage:
    """The postage and fees of a packet of `pages` pages, mailed as the settings say."""
    weights, fees = mail.weights, mail.fees
    paper = sheets(pages) * weights.sheet
    if fees.return_receipt_kind == "hardcopy":
        paper += weights.return_receipt_card
    shape: Literal["letter", "flat"] = "letter"
    ounces = paper + weights.letter_envelope
    postage = _step(mail.postage.letter, ounces)
    if postage is None:
        shape, ounces = "flat", paper + weights.flat_envelope
        postage = _step(mail.postage.flat, ounces)
    if postage is None:
        raise TooHeavy(pages, ounces)
    return Postage(pages, sheets(pages), ounces, shape, postage, fees.certified,
                   fees.return_receipt)
