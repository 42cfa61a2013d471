#!/usr/bin/env bash
# Documents are signed with a key that never lives in the repository (config: verification):
# creates one in ~/.config/noticegen/hmac.key unless NOTICEGEN_HMAC_KEY is set or the file
# exists. Run by demo.sh and batch-demo.sh after setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

key_file="${HOME}/.config/noticegen/hmac.key"
if [ -z "${NOTICEGEN_HMAC_KEY:-}" ] && [ ! -f "$key_file" ]; then
  mkdir -p "$(dirname "$key_file")"
  (umask 077; .venv/bin/python -c "import secrets; print(secrets.token_hex(32))" > "$key_file")
  echo "demo: created a document-signing key in $key_file (keep it private)"
fi
