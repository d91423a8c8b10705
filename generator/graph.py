"""Who is connected to whom, laid out at build time for a drawing (an SVG the templates
write, which needs no script): the actors most connected in the whole story, placed by a
force-directed layout, and each actor's own neighbourhood, placed around them.

A connection is what the content says: one actor is part of another, speaks about another
in a quote, or appears with another in the same articles and events. The layout starts
from fixed places and runs a fixed number of steps, so the same site gives the same drawing
in every build."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

WHOLE = 24  # actors in the drawing of the whole story: the most connected
AROUND = 8  # actors around one in the drawing of their neighbourhood: the most related
STEPS = 300  # of the layout
TALL = (360, 620)  # the drawing of the whole story on a phone, where the wide one would be too small to read
ROUNDS = 200  # at most, of moving places apart until no name covers another
APPEARS_WITH = 2  # connections of appearing together drawn for each actor of the whole story
KINDS = ("part of", "spoke about", "appears with")  # of connection, strongest first


@dataclass(frozen=True)
class Node:
    slug: str
    name: str
    kind: str  # the actor's: person, country ...
    x: float
    y: float
    anchor: str = "middle"  # where its label stands: start (to the right), end (left), middle (below) or above


@dataclass(frozen=True)
class Edge:
    source: str  # who is part of, speaks about, or appears with
    target: str
    kind: str  # one of KINDS


@dataclass(frozen=True)
class Graph:
    width: int
    height: int
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    centre: str | None = None  # the actor whose neighbourhood this is

    def radius(self, slug: str) -> int:
        return 13 if slug == self.centre else 8

    def place(self, slug: str) -> Node:
        return next(node for node in self.nodes if node.slug == slug)

    def line(self, edge: Edge) -> tuple[float, float, float, float]:
        """Where the edge's line runs: between the two circles' rims, so that an arrow's
        head touches the circle it points to."""
        a, b = self.place(edge.source), self.place(edge.target)
        length = math.hypot(b.x - a.x, b.y - a.y) or 1
        ux, uy = (b.x - a.x) / length, (b.y - a.y) / length
        start, end = self.radius(a.slug) + 1, self.radius(b.slug) + 3
        return (round(a.x + ux * start, 1), round(a.y + uy * start, 1),
                round(b.x - ux * end, 1), round(b.y - uy * end, 1))


def _connection(why: str) -> str:
    return {"affiliation": "part of", "member": "part of", "spoke about": "spoke about",
            "spoke about them": "spoke about"}.get(why, "appears with")


def _edge(slug: str, other: str, why: str) -> Edge:
    """The connection as the content says it, pointing from the one who is part of, or who
    speaks, to the other."""
    if why in ("member", "spoke about them"):
        slug, other = other, slug
    return Edge(slug, other, _connection(why))


def _edges(index, slugs: list[str]) -> list[Edge]:
    """The connections among slugs, each once, the strongest kind where two hold; of those
    that only appear together, each actor's APPEARS_WITH closest alone, so that the drawing
    shows its structure rather than everyone joined to everyone."""
    chosen = set(slugs)
    found: dict[frozenset, Edge] = {}
    for slug in slugs:
        together = 0
        for other, why in index.related.get(slug, []):
            if other not in chosen or other == slug:
                continue
            if _connection(why) == "appears with":
                together += 1
                if together > APPEARS_WITH:
                    continue
            edge, pair = _edge(slug, other, why), frozenset((slug, other))
            if pair not in found or KINDS.index(edge.kind) < KINDS.index(found[pair].kind):
                found[pair] = edge
    return sorted(found.values(), key=lambda e: (KINDS.index(e.kind), e.source, e.target))


def around(index, slug: str, width: int = 480, height: int = 380) -> Graph | None:
    """An actor and the AROUND most related to them, placed on a ring around them; None for
    an actor with no connection."""
    related = [(other, why) for other, why in index.related.get(slug, []) if other in index.actors][:AROUND]
    if not related:
        return None
    actors = index.actors
    nodes = [Node(slug, actors[slug].name, actors[slug].kind, width / 2, height / 2)]
    radius_x, radius_y = width * 0.31, height * 0.36
    for number, (other, _) in enumerate(related):
        angle = -math.pi / 2 + 2 * math.pi * number / len(related)
        x, y = width / 2 + radius_x * math.cos(angle), height / 2 + radius_y * math.sin(angle)
        half = _half_width(actors[other].name, 15) + 2
        x = min(max(x, half), width - half) if 2 * half <= width else width / 2  # the name inside the drawing
        nodes.append(Node(other, actors[other].name, actors[other].kind, round(x, 1), round(y, 1)))
    edges = [_edge(slug, other, why) for other, why in related]
    return Graph(width, height, tuple(_labelled(nodes, 15)), tuple(edges), slug)


def whole(index, width: int = 640, height: int = 460) -> Graph | None:
    """The WHOLE most connected actors and their connections, laid out by force: connected
    actors pull together, all push apart. None when fewer than three are connected."""
    degree = {slug: len(related) for slug, related in index.related.items() if related and slug in index.actors}
    slugs = sorted(degree, key=lambda s: (-degree[s], index.actors[s].name.casefold(), s))[:WHOLE]
    edges = _edges(index, slugs)
    slugs = [s for s in slugs if any(s in (e.source, e.target) for e in edges)]
    if len(slugs) < 3:
        return None
    places = _layout(tuple(slugs), tuple(edges))
    margin_x, top, bottom = min(100, width // 6), 24, 40  # room for a name centred under its circle
    names = [index.actors[slug].name for slug in slugs]
    points = [(margin_x + x * (width - 2 * margin_x), top + y * (height - top - bottom))
              for x, y in (places[slug] for slug in slugs)]
    points = _spread(points, names, width, height, top, bottom)
    nodes = [Node(slug, name, index.actors[slug].kind, round(x, 1), round(y, 1))
             for slug, name, (x, y) in zip(slugs, names, points)]
    return Graph(width, height, tuple(_labelled(nodes)), tuple(edges))


def _half_width(name: str, size: int = 12) -> float:
    return 0.3 * size * len(name)  # about half the width of the name written under a circle


def _spread(points: list[tuple[float, float]], names: list[str], width: int, height: int, top: int, bottom: int,
            size: int = 12, gap: float = 6) -> list[tuple[float, float]]:
    """The places moved apart until no circle with its name under it covers another (or
    ROUNDS have passed), each pair that does pushed apart along the shorter way out, each
    place kept inside the drawing with its name."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    halves = [_half_width(name, size) + gap / 2 for name in names]
    up, down = 10 + gap / 2, 12 + 1.3 * size + gap / 2  # the box's reach above and below the centre
    for _ in range(ROUNDS):
        moved = False
        for i in range(len(xs)):
            for j in range(i + 1, len(xs)):
                over_x = min(xs[i] + halves[i], xs[j] + halves[j]) - max(xs[i] - halves[i], xs[j] - halves[j])
                over_y = min(ys[i], ys[j]) + down - (max(ys[i], ys[j]) - up)
                if over_x <= 0 or over_y <= 0:
                    continue
                moved = True
                if over_x < over_y:
                    step = (over_x / 2 + 0.5) * (1 if xs[i] >= xs[j] else -1)
                    xs[i] += step
                    xs[j] -= step
                else:
                    step = (over_y / 2 + 0.5) * (1 if ys[i] >= ys[j] else -1)
                    ys[i] += step
                    ys[j] -= step
        for i in range(len(xs)):
            low, high = halves[i] + 2, width - halves[i] - 2
            xs[i] = min(max(xs[i], low), high) if low <= high else width / 2  # a name wider than the drawing
            ys[i] = min(max(ys[i], top), height - bottom)
        if not moved:
            break
    return list(zip(xs, ys))


