"""Content written to run script never does: every page built from tests/hostile.py's site,
loaded in Chromium, shows no dialog, holds no event-handler attribute, no javascript: URL
and no script but the theme's own and parseable JSON-LD."""

from __future__ import annotations

import json
import os

import pytest

from generator.build import build
from tests import hostile
from tests.conftest import write_files
from tools.browser import chromium_path
from tools.sitehttp import SiteServer

pytestmark = pytest.mark.skipif(chromium_path() is None and not os.environ.get("CI"),
                                reason="no chromium here: apt-get install chromium (CI installs it)")

# What a page's DOM holds that could run script: handler attributes, script URLs, scripts
# that are neither the theme's files nor JSON-LD, and frames.
INSPECT = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const value = attr.value.replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
      if (attr.name.startsWith('on')) found.push(el.tagName + ' ' + attr.name);
      if (/^(javascript|vbscript|data):/.test(value) && attr.name !== 'content') found.push(el.tagName + ' ' + attr.name + '=' + attr.value);
    }
  }
  for (const s of document.querySelectorAll('script')) {
    if (s.type === 'application/ld+json') {
      try { JSON.parse(s.textContent); } catch (e) { found.push('JSON-LD that does not parse'); }
    } else if (!s.src || new URL(s.src).origin !== location.origin) {
      found.push('script: ' + (s.src || s.textContent.slice(0, 60)));
    }
  }
  for (const f of document.querySelectorAll('iframe, frame, object, embed')) found.push(f.tagName);
  return found;
}"""

# Pretend to be a reader: hover, focus and click what takes no one elsewhere.
PROVOKE = """() => {
  for (const el of document.querySelectorAll('body *')) {
    for (const type of ['mouseover', 'mouseenter', 'focus', 'click']) {
      if (type === 'click' && el.closest('a, form, button')) continue;
      el.dispatchEvent(new Event(type, {bubbles: true}));
    }
  }
}"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    root = write_files(tmp_path_factory.mktemp("hostile") / "site", hostile.files())
    output = root / "output"
    result = build(root, output=output)
    assert result.ok, "\n".join(d.format() for d in result.diagnostics.errors)
    return result, output


def test_no_page_runs_script(browser, hostile_site):
    result, output = hostile_site
    pages = sorted(p.relative_to(output).as_posix() for p in output.rglob("*.html"))
    assert len(pages) >= 8
    with SiteServer(output, result.index.config.prefix) as base:
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        problems = {}
        for rel in pages:
            page.goto(base + rel.removesuffix("index.html"))
            page.wait_for_load_state("load")
            page.evaluate(PROVOKE)
            found = page.evaluate(INSPECT)
            if found:
                problems[rel] = found
        page.close()
    assert not dialogs, f"script ran: {dialogs}"
    assert not problems, json.dumps(problems, indent=1)


def test_names_are_escaped_where_they_land(hostile_site):
    """The actor's name stands as text wherever a placeholder of the generator's put it, and
    forged placeholders stay as the characters content wrote."""
    _, output = hostile_site
    article = (output / "articles" / "attack" / "index.html").read_text()
    assert '" onload="' not in article and "<img src=x" not in article
    assert "Ana&#34; onload=&#34;" in article or "Ana&quot; onload=&quot;" in article
    assert "\ue000ana-lima\ue001" in article  # the forgery of older versions, left as written


def test_a_string_s_format_method_under_another_name_stays_wrapped_however_often_read(tmp_path):
    """The sandbox answers at once for an attribute it found safe before on an object of the
    same type, but a string's format method held under another name is still wrapped as
    Jinja wraps it, so a format string cannot reach what the template may not."""
    import jinja2.sandbox

    from generator.theme import environment

    class Holder:
        def __init__(self, fill):
            self.fill = fill

    # the first read is judged by Jinja (a plain string: safe); the second, on an object of
    # the same type, is answered at once, and must still be wrapped
    template = environment(tmp_path).from_string("{{ first.fill }}{{ second.fill(second) }}")
    with pytest.raises(jinja2.sandbox.SecurityError):
        template.render(first=Holder("a"), second=Holder("{0.__class__.__mro__}".format))
    # the same read of a plain attribute, many times over, gives the attribute
    assert environment(tmp_path).from_string("{% for h in items %}{{ h.fill }}{% endfor %}").render(
        items=[Holder(str(n)) for n in range(3)]) == "012"
