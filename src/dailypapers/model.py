"""Typed records: arXiv identifiers, authors, papers, and the digest handed to renderers.

Identifiers follow https://info.arxiv.org/help/arxiv_identifier.html: the new scheme ``YYMM.NNNN[N]`` (since
April 2007) and the old scheme ``archive[.SC]/YYMMNNN``, each with an optional ``vN`` version.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from urllib.parse import quote

_NEW_ID = re.compile(r"(?P<id>\d{4}\.\d{4,5})(?:v(?P<version>[1-9]\d*))?")
_OLD_ID = re.compile(r"(?P<id>(?P<archive>[a-z]+(?:-[a-z]{2,})?)(?:\.[a-zA-Z-]{2,})?/\d{7})(?:v(?P<version>[1-9]\d*))?")
_PREFIXES = ("https://arxiv.org/abs/", "http://arxiv.org/abs/", "oai:arXiv.org:", "arXiv:", "arxiv:")
_DOI = re.compile(r"10\.\d{4,9}/\S+")
# A DOI may hold any printable character (https://www.doi.org/the-identifier/resources/handbook/2_numbering);
# everything outside these is percent-escaped, so a DOI can neither end a URL nor change its scheme.
_DOI_SAFE = "/:;()._-"
DOI_RESOLVER = "https://doi.org/"


class RunOutcome(StrEnum):
    """How a run ended, as ``runs.outcome`` stores it and ``run --json`` prints it (the README's CLI reference).

    ``NEW``, ``NOTHING_NEW`` and ``NO_ANNOUNCEMENT`` are done (a weekend is not a failure); ``STALE`` is not done
    yet, to be run again later; ``RUNNING`` is a run that has not ended (or crashed); ``BACKFILL`` a finished
    back-fill.
    """

    NEW = "new"
    NOTHING_NEW = "nothing-new"
    NO_ANNOUNCEMENT = "no-announcement"
    STALE = "stale"
    FAILED = "failed"
    RUNNING = "running"
    BACKFILL = "backfill"


class Signal(StrEnum):
    """What a reader said about a paper, as ``signals.kind`` stores it: one row per change, replayed in order by
    the ranking. ``UNDISMISS`` is the reader's "Undo" of a dismissal; ``READ`` is recorded once per paper."""

    STAR = "star"
    UNSTAR = "unstar"
    DISMISS = "dismiss"
    UNDISMISS = "undismiss"
    READ = "read"


class DeliveryStatus(StrEnum):
    """What became of one delivery target in a run, as ``run --json`` prints it."""

    SENT = "sent"
    NOTHING = "nothing"  # nothing new for it, nothing sent
    OUTBOX = "outbox"  # a dry run wrote it to a file
    FAILED = "failed"  # to be tried again on the next run


def split_id(text: str) -> tuple[str, int | None]:
    """Split any form of an arXiv identifier into the id without version and the version (or None).

    Accepts ``2601.08800v2``, ``http://arxiv.org/abs/2601.08800v2``, ``oai:arXiv.org:2601.08800``,
    ``hep-th/9901001v1`` and ``math.CA/0611800``. The subject class of an old-scheme id is dropped, as arXiv
    prefers (``math/0611800``). Raises ValueError for anything else.
    """
    raw = text.strip()
    for prefix in _PREFIXES:
        if raw.startswith(prefix):
            raw = raw[len(prefix) :]
            break
    match = _NEW_ID.fullmatch(raw)
    if match:
        version = match.group("version")
        return match.group("id"), int(version) if version else None
    match = _OLD_ID.fullmatch(raw)
    if match:
        version = match.group("version")
        archive, number = match.group("id").split("/")
        return f"{archive.split('.')[0]}/{number}", int(version) if version else None
    raise ValueError(f"not an arXiv identifier: {text!r}")


# arXiv's own pages for a paper, as a reader copies them from the address bar: abs, pdf (``.pdf`` optional) or
# html, on any of arXiv's hosts, with or without the scheme, a query or a fragment.
_PAGE_URL = re.compile(
    r"(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/(?P<ref>[^?#]+?)(?:\.pdf)?/?(?:[?#].*)?",
    re.IGNORECASE,
)


def paper_reference(text: str) -> tuple[str, int | None]:
    """The id and version (or None) of a paper as a person writes it: any form ``split_id`` reads, or the address
    of its abstract, PDF or HTML page on arXiv (``https://arxiv.org/pdf/2601.08800v2.pdf``). ValueError otherwise."""
    page = _PAGE_URL.fullmatch(text.strip())
    return split_id(page.group("ref") if page else text)


@dataclass(frozen=True, slots=True)
class Author:
    name: str
    affiliations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Paper:
    """One version of one arXiv paper, as the export API describes it.

    ``published`` is the v1 submission time, ``updated`` the submission time of this version; both are
    timezone-aware UTC datetimes. ``categories`` lists the primary category first.
    """

    id: str
    version: int
    title: str
    abstract: str
    authors: tuple[Author, ...]
    categories: tuple[str, ...]
    primary_category: str
    published: datetime
    updated: datetime
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    report_no: str | None = None

    @property
    def versioned_id(self) -> str:
        return f"{self.id}v{self.version}"

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.versioned_id}"

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.versioned_id}"

    @property
    def dois(self) -> tuple[tuple[str, str | None], ...]:
        """Each DOI of the DOI field (arXiv allows several, separated by spaces) with its resolver URL, or None
        for text that is not of the form ``10.NNNN/…``: such text is shown, never linked."""
        return tuple(
            (text, DOI_RESOLVER + quote(text, safe=_DOI_SAFE) if _DOI.fullmatch(text) else None)
            for text in (self.doi or "").split()
        )

    @property
    def doi_url(self) -> str | None:
        """The resolver URL of the first well-formed DOI."""
        return next((url for _, url in self.dois if url), None)


