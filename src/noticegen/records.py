"""The record of every document written: SHA-256, template id and version, who and when."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from .render import RenderedDocument

LEDGER = "documents.jsonl"


def record_of(doc: RenderedDocument, path: Path) -> dict[str, object]:
    return {"document_id": doc.document_id, "type": doc.doc_type, "case": doc.case_number,
            "recipient": doc.recipient_id, "role": doc.recipient_role,
            "template_id": doc.template_id, "template_version": doc.template_version,
            "issued": doc.issued.isoformat(), "delivery": doc.delivery, "format": doc.format,
            "sha256": doc.sha256, "bytes": len(doc.content), "file": path.name,
            "deadline": doc.deadline}


def write_atomically(path: Path, content: bytes) -> None:
    """Write to a temporary name beside the target and rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def append_records(ledger_dir: Path, records: list[dict[str, object]]) -> None:
    """Append records to the ledger (one JSON object per line), flushed to disk."""
    ledger_dir.mkdir(parents=True, exist_ok=True)
    with open(ledger_dir / LEDGER, "a", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def save_document(doc: RenderedDocument, path: Path, ledger_dir: Path) -> dict[str, object]:
    """Write the file, then record it."""
    write_atomically(path, doc.content)
    record = record_of(doc, path)
    append_records(ledger_dir, [record])
    return record
