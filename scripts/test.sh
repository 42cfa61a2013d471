#!/usr/bin/env bash
# Every check the project makes: lint, then the test suite on the embedded SQLite record, then
# every test that uses the record again on a throwaway PostgreSQL on loopback
# (scripts/postgres.sh installs and starts it; NOTICEGEN_TEST_POSTGRES=0 skips that pass).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
if [ "${NOTICEGEN_TEST_POSTGRES:-1}" = 1 ] && [ -z "${NOTICEGEN_TEST_POSTGRES_URL:-}" ]; then
  url="$(bash scripts/postgres.sh || true)"
  if [ -n "$url" ]; then
    export NOTICEGEN_TEST_POSTGRES_URL="$url"
  fi
fi
.venv/bin/python -m pytest -q "$@"
if [ -n "${NOTICEGEN_TEST_POSTGRES_URL:-}" ]; then
  echo "test: the tests that use the record, again on PostgreSQL ($NOTICEGEN_TEST_POSTGRES_URL)"
  NOTICEGEN_TEST_DATABASE=postgresql .venv/bin/python -m pytest -q -m record "$@"
fi
