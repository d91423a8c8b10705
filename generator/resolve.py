"""Link ids into one site index: who said what, who took part in what, and every URL.

Everything that cuts across articles is computed here, in explicit passes, once every
file is read; dangling references and collisions are reported with a "did you mean".
"""

from __future__ import annotations

import functools
import heapq
import operator
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from .config import SiteConfig
from .dates import PartialDate
from .diagnostics import Diagnostics, Location, did_you_mean
from .markup import Markup, RenderedBody, fill_names, placeholders
from .model import Actor, Article, Event, Quote, Ref

KIND_TITLES = {"person": "People", "country": "Countries", "organisation": "Organisations",
               "group": "Groups", "other": "Others"}


@dataclass(frozen=True)
class TimelineEvent:
    """One event, possibly told by several articles."""

    id: str
    date: PartialDate
    title: str
    location: Location
    end: PartialDate | None
    description: str | None  # HTML
    actors: tuple[str, ...]
    place: str | None
    articles: tuple[str, ...]


@dataclass
class SiteIndex:
    config: SiteConfig
    actors: dict[str, Actor]  # by slug, sorted by name
    articles: list[Article]  # published, newest first
    bodies: dict[str, str]  # article slug -> final body HTML
    events: list[TimelineEvent]  # chronological
    quotes: list[Quote]  # chronological
    article_actors: dict[str, list[str]] = field(default_factory=dict)
    actor_summaries: dict[str, str] = field(default_factory=dict)
    article_summaries: dict[str, str] = field(default_factory=dict)
    image_sizes: dict[str, tuple[int, int]] = field(default_factory=dict)  # "media/x.png" -> (width, height)

    def article(self, slug: str) -> Article:
        return self._articles[slug]

    def __post_init__(self):
        self._articles = {a.slug: a for a in self.articles}
        self._reuse = Reuse()  # what linking made, for working out related actors
        # stands for the actors as they are: the same object from one build to the next while
        # no actor changed (see resolve)
        self._actors_now: object = None

    def published(self, slug: str) -> bool:
        return slug in self._articles

    # Each actor's quotes, events and articles, and related actors, are worked out on first
    # use: the preview renders the page open in the browser first, and an article's page
    # needs none of them.

    @property
    def quotes_by_speaker(self) -> dict[str, list[Quote]]:
        return self._lists[0]

    @property
    def events_by_actor(self) -> dict[str, list[TimelineEvent]]:
        return self._lists[1]

    @property
    def articles_by_actor(self) -> dict[str, list[Article]]:
        return self._lists[2]

    @functools.cached_property
    def _lists(self) -> tuple[dict, dict, dict]:
        return _by_actor(self)

    @functools.cached_property
    def related(self) -> dict[str, list[tuple[str, str]]]:
        """Actor slug -> [(slug, why)], the actors most related to it."""
        return _related_actors(self, self._reuse, self._actors_now)

    def actors_by_kind(self) -> list[tuple[str, str, list[Actor]]]:
        groups = defaultdict(list)
        for actor in self.actors.values():
            groups[actor.kind].append(actor)
        return [(kind, KIND_TITLES[kind], groups[kind]) for kind in KIND_TITLES if groups[kind]]


RELATED = 12  # related actors shown on an actor's page


def _name_key(actor: Actor) -> tuple:
    return (actor.name.casefold(), actor.slug)


def check_refs(refs: list[Ref], known: set[str], actors: dict[str, Actor], what: str, diags: Diagnostics):
    for ref in refs:
        if ref.slug in known:
            continue
        guess = did_you_mean(ref.slug, known)
        if guess is None:
            for actor in actors.values():
                names = [actor.name, *actor.aliases]
                if any(ref.slug.replace("-", " ") == n.casefold() for n in names):
                    guess = actor.slug
        hint = (f"did you mean '{guess}'? ({actors[guess].location.file})" if guess in actors
                else f"did you mean '{guess}'?" if guess
                else f"create content/actors/{ref.slug}.yaml with a name and a kind, or fix the slug")
        diags.error(ref.location, f"{what} '{ref.slug}' is not a known actor", hint)


