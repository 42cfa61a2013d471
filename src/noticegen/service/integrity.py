"""`noticegen db check`: the record adds up — every file it names is in the blob store and
matches its SHA-256, every article number is valid and on one piece only."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..files import sha256_file
from ..mail.article_numbers import is_valid, printed
from ..record.tables import blobs, case_revisions, documents, events, mail_pieces
from .app import App


@dataclass
class Findings:
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    """The record does not add up: restore from backup."""
    notes: list[str] = field(default_factory=list)
    """Readable copies under out/ that are missing or differ (made again from the blobs)."""


def check(app: App) -> Findings:
    app.ready()
    found = Findings()
    with app.record.read() as c:
        for name, table in (("case revisions", case_revisions), ("documents", documents),
                            ("mail pieces", mail_pieces), ("events", events),
                            ("files", blobs)):
            found.counts[name] = int(c.execute(select(func.count()).select_from(table))
                                     .scalar() or 0)
        for sha, media in c.execute(select(blobs.c.sha256, blobs.c.media_type)):
            if (wrong := app.blobs.check(sha)) is not None:
                found.problems.append(f"{media} {sha[:16]}… ({app.blobs.path(sha)}): {wrong}")
        for doc_id, sha, file in c.execute(select(documents.c.id, documents.c.sha256,
                                                  documents.c.file)):
            if (wrong := app.blobs.check(sha)) is not None:
                found.problems.append(f"document {doc_id}: its file {sha[:16]}… is {wrong}")
            copy = app.root / file
            if not copy.is_file():
                found.notes.append(f"document {doc_id}: no readable copy at {file}")
            elif sha256_file(copy) != sha:
                found.notes.append(f"document {doc_id}: the copy at {file} differs from the "
                                   "record (the record's file is the blob)")
        numbers = c.execute(select(mail_pieces.c.article_number, mail_pieces.c.document_id,
                                   mail_pieces.c.packet_sha256)).all()
        for article, doc_id, packet in numbers:
            if not is_valid(article):
                found.problems.append(f"piece {printed(article)} ({doc_id}): the article "
                                      "number fails its check digit")
            if (wrong := app.blobs.check(packet)) is not None:
                found.problems.append(f"piece {printed(article)}: its packet is {wrong}")
        if len({a for a, _, _ in numbers}) != len(numbers):
            found.problems.append("an article number is on more than one piece")
    return found
