"""Draw the sample city seal, config/assets/seal.png (the agency's `logo` in config/agency.yaml).

Two rings, "CITY OF / TOM BEAN / TEXAS" in DejaVu Serif (Debian's fonts-dejavu-core, which
scripts/setup.sh installs) and a lone star under "TEXAS". The star is drawn as a polygon, not
typed as a character: the first seal typed it in a font without that glyph and printed a
missing-glyph box. Pillow only, no downloads; the same fonts give the same image.

Usage:  python scripts/make_seal.py [OUTPUT]   (default: config/assets/seal.png)
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "config" / "assets" / "seal.png"

SIZE = 600
NAVY = (20, 40, 90, 255)
LINES = [("CITY OF", "DejaVuSerif.ttf", 35, 250), ("TOM BEAN", "DejaVuSerif-Bold.ttf", 64, 320),
         ("TEXAS", "DejaVuSerif.ttf", 35, 390)]
"""Text, font file, size in pixels, and the vertical centre of its capitals."""
STAR = (300, 464, 22)
"""Centre x, centre y and outer radius of the star."""


def star(cx: float, cy: float, radius: float) -> list[tuple[float, float]]:
    """A five-pointed star, one point up (inner radius of a regular star: 0.382 × outer)."""
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.382
        angle = math.radians(-90 + 36 * i)
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    return points


def seal() -> Image.Image:
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, SIZE - 10, SIZE - 10), outline=NAVY, width=18)
    draw.ellipse((60, 60, SIZE - 60, SIZE - 60), outline=NAVY, width=6)
    for text, file, size, middle in LINES:
        font = ImageFont.truetype(file, size)
        left, top, right, bottom = font.getbbox(text)
        draw.text(((SIZE - (right - left)) / 2 - left, middle - (top + bottom) / 2), text,
                  font=font, fill=NAVY)
    draw.polygon(star(*STAR), fill=NAVY)
    return image


def main() -> None:
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    seal().save(output, optimize=True)
    print(output)


if __name__ == "__main__":
    main()
