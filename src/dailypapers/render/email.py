"""The body of an email message: a subject, a plain text part and an HTML part, from a ``Message``.

The two parts become a multipart/alternative message (RFC 2046 §5.1.4), so each must stand on its own: the
text part is for terminals and text-only readers, the HTML part for everyone else. Lines of the text part are
wrapped at :data:`TEXT_WIDTH`, under the 78 characters RFC 5322 §2.1.1 recommends.

The HTML part follows what mail clients actually render: inline ``style`` attributes only (several clients drop
``<style>`` elements), no scripts, no images and no remote resources, so nothing loads and nothing tracks.

A message with top picks (``Message.picks``: a trained ranking) leads with them, each with its reason, before
the topics; without, the message is as it always was. Paper text, and a reason quoting a title, is untrusted.
The HTML template escapes every value (Jinja autoescape), and links are never taken from text: they are built
from arXiv identifiers (checked with :func:`~dailypapers.model.split_id`) and DOIs (checked against the
``10.prefix/suffix`` form, https://www.doi.org/the-identifier/resources/handbook), and the page link must be an
``http(s)`` URL. Every single-line value is stripped of line breaks and control characters,
so a topic name cannot add a header line to the subject. Rendering is a pure function of the message.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, Template

from dailypapers.model import EmailBody, Listed, Message, Paper, Section, split_id
from dailypapers.render._picks import PICKS, why_line
from dailypapers.render._summary import facets_line, tldr_text
from dailypapers.render._text import plain_line, plural, shorten
from dailypapers.render.markdown import long_date

TEXT_WIDTH = 76
TEXT_ABSTRACT_CHARS = 600
"""The text part shows this much of an abstract, cut at a word; the HTML part shows all of it."""

COMMENT_CHARS = 300
SHOWN_AUTHORS = 6
"""Up to this many authors are named; a longer list shows the first few and how many there are."""

SUBJECT_TOPICS = 5
"""The subject names at most this many topics, then says how many others there are."""

NOTHING_NEW = "No new papers on your topics."


@dataclass(frozen=True, slots=True)
class Entry:
    """One paper as both parts show it; text values are one line each and not yet escaped."""

    title: str
    version: int
    new_version: bool
    authors: str
    categories: str
    reason: str | None
    comment: str | None
    abstract: str
    short_abstract: str
    abs_url: str | None
    pdf_url: str | None
    doi: str | None
    doi_url: str | None
    tldr: str | None = None
    facets: str | None = None
    """The summary under the title (``render._summary``): its sentence and its problem/method/result line."""


@dataclass(frozen=True, slots=True)
class PickEntry:
    """One of the top picks as both parts show it: the paper's entry, its topics and why it is picked."""

    entry: Entry
    topics: str
    why: str


@dataclass(frozen=True, slots=True)
class Block:
    """One topic: its name and query, the papers shown, how many there are in all, and how many were cut."""

    topic: str
    query: str
    count: int
    entries: tuple[Entry, ...]
    more: int

    @property
    def heading(self) -> str:
        return f"{self.topic} ({self.count})"


# --- text ---


