"""`python -m generator serve`, with rebuilds as slow as a test needs: `python tests/held_serve.py
HOLD serve-arguments...`. While the file HOLD exists, a build waits before it starts, for as many
seconds as the file says (or, empty, until it is removed), asking its stop() a hundred times a
second as a real build asks between its pages, and giving up when stop() says so. Each time a
build begins to wait, HOLD.held is rewritten with how many have, for the test to wait on."""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator import cli  # noqa: E402
from generator.build import Builder, BuildResult  # noqa: E402
from generator.diagnostics import Diagnostics  # noqa: E402


def held_builds(hold: Path):
    """Builder.build, made to wait while hold exists."""
    real = Builder.build
    count = 0

    def build(self, *args, stop=None, **kwargs):
        nonlocal count
        if hold.exists():
            count += 1
            hold.with_suffix(".held").write_text(str(count))
            try:
                text = hold.read_text().strip()
            except FileNotFoundError:  # already let go
                text = "0"
            until = time.monotonic() + (float(text) if text else float("inf"))
            while hold.exists() and time.monotonic() < until:
                if stop is not None and stop():
                    return BuildResult(Diagnostics(), superseded=True)
                time.sleep(0.01)
        return real(self, *args, stop=stop, **kwargs)

    return build


if __name__ == "__main__":
    Builder.build = held_builds(Path(sys.argv[1]))
    sys.exit(cli.main(["serve", *sys.argv[2:]]))