class Reuse:
    """What linking made from objects that did not change, kept from one build to the next.

    A piece is found by the identity of the objects it was made from, which it holds (so no
    other object can take their identity while it is kept), and is used again only while
    the other inputs it records are equal."""

    def __init__(self):
        self.previous: dict = {}
        self.current: dict = {}

    def get(self, kind: str, sources: tuple, inputs, make):
        key = (kind, *map(id, sources))
        found = self.current.get(key) or self.previous.get(key)
        if found is None or found[1] != inputs:
            found = (sources, inputs, make())
        self.current[key] = found
        return found[2]

    def turn(self) -> None:
        """Keep this build's pieces for the next; if it made none, keep the last build's."""
        if self.current:
            self.previous, self.current = self.current, {}


@dataclass(frozen=True)
class _Linked:
    """What linking makes of one article on its own, given the actors."""

    problems: tuple  # its references to unknown actors, and its body's problems
    order: str  # its place among the articles, oldest first
    body: str  # the body's HTML with actor names filled in
    summary: str | None  # the summary's HTML, likewise
    actors: tuple[str, ...]  # the known actors it names, in the order it first names them
    events: tuple[tuple[str, TimelineEvent], ...]  # (place in time, the event as this article alone tells it)
    quotes: tuple[str, ...]  # the place in time of each of its quotes


# The keys that order articles, events and quotes are strings of their parts joined by NUL,
# which comes before every character of a date, a slug or an id: a shorter part (a date
# without a time, an event without an end) comes first, as it would in a tuple.

def _event_order(event: Event) -> str:
    return f"{event.date.sort_key()}\0{event.end.sort_key() if event.end else ''}\0{event.id}"


def resolve(config: SiteConfig, actors: list[Actor], known_slugs: set[str], articles: list[Article],
            bodies: dict[str, RenderedBody], markup: Markup, drafts: bool, diags: Diagnostics,
            reuse: Reuse | None = None) -> SiteIndex:
    """Link the site: check every reference, merge events, fill in actor names, relate actors.
    reuse carries pieces from the last build of the same site: an article that did not
    change, while the actors did not either, is linked by what the last build made of it."""
    kept = reuse is not None  # without it, the pieces are let go once linked
    reuse = reuse or Reuse()
    actor_map = {a.slug: a for a in sorted(actors, key=_name_key)}
    known = set(known_slugs) | set(actor_map)
    # stands for the actors as they are: the same object while they are the same
    actors_now = reuse.get("actors", (markup,), (frozenset(known), tuple(actor_map.values())), object)

    seen_slugs: dict[str, Article] = {}
    for article in articles:
        if article.slug in seen_slugs:
            first = seen_slugs[article.slug]
            here, other = (first, article) if first.slug_location and not article.slug_location else (article, first)
            diags.error(here.slug_location or here.location,
                        f"the slug '{article.slug}' is already used by {other.location.file}",
                        "give one of the two articles another 'slug:' (or rename its file)")
        else:
            seen_slugs[article.slug] = article

    for actor in actor_map.values():
        check_refs(list(actor.affiliations), known, actor_map, "affiliation", diags)

    def name(slug: str) -> str:
        actor = actor_map.get(slug)
        return actor.name if actor else slug

    def filled(text: str, seal: str = markup.seal) -> str:
        """text (made by markup, or by a converter with that seal) with its actor name
        placeholders filled in; again only if a name changed."""
        slugs = reuse.get("slugs", (text, seal), None, lambda: placeholders(text, seal))
        names = tuple(actor_map[s].name if s in actor_map else None for s in slugs)
        return reuse.get("filled", (text, seal), names, lambda: fill_names(text, seal, name) if slugs else text)

    def link(article: Article, rendered: RenderedBody | None) -> _Linked:
        local = Diagnostics()
        check_refs(list(article.actors), known, actor_map, "actor", local)
        for event in article.events:
            check_refs(list(event.actors), known, actor_map, "event actor", local)
        for quote in article.quotes:
            check_refs([quote.speaker], known, actor_map, "quote speaker", local)
            check_refs(list(quote.about), known, actor_map, "quote subject", local)
        if rendered:
            check_refs(list(rendered.mentions), known, actor_map, "actor link", local)
            for problem in rendered.problems:
                local.error(problem.location, problem.message, problem.hint)
        summary = None
        if article.summary:
            summary = (filled(rendered.summary, rendered.seal) if rendered and rendered.summary is not None
                       else filled(markup.snippet(article.summary)))
        told = [reuse.get("event", (event, markup), None, lambda e=event: _merged([e], markup))
                for event in article.events]
        return _Linked(
            problems=tuple(local.items),
            order=f"{article.date.sort_key()}\0{article.slug}",
            body=filled(rendered.html, rendered.seal) if rendered else "",
            summary=summary,
            actors=tuple(s for s in _mentioned(article, rendered) if s in known),
            events=tuple((_event_order(e), _fill_names(t, filled, reuse)) for e, t in zip(article.events, told)),
            quotes=tuple(f"{q.said.sort_key()}\0{q.article}\0{q.number:06d}" for q in article.quotes))

    linked: dict[int, _Linked] = {}
    for article in articles:
        rendered = bodies.get(article.slug)
        made = linked[id(article)] = reuse.get("linked", (article, rendered), actors_now,
                                               lambda a=article, r=rendered: link(a, r))
        diags.items.extend(made.problems)

    published = sorted((a for a in seen_slugs.values() if drafts or not a.draft),
                       key=lambda a: linked[id(a)].order, reverse=True)
    events = _merge_events(published, linked, markup, diags, filled, reuse)
    quotes = [(key, quote) for a in published for key, quote in zip(linked[id(a)].quotes, a.quotes)]
    quotes.sort(key=operator.itemgetter(0))

    index = SiteIndex(config=config, actors=actor_map, articles=published, bodies={}, events=events,
                      quotes=[quote for _, quote in quotes])
    for article in published:
        made = linked[id(article)]
        index.bodies[article.slug] = made.body
        if made.summary is not None:
            index.article_summaries[article.slug] = made.summary
        index.article_actors[article.slug] = list(made.actors)
    for actor in actor_map.values():
        if actor.summary:
            index.actor_summaries[actor.slug] = filled(markup.snippet(actor.summary))
    index._reuse, index._actors_now = reuse if kept else Reuse(), actors_now
    reuse.turn()
    return index


