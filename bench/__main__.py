"""The benchmarks: python -m bench [--quick]. Results go to bench/README.md between its markers."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench import builds, hugo, latency, scaling
from bench.corpus import write_corpus

HERE = Path(__file__).resolve().parent
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def machine() -> str:
    return f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}"


def runs_of(args) -> str:
    runs = 1 if args.quick else args.runs
    return f"{runs} run" + ("s" if runs != 1 else "")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer edits, no README update")
    parser.add_argument("--sizes", default="1000,10000", help="corpus sizes for the serve latency")
    parser.add_argument("--build-sizes", default="1000,10000", help="corpus sizes for build times")
    parser.add_argument("--runs", type=int, default=3, help="runs of each build measurement")
    parser.add_argument("--scale-sizes", default="1000,3000,10000,30000", help="corpus sizes for the growth of a cold build")
    args = parser.parse_args()
    edits = 6 if args.quick else 20
    work = Path(tempfile.mkdtemp(prefix="explainer-bench-"))
    rows = []
    try:
        demo = latency.demo_site(work)
        times = latency.measure(demo, "content/articles/us-warns-china-before-rome-talks.md",
                                "articles/us-warns-china-before-rome-talks/", edits)
        rows.append(("demo (2 articles, 16 actors)", latency.summary(times)))
        for size in [int(s) for s in args.sizes.split(",") if s]:
            site = write_corpus(size, work / f"corpus-{size}")
            times = latency.measure(site, "content/articles/article-00007.md", "articles/article-00007/", edits)
            rows.append((f"{size:,} articles", latency.summary(times)))
        # first, while this process is small: a process it starts begins with the high-water
        # mark of its memory as it was at the start (Linux keeps it across exec), which the
        # in-process rebuilds below raise
        growth = scaling.measure([int(s) for s in args.scale_sizes.split(",") if s], work)
        build_rows = []
        for size in [int(s) for s in args.build_sizes.split(",") if s]:
            site = write_corpus(size, work / f"corpus-{size}")
            runs = 1 if args.quick else args.runs
            row = builds.measure(site, work / f"build-{size}", runs)
            if hugo.hugo_binary():
                times, memory = hugo.measure(site, work / f"hugo-{size}", runs)
                row.update(ours_alternating=statistics.median(times["ours"]),
                           hugo=statistics.median(times["hugo"]), hugo_memory=memory["hugo"])
            build_rows.append((size, row))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    table = ["| site | edits | median | worst | best |", "|---|---|---|---|---|"]
    table += [f"| {name} | {s['runs']} | {s['median']:.3f} s | {s['worst']:.3f} s | {s['best']:.3f} s |"
              for name, s in rows]
    build_table = ["| articles | cold build | second build, nothing changed | second build, one edit | "
                   "one edit, cache kept, no output/ | in-process rebuild, nothing changed | in-process rebuild, "
                   "one edit | peak memory, cold (all processes) | largest process |",
                   "|---|---|---|---|---|---|---|---|---|"]
    build_table += [f"| {size:,} | {r['cold']:.2f} s | {r['second']:.2f} s | {r['second_edit']:.2f} s | "
                    f"{r['ci_path']:.2f} s | {r['noop']:.3f} s | {r['edit']:.3f} s | {r['memory']:.0f} MiB | "
                    f"{r['largest']:.0f} MiB |" for size, r in build_rows]
    hugo_rows = [(size, r) for size, r in build_rows if "hugo" in r]
    if hugo_rows:
        build_table += ["", "Cold builds with Hugo alternating with ours in the same run (Hugo's minimal site: one "
                        "page per article and per actor):", "",
                        "| articles | ours | Hugo | Hugo's peak memory |", "|---|---|---|---|"]
        build_table += [f"| {size:,} | {r['ours_alternating']:.2f} s | {r['hugo']:.2f} s | {r['hugo_memory']:.0f} MiB |"
                        for size, r in hugo_rows]
    growth_table = ["| articles | cold build | largest process |", "|---|---|---|"]
    growth_table += [f"| {size:,} | {took:.1f} s | {largest:.0f} MiB |" for size, took, largest in growth]
    if len(growth) > 1:
        growth_table += ["", f"Growth exponents (log-log slope): time {scaling.exponent([(n, t) for n, t, _ in growth]):.2f}, "
                         f"memory {scaling.exponent([(n, m) for n, _, m in growth]):.2f}. Plot: `bench/scaling.png`."]
    text = "\n".join([f"Measured {time.strftime('%Y-%m-%d')} on {machine()}.", "",
                      "Save to page in `serve`:", "", *table, "",
                      f"Builds (the default build, search index included; the median of {runs_of(args)}):",
                      "", *build_table, "", "Cold builds as the site grows (one run each):", "", *growth_table])
    print(text)
    print(json.dumps({"latency": {name: s for name, s in rows},
                      "builds": {size: r for size, r in build_rows}}, indent=2))
    if not args.quick:
        if len(growth) > 1:
            scaling.plot(growth, HERE / "scaling.png")
        readme = HERE / "README.md"
        current = readme.read_text(encoding="utf-8")
        start, end = current.index(BEGIN) + len(BEGIN), current.index(END)
        readme.write_text(current[:start] + "\n" + text + "\n" + current[end:], encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
