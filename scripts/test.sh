#!/usr/bin/env bash
# Every check the project makes: lint, then the test suite. The tracking tests also run
# against a throwaway PostgreSQL on loopback when one can be started (NOTICEGEN_TEST_POSTGRES=0
# skips it); SQLite is always tested.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
if [ "${NOTICEGEN_TEST_POSTGRES:-1}" = 1 ] && [ -z "${NOTICEGEN_TEST_POSTGRES_URL:-}" ]; then
  url="$(bash scripts/postgres.sh || true)"
  if [ -n "$url" ]; then
    export NOTICEGEN_TEST_POSTGRES_URL="$url"
    echo "test: tracking tests also run against PostgreSQL ($url)"
  fi
fi
.venv/bin/python -m pytest -q "$@"