def _fill_names(event: TimelineEvent, filled, reuse: Reuse) -> TimelineEvent:
    """The event with actor names in its description; the same object while they are the same."""
    if not event.description:
        return event
    description = filled(event.description)
    if description is event.description:
        return event
    return reuse.get("named", (event,), description, lambda: replace(event, description=description))


def _merge_events(articles: list[Article], linked: dict[int, _Linked], markup: Markup, diags: Diagnostics,
                  filled, reuse: Reuse) -> list[TimelineEvent]:
    """One event for each id, told first by the oldest article (articles are newest first),
    in the order of time, with actor names filled in."""
    merged: dict[str, list] = defaultdict(list)
    for article in reversed(articles):
        for event, told in zip(article.events, linked[id(article)].events):
            merged[event.id].append((event, told))
    result = []
    for event_id, tellings in merged.items():
        if len(tellings) == 1:  # as its article alone tells it
            result.append(tellings[0][1])
            continue
        first = tellings[0][0]
        for other, _ in tellings[1:]:
            if (other.date, other.end) != (first.date, first.end):
                diags.error(other.location,
                            f"event '{event_id}' has other dates here than in {first.location}",
                            "events that share an id are one event: give them the same date and end, "
                            "or give this one its own id")
        events = [event for event, _ in tellings]
        made = reuse.get("event", (*events, markup), None, lambda t=events: _merged(t, markup))
        result.append((tellings[0][1][0], _fill_names(made, filled, reuse)))
    result.sort(key=operator.itemgetter(0))
    return [event for _, event in result]


def _merged(tellings: list[Event], markup: Markup) -> TimelineEvent:
    """One event from the articles that tell it, the oldest first."""
    first = tellings[0]
    description = next((e.description for e in tellings if e.description), None)
    return TimelineEvent(
        id=first.id,
        date=first.date,
        end=first.end,
        title=first.title,
        location=first.location,
        description=markup.snippet(description) if description else None,
        actors=tuple(dict.fromkeys(ref.slug for e in tellings for ref in e.actors)),
        place=next((e.place for e in tellings if e.place), None),
        articles=tuple(dict.fromkeys(e.article for e in tellings)),
    )


def _mentioned(article: Article, rendered: RenderedBody | None) -> tuple[str, ...]:
    """Every actor an article names, in the order it first names them."""
    order = [r.slug for r in article.actors]
    order += [r.slug for r in rendered.mentions] if rendered else []
    for quote in article.quotes:
        order += [quote.speaker.slug] + [r.slug for r in quote.about]
    for event in article.events:
        order += [r.slug for r in event.actors]
    return tuple(dict.fromkeys(order))


