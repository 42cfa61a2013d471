"""Content-addressed files: every PDF, DOCX, photo and batch paper kept under its SHA-256 and
checked against it whenever it is read."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .errors import NoticegenError, display_path
from .files import sha256_bytes, sha256_file, write_atomically


class BlobError(NoticegenError):
    """A file of the record is missing or no longer matches its SHA-256."""

    exit_code = 4


class BlobStore:
    """A folder of files named by their SHA-256 (`ab/cd/abcd…`), written once, read-only.

    The folder may be shared by several machines (a network mount): a blob is written to a
    temporary name and renamed, so a reader never sees part of one."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, data: bytes) -> str:
        sha = sha256_bytes(data)
        target = self.path(sha)
        if not (target.is_file() and target.stat().st_size == len(data)
                and sha256_file(target) == sha):
            write_atomically(target, data, mode=0o444)
        return sha

    def put_file(self, source: Path) -> str:
        """Take a finished file (e.g. a print file streamed to disk) into the store."""
        sha = sha256_file(source)
        target = self.path(sha)
        if target.is_file() and sha256_file(target) == sha:
            source.unlink()
            return sha
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(source, 0o444)
        os.replace(source, target)
        return sha

    def scratch(self) -> Path:
        """A temporary file beside the blobs, to stream a large file into before `put_file`."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.root, prefix=".scratch-", suffix=".part")
        os.close(fd)
        return Path(name)

    def read(self, sha256: str) -> bytes:
        path = self.path(sha256)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise BlobError(f"the record's file {sha256[:16]}… is missing from the blob store "
                            f"({display_path(path)})",
                            "restore the blob store from backup; `noticegen db check` lists "
                            "every missing or damaged file") from None
        if sha256_bytes(data) != sha256:
            raise BlobError(f"the record's file {display_path(path)} does not match its SHA-256 "
                            "(damaged or replaced); it is not used",
                            "restore it from backup; `noticegen db check` lists every missing "
                            "or damaged file")
        return data

    def check(self, sha256: str) -> str | None:
        """None if the blob is present and matches its hash, else what is wrong."""
        path = self.path(sha256)
        if not path.is_file():
            return "missing"
        return None if sha256_file(path) == sha256 else "does not match its SHA-256"

    def copy_to(self, sha256: str, target: Path) -> None:
        """A readable copy for people (0644), checked against the hash on the way out."""
        path = self.path(sha256)
        if self.check(sha256) is not None:
            self.read(sha256)  # raises the precise error
        if target.is_file() and sha256_file(target) == sha256:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        os.close(fd)
        try:
            shutil.copyfile(path, tmp)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def any(self) -> bool:
        """Whether the store holds any blob at all (a lost database is then noticed)."""
        return self.root.is_dir() and any(
            p.is_file() and not p.name.startswith(".") for p in self.root.glob("??/??/*"))
