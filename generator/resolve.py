"""Link ids into one site index: who said what, who took part in what, and every URL.

Everything that cuts across articles is computed here, in explicit passes, once every
file is read; dangling references and collisions are reported with a "did you mean".
"""

from __future__ import annotations

import functools
import heapq
import itertools
import operator
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from .config import SiteConfig
from .dates import PartialDate
from .diagnostics import Diagnostics, Location, did_you_mean
from .markup import Markup, RenderedBody, fill_names
from .model import Actor, Article, Author, Event, Quote, Ref

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
    key: bool = False  # marked key by an article that tells it


class Relation(NamedTuple):
    """What links an actor to another (see SiteIndex.relations)."""

    slug: str  # the other actor
    why: str  # what related chose it for: affiliation, member, spoke about, spoke about them, appears with
    said: int  # the actor's quotes about the other
    heard: int  # the other's quotes about the actor
    stories: int  # articles both are in
    event: "TimelineEvent | None"  # the latest event both take part in


@dataclass(frozen=True)
class Connections:
    """What connects the actors, worked out on first use from the five fields alone, so
    that two Connections with equal fields are the same connections: each actor's quotes,
    events and articles (lists), the actors most related to each (related) and what links
    them (relations)."""

    actors: dict[str, Actor]
    articles: list[Article]  # published, newest first
    article_actors: dict[str, list[str]]
    events: list[TimelineEvent]
    quotes: list[Quote]

    @functools.cached_property
    def lists(self) -> tuple[dict, dict, dict]:
        return _by_actor(self)

    @property
    def quotes_by_speaker(self) -> dict[str, list[Quote]]:
        return self.lists[0]

    @property
    def events_by_actor(self) -> dict[str, list[TimelineEvent]]:
        return self.lists[1]

    @property
    def articles_by_actor(self) -> dict[str, list[Article]]:
        return self.lists[2]

    @functools.cached_property
    def related(self) -> dict[str, list[tuple[str, str]]]:
        return _related_actors(self)

    @functools.cached_property
    def relations(self) -> dict[str, list[Relation]]:
        return _relations(self)

    @functools.cached_property
    def compared(self) -> dict[str, list[tuple[str, list[Quote]]]]:
        return _compared(self)

    @functools.cached_property
    def claims(self) -> list:
        """Every claim of the published articles, newest article first."""
        return [claim for article in self.articles for claim in article.claims]

    @functools.cached_property
    def claims_by_actor(self) -> dict[str, tuple[list, list]]:
        """Actor slug -> (the claims they assert, the claims they deny)."""
        found: dict[str, tuple[list, list]] = {}
        for claim in self.claims:
            for refs, side in ((claim.asserted_by, 0), (claim.denied_by, 1)):
                for slug in dict.fromkeys(ref.slug for ref in refs):
                    if slug in self.actors:
                        found.setdefault(slug, ([], []))[side].append(claim)
        return found

    @functools.cached_property
    def attributed(self) -> dict[str, list[Quote]]:
        """Every quote put in each speaker's mouth, what they said and what was wrongly
        attributed to them, oldest first: the quote index's lists."""
        if not any(quote.misattributed for quote in self.quotes):
            return self.quotes_by_speaker
        found = defaultdict(list)
        for quote in self.quotes:
            if quote.speaker.slug in self.actors:
                found[quote.speaker.slug].append(quote)
        return dict(found)


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
    article_corrections: dict[str, tuple[str, ...]] = field(default_factory=dict)  # slug -> each correction's HTML
    image_sizes: dict[str, tuple[int, int]] = field(default_factory=dict)  # "media/x.png" -> (width, height)
    pictures: dict[str, object] = field(default_factory=dict)  # "media/x.png" -> its pictures.Picture, if resized
    connections: "Connections | None" = None  # set by assemble
    authors: dict[str, Author] = field(default_factory=dict)  # by slug, sorted by name
    author_bios: dict[str, str] = field(default_factory=dict)  # author slug -> bio HTML
    articles_by_author: dict[str, list[Article]] = field(default_factory=dict)  # published, newest first

    def article(self, slug: str) -> Article:
        return self._articles[slug]

    def __post_init__(self):
        self._articles = {a.slug: a for a in self.articles}

    def published(self, slug: str) -> bool:
        return slug in self._articles

    # Each actor's quotes, events and articles, and related actors, are worked out on first
    # use (Connections): the preview renders the page open in the browser first, and an
    # article's page needs none of them.

    @property
    def quotes_by_speaker(self) -> dict[str, list[Quote]]:
        return self.connections.lists[0]

    @property
    def events_by_actor(self) -> dict[str, list[TimelineEvent]]:
        return self.connections.lists[1]

    @property
    def articles_by_actor(self) -> dict[str, list[Article]]:
        return self.connections.lists[2]

    @property
    def related(self) -> dict[str, list[tuple[str, str]]]:
        """Actor slug -> [(slug, why)], the actors most related to it."""
        return self.connections.related

    def relations(self, slug: str) -> list[Relation]:
        """The actors most related to slug (related), each with what links them in the
        content: quotes in either direction, the latest event both take part in, and the
        articles both are in."""
        return self.connections.relations.get(slug, [])

    @property
    def attributed(self) -> dict[str, list[Quote]]:
        return self.connections.attributed

    @property
    def claims(self) -> list:
        return self.connections.claims

    @property
    def claims_by_actor(self) -> dict[str, tuple[list, list]]:
        return self.connections.claims_by_actor

    @property
    def compared(self) -> dict[str, list[tuple[str, list[Quote]]]]:
        """Actor slug -> [(side, its quotes about the actor, oldest first)], for each actor
        whom speakers from at least two sides spoke about, the side with the most quotes
        first. A speaker's side is side_of(speaker)."""
        return self.connections.compared

    def actors_by_kind(self) -> list[tuple[str, str, list[Actor]]]:
        groups = defaultdict(list)
        for actor in self.actors.values():
            groups[actor.kind].append(actor)
        return [(kind, KIND_TITLES[kind], groups[kind]) for kind in KIND_TITLES if groups[kind]]