@dataclass(frozen=True, slots=True)
class Summary:
    """What a language model said a paper's version is about, as validated and cached (``[summaries]``): a
    one-sentence TL;DR and, when the model gave them, the problem, the method and the result in a few words.
    Model text, shown like paper text: escaped everywhere."""

    tldr: str
    problem: str | None = None
    method: str | None = None
    result: str | None = None


@dataclass(frozen=True, slots=True)
class Listed:
    """A paper as a digest lists it: the paper, whether this listing announces a new version of it, and why it
    is listed: the canonical text of the part of the topic's query it satisfies (``ti:"compiler"``); and its
    ``summary`` when summaries are on and one is cached for this version."""

    paper: Paper
    new_version: bool = False
    reason: str | None = None
    summary: Summary | None = None


@dataclass(frozen=True, slots=True)
class Interest:
    """How much a paper's version is like what the researcher reads (``rank/``), in plain values a renderer can
    word: the ``score`` (higher: more interesting), the positive it is most like (its id, its title and what made
    it one: "starred", "in your library", "by [ranking] authors"; None when it shares no word with any) and the
    words that weighed most. Titles and words are paper text: escaped like it everywhere."""

    score: float
    like_id: str | None = None
    like_title: str | None = None
    like_because: str | None = None
    words: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Pick:
    """One of a message's top picks (``[ranking] top``): the paper as its first topic lists it, every topic of
    the message it is on, and its interest."""

    listed: Listed
    topics: tuple[str, ...]
    interest: Interest


@dataclass(frozen=True, slots=True)
class Section:
    """One topic's part of a digest, newest first. ``query`` is the topic's query as arXiv syntax."""

    topic: str
    papers: tuple[Listed, ...]
    total: int | None = None  # how many papers the topic has in all, when more than are listed
    query: str = ""

    @property
    def slug(self) -> str:
        """The topic's file name on its own (``topic_stem``); ``topic_stems`` settles names two topics share."""
        return topic_stem(self.topic)


@dataclass(frozen=True, slots=True)
class Day:
    """One day of the archive: the papers first listed on that day (in the config's time zone), per topic."""

    day: date
    sections: tuple[Section, ...]


@dataclass(frozen=True, slots=True)
class Digest:
    """What renderers receive: everything a page or a notification shows, read from the store.

    ``sections`` hold each topic's latest papers (the page); ``new`` holds, per topic, only the papers first
    matched in the run being reported (the notification). ``note`` is a line the page shows under its date;
    ``quiet`` is the one line a notification consists of when nothing is new.
    """

    title: str
    day: date
    sections: tuple[Section, ...]
    new: tuple[Section, ...] = ()
    note: str | None = None
    quiet: str | None = None
    columns: tuple[str, ...] = ("Title", "Date", "Abstract", "Comment")
    generated: datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)
    days: tuple[Day, ...] = ()
    link: str | None = None  # where the page is published (config ``link``), for "and N more" in messages
    scores: dict[str, float] = field(default_factory=dict)
    """Set only with ``[ranking] order = "interest"`` and a trained model: each listed paper's score by id. Every
    section is then already in that order, and the feed of every topic (``all.xml``) follows it too."""


