"""Cases in the record: imported from case files (every edit a new revision, history entries
into the event log), read back with their event log for the ladder, exported as case files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, get_args
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import Connection, insert, select

from ..cases import Action, Case, HistoryEntry
from ..errors import InputError, NotFound, NoticegenError, Problem, display_path
from ..files import sha256_bytes, write_atomically
from ..glyphs import font_stacks, undrawable_text
from ..project import load_project
from ..record.db import now, record_blob
from ..record.tables import case_revisions, cases, events, parties, photos, violations
from ..source import suggest
from ..tracking import PieceRecord
from ..tracking.report import piece_report
from .app import App
from .tracking import read_pieces

ACTIONS = get_args(Action)
"""Event kinds that are steps of the ladder (history entries); the others (mail events,
complaint received, inspection, closed, reopened) are facts about the case."""


@dataclass(frozen=True)
class Imported:
    case_number: str
    revision: int
    state: str
    """'new', 'revised' or 'unchanged'."""
    events_added: int
    file: Path


@dataclass(frozen=True)
class CaseRecord:
    """A case as the record has it now: its latest revision, with the event log as history."""

    case: Case
    revision: int
    revision_id: int
    sha256: str
    pieces: tuple[PieceRecord, ...]
    """The case's mail pieces with their tracking, read with it."""


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_data(entry: HistoryEntry) -> dict[str, Any]:
    """A history entry as the event log keeps it."""
    return entry.model_dump(mode="json", exclude_defaults=True)


def entry_key(data: dict[str, Any]) -> str:
    """The same entry, whoever recorded it, gets the same key: importing it twice, or
    importing an exported case, records it once."""
    return sha256_bytes(canonical(data).encode())


def occurred(entry: HistoryEntry) -> datetime:
    on = entry.on
    return on if isinstance(on, datetime) else datetime.combine(on, time(0, 0))


def insert_event(c: Connection, case_number: str, entry: HistoryEntry, actor: int,
                 source: str, document_id: str | None = None) -> bool:
    """One history entry into the event log, unless the same entry is there already."""
    data = entry_data(entry)
    return _insert(c, case_number, entry.action, occurred(entry), data, actor, source,
                   document_id=document_id, reason=entry.reason)


def _insert(c: Connection, case_number: str, kind: str, at: datetime, data: dict[str, Any],
            actor: int, source: str, *, document_id: str | None = None,
            reason: str | None = None) -> bool:
    key = entry_key(_identity(kind, data) | {"kind": kind})
    if c.execute(select(events.c.id).where(events.c.case_number == case_number,
                                           events.c.entry_key == key)).first():
        return False
    c.execute(insert(events).values(
        case_number=case_number, kind=kind, occurred_at=at, data=data, entry_key=key,
        document_id=document_id, reason=reason, correction=False, source=source,
        actor_id=actor, recorded_at=now()))
    return True


