"""arXiv's announcement feeds (``rss.arxiv.org``) on the local test server, as ``arxiv-protocol.md`` §2 records them.

``mount_feeds(server)`` answers ``/rss/<query>`` (RSS 2.0) and ``/atom/<query>`` (Atom 1.0) on an ``ArxivServer``,
following arXiv's feed service (arXiv/arxiv-feed: ``fetch_data.validate_request``, ``database.get_announce_papers``,
``serializers``) and the captures in the protocol notes:

* the query is archives and categories joined with ``+``, validated with arXiv's messages (§2.1); a refused query
  gets HTTP 400 and an error feed titled ``Feed error for query: …``;
* a feed serves one listing day: the test sets up what each day announced (``announce``) and which day is served
  (``today``, else the America/New_York date of ``server.now()``); a day without an announcement, as a weekend or
  a holiday, gives a valid feed without items (§2.3), and ``stale()`` keeps serving an older build;
* faults of the feed service itself: ``refuse()`` answers with arXiv's error feed (HTTP 400) as for a query it
  does not accept, and ``damaged`` adds items with missing fields; the server's own switches (503, truncated
  bodies, …) apply to the feeds as to every route;
* selection and types as the service computes them (§2.2): an item is in a feed if one of its categories (or an
  alias) is requested or lies in a requested archive; ``new`` becomes ``cross`` and ``replace`` becomes
  ``replace-cross`` when the primary category is outside the request; one listing per paper (new > cross >
  replace); ``absonly`` and replacements from version 6 on are left out; order new, cross, replace,
  replace-cross, each by paper id descending;
* the formats of §2.4/§2.5: element order, the ``Announce Type: <type> \\nAbstract: …`` description, guid,
  ``pubDate`` at midnight Eastern, ``skipDays``, ``dc:creator`` built from the authors and their affiliations,
  ``arxiv:DOI``, ``arxiv:journal_reference``; ``ETag`` (SHA-256 of the body) and ``Cache-Control`` up to the
  next midnight Eastern.

Feeds name ``http://rss.arxiv.org`` in their links, as the real service does, whatever host serves them. Where the
service's output is not on record (the help text for a bare ``/rss/``) the answer is plausible, not arXiv's.

    with ArxivServer() as server:
        feeds = mount_feeds(server)
        feeds.today = date(2026, 11, 24)
        feeds.announce(date(2026, 11, 24), [(paper, "new")])
        httpx.get(server.base + "/rss/cs.DC+cs.PF")
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime
from urllib.parse import unquote
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from arxiv_server import ArxivServer
from dailypapers.model import Paper

__all__ = ["BadQuery", "FeedService", "Listing", "creators", "mount_feeds", "validate"]

ET = ZoneInfo("America/New_York")
FEED_BASE = "http://rss.arxiv.org"
RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"
DEFAULT_LICENSE = "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
ACTIONS = ("new", "cross", "replace", "replace-cross", "absonly")
LISTING_ORDER = ("new", "cross", "replace", "replace-cross")
RESULT_LIMIT = 2000  # database.get_announce_papers: result_limit
REPLACE_VERSION_LIMIT = 6  # replacements are listed only below this version
# The build finishes a little after midnight: the captures show 04:00:00 to 04:00:02 UTC in summer.
BUILD_DELAY = timedelta(seconds=2, microseconds=941605)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# arxiv-base taxonomy (protocol §4.2): active archives in definitions order, the defunct archives that still
# validate, the 155 active categories, and the aliases the service lists under both names.
ACTIVE_ARCHIVES = _words(
    "astro-ph cond-mat cs econ eess gr-qc hep-ex hep-lat hep-ph hep-th math math-ph nlin nucl-ex nucl-th physics "
    "q-bio q-fin quant-ph stat"
)
SUBSUMED_ARCHIVES = _words(
    "cmp-lg adap-org comp-gas chao-dyn solv-int patt-sol alg-geom dg-ga funct-an q-alg mtrl-th supr-con acc-phys "
    "ao-sci atom-ph bayes-an chem-ph plasm-ph"
)
CATEGORIES = _words(
    "astro-ph.CO astro-ph.EP astro-ph.GA astro-ph.HE astro-ph.IM astro-ph.SR cond-mat.dis-nn cond-mat.mes-hall "
    "cond-mat.mtrl-sci cond-mat.other cond-mat.quant-gas cond-mat.soft cond-mat.stat-mech cond-mat.str-el "
    "cond-mat.supr-con cs.AI cs.AR cs.CC cs.CE cs.CG cs.CL cs.CR cs.CV cs.CY cs.DB cs.DC cs.DL cs.DM cs.DS cs.ET "
    "cs.FL cs.GL cs.GR cs.GT cs.HC cs.IR cs.IT cs.LG cs.LO cs.MA cs.MM cs.MS cs.NA cs.NE cs.NI cs.OH cs.OS cs.PF "
    "cs.PL cs.RO cs.SC cs.SD cs.SE cs.SI cs.SY econ.EM econ.GN econ.TH eess.AS eess.IV eess.SP eess.SY gr-qc "
    "hep-ex hep-lat hep-ph hep-th math-ph math.AC math.AG math.AP math.AT math.CA math.CO math.CT math.CV math.DG "
    "math.DS math.FA math.GM math.GN math.GR math.GT math.HO math.IT math.KT math.LO math.MG math.MP math.NA "
    "math.NT math.OA math.OC math.PR math.QA math.RA math.RT math.SG math.SP math.ST nlin.AO nlin.CD nlin.CG "
    "nlin.PS nlin.SI nucl-ex nucl-th physics.acc-ph physics.ao-ph physics.app-ph physics.atm-clus physics.atom-ph "
    "physics.bio-ph physics.chem-ph physics.class-ph physics.comp-ph physics.data-an physics.ed-ph "
    "physics.flu-dyn physics.gen-ph physics.geo-ph physics.hist-ph physics.ins-det physics.med-ph physics.optics "
    "physics.plasm-ph physics.pop-ph physics.soc-ph physics.space-ph q-bio.BM q-bio.CB q-bio.GN q-bio.MN q-bio.NC "
    "q-bio.OT q-bio.PE q-bio.QM q-bio.SC q-bio.TO q-fin.CP q-fin.EC q-fin.GN q-fin.MF q-fin.PM q-fin.PR q-fin.RM "
    "q-fin.ST q-fin.TR quant-ph stat.AP stat.CO stat.ME stat.ML stat.OT stat.TH"
)
_ALIAS_PAIRS = {"math.MP": "math-ph", "stat.TH": "math.ST", "math.IT": "cs.IT", "q-fin.EC": "econ.GN"}
_ALIAS_PAIRS |= {"cs.SY": "eess.SY", "cs.NA": "math.NA"}
ALIASES = _ALIAS_PAIRS | {canonical: alias for alias, canonical in _ALIAS_PAIRS.items()}

_NAMESPACES = 'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/"'
_RSS_ROOT = (
    f'<rss {_NAMESPACES} xmlns:atom="http://www.w3.org/2005/Atom" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">'
)
_ATOM_ROOT = f'<feed {_NAMESPACES} xmlns="http://www.w3.org/2005/Atom" xml:lang="en-us">'
_HEAD = "<?xml version='1.0' encoding='UTF-8'?>"
_HELP = (
    b"arXiv announcement feeds: /rss/<archive or category>[+<archive or category>...] or /atom/..., "
    b"e.g. /rss/math+cs.CG\n"
)

Answer = tuple[int, bytes, str, dict[str, str]]


@dataclass(frozen=True)
class Listing:
    """One item of a served feed: the paper (its current version) and its type in this feed."""

    paper: Paper
    announce_type: str


class BadQuery(Exception):
    """A query the service refuses, with its message (arxiv-feed ``FeedIndexerError``/``FeedVersionError``)."""


def mount_feeds(server: ArxivServer, *, feed_base: str = FEED_BASE) -> FeedService:
    """Serve announcement feeds under ``/rss/`` and ``/atom/`` of ``server``; returns the service to set up."""
    service = FeedService(server, feed_base=feed_base)
    server.mount("/rss/", lambda path, params: service.answer("rss", path, params))
    server.mount("/atom/", lambda path, params: service.answer("atom", path, params))
    return service


class FeedService:
    """The announcements a test sets up, and the feeds built from them."""

    def __init__(self, server: ArxivServer, *, feed_base: str = FEED_BASE) -> None:
        self.server = server
        self.feed_base = feed_base
        self.licenses: dict[str, str | None] = {}  # by paper id; DEFAULT_LICENSE otherwise, None for no dc:rights
        self._days: dict[date, list[tuple[Paper, str]]] = {}
        self._today: date | None = None
        self._stale = False
        self._stale_day: date | None = None
        self._refusals: tuple[int | None, str] | None = None  # (answers left, None: all; arXiv's message)
        self.damaged = 0  # items with missing fields added to every feed served
        self._lock = threading.Lock()

    # setting up

    @property
    def today(self) -> date:
        """The listing day a fresh feed serves: set by the test, else the Eastern date of ``server.now()``."""
        return self._today if self._today is not None else self.server.now().astimezone(ET).date()

    @today.setter
    def today(self, day: date | None) -> None:
        self._today = day

    def announce(self, day: date, items: Iterable[tuple[Paper, str]]) -> None:
        """Set what the listing dated ``day`` announced: papers with their action (``new``, ``cross``,
        ``replace``, ``replace-cross`` (read as ``replace``), or ``absonly``, which feeds leave out)."""
        entries = list(items)
        for paper, action in entries:
            if action not in ACTIONS:
                raise ValueError(f"{paper.versioned_id}: unknown announce type {action!r}")
        with self._lock:
            self._days[day] = entries

    def announced(self, day: date) -> list[tuple[Paper, str]]:
        with self._lock:
            return list(self._days.get(day, ()))

    def stale(self, built: date | None = None) -> None:
        """Stop rebuilding: serve the feed as built on ``built``, by default the last announcement before today."""
        self._stale, self._stale_day = True, built

    def fresh(self) -> None:
        self._stale, self._stale_day = False, None

    def refuse(self, message: str, times: int | None = 1) -> None:
        """Answer the next ``times`` feed requests (None: all, until ``accept()``) with arXiv's error feed
        carrying ``message``, as the service answers a query it does not accept (§2.1)."""
        if times is not None and times < 1:
            raise ValueError("times must be at least 1, or None for every request")
        with self._lock:
            self._refusals = (times, message)

    def accept(self) -> None:
        with self._lock:
            self._refusals = None

    def _refusal(self) -> str | None:
        with self._lock:
            if self._refusals is None:
                return None
            left, message = self._refusals
            if left is not None:
                self._refusals = (left - 1, message) if left > 1 else None
            return message

    def serving_day(self) -> date:
        """The listing day the feeds serve now."""
        today = self.today
        if not self._stale:
            return today
        if self._stale_day is not None:
            return self._stale_day
        with self._lock:
            earlier = [day for day, entries in self._days.items() if day < today and entries]
        return max(earlier, default=today - timedelta(days=1))

    # answering

    def answer(self, kind: str, path: str, params: dict[str, str]) -> Answer:
        query = unquote(path.split("/", 2)[2]) if path.count("/") >= 2 else ""
        if "/" in query:
            return 404, b"Not Found\n", "text/plain; charset=utf-8", {}
        if not query:
            return 200, _HELP, "text/plain; charset=utf-8", {}
        try:
            if kind == "rss" and "version" in params:
                _check_version(params["version"])
            archives, categories = validate(query)
            refusal = self._refusal()
            if refusal is not None:
                raise BadQuery(refusal)
        except BadQuery as refused:
            return self._finish(kind, 400, self._error_feed(kind, query, str(refused)))
        topics = archives + categories
        day = self.serving_day()
        listings = self.listings(day, archives, categories)
        build = _midnight(day).astimezone(UTC) + BUILD_DELAY
        render = _rss_feed if kind == "rss" else _atom_feed
        return self._finish(kind, 200, render(self, topics, day, build, listings))

    def listings(self, day: date, archives: list[str], categories: list[str]) -> list[Listing]:
        """What the feed of ``archives`` and ``categories`` lists for ``day`` (arxiv-feed get_announce_papers)."""

        def covered(category: str) -> bool:
            names = (category, ALIASES.get(category, category))
            return any(name in categories or name.split(".")[0] in archives for name in names)

        chosen: dict[str, tuple[int, Paper, str]] = {}
        for paper, given in self.announced(day):
            action = "replace" if given == "replace-cross" else given
            if action == "absonly" or (action == "replace" and paper.version >= REPLACE_VERSION_LIMIT):
                continue
            if not any(covered(category) for category in paper.categories):
                continue
            priority = ("new", "cross", "replace").index(action)
            if paper.id not in chosen or priority < chosen[paper.id][0]:
                chosen[paper.id] = (priority, paper, action)
        listings = [
            Listing(paper, _listing_type(action, covered(paper.primary_category)))
            for _, paper, action in chosen.values()
        ]
        listings.sort(key=lambda listing: listing.paper.id, reverse=True)
        listings.sort(key=lambda listing: LISTING_ORDER.index(listing.announce_type))
        return listings[:RESULT_LIMIT]

    def license(self, paper: Paper) -> str | None:
        return self.licenses.get(paper.id, DEFAULT_LICENSE)

    def link(self, kind: str, query: str) -> str:
        return f"{self.feed_base}/{kind}/{query}"

    def _error_feed(self, kind: str, query: str, message: str) -> bytes:
        now = self.server.now().astimezone(UTC)
        link = self.link(kind, query)
        title = f"Feed error for query: {link}"
        if kind == "atom":
            return _atom_document(_atom_header(link, title, message, now), [])
        # The error serializer sets no skipDays, and writes the editor's address with a dot for the "@".
        midnight = _midnight(now.astimezone(ET).date())
        channel = _rss_channel(title, link, message, now, midnight, skip_days=False, editor="rss-help.arxiv.org")
        return _rss_document(channel, [])

    def _finish(self, kind: str, status: int, body: bytes) -> Answer:
        now = self.server.now().astimezone(UTC)
        next_midnight = _midnight(now.astimezone(ET).date() + timedelta(days=1)).astimezone(UTC)
        headers = {
            "ETag": hashlib.sha256(body).hexdigest(),
            "Cache-Control": f"max-age={max(0, int((next_midnight - now).total_seconds()))}",
        }
        return status, body, RSS_TYPE if kind == "rss" else ATOM_TYPE, headers


def validate(query: str) -> tuple[list[str], list[str]]:
    """The archives and categories of a query, in arXiv's spelling, or ``BadQuery`` with arXiv's message."""
    parts = query.split("+")
    if any(not part.strip() for part in parts):
        raise BadQuery(
            f"Invalid archive specification '{query}'. Correct format is one or more archive names delimited by "
            "'+'. Each name can be either of the form 'archive' or 'archive.category'. For example: 'math+cs.CG' "
            "(all from math and only computational geometry from computer science)."
        )
    archives: list[str] = []
    categories: list[str] = []
    for part in parts:
        pieces = part.split(".")
        if len(pieces) > 2:
            raise BadQuery(
                f"Bad archive/subject class structure '{part}'. Valid names include an archive, possibly followed "
                "by a single period and subject class."
            )
        archive = pieces[0].lower()
        if archive not in ACTIVE_ARCHIVES and archive not in SUBSUMED_ARCHIVES:
            raise BadQuery(f"Bad archive '{archive}'. Valid archive names are: {', '.join(ACTIVE_ARCHIVES)}.")
        if len(pieces) == 1:
            archives.append(archive)
            continue
        upper, lower = f"{archive}.{pieces[1].upper()}", f"{archive}.{pieces[1].lower()}"
        found = next((name for name in (upper, lower) if name in CATEGORIES), None)
        if found is None:
            valid = ", ".join(c for c in CATEGORIES if c.split(".")[0] == archive)
            raise BadQuery(
                f"Bad subject class '{pieces[1]}'. Valid subject classes for the archive '{archive}' are: {valid}."
            )
        categories.append(found)
    return archives, categories


def _check_version(raw: str) -> None:
    version = raw.strip()
    try:
        float(version)
        version = f"RSS {version}"
    except ValueError:
        pass
    if version.lower() != "rss 2.0":
        raise BadQuery(f"Unsupported feed version '{version}' requested. Valid options are: RSS 2.0, Atom 1.0.")


def _listing_type(action: str, primary_in: bool) -> str:
    if action == "new" and primary_in:
        return "new"
    if action in ("new", "cross"):
        return "cross"
    return "replace" if primary_in else "replace-cross"


# -- serialisation (protocol §2.4, §2.5) ---------------------------------------------------------------------


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=ET)


def _x(text: str) -> str:
    return escape(text).replace("\r", "&#13;")


def _attr(text: str) -> str:
    return _x(text).replace('"', "&quot;")


def creators(paper: Paper) -> str:
    """``dc:creator``: ``Name (aff1, aff2), Name``, as arxiv-feed's ArxivEntryExtension joins them."""
    named = (f"{a.name} ({', '.join(a.affiliations)})" if a.affiliations else a.name for a in paper.authors)
    return ", ".join(named)


