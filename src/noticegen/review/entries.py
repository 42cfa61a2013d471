"""Every template the division serves from: the registry's documents and the mail templates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import NotFound
from ..mail.chunks import MAIL_TEMPLATE_VERSIONS
from ..render.registry import DocumentType, Registry, TemplateEntry, load_registry
from ..source import suggest


@dataclass(frozen=True)
class ReviewEntry:
    """One template as the city attorney reviews it: what it is, who reads it, its files."""

    id: str
    doc_type: str
    """The registry's document type, or 'mail' for the batch's own papers."""
    title: str
    version: int
    variant: str
    audience: str
    language: str
    delivery: str
    directive: str | None
    file: str
    """The HTML template, relative to templates/."""
    docx: str | None
    """The Word template, relative to templates/docx/, when the type has one."""
    base: str
    """The folder (relative to templates/) the HTML's links are resolved against."""

    @property
    def label(self) -> str:
        return f"{self.id} v{self.version}"

    @property
    def files(self) -> tuple[str, ...]:
        """The files named in the registry (templates/…), for messages."""
        return (f"templates/{self.file}",) + ((f"templates/docx/{self.docx}",)
                                               if self.docx else ())

    def metadata(self) -> dict[str, object]:
        """Registry facts that change the printed document: part of the content hash."""
        return {"id": self.id, "type": self.doc_type, "title": self.title,
                "directive": self.directive, "variant": self.variant,
                "audience": self.audience, "delivery": self.delivery,
                "language": self.language, "file": self.file, "docx": self.docx}


MAIL_TEMPLATES = (
    ReviewEntry("mail-cover", "mail", "Certified mail cover page",
                MAIL_TEMPLATE_VERSIONS["mail-cover"], "cover",
                "responsible_party", "en", "certified_mail", None, "mail/cover.html",
                None, "mail"),
    ReviewEntry("firm-mailing-book", "mail", "Firm mailing book (PS Form 3877)",
                MAIL_TEMPLATE_VERSIONS["firm-mailing-book"], "firm-book",
                "post_office", "en", "certified_mail", None, "mail/firm_book.html", None,
                "mail"),
    ReviewEntry("affidavit-of-mailing", "mail", "Affidavit of mailing",
                MAIL_TEMPLATE_VERSIONS["affidavit-of-mailing"], "affidavit",
                "case_file", "en", "certified_mail", None, "mail/affidavit.html", None,
                "mail"),
)
"""The certified-mail batch's own templates (mail/batch.py names them with these ids and
versions in batch.json; their versions are mail.chunks.MAIL_TEMPLATE_VERSIONS)."""


def of_registry(doc_type: str, kind: DocumentType, entry: TemplateEntry) -> ReviewEntry:
    return ReviewEntry(entry.id, doc_type, kind.title, entry.version, entry.variant,
                       kind.audience, entry.language, kind.delivery, kind.directive,
                       entry.file, entry.docx, "")


def review_entries(templates: Path, registry: Registry | None = None) -> list[ReviewEntry]:
    """The registry's templates in its order, then the mail templates."""
    registry = registry or load_registry(templates)
    found = [of_registry(name, kind, entry) for name, kind in registry.documents.items()
             for entry in kind.templates]
    return found + list(MAIL_TEMPLATES)


def find_entry(entries: list[ReviewEntry], template_id: str) -> ReviewEntry:
    for entry in entries:
        if entry.id == template_id:
            return entry
    ids = [e.id for e in entries]
    near = suggest(template_id, ids)
    raise NotFound(f"no template '{template_id}'",
                         f"did you mean '{near}'?" if near else
                         "see `noticegen templates list`; known: " + ", ".join(ids))
