"""Document identity: a stable id, a signed verification link and its QR code."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
from datetime import datetime

import qrcode
import qrcode.image.svg

TYPE_CODES = {"warning": "WN", "nov": "NOV", "vca": "VCA", "citation": "CIT",
              "stop-work": "SWO", "closure": "NR", "field-report": "FIR"}


def document_id(case_number: str, doc_type: str, recipient: str, issued: datetime,
                template_id: str, version: int) -> str:
    """Readable and reproducible: the same inputs always give the same id."""
    seed = "|".join([case_number, doc_type, recipient, issued.isoformat(), template_id,
                     str(version)])
    digest = base64.b32encode(hashlib.sha256(seed.encode()).digest()).decode()[:8]
    return f"{case_number}-{TYPE_CODES.get(doc_type, doc_type.upper())}-{digest}"


def signature(key: bytes, doc_id: str) -> str:
    return hmac.new(key, doc_id.encode(), hashlib.sha256).hexdigest()[:32]


def verify_signature(key: bytes, doc_id: str, sig: str) -> bool:
    return hmac.compare_digest(signature(key, doc_id), sig)


def verification_url(base_url: str, key: bytes, doc_id: str) -> str:
    return f"{base_url.rstrip('/')}/{doc_id}?sig={signature(key, doc_id)}"


def qr_data_uri(url: str) -> str:
    """An SVG QR code embedded in the page, so nothing is fetched at render time."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10,
                        border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
