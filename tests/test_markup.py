import random

import pytest

from generator import dates, markup
from generator.diagnostics import Location
from generator.markup import Markup, fill_names, normalise, placeholders
from generator.model import Article, Quote, Ref


def article(body, quotes=(), body_line=5):
    made = tuple(Quote(number=i + 1, speaker=Ref("ana", Location("a.md", 3)), text=text, said=dates.parse(2022),
                       article="a", location=Location("a.md", 3), text_location=Location("a.md", 4 + i),
                       paraphrase=para)
                 for i, (text, para) in enumerate(quotes))
    return Article(slug="a", title="A", date=dates.parse(2022), location=Location("a.md", 1, 1),
                   body=body, body_line=body_line, quotes=made)


def test_normalise_makes_quotes_straight_and_collapses_space():
    assert normalise("\u201cI\u2019ve  never\n heard\u201d") == "\"I've never heard\""
    assert normalise("\ufb01ne") == "fine"


def test_passage_is_anchored_despite_curly_quotes_and_line_breaks():
    body = "He said: \u201cI\u2019ve never\nheard of that.\u201d Then he left.\n"
    result = Markup("/p/", False).body(article(body, [("I've never heard of that.", False)]))
    assert not result.problems
    assert '<span class="passage" id="quote-1">I\u2019ve never\nheard of that.</span>' in result.html


def test_passage_across_an_actor_link_and_emphasis():
    body = "Words: *we* trust [[ana|Ana]] fully, she said.\n"
    result = Markup("/", False).body(article(body, [("we trust Ana fully", False)]))
    assert result.anchored == {1}
    assert 'id="quote-1"' in result.html and result.html.count('class="passage') == 4 and result.html.count("part-of-quote-1") == 3


def test_missing_passage_is_reported_at_the_quote_with_the_nearest_text():
    result = Markup("/", False).body(article("She said we will build it soon.\n", [("we will build it now", False)]))
    (problem,) = result.problems
    assert problem.location == Location("a.md", 4)
    assert "we will build it soon" in problem.hint


def test_paraphrase_needs_no_passage():
    assert not Markup("/", False).body(article("Nothing like it.\n", [("Something else", True)])).problems


def test_actor_links_carry_the_prefix_and_their_place():
    result = Markup("/repo/", False).body(article("Intro.\n\nSee [[ana]] and [[bo-li|Bo]].\n", body_line=7))
    filled = fill_names(result.html, result.seal, lambda slug: f"Name of {slug}")
    assert '<a class="actor-link" data-actor="ana" href="/repo/actors/ana/">Name of ana</a>' in filled
    assert placeholders(result.html, result.seal) == ("ana",) and placeholders(result.html, "0" * 32) == ()
    assert [(r.slug, str(r.location)) for r in result.mentions] == [("ana", "a.md:9:5"), ("bo-li", "a.md:9:17")]


def test_raw_html_is_sanitised_unless_allowed():
    body = '<script>alert(1)</script>\n\n[x](javascript:alert(2)) <b onclick="x()">b</b>\n'
    safe = Markup("/", False).body(article(body)).html
    assert "<script" not in safe and "javascript:" not in safe and "onclick" not in safe and "<b>b</b>" in safe
    unsafe = Markup("/", True).body(article(body)).html
    assert "<script>alert(1)</script>" in unsafe


def test_links_in_code_are_not_mentions():
    body = "Write `[[not-a-link]]` like this.\n\n```\n[[also-not]]\n```\n\nBut [[ana]] is.\n"
    result = Markup("/", False).body(article(body))
    assert [r.slug for r in result.mentions] == ["ana"]
    assert "[[not-a-link]]" in result.html


def test_passage_found_only_after_nfkc_is_anchored_too():
    body = "She said: \u201c\ufb01ne, ＯＫ\u201d and left.\n"
    result = Markup("/", False).body(article(body, [("fine, OK", False)]))
    assert result.anchored == {1}
    assert '<span class="passage" id="quote-1">\ufb01ne, ＯＫ</span>' in result.html


