"""The record's tables (SQLAlchemy Core). Rows are only ever added: a change is a new revision,
a correction a new event; the database itself refuses UPDATE and DELETE on every table (the
first migration's triggers)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

people = Table(
    "people", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
"""Everyone who acts (clerks, officers, attorneys by the name they act under): every row that
records an act names one."""

decisions = Table(
    "decisions", metadata,
    Column("id", Integer, primary_key=True),
    Column("decision", String(60), nullable=False),
    Column("detail", Text, nullable=False),
    Column("actor_id", ForeignKey("people.id"), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
"""Decisions about the record itself (e.g. starting over on an empty record)."""

blobs = Table(
    "blobs", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("media_type", String(80), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
"""Every file the record names, by content: the file itself is in the blob store."""

cases = Table(
    "cases", metadata,
    Column("case_number", String(20), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

case_revisions = Table(
    "case_revisions", metadata,
    Column("id", Integer, primary_key=True),
    Column("case_number", ForeignKey("cases.case_number"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("data", JSON, nullable=False),
    Column("source", Text, nullable=False),
    Column("actor_id", ForeignKey("people.id"), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("case_number", "revision"),
)
"""The case's facts (property, parties, violations, closure) as of each edit; `data` is the
case file's data without its history, photos named by SHA-256."""

parties = Table(
    "parties", metadata,
    Column("id", Integer, primary_key=True),
    Column("revision_id", ForeignKey("case_revisions.id"), nullable=False),
    Column("party_id", String(60), nullable=False),
    Column("role", String(20), nullable=False),
    Column("name", Text, nullable=False),
    Column("address", Text, nullable=False),
    UniqueConstraint("revision_id", "party_id"),
)

violations = Table(
    "violations", metadata,
    Column("id", Integer, primary_key=True),
    Column("revision_id", ForeignKey("case_revisions.id"), nullable=False),
    Column("violation_id", String(60), nullable=False),
    Column("ordinance", String(60), nullable=False),
    Column("observed", DateTime, nullable=False),
    UniqueConstraint("revision_id", "violation_id"),
)

photos = Table(
    "photos", metadata,
    Column("id", Integer, primary_key=True),
    Column("revision_id", ForeignKey("case_revisions.id"), nullable=False),
    Column("violation_id", String(60), nullable=False),
    Column("position", Integer, nullable=False),
    Column("sha256", ForeignKey("blobs.sha256"), nullable=False),
    Column("name", Text, nullable=False),
    Column("caption", Text),
)

