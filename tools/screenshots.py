"""Screenshots of every kind of page of the built demo at phone and desktop width, light and
dark, and of an article as it prints: python tools/screenshots.py [OUT_DIR]."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.build import build  # noqa: E402
from tools.browser import launch  # noqa: E402
from tools.sitehttp import SiteServer  # noqa: E402

PAGES = {"home": "", "articles": "articles/", "article": "articles/russia-asks-china-for-aid/",
         "actors": "actors/", "actor": "actors/jake-sullivan/", "country": "actors/china/",
         "timeline": "timeline/", "quotes": "quotes/", "side-by-side": "quotes/about/russia/",
         "claims": "claims/", "search": "search/?q=disinformation", "not-found": "no/such/page/"}
# The test site shows what the demo's report gives no case of: corrections, disputed and
# misattributed quotes, a claim found false, bylines and an author's page.
TEST_SITE_PAGES = {"corrected-article": "articles/bridge-vote/", "quote-status": "actors/zoe-angstrom/",
                   "author": "authors/ingrid-solberg/"}
SIZES = {"phone": (390, 844), "desktop": (1280, 900)}


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    result = build(root, search_index=True)
    if not result.ok:
        print("the demo does not build; run make build to see why", file=sys.stderr)
        return 1
    index = result.index or build(root, write=False).index  # a build with nothing to do reads no site
    with SiteServer(root / "output", index.config.prefix) as base, sync_playwright() as p:
        browser = launch(p)
        for scheme in ("light", "dark"):
            for size, (width, height) in SIZES.items():
                page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=scheme)
                for name, path in PAGES.items():
                    page.goto(base + path)
                    if name == "search":
                        page.wait_for_selector(".pagefind-ui__result-link")
                    page.wait_for_load_state("networkidle")  # the pictures in view
                    target = out / f"{name}-{size}{'-dark' if scheme == 'dark' else ''}.png"
                    page.screenshot(path=str(target), full_page=False)
                    print(target.relative_to(root) if target.is_relative_to(root) else target)
                page.close()
        with tempfile.TemporaryDirectory() as folder:
            harbour = build(root / "tests/sites/harbour", output=Path(folder))
            with SiteServer(Path(folder), harbour.index.config.prefix) as test_base:
                for size, (width, height) in SIZES.items():
                    page = browser.new_page(viewport={"width": width, "height": height})
                    for name, path in TEST_SITE_PAGES.items():
                        page.goto(test_base + path)
                        page.wait_for_load_state("networkidle")
                        target = out / f"{name}-{size}.png"
                        page.screenshot(path=str(target), full_page=True)
                        print(target.relative_to(root) if target.is_relative_to(root) else target)
                    page.close()
        page = browser.new_page(viewport={"width": 794, "height": 1123})  # an A4 page at 96 dpi
        page.goto(base + PAGES["article"])
        page.emulate_media(media="print")
        page.screenshot(path=str(out / "article-print.png"), full_page=True)
        page.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
