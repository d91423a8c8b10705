"""Every address of the site, for the code and the templates alike, and the check that no
two files of a build claim one.

An address is relative to the site's root and ends in '/' for a page ('actors/zhao-lijian/'),
which is written as that folder's index.html; a file's address is its path ('feed.xml')."""

from __future__ import annotations

HOME = ""
ARTICLES = "articles/"
ACTORS = "actors/"
TIMELINE = "timeline/"
QUOTES = "quotes/"
SEARCH = "search/"
CORRECTIONS = "corrections/"  # every correction and update, once there is one
CLAIMS = "claims/"  # every claim, once there is one
AUTHORS = "authors/"  # who writes the articles, once an article names an author
SECTIONS = (HOME, ARTICLES, ACTORS, TIMELINE, QUOTES)  # the pages every site has, as the sitemap lists them


def article(slug: str) -> str:
    return f"{ARTICLES}{slug}/"


def actor(slug: str) -> str:
    return f"{ACTORS}{slug}/"


def actor_feed(slug: str) -> str:
    """The Atom feed of the articles an actor appears in."""
    return f"{ACTORS}{slug}/feed.xml"


def author(slug: str) -> str:
    return f"{AUTHORS}{slug}/"


def author_feed(slug: str) -> str:
    """The Atom feed of an author's articles."""
    return f"{AUTHORS}{slug}/feed.xml"


def year(number: int) -> str:
    """The timeline's page of a year, once the timeline is split."""
    return f"{TIMELINE}{number}/"


def speaker(slug: str) -> str:
    """The quote index's page of one speaker, once the index is split."""
    return f"{QUOTES}{slug}/"


def compared(slug: str) -> str:
    """What each side said about one actor, side by side."""
    return f"{QUOTES}about/{slug}/"


def quote(quote) -> str:
    """Where a quotation stands in its article (a paraphrase has no passage of its own)."""
    base = article(quote.article)
    return base if quote.paraphrase else f"{base}#{quote.anchor}"


def paged(address: str, number: int) -> str:
    """Page number of a long list whose first page is at address: address, address/page/2/ ..."""
    return address if number == 1 else f"{address}page/{number}/"


def file(address: str) -> str:
    """The file a page's address is served from."""
    return address + "index.html" if address == HOME or address.endswith("/") else address


def page_address(path: str) -> str | None:
    """The address of the page written at path, or None for a file that is not a page."""
    if path == "index.html":
        return HOME
    return path[:-len("index.html")] if path.endswith("/index.html") else None


def pager(address: str, number: int, count: int) -> dict | None:
    """The links between the pages of a long list, for page number of count."""
    if count <= 1:
        return None
    return {"number": number, "count": count, "pages": [(n, paged(address, n)) for n in range(1, count + 1)],
            "previous": paged(address, number - 1) if number > 1 else None,
            "next": paged(address, number + 1) if number < count else None}


class Urls:
    """The addresses above as links: below the site's path prefix, or absolute with its origin.
    An event's link is its place on the timeline: on its year's page once the timeline is split."""

    article = staticmethod(article)
    actor = staticmethod(actor)
    author = staticmethod(author)
    year = staticmethod(year)
    speaker = staticmethod(speaker)
    quote = staticmethod(quote)

    def __init__(self, prefix: str, origin: str, event_pages: dict[str, str] | None = None):
        self.prefix, self.origin = prefix, origin
        self.event_pages = event_pages if event_pages is not None else {}  # event id -> its page, when split

    def event(self, event) -> str:
        return f"{self.event_pages.get(event.id, TIMELINE)}#event-{event.id}"

    def path(self, relative: str = "") -> str:
        return self.prefix + relative

    def absolute(self, relative: str = "") -> str:
        return self.origin + self.prefix + relative


class Claims:
    """The files a build writes, each claimed once: a second claim of a path (an actor whose
    address is an article's, a page where a static file goes) would silently take the first
    one's place, so it is refused."""

    def __init__(self, taken=()):
        self.taken: set[str] = set(taken)

    def claim(self, path: str) -> None:
        if path in self.taken:
            raise ValueError(f"two pages of the plan claim {path}")
        self.taken.add(path)
