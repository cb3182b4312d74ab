"""Read arXiv's daily announcement feeds (``rss.arxiv.org``): what was announced in some categories on one day.

arXiv documents the feeds at https://info.arxiv.org/help/rss.html and their elements at
https://info.arxiv.org/help/rss_specifications.html (RSS 2.0) and
https://info.arxiv.org/help/atom_specifications.html (Atom 1.0). A feed is
``https://rss.arxiv.org/rss/<query>`` or ``…/atom/<query>``, the query being archives (``cs``) and categories
(``cs.DC``) joined with ``+``. It holds one listing: the announcement dated today in America/New_York, rebuilt
at midnight Eastern; on Saturdays, Sundays and holidays it is a normal feed without items. Both formats are read
into the same records, chosen by the root element.

The listing date (``Announcement.day``) is the feed's own date in America/New_York: for RSS the channel
``<pubDate>`` ("announcement date for the content in the channel"), else the items' ``<pubDate>``, else the
``<lastBuildDate>``; for Atom, which has no feed-level announcement date, the entries' ``<published>``
("announcement date for the update"), else, for an empty feed, the feed's ``<updated>`` (its build time). The
service stamps ``pubDate`` with the midnight that starts the day it builds the feed on, so the build time's
Eastern date is the same day: an empty Atom feed built on Sunday 27 April 2025 reads as 2025-04-27, as its RSS
twin does. A feed that was not rebuilt keeps its old date, which is how a caller tells a stale feed.

An item whose identifier, version, title or announce type cannot be read is skipped, logged and counted in
``Announcement.skipped``; a body that is not such a feed raises ``FeedError``, and arXiv's error feed (HTTP 400,
title ``Feed error for query: …``) raises ``AnnouncementFeedError`` with arXiv's own message.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from lxml import etree

from dailypapers.arxiv.creators import clean, split_creators
from dailypapers.arxiv.dates import eastern_day, iso_utc, rfc822_utc
from dailypapers.arxiv.taxonomy import ALIASES
from dailypapers.errors import FeedError
from dailypapers.http import Answer, Http, read_answer
from dailypapers.model import split_id

__all__ = [
    "ANNOUNCE_TYPES",
    "AnnounceType",
    "AnnouncedItem",
    "Announcement",
    "AnnouncementFeedError",
    "feed_url",
    "fetch_announcement",
    "parse_announcement",
    "split_creators",
]

log = logging.getLogger(__name__)


class AnnounceType(StrEnum):
    """``<arxiv:announce_type>`` (rss_specifications), as the database stores it and a topic's ``announce`` names it."""

    NEW = "new"
    CROSS = "cross"
    REPLACE = "replace"
    REPLACE_CROSS = "replace-cross"


ANNOUNCE_TYPES: tuple[str, ...] = tuple(AnnounceType)
KINDS = ("rss", "atom")
_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_TITLE_SUFFIX = " updates on arXiv.org"
_ERROR_TITLE = "Feed error for query:"
# "arXiv:2203.01250v3 Announce Type: replace-cross \nAbstract: We consider …" (rss_specifications, <description>)
_DESCRIPTION = re.compile(
    r"arXiv:(?P<id>\S+)\s+Announce Type:\s*(?P<type>[\w-]+)\s*(?:Abstract:(?P<abstract>.*))?", re.DOTALL
)
# Category aliases (arxiv-base taxonomy CATEGORY_ALIASES, both ways): the feed service lists a paper under either
# name, so a ``math`` request carries math-ph papers through their alias math.MP.
_ALIASES = ALIASES

# Untrusted bytes from the network: no entities, no DTD, no network; comments cannot split a text in two.
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True
)


class AnnouncementFeedError(FeedError):
    """arXiv's error feed: the request itself was refused (a bad archive or subject class); asking again is futile.

    ``arxiv_message`` is arXiv's own text, e.g. ``Bad archive 'xx'. Valid archive names are: …``; ``query`` the
    feed URL arXiv names in the title.
    """

    def __init__(self, arxiv_message: str, url: str | None = None, query: str | None = None) -> None:
        super().__init__(f"arXiv feed error: {arxiv_message}", url)
        self.arxiv_message = arxiv_message
        self.query = query


