"""The record: one database (cases, events, documents, mail pieces, approvals, people) and a
content-addressed blob store for the files it names."""

from ..blobs import BlobError, BlobStore
from .db import Record, RecordError, head

__all__ = ["BlobError", "BlobStore", "Record", "RecordError", "head"]
