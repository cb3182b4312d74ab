"""The static site: an index, a page per topic and a page per day of the archive, as HTML files.

The site is published as plain files (GitHub Pages, or opened from disk with ``file://``), so every link is
relative, nothing is fetched, and the only script is a small filter that narrows a list while one types.
Without script every paper is shown and the abstracts still open: they sit in ``<details>`` elements.

Paper text is untrusted. Templates autoescape everything (https://jinja.palletsprojects.com/en/3.1.x/api/#autoescaping),
so text reaches the page exactly once escaped: TeX such as ``$O(n \\log n)$`` shows as written, and ``<script>``
shows as text. Link targets are never taken from paper text: they are built here from the arXiv id and the DOI,
percent-escaped, under fixed ``https://`` prefixes. Topic names reach file names only through their stem
(``model.topic_stem``): lower case ASCII, never empty, never shared.

TeX in titles and abstracts is typeset in the browser by the KaTeX shipped inside the package
(``render/assets.py``): the pages that list papers load it from the site's own ``vendor/katex-<version>/``
folder, which ``site_files`` copies in, and ``tex.js`` runs it over titles, TL;DRs and abstracts only. The HTML still
holds the text as written, escaped once, so without script, in a feed reader or where KaTeX cannot parse an
expression, the source text shows.

Rendering is a pure function of the digest: no clock, no locale, no network; the only files it reads are the
package's own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined

from dailypapers.model import Day, Digest, Listed, Paper, Section, topic_stems
from dailypapers.render._summary import facets, tldr_text
from dailypapers.render._text import one_line
from dailypapers.render.assets import KATEX, katex_files
from dailypapers.render.markdown import long_date, updated_day

STYLESHEET = "style.css"
SCRIPT = "filter.js"
TEX_SCRIPT = "tex.js"
ARXIV = "https://arxiv.org/"

_ID_SAFE = "/."  # old-scheme ids (hep-th/9901001) keep their slash
_SHOWN_AUTHORS = 20  # more than this are folded: collaboration papers list hundreds


# --- what a template shows ---


@dataclass(frozen=True, slots=True)
class Link:
    """A DOI as shown: its text, and where it leads when it is a well-formed DOI (``None`` otherwise)."""

    text: str
    url: str | None


@dataclass(frozen=True, slots=True)
class Entry:
    """One listed paper, flattened to what its ``<li>`` shows. Strings are raw: the template escapes them."""

    versioned_id: str
    title: str
    abs_url: str
    pdf_url: str
    html_url: str
    dois: tuple[Link, ...]
    authors: tuple[str, ...]
    more_authors: tuple[str, ...]
    categories: tuple[str, ...]
    updated: str
    version: int
    new_version: bool
    comment: str | None
    journal_ref: str | None
    abstract: str
    reason: str | None
    tldr: str | None = None
    facets: tuple[tuple[str, str], ...] = ()
    """The summary under the title (``render._summary``), when the listing has one."""


@dataclass(frozen=True, slots=True)
class Group:
    """A topic's papers on a page: its name, the file of its topic page (if it has one) and its entries."""

    topic: str
    href: str | None
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class TopicLink:
    """A line of the index: a topic, its page, how many papers it lists and has in all."""

    topic: str
    href: str
    listed: int
    total: int


@dataclass(frozen=True, slots=True)
class DayLink:
    """A line of the index's archive: a day, its page, and how many different papers it lists."""

    day: str
    label: str
    href: str
    count: int


def ordered_categories(paper: Paper) -> tuple[str, ...]:
    """The primary category first, then the others in arXiv's order, each once."""
    primary = paper.primary_category or (paper.categories[0] if paper.categories else "")
    return tuple(dict.fromkeys([primary, *paper.categories] if primary else paper.categories))


def entry(listed: Listed) -> Entry:
    paper = listed.paper
    path = quote(paper.versioned_id, safe=_ID_SAFE)
    names = tuple(one_line(author.name) for author in paper.authors)
    return Entry(
        versioned_id=paper.versioned_id,
        title=one_line(paper.title),
        abs_url=f"{ARXIV}abs/{path}",
        pdf_url=f"{ARXIV}pdf/{path}",
        html_url=f"{ARXIV}html/{path}",
        dois=tuple(Link(text, url) for text, url in paper.dois),
        authors=names[:_SHOWN_AUTHORS],
        more_authors=names[_SHOWN_AUTHORS:],
        categories=ordered_categories(paper),
        updated=updated_day(paper).isoformat(),
        version=paper.version,
        new_version=listed.new_version,
        comment=one_line(paper.comment) if paper.comment else None,
        journal_ref=one_line(paper.journal_ref) if paper.journal_ref else None,
        abstract=paper.abstract.strip(),
        reason=listed.reason,
        tldr=tldr_text(listed.summary),
        facets=facets(listed.summary),
    )


# --- file names ---


def topic_files(sections: Sequence[Section]) -> dict[str, str]:
    """The file of each topic's page, by topic name: ``topics/<stem>.html`` (``model.topic_stems``).

    Every topic gets its own page whatever its name, under the same stem as its feed; a topic named twice keeps
    one page.
    """
    return {topic: f"topics/{stem}.html" for topic, stem in topic_stems(s.topic for s in sections).items()}


