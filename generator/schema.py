"""JSON Schemas of the content files (site.yaml, actor and author files, an article's front
matter), for editors that check YAML while it is typed (VS Code's YAML extension reads the
'# yaml-language-server: $schema=' line that `new` writes).

The fields of each kind of entry are the reader's own lists (model.py, config.py): the
schema takes its properties from them, and says of each field what FIELDS below says. A
field the reader knows that FIELDS does not describe stops the schema being made, and
tests/test_schema.py reads every kind of entry while it records which fields the reader
accepted there, and compares them with the schema's: the two cannot disagree unnoticed."""

from __future__ import annotations

import json

from . import config, model

SCHEMA = "https://json-schema.org/draft/2020-12/schema"
FOLDER = "schemas"  # where the repository keeps them, and `explainer schema` writes them

SLUG = {"type": "string", "pattern": model.SLUG.pattern.replace("%d", str(model.SLUG_LONGEST))}
TEXT = {"type": ["string", "number"]}  # the reader takes 1984 for the text "1984"
LINE = {"type": ["string", "number"], "pattern": r"^[^\n]*$"}
MARKDOWN = {"type": "string", "description": "Markdown; [[actor-slug]] links an actor"}
DATE = {"type": ["string", "integer"], "description": "YYYY, YYYY-MM, YYYY-MM-DD or an ISO date and time "
                                                      "such as 2022-03-14T09:30:00+08:00",
        "pattern": r"^\d{4}(-\d{1,2}(-\d{1,2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?)?)?$"}
URL = {"type": "string", "pattern": "^https?://", "format": "uri"}
FLAG = {"type": "boolean"}


def slug_of(collection: str, what: str = "") -> dict:
    """A slug of an actor or an author: x-collection names the folder it is a file of."""
    return {**SLUG, "x-collection": collection, **({"description": what} if what else {})}


def slugs(what: str, collection: str = "actors") -> dict:
    return {"type": "array", "items": slug_of(collection), "uniqueItems": True, "description": f"{what}, by slug"}


def words(what: str) -> dict:
    return {"type": "array", "items": LINE, "description": what}


def one_of(values, what: str) -> dict:
    # YAML reads a bare false as a true/false value; the reader takes it as the word
    bare = [False] if "false" in values else []
    return {"enum": [*values, *bare], "description": what}


def entry(fields: tuple[str, ...], described: dict[str, dict], required=(), what: str = "") -> dict:
    """An object whose properties are the reader's fields, each as described."""
    missing = [name for name in fields if name not in described]
    if missing:
        raise KeyError(f"the schema does not describe {', '.join(missing)} of {what or 'an entry'}")
    return {"type": "object", "properties": {name: described[name] for name in fields},
            "required": list(required), "additionalProperties": False,
            **({"description": what} if what else {})}


def image(fields: tuple[str, ...]) -> dict:
    return entry(fields, {"src": {**LINE, "description": "media/<file> (under content/) or an https:// address"},
                          "alt": {**TEXT, "description": "what the picture shows, for who cannot see it"},
                          "caption": TEXT, "credit": TEXT}, ("src", "alt"), "a picture")


def links() -> dict:
    described = {key: URL for key in model.LINK_LABELS}
    described["wikidata"] = {"type": "string", "pattern": model.WIKIDATA.pattern, "description": "a Q-number"}
    return entry(tuple(model.LINK_LABELS), described, (), "links elsewhere")


def source() -> dict:
    return entry(model.SOURCE_FIELDS, {"publisher": LINE, "url": URL, "date": DATE, "title": TEXT},
                 ("publisher",), "a source: the reporting this rests on")


def site_schema() -> dict:
    return entry(config.CONFIG_FIELDS, {
        "title": LINE, "base_url": {**URL, "description": "where the site will live, ending in /"},
        "description": TEXT, "language": {**LINE, "description": "a language tag, e.g. en-GB"},
        "author": {**LINE, "description": "the desk or outlet"},
        "timezone": {**LINE, "description": "for times without an offset, e.g. Europe/London"},
        "cname": LINE, "unsafe_html": {**FLAG, "description": "let raw HTML through unfiltered"},
        "image": image(config.SHARE_IMAGE_FIELDS), "key_points": words("one-line key points"),
        "admin": entry(config.ADMIN_FIELDS, {
            "repo": {**LINE, "pattern": config._REPO.pattern, "description": "the GitHub repository, owner/name"},
            "branch": LINE, "auth_url": {**URL, "description": "the OAuth service that signs editors in"}},
            (), "the content manager at admin/, on when present"),
    }, ("title", "base_url"), "site.yaml")