@dataclass(frozen=True, slots=True)
class AnnouncedItem:
    """One listing of an announcement feed (rss_specifications, "RSS Item Elements").

    ``authors`` are the names of ``<dc:creator>``; ``affiliations`` is parallel to it and holds, per author, the
    text arXiv put in parentheses after the name (``""`` when none). It is kept whole: arXiv joins several
    affiliations with ", " and one affiliation may itself hold a comma ("University of California, Berkeley"),
    so the parts cannot be told apart again. ``categories`` come primary first.
    """

    id: str
    version: int
    announce_type: str
    title: str
    abstract: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    affiliations: tuple[str, ...] = ()
    doi: str | None = None
    journal_ref: str | None = None
    rights: str | None = None

    @property
    def versioned_id(self) -> str:
        return f"{self.id}v{self.version}"

    @property
    def primary_category(self) -> str | None:
        return self.categories[0] if self.categories else None

    def type_for(self, requested: str) -> str | None:
        """The announce type the feed of ``requested`` alone would give this item, or None if it is not in it.

        arXiv derives the type from the action and from whether the primary category is in the request
        (arxiv-feed ``listing_type``), so in a feed of several categories a ``new`` item is a cross-list for
        those of them that do not hold its primary, and a ``replace`` likewise a ``replace-cross``.
        """
        if not any(_covers(requested, category) for category in self.categories):
            return None
        primary_in = self.primary_category is not None and _covers(requested, self.primary_category)
        if self.announce_type == AnnounceType.NEW:
            return AnnounceType.NEW if primary_in else AnnounceType.CROSS
        if self.announce_type == AnnounceType.REPLACE:
            return AnnounceType.REPLACE if primary_in else AnnounceType.REPLACE_CROSS
        return self.announce_type


@dataclass(frozen=True, slots=True)
class Announcement:
    """One announcement feed: the listing ``day`` it serves, when it was ``built`` (UTC), its items in feed
    order, and the archives and categories it was asked for, as arXiv names them in the feed title."""

    day: date | None
    built: datetime | None
    items: tuple[AnnouncedItem, ...]
    categories: tuple[str, ...]
    skipped: int = 0
    url: str | None = None

    @property
    def empty(self) -> bool:
        """No items: a weekend, a holiday, or a listing with nothing in these categories."""
        return not self.items

    def counts(self) -> dict[str, dict[str, int]]:
        """Per requested archive or category, how many items of each announce type it has.

        An item counts for ``cs.DC`` if one of its categories is ``cs.DC``, and for the archive ``cs`` if one is
        in it. The type is the one that category's own feed would show (``AnnouncedItem.type_for``), so counts
        read from a combined feed equal those of the categories' separate feeds.
        """
        counts = {requested: dict.fromkeys(ANNOUNCE_TYPES, 0) for requested in self.categories}
        for requested, per_type in counts.items():
            for item in self.items:
                kind = item.type_for(requested)
                if kind in per_type:
                    per_type[kind] += 1
        return counts


def feed_url(base: str, categories: Sequence[str], kind: str = "rss") -> str:
    """``{base}/rss/cs.DC+cs.PF``: the feed of several archives or categories joined with ``+`` (rss.html)."""
    if kind not in KINDS:
        raise ValueError(f"unknown feed kind {kind!r}; use one of {', '.join(KINDS)}")
    if not categories:
        raise ValueError("a feed needs at least one archive or category")
    for category in categories:
        if not category or any(c in category for c in "+/?# \t\n"):
            raise ValueError(f"not an arXiv archive or category: {category!r}")
    return f"{base.rstrip('/')}/{kind}/{'+'.join(categories)}"