def test_located_passages_are_exactly_the_quoted_words():
    """Random pieces of text with runs of spaces, tabs and line breaks and curly quotes: the
    span found for any stretch of the compared text reads, once normalised, as that stretch,
    and starts and ends on a word."""
    import random

    from generator.markup import _locate

    chance = random.Random(7)
    words = ["said", "\u201cwe", "won\u2019t", "go\u201d", "it's", "a", "x", "talks"]
    spaces = [" ", "  ", "\n", " \n  ", "\t", "\n\n   "]
    for _ in range(400):
        text = "".join(chance.choice(words) + chance.choice(spaces) for _ in range(chance.randint(2, 14)))
        cuts = sorted(chance.sample(range(1, len(text)), min(3, len(text) - 1)))
        pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)])]
        compared = normalise(text).split(" ")
        first = chance.randrange(len(compared))
        quote = " ".join(compared[first:chance.randint(first + 1, len(compared))])
        (start_piece, start), (end_piece, end) = _locate(pieces, quote)
        offsets = [sum(len(p) for p in pieces[:n]) for n in range(len(pieces))]
        span = text[offsets[start_piece] + start:offsets[end_piece] + end]
        assert normalise(span) == quote and span == span.strip(), (pieces, quote, span)


def test_a_plain_snippet_is_what_markdown_makes_of_it():
    """Snippets without Markdown skip the converter; they must come out the same."""
    plain = Markup("/", False)
    converted = Markup("/", False)
    converted_snippet = converted._snippet  # the converter, asked directly
    words = "ab Zé1.,;:?!'\"%()/-\u2019\u201c\u201d\u2014\u2026 "
    rng = random.Random(7)
    texts = ["Beijing denies the report.", "US officials say China was asked for help (Reuters).",
             "“We are not aware,” he said — 50% of it.", "  indented", "ends with space ", "1. a list",
             "- item", "a < b & c", "Line one\nline two", "Über 3/4 done: yes!"]
    for alphabet in (words, words + "_*[]<>&#\n`\\"):
        texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) for _ in range(2000)]
    fast = 0
    for text in texts:
        converted_snippet.reset()
        expected = converted._finish(converted_snippet.convert(text))
        assert plain.snippet(text) == expected, text
        fast += bool(markup._PLAIN.fullmatch(text))
    assert fast > 100  # the quick way was taken often enough to be tested (never with a straight quote)


def test_skipping_inline_patterns_that_cannot_match_changes_nothing():
    """The body converter does not try an inline pattern on text without its trigger
    character; on texts mixing every kind of inline Markdown it must give exactly what
    Python-Markdown's own inline pass gives."""
    import markdown as python_markdown

    from generator.markup import _Extension

    owner = Markup("/p/", False)
    quick = owner._body
    plain = python_markdown.Markdown(extensions=["tables", "footnotes", "sane_lists", "attr_list", "smarty", "toc",
                                                 _Extension(owner, anchors=False)],
                                     extension_configs={"toc": {"permalink": False}})
    pieces = ["word", "*em*", "**strong**", "_under_", "__strong__", "`code`", "``a ` b``", "[link](http://x.org/)",
              "![img](a.png)", "<http://auto.link/>", "<a@b.org>", "&amp;", "&copy;", "&", "<b>bold</b>",
              "<!-- note -->", "line  \nbreak", "x[^1]", "\n\n[^1]: a note\n\n", "[[ana]]", "[[bo-li|Bo]]",
              "\\*not em\\*", "[ref][r]", "\n\n[r]: http://r.org/\n\n", "\n\n| a | b |\n|---|---|\n| 1 | *2* |\n\n",
              "\n\n# Heading {: #h1 }\n\n", "\n\n- item *one*\n- item `two`\n\n", "!", "[", "<", "\\", "\n",
              "\u201cquoted\u201d", "a_b_c", "2 * 3 * 4", "\n\n> quoted *text*\n\n",
              '"straight"', "it's", "'single'", "'90s", "a -- b", "a---b", "so...", ". . .", "--", "'", '"']
    rng = random.Random(11)
    for _ in range(1500):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 9)))
        quick.reset()
        plain.reset()
        assert quick.convert(text) == plain.convert(text), text


def test_the_nearest_passage_is_found_in_a_long_text_with_few_letter_by_letter_comparisons(monkeypatch):
    """A missing quote's nearest passage comes from one pass over the words: however long
    the text, only a few stretches are compared letter by letter (once it was every one)."""
    import difflib

    from generator import markup

    compared = []
    real = difflib.SequenceMatcher.ratio
    monkeypatch.setattr(difflib.SequenceMatcher, "ratio", lambda self: compared.append(1) or real(self))
    filler = " ".join(f"word{i % 977} filler text of the report" for i in range(40000))
    text = f"{filler} the minister said we will never sell the harbour to anyone {filler}"
    nearest = markup._nearest(normalise(text), normalise("we will never sell the harbor to anybody"))
    assert nearest == "we will never sell the harbour to anyone"
    assert len(compared) <= markup.NEAREST_TRIES


