"""The static site: an index, a page per topic and a page per day of the archive, as HTML files.

The site is published as plain files (GitHub Pages, or opened from disk with ``file://``), so every link is
relative, nothing is fetched, and the only script is a small filter that narrows a list while one types.
Without script every paper is shown and the abstracts still open: they sit in ``<details>`` elements.

Paper text is untrusted. Templates autoescape everything (https://jinja.palletsprojects.com/en/3.1.x/api/#autoescaping),
so text reaches the page exactly once escaped: TeX such as ``$O(n \\log n)$`` shows as written, and ``<script>``
shows as text. Link targets are never taken from paper text: they are built here from the arXiv id and the DOI,
percent-escaped, under fixed ``https://`` prefixes. Topic names reach file names only through their stem
(``model.topic_stem``): lower case ASCII, never empty, never shared.

Rendering is a pure function of the digest: no clock, no locale, no file, no network.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined

from dailypapers.model import Day, Digest, Listed, Paper, Section, topic_stems
from dailypapers.render.markdown import long_date, updated_day

STYLESHEET = "style.css"
SCRIPT = "filter.js"
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


def one_line(text: str) -> str:
    """Collapse runs of whitespace: arXiv wraps titles and names with a newline and two spaces."""
    return " ".join(text.split())


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
    """The days newest first; a date listed twice is a caller's error, as its pages would overwrite each other."""
    ordered = sorted(days, key=lambda day: day.day, reverse=True)
    for newer, older in zip(ordered, ordered[1:], strict=False):
        if newer.day == older.day:
            raise ValueError(f"digest.days: {newer.day.isoformat()} is listed twice")
    return ordered


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


def index_page(digest: Digest, files: dict[str, str], days: Sequence[Day]) -> str:
    topics = [
        TopicLink(s.topic, files[s.topic], len(s.papers), max(s.total or 0, len(s.papers))) for s in digest.sections
    ]
    archive_links = [
        DayLink(d.day.isoformat(), long_date(d.day), day_file(d.day), distinct_papers(d.sections)) for d in days
    ]
    return _render(
        "index.html.j2",
        root="",
        digest=digest,
        day=long_date(digest.day),
        generated=generated_text(digest.generated),
        topics=topics,
        days=archive_links,
    )


def topic_page(digest: Digest, section: Section, files: dict[str, str]) -> str:
    return _render(
        "topic.html.j2",
        root="../",
        digest=digest,
        section=section,
        group=group(section, files),
        total=max(section.total or 0, len(section.papers)),
    )


def day_page(digest: Digest, days: Sequence[Day], position: int, files: dict[str, str]) -> str:
    """One day of the archive; ``days`` is newest first, so the newer day is the one before ``position``."""
    day = days[position]
    newer = days[position - 1] if position > 0 else None
    older = days[position + 1] if position + 1 < len(days) else None
    return _render(
        "day.html.j2",
        root="../",
        digest=digest,
        day=long_date(day.day),
        iso=day.day.isoformat(),
        groups=[group(section, files) for section in day.sections],
        count=sum(len(section.papers) for section in day.sections),
        newer=(long_date(newer.day), f"{newer.day.isoformat()}.html") if newer else None,
        older=(long_date(older.day), f"{older.day.isoformat()}.html") if older else None,
    )


def render_site(digest: Digest) -> dict[str, str]:
    """Every file of the site, by its path relative to the site folder (POSIX, e.g. 'index.html',
    'topics/<slug>.html', 'days/2026-05-15.html', plus any css/js file), mapped to its text."""
    files = topic_files(digest.sections)
    days = archive(digest.days)
    site = {STYLESHEET: _static(STYLESHEET), SCRIPT: _static(SCRIPT), "index.html": index_page(digest, files, days)}
    for section in digest.sections:
        path = files[section.topic]
        if path not in site:
            site[path] = topic_page(digest, section, files)
    for position, day in enumerate(days):
        site[day_file(day.day)] = day_page(digest, days, position, files)
    return site
