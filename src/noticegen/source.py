"""YAML files read with the line of every field, so each problem can point at its line."""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import InputError, Problem, display_path

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


class _Alias(Exception):
    """A YAML alias met while composing, before anything could expand it."""

    def __init__(self, name: str, line: int) -> None:
        super().__init__(name)
        self.name, self.line = name, line


class _Loader(yaml.SafeLoader):
    """Safe loader with YAML 1.2 scalars: `on`/`no` stay words, dates stay text for pydantic,
    and digits with a leading zero (ZIP 07030, badge 0114) stay text instead of octal. An
    alias is refused where it stands: aliases can make a small file expand without limit."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Alias(event.anchor, event.start_mark.line + 1)
        return super().compose_node(parent, index)


_YAML11_ONLY = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                "tag:yaml.org,2002:timestamp"}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _YAML11_ONLY]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool",
                              re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"),
                              list("-+0123456789"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:float",
                              re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
                              list("-+.0123456789"))


def format_loc(loc: Loc) -> str:
    """('violations', 0, 'ordinance') -> 'violations[0].ordinance'."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@dataclass
class Source:
    """A parsed YAML file: its data and the line where each field path starts."""

    path: Path
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return display_path(self.path)

    def line(self, loc: Loc) -> int | None:
        """Line of the longest known prefix of loc (pydantic adds union tags we skip)."""
        best: int | None = self.lines.get(())
        known: Loc = ()
        for part in loc:
            if (*known, part) in self.lines:
                known = (*known, part)
                best = self.lines[known]
        return best

    def problem(self, loc: Loc, message: str, hint: str | None = None) -> Problem:
        return Problem(self.name, self.line(loc), format_loc(loc), message, hint)


def _record_lines(node: yaml.Node, loc: Loc, out: dict[Loc, int], dups: list[tuple[Loc, int]]):
    out.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            child = (*loc, key)
            if key in seen:
                dups.append((child, key_node.start_mark.line + 1))
                continue
            seen.add(key)
            out[child] = key_node.start_mark.line + 1
            _record_lines(value_node, child, out, dups)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*loc, index), out, dups)


