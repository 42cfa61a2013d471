#!/usr/bin/env bash
# The main job on the bundled examples: check every input, then produce the documents in out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/noticegen check examples/