def day_file(day: date) -> str:
    return f"days/{day.isoformat()}.html"


def archive(days: Iterable[Day]) -> list[Day]:
    """The days newest first, as ``site_files`` takes them."""
    return sorted(days, key=lambda day: day.day, reverse=True)


def newest_first(days: Iterable[Day]) -> Iterator[Day]:
    """``days`` as they come, each older than the one before; a date listed twice is a caller's error, as its
    pages would overwrite each other."""
    newer: date | None = None
    for day in days:
        if newer is not None and day.day >= newer:
            problem = (
                "is listed twice" if day.day == newer else f"comes after {newer.isoformat()}: list days newest first"
            )
            raise ValueError(f"digest.days: {day.day.isoformat()} {problem}")
        newer = day.day
        yield day


def neighbours(days: Iterable[Day]) -> Iterator[tuple[date | None, Day, date | None]]:
    """Each day with the dates of the newer and the older day beside it, holding one day ahead, not all."""
    newer: date | None = None
    current: Day | None = None
    for day in days:
        if current is not None:
            yield newer, current, day.day
            newer = current.day
        current = day
    if current is not None:
        yield newer, current, None


def distinct_papers(sections: Iterable[Section]) -> int:
    return len({listed.paper.id for section in sections for listed in section.papers})


def group(section: Section, files: dict[str, str]) -> Group:
    return Group(section.topic, files.get(section.topic), tuple(entry(listed) for listed in section.papers))


def generated_text(moment: datetime | None) -> tuple[str, str] | None:
    """``(machine, human)`` forms of the generation time in UTC; a naive time is taken to be UTC already."""
    if moment is None:
        return None
    utc = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    return utc.isoformat(timespec="seconds"), utc.strftime("%Y-%m-%d %H:%M UTC")


# --- pages ---


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("dailypapers", "render/templates/site"),
        autoescape=True,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )


def _render(name: str, **context: object) -> str:
    return _environment().get_template(name).render(**context)


def _static(name: str) -> str:
    """A file copied as it is: the loader finds it next to the templates, so it ships as package data."""
    environment = _environment()
    if environment.loader is None:  # pragma: no cover - set in _environment
        raise RuntimeError("site templates have no loader")
    return environment.loader.get_source(environment, name)[0]


def day_link(day: Day) -> DayLink:
    return DayLink(day.day.isoformat(), long_date(day.day), day_file(day.day), distinct_papers(day.sections))


def index_page(digest: Digest, files: dict[str, str], days: Sequence[DayLink]) -> str:
    topics = [
        TopicLink(s.topic, files[s.topic], len(s.papers), max(s.total or 0, len(s.papers))) for s in digest.sections
    ]
    return _render(
        "index.html.j2",
        root="",
        digest=digest,
        day=long_date(digest.day),
        generated=generated_text(digest.generated),
        topics=topics,
        days=days,
    )


def topic_page(digest: Digest, section: Section, files: dict[str, str]) -> str:
    return _render(
        "topic.html.j2",
        root="../",
        katex=KATEX,
        digest=digest,
        section=section,
        group=group(section, files),
        total=max(section.total or 0, len(section.papers)),
    )


def day_page(digest: Digest, day: Day, newer: date | None, older: date | None, files: dict[str, str]) -> str:
    """One day of the archive, with links to the newer and the older day beside it, if any."""
    return _render(
        "day.html.j2",
        root="../",
        katex=KATEX,
        digest=digest,
        day=long_date(day.day),
        iso=day.day.isoformat(),
        groups=[group(section, files) for section in day.sections],
        count=sum(len(section.papers) for section in day.sections),
        newer=(long_date(newer), f"{newer.isoformat()}.html") if newer else None,
        older=(long_date(older), f"{older.isoformat()}.html") if older else None,
    )


def site_files(digest: Digest, days: Iterable[Day]) -> Iterator[tuple[str, str | bytes]]:
    """Every file of the site, one at a time, by its path relative to the site folder (POSIX, e.g.
    'topics/<slug>.html', 'days/2026-05-15.html', 'index.html', plus the css and js files), with its text, or
    its bytes for KaTeX's files (``vendor/katex-<version>/...``, fonts included), which come before any page.

    ``days`` (``digest.days`` is not read) come newest first and are taken one at a time: each day's page is
    yielded before the next older day but one is read, so a caller that writes each file and drops it holds a
    couple of days, never the archive. The index lists every day, so it comes last.
    """
    files = topic_files(digest.sections)
    yield STYLESHEET, _static(STYLESHEET)
    yield SCRIPT, _static(SCRIPT)
    yield TEX_SCRIPT, _static(TEX_SCRIPT)
    yield from katex_files()
    written = set()
    for section in digest.sections:
        path = files[section.topic]
        if path not in written:
            written.add(path)
            yield path, topic_page(digest, section, files)
    links: list[DayLink] = []
    for newer, day, older in neighbours(newest_first(days)):
        yield day_file(day.day), day_page(digest, day, newer, older, files)
        links.append(day_link(day))
    yield "index.html", index_page(digest, files, links)


def render_site(digest: Digest) -> dict[str, str | bytes]:
    """Every file of the site at once (``site_files`` of ``digest.days``), mapped to its text."""
    return dict(site_files(digest, archive(digest.days)))