batches = Table(
    "batches", metadata,
    Column("id", String(80), primary_key=True),
    Column("document_type", String(40), nullable=False),
    Column("mail_date", Date, nullable=False),
    Column("pieces", Integer, nullable=False),
    Column("record_sha256", ForeignKey("blobs.sha256"), nullable=False),
    Column("print_sha256", ForeignKey("blobs.sha256"), nullable=False),
    Column("book_sha256", ForeignKey("blobs.sha256"), nullable=False),
    Column("manifest_sha256", ForeignKey("blobs.sha256"), nullable=False),
    Column("actor_id", ForeignKey("people.id"), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

documents = Table(
    "documents", metadata,
    Column("id", String(80), primary_key=True),
    Column("case_number", ForeignKey("cases.case_number"), nullable=False),
    Column("revision_id", ForeignKey("case_revisions.id"), nullable=False),
    Column("document_type", String(40), nullable=False),
    Column("role", String(20), nullable=False),
    Column("template_id", String(80), nullable=False),
    Column("template_version", Integer, nullable=False),
    Column("template_hash", String(64), nullable=False),
    Column("sha256", ForeignKey("blobs.sha256"), nullable=False),
    Column("format", String(8), nullable=False),
    Column("file", Text, nullable=False),
    Column("recipient", String(60), nullable=False),
    Column("recipient_role", String(40), nullable=False),
    Column("delivery", String(40), nullable=False),
    Column("violations", JSON, nullable=False),
    Column("deadline", Text),
    Column("deadline_on", Date),
    Column("follow_up_due", Date),
    Column("batch_id", ForeignKey("batches.id")),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("actor_id", ForeignKey("people.id"), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
"""`role`: 'notice' (what the party receives), 'file-copy', 'affidavit'. `deadline` is the
wording printed on the document and `deadline_on` its date: what the records act on is never
earlier. `file`: its readable copy under out/."""

mail_pieces = Table(
    "mail_pieces", metadata,
    Column("article_number", String(22), primary_key=True),
    Column("sequence", String(80), ForeignKey("sequences.name"), nullable=False),
    Column("serial", Integer, nullable=False),
    Column("batch_id", ForeignKey("batches.id"), nullable=False),
    Column("line", Integer, nullable=False),
    Column("document_id", ForeignKey("documents.id"), nullable=False, unique=True),
    Column("case_number", ForeignKey("cases.case_number"), nullable=False),
    Column("recipient", String(60), nullable=False),
    Column("addressee", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("mailing_date", Date, nullable=False),
    Column("service", Text, nullable=False),
    Column("postage", Numeric(8, 2), nullable=False),
    Column("fees", Numeric(8, 2), nullable=False),
    Column("packet_sha256", ForeignKey("blobs.sha256"), nullable=False),
    UniqueConstraint("sequence", "serial"),
    UniqueConstraint("batch_id", "line"),
)
"""A piece exists only with its article number and the number only with its piece: both are
written in the transaction that issues the batch."""

sequences = Table(
    "sequences", metadata,
    Column("name", String(80), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("first", String(22)),
    Column("size", Integer),
    Column("floor", Integer, nullable=False, default=0),
    Column("actor_id", ForeignKey("people.id"), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
"""Where article numbers come from: 'impb:<Mailer ID>' (serials counting up) or 'roll:<n>' (a
PS 3800 label roll from `first`, `size` labels). Locked while numbers are allocated. `floor`:
serials at or below it are taken (numbers found mailed outside this record)."""

events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True),
    Column("case_number", ForeignKey("cases.case_number"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("occurred_at", DateTime, nullable=False),
    Column("data", JSON, nullable=False),
    Column("entry_key", String(64)),
    Column("document_id", ForeignKey("documents.id")),
    Column("article_number", ForeignKey("mail_pieces.article_number")),
    Column("reason", Text),
    Column("correction", Boolean, nullable=False, default=False),
    Column("source", String(120), nullable=False),
    Column("actor_id", ForeignKey("people.id"), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("case_number", "entry_key"),
)
"""The case's event log, which the enforcement ladder reads. `kind` is a history action
(nov, vca, follow_up, …) or a mail event (mailed, delivered, refused, …, with its article
number). `occurred_at` is the agency's wall-clock time. `entry_key` identifies a history entry
so that importing it twice records it once. `reason`: why a notice was served again."""

approvals = Table(
    "approvals", metadata,
    Column("id", Integer, primary_key=True),
    Column("template_id", String(80), nullable=False),
    Column("version", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("approved_by", Text, nullable=False),
    Column("approved_on", Date, nullable=False),
    Column("note", Text),
    Column("files", JSON, nullable=False),
    Column("actor_id", ForeignKey("people.id"), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("template_id", "version", "hash"),
)
"""The city attorney's approvals, as recorded in config/approvals.yaml when they were given."""

accounts = Table(
    "accounts", metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", ForeignKey("people.id"), nullable=False),
    Column("role", String(20), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("must_change", Boolean, nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("actor_id", ForeignKey("people.id"), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("officer_id", String(60)),
)
"""Who may sign in to the service, as what: a person's latest row is their account now (a new
password, role or disabling is a new row). `officer_id`: for an officer, who they are in
config/agency.yaml (their cases, and the name and badge their notices print)."""

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", ForeignKey("people.id"), nullable=False),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("actor_id", ForeignKey("people.id"), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
"""Personal API tokens, by their SHA-256 (the token itself is shown once): a person's newest
token is the one that works."""

access = Table(
    "access", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("name", Text, nullable=False),
    Column("address", String(64), nullable=False),
    Column("session_sha256", String(64), index=True),
    Column("actor_id", ForeignKey("people.id"), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
"""The service's sign-in trail: signed_in (a session starts), seen (a session in use, at most
once a minute), signed_out, sign_in_failed, throttled. `name` is the name given; a failed
attempt's actor is the person of that name, or the public."""

jobs = Table(
    "jobs", metadata,
    Column("id", String(40), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("params", JSON, nullable=False),
    Column("actor_id", ForeignKey("people.id"), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
"""Long work asked for through the service (a mail batch), done by its worker process."""

job_events = Table(
    "job_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("job_id", ForeignKey("jobs.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("state", String(20), nullable=False),
    Column("done", Integer, nullable=False),
    Column("total", Integer, nullable=False),
    Column("detail", JSON, nullable=False),
    Column("actor_id", ForeignKey("people.id"), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("job_id", "seq"),
)
"""A job's states in order (started, progress, finished, failed, resumed): `seq` is unique per
job, so two workers can never both record the same step of it (and `noticegen worker` runs
one worker per record folder)."""

template_reviews = Table(
    "template_reviews", metadata,
    Column("id", Integer, primary_key=True),
    Column("template_id", String(80), nullable=False),
    Column("version", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("decision", String(20), nullable=False),
    Column("note", Text, nullable=False),
    Column("actor_id", ForeignKey("people.id"), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
"""The city attorney's other answer: a template sent back with a note (approvals are in
`approvals`)."""

complaints = Table(
    "complaints", metadata,
    Column("id", Integer, primary_key=True),
    Column("case_number", String(20), nullable=False, unique=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("data", JSON, nullable=False),
    Column("address", String(64), nullable=False),
    Column("actor_id", ForeignKey("people.id"), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
"""A complaint filed through the online form (directive V.A.1) as it was sent: `data` holds
the property, what was seen and when, the photos by SHA-256, and the complainant (or that
they chose to stay anonymous). Its case number is given at once (VI.A); `token_sha256` is the
SHA-256 of the complainant's status link; `address` the network address it came from (the
form's rate limit)."""

complaint_events = Table(
    "complaint_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("complaint_id", ForeignKey("complaints.id"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("data", JSON, nullable=False),
    Column("actor_id", ForeignKey("people.id"), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
"""What the division decided about a complaint: accepted (III.D; an anonymous one at the
Chief's discretion, V.A.2), not_accepted (with its III.F reason), assigned (to an officer)."""

submissions = Table(
    "submissions", metadata,
    Column("key", String(64), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("result", JSON, nullable=False),
    Column("actor_id", ForeignKey("people.id"), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
"""Forms already received, by the one-time key each form carries, written in the transaction
that does what the form asked: a form sent again (a phone that lost its signal and retried)
is refused, pointing to what the first one made."""

APPEND_ONLY = [t.name for t in metadata.sorted_tables]
