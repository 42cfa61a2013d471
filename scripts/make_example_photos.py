"""Draw the example evidence photos used by the case files in examples/cases/.

Deterministic: Pillow only, fixed random seeds, no downloads. Each photo is a simple flat-colour
scene (overgrown grass, a junked car on blocks, a leaning fence, ...) with a caption strip naming
it, saved as a landscape JPEG with EXIF Orientation (274) and, unless the table says otherwise,
EXIF DateTimeOriginal (36867) in the agency's local time.

Photos with orientation 6 are stored rotated (portrait pixels) so that a viewer applying the EXIF
orientation shows them upright, as a phone held sideways would record them.

Usage:  python scripts/make_example_photos.py [OUTPUT_FOLDER]   (default: examples/photos)
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PIL import ExifTags, Image, ImageDraw, ImageFont

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "examples" / "photos"

SEED = 20260901
"""Fixed seed: every photo's random texture is derived from it, the scene and the file name."""
JPEG_QUALITY = 80
DESIGN = (1600, 1200)
"""Scenes are drawn on a canvas of this size, then resized if another size is asked for."""
CAPTION_HEIGHT = 96

TAG_ORIENTATION = 274
TAG_DATETIME_ORIGINAL = 36867
EXIF_TIME_FORMAT = "%Y:%m:%d %H:%M:%S"

# How the stored pixels relate to the upright picture: a viewer applies the EXIF orientation to
# the stored pixels; we store the inverse of that transform.
_STORE_TRANSPOSE = {
    1: None,
    3: Image.Transpose.ROTATE_180,
    6: Image.Transpose.ROTATE_90,    # viewer rotates 90 degrees clockwise to show it upright
    8: Image.Transpose.ROTATE_270,   # viewer rotates 90 degrees counter-clockwise
}

Color = tuple[int, int, int]
Painter = Callable[[ImageDraw.ImageDraw, random.Random], None]

W, H = DESIGN
HORIZON = 560
GROUND_BOTTOM = H - CAPTION_HEIGHT


# --------------------------------------------------------------------------- drawing helpers

def _jitter(rng: random.Random, color: Color, spread: int) -> Color:
    return tuple(max(0, min(255, c + rng.randint(-spread, spread))) for c in color)  # type: ignore[return-value]


def _gradient(d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], top: Color,
              bottom: Color) -> None:
    x0, y0, x1, y1 = box
    span = max(1, y1 - y0)
    for y in range(y0, y1):
        t = (y - y0) / span
        d.line([(x0, y), (x1, y)],
               fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))


