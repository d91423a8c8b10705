"""How a cold build grows with the site: time and the largest process's memory at several
sizes, the exponent of each (the slope of a straight line through the points on log-log
axes, so 1.0 is linear), and a plot of both as a PNG drawn with Pillow."""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw

from bench.builds import cold_build
from bench.corpus import write_corpus


def measure(sizes: list[int], work: Path) -> list[tuple[int, float, float]]:
    """(articles, seconds, MiB of the largest process) of one cold build at each size."""
    rows = []
    for size in sizes:
        site = write_corpus(size, work / f"scale-{size}")
        took, largest, _, _ = cold_build(site, work / f"scale-out-{size}", 0)
        rows.append((size, took, largest))
    return rows


def exponent(points: list[tuple[float, float]]) -> float:
    """The least-squares slope of log(y) against log(x)."""
    xs = [math.log(x) for x, _ in points]
    ys = [math.log(y) for _, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / spread if spread else float("nan")


WIDTH, HEIGHT, MARGIN = 900, 420, 70
COLOURS = {"time": (31, 94, 168), "memory": (176, 64, 32)}


def plot(rows: list[tuple[int, float, float]], path: Path) -> None:
    """Two panels, time and memory against articles, both axes logarithmic, with the
    points measured and the line of linear growth through the smallest size for comparison."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    panel = (WIDTH - 3 * MARGIN) // 2
    series = [("time", "cold build, seconds", [(n, t) for n, t, _ in rows]),
              ("memory", "largest process, MiB", [(n, m) for n, _, m in rows])]
    for number, (kind, title, points) in enumerate(series):
        left, top, bottom = MARGIN + number * (panel + MARGIN), MARGIN // 2 + 20, HEIGHT - MARGIN
        xs = [math.log10(x) for x, _ in points]
        ys = [math.log10(y) for _, y in points]
        linear = [math.log10(points[0][1] * x / points[0][0]) for x, _ in points]
        x0, x1 = min(xs) - 0.1, max(xs) + 0.1
        y0, y1 = min(ys + linear) - 0.1, max(ys + linear) + 0.1

        def at(x, y):
            return (left + (x - x0) / (x1 - x0) * panel, bottom - (y - y0) / (y1 - y0) * (bottom - top))

        draw.rectangle([left, top, left + panel, bottom], outline=(120, 120, 120))
        draw.text((left, top - 22), f"{title} (slope {exponent(points):.2f})", fill=(0, 0, 0))
        for (x, _), (n, _) in zip(zip(xs, ys), points):
            px, _ = at(x, y0)
            draw.line([px, bottom, px, bottom + 5], fill=(0, 0, 0))
            draw.text((px - 14, bottom + 8), f"{n:,}", fill=(0, 0, 0))
        for tick in range(math.floor(y0), math.ceil(y1) + 1):
            for value in (tick, tick + math.log10(3)):
                if y0 <= value <= y1:
                    _, py = at(x0, value)
                    draw.line([left - 5, py, left, py], fill=(0, 0, 0))
                    draw.text((left - 48, py - 6), f"{10 ** value:g}", fill=(0, 0, 0))
        draw.line([at(x, y) for x, y in zip(xs, linear)], fill=(170, 170, 170), width=1)
        draw.line([at(x, y) for x, y in zip(xs, ys)], fill=COLOURS[kind], width=2)
        for x, y in zip(xs, ys):
            px, py = at(x, y)
            draw.ellipse([px - 4, py - 4, px + 4, py + 4], fill=COLOURS[kind])
        draw.text((left, bottom + 30), "articles (grey: linear growth)", fill=(0, 0, 0))
    image.save(path)
