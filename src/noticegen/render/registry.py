"""The registry of document types (templates/registry.yaml): templates, audience, delivery."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import Field, PositiveInt

from ..errors import InputError, NoticegenError
from ..files import write_atomically
from ..models import Identifier, Model, Text
from ..rules.serving import ServiceName
from ..source import read_yaml, suggest, validate

REGISTRY_FILE = "registry.yaml"
"""Under templates/."""
Audience = Literal["responsible_party", "complainant", "case_file"]


Delivery = Literal["in_person", "door_hanger", "certified_mail", "first_class_mail", "posting",
                   "case_file"]


class TemplateEntry(Model):
    id: Identifier
    version: PositiveInt
    variant: Identifier
    file: Text
    docx: Text | None = None
    language: Literal["en"] = "en"
    delivery: Delivery | None = None
    """When this variant is served differently from its type (e.g. an NOV posted at the
    property after certified mail came back)."""
    services: list[ServiceName] = []
    """The other ways this variant may be served besides its own delivery: a door hanger is
    hung on the door, or handed to the person when they are there (directive VIII.A.1)."""


class DocumentType(Model):
    title: Text
    directive: Text
    audience: Audience
    delivery: Delivery
    step: Identifier
    action: Identifier | None = None
    """What the case's event log records when a document of this type is issued (a history
    action: warning_notice, nov, vca, citation, …); none for a case-file document."""
    templates: Annotated[list[TemplateEntry], Field(min_length=1)]
    services: list[ServiceName] = []
    """How a document of the type may be served (`--service`); none for one that is not
    served (a letter to the complainant, a case-file record)."""
    requires: list[Identifier] = []
    """Facts every template of the type must print (`noticegen check` flags one unused)."""

    def template(self, variant: str | None) -> TemplateEntry:
        """The named variant, or the first (the default) when none is named."""
        if variant is None:
            return self.templates[0]
        for entry in self.templates:
            if entry.variant == variant:
                return entry
        known = [t.variant for t in self.templates]
        near = suggest(variant, known)
        raise NoticegenError(f"no variant '{variant}' of the {self.title.lower()}",
                             f"did you mean '{near}'?" if near else
                             "variants: " + ", ".join(known))


class Registry(Model):
    documents: dict[Identifier, DocumentType]

    def get(self, doc_type: str) -> DocumentType:
        try:
            return self.documents[doc_type]
        except KeyError:
            near = suggest(doc_type, self.documents)
            raise NoticegenError(f"unknown document type '{doc_type}'",
                                 f"did you mean '{near}'?" if near else
                                 "types: " + ", ".join(self.documents)) from None


def load_registry(templates: Path) -> Registry:
    source = read_yaml(templates / REGISTRY_FILE)
    registry, problems = validate(Registry, source)
    if registry is not None:
        for name, doc in registry.documents.items():
            for index, entry in enumerate(doc.templates):
                for key in ("file", "docx"):
                    value = getattr(entry, key)
                    if value and not (templates / value).is_file() and key == "file":
                        problems.append(source.problem(
                            ("documents", name, "templates", index, key),
                            f"template file '{value}' does not exist", "check templates/"))
    if problems:
        raise InputError(problems)
    assert registry is not None
    return registry


def set_version(templates: Path, template_id: str, version: int) -> str:
    """Change one template's `version:` in registry.yaml where it is written, keeping every
    comment, the layout and every other entry; returns the file's text before."""
    path = templates / REGISTRY_FILE
    text = path.read_text(encoding="utf-8")
    node = _version_node(yaml.compose(text, Loader=yaml.SafeLoader), template_id)
    if node is None:
        raise NoticegenError(f"templates/{REGISTRY_FILE} gives no version for template "
                             f"'{template_id}'", "add `version: N` to its entry")
    changed = text[:node.start_mark.index] + str(version) + text[node.end_mark.index:]
    write_atomically(path, changed)
    found = next((t for kind in load_registry(templates).documents.values()
                  for t in kind.templates if t.id == template_id), None)
    if found is None or found.version != version:  # never leave the registry half-changed
        write_atomically(path, text)
        raise NoticegenError(f"templates/{REGISTRY_FILE}: the version of '{template_id}' could "
                             "not be changed in place", f"set `version: {version}` by hand")
    return text


def _version_node(root: yaml.Node | None, template_id: str) -> yaml.ScalarNode | None:
    """The `version:` value of the template entry whose id is template_id."""
    def value(node: yaml.Node, key: str) -> yaml.Node | None:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == key:
                    return v
        return None

    documents = value(root, "documents") if root is not None else None
    if not isinstance(documents, yaml.MappingNode):
        return None
    for _, kind in documents.value:
        entries = value(kind, "templates")
        for entry in entries.value if isinstance(entries, yaml.SequenceNode) else ():
            found_id, found = value(entry, "id"), value(entry, "version")
            if isinstance(found_id, yaml.ScalarNode) and found_id.value == template_id:
                return found if isinstance(found, yaml.ScalarNode) else None
    return None