def _wrap(text: str, first: str = "", rest: str | None = None) -> str:
    """Fill ``text`` to :data:`TEXT_WIDTH`; URLs and other long words are never broken."""
    return textwrap.fill(
        text,
        width=TEXT_WIDTH,
        initial_indent=first,
        subsequent_indent=first if rest is None else rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


# --- links ---


def arxiv_links(paper: Paper) -> tuple[str | None, str | None]:
    """The abstract page and PDF of the paper, or ``(None, None)`` when its id is not an arXiv identifier."""
    try:
        ident, version = split_id(paper.versioned_id)
    except ValueError:
        return None, None
    if ident != paper.id or version != paper.version:
        return None, None
    return paper.abs_url, paper.pdf_url


def page_link(link: str | None) -> str | None:
    """The published page for "and N more", only when it is an absolute ``http`` or ``https`` URL."""
    if not link or plain_line(link) != link or " " in link:
        return None
    parts = urlsplit(link)
    return link if parts.scheme in ("http", "https") and parts.netloc else None


# --- papers and topics ---


def authors_line(paper: Paper) -> str:
    names = [plain_line(author.name) for author in paper.authors]
    if len(names) <= SHOWN_AUTHORS:
        return ", ".join(names)
    return f"{', '.join(names[: SHOWN_AUTHORS - 1])} et al. ({len(names)} authors)"


def categories_line(paper: Paper) -> str:
    """The categories, primary first, as arXiv lists them."""
    ordered = [paper.primary_category] if paper.primary_category else []
    ordered += [category for category in paper.categories if category not in ordered]
    return ", ".join(plain_line(category) for category in ordered)


def entry(listed: Listed) -> Entry:
    paper = listed.paper
    abstract = plain_line(paper.abstract)
    abs_url, pdf_url = arxiv_links(paper)
    doi, doi_url = next(((text, url) for text, url in paper.dois if url), (None, None))
    return Entry(
        title=plain_line(paper.title) or paper.versioned_id,
        version=paper.version,
        new_version=listed.new_version,
        authors=authors_line(paper),
        categories=categories_line(paper),
        reason=plain_line(listed.reason) or None,
        comment=shorten(plain_line(paper.comment), COMMENT_CHARS) or None,
        abstract=abstract,
        short_abstract=shorten(abstract, TEXT_ABSTRACT_CHARS),
        abs_url=abs_url,
        pdf_url=pdf_url,
        doi=doi,
        doi_url=doi_url,
        tldr=plain_line(tldr_text(listed.summary)) or None,
        facets=plain_line(facets_line(listed.summary)) or None,
    )


def block(section: Section, limit: int) -> Block:
    shown = section.papers[:limit]
    return Block(
        topic=plain_line(section.topic),
        query=plain_line(section.query),
        count=len(section.papers),
        entries=tuple(entry(listed) for listed in shown),
        more=len(section.papers) - len(shown),
    )


def pick_entries(message: Message) -> list[PickEntry]:
    """The message's top picks (none without a trained model), best first; ``topics`` is labelled."""
    return [
        PickEntry(entry(pick.listed), _topics_line(pick.topics), plain_line(why_line(pick.interest)))
        for pick in message.picks
    ]


def _topics_line(topics: tuple[str, ...]) -> str:
    label = "Topic" if len(topics) == 1 else "Topics"
    return f"{label}: {', '.join(plain_line(topic) for topic in topics)}"


def subject(message: Message) -> str:
    """``Daily Papers: 3 new papers on compiler (2), performance (1)``; a paper on two topics counts once."""
    title = plain_line(message.title) or "Daily Papers"
    topics = [section for section in message.sections if section.papers]
    if not topics:
        return f"{title}: no new papers"
    named = ", ".join(f"{plain_line(section.topic)} ({len(section.papers)})" for section in topics[:SUBJECT_TOPICS])
    others = len(topics) - SUBJECT_TOPICS
    if others > 0:
        named += f" and {others} other topic{'' if others == 1 else 's'}"
    return f"{title}: {plural(message.count, 'new paper')} on {named}"


def summary(message: Message, blocks: list[Block]) -> str:
    """The line under the title: ``3 new papers on 2 topics``, or :data:`NOTHING_NEW`."""
    if not blocks:
        return NOTHING_NEW
    return f"{plural(message.count, 'new paper')} on {plural(len(blocks), 'topic')}"


# --- templates ---


@cache
def _template(name: str) -> Template:
    environment = Environment(
        loader=PackageLoader("dailypapers", "render/templates"),
        autoescape=lambda template: template is not None and template.endswith(".html.j2"),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    environment.filters["wrap"] = _wrap
    return environment.get_template(name)


def render_email(message: Message) -> EmailBody:
    """Subject, text and HTML of one message: each topic's first ``message.limit`` papers, then "and N more"."""
    if message.limit < 1:
        raise ValueError(f"limit must be at least 1, not {message.limit}")
    blocks = [block(section, message.limit) for section in message.sections if section.papers]
    values = {
        "subject": subject(message),
        "title": plain_line(message.title) or "Daily Papers",
        "day": long_date(message.day),
        "summary": summary(message, blocks),
        "note": plain_line(message.note) or None,
        "link": page_link(message.link),
        "blocks": blocks,
        "picks": pick_entries(message),
        "picks_heading": PICKS,
        "width": TEXT_WIDTH,
    }
    return EmailBody(
        subject=str(values["subject"]),
        text=_template("email/message.txt.j2").render(values),
        html=_template("email/message.html.j2").render(values),
    )
