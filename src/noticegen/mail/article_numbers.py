"""Certified-mail article numbers: MOD 10 check digits, IMpb and label-roll numbers (the record
allocates them: noticegen.record.numbers)."""

from __future__ import annotations

import re

from ..errors import NoticegenError

LENGTHS = (20, 22)  # PS 3800 legacy labels; IMpb and current 9589… labels
_DIGITS = re.compile(r"[0-9]+")


class ArticleNumberError(NoticegenError):
    """A problem the clerk must fix (a mistyped roll, an empty roll, the IMpb settings)."""

    exit_code = 2


def _digits(number: str) -> str:
    """Numbers are read off labels in groups of four; spaces carry no meaning."""
    return number.replace(" ", "")


def check_digit(digits: str) -> int:
    """USPS MOD 10, weights 3 and 1 from the right, so every length uses the same rule."""
    if not _DIGITS.fullmatch(digits):
        raise ValueError(f"expected ASCII digits, got {digits!r}")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def is_valid(number: str) -> bool:
    """A 20- or 22-digit article number whose last digit checks; spaces are ignored."""
    digits = _digits(number)
    if len(digits) not in LENGTHS or not _DIGITS.fullmatch(digits):
        return False
    return check_digit(digits[:-1]) == int(digits[-1])


def printed(number: str) -> str:
    """Groups of four, as USPS prints the line under the barcode and clerks read it back."""
    digits = _digits(number)
    if not _DIGITS.fullmatch(digits):
        raise ValueError(f"expected an article number of digits, got {number!r}")
    return " ".join(digits[i:i + 4] for i in range(0, len(digits), 4))


def impb_number(service_type_code: str, mailer_id: str, serial: int) -> str:
    """A 22-digit IMpb tracking number; the channel follows from the Mailer ID's length."""
    if not re.fullmatch(r"[0-9]{3}", service_type_code):
        raise ArticleNumberError(
            f"service type code '{service_type_code}' cannot go into an IMpb tracking number",
            "IMpb numbers carry a 3-digit service type code (USPS Publication 199, appendix); "
            "set mail.article_numbers.service_type_code to it in config/agency.yaml")
    if re.fullmatch(r"9[0-9]{8}", mailer_id):
        channel, width = "92", 7
    elif re.fullmatch(r"[0-8][0-9]{5}", mailer_id):
        channel, width = "93", 10
    else:
        raise ArticleNumberError(
            f"Mailer ID '{mailer_id}' is neither 9 digits starting with 9 nor 6 digits "
            "starting with 0-8",
            "set mail.article_numbers.mailer_id in config/agency.yaml to the Mailer ID USPS "
            "assigned to the agency")
    if isinstance(serial, bool) or not 0 <= serial < 10**width:
        raise ValueError(f"serial {serial} does not fit the {width} digits that Mailer ID "
                         f"{mailer_id} leaves for it")
    body = f"{channel}{service_type_code}{mailer_id}{serial:0{width}d}"
    return body + str(check_digit(body))


def _expect_valid(number: str) -> str:
    """The digits of a valid article number, or a ValueError naming the right check digit."""
    digits = _digits(number)
    if len(digits) not in LENGTHS or not _DIGITS.fullmatch(digits):
        raise ValueError(f"'{number}' is not a 20- or 22-digit article number")
    expected = check_digit(digits[:-1])
    if expected != int(digits[-1]):
        raise ValueError(f"'{printed(digits)}' fails its check digit: the last digit should be "
                         f"{expected}, not {digits[-1]}")
    return digits


def label_number(first: str, offset: int) -> str:
    """The label `offset` places after `first` on a PS 3800 roll (the serial counts up by one)."""
    digits = _expect_valid(first)
    if isinstance(offset, bool) or offset < 0:
        raise ValueError(f"offset must be a non-negative integer, got {offset!r}")
    body = digits[:-1]
    value = int(body) + offset
    if value >= 10 ** len(body):
        raise ValueError(f"offset {offset} runs past the last {len(digits)}-digit number")
    new = f"{value:0{len(body)}d}"
    return new + str(check_digit(new))
