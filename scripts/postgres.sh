#!/usr/bin/env bash
# Starts a throwaway PostgreSQL on loopback for the tracking tests and prints its URL.
# Installs Debian's postgresql when missing. Prints nothing (and exits 0) where it cannot run.
set -euo pipefail
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null || exit 0
  sudo="sudo"
fi
if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    postgresql >/dev/null
fi
pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
data="${TMPDIR:-/tmp}/noticegen-pg"
port=54329
as_pg() { $sudo su postgres -s /bin/sh -c "$1"; }
if [ ! -f "$data/PG_VERSION" ]; then
  $sudo mkdir -p "$data" && $sudo chown postgres "$data"
  as_pg "'$pgbin/initdb' -D '$data' -A trust -U postgres" >/dev/null
fi
if ! as_pg "'$pgbin/pg_ctl' -D '$data' status" >/dev/null 2>&1; then
  as_pg "'$pgbin/pg_ctl' -D '$data' -l '$data/server.log' -w -o \"-p $port -k /tmp -c listen_addresses=127.0.0.1\" start" >/dev/null
fi
as_pg "'$pgbin/createdb' -h 127.0.0.1 -p $port noticegen_test" >/dev/null 2>&1 || true
echo "postgresql+psycopg://postgres@127.0.0.1:$port/noticegen_test"
