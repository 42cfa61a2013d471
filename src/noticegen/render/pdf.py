"""HTML templates to PDF: strict sandboxed Jinja2, and a WeasyPrint that fetches only our files."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import traceback
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse, fetch

from ..errors import NoticegenError
from ..words import plural


class TemplateError(NoticegenError):
    """A template asked for something the document's context does not have, or is broken."""

    exit_code = 2


class RenderError(NoticegenError):
    """WeasyPrint could not lay the document out cleanly; a notice never ships half-right."""


def environment(templates: Path) -> jinja2.Environment:
    """Undefined variables are errors, everything is escaped, templates cannot reach Python."""
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(templates), undefined=jinja2.StrictUndefined,
        autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
    env.filters["paragraphs"] = paragraphs
    env.filters["plural"] = plural
    return env


def paragraphs(text: str) -> list[str]:
    """Blank lines separate paragraphs; single line breaks inside one are just spaces."""
    return [" ".join(part.split()) for part in re.split(r"\n\s*\n", text) if part.strip()]


def _template_line(exc: BaseException, templates: Path) -> tuple[str, int | None]:
    """The innermost template frame of a Jinja error: (file name, line)."""
    name, line = "?", None
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        if path.suffix in (".html", ".css", ".xml") and templates in path.parents:
            name, line = str(path.relative_to(templates)), frame.lineno
    return name, line


def render_html(env: jinja2.Environment, template: str, context: Mapping[str, Any]) -> str:
    templates = Path(env.loader.searchpath[0])  # type: ignore[union-attr]
    try:
        return env.get_template(template).render(**context)
    except jinja2.UndefinedError as exc:
        name, line = _template_line(exc, templates)
        raise TemplateError(f"template {name}, line {line}: {exc.message}",
                            "the document's context has no such fact; fix the template or "
                            "add the fact to the case file (see docs/templates.md)") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template {exc.name}, line {exc.lineno}: {exc.message}",
                            "fix the template syntax") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template {exc.name} not found", "check templates/") from None


PHOTO_SCHEME = "photo:"
_PHOTO_NAME = re.compile(r"^[0-9a-f]{64}-\d+\.jpg$")


class LocalFetcher(URLFetcher):
    """Serves data: URLs, files under the allowed folders and `photo:` names from the photo
    cache (so a document's bytes do not depend on where the cache lives); refuses the rest."""

    def __init__(self, allowed: list[Path], photos: Path | None = None) -> None:
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)
        self.allowed = [p.resolve() for p in allowed]
        self.photos = photos

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url.startswith(PHOTO_SCHEME):
            name = url.removeprefix(PHOTO_SCHEME)
            if self.photos is None or not _PHOTO_NAME.match(name):
                raise PermissionError(f"{url} is not a prepared photo")
            return URLFetcherResponse(url, (self.photos / name).read_bytes(),
                                      {"Content-Type": "image/jpeg"})
        if url.startswith("file:"):
            from urllib.parse import unquote, urlsplit

            path = Path(unquote(urlsplit(url).path)).resolve()
            if not any(path == root or root in path.parents for root in self.allowed):
                raise PermissionError(f"{path} is outside the template assets and photo cache")
        elif not url.startswith("data:"):
            raise PermissionError(f"{url}: documents never load anything from the network")
        return super().fetch(url, headers)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _weasyprint_warnings_fail() -> Iterator[_Collect]:
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def write_pdf(html: str, base: Path, allowed: list[Path], epoch: int,
              photos: Path | None = None) -> bytes:
    """Lay out and write one PDF; any WeasyPrint warning (bad CSS, missing image) is an error."""
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    return write_documents([layout(html, base, allowed, photos)], epoch)


def layout(html: str, base: Path, allowed: list[Path], photos: Path | None = None,
           font_config: Any = None, images: dict[str, Any] | None = None) -> Any:
    """Lay one document out without writing it (a WeasyPrint Document): its pages count their
    own "Page N of M"; `write_documents` then writes many of them as one PDF. Documents laid
    out with the same `font_config` and `images` (a cache by URL) share fonts, images and
    parsed stylesheets."""
    font_config = font_config or FontConfiguration()
    fetcher = LocalFetcher(allowed, photos)
    with _weasyprint_warnings_fail() as warnings:
        try:
            document = HTML(string=html, base_url=str(base) + "/", url_fetcher=fetcher)
            sheets = _own_stylesheets(document, fetcher, font_config)
            document = document.render(stylesheets=sheets, font_config=font_config,
                                       cache=images)
        except FatalURLFetchingError as exc:
            raise RenderError(f"the document refers to a resource it may not load: {exc}",
                              "templates may use only their assets folder and the case's "
                              "photos") from None
        except Exception as exc:
            raise RenderError(f"the document could not be laid out: {exc}",
                              "check the template and the photos it names") from exc
    if warnings.messages:
        raise RenderError("the PDF was laid out with problems: " + "; ".join(warnings.messages),
                          "fix the template or its assets; nothing was written")
    return document


_PARSED: weakref.WeakKeyDictionary[Any, dict[tuple[str, bytes], CSS]] = (
    weakref.WeakKeyDictionary())


def _own_stylesheets(html: HTML, fetcher: LocalFetcher, font_config: Any) -> list[CSS]:
    """The document's <link> and <style> sheets, taken out of it and returned in source order,
    each linked file parsed once per font configuration (parsing notice.css was about 0.05 s
    of a notice's 0.3-0.4 s of layout). Given to render() they keep their order, and as its
    "user" sheets they still lose to style attributes, as author sheets did (tests compare
    the bytes)."""
    found = [(parent, e) for parent in html.etree_element.iter() for e in parent
             if e.tag == "style" or (e.tag == "link" and e.get("rel") == "stylesheet")]
    if any(e.get("media") or e.get("type") for _, e in found):
        return []  # media queries and types: left to WeasyPrint, which reads them itself
    parsed = _PARSED.setdefault(font_config, {})
    sheets = []
    for parent, element in found:
        if element.tag == "style":
            sheets.append(CSS(string=element.text or "", base_url=html.base_url,
                              url_fetcher=fetcher, font_config=font_config))
        else:
            url = urljoin(html.base_url, element.get("href", ""))
            with fetch(fetcher, url) as response:
                text = response.read()
            key = (url, hashlib.sha256(text).digest())
            if key not in parsed:
                parsed[key] = CSS(string=text.decode("utf-8"), base_url=url,
                                  url_fetcher=fetcher, font_config=font_config)
            sheets.append(parsed[key])
        parent.remove(element)
    return sheets


def write_documents(documents: list[Any], epoch: int) -> bytes:
    """Write the pages of several laid-out documents, in order, as ONE PDF: fonts are subset
    and embedded once for all of them. Metadata comes from the first document."""
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)  # fontTools stamps subsets with it
    combined = documents[0].copy([page for document in documents for page in document.pages])
    with _weasyprint_warnings_fail() as warnings:
        try:
            pdf = combined.write_pdf()
        except Exception as exc:
            raise RenderError(f"the PDF could not be written: {exc}",
                              "check the templates and the photos they name") from exc
    if warnings.messages:
        raise RenderError("the PDF was written with problems: " + "; ".join(warnings.messages),
                          "fix the template or its assets; nothing was written")
    assert pdf is not None
    return pdf
