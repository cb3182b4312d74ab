"""The Markdown page and the notification body.

The page is a drop-in for the page the "Daily Papers" GitHub bot writes (DailyArXiv's ``README.md``): same
header text, same ``## topic`` sections, same table and cell layout, so that a repository can switch over
without a diff in how its page looks. The notification is that bot's ``.github/ISSUE_TEMPLATE.md`` (front
matter read by GitHub Actions that open an issue from it), restricted to what is new in one run. Both show each
topic's papers in the digest's order: newest first, or best first with ``[ranking] order = "interest"``
(``pipeline/interest.py`` orders them before rendering).

Cells follow GitHub Flavored Markdown tables (https://github.github.com/gfm/#tables-extension-): a cell is one
line, and an unescaped ``|`` ends it. Paper text is untrusted, so every text cell goes through
:func:`escape_cell`. Rendering is a pure function of the digest: no clock, no locale, no network.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, Template

from dailypapers.model import Digest, Listed, Paper, Section
from dailypapers.render._summary import facets_line, tldr_text
from dailypapers.render._text import join_lines, plural

COLUMNS = ("Title", "Date", "Abstract", "Comment", "Authors", "Categories", "PDF", "TL;DR")
"""Every column the page and the notification can show, in the user's words (config ``columns``). "TL;DR" is
the paper's summary when summaries are on (empty without one); the default columns leave it out, so the default
page stays the bot's."""

COMMENT_FOLD_AT = 20
"""Comments longer than this many characters are folded behind their first few characters, as the bot does."""

SUMMARY_CHARS = 5
SHOWN_AUTHORS = 3
NOTHING_NEW = "No new papers since the last run."
NO_PAPERS = "No papers yet."

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_ENTITIES = {"<": "&lt;", ">": "&gt;"}


# --- escaping ---


def _escape(text: str, specials: str) -> str:
    r"""Backslash-escape each of ``specials`` and write ``<`` and ``>`` as entities.

    A run of backslashes just before one of these characters or at the very end is doubled, so that text
    which already has a ``\`` there cannot swallow what we add: ``a\|b`` stays ``a\|b`` on screen, ``\<``
    does not turn ``&lt;`` into a literal ``&lt;``, and a final ``\`` does not eat the ``<`` of the closing
    tag that follows the cell text.
    """

    def replace(match: re.Match[str]) -> str:
        slashes, char = match.group(1), match.group(2)
        shown = _ENTITIES.get(char) or (f"\\{char}" if char else "")
        return slashes * 2 + shown

    return re.sub(f"(\\\\*)([{re.escape(specials)}<>]|$)", replace, text)


def escape_cell(text: str) -> str:
    r"""Make paper text safe inside a GFM table cell: one line, ``|`` as ``\|``, ``<``/``>`` as entities.

    ``&`` is kept as it is, as the bot keeps it: an entity can only ever show as text, never become a tag.
    ``](`` becomes ``]\(``, so ``[click](javascript:…)`` or ``![x](https://tracker/…)`` in an abstract shows
    as written instead of becoming a link or a remote image, while a citation such as ``[Distributed Computing
    2025]`` stays exactly as the bot printed it.
    """
    return _escape(join_lines(text), "|").replace("](", "]\\(")


def escape_link_text(text: str) -> str:
    """:func:`escape_cell`, and brackets too, for text inside ``[...](url)``."""
    return _escape(join_lines(text), "|[]")


def fold(summary: str, body: str) -> str:
    """An HTML disclosure the bot uses to keep rows short; both parts must already be escaped."""
    return f"<details><summary>{summary}</summary><p>{body}</p></details>"


# --- cells ---


def updated_day(paper: Paper) -> date:
    """The UTC day of the version's ``updated`` time (a naive time is taken to be UTC, never local time)."""
    updated = paper.updated if paper.updated.tzinfo else paper.updated.replace(tzinfo=UTC)
    return updated.astimezone(UTC).date()


def title_cell(listed: Listed, *, mark_new_version: bool = False) -> str:
    paper = listed.paper
    cell = f"**[{escape_link_text(paper.title)}]({paper.abs_url})**"
    if mark_new_version and listed.new_version:
        cell += f" *(new version v{paper.version})*"
    return cell


def comment_cell(comment: str | None) -> str:
    text = join_lines(comment or "")
    if len(text) <= COMMENT_FOLD_AT:
        return escape_cell(text)
    # The cut is not trimmed: the bot shows "This ..." for "This work has been submitted ...".
    return fold(_escape(text[:SUMMARY_CHARS], "|") + "...", escape_cell(text))


def authors_cell(paper: Paper) -> str:
    names = ", ".join(join_lines(author.name) for author in paper.authors[:SHOWN_AUTHORS])
    more = " et al." if len(paper.authors) > SHOWN_AUTHORS else ""
    return escape_cell(names + more)


