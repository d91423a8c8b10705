"""A deterministic explainer corpus of any size, for benchmarks: python bench/corpus.py N DIR.

N articles of about 700 words in the content format, with a pool of N/10 actors (a few very
popular), 3-8 actors, 2-4 events and 2-4 verbatim quotes per article. The same N gives the
same files, byte for byte.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

WORDS = ("the council said on monday that talks would continue while officials in the capital "
         "weighed new measures against the background of rising prices and a divided parliament "
         "where ministers argued over budgets sanctions trade energy ports grain shipping borders "
         "envoys visited neighbouring states to discuss security guarantees and reconstruction "
         "funds as analysts warned that the agreement could collapse without support from allies").split()
KINDS = ["person"] * 6 + ["country", "organisation", "group", "other"]
FIRST = ["Ana", "Bo", "Chen", "Dara", "Emil", "Fatma", "Goran", "Hana", "Ivo", "Jun", "Kofi", "Lena", "Mira",
         "Nils", "Omar", "Pia", "Quim", "Rosa", "Sven", "Tala", "Uma", "Vera", "Wim", "Xiu", "Yara", "Zoltan"]
LAST = ["Alves", "Berg", "Costa", "Dahl", "Eze", "Fischer", "Gomez", "Horvat", "Ito", "Jensen", "Kaya",
        "Lind", "Moreau", "Novak", "Okafor", "Petrov", "Quist", "Rossi", "Silva", "Tanaka", "Ueda", "Varga"]


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def actors(n_actors: int, rng: random.Random) -> list[tuple[str, str, str]]:
    pool = []
    for i in range(n_actors):
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]} {i}"
        slug = f"actor-{i}"
        pool.append((slug, name, KINDS[i % len(KINDS)]))
    return pool


def write_corpus(n: int, root: Path, base_url: str = "https://example.org/bench/") -> Path:
    rng = random.Random(n)
    (root / "content/articles").mkdir(parents=True, exist_ok=True)
    (root / "content/actors").mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text(f"title: Benchmark explainer\nbase_url: {base_url}\n", encoding="utf-8")
    pool = actors(max(10, n // 10), rng)
    for slug, name, kind in pool:
        (root / f"content/actors/{slug}.yaml").write_text(
            f"name: {name}\nkind: {kind}\nrole: {sentence(rng, 4)[:-1]}\nsummary: {sentence(rng, 12)}\n",
            encoding="utf-8")
    popular = [p[0] for p in pool[:5]]
    for a in range(n):
        cast = rng.sample(popular, 1) + rng.sample([p[0] for p in pool], rng.randint(2, 7))
        cast = list(dict.fromkeys(cast))
        year, month, day = 2000 + a % 25, 1 + a % 12, 1 + a % 28
        paragraphs = []
        quotes = []
        for q in range(rng.randint(2, 4)):
            text = sentence(rng, rng.randint(8, 16))
            speaker = rng.choice(cast)
            quotes.append((speaker, text))
        words = 0
        while words < 700:
            para = " ".join(sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(3, 6)))
            if len(paragraphs) < len(quotes):
                speaker, text = quotes[len(paragraphs)]
                para += f' [[{speaker}]] said: "{text}"'
            paragraphs.append(para)
            words += len(para.split())
        events = []
        for e in range(rng.randint(2, 4)):
            precision = rng.choice(["day", "day", "month", "year"])
            date = {"day": f"{year}-{month:02d}-{1 + (day + e) % 28:02d}", "month": f"{year}-{month:02d}",
                    "year": f"{year}"}[precision]
            who = ", ".join(rng.sample(cast, min(len(cast), 2)))
            events.append(f"  - date: {date}\n    title: {sentence(rng, 6)[:-1]}\n    actors: [{who}]\n")
        front = (f"---\ntitle: \"{sentence(rng, 7)[:-1]} {a}\"\ndate: {year}-{month:02d}-{day:02d}\n"
                 f"summary: \"{sentence(rng, 18)}\"\nsources:\n  - publisher: Wire {a % 7}\n"
                 f"    url: https://example.org/wire/{a}\nactors: [{', '.join(cast)}]\nevents:\n" + "".join(events) +
                 "quotes:\n" + "".join(f"  - speaker: {s}\n    text: \"{t}\"\n    context: {sentence(rng, 5)[:-1]}\n"
                                       for s, t in quotes) + "---\n\n")
        (root / f"content/articles/article-{a:05d}.md").write_text(front + "\n\n".join(paragraphs) + "\n",
                                                                   encoding="utf-8")
    return root


if __name__ == "__main__":
    write_corpus(int(sys.argv[1]), Path(sys.argv[2]))