RELATED = 12  # related actors shown on an actor's page


def _name_key(actor: Actor) -> tuple:
    return (actor.name.casefold(), actor.slug)


def named(text: str, actors: dict[str, Actor]) -> Actor | None:
    """The actor whose name or alias text is (in any case, with any spacing), or whose slug
    it would make: what someone who wrote [[Maria Okafor]] meant."""
    wanted = " ".join(text.split("|")[0].split()).casefold()
    for actor in actors.values():
        if any(" ".join(n.split()).casefold() == wanted for n in (actor.name, *actor.aliases)):
            return actor
    slug = "-".join("".join(c if c.isalnum() else " " for c in wanted).split())
    return actors.get(slug)


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
    corrections: tuple[str, ...] = ()  # the HTML of each of its corrections, names filled in


# The keys that order articles, events and quotes are strings of their parts joined by NUL,
# which comes before every character of a date, a slug or an id: a shorter part (a date
# without a time, an event without an end) comes first, as it would in a tuple.

def _event_order(event: Event) -> str:
    return f"{event.date.sort_key()}\0{event.end.sort_key() if event.end else ''}\0{event.id}"


@dataclass(frozen=True, eq=False)
class Cast:
    """The actors as linking sees them: by slug, sorted by name, and every slug there is
    (those of actor files that could not be read included)."""

    actors: dict[str, Actor]
    known: frozenset[str]

    def same_as(self, other: "Cast") -> bool:
        return self.known == other.known and tuple(self.actors.values()) == tuple(other.actors.values())

    def name(self, slug: str) -> str:
        actor = self.actors.get(slug)
        return actor.name if actor else slug

    def filled(self, text: str, seal: str) -> str:
        """text (made with that seal) with its actor name placeholders filled in: every
        placeholder holds its seal, so a text without the seal is left as it is."""
        return fill_names(text, seal, self.name) if seal and seal in text else text


