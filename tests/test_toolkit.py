"""The traps an editor new to the tool fell into, each tried as they tried it: drafts that
vanished, quotes refused for a comma, hints that misled, first steps that did not work as
written, and times shown that nobody said."""

import json
import re

from conftest import ROOT, run_cli
from generator import cli
from generator.build import build

DRAFT = ("---\ntitle: Not yet\ndate: 2024-05-07\ndraft: true\nsources:\n  - publisher: Wire\n"
         "quotes:\n  - speaker: ana-lima\n    text: \"Soon.\"\n---\n\n[[ana-lima]] said: \u201cSoon.\u201d\n")


# 1. Drafts that vanish

def test_new_article_says_it_wrote_a_draft_and_how_to_publish_it(site):
    root = site()
    made = run_cli("new", "article", "The ferry plan", "--site", str(root))
    assert made.returncode == 0, made.stderr
    assert "a draft" in made.stdout and "draft: true" in made.stdout and "--drafts" in made.stdout
    assert "content/articles/the-ferry-plan.md" in made.stdout


def test_check_and_build_say_how_many_drafts_they_left_out(site):
    root = site({"content/articles/not-yet.md": DRAFT})
    checked = run_cli("check", "--site", str(root))
    assert checked.stdout.strip() == ("No errors: 1 article, 1 actor, 0 events, 1 quote. "
                                      "1 draft left out: check with --drafts to include it.")
    built = run_cli("build", "--site", str(root), "--no-search")
    assert built.returncode == 0, built.stderr
    assert built.stdout.rstrip().endswith("1 draft left out: build with --drafts to include it.")
    again = run_cli("build", "--site", str(root), "--no-search")  # nothing changed: still said
    assert again.stdout.rstrip().endswith("1 draft left out: build with --drafts to include it.")
    included = run_cli("check", "--site", str(root), "--drafts")
    assert "left out" not in included.stdout and included.stdout.startswith("No errors: 2 articles")


def test_a_draft_is_in_nothing_the_build_publishes(site, tmp_path):
    root = site({"content/articles/not-yet.md": DRAFT})
    out = tmp_path / "out"
    assert build(root, output=out).ok
    assert not (out / "articles/not-yet").exists()
    everything = "".join(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())
    assert "not-yet" not in everything and "Not yet" not in everything
    data = json.loads((out / "data/explainer.json").read_text())
    assert [a["slug"] for a in data["articles"]] == ["first"]


def test_the_preview_shows_drafts_marked_unless_asked_not_to(site, tmp_path, monkeypatch):
    called = {}
    monkeypatch.setattr("generator.serve.serve", lambda root, **options: called.update(options) or 0)
    assert cli.main(["serve", "--site", str(site())]) == 0 and called["drafts"] is True
    assert cli.main(["serve", "--site", str(site()), "--no-drafts"]) == 0 and called["drafts"] is False
    root = site({"content/articles/not-yet.md": DRAFT})
    assert build(root, output=tmp_path / "out", drafts=True).ok
    page = (tmp_path / "out/articles/not-yet/index.html").read_text()
    assert re.search(r'<p class="notice notice-draft"[^>]*><strong>DRAFT</strong>', page)


# 2. Quote matching that fights newsroom style

SCHOOL_RUN = ("---\ntitle: First\ndate: 2024-05-06\nsources:\n  - publisher: Wire\nquotes:\n"
              "  - speaker: ana-lima\n    text: \"It will ease the school run.\"\n"
              "  - speaker: ana-lima\n    text: \"Traffic will fall\"\n---\n\n"
              "[[ana-lima]] said \u201cit will ease the school run,\u201d and that \u201ctraffic will fall.\u201d\n")


def test_a_quote_may_differ_in_its_final_mark_and_the_case_of_its_first_letter(site, tmp_path):
    result = build(site({"content/articles/first.md": SCHOOL_RUN}), output=tmp_path / "out")
    assert result.ok, [d.format() for d in result.diagnostics.errors]
    page = (tmp_path / "out/articles/first/index.html").read_text()
    assert '<span class="passage" id="quote-1">it will ease the school run</span>' in page
    assert '<span class="passage" id="quote-2">traffic will fall</span>' in page