def fetch_announcement(http: Http, base: str, categories: Sequence[str], kind: str = "rss") -> Announcement:
    """GET the feed through ``http``: an unreadable body is asked for again (``Retry``); arXiv's error feed, or
    any answer with an HTTP error status that ``http`` does not retry, raises ``FeedError`` at once."""
    url = feed_url(base, categories, kind)
    parsed: list[Announcement] = []

    def check(answer: Answer) -> None:
        parsed.append(_read_answer(answer))

    http.get(url, {}, check=check)
    return parsed[-1]


def _read_answer(answer: Answer) -> Announcement:
    return read_answer(answer, parse_announcement, what="feed", definite=(AnnouncementFeedError,))


def parse_announcement(data: bytes, url: str | None = None) -> Announcement:
    """Parse an RSS 2.0 or Atom 1.0 announcement feed, told apart by the root element."""
    root = _parse_xml(data, url)
    if root.tag == "rss":
        return _read_rss(root, url)
    if root.tag == _ATOM + "feed":
        return _read_atom(root, url)
    raise FeedError(f"not an RSS 2.0 or Atom feed: the root element is <{etree.QName(root).localname}>", url)


# -- the two formats -------------------------------------------------------------------------------------------


def _read_rss(root: etree._Element, url: str | None) -> Announcement:
    channel = root.find("channel")
    if channel is None:
        raise FeedError("an RSS feed without <channel>", url)
    title = _child_text(channel, "title")
    if title.startswith(_ERROR_TITLE):
        raise _feed_error(title, _child_text(channel, "description"), url)
    elements = channel.findall("item")
    items = [item for item in map(_rss_item, elements) if item is not None]
    item_days = [eastern_day(rfc822_utc(_child_text(e, "pubDate"))) for e in elements]
    built = rfc822_utc(_child_text(channel, "lastBuildDate"))
    day = eastern_day(rfc822_utc(_child_text(channel, "pubDate"))) or _latest(item_days) or eastern_day(built)
    link = _child_text(channel, "link")
    return Announcement(day, built, tuple(items), _requested(title, link), len(elements) - len(items), url)


def _read_atom(root: etree._Element, url: str | None) -> Announcement:
    title = _child_text(root, _ATOM + "title")
    if title.startswith(_ERROR_TITLE):
        raise _feed_error(title, _child_text(root, _ATOM + "subtitle"), url)
    elements = root.findall(_ATOM + "entry")
    items = [item for item in map(_atom_item, elements) if item is not None]
    entry_days = [eastern_day(iso_utc(_child_text(e, _ATOM + "published"))) for e in elements]
    built = iso_utc(_child_text(root, _ATOM + "updated"))
    day = _latest(entry_days) or eastern_day(built)
    self_link = next((e.get("href", "") for e in root.iterchildren(_ATOM + "link") if e.get("rel") == "self"), "")
    link = self_link or _child_text(root, _ATOM + "id")
    return Announcement(day, built, tuple(items), _requested(title, link), len(elements) - len(items), url)


def _rss_item(item: etree._Element) -> AnnouncedItem | None:
    return _build_item(
        item,
        identifier=_child_text(item, "guid"),
        link=_child_text(item, "link"),
        title=_child_text(item, "title"),
        description=_child_text(item, "description"),
        categories=[clean(_text(c)) for c in item.iterchildren("category")],
    )


def _atom_item(entry: etree._Element) -> AnnouncedItem | None:
    link = next((e.get("href", "") for e in entry.iterchildren(_ATOM + "link") if e.get("rel") != "self"), "")
    return _build_item(
        entry,
        identifier=_child_text(entry, _ATOM + "id"),
        link=link,
        title=_child_text(entry, _ATOM + "title"),
        description=_child_text(entry, _ATOM + "summary"),
        categories=[c.get("term", "").strip() for c in entry.iterchildren(_ATOM + "category")],
    )