def cast(actors: list[Actor], known_slugs: set[str]) -> Cast:
    actor_map = {a.slug: a for a in sorted(actors, key=_name_key)}
    return Cast(actor_map, frozenset(known_slugs) | frozenset(actor_map))


@dataclass(frozen=True)
class Staff:
    """Who writes the articles: the authors by slug (sorted by name), every author slug there
    is (those of files that could not be read included), and each bio's HTML."""

    authors: dict[str, Author]
    known: frozenset[str]
    bios: dict[str, str]


def staff(authors: list[Author], known_slugs: set[str], bios: dict[str, str | None]) -> Staff:
    by_slug = {a.slug: a for a in sorted(authors, key=lambda a: (a.name.casefold(), a.slug))}
    return Staff(by_slug, frozenset(known_slugs) | frozenset(by_slug),
                 {slug: html for slug, html in bios.items() if html is not None})


NO_STAFF = Staff({}, frozenset(), {})


def resolve(config: SiteConfig, actors: list[Actor], known_slugs: set[str], articles: list[Article],
            bodies: dict[str, RenderedBody], markup: Markup, drafts: bool, diags: Diagnostics,
            authors: tuple[list[Author], set[str]] = ((), set())) -> SiteIndex:
    """Link the site: check every reference, merge events, fill in actor names, relate actors.
    The steps one by one: cast, then told and link for each article, then publish,
    merge_events and assemble."""
    people = cast(actors, known_slugs)
    linked = [link(a, bodies.get(a.slug), told(a, markup), people, markup) for a in articles]
    summaries = {slug: actor_summary(actor, people, markup) for slug, actor in people.actors.items()}
    writers, author_slugs = authors
    bios = {author.slug: author_bio(author, people, markup) for author in writers}
    writers = staff(writers, author_slugs, bios)
    published = publish(people, articles, linked, drafts, diags, writers)
    return assemble(config, people, published, merge_events(published, diags), summaries, writers)


def told(article: Article, markup: Markup) -> tuple[TimelineEvent, ...]:
    """Each of an article's events as the article alone tells it, names not filled in."""
    return tuple(_told(event, markup) for event in article.events)


def link(article: Article, rendered: RenderedBody | None, tellings: tuple[TimelineEvent, ...], people: Cast,
         markup: Markup) -> _Linked:
    """What linking makes of one article on its own: its references checked, the names in
    its body, summary and events filled in."""
    known, actor_map = people.known, people.actors
    local = Diagnostics()
    check_refs(list(article.actors), known, actor_map, "actor", local)
    for event in article.events:
        check_refs(list(event.actors), known, actor_map, "event actor", local)
    for quote in article.quotes:
        check_refs([quote.speaker], known, actor_map, "quote speaker", local)
        check_refs(list(quote.about), known, actor_map, "quote subject", local)
    for claim in article.claims:
        check_refs(list(claim.asserted_by) + list(claim.denied_by), known, actor_map, "claimant", local)
    if rendered:
        check_refs(list(rendered.mentions), known, actor_map, "actor link", local)
        for problem in rendered.problems:
            found = named(problem.name, actor_map) if problem.name else None
            hint = (f"did you mean '{found.slug}'? ({found.location.file}): write [[{found.slug}]], or "
                    f"[[{found.slug}|{problem.name.split('|')[0].strip()}]] to show the words as written"
                    if found else problem.hint)
            local.error(problem.location, problem.message, hint)
    summary = None
    if article.summary:
        summary = (people.filled(rendered.summary, rendered.seal) if rendered and rendered.summary is not None
                   else people.filled(markup.snippet(article.summary), markup.seal))
    return _Linked(
        problems=tuple(local.items),
        order=f"{article.date.sort_key()}\0{article.slug}",
        body=people.filled(rendered.html, rendered.seal) if rendered else "",
        summary=summary,
        actors=tuple(s for s in _mentioned(article, rendered) if s in known),
        events=tuple((_event_order(e), _named(t, people, markup)) for e, t in zip(article.events, tellings)),
        quotes=tuple(f"{q.said.sort_key()}\0{q.article}\0{q.number:06d}" for q in article.quotes),
        corrections=tuple(people.filled(markup.snippet(c.text), markup.seal) for c in article.corrections))


