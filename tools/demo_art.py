"""The demo's pictures, drawn: the flags of the four countries in the story, from their
official (public-domain) designs, and the two articles' lead illustrations made of them.
The demo has no photographs it may publish, and invents none.

python tools/demo_art.py writes them into content/media/ (they are committed; run it again
only to change them)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

from PIL import Image, ImageDraw

SCALE = 4  # drawn this much larger, then reduced: smooth edges without antialiased drawing
MEDIA = Path(__file__).resolve().parent.parent / "content" / "media"


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, radius: float, fill, towards: float = -math.pi / 2):
    """A five-pointed star centred at (cx, cy), its first point at the angle towards."""
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.381966
        angle = towards + i * math.pi / 5
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    draw.polygon(points, fill=fill)


def _stripes(width: int, height: int, colours: list[str]) -> Image.Image:
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for number, colour in enumerate(colours):
        draw.rectangle((0, height * number // len(colours), width, height * (number + 1) // len(colours)), fill=colour)
    return image


def russia(height: int) -> Image.Image:
    return _stripes(height * 3 // 2, height, ["#ffffff", "#0039a6", "#d52b1e"])


def ukraine(height: int) -> Image.Image:
    return _stripes(height * 3 // 2, height, ["#0057b7", "#ffd700"])


def china(height: int) -> Image.Image:
    """On a grid of 30 by 20: the large star at (5, 5), three units across its points; the
    four small ones, one unit, each with a point towards the large star's centre."""
    unit = height / 20
    image = Image.new("RGB", (round(30 * unit), height), "#ee1c25")
    draw = ImageDraw.Draw(image)
    _star(draw, 5 * unit, 5 * unit, 3 * unit, "#ffff00")
    for x, y in ((10, 2), (12, 4), (12, 7), (10, 9)):
        _star(draw, x * unit, y * unit, unit, "#ffff00", math.atan2(5 - y, 5 - x))
    return image


def united_states(height: int) -> Image.Image:
    """Thirteen stripes, and fifty stars in nine rows on a canton seven stripes high and
    0.76 of the hoist wide (Executive Order 10834's proportions, the hoist being 1)."""
    width = round(height * 1.9)
    image = _stripes(width, height, ["#b31942", "#ffffff"] * 6 + ["#b31942"])
    draw = ImageDraw.Draw(image)
    canton_h, canton_w = height * 7 / 13, height * 0.76
    draw.rectangle((0, 0, canton_w, canton_h), fill="#0a3161")
    for row in range(9):
        for column in range(6 if row % 2 == 0 else 5):
            x = height * 0.063 * (2 * column + (1 if row % 2 == 0 else 2))
            _star(draw, x, height * 0.054 * (row + 1), height * 0.0616 / 2, "#ffffff")
    return image


FLAGS = {"china": china, "russia": russia, "ukraine": ukraine, "united-states": united_states}


def _reduced(image: Image.Image) -> Image.Image:
    return image.resize((image.width // SCALE, image.height // SCALE), Image.Resampling.LANCZOS)


def pair(left, right, width: int = 1600, height: int = 900) -> Image.Image:
    """Two flags side by side on a quiet ground, each with a thin edge so white shows."""
    image = Image.new("RGB", (width * SCALE, height * SCALE), "#e9e5dc")
    flag_h = round(height * SCALE * 0.42)
    flags = [left(flag_h), right(flag_h)]
    gap = width * SCALE * 0.06
    total = sum(f.width for f in flags) + gap
    x = (width * SCALE - total) / 2
    draw = ImageDraw.Draw(image)
    for flag in flags:
        y = (height * SCALE - flag.height) / 2
        edge = SCALE * 2
        draw.rectangle((x - edge, y - edge, x + flag.width + edge - 1, y + flag.height + edge - 1), fill="#bdb6a8")
        image.paste(flag, (round(x), round(y)))
        x += flag.width + gap
    return _reduced(image)


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else MEDIA
    (out / "flags").mkdir(parents=True, exist_ok=True)
    for name, draw in FLAGS.items():
        _reduced(draw(600 * SCALE)).save(out / "flags" / f"{name}.png", optimize=True)
    pair(russia, china).save(out / "russia-and-china.png", optimize=True)
    pair(united_states, china).save(out / "united-states-and-china.png", optimize=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