def _build_item(
    element: etree._Element, *, identifier: str, link: str, title: str, description: str, categories: list[str]
) -> AnnouncedItem | None:
    """The fields both formats share; the identifier is the guid/id, else the description's, else the link's."""
    described = _DESCRIPTION.match(description.strip())
    paper_id, version = _identifier(identifier)
    if paper_id is None and described is not None:
        paper_id, version = _identifier(described.group("id"))
    if paper_id is None:
        paper_id, version = _identifier(link)
    if version is None and described is not None:
        version = _identifier(described.group("id"))[1]
    announce_type = _child_text(element, _ARXIV + "announce_type") or (described.group("type") if described else "")
    problem = _missing(paper_id, version, title, announce_type)
    if problem is not None or paper_id is None or version is None:
        log.warning("skipped a feed item (line %s): %s", element.sourceline, problem)
        return None
    abstract = (described.group("abstract") or "") if described is not None else description
    pairs = split_creators(", ".join(_text(e) for e in element.iterchildren(_DC + "creator")))
    return AnnouncedItem(
        id=paper_id,
        version=version,
        announce_type=announce_type,
        title=title,
        abstract=clean(abstract),
        authors=tuple(name for name, _ in pairs),
        categories=tuple(dict.fromkeys(c for c in categories if c)),
        affiliations=tuple(affiliation for _, affiliation in pairs),
        doi=_child_text(element, _ARXIV + "DOI") or None,
        journal_ref=_child_text(element, _ARXIV + "journal_reference") or None,
        rights=_child_text(element, _DC + "rights") or None,
    )


def _missing(paper_id: str | None, version: int | None, title: str, announce_type: str) -> str | None:
    if paper_id is None:
        return "no arXiv identifier in guid, description or link"
    if version is None:
        return f"{paper_id}: no version in guid or description"
    if not title:
        return f"{paper_id}: no title"
    if not announce_type:
        return f"{paper_id}: no announce type"
    return None


# -- small readers ---------------------------------------------------------------------------------------------


def _parse_xml(data: bytes, url: str | None) -> etree._Element:
    if not data or data.isspace():
        raise FeedError("empty response body, expected an announcement feed", url)
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:80].split(b"\n", 1)[0].decode("utf-8", "replace")
        if not head.startswith("<"):
            raise FeedError(f"not XML, expected an announcement feed; the body begins {head!r}", url) from exc
        raise FeedError(f"malformed or truncated feed: {exc.msg}", url) from exc


def _feed_error(title: str, message: str, url: str | None) -> AnnouncementFeedError:
    query = title[len(_ERROR_TITLE) :].strip() or None
    return AnnouncementFeedError(message or "no message given", url, query)


def _requested(title: str, link: str) -> tuple[str, ...]:
    """The archives and categories as the title names them (``cs.DC, cs.PF updates on arXiv.org``), else as the
    feed link does (``http://rss.arxiv.org/rss/cs.DC+cs.PF``)."""
    if title.endswith(_TITLE_SUFFIX):
        return tuple(part for part in title[: -len(_TITLE_SUFFIX)].split(", ") if part)
    query = link.rstrip("/").rsplit("/", 1)[-1] if "/rss/" in link or "/atom/" in link else ""
    return tuple(part for part in query.split("+") if part)


def _covers(requested: str, category: str) -> bool:
    """Whether a request for an archive or category takes in ``category`` (or its alias)."""
    for name in (category, _ALIASES.get(category)):
        if name is not None and (name == requested or ("." not in requested and name.split(".")[0] == requested)):
            return True
    return False


def _identifier(text: str) -> tuple[str | None, int | None]:
    try:
        return split_id(text)
    except ValueError:
        return None, None


def _text(element: etree._Element) -> str:
    if len(element) == 0 and element.text is not None:
        return element.text
    return "".join(str(part) for part in element.itertext())


def _child_text(parent: etree._Element, tag: str) -> str:
    child = parent.find(tag)
    return clean(_text(child)) if child is not None else ""


def _latest(days: list[date | None]) -> date | None:
    return max((day for day in days if day is not None), default=None)