def actor_summary(actor: Actor, people: Cast, markup: Markup) -> str | None:
    """An actor's summary as HTML, with names filled in."""
    return people.filled(markup.snippet(actor.summary), markup.seal) if actor.summary else None


def author_bio(author: Author, people: Cast, markup: Markup) -> str | None:
    """An author's bio as HTML, with actor names filled in."""
    return people.filled(markup.snippet(author.bio), markup.seal) if author.bio else None


def check_authors(article: Article, writers: Staff, diags: Diagnostics) -> None:
    for ref in article.authors:
        if ref.slug in writers.known:
            continue
        guess = did_you_mean(ref.slug, writers.known)
        hint = (f"did you mean '{guess}'? ({writers.authors[guess].location.file})" if guess in writers.authors
                else f"did you mean '{guess}'?" if guess
                else f"create content/authors/{ref.slug}.yaml with a name, or fix the slug")
        diags.error(ref.location, f"author '{ref.slug}' is not a known author", hint)


def publish(people: Cast, articles: list[Article], linked: list[_Linked], drafts: bool, diags: Diagnostics,
            writers: Staff = NO_STAFF) -> list[tuple[Article, _Linked]]:
    """What only the whole site can check (one article to a slug, the actors' affiliations,
    the authors), with what linking found in each article; and the published articles,
    newest first, each with what linking made of it (linked[i] is articles[i]'s)."""
    actor_map, known = people.actors, people.known
    seen_slugs: dict[str, tuple[Article, _Linked]] = {}
    for article, made in zip(articles, linked):
        if article.slug in seen_slugs:
            first = seen_slugs[article.slug][0]
            here, other = (first, article) if first.slug_location and not article.slug_location else (article, first)
            diags.error(here.slug_location or here.location,
                        f"the slug '{article.slug}' is already used by {other.location.file}",
                        "give one of the two articles another 'slug:' (or rename its file)")
        else:
            seen_slugs[article.slug] = (article, made)
    for actor in actor_map.values():
        check_refs(list(actor.affiliations), known, actor_map, "affiliation", diags)
    for made in linked:
        diags.extend(made.problems)
    for article in articles:  # here, not in link: an author's edit links no article again
        check_authors(article, writers, diags)
    return sorted((pair for pair in seen_slugs.values() if drafts or not pair[0].draft),
                  key=lambda pair: pair[1].order, reverse=True)


def assemble(config: SiteConfig, people: Cast, published: list[tuple[Article, _Linked]],
             events: list[TimelineEvent], actor_summaries: dict[str, str | None],
             writers: Staff = NO_STAFF) -> SiteIndex:
    """The site index from the published articles (publish) and their events (merge_events)."""
    quotes = [(key, quote) for article, made in published for key, quote in zip(made.quotes, article.quotes)]
    quotes.sort(key=operator.itemgetter(0))
    articles = [article for article, _ in published]
    index = SiteIndex(config=config, actors=people.actors, articles=articles, bodies={}, events=events,
                      quotes=[quote for _, quote in quotes])
    for article, made in published:
        index.bodies[article.slug] = made.body
        if made.summary is not None:
            index.article_summaries[article.slug] = made.summary
        if made.corrections:
            index.article_corrections[article.slug] = made.corrections
        index.article_actors[article.slug] = list(made.actors)
    index.actor_summaries = {slug: html for slug, html in actor_summaries.items() if html is not None}
    index.connections = Connections(people.actors, articles, index.article_actors, events, index.quotes)
    index.authors, index.author_bios = writers.authors, writers.bios
    for article in articles:
        for ref in article.authors:
            if ref.slug in writers.authors:
                index.articles_by_author.setdefault(ref.slug, []).append(article)
    return index