def _sky(d: ImageDraw.ImageDraw, rng: random.Random, horizon: int = HORIZON,
         overcast: bool = False) -> None:
    if overcast:
        _gradient(d, (0, 0, W, horizon), (150, 158, 168), (196, 200, 204))
    else:
        _gradient(d, (0, 0, W, horizon), (96, 150, 214), (186, 212, 236))
        for _ in range(3):
            cx, cy = rng.randint(100, W - 100), rng.randint(60, horizon // 2)
            for _ in range(5):
                r = rng.randint(35, 70)
                ox, oy = rng.randint(-90, 90), rng.randint(-20, 20)
                d.ellipse([cx + ox - r, cy + oy - r // 2, cx + ox + r, cy + oy + r // 2],
                          fill=(240, 244, 248))


def _ground(d: ImageDraw.ImageDraw, rng: random.Random, top: int = HORIZON,
            color: Color = (104, 142, 64), blades: int = 900) -> None:
    d.rectangle([0, top, W, GROUND_BOTTOM], fill=color)
    for _ in range(blades):
        x, y = rng.randint(0, W), rng.randint(top, GROUND_BOTTOM)
        d.line([(x, y), (x + rng.randint(-3, 3), y - rng.randint(4, 10))],
               fill=_jitter(rng, color, 22), width=2)


def _tall_grass(d: ImageDraw.ImageDraw, rng: random.Random, box: tuple[int, int, int, int],
                height: tuple[int, int] = (60, 150), count: int = 1400) -> None:
    x0, y0, x1, y1 = box
    for _ in range(count):
        x, y = rng.randint(x0, x1), rng.randint(y0, y1)
        h = rng.randint(*height)
        lean = rng.randint(-25, 25)
        color = _jitter(rng, (88, 128, 44), 16) if rng.random() < 0.88 else (160, 152, 88)
        d.line([(x, y), (x + lean, y - h)], fill=color, width=3)
        if rng.random() < 0.08:  # seed heads
            d.ellipse([x + lean - 5, y - h - 10, x + lean + 5, y - h + 2], fill=(190, 170, 110))


def _road(d: ImageDraw.ImageDraw, rng: random.Random, top: int, bottom: int,
          center_line: bool = True, curb: bool = True) -> None:
    d.rectangle([0, top, W, bottom], fill=(84, 86, 90))
    for _ in range(700):
        x, y = rng.randint(0, W), rng.randint(top, bottom)
        d.point((x, y), fill=_jitter(rng, (96, 98, 102), 18))
    if curb:
        d.rectangle([0, top - 10, W, top], fill=(176, 174, 168))
    if center_line:
        mid = (top + bottom) // 2
        for x in range(0, W, 160):
            d.rectangle([x, mid - 4, x + 90, mid + 4], fill=(226, 196, 60))


def _tree(d: ImageDraw.ImageDraw, rng: random.Random, x: int, base: int, size: int = 1) -> None:
    trunk_w, trunk_h = 26 * size, 150 * size
    d.rectangle([x - trunk_w // 2, base - trunk_h, x + trunk_w // 2, base], fill=(92, 66, 42))
    for _ in range(9):
        r = rng.randint(60, 95) * size
        ox, oy = rng.randint(-80, 80) * size, rng.randint(-90, 30) * size
        d.ellipse([x + ox - r, base - trunk_h + oy - r, x + ox + r, base - trunk_h + oy + r],
                  fill=_jitter(rng, (60, 104, 48), 14))


def _house(d: ImageDraw.ImageDraw, rng: random.Random, x: int, base: int, w: int = 620,
           h: int = 260, wall: Color = (214, 200, 170), roof: Color = (110, 74, 62),
           shabby: bool = False) -> None:
    top = base - h
    d.rectangle([x, top, x + w, base], fill=wall)
    for y in range(top + 18, base, 22):  # siding lines
        d.line([(x, y), (x + w, y)], fill=tuple(max(0, c - 24) for c in wall), width=2)
    if shabby:
        roof_pts = [(x - 40, top), (x + w // 2 - 60, top - 110), (x + w // 2, top - 70),
                    (x + w // 2 + 80, top - 120), (x + w + 40, top)]
    else:
        roof_pts = [(x - 40, top), (x + w // 2, top - 140), (x + w + 40, top)]
    d.polygon(roof_pts, fill=roof)
    door_x = x + w // 2 - 45
    d.rectangle([door_x, base - 170, door_x + 90, base], fill=(120, 80, 50))
    d.ellipse([door_x + 68, base - 90, door_x + 78, base - 80], fill=(210, 190, 90))
    for wx in (x + 60, x + w - 200):
        d.rectangle([wx, top + 60, wx + 140, top + 170], fill=(250, 250, 245))
        if shabby and wx > x + 100:
            d.rectangle([wx + 6, top + 66, wx + 134, top + 164], fill=(40, 40, 44))
            d.line([(wx + 20, top + 70), (wx + 90, top + 150)], fill=(200, 200, 200), width=3)
            d.line([(wx + 90, top + 80), (wx + 50, top + 160)], fill=(200, 200, 200), width=3)
        elif shabby:
            for i in range(4):  # boarded up
                d.rectangle([wx + 2, top + 66 + i * 26, wx + 138, top + 86 + i * 26],
                            fill=_jitter(rng, (150, 118, 80), 12))
        else:
            d.rectangle([wx + 8, top + 68, wx + 132, top + 162], fill=(120, 160, 190))
            d.line([(wx + 70, top + 68), (wx + 70, top + 162)], fill=(250, 250, 245), width=6)
            d.line([(wx + 8, top + 115), (wx + 132, top + 115)], fill=(250, 250, 245), width=6)
    if shabby:
        for _ in range(6):  # missing siding
            px, py = rng.randint(x + 10, x + w - 80), rng.randint(top + 10, base - 60)
            d.rectangle([px, py, px + rng.randint(40, 90), py + rng.randint(20, 50)],
                        fill=(150, 130, 100))


def _car(d: ImageDraw.ImageDraw, rng: random.Random, x: int, base: int, body: Color,
         scale: float = 1.0, on_blocks: bool = False, rust: bool = False, hood_open: bool = False,
         flat: bool = False, pickup: bool = False) -> None:
    s = scale

    def p(px: float, py: float) -> tuple[int, int]:
        return (round(x + px * s), round(base - py * s))

    wheel_y = 40
    lift = 40 if on_blocks else 0
    d.rectangle([*p(0, wheel_y + lift + 90), *p(520, wheel_y + lift)], fill=body)
    if pickup:
        d.polygon([p(250, wheel_y + lift + 90), p(260, wheel_y + lift + 170),
                   p(370, wheel_y + lift + 170), p(420, wheel_y + lift + 90)], fill=body)
        d.polygon([p(275, wheel_y + lift + 98), p(280, wheel_y + lift + 158),
                   p(362, wheel_y + lift + 158), p(404, wheel_y + lift + 98)],
                  fill=(150, 180, 200))
        d.rectangle([*p(0, wheel_y + lift + 115), *p(235, wheel_y + lift + 90)], fill=body)
        d.line([p(0, wheel_y + lift + 115), p(235, wheel_y + lift + 115)],
               fill=tuple(max(0, c - 40) for c in body), width=6)
    else:
        d.polygon([p(90, wheel_y + lift + 90), p(150, wheel_y + lift + 165),
                   p(380, wheel_y + lift + 165), p(440, wheel_y + lift + 90)], fill=body)
        d.polygon([p(110, wheel_y + lift + 96), p(160, wheel_y + lift + 155),
                   p(255, wheel_y + lift + 155), p(255, wheel_y + lift + 96)],
                  fill=(150, 180, 200))
        d.polygon([p(270, wheel_y + lift + 96), p(270, wheel_y + lift + 155),
                   p(370, wheel_y + lift + 155), p(420, wheel_y + lift + 96)],
                  fill=(150, 180, 200))
    if hood_open:  # hinged at the windshield, front edge raised
        d.polygon([p(425, wheel_y + lift + 92), p(440, wheel_y + lift + 88),
                   p(535, wheel_y + lift + 190), p(515, wheel_y + lift + 196)],
                  fill=tuple(max(0, c - 30) for c in body))
        d.rectangle([*p(430, wheel_y + lift + 90), *p(515, wheel_y + lift + 80)],
                    fill=(40, 40, 44))  # open engine bay
    d.rectangle([*p(500, wheel_y + lift + 75), *p(520, wheel_y + lift + 55)],
                fill=(240, 230, 170))  # head lamp
    for wx in (100, 420):
        if on_blocks:
            for i in range(2):  # cinder blocks
                d.rectangle([*p(wx - 45, (i + 1) * 40), *p(wx + 45, i * 40 + 2)],
                            fill=(150, 150, 146), outline=(110, 110, 106), width=3)
                d.rectangle([*p(wx - 30, (i + 1) * 40 - 10), *p(wx - 8, i * 40 + 12)],
                            fill=(90, 90, 88))
                d.rectangle([*p(wx + 8, (i + 1) * 40 - 10), *p(wx + 30, i * 40 + 12)],
                            fill=(90, 90, 88))
        else:
            squash = 14 if flat else 0
            cx, cy = p(wx, wheel_y)
            r = round(42 * s)
            d.ellipse([cx - r - squash, cy - r + squash, cx + r + squash, cy + r],
                      fill=(28, 28, 30))
            d.ellipse([cx - r // 2, cy - r // 2 + squash // 2, cx + r // 2, cy + r // 2],
                      fill=(150, 150, 155))
    if rust:
        for _ in range(14):
            rx, ry = rng.randint(10, 500), rng.randint(wheel_y + lift + 5, wheel_y + lift + 85)
            cx, cy = p(rx, ry)
            r = rng.randint(8, 26)
            d.ellipse([cx - r, cy - r // 2, cx + r, cy + r // 2],
                      fill=_jitter(rng, (140, 74, 36), 16))


def _fence(d: ImageDraw.ImageDraw, rng: random.Random, x0: int, x1: int, base: int,
           height: int = 260, lean_every: int = 0, missing: float = 0.0) -> None:
    board = 28
    post_gap = 8 * board
    for i, bx in enumerate(range(x0, x1, board)):
        if rng.random() < missing:
            continue
        panel = (bx - x0) // post_gap
        lean = 0
        if lean_every and panel % lean_every == 1:
            lean = 95 + (bx - x0) % post_gap // 6
        color = _jitter(rng, (150, 118, 82), 16) if i % 3 else (128, 98, 66)
        d.polygon([(bx, base), (bx + board - 3, base), (bx + board - 3 + lean, base - height),
                   (bx + lean, base - height)], fill=color)
    for px in range(x0, x1, post_gap):
        d.rectangle([px - 6, base - height - 10, px + 6, base + 6], fill=(96, 74, 52))


def _bag(d: ImageDraw.ImageDraw, rng: random.Random, x: int, y: int) -> None:
    r = rng.randint(34, 52)
    color = rng.choice([(26, 28, 30), (40, 60, 44), (60, 60, 64), (200, 200, 196)])
    d.ellipse([x - r, y - r, x + r, y + r // 2], fill=color)
    d.polygon([(x - 10, y - r + 4), (x + 10, y - r + 4), (x, y - r - 18)], fill=color)


def _tire(d: ImageDraw.ImageDraw, x: int, y: int, r: int = 48, water: bool = False) -> None:
    d.ellipse([x - r, y - r // 2, x + r, y + r // 2], fill=(26, 26, 28))
    inner = (70, 96, 70) if water else (60, 60, 58)
    d.ellipse([x - r // 2, y - r // 4, x + r // 2, y + r // 4], fill=inner)


def _box(d: ImageDraw.ImageDraw, rng: random.Random, x: int, y: int) -> None:
    w, h = rng.randint(60, 120), rng.randint(50, 90)
    c = _jitter(rng, (176, 136, 88), 14)
    d.rectangle([x, y - h, x + w, y], fill=c, outline=(120, 90, 60), width=2)
    d.line([(x, y - h + 10), (x + w, y - h + 10)], fill=(150, 112, 70), width=3)


def _branches(d: ImageDraw.ImageDraw, rng: random.Random, box: tuple[int, int, int, int],
              count: int = 220, leaves: bool = True) -> None:
    x0, y0, x1, y1 = box
    cx = (x0 + x1) / 2
    for _ in range(count):
        x = rng.uniform(x0, x1)
        # a mound: higher in the middle
        peak = y1 - (y1 - y0) * (1 - abs(x - cx) / ((x1 - x0) / 2)) ** 0.7
        y = rng.uniform(peak, y1)
        ang = rng.uniform(-math.pi, 0)
        length = rng.uniform(40, 140)
        d.line([(x, y), (x + length * math.cos(ang), y + length * math.sin(ang) * 0.5)],
               fill=_jitter(rng, (104, 78, 50), 18), width=rng.randint(3, 8))
        if leaves and rng.random() < 0.35:
            r = rng.randint(6, 14)
            d.ellipse([x - r, y - r, x + r, y + r], fill=_jitter(rng, (150, 120, 60), 25))


def _dirt_pile(d: ImageDraw.ImageDraw, rng: random.Random, cx: int, base: int, w: int,
               h: int, color: Color = (132, 98, 64)) -> None:
    d.pieslice([cx - w // 2, base - h, cx + w // 2, base + h], 180, 360, fill=color)
    for _ in range(180):
        x = rng.randint(cx - w // 2 + 20, cx + w // 2 - 20)
        y = rng.randint(base - h + 30, base - 4)
        if ((x - cx) / (w / 2)) ** 2 + ((base - y) / h) ** 2 < 0.95:
            r = rng.randint(2, 6)
            d.ellipse([x - r, y - r, x + r, y + r], fill=_jitter(rng, color, 24))


def _yardstick(d: ImageDraw.ImageDraw, x: int, base: int, height: int = 300,
               font: ImageFont.FreeTypeFont | ImageFont.ImageFont | None = None) -> None:
    d.rectangle([x, base - height, x + 22, base], fill=(236, 206, 70), outline=(60, 50, 20))
    for i in range(0, height, height // 12):
        d.line([(x, base - i), (x + (14 if i % (height // 4) == 0 else 7), base - i)],
               fill=(40, 30, 10), width=2)
    if font is not None:
        d.text((x + 30, base - height - 4), '24"', fill=(250, 240, 180), font=font)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _sign(d: ImageDraw.ImageDraw, x: int, base: int, text: str, w: int = 300) -> None:
    d.rectangle([x + 20, base - 200, x + 32, base], fill=(90, 70, 50))
    d.rectangle([x + w - 32, base - 200, x + w - 20, base], fill=(90, 70, 50))
    d.rectangle([x, base - 300, x + w, base - 190], fill=(245, 240, 226), outline=(60, 40, 30),
                width=4)
    d.text((x + w // 2, base - 245), text, fill=(170, 30, 30), font=_font(38), anchor="mm")


# --------------------------------------------------------------------------- scenes

def scene_overgrown_grass(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng)
    _ground(d, rng, blades=0)
    _tree(d, rng, 1380, HORIZON + 40)
    _house(d, rng, 440, HORIZON + 60)
    _tall_grass(d, rng, (0, HORIZON + 20, W, GROUND_BOTTOM), height=(90, 260), count=800)
    _yardstick(d, 260, GROUND_BOTTOM - 60, font=_font(30))


def scene_grass_strip(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng)
    _ground(d, rng, top=HORIZON - 40, blades=0)
    _fence(d, rng, 0, W, HORIZON + 80, height=200)
    _road(d, rng, 900, GROUND_BOTTOM, center_line=False, curb=False)
    _tall_grass(d, rng, (0, HORIZON + 90, W, 900), height=(80, 220), count=950)
    _yardstick(d, 700, 880, font=_font(30))


def scene_junked_car(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng)
    _ground(d, rng)
    _house(d, rng, 900, HORIZON + 40, w=560, wall=(200, 196, 184))
    d.polygon([(120, GROUND_BOTTOM), (620, HORIZON + 60), (860, HORIZON + 60),
               (760, GROUND_BOTTOM)], fill=(170, 166, 158))  # driveway
    _tall_grass(d, rng, (160, 900, 1000, 930), height=(20, 60), count=220)
    _car(d, rng, 230, 940, (120, 130, 150), scale=1.35, on_blocks=True, rust=True)
    d.ellipse([1050, 980, 1210, 1040], fill=(26, 26, 28))  # loose tyre
    d.ellipse([1095, 996, 1165, 1024], fill=(70, 70, 68))


def scene_junked_truck(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng, overcast=True)
    _ground(d, rng, color=(120, 136, 70))
    _fence(d, rng, 0, W, HORIZON + 40, height=180)
    _car(d, rng, 260, 980, (150, 40, 36), scale=1.6, rust=True, flat=True, hood_open=True,
         pickup=True)
    _tall_grass(d, rng, (200, 900, 1200, 1000), height=(40, 110), count=500)
    d.rectangle([1250, 900, 1330, 990], fill=(90, 90, 90))  # engine parts
    d.rectangle([1340, 940, 1460, 990], fill=(70, 70, 74))


def scene_rubbish_pile(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng)
    _ground(d, rng)
    _house(d, rng, 80, HORIZON + 40, w=500, wall=(220, 214, 196))
    d.rectangle([700, 700, 1100, 760], fill=(226, 220, 200), outline=(150, 140, 120),
                width=4)  # mattress
    d.polygon([(1150, 760), (1350, 760), (1330, 660), (1170, 660)], fill=(120, 90, 70))  # chair
    for _ in range(12):
        _box(d, rng, rng.randint(620, 1400), rng.randint(820, 1000))
    for _ in range(18):
        _bag(d, rng, rng.randint(600, 1450), rng.randint(850, 1050))
    d.rectangle([1420, 720, 1560, 1000], fill=(236, 236, 232), outline=(160, 160, 160),
                width=4)  # old refrigerator
    d.line([(1440, 820), (1540, 820)], fill=(160, 160, 160), width=4)


def scene_tire_pile(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng)
    _ground(d, rng)
    _fence(d, rng, 0, W, HORIZON + 60, height=200)
    for row in range(5):
        for col in range(9 - row):
            _tire(d, 360 + col * 110 + row * 55, 1000 - row * 48, water=row == 0 and col % 3 == 0)
    _branches(d, rng, (1250, 800, 1580, 1040), count=90)


def scene_brush_pile(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng)
    _ground(d, rng)
    _house(d, rng, 950, HORIZON + 30, w=520, wall=(236, 232, 220), roof=(80, 84, 92))
    _tree(d, rng, 180, HORIZON + 20)
    _branches(d, rng, (200, 700, 1250, 1060), count=420)
    for _ in range(5):
        _bag(d, rng, rng.randint(1250, 1500), rng.randint(960, 1060))


def scene_open_storage(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng)
    _ground(d, rng, color=(126, 140, 80))
    _fence(d, rng, 0, W, HORIZON + 40, height=170, missing=0.15)
    for i in range(9):  # lumber stack
        d.rectangle([100, 900 - i * 22, 620, 920 - i * 22],
                    fill=_jitter(rng, (184, 150, 100), 14), outline=(130, 100, 60))
    for i in range(6):  # pipe
        d.ellipse([700 + i * 40, 930, 740 + i * 40, 970], fill=(120, 124, 130))
        d.rectangle([700 + i * 40, 930, 720 + i * 40, 970], fill=(150, 154, 160))
    d.rectangle([1000, 860, 1160, 1000], fill=(76, 78, 80))  # engine block
    for i in range(4):
        d.ellipse([1010 + i * 36, 840, 1040 + i * 36, 870], fill=(60, 60, 62))
    d.rectangle([1220, 700, 1380, 1000], fill=(236, 236, 230), outline=(150, 150, 150),
                width=4)  # refrigerator
    d.rectangle([1400, 840, 1560, 1000], fill=(224, 224, 220), outline=(150, 150, 150),
                width=4)  # washer
    d.ellipse([1440, 870, 1520, 950], fill=(80, 90, 100))
    for _ in range(40):  # scrap metal
        x, y = rng.randint(640, 1000), rng.randint(1000, 1080)
        d.line([(x, y), (x + rng.randint(-60, 60), y - rng.randint(5, 40))],
               fill=_jitter(rng, (130, 110, 100), 30), width=rng.randint(3, 7))


def scene_leaning_fence(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng)
    _ground(d, rng, top=HORIZON - 20)
    _road(d, rng, 960, GROUND_BOTTOM)
    _fence(d, rng, 40, W - 40, 900, height=330, lean_every=2, missing=0.12)
    _tall_grass(d, rng, (0, 880, W, 950), height=(20, 60), count=400)


def scene_broken_fence_detail(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _gradient(d, (0, 0, W, GROUND_BOTTOM), (120, 150, 90), (90, 120, 60))
    for i, bx in enumerate(range(60, W - 60, 130)):
        if i == 5:
            continue  # missing board
        color = _jitter(rng, (150, 116, 80), 14) if i % 4 else (112, 96, 80)
        top = 80 if i not in (3, 8) else 320
        d.rectangle([bx, top, bx + 118, GROUND_BOTTOM - 40], fill=color)
        for _ in range(6):  # grain
            gx = rng.randint(bx + 8, bx + 110)
            d.line([(gx, top + 20), (gx + rng.randint(-6, 6), GROUND_BOTTOM - 60)],
                   fill=_jitter(rng, color, 18), width=2)
        if i in (3, 8):  # broken, jagged top
            d.polygon([(bx, top), (bx + 40, top - 60), (bx + 70, top - 10), (bx + 118, top - 80),
                       (bx + 118, top)], fill=color)
    d.rectangle([0, 430, W, 470], fill=(118, 90, 62))  # rail
    d.polygon([(720, 470), (760, 470), (900, 1020), (860, 1020)], fill=(90, 70, 50))  # post
    d.rectangle([700, 600, 790, 700], fill=(70, 60, 40))  # rot
    for nx in (300, 560, 1240):
        d.line([(nx, 450), (nx + 34, 430)], fill=(150, 150, 156), width=5)  # exposed nails


def scene_rv_on_street(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng)
    _ground(d, rng, top=HORIZON - 30)
    _house(d, rng, 880, HORIZON + 30, w=560, wall=(196, 210, 220))
    _tree(d, rng, 300, HORIZON + 10)
    _road(d, rng, 820, GROUND_BOTTOM)
    x, base = 120, 1000
    d.rounded_rectangle([x, 560, x + 1150, base - 60], radius=40, fill=(242, 240, 232))
    d.rectangle([x, 760, x + 1150, 790], fill=(64, 96, 140))
    d.rectangle([x, 800, x + 1150, 818], fill=(150, 60, 50))
    for wx in range(x + 240, x + 1000, 230):
        d.rectangle([wx, 620, wx + 150, 720], fill=(60, 70, 80))
    d.polygon([(x + 1150, 600), (x + 1290, 700), (x + 1290, base - 60), (x + 1150, base - 60)],
              fill=(236, 234, 226))  # cab
    d.polygon([(x + 1160, 620), (x + 1270, 705), (x + 1160, 705)], fill=(120, 150, 170))
    d.rectangle([x + 60, 640, x + 170, 900], fill=(210, 206, 196), outline=(150, 150, 150))
    for wx in (x + 200, x + 320, x + 1060):
        d.ellipse([wx - 60, base - 120, wx + 60, base], fill=(28, 28, 30))
        d.ellipse([wx - 28, base - 88, wx + 28, base - 32], fill=(160, 160, 164))


def scene_abandoned_car(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng, overcast=True)
    _ground(d, rng, color=(128, 136, 72))
    _tree(d, rng, 1400, HORIZON + 30)
    _tall_grass(d, rng, (0, HORIZON + 40, W, GROUND_BOTTOM), height=(40, 120), count=1200)
    _car(d, rng, 330, 1000, (190, 180, 150), scale=1.45, rust=True, flat=True)
    d.rectangle([720, 735, 800, 790], fill=(250, 130, 20), outline=(120, 60, 0),
                width=3)  # orange tow notice on the windshield


def scene_unpermitted_shed(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng)
    _ground(d, rng)
    _fence(d, rng, 0, W, HORIZON + 30, height=190)
    x, base = 380, 980
    d.rectangle([x, 560, x + 820, base], fill=(168, 174, 170))
    for rx in range(x, x + 820, 24):  # corrugated metal ribs
        d.line([(rx, 560), (rx, base)], fill=(140, 146, 142), width=4)
    d.polygon([(x - 40, 570), (x + 410, 430), (x + 860, 570)], fill=(120, 126, 130))
    d.rectangle([x + 230, 700, x + 590, base], fill=(220, 222, 218), outline=(120, 120, 120),
                width=4)  # roll-up door
    for ry in range(710, base, 28):
        d.line([(x + 232, ry), (x + 588, ry)], fill=(180, 182, 178), width=3)
    d.rectangle([x + 660, 760, x + 760, base], fill=(110, 90, 70))  # man door
    for i in range(5):  # fresh lumber offcuts
        d.rectangle([1260 + i * 10, 1010 - i * 18, 1560 - i * 12, 1026 - i * 18],
                    fill=_jitter(rng, (214, 182, 130), 10))
    _dirt_pile(d, rng, 200, 1040, 260, 80, color=(150, 120, 90))


def scene_carport(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng)
    _ground(d, rng)
    _house(d, rng, 820, HORIZON + 60, w=640)
    _road(d, rng, 1040, GROUND_BOTTOM, center_line=False)
    d.rectangle([120, 700, 760, 1040], fill=(170, 168, 162))  # driveway slab
    _car(d, rng, 180, 1000, (40, 70, 120), scale=1.05)
    for px in (140, 420, 720):
        d.rectangle([px, 560, px + 16, 1020], fill=(200, 204, 210))
    d.polygon([(100, 560), (780, 520), (780, 560), (100, 600)], fill=(196, 60, 50))  # red roof
    for rx in range(110, 780, 30):
        d.line([(rx, 562 - (rx - 100) * 40 // 680), (rx, 598 - (rx - 100) * 40 // 680)],
               fill=(160, 44, 38), width=3)


def scene_framing_addition(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng)
    _ground(d, rng)
    _house(d, rng, 120, HORIZON + 120, w=620)
    x0, x1, top, base = 760, 1380, 450, HORIZON + 120
    d.rectangle([x0, base - 12, x1, base], fill=(200, 170, 120))  # sill plate
    d.rectangle([x0, top, x1, top + 12], fill=(200, 170, 120))    # top plate
    for sx in range(x0, x1 + 1, 40):
        d.rectangle([sx, top, sx + 10, base], fill=(214, 184, 134))
    d.polygon([(x0, top), ((x0 + x1) // 2, top - 150), (x1, top)], outline=(214, 184, 134),
              width=10)
    for rx in range(x0 + 60, x1, 80):  # rafters
        d.line([(rx, top), ((x0 + x1) // 2, top - 150)], fill=(204, 176, 128), width=6)
    d.rectangle([x0 + 200, top + 120, x0 + 360, top + 260], fill=(104, 142, 64))  # window hole
    for i in range(6):  # lumber on ground
        d.rectangle([1050, 1000 - i * 16, 1560, 1014 - i * 16],
                    fill=_jitter(rng, (214, 182, 130), 10))
    for sx in (860, 980):  # saw horses
        d.line([(sx, 940), (sx - 30, 1030)], fill=(230, 190, 60), width=8)
        d.line([(sx, 940), (sx + 30, 1030)], fill=(230, 190, 60), width=8)
    d.rectangle([830, 930, 1010, 945], fill=(230, 190, 60))


def scene_trench_right_of_way(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng)
    _ground(d, rng, top=HORIZON - 40)
    _road(d, rng, 940, GROUND_BOTTOM)
    d.polygon([(40, 830), (1000, 830), (1010, 880), (30, 880)], fill=(62, 42, 28))  # trench
    d.polygon([(60, 842), (990, 842), (996, 870), (50, 870)], fill=(36, 24, 16))
    d.polygon([(900, 830), (1000, 830), (1010, 1060), (890, 1060)], fill=(62, 42, 28))
    d.polygon([(915, 880), (990, 880), (996, 1050), (905, 1050)], fill=(36, 24, 16))  # road cut
    for _ in range(90):  # broken asphalt
        x, y = rng.randint(840, 1070), rng.randint(940, 1080)
        r = rng.randint(4, 12)
        d.rectangle([x - r, y - r // 2, x + r, y + r // 2], fill=_jitter(rng, (70, 70, 74), 12))
    _dirt_pile(d, rng, 500, 826, 820, 150)
    # small excavator
    d.rectangle([1260, 760, 1480, 880], fill=(236, 180, 30))
    d.rectangle([1300, 680, 1420, 770], fill=(236, 180, 30))
    d.rectangle([1316, 694, 1404, 750], fill=(120, 150, 170))
    d.rounded_rectangle([1240, 870, 1500, 930], radius=26, fill=(40, 40, 40))
    d.line([(1270, 780), (1160, 680), (1090, 800)], fill=(220, 164, 20), width=22)
    d.polygon([(1070, 790), (1130, 800), (1100, 850)], fill=(60, 60, 60))


def scene_standing_sewage(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng, overcast=True)
    _ground(d, rng)
    _house(d, rng, 160, HORIZON + 60, w=700, wall=(210, 206, 196))
    d.rectangle([980, 760, 1004, 880], fill=(236, 236, 232))  # septic clean-out pipe
    d.rectangle([972, 752, 1012, 770], fill=(220, 220, 216))
    for _ in range(14):
        cx, cy = rng.randint(760, 1380), rng.randint(860, 1040)
        rx, ry = rng.randint(80, 200), rng.randint(25, 60)
        d.ellipse([cx - rx, cy - ry, cx + rx, cy + ry], fill=_jitter(rng, (74, 76, 52), 8))
    for _ in range(10):  # scum
        cx, cy = rng.randint(800, 1340), rng.randint(880, 1020)
        d.ellipse([cx - 20, cy - 6, cx + 20, cy + 6], fill=(120, 116, 80))
    for _ in range(60):  # flies
        fx, fy = rng.randint(760, 1360), rng.randint(780, 960)
        d.ellipse([fx, fy, fx + 4, fy + 4], fill=(20, 20, 20))


def scene_sewage_ditch(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng, overcast=True)
    _ground(d, rng, top=HORIZON - 40)
    _road(d, rng, 1000, GROUND_BOTTOM, curb=False)
    d.polygon([(0, 780), (W, 720), (W, 960), (0, 990)], fill=(110, 132, 60))  # ditch bank
    d.polygon([(0, 870), (W, 830), (W, 880), (0, 920)], fill=(70, 74, 50))    # effluent
    for _ in range(40):
        x = rng.randint(0, W)
        y = 870 - x * 40 // W + rng.randint(0, 40)
        d.ellipse([x - 14, y - 4, x + 14, y + 4], fill=(140, 136, 92))
    d.rectangle([200, 620, 330, 780], fill=(90, 90, 96))  # culvert headwall
    d.ellipse([225, 690, 305, 770], fill=(30, 30, 34))


def scene_dangerous_garage(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng, overcast=True)
    _ground(d, rng, color=(120, 130, 70))
    _tree(d, rng, 1450, HORIZON + 20)
    x, base = 260, 1010
    d.polygon([(x, base), (x + 30, 500), (x + 980, 540), (x + 960, base)], fill=(170, 160, 140))
    d.polygon([(x - 30, 510), (x + 300, 380), (x + 480, 560), (x + 700, 420), (x + 1010, 550)],
              fill=(90, 70, 60))  # roof caved in at the middle
    d.polygon([(x + 300, 380), (x + 480, 560), (x + 700, 420), (x + 500, 470)],
              fill=(40, 34, 30))  # hole in the roof
    d.rectangle([x + 200, 700, x + 640, base], fill=(30, 30, 32))  # open bay, no door
    d.polygon([(x + 640, 700), (x + 760, 760), (x + 740, base), (x + 640, base)],
              fill=(140, 120, 96))  # door hanging off
    for _ in range(10):
        px, py = rng.randint(x + 40, x + 900), rng.randint(560, 960)
        if not (x + 190 < px < x + 650 and py > 690):
            d.rectangle([px, py, px + rng.randint(30, 80), py + rng.randint(20, 60)],
                        fill=(110, 96, 80))
    _branches(d, rng, (x + 700, 900, x + 1150, 1060), count=70, leaves=False)
    _tall_grass(d, rng, (0, 960, W, GROUND_BOTTOM), height=(30, 90), count=600)


def scene_stagnant_pool(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng)
    _ground(d, rng, top=HORIZON - 60)
    _fence(d, rng, 0, W, HORIZON + 40, height=220)
    d.polygon([(180, 700), (1420, 700), (1560, 1060), (40, 1060)], fill=(214, 210, 200))  # deck
    d.polygon([(280, 740), (1320, 740), (1430, 1010), (170, 1010)], fill=(54, 86, 40))  # water
    for _ in range(60):  # algae
        cx, cy = rng.randint(300, 1300), rng.randint(760, 990)
        r = rng.randint(10, 40)
        d.ellipse([cx - r, cy - r // 3, cx + r, cy + r // 3], fill=_jitter(rng, (80, 110, 46), 16))
    for _ in range(8):  # leaves floating
        cx, cy = rng.randint(300, 1300), rng.randint(760, 990)
        d.ellipse([cx - 12, cy - 5, cx + 12, cy + 5], fill=(150, 110, 50))
    d.line([(1330, 690), (1330, 1000)], fill=(200, 200, 206), width=8)  # ladder
    d.line([(1380, 690), (1380, 1000)], fill=(200, 200, 206), width=8)


def scene_debris_in_road(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng)
    _ground(d, rng, top=HORIZON - 40)
    _house(d, rng, 900, HORIZON + 40, w=520, wall=(230, 220, 200))
    _road(d, rng, 760, GROUND_BOTTOM)
    _dirt_pile(d, rng, 640, 960, 620, 190)
    for _ in range(400):  # gravel spread across the lane
        x, y = rng.randint(300, 1200), rng.randint(880, 1090)
        r = rng.randint(2, 7)
        d.ellipse([x - r, y - r, x + r, y + r], fill=_jitter(rng, (150, 140, 122), 14))
    _branches(d, rng, (1050, 840, 1500, 1000), count=90)


def scene_filled_ditch(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng)
    _ground(d, rng, top=HORIZON - 40)
    _road(d, rng, 1000, GROUND_BOTTOM, curb=False)
    d.polygon([(0, 760), (W, 740), (W, 980), (0, 990)], fill=(110, 132, 60))
    _dirt_pile(d, rng, 800, 990, 1100, 180, color=(140, 104, 70))
    d.rectangle([1380, 900, 1500, 990], fill=(100, 100, 106))  # culvert, half buried
    d.pieslice([1395, 915, 1485, 1065], 180, 360, fill=(30, 30, 34))
    d.ellipse([200, 1010, 760, 1060], fill=(120, 130, 140))  # water ponding on the road


def scene_auto_repair_yard(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng)
    _ground(d, rng, color=(118, 132, 74))
    _house(d, rng, 1000, HORIZON + 20, w=500, wall=(226, 220, 206))
    _car(d, rng, 60, 880, (30, 90, 60), scale=0.9, hood_open=True)
    _car(d, rng, 560, 900, (200, 200, 196), scale=0.9, flat=True)
    _car(d, rng, 220, 1060, (150, 30, 30), scale=1.0, on_blocks=True)
    # engine hoist
    d.line([(1030, 1040), (1090, 760)], fill=(200, 40, 30), width=14)
    d.line([(1090, 760), (1260, 800)], fill=(200, 40, 30), width=14)
    d.line([(1260, 800), (1260, 880)], fill=(60, 60, 60), width=4)
    d.rectangle([1220, 880, 1300, 950], fill=(80, 80, 84))
    for i in range(4):
        _tire(d, 1420, 1050 - i * 40, r=58)
    d.rectangle([1120, 970, 1190, 1060], fill=(40, 70, 120))  # oil drum
    _sign(d, 1240, 760, "AUTO REPAIR", w=320)


def scene_cars_on_highway(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng, overcast=True)
    _ground(d, rng, top=HORIZON - 40, color=(118, 132, 74))
    _house(d, rng, 140, HORIZON + 20, w=480, wall=(226, 220, 206))
    _road(d, rng, 1000, GROUND_BOTTOM)
    for i, color in enumerate([(200, 200, 196), (60, 60, 66), (150, 130, 40), (40, 80, 140)]):
        _car(d, rng, 40 + i * 390, 980, color, scale=0.68, flat=i == 2, hood_open=i == 1)
    for i in range(3):
        _tire(d, 900 + i * 130, 780, r=50)
    _sign(d, 1220, 760, "AUTO REPAIR", w=320)


def scene_oil_in_ditch(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng)
    _ground(d, rng, top=HORIZON - 40)
    _road(d, rng, 1010, GROUND_BOTTOM, curb=False)
    d.polygon([(0, 780), (W, 760), (W, 990), (0, 1000)], fill=(108, 126, 60))
    d.polygon([(0, 880), (W, 860), (W, 920), (0, 940)], fill=(60, 76, 80))  # water
    for _ in range(30):  # oil sheen
        cx, cy = rng.randint(200, 1300), rng.randint(870, 925)
        r = rng.randint(20, 60)
        d.ellipse([cx - r, cy - 8, cx + r, cy + 8],
                  fill=rng.choice([(30, 28, 26), (90, 60, 110), (60, 110, 120), (140, 120, 60)]))
    for i in range(3):  # oil jugs at the edge
        d.rounded_rectangle([1160 + i * 90, 760, 1220 + i * 90, 850], radius=10,
                            fill=(20, 20, 22))
    d.rectangle([1460, 700, 1560, 850], fill=(40, 70, 120))  # drum


def scene_shipping_container(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng)
    _ground(d, rng)
    _house(d, rng, 60, HORIZON + 60, w=520)
    _fence(d, rng, 1480, W, HORIZON + 100, height=200)
    x0, y0, x1, y1 = 640, 600, 1460, 980
    d.rectangle([x0, y0, x1, y1], fill=(160, 70, 46))
    for rx in range(x0, x1, 22):
        d.line([(rx, y0), (rx, y1)], fill=(130, 54, 36), width=6)
    d.rectangle([x0, y0, x1, y0 + 16], fill=(120, 50, 34))
    d.rectangle([x0, y1 - 16, x1, y1], fill=(120, 50, 34))
    for _ in range(10):  # rust streaks
        sx = rng.randint(x0, x1)
        d.line([(sx, y0 + 20), (sx + rng.randint(-4, 4), y0 + rng.randint(60, 200))],
               fill=(110, 60, 30), width=5)


def scene_home_business(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(d, rng)
    _ground(d, rng)
    _house(d, rng, 820, HORIZON + 40, w=640)
    _road(d, rng, 1020, GROUND_BOTTOM, center_line=False)
    d.rectangle([40, 860, 760, 900], fill=(60, 60, 64))  # utility trailer
    d.rectangle([40, 780, 60, 900], fill=(60, 60, 64))
    d.rectangle([740, 780, 760, 900], fill=(60, 60, 64))
    for wx in (300, 420):
        d.ellipse([wx - 40, 880, wx + 40, 960], fill=(28, 28, 30))
    for i in range(3):  # riding mowers on the trailer
        mx = 90 + i * 220
        d.rectangle([mx, 780, mx + 180, 860], fill=(40, 120, 50))
        d.rectangle([mx + 70, 730, mx + 110, 790], fill=(30, 30, 30))
        d.ellipse([mx - 10, 820, mx + 50, 880], fill=(28, 28, 30))
    for i in range(5):  # push mowers and fuel cans in the front yard
        px = 860 + i * 130
        d.rectangle([px, 930, px + 90, 980], fill=(200, 60, 40))
        d.line([(px + 90, 930), (px + 130, 860)], fill=(40, 40, 40), width=6)
        d.rounded_rectangle([px + 20, 990, px + 60, 1010], radius=4, fill=(220, 40, 30))
    _sign(d, 1260, 900, "J&M LAWN", w=280)


SCENES: dict[str, tuple[str, Painter]] = {
    "overgrown_grass": ("Overgrown grass and weeds in the front yard", scene_overgrown_grass),
    "grass_strip": ("High weeds between the lot line and the pavement", scene_grass_strip),
    "junked_car": ("Junked car on blocks in the driveway", scene_junked_car),
    "junked_truck": ("Wrecked pickup truck, flat tires, hood open", scene_junked_truck),
    "rubbish_pile": ("Pile of rubbish, bags, mattress and appliances", scene_rubbish_pile),
    "tire_pile": ("Discarded tires stacked in the yard", scene_tire_pile),
    "brush_pile": ("Brush and limb pile in the yard", scene_brush_pile),
    "open_storage": ("Lumber, scrap, engine block and appliances stored outdoors",
                     scene_open_storage),
    "leaning_fence": ("Leaning privacy fence with missing boards", scene_leaning_fence),
    "broken_fence_detail": ("Broken boards, rotted post and exposed nails",
                            scene_broken_fence_detail),
    "rv_on_street": ("Motor home parked on a residential street", scene_rv_on_street),
    "abandoned_car": ("Abandoned car with flat tires, tow notice on windshield",
                      scene_abandoned_car),
    "unpermitted_shed": ("Metal shop building erected without a permit", scene_unpermitted_shed),
    "carport": ("Carport built in the front yard without a permit", scene_carport),
    "framing_addition": ("Room addition being framed without a permit", scene_framing_addition),
    "trench_right_of_way": ("Trench dug across the right-of-way without a permit",
                            scene_trench_right_of_way),
    "standing_sewage": ("Standing sewage water around the septic clean-out",
                        scene_standing_sewage),
    "sewage_ditch": ("Sewage running in the roadside ditch", scene_sewage_ditch),
    "dangerous_garage": ("Detached garage with collapsed roof, open to entry",
                         scene_dangerous_garage),
    "stagnant_pool": ("Green, stagnant swimming pool water", scene_stagnant_pool),
    "debris_in_road": ("Dirt, gravel and limbs left in the street", scene_debris_in_road),
    "filled_ditch": ("Drainage ditch filled with dirt, culvert blocked", scene_filled_ditch),
    "auto_repair_yard": ("Vehicle repair business in a residential yard",
                         scene_auto_repair_yard),
    "cars_on_highway": ("Customer cars waiting for repair along the highway",
                        scene_cars_on_highway),
    "oil_in_ditch": ("Motor oil in the roadside ditch", scene_oil_in_ditch),
    "shipping_container": ("Shipping container in the side yard", scene_shipping_container),
    "home_business": ("Lawn-service trailer and equipment kept in the front yard",
                      scene_home_business),
}


# --------------------------------------------------------------------------- photos

def _caption(d: ImageDraw.ImageDraw, text: str) -> None:
    d.rectangle([0, H - CAPTION_HEIGHT, W, H], fill=(24, 26, 30))
    d.text((32, H - CAPTION_HEIGHT // 2), text, fill=(250, 250, 250), font=_font(44), anchor="lm")
    d.text((W - 32, H - CAPTION_HEIGHT // 2), "EXAMPLE PHOTO", fill=(190, 190, 190),
           font=_font(26), anchor="rm")


def render_scene(scene: str, seed: str | int = SEED, size: tuple[int, int] = DESIGN
                 ) -> Image.Image:
    """The upright picture of a scene, with its caption strip."""
    try:
        caption, painter = SCENES[scene]
    except KeyError:
        raise KeyError(f"unknown scene {scene!r}; known: {', '.join(SCENES)}") from None
    image = Image.new("RGB", DESIGN, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    painter(draw, random.Random(f"{SEED}:{scene}:{seed}"))
    _caption(draw, caption)
    if size != DESIGN:
        image = image.resize(size, Image.Resampling.LANCZOS)
    return image


def make_photo(path: Path | str, scene: str, taken: datetime | None, orientation: int = 1,
               size: tuple[int, int] = DESIGN) -> Path:
    """Write one example JPEG: `scene` drawn upright at `size`, stored per EXIF `orientation`.

    `taken` (local wall-clock time) becomes EXIF DateTimeOriginal; None leaves it out.
    Orientation 6 stores the pixels rotated so a viewer applying EXIF shows them upright.
    """
    path = Path(path)
    if orientation not in _STORE_TRANSPOSE:
        raise ValueError(f"orientation {orientation} is not supported; use 1, 3, 6 or 8")
    image = render_scene(scene, seed=path.name, size=size)
    transpose = _STORE_TRANSPOSE[orientation]
    if transpose is not None:
        image = image.transpose(transpose)
    exif = Image.Exif()
    exif[TAG_ORIENTATION] = orientation
    exif[ExifTags.Base.Make] = "noticegen"
    exif[ExifTags.Base.Model] = "example photo generator"
    if taken is not None:
        stamp = taken.strftime(EXIF_TIME_FORMAT)
        exif[ExifTags.Base.DateTime] = stamp
        exif.get_ifd(ExifTags.IFD.Exif)[TAG_DATETIME_ORIGINAL] = stamp
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=JPEG_QUALITY, optimize=True, exif=exif)
    return path


def _t(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M")


PHOTOS: dict[str, tuple[str, datetime | None, int]] = {
    # file name: (scene, EXIF DateTimeOriginal in local time or None, EXIF orientation)
    "0141_grass_front.jpg": ("overgrown_grass", _t("2026-09-03 10:13"), 1),
    "0141_grass_strip.jpg": ("grass_strip", _t("2026-09-03 10:16"), 6),
    "0144_open_storage.jpg": ("open_storage", _t("2026-09-04 15:41"), 1),
    "0148_garage_collapse.jpg": ("dangerous_garage", _t("2026-09-08 14:21"), 1),
    "0148_pool_green.jpg": ("stagnant_pool", _t("2026-09-08 14:33"), 1),
    "0152_junked_car.jpg": ("junked_car", _t("2026-09-11 09:06"), 1),
    "0157_sewage_yard.jpg": ("standing_sewage", _t("2026-09-16 08:41"), 6),
    "0157_sewage_ditch.jpg": ("sewage_ditch", _t("2026-09-16 08:44"), 1),
    "0160_rv_street.jpg": ("rv_on_street", _t("2026-09-21 07:56"), 1),
    "0166_rubbish_yard.jpg": ("rubbish_pile", _t("2026-10-02 13:31"), 1),
    "0166_rubbish_tires.jpg": ("tire_pile", _t("2026-10-02 13:33"), 1),
    "0166_junked_truck.jpg": ("junked_truck", _t("2026-10-02 13:36"), 1),
    "0166_junked_car.jpg": ("junked_car", _t("2026-10-02 13:37"), 1),
    "0166_grass.jpg": ("overgrown_grass", _t("2026-10-02 13:40"), 1),
    "0166_container.jpg": ("shipping_container", _t("2026-10-02 13:44"), 1),
    "0171_fence_street.jpg": ("leaning_fence", _t("2026-10-05 11:11"), 1),
    "0171_fence_detail.jpg": ("broken_fence_detail", _t("2026-10-05 11:14"), 6),
    "0174_addition_framing.jpg": ("framing_addition", _t("2026-10-08 09:21"), 1),
    "0174_row_trench.jpg": ("trench_right_of_way", _t("2026-10-08 09:29"), 1),
    "0178_dirt_in_street.jpg": ("debris_in_road", _t("2026-10-13 16:06"), 1),
    "0178_ditch_filled.jpg": ("filled_ditch", _t("2026-10-13 16:11"), 1),
    "0182_brush_pile.jpg": ("brush_pile", _t("2026-10-19 10:46"), 1),
    "0185_auto_repair.jpg": ("auto_repair_yard", _t("2026-10-22 15:01"), 1),
    "0185_oil_ditch.jpg": ("oil_in_ditch", _t("2026-10-22 15:09"), 1),
    "0185_emailed_by_complainant.jpg": ("cars_on_highway", None, 1),
    "0189_shop_building.jpg": ("unpermitted_shed", _t("2026-10-27 11:31"), 1),
    "0189_carport.jpg": ("carport", _t("2026-10-27 11:39"), 1),
    "0193_lawn_trailer.jpg": ("home_business", _t("2026-11-03 08:16"), 1),
    "0199_abandoned_car.jpg": ("abandoned_car", _t("2026-11-16 14:11"), 1),
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and args[0] in ("-h", "--help")):
        print(__doc__)
        return 0 if args and args[0] in ("-h", "--help") else 2
    out = Path(args[0]) if args else DEFAULT_OUTPUT
    for name, (scene, taken, orientation) in PHOTOS.items():
        path = make_photo(out / name, scene, taken, orientation)
        print(f"{path}  {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