def read_yaml(path: Path) -> Source:
    """Parse one YAML file; syntax errors and duplicate keys become Problems."""
    name = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(name, None, "", f"not UTF-8 text ({exc.reason})",
                                  "save the file as UTF-8")]) from None
    except OSError as exc:
        raise InputError([Problem(name, None, "", f"cannot read file: {exc.strerror}")]) from None
    if bad := re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]", text):
        line = text.count("\n", 0, bad.start()) + 1
        raise InputError([Problem(name, line, "", f"contains the control character "
                                  f"{bad.group()!r}", "remove it; the files may hold only "
                                  "printable characters, tabs and line breaks")])
    loader = _Loader(text)
    try:  # one parse: the node tree gives the lines, and is then made into the data
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except _Alias as alias:
        raise InputError([Problem(name, alias.line, "",
                                  f"YAML alias '*{alias.name}' is not accepted",
                                  "write the value out in full; aliases can make a small "
                                  "file expand without limit")]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or "invalid YAML"
        if exc.context and exc.context_mark and exc.context_mark is not mark:
            what += f" ({exc.context} started on line {exc.context_mark.line + 1})"
        raise InputError([Problem(name, line, "", f"YAML syntax error: {what}",
                                  "check indentation, colons and quoting on this line "
                                  "and the one before it")]) from None
    finally:
        loader.dispose()
    if node is None:
        raise InputError([Problem(name, 1, "", "the file is empty", "see the schema in docs/")])
    source = Source(path, data)
    dups: list[tuple[Loc, int]] = []
    _record_lines(node, (), source.lines, dups)
    if dups:
        raise InputError([
            Problem(name, line, format_loc(loc), "this key appears twice in the same mapping",
                    "remove or rename one of them; YAML would silently keep only the last")
            for loc, line in dups
        ])
    return source


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """The field names the model accepts at loc, to suggest a spelling."""
    annotation: Any = model
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(part, int):
            args = typing.get_args(annotation)
            annotation = args[-1] if args else None
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            info = annotation.model_fields.get(part)
            annotation = info.annotation if info else None
        else:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """Optional[X] / Annotated[X, ...] -> X (first model member of a union)."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
            annotation = models[0] if models else members[0]
        else:
            return annotation


def suggest(word: str, choices: typing.Iterable[str]) -> str | None:
    """'did you mean …' for a misspelled key or id."""
    match = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return match[0] if match else None


_DATE_HINT = "write dates as YYYY-MM-DD (e.g. 2026-11-23) and date-times as YYYY-MM-DD HH:MM"


def _explain(model: type[BaseModel], err: dict[str, Any]) -> tuple[str, str | None]:
    kind = err["type"]
    loc = tuple(err["loc"])
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if "hint" in ctx:
        return ctx["message"], ctx["hint"] or None
    if kind == "missing":
        return "required field is missing", f"add '{loc[-1]}:' here; it may not be left blank"
    if kind == "extra_forbidden":
        known = _fields_at(model, loc[:-1])
        near = suggest(str(loc[-1]), known)
        hint = f"did you mean '{near}'?" if near else None
        if not hint and known:
            hint = "known fields: " + ", ".join(known)
        return f"unknown field '{loc[-1]}'", hint
    if kind.startswith(("date", "datetime", "time")):
        return f"'{value}' is not a valid date or time", _DATE_HINT
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        options = [o.strip(" '") for o in expected.replace(" or ", ", ").split(",")]
        near = suggest(str(value), options)
        hint = f"did you mean '{near}'?" if near else f"use one of: {', '.join(options)}"
        return f"'{value}' is not allowed", hint
    if kind == "string_type" and isinstance(value, dict):
        return "expected text, but YAML read a 'key: value' pair here", \
            "a colon followed by a space starts a mapping; put the whole text in quotes"
    if kind == "string_type" and isinstance(value, int | float):
        return "expected text, found a number", f'put it in quotes, e.g. "{value}"'
    if kind == "too_short":
        return "must not be empty", "give at least one entry"
    if kind == "too_long":
        return "has too many entries", err["msg"]
    if kind in ("string_too_short",):
        return "must not be blank", "fill it in; a legal document never carries a blank"
    if kind == "string_pattern_mismatch":
        return f"'{value}' has the wrong format", err.get("ctx", {}).get("pattern") and (
            "expected the pattern " + err["ctx"]["pattern"])
    if kind in ("greater_than", "greater_than_equal", "less_than_equal", "less_than"):
        return f"{value!r}: {err['msg'].lower()}", None
    if kind == "value_error":
        return str(ctx.get("error", err["msg"])), None
    return err["msg"], None


def validate(model: type[M], source: Source, context: dict[str, Any] | None = None
             ) -> tuple[M | None, list[Problem]]:
    """Validate a file's data into model; problems carry file and line."""
    try:
        return model.model_validate(source.data, context=context), []
    except ValidationError as exc:
        errors = exc.errors()
        problems = []
        for err in errors:
            if _misspelled(model, err, errors):
                continue
            message, hint = _explain(model, err)
            problem = source.problem(tuple(err["loc"]), message, hint)
            if problem not in problems:
                problems.append(problem)
        return None, problems


def _misspelled(model: type[BaseModel], err: dict[str, Any], errors: list[dict[str, Any]]) -> bool:
    """A missing field that an unknown sibling key is a misspelling of: one problem, not two."""
    if err["type"] != "missing":
        return False
    *parent, name = err["loc"]
    return any(
        other["type"] == "extra_forbidden" and list(other["loc"][:-1]) == parent
        and suggest(str(other["loc"][-1]), _fields_at(model, tuple(parent))) == name
        for other in errors)


def duplicate_ids(source: Source, key: str, items: Iterable[Any], what: str) -> list[Problem]:
    """One problem per repeated id in a list of records."""
    seen: set[str] = set()
    problems = []
    for index, item in enumerate(items):
        if item.id in seen:
            problems.append(source.problem((key, index, "id"),
                                           f"{what} '{item.id}' is listed twice",
                                           "ids must be unique; rename or remove one"))
        seen.add(item.id)
    return problems