def test_a_quote_with_another_word_is_refused_pointing_at_the_passage_and_the_word(site):
    root = site({"content/articles/first.md": SCHOOL_RUN.replace("ease the school run,", "ease the morning run,")})
    result = build(root, write=False)
    problem = next(d for d in result.diagnostics.errors if "does not occur" in d.message)
    assert problem.location.line == 8  # the quote's text in the front matter
    assert "at line 13" in problem.hint  # the text's line with the nearest passage
    assert "('school' where the text has 'morning');" in problem.hint  # not the case or the comma


def test_a_quote_is_not_found_inside_a_longer_word(site):
    text = SCHOOL_RUN.replace("traffic will fall.", "traffic will fallow.")
    result = build(site({"content/articles/first.md": text}), write=False)
    assert any("quote 2" in d.message for d in result.diagnostics.errors)


# 3. Hints that mislead

def check_errors(root) -> str:
    return run_cli("check", "--site", str(root)).stderr


def test_a_colon_in_a_headline_with_double_quotes_is_shown_in_the_editor_s_own_words(site):
    root = site({"content/articles/first.md": "---\ntitle: Lima says \"no\": what next\ndate: 2024-05-06\n---\n"})
    assert "hint: put the whole value in quotes: title: 'Lima says \"no\": what next'" in check_errors(root)


def test_a_value_starting_with_an_at_sign_is_explained(site):
    root = site({"content/actors/ana-lima.yaml": "name: Ana Lima\nkind: person\nrole: @mayor\n"})
    errors = check_errors(root)
    assert "error: a value cannot start with '@' unless it is in quotes" in errors
    assert 'hint: put the whole value in quotes: role: "@mayor"' in errors


def test_required_fields_are_named_in_good_english_with_the_choices(site):
    root = site({"content/actors/ana-lima.yaml": "name: Ana Lima\nimage: {src: media/a.png}\n"})
    errors = check_errors(root)
    assert "needs an 'alt'" in errors and "a 'alt'" not in errors
    assert "an actor needs a 'kind'\n  hint: add a line 'kind: person' (or one of: person, country," in errors


def test_an_image_given_as_one_text_shows_how_to_write_it(site):
    root = site({"content/actors/ana-lima.yaml": "name: Ana Lima\nkind: person\nimage: media/ana.jpg\n"})
    errors = check_errors(root)
    assert "not a str" not in errors
    assert "'image' needs its fields (src, alt, credit), not only a text" in errors
    assert 'hint: write image: {src: media/ana.jpg, alt: "what the picture shows"}' in errors


def test_a_link_by_name_gets_the_slug_it_meant(site):
    text = "---\ntitle: First\ndate: 2024-05-06\nsources: [{publisher: Wire}]\n---\n\nWe met [[Ana Lima]].\n"
    errors = check_errors(site({"content/articles/first.md": text}))
    assert "did you mean 'ana-lima'? (content/actors/ana-lima.yaml): write [[ana-lima]], or [[ana-lima|Ana Lima]]" \
        in errors


def test_the_closing_line_counts_warnings(site):
    root = site({"content/actors/ana-lima.yaml": "name: Ana Lima\nkind: person\ncolour: red\n"})
    checked = run_cli("check", "--site", str(root))
    assert checked.stdout.startswith("No errors, 1 warning: 1 article, 1 actor")
    root = site({"content/actors/ana-lima.yaml": "name: Ana Lima\nkind: persn\ncolour: red\n"})
    assert check_errors(root).endswith("\n1 error, 1 warning.\n")


def test_a_template_s_mistake_is_reported_once(site):
    base = (ROOT / "templates/base.html").read_text().replace("</main>", "{{ site.no_such_list }}</main>")
    root = site({"templates/base.html": base})
    errors = check_errors(root)
    assert errors.count(": error: ") == 1, errors
    assert "(and " in errors and " other pages)" in errors and "'site' has no attribute 'no_such_list'" in errors
    root = site({"templates/base.html": base.replace("{{ site.no_such_list }}", "{% if %}")})
    assert check_errors(root).count(": error: ") == 1


def test_new_actor_on_a_taken_slug_says_to_edit_that_file(site):
    root = site()
    again = run_cli("new", "actor", "Ana Lima", "--kind", "person", "--site", str(root))
    assert again.returncode == 2
    assert "hint: edit that file, or give this actor another name or --slug" in again.stderr


# 4. First steps