def test_the_sanitizer_keeps_alignment_ids_classes_and_ftp_links_and_drops_what_could_run():
    html = Markup("/", False).snippet(
        "| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n\nPara\n{: .lead #intro }\n\n## Head {: #custom .big }\n\n"
        "<ftp://example.org/file.txt>\n\n<p class=\"x y\" id=\"9bad\" onclick=\"alert(1)\" style=\"color:red\">z</p>")
    assert '<th class="align-left">a</th>' in html and '<td class="align-center">2</td>' in html
    assert '<td class="align-right">3</td>' in html and "style=" not in html
    assert '<p class="lead" id="intro">Para</p>' in html and '<h2 class="big" id="custom">Head</h2>' in html
    assert '<a href="ftp://example.org/file.txt">' in html
    assert '<p class="x y">z</p>' in html and "onclick" not in html and "9bad" not in html


@pytest.mark.parametrize("body, quote", [
    ("He typed `if a < b && c > d` and left.", "if a < b && c > d"),
    ("She said: Tom & Jerry <3 forever.", "Tom & Jerry <3 forever"),
    ("She said: AT&amp;T is &quot;big&quot; now.", 'AT&T is "big" now'),
    ("It read `x &lt; y` there.", "x &lt; y"),
    ("It read &ldquo;x&rdquo; and *y* <i>z</i> w.", '"x" and y z w'),
    ("The form said <b>Name</b> &lt;required&gt; here.", "Name <required> here"),
])
def test_quotes_with_markup_characters_are_found_as_a_reader_sees_them(body, quote):
    result = Markup("/", False).body(article(body + "\n", [(quote, False)]))
    assert result.anchored == {1} and not result.problems
    assert 'id="quote-1"' in result.html


def test_typographic_quotes_and_dashes_keep_each_passage_found():
    """smarty makes the text's quotes curly and its hyphens dashes; a quote typed with either
    form still finds its passage, word for word."""
    body = 'She said: "We won\'t wait -- not a day..." Then: "a---b".\n'
    result = Markup("/", False).body(article(body, [("We won't wait -- not a day...", False), ("a\u2014b", False)]))
    assert result.anchored == {1, 2} and not result.problems
    assert "We won\u2019t wait \u2013 not a day\u2026</span>\u201d" in result.html


def test_titles_get_the_texts_punctuation():
    from generator.model import typographic
    assert typographic('"Why" Beijing\'s answer -- and the \'90s... matter') == \
        "\u201cWhy\u201d Beijing\u2019s answer \u2013 and the \u201990s\u2026 matter"
    assert typographic("A (\"quoted\") 'word'---yes") == "A (\u201cquoted\u201d) \u2018word\u2019\u2014yes"


def test_a_heading_in_the_text_never_takes_an_id_the_article_page_uses(tmp_path):
    """A heading "Sources" or "Quote 1" in the text would give the page two elements with one
    id; it gets its own. The list of the page's ids is checked against the templates, so a
    new part of the page cannot be missed."""
    import re
    from conftest import ROOT
    from generator.markup import PAGE_ID_PREFIXES, PAGE_IDS, heading_id
    written = set()
    for name in ("article.html", "base.html", "_macros.html"):
        written |= set(re.findall(r'\bid="([^"]*)"', (ROOT / "templates" / name).read_text()))
    for found in written:
        fixed = found.split("{{")[0]
        if "{{" in found:  # made for each quote, correction, claim or event
            assert fixed.startswith(PAGE_ID_PREFIXES) or not fixed or fixed.startswith("graph") \
                or fixed.startswith("side-"), found
        elif not fixed.startswith("graph"):  # the map's ids are on actor pages only
            assert fixed in PAGE_IDS, f"templates give id '{found}': add it to markup.PAGE_IDS"
    for heading, made in (("Sources", "sources-in-text"), ("Quote 1", "quote-1-in-text"),
                          ("Corrections", "corrections-in-text"), ("What Moscow wants", "what-moscow-wants")):
        assert heading_id(heading, "-") == made