def categories_cell(paper: Paper) -> str:
    primary = paper.primary_category or (paper.categories[0] if paper.categories else "")
    ordered = [primary] if primary else []
    ordered += [category for category in paper.categories if category not in ordered]
    return escape_cell(", ".join(ordered))


def tldr_cell(listed: Listed) -> str:
    """The summary's sentence, with its problem/method/result line folded behind "More"; empty without one."""
    tldr = tldr_text(listed.summary)
    if tldr is None:
        return ""
    more = facets_line(listed.summary)
    return escape_cell(tldr) + (" " + fold("More", escape_cell(more)) if more else "")


def paper_cell(column: str, listed: Listed, *, mark_new_version: bool = False) -> str:
    """The text of one cell; ``column`` is one of :data:`COLUMNS`."""
    paper = listed.paper
    if column == "Title":
        return title_cell(listed, mark_new_version=mark_new_version)
    if column == "Date":
        return updated_day(paper).isoformat()
    if column == "Abstract":
        return fold("Show", escape_cell(paper.abstract))
    if column == "Comment":
        return comment_cell(paper.comment)
    if column == "Authors":
        return authors_cell(paper)
    if column == "Categories":
        return categories_cell(paper)
    if column == "PDF":
        return f"[PDF]({paper.pdf_url})"
    if column == "TL;DR":
        return tldr_cell(listed)
    raise ValueError(f"unknown column {column!r}; expected one of {', '.join(COLUMNS)}")


# --- tables and pages ---


@dataclass(frozen=True, slots=True)
class Table:
    """One topic as the templates lay it out: a heading and, unless the topic is empty, a table."""

    heading: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    more: int = 0  # papers left out by a limit, for "and N more"


def check_columns(columns: Sequence[str]) -> tuple[str, ...]:
    unknown = [column for column in columns if column not in COLUMNS]
    if unknown or not columns:
        shown = ", ".join(repr(column) for column in unknown) or "none"
        raise ValueError(f"columns: {shown} not allowed; expected some of {', '.join(COLUMNS)}")
    return tuple(columns)


def table(section: Section, columns: Sequence[str], *, limit: int | None = None, mark: bool = False) -> Table:
    listed = section.papers[:limit]
    rows = tuple(tuple(paper_cell(column, item, mark_new_version=mark) for column in columns) for item in listed)
    header = tuple(f"**{column}**" for column in columns)
    return Table(heading=escape_cell(section.topic), header=header, rows=rows, more=len(section.papers) - len(listed))


def long_date(day: date) -> str:
    """``January 15, 2026``, as the bot's ``%B %d, %Y``, but the same in every locale."""
    return f"{_MONTHS[day.month - 1]} {day.day:02d}, {day.year}"


@cache
def markdown_template(name: str) -> Template:
    """A Markdown template of ``render/templates`` (the page, the notification, the GitHub issue)."""
    environment = Environment(
        loader=PackageLoader("dailypapers", "render/templates"),
        autoescape=False,  # Markdown, not HTML: cells are escaped by escape_cell before they get here
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    return environment.get_template(name)


def render_page(digest: Digest, *, max_papers: int) -> str:
    """The Markdown page: every topic's latest ``max_papers`` papers, in the bot's layout, byte for byte."""
    if max_papers < 1:
        raise ValueError(f"max_papers must be at least 1, not {max_papers}")
    columns = check_columns(digest.columns)
    return markdown_template("page.md.j2").render(
        title=escape_cell(digest.title),
        max_papers=max_papers,
        day=digest.day.isoformat(),
        note=escape_cell(digest.note) if digest.note else None,
        tables=[table(section, columns, limit=max_papers) for section in digest.sections],
        no_papers=NO_PAPERS,
    )


def count_new(digest: Digest) -> int:
    """How many different papers ``digest.new`` lists: a paper new on two topics is one new paper."""
    return len({listed.paper.id for section in digest.new for listed in section.papers})


def render_notification(digest: Digest, *, page_url: str | None = None, limit: int | None = None) -> str:
    """The notification body: only the papers new in this run, new versions marked.

    With papers, it is an issue template (front matter, a pointer to the page, one table per topic with new
    papers). Without, it is one line saying why: ``digest.quiet`` or :data:`NOTHING_NEW`; a scheduler then
    knows not to open an issue or send mail.
    """
    count = count_new(digest)
    if count == 0:
        return (join_lines(digest.quiet or "") or NOTHING_NEW) + "\n"
    columns = check_columns(digest.columns)
    return markdown_template("notification.md.j2").render(
        title=f"{plural(count, 'New Paper')} - {long_date(digest.day)}",
        page_url=page_url,
        note=escape_cell(digest.note) if digest.note else None,
        tables=[table(section, columns, limit=limit, mark=True) for section in digest.new if section.papers],
        no_papers=NO_PAPERS,
        more_url=page_url,
    )