def _description(listing: Listing) -> str:
    paper = listing.paper
    return f"arXiv:{paper.versioned_id} Announce Type: {listing.announce_type} \nAbstract: {paper.abstract}"


def _extensions(service: FeedService, listing: Listing, atom: bool) -> list[str]:
    paper = listing.paper
    lines = [f"<arxiv:announce_type>{listing.announce_type}</arxiv:announce_type>"]
    license = service.license(paper)
    if license:
        lines.append(f"<dc:rights>{_x(license)}</dc:rights>")
    doi = f"<arxiv:DOI>{_x(paper.doi)}</arxiv:DOI>" if paper.doi else None
    ref = (
        f"<arxiv:journal_reference>{_x(paper.journal_ref.strip())}</arxiv:journal_reference>"
        if paper.journal_ref
        else None
    )
    lines += [line for line in ((ref, doi) if atom else (doi, ref)) if line]
    lines.append(f"<dc:creator>{_x(creators(paper))}</dc:creator>")
    return lines


def _rss_channel(
    title: str,
    link: str,
    description: str,
    built: datetime,
    published: datetime,
    *,
    skip_days: bool = True,
    editor: str = "rss-help@arxiv.org",
) -> list[str]:
    lines = [
        f"<title>{_x(title)}</title>",
        f"<link>{_x(link)}</link>",
        f"<description>{_x(description)}</description>",
        f'<atom:link href="{_attr(link)}" rel="self" type="{RSS_TYPE}"/>',
        "<docs>http://www.rssboard.org/rss-specification</docs>",
        "<language>en-us</language>",
        f"<lastBuildDate>{format_datetime(built.replace(microsecond=0))}</lastBuildDate>",
        f"<managingEditor>{editor}</managingEditor>",
        f"<pubDate>{format_datetime(published)}</pubDate>",
    ]
    if skip_days:
        lines += ["<skipDays>", "  <day>Saturday</day>", "  <day>Sunday</day>", "</skipDays>"]
    return lines