def _by_actor(index: SiteIndex) -> tuple[dict, dict, dict]:
    """What each actor said, took part in and appears in (index.article_actors is filled in)."""
    known = index.actors
    articles_by_actor = defaultdict(list)
    for article in index.articles:
        for slug in index.article_actors[article.slug]:
            articles_by_actor[slug].append(article)
    quotes_by_speaker = defaultdict(list)
    for quote in index.quotes:
        if quote.speaker.slug in known:
            quotes_by_speaker[quote.speaker.slug].append(quote)
    events_by_actor = defaultdict(list)
    for event in index.events:
        for slug in event.actors:
            if slug in known:
                events_by_actor[slug].append(event)
    return dict(quotes_by_speaker), dict(events_by_actor), dict(articles_by_actor)


def _related_actors(index: SiteIndex, reuse: Reuse, actors_now) -> dict[str, list[tuple[str, str]]]:
    """For each actor, up to RELATED others, by affiliation, membership, what their quotes
    are about, and how often they appear together. Worked out again only for the actors
    whose articles, events or quotes are not the same objects as in the last build, or
    when any actor changed (actors_now, see resolve)."""
    known = index.actors
    spoken_of: dict[str, list[Quote]] = defaultdict(list)  # quotes about an actor, once for each mention
    for quote in index.quotes:
        if quote.speaker.slug in known:
            for ref in quote.about:
                if ref.slug in known and ref.slug != quote.speaker.slug:
                    spoken_of[ref.slug].append(quote)
    members_of: dict[str, list[str]] = defaultdict(list)
    for other in known.values():
        for ref in dict.fromkeys(r.slug for r in other.affiliations):
            members_of[ref].append(other.slug)
    name_key = {slug: _name_key(actor) for slug, actor in known.items()}
    related = {}
    for actor in known.values():
        slug = actor.slug
        articles = tuple(index.articles_by_actor.get(slug, ()))
        # whom its articles name: the text of an article names actors too, and may change alone
        lists = (articles, tuple(tuple(index.article_actors[a.slug]) for a in articles),
                 tuple(index.events_by_actor.get(slug, ())), tuple(index.quotes_by_speaker.get(slug, ())),
                 tuple(spoken_of.get(slug, ())))
        related[slug] = reuse.get("related", (actor,), (actors_now, lists), lambda a=actor, l=lists: _related_to(
            a, index, l[0], *l[2:], members_of.get(a.slug, []), name_key))
    return related


def _related_to(actor: Actor, index: SiteIndex, articles, events, quotes, spoken_of, members: list[str],
                name_key: dict) -> list[tuple[str, str]]:
    known = index.actors
    scores = Counter()
    reasons: dict[str, str] = {}
    for slug in [r.slug for r in actor.affiliations if r.slug in known]:
        scores[slug] += 100
        reasons[slug] = "affiliation"
    for slug in members:
        scores[slug] += 50
        reasons.setdefault(slug, "member")
    spoke_about = Counter(ref.slug for quote in quotes for ref in quote.about
                          if ref.slug in known and ref.slug != actor.slug)
    for slug, count in spoke_about.items():
        scores[slug] += 10 * count
        reasons.setdefault(slug, "spoke about")
    for slug, count in Counter(quote.speaker.slug for quote in spoken_of).items():
        scores[slug] += 10 * count
        reasons.setdefault(slug, "spoke about them")
    together = Counter()  # the articles and events it is named in, and who else is
    for article in articles:
        together.update(index.article_actors[article.slug])
    for event in events:
        together.update(s for s in event.actors if s in known)
    del together[actor.slug]
    for slug, count in together.items():
        scores[slug] += count
        reasons.setdefault(slug, "appears with")
    best = heapq.nsmallest(RELATED, [(-score, name_key[slug], slug) for slug, score in scores.items()])
    return [(slug, reasons[slug]) for _, _, slug in best]


def check_images(index: SiteIndex, media: set[str], diags: Diagnostics) -> None:
    """Every image of an article, an actor and the site that is not an address is one of media."""
    items = [(a.image, a.location) for a in index.articles] + [(a.image, a.location) for a in index.actors.values()]
    items.append((index.config.image, Location("site.yaml")))
    for image, where in items:
        if image and not image.src.startswith(("http://", "https://")) and image.src not in media:
            diags.error(where, f"the image '{image.src}' is not in content/",
                        "put the file in content/media/ and write src: media/<file name>, or give a full https:// address")
