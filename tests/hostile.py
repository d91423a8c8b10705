"""A site written by an attacker who may edit content but not the generator: every field
that reaches a page carries markup meant to run script, and the body tries to forge the
generator's own placeholders. Shared by the browser test and the unit tests of escaping."""

from __future__ import annotations

import base64

# Each payload calls alert() when it runs; a page that shows none of them is safe.
BREAK_OUT = "\" onload=\"alert('attr')\" onerror=\"alert('attr')\" x=\""
TAG = "<img src=x onerror=alert('tag')><script>alert('script')</script>"
SCRIPT_END = "</script><script>alert('json')</script>"
PAYLOAD = f"Ana{BREAK_OUT}{TAG}{SCRIPT_END}"

# The placeholder of an actor's name as older versions wrote it, and as it is written now
# with a seal guessed (the real one is random).
FORGED = "&#xe000;ana-lima&#xe001; &#xE000;" + "0" * 32 + ":ana-lima&#xE001; &#57344;ana-lima&#57345;"

PNG = base64.b64decode(  # a 1x1 transparent PNG: an image that loads, so onload fires
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


def yaml_string(text: str) -> str:
    """text as a double-quoted YAML scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def files() -> dict[str, str | bytes]:
    p = yaml_string(PAYLOAD)
    return {
        "site.yaml": f"title: {p}\nbase_url: https://example.org/x/\ndescription: {p}\nauthor: {p}\n",
        "content/media/dot.png": PNG,
        "content/actors/ana-lima.yaml": (
            f"name: {p}\nkind: person\nrole: {p}\naliases: [{p}]\n"
            f"summary: {yaml_string('Leads [[bo-chen]]. ' + FORGED + ' ' + TAG)}\n"
            "links: {site: \"https://example.org/?q=\\\"><script>alert(1)</script>\"}\n"
            f"image: {{src: media/dot.png, alt: {p}, credit: {p}}}\n"),
        "content/actors/bo-chen.yaml": f"name: Bo Chen\nkind: organisation\nsummary: {p}\n",
        "content/authors/eve.yaml": (
            f"name: {p}\nrole: {p}\nbio: {yaml_string('Writes about [[ana-lima]]. ' + FORGED + ' ' + TAG)}\n"
            "links: {website: \"https://example.org/?q=\\\"><script>alert(1)</script>\"}\n"
            f"image: {{src: media/dot.png, alt: {p}, credit: {p}}}\n"),
        "content/articles/attack.md": (
            "---\n"
            f"title: {p}\n"
            "date: 2024-05-06\n"
            f"summary: {yaml_string('[[ana-lima]] and ' + FORGED + TAG)}\n"
            f"sources:\n  - {{publisher: {p}, url: \"https://example.org/'onmouseover='alert(1)\", title: {p}}}\n"
            f"image: {{src: media/dot.png, alt: {p}, caption: {p}, credit: {p}}}\n"
            "actors: [bo-chen]\n"
            "authors: [eve]\n"
            "events:\n"
            f"  - {{id: ev, date: 2024-05-01, title: {p}, place: {p}, actors: [ana-lima],\n"
            f"     description: {yaml_string('[[ana-lima]] ' + FORGED + TAG)}}}\n"
            "quotes:\n"
            f"  - {{speaker: ana-lima, text: \"We will build it.\", context: {p}, via: {p},\n"
            f"     topics: [{p}], about: [bo-chen], language: es, original: {p}, translated_by: {p},\n"
            f"     status: disputed, status_note: {p}, status_source: {{publisher: {p}}}}}\n"
            f"  - {{speaker: bo-chen, text: {p}, paraphrase: true, status: misattributed, status_note: {p}}}\n"
            "corrections:\n"
            f"  - {{date: 2024-05-07, kind: correction, text: {yaml_string('[[ana-lima]] ' + FORGED + TAG)}}}\n"
            "claims:\n"
            f"  - {{claim: {p}, asserted_by: [ana-lima], denied_by: [bo-chen], reviewer: {p},\n"
            f"     evidence: {{quotes: [1, 2], sources: [{{publisher: {p}}}]}},\n"
            f"     status: [{{date: 2024-05-06, verdict: disputed, note: {p}}}, {{date: 2024-05-08, verdict: false, note: {p}}}]}}\n"
            "---\n\n"
            "[[ana-lima]] said: \u201cWe will build it.\u201d\n\n"
            f'<img src="media/dot.png" alt="{FORGED}"> <a href="https://example.org/" title="{FORGED}">a</a>\n\n'
            f'[link](https://example.org/ "{FORGED}") ![{FORGED}](media/dot.png "{FORGED}")\n\n'
            f"<span title='{FORGED}'>{FORGED}</span> {TAG}\n\n"
            "[js](javascript:alert('md-link')) <a href=\"jAvAsCrIpT:alert('raw-link')\">raw</a>\n\n"
            "<svg><script>alert('svg')</script></svg> <iframe src=\"javascript:alert('frame')\"></iframe>\n\n"
            "<div style=\"background:url(javascript:alert('css'))\" onclick=\"alert('click')\">d</div>\n\n"
            "Heading {: onclick=\"alert('attr-list')\" }\n"
        ),
    }