def _rss_document(channel: list[str], items: list[list[str]]) -> bytes:
    lines = [_HEAD, _RSS_ROOT, "  <channel>"]
    lines += ["    " + line for line in channel]
    for item in items:
        lines += ["    <item>", *("      " + line for line in item), "    </item>"]
    lines += ["  </channel>", "</rss>"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _rss_feed(service: FeedService, topics: list[str], day: date, build: datetime, listings: list[Listing]) -> bytes:
    link = service.link("rss", "+".join(topics))
    names = ", ".join(topics)
    midnight = _midnight(day)
    channel = _rss_channel(
        f"{names} updates on arXiv.org", link, f"{names} updates on the arXiv.org e-print archive.", build, midnight
    )
    items = []
    for listing in listings:
        paper = listing.paper
        items.append(
            [
                f"<title>{_x(paper.title)}</title>",
                f"<link>https://arxiv.org/abs/{paper.id}</link>",
                f"<description>{_x(_description(listing))}</description>",
                f'<guid isPermaLink="false">oai:arXiv.org:{paper.versioned_id}</guid>',
                *(f"<category>{_x(category)}</category>" for category in paper.categories),
                f"<pubDate>{format_datetime(midnight)}</pubDate>",
                *_extensions(service, listing, atom=False),
            ]
        )
    items += [_damaged_item(midnight, atom=False) for _ in range(service.damaged)]
    return _rss_document(channel, items)


def _atom_header(link: str, title: str, subtitle: str, built: datetime) -> list[str]:
    return [
        f"<id>{_x(link)}</id>",
        f"<title>{_x(title)}</title>",
        f"<updated>{built.isoformat()}</updated>",
        f'<link href="{_attr(link)}" rel="self" type="{ATOM_TYPE}"/>',
        f"<subtitle>{_x(subtitle)}</subtitle>",
    ]


def _atom_document(header: list[str], entries: list[list[str]]) -> bytes:
    lines = [_HEAD, _ATOM_ROOT, *("  " + line for line in header)]
    for entry in entries:
        lines += ["  <entry>", *("    " + line for line in entry), "  </entry>"]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _atom_feed(service: FeedService, topics: list[str], day: date, build: datetime, listings: list[Listing]) -> bytes:
    link = service.link("atom", "+".join(topics))
    names = ", ".join(topics)
    header = _atom_header(
        link, f"{names} updates on arXiv.org", f"{names} updates on the arXiv.org e-print archive.", build
    )
    entries = []
    for listing in listings:
        paper = listing.paper
        entries.append(
            [
                f"<id>oai:arXiv.org:{paper.versioned_id}</id>",
                f"<title>{_x(paper.title)}</title>",
                f"<updated>{build.isoformat()}</updated>",
                f'<link href="https://arxiv.org/abs/{paper.id}" rel="alternate" type="text/html"/>',
                f"<summary>{_x(_description(listing))}</summary>",
                *(f'<category term="{_attr(category)}"/>' for category in paper.categories),
                f"<published>{_midnight(day).isoformat()}</published>",
                *_extensions(service, listing, atom=True),
            ]
        )
    entries += [_damaged_item(_midnight(day), atom=True) for _ in range(service.damaged)]
    return _atom_document(header, entries)


def _damaged_item(midnight: datetime, *, atom: bool) -> list[str]:
    """An item with missing fields: no identifier (guid, link or description), no title, no announce type."""
    if atom:
        return [f"<published>{midnight.isoformat()}</published>", "<summary>Abstract: </summary>"]
    return ["<description>Abstract: </description>", f"<pubDate>{format_datetime(midnight)}</pubDate>"]
