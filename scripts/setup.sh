#!/usr/bin/env bash
# Installs what noticegen needs on a fresh Debian machine: WeasyPrint's system libraries and
# fonts (apt-get), a virtualenv in .venv, and the package with its test tools. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

# The Noto fonts draw what Liberation and DejaVu cannot: Vietnamese, Chinese, Japanese, Korean,
# Arabic and colour emoji (the templates' font stacks fall back to them; fontconfig's fc-list
# tells `check` which of them are here).
debs=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 fonts-dejavu-core
      fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji fontconfig poppler-utils
      chromium libzbar0)
if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for pkg in "${debs[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "setup: installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
fi

python="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$python" -m venv .venv
stamp=.venv/.noticegen-installed
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing noticegen and its dependencies into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[dev]'
  echo "$want" > "$stamp"
fi
