"""`noticegen templates`: the city attorney's review — list, specimens, diffs, approval."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import NoticegenError
from ..files import write_atomically
from ..words import counted
from .common import Context


@click.group()
def templates() -> None:
    """Legal review of the templates: list, review, diff and approve them.

    Only a template whose content hash the City Attorney's Office approved (in
    config/approvals.yaml) is served by `render` and `batch`.
    """


@templates.command(name="list")
@click.pass_obj
def list_(ctx: Context) -> None:
    """Every template: id, document type, variant, version, audience, language, content hash
    and whether it is approved as it is now (or was sent back, when there is a record)."""
    from ..record import RecordError
    from ..review import statuses
    from ..service.templates import TemplateState, states

    try:
        with ctx.app() as app:
            found = states(app)
    except RecordError:  # no record (yet): the approvals on file say it all but send-backs
        found = [TemplateState(s, None) for s in statuses(ctx.root)]
    rows = [(t.status.entry.id, t.status.entry.doc_type, t.status.entry.variant,
             f"v{t.status.entry.version}", t.status.entry.audience, t.status.entry.language,
             t.status.hash[:12], t) for t in found]
    heads = ("ID", "TYPE", "VARIANT", "VER", "AUDIENCE", "LANG", "HASH")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(heads)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)) + "  APPROVAL")
    pending = 0
    for *cells, current in rows:
        state = current.describe()
        style = {"fg": "green"} if current.status.approved else {"fg": "red", "bold": True}
        pending += current.status.approved is None
        click.echo("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + "  "
                   + click.style(state, **style))  # type: ignore[arg-type]
    if pending:
        click.echo(f"{counted(pending, 'template')} not approved: `noticegen templates diff ID` "
                   "shows what changed; `noticegen templates approve ID --by NAME` approves.")


@templates.command()
@click.argument("ids", metavar="[ID]…", nargs=-1)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="The review PDF [default: out/review/templates-review.pdf]; the Word "
                   "specimens are written beside it.")
@click.pass_obj
def review(ctx: Context, ids: tuple[str, ...], out: Path | None) -> None:
    """One PDF for the city attorney: each template's specimen with every substituted value
    highlighted, then its variables, cited sections, id, version, hash and approval history;
    plus an editable Word specimen where the type has one. All templates unless IDs given."""
    from ..review import Specimens, find_entry
    from ..review.report import build_review, write_review

    specimens = Specimens.of(ctx.root)
    entries = [find_entry(specimens.entries, i) for i in ids] if ids else specimens.entries
    result = build_review(ctx.root, specimens, entries)
    target = out or ctx.root / "out" / "review" / "templates-review.pdf"
    written = write_review(result, target)
    click.echo(f"{target}  ({counted(len(entries), 'template')})")
    for path in written[1:]:
        click.echo(f"{path}  (Word specimen, for redlining)")
    if result.errors:
        raise NoticegenError(
            f"{counted(len(result.errors), 'specimen')} could not be rendered (their review "
            "sheets say why): "
            + "; ".join(f"{i}: {m.splitlines()[0]}" for i, m in result.errors.items()),
            "fix the template (noticegen check names the template, line and variable)")


@templates.command()
@click.argument("template_id", metavar="ID")
@click.option("--since-approved", is_flag=True,
              help="Compare with the specimen text last approved [the default].")
@click.option("--from", "from_rev", metavar="REV",
              help="Compare from this git revision (commit, branch, tag) of templates/.")
@click.option("--to", "to_rev", metavar="REV",
              help="… to this git revision [default: the working copy].")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="The side-by-side comparison, .pdf or .html "
                   "[default: out/review/ID-diff.pdf].")
@click.pass_obj
def diff(ctx: Context, template_id: str, since_approved: bool, from_rev: str | None,
         to_rev: str | None, out: Path | None) -> None:
    """What changed in a template's words: the specimen's text before and after, as a
    side-by-side PDF (removed words struck through, added words underlined) and a unified
    diff on the terminal."""
    from ..service import diff as compare

    if since_approved and (from_rev or to_rev):
        raise NoticegenError("--since-approved compares with the approved text; it cannot be "
                             "combined with --from/--to", "use one or the other")
    target = out or ctx.root / "out" / "review" / f"{template_id}-diff.pdf"
    with ctx.app() as app:
        try:
            found = compare(app, template_id, from_rev=from_rev, to_rev=to_rev,
                            html=target.suffix.lower() in (".html", ".htm"))
        except NoticegenError as exc:
            if "no approved text" in exc.message:
                exc.hint = (f"approve it first, or compare git revisions: noticegen templates "
                            f"diff {template_id} --from HEAD")
            raise
    if not found.lines:
        click.echo(f"{found.label}: no change in the specimen's words "
                   f"({found.from_label} → {found.to_label})")
    for line in found.lines:
        click.echo(_colour(line))
    write_atomically(target, found.content)
    click.echo(f"{target}  (side by side, for reading)")


def _colour(line: str) -> str:
    if line.startswith(("---", "+++")):
        return click.style(line, bold=True)
    if line.startswith("@@"):
        return click.style(line, fg="cyan")
    if line.startswith("-"):
        return click.style(line, fg="red")
    if line.startswith("+"):
        return click.style(line, fg="green")
    return line


@templates.command()
@click.argument("ids", metavar="ID…", nargs=-1, required=True)
@click.option("--by", "by", required=True, metavar="NAME",
              help="Who approves, e.g. \"A. Attorney, Assistant City Attorney\".")
@click.option("--note", metavar="TEXT", help="Why, or what was reviewed.")
@click.pass_obj
def approve(ctx: Context, ids: tuple[str, ...], by: str, note: str | None) -> None:
    """Approve templates as they are now: records the content hash, approver, date and note in
    config/approvals.yaml (and the record) and the approved specimen text in
    config/approved-specimens/. A template changed since its version was approved gets the
    next version number in templates/registry.yaml first. Commit them all: approvals travel
    through version control."""
    from ..review import review_entries
    from ..review.approvals import SHORT
    from ..service import approve as record

    versions = {e.id: e.version for e in review_entries(ctx.root / "templates")}
    for template_id in ids:
        with ctx.app() as app:
            approval, new = record(app, template_id, by, note)
        what = "approved" if new else "already approved"
        click.echo(f"{template_id} v{approval.version}: {what} "
                   f"{approval.approved_on.isoformat()} by {approval.approved_by} "
                   f"(hash {approval.hash[:SHORT]})")
        if new and approval.version != versions.get(template_id, approval.version):
            click.echo(f"  v{versions[template_id]} was approved with other content: "
                       f"templates/registry.yaml now gives {template_id} version "
                       f"{approval.version} (commit it with the approval)")