def _named(event: TimelineEvent, people: Cast, markup: Markup) -> TimelineEvent:
    """The event with actor names in its description."""
    if not event.description:
        return event
    description = people.filled(event.description, markup.seal)
    return event if description == event.description else replace(event, description=description)


def merge_events(published: list[tuple[Article, _Linked]], diags: Diagnostics) -> list[TimelineEvent]:
    """One event for each id of the published articles' (publish), told first by the
    oldest article, in the order of time, with actor names filled in."""
    merged: dict[str, list] = defaultdict(list)
    for article, made in reversed(published):
        for event, telling in zip(article.events, made.events):
            merged[event.id].append((event, telling))
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
        result.append((tellings[0][1][0], _combined([(event, told) for event, (_, told) in tellings])))
    result.sort(key=operator.itemgetter(0))
    return [event for _, event in result]


def _combined(tellings: list[tuple[Event, TimelineEvent]]) -> TimelineEvent:
    """One event from the articles that tell it, the oldest first, as (the event as written,
    as told): the description of the first that writes one, every actor and article."""
    told = [event for _, event in tellings]
    return replace(told[0], description=next((t.description for e, t in tellings if e.description), None),
                   actors=tuple(dict.fromkeys(slug for e in told for slug in e.actors)),
                   place=next((e.place for e in told if e.place), None),
                   articles=tuple(dict.fromkeys(slug for e in told for slug in e.articles)),
                   key=any(e.key for e in told))


