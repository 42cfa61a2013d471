#!/usr/bin/env bash
# The main job on the bundled examples: check every input, then produce documents in out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# Documents are signed with a key that never lives in the repository (config: verification).
key_file="${HOME}/.config/noticegen/hmac.key"
if [ -z "${NOTICEGEN_HMAC_KEY:-}" ] && [ ! -f "$key_file" ]; then
  mkdir -p "$(dirname "$key_file")"
  (umask 077; .venv/bin/python -c "import secrets; print(secrets.token_hex(32))" > "$key_file")
  echo "demo: created a document-signing key in $key_file (keep it private)"
fi

ng=.venv/bin/noticegen
$ng check examples/

# The clerk's job: a certified-mail batch of notices of violation for every open case that
# the enforcement ladder allows (the two closed example cases are left out).
mail_date=2026-11-25
cases=()
for f in examples/cases/*.yaml; do
  case "$f" in *CE-2026-0160.yaml|*CE-2026-0182.yaml) continue ;; esac
  cases+=("$f")
done
$ng batch "${cases[@]}" --doc nov --mail-date "$mail_date" --batch-id "nov-$mail_date"

# The officer's and the case file's documents.
issued="$mail_date 10:00"
$ng render warning examples/cases/CE-2026-0163.yaml --variant door-hanger --issued "$issued"
$ng render citation examples/cases/CE-2026-0141.yaml --issued "$issued"
$ng render nov examples/cases/CE-2026-0141.yaml --issued "$issued" --format docx
$ng render stop-work examples/cases/CE-2026-0174.yaml --recipient owner --issued "$issued"
$ng render closure examples/cases/CE-2026-0182.yaml --issued "$issued"
$ng render field-report examples/cases/CE-2026-0166.yaml --issued "$issued"
echo "demo: the mail batch is in out/nov-$mail_date/ (print.pdf, firm-mailing-book.pdf,"
echo "      manifest.csv, packets/, affidavits/, file-copies/, batch.json); single documents"
echo "      in out/<case number>/; every document's record in out/documents.jsonl"
