"""The daily GitHub issue: one ``Message`` in, the title and Markdown body of the issue out.

The body reads like the notification file (``notification.md.j2``): a pointer to the page, then one table per
topic with the papers the repository's issues have not announced yet, new versions marked.

Paper text is untrusted, and GitHub acts on some of it: ``@name`` and ``@org/team`` notify people and teams,
``#123`` links (and cross-references) an issue of the repository. So every ``@`` and ``#`` of paper text and
topic names is followed by a zero-width space, written ``&#8203;`` in the body, as Dependabot and Renovate do
in the release notes they quote: the text reads the same and nobody is notified. Every ``&`` of paper text is
written ``&amp;`` first, so that an abstract saying ``&#64;name`` cannot become a mention either.

GitHub refuses a body longer than 65,536 characters
(https://docs.github.com/en/rest/issues/issues#create-an-issue answers 422 "body is too long"). When the papers
do not fit, every topic shows fewer of them and says "…and N more" with a link to the page; as a last resort
topics are left out with one line counting their papers. Lengths are counted in UTF-16 code units, never less
than what GitHub counts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from dailypapers.model import Author, Issue, Listed, Message, Paper, Section, Summary
from dailypapers.render._text import one_line, plural, size
from dailypapers.render.markdown import (
    NO_PAPERS,
    Table,
    check_columns,
    escape_cell,
    long_date,
    markdown_template,
    table,
)

BODY_LIMIT = 65_536
ZERO_WIDTH = "\u200b"
_MARKED = re.compile(r"([@#])")


def issue_title(message: Message) -> str:
    """``4 New Papers - January 15, 2026``, as the notification file's front matter says it."""
    count = message.count
    return plain_text(f"{plural(count, 'New Paper')} - {long_date(message.day)}")


def plain_text(text: str) -> str:
    """Text for an issue's title (not Markdown): a zero-width space after each ``@`` and ``#``."""
    return _MARKED.sub(lambda match: match.group(1) + ZERO_WIDTH, one_line(text))


def quiet_markdown(text: str) -> str:
    """Rendered Markdown of paper text with every ``@`` and ``#`` followed by a zero-width space entity."""
    return _MARKED.sub(r"\1&#8203;", text)


def github_issue(message: Message, columns: Sequence[str], *, limit: int = BODY_LIMIT) -> Issue:
    """The issue for ``message``: at most ``message.limit`` papers per topic, and never more than ``limit``."""
    check_columns(columns)
    sections = [_guarded(section) for section in message.sections if section.papers]
    return Issue(issue_title(message), _fitted_body(message, sections, tuple(columns), limit))


def _fitted_body(message: Message, sections: list[Section], columns: tuple[str, ...], limit: int) -> str:
    """The longest body that fits: as many papers per topic as fit (at least one), then as many topics."""
    body = _body(message, sections, columns, message.limit)
    if size(body) <= limit:
        return body
    low, high = 1, message.limit  # the largest number of papers per topic that fits lies in [low, high)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if size(_body(message, sections, columns, middle)) <= limit else (low, middle)
    kept = list(sections)
    body = _body(message, kept, columns, low)
    while size(body) > limit and kept:
        kept.pop()
        body = _body(message, kept, columns, low, left_out=sections[len(kept) :])
    return body


def _body(
    message: Message,
    sections: list[Section],
    columns: tuple[str, ...],
    per_topic: int,
    left_out: Sequence[Section] = (),
) -> str:
    tables = [_quiet_table(table(section, columns, limit=per_topic, mark=True)) for section in sections]
    return markdown_template("github_issue.md.j2").render(
        page_url=message.link,
        note=quiet_markdown(escape_cell(_amp(message.note))) if message.note else None,
        tables=tables,
        no_papers=NO_PAPERS,
        more_url=message.link,
        left_out=sum(len(section.papers) for section in left_out),
        left_out_topics=len(left_out),
    )


def _quiet_table(shown: Table) -> Table:
    """A rendered table with ``@`` and ``#`` made inert in its heading and cells (links hold neither)."""
    rows = tuple(tuple(quiet_markdown(cell) for cell in row) for row in shown.rows)
    return replace(shown, heading=quiet_markdown(shown.heading), rows=rows)


def _guarded(section: Section) -> Section:
    """The section with ``&`` written as ``&amp;`` in the topic name, paper text and summaries, before cells are
    made."""
    papers = tuple(_guarded_listing(listed) for listed in section.papers)
    return replace(section, topic=_amp(section.topic), papers=papers)


def _guarded_listing(listed: Listed) -> Listed:
    summary = listed.summary
    if summary is not None:
        facets = (summary.problem, summary.method, summary.result)
        summary = Summary(_amp(summary.tldr), *(_amp(text) if text is not None else None for text in facets))
    return replace(listed, paper=_guarded_paper(listed.paper), summary=summary)


def _guarded_paper(paper: Paper) -> Paper:
    authors = tuple(Author(_amp(author.name), author.affiliations) for author in paper.authors)
    comment = _amp(paper.comment) if paper.comment is not None else None
    return replace(paper, title=_amp(paper.title), abstract=_amp(paper.abstract), comment=comment, authors=authors)


def _amp(text: str | None) -> str:
    """``&`` as ``&amp;``: no character reference in paper text (``&#64;``, ``&commat;``) can become an ``@``."""
    return (text or "").replace("&", "&amp;")