def _told(event: Event, markup: Markup) -> TimelineEvent:
    """An event as one article tells it, its description as HTML (names not filled in)."""
    return TimelineEvent(
        id=event.id,
        date=event.date,
        end=event.end,
        title=event.title,
        location=event.location,
        description=markup.snippet(event.description) if event.description else None,
        actors=tuple(dict.fromkeys(ref.slug for ref in event.actors)),
        place=event.place,
        articles=(event.article,),
        key=event.key,
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


def _by_actor(index: Connections) -> tuple[dict, dict, dict]:
    """What each actor said, took part in and appears in (index.article_actors is filled in)."""
    known = index.actors
    articles_by_actor = defaultdict(list)
    for article in index.articles:
        for slug in index.article_actors[article.slug]:
            articles_by_actor[slug].append(article)
    quotes_by_speaker = defaultdict(list)
    for quote in index.quotes:
        if quote.speaker.slug in known and not quote.misattributed:
            quotes_by_speaker[quote.speaker.slug].append(quote)
    events_by_actor = defaultdict(list)
    for event in index.events:
        for slug in event.actors:
            if slug in known:
                events_by_actor[slug].append(event)
    return dict(quotes_by_speaker), dict(events_by_actor), dict(articles_by_actor)


def _related_actors(index: Connections) -> dict[str, list[tuple[str, str]]]:
    """For each actor, up to RELATED others, by affiliation, membership, what their quotes
    are about, and how often they appear together."""
    known = index.actors
    spoken_of: dict[str, list[Quote]] = defaultdict(list)  # quotes about an actor, once for each mention
    for quote in index.quotes:
        if quote.speaker.slug in known and not quote.misattributed:
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
        related[slug] = _related_to(actor, index, index.articles_by_actor.get(slug, ()),
                                    index.events_by_actor.get(slug, ()), index.quotes_by_speaker.get(slug, ()),
                                    spoken_of.get(slug, ()), members_of.get(slug, []), name_key)
    return related


def side_of(actors: dict[str, Actor], slug: str) -> str:
    """The side an actor speaks for: the first of its affiliations, followed to one that
    has none (Zhao Lijian, of the Chinese foreign ministry, of China: China), or the actor
    itself. Where the first affiliations go round in a circle, every actor on it or led to
    it is on one side, named by the circle's first slug."""
    chain = [slug]
    while actors[slug].affiliations:
        up = actors[slug].affiliations[0].slug
        if up not in actors:
            break
        if up in chain:
            return min(chain[chain.index(up):])
        chain.append(up)
        slug = up
    return slug


def _compared(index: Connections) -> dict[str, list[tuple[str, list[Quote]]]]:
    sides: dict[str, str] = {}
    about: dict[str, dict[str, list[Quote]]] = defaultdict(lambda: defaultdict(list))
    for quote in index.quotes:
        if quote.misattributed:
            continue
        speaker = quote.speaker.slug
        if speaker not in sides:
            sides[speaker] = side_of(index.actors, speaker)
        for subject in dict.fromkeys(ref.slug for ref in quote.about):
            about[subject][sides[speaker]].append(quote)
    actors = index.actors
    return {subject: sorted(groups.items(), key=lambda item: (-len(item[1]), _name_key(actors[item[0]])))
            for subject, groups in about.items() if len(groups) > 1 and subject in actors}


def _relations(index: Connections) -> dict[str, list[Relation]]:
    """SiteIndex.relations for every actor, worked out at once: the articles each actor is
    in as a set, and the subjects of each speaker's quotes counted, a quote once."""
    stories = {slug: {article.slug for article in articles} for slug, articles in index.articles_by_actor.items()}
    about = {slug: Counter(s for quote in quotes for s in {ref.slug for ref in quote.about})
             for slug, quotes in index.quotes_by_speaker.items()}
    found = {}
    for slug, related in index.related.items():
        theirs = stories.get(slug, set())
        latest = {}  # the slug of each actor in one of its events -> the latest such event
        for event in index.events_by_actor.get(slug, []):
            latest.update(dict.fromkeys(event.actors, event))
        found[slug] = [Relation(other, why, about.get(slug, {}).get(other, 0), about.get(other, {}).get(slug, 0),
                                len(theirs & stories.get(other, set())), latest.get(other))
                       for other, why in related]
    return found


def _related_to(actor: Actor, index: Connections, articles, events, quotes, spoken_of, members: list[str],
                name_key: dict) -> list[tuple[str, str]]:
    known = index.actors
    # the articles and events it is named in, and who else is
    named_in = index.article_actors
    scores = Counter(itertools.chain.from_iterable(named_in[article.slug] for article in articles))
    scores.update(s for event in events for s in event.actors if s in known)
    del scores[actor.slug]
    affiliations = [r.slug for r in actor.affiliations if r.slug in known]
    for slug in affiliations:
        scores[slug] += 100
    for slug in members:
        scores[slug] += 50
    spoke_about = Counter(ref.slug for quote in quotes for ref in quote.about
                          if ref.slug in known and ref.slug != actor.slug)
    spoken_by = Counter(quote.speaker.slug for quote in spoken_of)
    for counted in (spoke_about, spoken_by):
        for slug, count in counted.items():
            scores[slug] += 10 * count
    best = heapq.nsmallest(RELATED, [(-score, name_key[slug], slug) for slug, score in scores.items()])
    reasons = ((affiliations, "affiliation"), (members, "member"), (spoke_about, "spoke about"),
               (spoken_by, "spoke about them"))
    return [(slug, next((why for group, why in reasons if slug in group), "appears with")) for _, _, slug in best]


def check_images(index: SiteIndex, media: set[str], diags: Diagnostics) -> None:
    """Every image of an article, an actor and the site that is not an address is one of media."""
    items = [(a.image, a.location) for a in (*index.articles, *index.actors.values(), *index.authors.values())]
    items.append((index.config.image, Location("site.yaml")))
    for image, where in items:
        if image and not image.src.startswith(("http://", "https://")) and image.src not in media:
            diags.error(where, f"the image '{image.src}' is not in content/",
                        "put the file in content/media/ and write src: media/<file name>, or give a full https:// address")
