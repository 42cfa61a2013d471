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
issued="2026-11-25 10:00"
$ng render warning examples/cases/CE-2026-0163.yaml --variant door-hanger --issued "$issued"
$ng render nov examples/cases/CE-2026-0141.yaml --issued "$issued"
$ng render nov examples/cases/CE-2026-0141.yaml --issued "$issued" --format docx
$ng render citation examples/cases/CE-2026-0141.yaml --issued "$issued"
$ng render stop-work examples/cases/CE-2026-0174.yaml --recipient owner --issued "$issued"
$ng render closure examples/cases/CE-2026-0182.yaml --issued "$issued"
$ng render field-report examples/cases/CE-2026-0166.yaml --issued "$issued"
echo "demo: documents are in out/; their records (SHA-256, template id and version) in out/documents.jsonl"
