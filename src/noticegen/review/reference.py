"""Print docs/templates.md, the template context reference, from the renderer's own builders:

    .venv/bin/python -m noticegen.review.reference [ROOT] > docs/templates.md
"""

from __future__ import annotations

import sys
from pathlib import Path

from .specimen import Specimens
from .variables import reference


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path.cwd()
    sys.stdout.write(reference(Specimens.of(root)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