@dataclass(frozen=True, slots=True)
class Message:
    """What one email or webhook post carries: one recipient's unsent papers per topic, at most one per run.

    ``sections`` hold every unsent paper; a channel shows at most ``limit`` per topic and says "and N more"
    with ``link`` (the published page) when it cuts. ``note`` is the digest's announcement line.
    """

    title: str
    day: date
    sections: tuple[Section, ...]
    limit: int = 50
    note: str | None = None
    link: str | None = None
    picks: tuple[Pick, ...] = ()  # the papers email and webhooks lead with, best first; none without a model

    @property
    def count(self) -> int:
        """Distinct papers in the message (a paper on two topics counts once)."""
        return len({listed.paper.id for section in self.sections for listed in section.papers})


@dataclass(frozen=True, slots=True)
class EmailBody:
    """What one email says: ``subject`` is one line of plain text, ``text`` and ``html`` the two parts.
    The render stage builds it, the SMTP transport sends it: it lives here so neither imports the other."""

    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Issue:
    """The daily GitHub issue, as rendered (plain ``title``, Markdown ``body``) and as the API transport posts it."""

    title: str
    body: str


def topic_slug(name: str) -> str:
    """A file name for a topic: lower case ASCII letters, digits and hyphens (``"GPU kernels!"`` → ``gpu-kernels``).

    Letters with accents lose them; a name with no letter or digit left becomes ``topic``.
    """
    return _plain_slug(name) or "topic"


def _plain_slug(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


# Names a topic's file may not take: ``all.xml`` is the feed of every topic, and Windows refuses these names
# for a file of any extension, so a site or feeds folder checked out there would be broken.
_RESERVED_STEMS = frozenset(
    {"all", "con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}
)
_MAX_SLUG = 80  # with the hash and an extension, well under the 255 bytes every file system allows


def topic_stem(name: str) -> str:
    """A topic's file name without extension: its slug when the slug says it all, else the slug and a hash.

    A name keeps its plain slug, as file names always were, when the slug only leaves out case, accents,
    spaces and punctuation (``GPU kernels`` → ``gpu-kernels``, ``Réseaux`` → ``reseaux``). A name whose slug
    drops letters or symbols (Chinese, Japanese, Greek, emoji), or is empty, too long or reserved, gets a short
    hash of the name as written: ``量子计算`` → ``topic-83b0d92d``, ``機械学習 ML`` → ``ml-2dd82cce``. Every file
    name is lower case ASCII, so two topics never differ only in case, which case-insensitive disks would merge.
    """
    slug = _plain_slug(name)
    if slug and not _lossy(name) and len(slug) <= _MAX_SLUG and slug not in _RESERVED_STEMS:
        return slug
    return _hashed(slug, name)


def topic_stems(names: Iterable[str]) -> dict[str, str]:
    """The file name without extension of each topic, by name; every one different.

    A topic whose plain slug an earlier topic already has (``GPU kernels`` then ``gpu kernels!``) takes the
    hashed form, so adding a topic never renames the files of those before it.
    """
    stems: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        if name in stems:
            continue
        stem = topic_stem(name)
        if stem in taken:
            stem = _hashed(stem, name)
        number = 1
        while stem in taken:  # two hashes alike: 1 in 4 billion for two names, still never a lost page
            number += 1
            stem = f"{_hashed(_plain_slug(name), name)}-{number}"
        stems[name] = stem
        taken.add(stem)
    return stems


def _lossy(name: str) -> bool:
    """Whether the slug drops more than case, accents, spaces, punctuation and controls: a letter, digit or
    symbol (Unicode categories L, N and S)."""
    return any(
        not char.isascii() and unicodedata.category(char)[0] in "LNS" for char in unicodedata.normalize("NFKD", name)
    )


def _hashed(slug: str, name: str) -> str:
    readable = slug[:_MAX_SLUG].rstrip("-") or "topic"
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{readable}-{digest}"
