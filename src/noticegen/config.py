"""The agency's settings (config/agency.yaml): who we are, our calendar, officers, court, mail."""

from __future__ import annotations

import os
import re
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from pydantic import (
    Field,
    NonNegativeInt,
    StrictBool,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .errors import ConfigurationError, InputError, Problem
from .models import Address, Day, Identifier, Model, Text, invalid
from .source import duplicate_ids, read_yaml, validate

SETTINGS_FILE = "agency.yaml"
APPROVALS_FILE = "approvals.yaml"
APPROVED_TEXTS = "approved-specimens"
"""The city attorney's approvals and approved specimen texts, beside the settings."""
LOOPBACK = ("127.0.0.1", "localhost", "::1")
"""Hosts a verification address may name over plain http: this machine only."""
Money = Annotated[Decimal, Field(ge=0, max_digits=8, decimal_places=2)]


def _resolve(value: Path | None, info: ValidationInfo) -> Path | None:
    """Relative file names are relative to the file that names them."""
    base = (info.context or {}).get("base")
    if value is None or value.is_absolute() or base is None:
        return value
    return Path(base) / value


class Agency(Model):
    name: Text
    department: Text
    division: Text
    city: Text
    county: Text
    address: Address
    phone: Text
    email: Text
    website: Text
    logo: Path

    _logo = field_validator("logo")(_resolve)


class Signatory(Model):
    """Who signs for the city (VCA: the Chief of Police or designee)."""

    name: Text
    title: Text


class Officer(Model):
    id: Identifier
    name: Text
    badge: Text
    title: Text
    phone: Text
    email: Text
    signature: Path | None = None

    _signature = field_validator("signature")(_resolve)


class CourtSessions(Model):
    """When the municipal court sits, so a citation can name an appearance date."""

    weekday: Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    weeks_of_month: Annotated[list[Annotated[int, Field(ge=1, le=5)]], Field(min_length=1)]
    time: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
    minimum_notice_days: Annotated[int, Field(ge=1)]


class Court(Model):
    name: Text
    address: Address
    phone: Text
    hours: Text
    sessions: CourtSessions


class Contact(Model):
    name: Text
    title: Text
    phone: Text


class HolidayCalendar(Model):
    """Legal holidays from the `holidays` package, less the ones the city does not keep."""

    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "US"
    subdivision: Text | None = "TX"
    categories: list[Text] = ["public"]
    observed: StrictBool = False
    exclude: list[Text] = []

    @model_validator(mode="after")
    def _known_calendar(self) -> HolidayCalendar:
        try:
            holidays.country_holidays(self.country, subdiv=self.subdivision,
                                      categories=tuple(self.categories), years=2026)
        except (NotImplementedError, ValueError, KeyError) as exc:
            raise invalid(f"the holidays package has no such calendar: {exc}",
                          "e.g. country: US, subdivision: TX, categories: [public]") from None
        return self


class Closure(Model):
    date: Day
    name: Text


class CalendarSettings(Model):
    holidays: HolidayCalendar = HolidayCalendar()
    closures: list[Closure] = []
    roll_to_business_day: StrictBool = True
    mail_allowance_days: NonNegativeInt = 3


class ArticleNumbers(Model):
    """Where certified-mail article numbers come from (USPS Pub. 199 codes: config, not code)."""

    source: Literal["label_roll", "impb"]
    service_type_code: Annotated[str, Field(pattern=r"^\d{2,3}$")]
    mailer_id: Annotated[str, Field(pattern=r"^([0-8]\d{5}|9\d{8})$")] | None = None

    @model_validator(mode="after")
    def _impb_needs_mailer_id(self) -> ArticleNumbers:
        if self.source == "impb" and self.mailer_id is None:
            raise invalid("IMpb article numbers are built from the agency's Mailer ID",
                          "add mailer_id: (6 digits, or 9 digits starting with 9)")
        return self


class Fees(Model):
    """The extra services every piece pays for besides its postage."""

    certified: Money
    return_receipt: Money
    return_receipt_kind: Literal["hardcopy", "electronic"] = "hardcopy"


Ounces = Annotated[Decimal, Field(gt=0, le=13, max_digits=5, decimal_places=3)]


class PriceStep(Model):
    """The price of a piece weighing not over `ounces`."""

    ounces: Ounces
    price: Money


LETTER_LIMIT, FLAT_LIMIT = Decimal("3.5"), Decimal(13)
"""The heaviest First-Class Mail letter and large envelope (flat), in ounces."""


def _steps(steps: list[PriceStep], limit: Decimal, shape: str) -> list[PriceStep]:
    weights = [s.ounces for s in steps]
    if weights != sorted(set(weights)):
        raise invalid(f"the {shape} prices are not listed by rising weight",
                      "one line per weight step, lightest first")
    if any(b.price < a.price for a, b in pairwise(steps)):
        raise invalid(f"a heavier {shape} costs less than a lighter one",
                      "copy the prices from the USPS price list again")
    if weights[-1] != limit:
        raise invalid(f"the {shape} prices end at {weights[-1]} oz; First-Class Mail "
                      f"{shape}s go up to {limit} oz", f"list every step up to {limit} oz")
    return steps


class PostagePrices(Model):
    """First-Class Mail postage by weight, as the USPS price list in force gives it."""

    effective: Day
    source: Text
    letter: Annotated[list[PriceStep], Field(min_length=1)]
    flat: Annotated[list[PriceStep], Field(min_length=1)]

    @field_validator("letter")
    @classmethod
    def _letters(cls, steps: list[PriceStep]) -> list[PriceStep]:
        return _steps(steps, LETTER_LIMIT, "letter")

    @field_validator("flat")
    @classmethod
    def _flats(cls, steps: list[PriceStep]) -> list[PriceStep]:
        return _steps(steps, FLAT_LIMIT, "large envelope (flat)")


Weight = Annotated[Decimal, Field(gt=0, le=5, max_digits=5, decimal_places=3)]


class Weights(Model):
    """What the parts of a mail piece weigh, in ounces."""

    sheet: Weight
    letter_envelope: Weight
    flat_envelope: Weight
    return_receipt_card: Weight
    """PS Form 3811, attached to the piece when the return receipt is hardcopy."""


Inches = Annotated[float, Field(ge=0, le=11)]


class Window(Model):
    """An envelope window as it falls on the tri-folded letter page (inches from the top-left)."""

    left: Inches
    top: Inches
    width: Annotated[float, Field(gt=0.5, le=8.5)]
    height: Annotated[float, Field(gt=0.25, le=4)]


class FaceWindow(Model):
    """A window as the envelope's maker gives it: its size, and its distance from the left and
    bottom edges of the envelope's face (inches)."""

    left: Inches
    bottom: Inches
    width: Annotated[float, Field(gt=0.5, le=11)]
    height: Annotated[float, Field(gt=0.25, le=4)]


class Insert(Model):
    """Where the tri-folded letter's top-left corner rests inside the envelope (inches from
    the envelope's left and top edges)."""

    left: Inches
    top: Inches


FOLDED_PANEL = 11 / 3
"""The height of the outside panel of a tri-folded US Letter page (inches)."""


class Envelope(Model):
    """Window envelope stock, as its maker specifies it: the upper window shows the certified
    mail banner, barcode and article number, the lower one the delivery address."""

    name: Text
    source: Text
    """Where the dimensions come from (the maker's specification)."""
    width: Annotated[float, Field(gt=5, le=15)]
    height: Annotated[float, Field(gt=3.5, le=12)]
    certified_window: FaceWindow
    address_window: FaceWindow
    insert: Insert
    clearance: Annotated[float, Field(ge=0.0625, le=0.5)] = 0.125

    def on_page(self, window: FaceWindow) -> Window:
        """The window as it falls on the folded letter page resting at `insert`."""
        left, top = self._corner(window)
        return Window(left=left, top=top, width=window.width, height=window.height)

    def _corner(self, window: FaceWindow) -> tuple[float, float]:
        return (round(window.left - self.insert.left, 4),
                round(self.height - window.bottom - window.height - self.insert.top, 4))

    @model_validator(mode="after")
    def _windows_on_the_panel(self) -> Envelope:
        for name in ("certified_window", "address_window"):
            face = getattr(self, name)
            if face.left + face.width > self.width or face.bottom + face.height > self.height:
                raise invalid(f"{name} runs off the envelope's face",
                              "copy the window's size and position from the maker's spec")
            left, top = self._corner(face)
            if left < 0 or top < 0 or left + face.width > 8.5 \
                    or top + face.height > FOLDED_PANEL:
                raise invalid(f"{name} does not fall on the folded letter's outside panel "
                              f"(8.5 x {FOLDED_PANEL:.3f} in) with the insert at "
                              f"{self.insert.left}, {self.insert.top}",
                              "check insert: against how the letter sits in the envelope")
        return self


class MailSettings(Model):
    return_address: Address
    return_name: Text
    article_numbers: ArticleNumbers
    fees: Fees
    postage: PostagePrices
    weights: Weights
    envelope: Envelope
    book_lines_per_page: Annotated[int, Field(ge=3, le=30)]
    postmaster_approval: Text
    post_office_closures: list[Closure] = []
    """Days the post office is closed besides Sundays and federal holidays."""
    max_days_ahead: Annotated[int, Field(ge=0, le=60)] = 14
    """How far ahead of today a batch may be dated."""


HearingNotice = Literal["certified_mail", "posting", "publication"]


class HearingSettings(Model):
    """Public hearings on dangerous buildings (Tom Bean Code §14-40(b), Local Government Code
    §214.001, notice given as §54.035 says): who holds them, where, and how and how early the
    owner, lienholders and mortgagees are told."""

    body: Text
    """Who holds the hearing and may order the building secured, repaired or demolished."""
    place: Text
    address: Address
    notice_days: Annotated[int, Field(ge=10, le=90)]
    """Days from the notice to the hearing; §54.035: on or before the 10th day before."""
    notice_by: Annotated[list[HearingNotice], Field(min_length=1)]
    newspaper: Text
    """The newspaper of general circulation the notice and the order are published in."""

    @model_validator(mode="after")
    def _mailed(self) -> HearingSettings:
        if "certified_mail" not in self.notice_by:
            raise invalid("the owner, lienholders and mortgagees of record are sent the notice "
                          "by certified mail (Local Government Code §54.035)",
                          "add certified_mail to notice_by")
        return self


class Enforcement(Model):
    """Agency limits on the enforcement ladder."""

    vca_max_extension_days: Annotated[int, Field(gt=0)]


class Verification(Model):
    """Where the QR code on each document leads; the HMAC key never lives in the repo."""

    base_url: Text
    key_env: Text = "NOTICEGEN_HMAC_KEY"
    key_file: Path | None = None

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        """https, except on this machine itself (the service run by `noticegen serve` on
        127.0.0.1): a QR code on paper must never lead over plain http to another host."""
        parts = urlsplit(value)
        loopback = parts.scheme == "http" and parts.hostname in LOOPBACK
        try:
            parts.port  # noqa: B018 (raises on a port that is not a number)
        except ValueError:
            loopback = False
        if re.search(r"\s", value) or not parts.hostname or parts.query or parts.fragment \
                or not (parts.scheme == "https" or loopback):
            raise invalid(f"'{value}' is not a verification address",
                          "an https:// address without spaces, query or fragment, e.g. "
                          "https://verify.example.gov/verify; plain http only on this machine "
                          "(http://127.0.0.1:8000/verify)")
        return value

    def key(self) -> bytes:
        """The signing key, from the environment or a file outside git."""
        value = os.environ.get(self.key_env)
        if value:
            return value.encode()
        if self.key_file and self.key_file.expanduser().is_file():
            return self.key_file.expanduser().read_bytes().strip()
        raise ConfigurationError(
            "no document-verification key is configured",
            f"set the environment variable {self.key_env} or create the file "
            f"{self.key_file or '(verification.key_file)'}; never commit it")


class PrintSettings(Model):
    """Paper the officers print on: the door hanger stock differs between cities."""

    door_hanger_width_in: Annotated[float, Field(gt=2, le=8.5)]
    door_hanger_height_in: Annotated[float, Field(gt=5, le=14)]


class Settings(Model):
    state_dir: Path
    case_prefix: Annotated[str, Field(pattern=r"^[A-Z]{2,4}$")] = "CE"
    """The case numbers the service gives a new case or complaint (directive VI.A):
    PREFIX-YEAR-NNNN, counting on from the highest of that year on record."""
    store_url: Text | None = None
    agency: Agency
    time_zone: Text
    calendar: CalendarSettings = CalendarSettings()
    officers: Annotated[list[Officer], Field(min_length=1)]
    chief: Signatory
    building_inspector: Contact
    court: Court
    mail: MailSettings
    enforcement: Enforcement
    hearing: HearingSettings | None = None
    """Needed once a case has a violation that requires a public hearing (§14-40)."""
    printing: PrintSettings
    verification: Verification

    _state_dir = field_validator("state_dir")(_resolve)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise invalid(f"'{value}' is not a known time zone",
                          "use an IANA name such as America/Chicago") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def officer(self, officer_id: str) -> Officer:
        for officer in self.officers:
            if officer.id == officer_id:
                return officer
        raise KeyError(officer_id)


def load_settings(folder: Path) -> Settings:
    """config/agency.yaml, checked, with referenced files (logo, signatures) present."""
    path = folder / SETTINGS_FILE
    if not path.is_file():
        raise InputError([Problem(str(path), None, "", "settings file is missing",
                                  "copy config/agency.yaml from the noticegen repository")])
    source = read_yaml(path)
    settings, problems = validate(Settings, source, context={"base": folder})
    if settings is not None:
        problems += duplicate_ids(source, "officers", settings.officers, "officer")
        files = [(("agency", "logo"), settings.agency.logo)]
        files += [(("officers", i, "signature"), o.signature)
                  for i, o in enumerate(settings.officers) if o.signature]
        for loc, file in files:
            if not file.is_file():
                problems.append(source.problem(loc, f"file '{file}' does not exist",
                                               "paths are relative to the config folder"))
    if problems:
        raise InputError(problems)
    assert settings is not None
    return settings
