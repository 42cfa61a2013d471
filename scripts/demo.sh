#!/usr/bin/env bash
# The quick start: installs what noticegen needs, creates the record and imports the bundled
# examples on the first run, creates one demo user per role (their passwords are printed),
# and starts the service on http://127.0.0.1:8000 (Ctrl-C stops it). Safe to run again: the
# examples, the users and the record are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/signing-key.sh   # documents are signed with a key kept outside the repository

ng=.venv/bin/noticegen
$ng check examples/ >/dev/null
$ng db upgrade
$ng cases import examples/cases

# One demo user per role; their passwords are kept (readable by you alone) in var/.
users=var/demo-users.txt
if [ ! -f "$users" ]; then
  (umask 077; : > "$users.part")
  for role in clerk officer attorney manager admin; do
    officer=""; [ "$role" = officer ] && officer="--officer ofc-garza"
    password="$(.venv/bin/python -c "import secrets; print(secrets.token_urlsafe(12))")"
    if printf '%s\n' "$password" | $ng users add "$role.demo" --role "$role" $officer --password-stdin \
        >/dev/null 2>&1; then
      printf '%-15s %-9s %s\n' "$role.demo" "$role" "$password" >> "$users.part"
    else
      printf '%-15s %-9s %s\n' "$role.demo" "$role" "(made earlier; see noticegen users)" \
        >> "$users.part"
    fi
  done
  mv "$users.part" "$users"
fi
echo "demo: sign in at http://127.0.0.1:8000/ as (name, role, password):"
sed 's/^/  /' "$users"
echo "demo: the public's complaint form (no sign-in): http://127.0.0.1:8000/complaints/new"
echo "      officer.demo is Officer Elena Garza (ofc-garza): her cases at /field, on a phone too"
echo "demo: the record is var/record.sqlite with its files in var/blobs/; readable copies of"
echo "      documents go to out/. Stop the service with Ctrl-C. The command-line batch demo:"
echo "      bash scripts/batch-demo.sh"
exec $ng serve --host 127.0.0.1 --port 8000