def test_help_shows_the_command_editors_type_and_where_new_files_go():
    top = run_cli("--help").stdout
    assert "python -m generator" not in top and "explainer new article" in top
    article, actor = run_cli("new", "article", "--help").stdout, run_cli("new", "actor", "--help").stdout
    assert article != actor
    assert "content/articles/<slug>.md" in article and "draft: true" in article
    assert "content/actors/<slug>.yaml" in actor and "--kind" in actor


# 5. Times shown that nobody said

def test_a_quote_without_a_said_date_shows_the_day_only(site, tmp_path):
    text = ("---\ntitle: First\ndate: 2024-05-06T16:30:00+00:00\nsources:\n  - publisher: Wire\n"
            "quotes:\n  - speaker: ana-lima\n    text: \"We will build it.\"\n---\n\n"
            "[[ana-lima]] said: \u201cWe will build it.\u201d\n")
    out = tmp_path / "out"
    result = build(site({"content/articles/first.md": text}), output=out)
    assert result.ok
    assert result.index.quotes[0].said.iso() == "2024-05-06"
    quotes = (out / "quotes/index.html").read_text()
    assert "16:30" not in quotes and "6 May 2024" in quotes


def test_a_site_s_time_zone_is_shown_by_its_name(site, tmp_path):
    root = site({"site.yaml": "title: Tiny\nbase_url: https://example.org/tiny/\ntimezone: Europe/London\n",
                 "content/articles/first.md": MINIMAL_WITH_TIME})
    out = tmp_path / "out"
    assert build(root, output=out).ok
    page = (out / "articles/first/index.html").read_text()
    assert "6 May 2024, 09:30 BST" in page and "UTC+01:00" not in page


MINIMAL_WITH_TIME = ("---\ntitle: First\ndate: 2024-05-06 09:30\nsources:\n  - publisher: Wire\n---\n\nText.\n")


# 8. A pre-commit hook

def test_the_pre_commit_hook_checks_a_site_as_check_does(site, tmp_path):
    """pre-commit installs this repository as its users' hook would (a fresh environment,
    the package installed, not linked) and runs it on a site with a mistake and without."""
    import os
    import shutil
    import subprocess

    tool = shutil.which("pre-commit", path=str(ROOT / ".venv" / "bin")) or shutil.which("pre-commit")
    assert tool, "make test installs pre-commit (requirements-dev.txt)"
    root = site()
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit"), "GIT_AUTHOR_NAME": "E",
           "GIT_AUTHOR_EMAIL": "e@example.org", "GIT_COMMITTER_NAME": "E", "GIT_COMMITTER_EMAIL": "e@example.org"}

    def run(*args):
        return subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, timeout=600)

    assert run("git", "init", "-q").returncode == 0
    assert run("git", "add", "-A").returncode == 0
    hook = ("pre-commit", "try-repo", str(ROOT), "explainer-check", "--all-files")
    passed = run(tool, *hook[1:])
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
    (root / "content/actors/ana-lima.yaml").write_text("name: Ana Lima\nkind: persn\n")
    run("git", "add", "-A")
    failed = run(tool, *hook[1:])
    assert failed.returncode == 1
    assert "content/actors/ana-lima.yaml:2:7: error: 'persn' is not a kind of actor" in failed.stdout


def test_a_house_styled_quote_must_still_be_whole_words(site):
    for quote, text in (("We lost 3.", "we lost 3,000 men"), ("He is ill.", "he is ill-prepared"),
                        ("Sanctions work", "anti-sanctions work")):
        article = ("---\ntitle: First\ndate: 2024-05-06\nsources: [{publisher: Wire}]\nquotes:\n"
                   f"  - speaker: ana-lima\n    text: \"{quote}\"\n---\n\n[[ana-lima]] said {text}.\n")
        result = build(site({"content/articles/first.md": article}), write=False)
        assert any("does not occur" in d.message for d in result.diagnostics.errors), quote


def test_a_zone_name_readers_could_mistake_is_shown_as_its_offset(site, tmp_path):
    root = site({"site.yaml": "title: Tiny\nbase_url: https://example.org/tiny/\ntimezone: Asia/Shanghai\n",
                 "content/articles/first.md": MINIMAL_WITH_TIME})
    assert build(root, output=tmp_path / "out").ok
    page = (tmp_path / "out/articles/first/index.html").read_text()
    assert "6 May 2024, 09:30 UTC+08:00" in page and "CST" not in page


def test_build_as_json_prints_one_object(site):
    done = run_cli("build", "--site", str(site()), "--no-search", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["errors"] == 0 and "Built " in done.stderr
