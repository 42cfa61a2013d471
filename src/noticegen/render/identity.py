"""Document identity: a stable id, a signed verification link and its QR code."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

import qrcode

TYPE_CODES = {"warning": "WN", "nov": "NOV", "vca": "VCA", "citation": "CIT",
              "stop-work": "SWO", "closure": "NR", "field-report": "FIR",
              "hearing-notice": "NPH", "hearing-order": "ORD"}


def facts_digest(facts: dict[str, Any]) -> str:
    """The SHA-256 of what a document is made from, in one canonical form."""
    return hashlib.sha256(json.dumps(facts, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":"), default=str).encode()).hexdigest()


def document_id(case_number: str, doc_type: str, recipient: str, issued: datetime,
                template_id: str, version: int, facts: str) -> str:
    """Readable, and derived from what the document records: the same request on the same
    facts (`facts_digest`) gives the same id, so issuing it again is a no-op; other facts give
    another id, so one id never names two contents."""
    seed = "|".join([case_number, doc_type, recipient, issued.isoformat(), template_id,
                     str(version), facts])
    digest = base64.b32encode(hashlib.sha256(seed.encode()).digest()).decode()[:8]
    return f"{case_number}-{TYPE_CODES.get(doc_type, doc_type.upper())}-{digest}"


def signature(key: bytes, doc_id: str) -> str:
    return hmac.new(key, doc_id.encode(), hashlib.sha256).hexdigest()[:32]


def verify_signature(key: bytes, doc_id: str, sig: str) -> bool:
    return hmac.compare_digest(signature(key, doc_id).encode(), sig.encode())


def verification_url(base_url: str, key: bytes, doc_id: str) -> str:
    return f"{base_url.rstrip('/')}/{doc_id}?sig={signature(key, doc_id)}"


def qr_data_uri(url: str) -> str:
    """An SVG QR code embedded in the page, so nothing is fetched at render time. One path
    rectangle per horizontal run of dark modules (not one per module): the same picture with
    a third of the path, which WeasyPrint parses and draws for every document."""
    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start},{y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    svg = (f"<?xml version='1.0' encoding='UTF-8'?>\n<svg width=\"{size}mm\" "
           f"height=\"{size}mm\" version=\"1.1\" viewBox=\"0 0 {size} {size}\" "
           f"xmlns=\"http://www.w3.org/2000/svg\"><path d=\"{''.join(runs)}\" "
           f"id=\"qr-path\" fill=\"#000000\" fill-opacity=\"1\" fill-rule=\"nonzero\" "
           f"stroke=\"none\"/></svg>")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