def _labelled(nodes: list[Node], size: int = 12) -> list[Node]:
    """Each name under its circle, or above it where it would cover a name placed already
    (names size pixels high)."""
    placed, out = [], []
    for node in nodes:
        half = _half_width(node.name, size)
        below = (node.x - half, node.y + 10, node.x + half, node.y + 12 + 1.3 * size)
        above = (node.x - half, node.y - 12 - 1.3 * size, node.x + half, node.y - 10)
        box, anchor = below, "middle"
        if any(_overlap(below, other) for other in placed) and not any(_overlap(above, other) for other in placed):
            box, anchor = above, "above"
        placed.append(box)
        out.append(Node(node.slug, node.name, node.kind, node.x, node.y, anchor))
    return out


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@functools.lru_cache(maxsize=2)  # the same layout for the wide drawing and the tall one
def _layout(slugs: tuple[str, ...], edges: tuple[Edge, ...]) -> dict[str, tuple[float, float]]:
    """Fruchterman and Reingold's layout, from places on a circle: every pair pushes apart,
    every connection pulls (a stronger kind more); places scaled into the unit square."""
    count = len(slugs)
    at = {slug: number for number, slug in enumerate(slugs)}
    xs = [math.cos(2 * math.pi * n / count) for n in range(count)]
    ys = [math.sin(2 * math.pi * n / count) for n in range(count)]
    ideal = 2.6 / math.sqrt(count)
    pulls = [(at[e.source], at[e.target], (1.6, 1.3, 1)[KINDS.index(e.kind)]) for e in edges]
    heat = 0.2
    for _ in range(STEPS):
        dx, dy = [0.0] * count, [0.0] * count
        for i in range(count):
            for j in range(i + 1, count):
                ox, oy = xs[i] - xs[j], ys[i] - ys[j]
                distance = max(math.hypot(ox, oy), 1e-3)
                push = ideal * ideal / distance
                dx[i] += ox / distance * push
                dy[i] += oy / distance * push
                dx[j] -= ox / distance * push
                dy[j] -= oy / distance * push
        for i, j, strength in pulls:
            ox, oy = xs[i] - xs[j], ys[i] - ys[j]
            distance = max(math.hypot(ox, oy), 1e-3)
            pull = distance * distance / ideal * strength / 3
            dx[i] -= ox / distance * pull
            dy[i] -= oy / distance * pull
            dx[j] += ox / distance * pull
            dy[j] += oy / distance * pull
        for i in range(count):
            length = math.hypot(dx[i], dy[i])
            if length > 0:
                step = min(length, heat)
                xs[i] += dx[i] / length * step
                ys[i] += dy[i] / length * step
        heat *= 0.985
    low_x, high_x, low_y, high_y = min(xs), max(xs), min(ys), max(ys)
    return {slug: ((xs[n] - low_x) / ((high_x - low_x) or 1), (ys[n] - low_y) / ((high_y - low_y) or 1))
            for slug, n in at.items()}
