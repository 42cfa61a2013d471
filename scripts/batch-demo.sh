#!/usr/bin/env bash
# The batch demo on the bundled examples, by the command line alone: check every input, import
# the cases into the record, mail a certified-mail batch and issue the officer's and the case
# file's documents.
# Run it again: the second run changes nothing and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/signing-key.sh   # documents are signed with a key kept outside the repository

ng=.venv/bin/noticegen
$ng check examples/
$ng db upgrade                       # the record: var/record.sqlite (explicit, never on open)
$ng cases import examples/cases      # every example case; unchanged files change nothing

# The officer's door-hanger warning, printed on site the week before.
$ng render warning CE-2026-0163 --variant door-hanger --issued "2026-11-18 15:30"

# The clerk's job: a certified-mail batch of notices of violation for the open cases the
# enforcement ladder allows today (the others already have a notice in force, are under a
# voluntary compliance agreement, or are closed: `noticegen next CASE` says which rule).
mail_date=2026-11-25
$ng batch CE-2026-0163 CE-2026-0174 CE-2026-0196 --doc nov --mail-date "$mail_date" \
  --batch-id "nov-$mail_date"

# The officer's and the case file's documents.
issued="$mail_date 10:00"
$ng render citation CE-2026-0141 --issued "$issued"
$ng render stop-work CE-2026-0174 --recipient owner --issued "$issued"
$ng render closure CE-2026-0182 --issued "$issued"
$ng render field-report CE-2026-0166 --issued "$issued"
# A dangerous building (Code §14-40) waits for a public hearing (LGC §214.001): its notice.
$ng render hearing-notice CE-2026-0148 --recipient owner --issued "$issued" \
  --hearing "2026-12-15 18:00"
$ng db check
echo "demo: the mail batch is in out/nov-$mail_date/ (print.pdf, firm-mailing-book.pdf,"
echo "      manifest.csv, packets/, affidavits/, file-copies/, batch.json); single documents"
echo "      in out/<case number>/; the record (every case, event, document and piece) in"
echo "      var/record.sqlite with its files in var/blobs/"