def actor_schema() -> dict:
    return entry(model.ACTOR_FIELDS, {
        "name": LINE, "kind": one_of(model.KINDS, "what the actor is"), "role": LINE,
        "affiliations": slugs("other actors this one is part of"), "aliases": words("other names the text uses"),
        "summary": MARKDOWN, "links": links(), "image": image(model.PORTRAIT_FIELDS),
    }, ("name", "kind"), "an actor: content/actors/<slug>.yaml")


def author_schema() -> dict:
    return entry(model.AUTHOR_FIELDS, {
        "name": LINE, "role": LINE, "bio": MARKDOWN, "links": links(), "image": image(model.PORTRAIT_FIELDS),
    }, ("name",), "an author: content/authors/<slug>.yaml")


def article_schema() -> dict:
    listed = lambda item: {"type": "array", "items": item}  # noqa: E731
    standing = entry(model.STANDING_FIELDS, {"date": DATE, "verdict": one_of(model.VERDICTS, "where it stands"),
                                             "note": TEXT}, ("date", "verdict"), "where a claim stood on a date")
    evidence = entry(model.EVIDENCE_FIELDS, {
        "quotes": {"type": "array", "items": {"type": "integer", "minimum": 1},
                   "description": "the article's quotes, by number"},
        "sources": listed(source())}, (), "what bears on the claim")
    claim = entry(model.CLAIM_FIELDS, {
        "id": SLUG, "claim": {**TEXT, "description": "one sentence"}, "asserted_by": slugs("who asserts it"),
        "denied_by": slugs("who denies it"), "evidence": evidence,
        "status": {"type": "array", "items": standing, "minItems": 1, "description": "oldest first"},
        "reviewer": LINE}, ("claim", "status"), "a claim")
    correction = entry(model.CORRECTION_FIELDS, {
        "date": DATE, "kind": one_of(model.CORRECTION_KINDS, "what kind of entry"), "text": MARKDOWN},
        ("date", "kind", "text"), "a correction or update")
    event = entry(model.EVENT_FIELDS, {
        "id": SLUG, "date": DATE, "end": DATE, "title": LINE, "description": MARKDOWN,
        "actors": slugs("who takes part"), "place": LINE, "key": FLAG}, ("date", "title"), "an event")
    quote = entry(model.QUOTE_FIELDS, {
        "speaker": slug_of("actors", "who said it"), "text": {**TEXT, "description": "word for word as in the text (or its translation)"},
        "said": DATE, "context": TEXT, "via": LINE, "about": slugs("whom it is about"),
        "topics": words("topics"), "paraphrase": FLAG, "source": source(),
        "language": {**LINE, "description": "the language the words were said in"},
        "original": {**TEXT, "description": "the words as said"}, "translated_by": LINE,
        "status": one_of(model.QUOTE_STATUSES, "the quote's standing"), "status_note": TEXT,
        "status_source": source()}, ("speaker", "text"), "a quote")
    return entry(model.ARTICLE_FIELDS, {
        "title": LINE, "date": DATE, "updated": DATE, "summary": MARKDOWN, "draft": FLAG, "slug": SLUG,
        "authors": slugs("who wrote it, in byline order", "authors"), "sources": listed(source()),
        "image": image(model.PICTURE_FIELDS), "actors": slugs("actors the article is about"),
        "events": listed(event), "quotes": listed(quote), "corrections": listed(correction),
        "claims": listed(claim)}, ("title", "date"), "an article's front matter")


KINDS = {"site": site_schema, "actor": actor_schema, "author": author_schema, "article": article_schema}


def schemas() -> dict[str, str]:
    """file name -> text, for every kind of file."""
    found = {}
    for kind, make in KINDS.items():
        data = {"$schema": SCHEMA, "$id": f"{kind}.schema.json", "title": f"explainer: {kind}", **make()}
        found[f"{kind}.schema.json"] = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return found


def schema_line(kind: str, depth: int) -> str:
    """The line that points an editor at the schema, from a file depth folders below the site."""
    return f"# yaml-language-server: $schema={'../' * depth}{FOLDER}/{kind}.schema.json\n"