def _identity(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """What makes an event the same event: all its data, but a site visit is its time and
    place, whatever else its report says (the inspection an officer's report recorded with the
    whole report, and the one its exported case file brings back in, are one)."""
    if kind == "inspection":
        return {"at": data.get("at"), "place": data.get("place")}
    return data


def case_events(case: Case, revision: int, before: dict[str, Any] | None, zone: ZoneInfo
                ) -> list[tuple[str, datetime, dict]]:
    """What a case file tells besides its history: the complaint received, each inspection,
    the closure with its XIII.B reason — and a reopening, when a closed case comes back open."""
    found: list[tuple[str, datetime, dict]] = [
        ("complaint_received", datetime.combine(case.complaint.received, time(0, 0)),
         case.complaint.model_dump(mode="json"))]
    found += [("inspection", visit.at, {"at": visit.at.isoformat(), "place": visit.place})
              for visit in case.site_visits]
    if case.closure is not None:
        found.append(("closed", datetime.combine(case.closure.on, time(0, 0)),
                      case.closure.model_dump(mode="json")))
    elif before is not None and before.get("closure"):
        found.append(("reopened", now().astimezone(zone).replace(tzinfo=None, microsecond=0),
                      {"closed": before["closure"], "revision": revision}))
    return found


def _revision_data(app: App, case: Case) -> tuple[dict[str, Any], list[tuple[bytes, str]]]:
    """The case without its history, photos named by SHA-256 (their bytes returned to be
    stored as blobs)."""
    data = case.model_dump(mode="json", exclude={"history"}, exclude_defaults=True)
    files: list[tuple[bytes, str]] = []
    for v_index, violation in enumerate(case.violations):
        named = []
        for photo in violation.photos:
            content = photo.file.read_bytes()
            sha = sha256_bytes(content)
            files.append((content, sha))
            named.append({"sha256": sha, "name": photo.file.name}
                         | ({"caption": photo.caption} if photo.caption else {}))
        if named:
            data["violations"][v_index]["photos"] = named
    return data, files


def import_cases(app: App, paths: list[Path]) -> list[Imported]:
    """Load case files into the record, checked exactly as `noticegen check` checks them; a
    problem anywhere imports nothing. An unchanged file changes nothing; a changed one makes
    a new revision; history entries not yet in the event log are added to it."""
    app.ready()
    project = load_project(app.root, paths)
    results = []
    for number, case in sorted(project.cases.items()):
        path = project.files[number]
        data, files = _revision_data(app, case)
        sha = sha256_bytes(canonical(data).encode())
        for content, _ in files:
            app.blobs.put(content)
        with app.transaction() as (c, actor):
            latest = c.execute(select(case_revisions.c.revision, case_revisions.c.sha256,
                                      case_revisions.c.data)
                               .where(case_revisions.c.case_number == number)
                               .order_by(case_revisions.c.revision.desc())).first()
            if latest is None:
                c.execute(insert(cases).values(case_number=number, created_at=now()))
            if latest is not None and latest.sha256 == sha:
                revision, state = latest.revision, "unchanged"
            else:
                revision = (latest.revision + 1) if latest else 1
                state = "revised" if latest else "new"
                _insert_revision(c, number, revision, sha, data, files, display_path(path),
                                 actor)
            source = f"import:{path.name}"
            added = sum(_insert(c, number, kind, at, data, actor, source)
                        for kind, at, data in case_events(
                            case, revision, latest.data if latest and state == "revised"
                            else None, app.project.settings.zone))
            added += sum(insert_event(c, number, entry, actor, source)
                         for entry in case.history)
        results.append(Imported(number, revision, state, added, path))
    return results


def _insert_revision(c: Connection, number: str, revision: int, sha: str,
                     data: dict[str, Any], files: list[tuple[bytes, str]], source: str,
                     actor: int) -> None:
    for content, blob in files:
        record_blob(c, blob, len(content), "image")
    revision_id = c.execute(insert(case_revisions).values(
        case_number=number, revision=revision, sha256=sha, data=data, source=source,
        actor_id=actor, recorded_at=now())).inserted_primary_key[0]
    for party in data["responsible_parties"]:
        address = party["mailing_address"]
        c.execute(insert(parties).values(
            revision_id=revision_id, party_id=party["id"], role=party["role"],
            name=party["name"], address=", ".join([*address["lines"], address["city"],
                                                   address["state"], address["zip"]])))
    for violation in data.get("violations", []):
        c.execute(insert(violations).values(
            revision_id=revision_id, violation_id=violation["id"],
            ordinance=violation["ordinance"],
            observed=datetime.fromisoformat(violation["observed"])))
        for position, photo in enumerate(violation.get("photos", []), start=1):
            c.execute(insert(photos).values(
                revision_id=revision_id, violation_id=violation["id"], position=position,
                sha256=photo["sha256"], name=photo["name"], caption=photo.get("caption")))


def case_numbers(app: App) -> list[str]:
    with app.record.read() as c:
        return list(c.execute(select(cases.c.case_number).order_by(cases.c.case_number))
                    .scalars())


def history(c: Connection, number: str) -> list[HistoryEntry]:
    """The case's event log as history entries, in the order recorded (mail events stay with
    their pieces)."""
    rows = c.execute(select(events.c.data).where(
        events.c.case_number == number, events.c.kind.in_(ACTIONS))
        .order_by(events.c.id)).scalars()
    return [HistoryEntry.model_validate(data) for data in rows]


class UnknownCase(NotFound):
    """No such case in the record (a page answers 404)."""


def _latest(c: Connection, number: str) -> Any:
    """The case's latest revision, or UnknownCase naming the nearest case number."""
    row = c.execute(select(case_revisions).where(case_revisions.c.case_number == number)
                    .order_by(case_revisions.c.revision.desc())).mappings().first()
    if row is None:
        near = suggest(number, list(c.execute(select(cases.c.case_number)).scalars()))
        raise UnknownCase(f"no case {number} in the record",
                          f"did you mean '{near}'?" if near else
                          "import its case file first: noticegen cases import FILE")
    return row


def load_case(app: App, number: str) -> CaseRecord:
    """The case as the record has it now; its photos are files of the blob store (checked by
    `verify_photos` before they are printed)."""
    app.ready()
    with app.record.read() as c:
        row = _latest(c, number)
        entries = history(c, number)
        mailed = tuple(read_pieces(c, case=number))
    data = json.loads(canonical(row["data"]))
    for violation in data.get("violations", []):
        violation["photos"] = [{"file": str(app.blobs.path(photo["sha256"]))}
                               | ({"caption": photo["caption"]} if "caption" in photo else {})
                               for photo in violation.get("photos", [])]
    data["history"] = [entry_data(e) for e in _acting(app, entries, mailed)]
    case = Case.model_validate(data)
    return CaseRecord(case, row["revision"], row["id"], row["sha256"], mailed)


def verify_photos(app: App, case: Case) -> None:
    """Before a case's photos are printed: each blob present and whole, or refused by name
    (reading a case for the ladder does not need them)."""
    for violation in case.violations:
        for photo in violation.photos:
            app.blobs.read(photo.file.name)


def unprintable(app: App, cases: list[Case]) -> list[Problem]:
    """Text of the cases that this machine's fonts cannot draw, named by case and field, before
    they are printed: `check` and import refuse it too, but the record may have been filled on
    a machine with other fonts."""
    stacks = font_stacks(app.root / "templates" / "assets")
    return [problem for case in cases
            for problem in undrawable_text(case, stacks, case.case_number)]


def _acting(app: App, entries: list[HistoryEntry], mailed_pieces: tuple[PieceRecord, ...]
            ) -> list[HistoryEntry]:
    """Each mailed NOV with the compliance date the record acts on — the printed one, or a
    later one when the piece was served later — so that the ladder, `track list` and
    `followups` agree."""
    mailed = {e.document for e in entries if e.action == "nov" and e.document}
    if not mailed:
        return entries
    acts = {p.document_id: piece_report(p, app.project.catalog, app.project.settings).acts_on
            for p in mailed_pieces if p.document_id in mailed}
    return [e.model_copy(update={"deadline": acts[e.document]})
            if e.document in acts and acts[e.document] and e.deadline
            and acts[e.document] > e.deadline else e for e in entries]


def resolve(app: App, given: str) -> str:
    """A case number, or a case file's path (or a folder holding one case): the file is
    imported first."""
    path = Path(given)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.exists():
            raise InputError([Problem(display_path(path), None, "", "no such file",
                                      "give a case number or a case file")])
        imported = import_cases(app, [path])
        if len(imported) != 1:
            raise NoticegenError(f"{given} holds {len(imported)} cases; name one case",
                                 "e.g. CE-2026-0141")
        return imported[0].case_number
    return given


def export_cases(app: App, numbers: list[str], folder: Path) -> list[Path]:
    """Each case as a case file (with its photos beside it in photos/) that imports back to
    the same revision; its history holds every event of the log, issued ones included."""
    app.ready()
    written = []
    for number in numbers:
        with app.record.read() as c:
            row = _latest(c, number)
            entries = history(c, number)
        data = json.loads(canonical(row["data"]))
        used: dict[str, str] = {}
        for violation in data.get("violations", []):
            for photo in violation.get("photos", []):
                name = photo.pop("name")
                if used.get(name, photo["sha256"]) != photo["sha256"]:
                    name = f"{photo['sha256'][:8]}-{name}"
                used[name] = photo["sha256"]
                app.blobs.copy_to(photo.pop("sha256"), folder / "photos" / name)
                photo["file"] = f"photos/{name}"
        if entries:
            data["history"] = [entry_data(e) for e in entries]
        text = (f"# {number}, revision {row['revision']}, exported from the record on "
                f"{date.today().isoformat()}\n")
        text += yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=96)
        target = folder / f"{number}.yaml"
        write_atomically(target, text)
        written.append(target)
    return written
