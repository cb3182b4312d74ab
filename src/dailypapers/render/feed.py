"""Atom feeds: one per topic (``<stem>.xml``, ``model.topic_stem``) and ``all.xml`` with every topic's papers.

The format is Atom 1.0, RFC 4287 (https://www.rfc-editor.org/rfc/rfc4287). A topic's feed holds the papers of its
section on the page, in the page's order (newest first); ``all.xml`` holds each paper of any section once, newest
first, with every topic it is on. With ``[ranking] order = "interest"`` (``Digest.scores``) the sections arrive
best first and ``all.xml`` follows the scores too. The XML is built with lxml, never by joining strings, so
paper text can only ever be text: ``<script>`` arrives in a reader as the eight characters it is.

Paper text is untrusted and sometimes damaged. Characters XML 1.0 does not allow (C0 controls other than tab,
newline and carriage return, lone surrogates, U+FFFE/U+FFFF; https://www.w3.org/TR/xml/#charsets) are dropped
rather than making lxml refuse the whole feed, and so are DEL and the C1 controls, which XML 1.0 §2.2
discourages and which never mean anything in a title or an abstract.

Rendering is a pure function of the digest: no clock, no network, no package version in the output, so the same
digest gives the same bytes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from urllib.parse import urljoin, urlsplit

from lxml import etree

from dailypapers.model import Digest, Listed, Paper, Section, Summary, topic_stems
from dailypapers.render._summary import TLDR, facets_line, tldr_text
from dailypapers.render._text import xml_line, xml_text

ATOM = "http://www.w3.org/2005/Atom"
XHTML = "http://www.w3.org/1999/xhtml"
ARXIV_SCHEME = "http://arxiv.org/schemas/atom"
"""The category scheme arXiv's own Atom answers use for ``cs.DC`` and the like."""

ALL = "all.xml"
GENERATOR = "dailypapers"


@dataclass(frozen=True, slots=True)
class _Entry:
    """One paper as a feed shows it: its latest listed version, the topics (with the reason) it is on, and the
    summary of that version, if a listing has one."""

    paper: Paper
    topics: tuple[tuple[str, str | None], ...]
    new_version: bool = False
    summary: Summary | None = None


def render_feeds(digest: Digest, *, feeds_path: str = "feeds/") -> dict[str, str]:
    """One Atom 1.0 feed per topic (``<stem>.xml``) and ``all.xml`` with the union, by file name, as XML text.

    ``feeds_path`` is where the feeds are published relative to ``digest.link``; it only shapes the feeds'
    ``self`` links and ids. Every topic has a file name of its own (``model.topic_stems``), so no feed
    replaces another, and each feed's title shows the topic's name as written.
    """
    names = _file_names(digest.sections)
    feeds: dict[str, str] = {}
    for name, section in zip(names, digest.sections, strict=True):
        title = f"{digest.title}: {section.topic}"
        subtitle = f"arXiv papers matching {section.query}" if section.query else None
        feeds[name] = _serialise(_feed(digest, name, title, subtitle, _merge((section,)), feeds_path))
    topics = ", ".join(section.topic for section in digest.sections)
    entries = sorted(_merge(digest.sections), key=lambda entry: (entry.paper.updated, entry.paper.id), reverse=True)
    if digest.scores:  # ``[ranking] order = "interest"``: best first, ties newest first
        entries.sort(key=lambda entry: -digest.scores.get(entry.paper.id, float("-inf")))
    subtitle = f"arXiv papers on every topic: {topics}" if topics else None
    feeds[ALL] = _serialise(_feed(digest, ALL, digest.title, subtitle, entries, feeds_path))
    return feeds


def entry_id(paper: Paper) -> str:
    """The Atom id of a paper's entry: its arXiv abstract URL without a version (``https://arxiv.org/abs/<id>``).

    RFC 4287 §4.2.6 asks for an id that never changes, however often the entry is updated or republished, and
    that names the entry universally. The unversioned abstract URL is arXiv's own permanent name for the paper
    (it always shows the latest version), so it is the same on every run, in every topic's feed and in
    ``all.xml``, and a new version arrives as an update of the same entry (a later ``updated``) rather than as a
    second entry. A ``tag:`` URI would need a domain the feeds' publisher owns, which a digest does not know.
    """
    return f"https://arxiv.org/abs/{paper.id}"


def feed_id(digest: Digest, name: str, feeds_path: str = "feeds/") -> str:
    """A feed's Atom id: its address when the digest has a ``link``, else a name-based UUID (RFC 4122 §4.3).

    The UUID is derived from the digest's title and the file name, so it stays the same from run to run
    without anything to store; two sites with the same title and topic would share it, which setting
    ``link`` avoids.
    """
    if digest.link:
        return feed_url(digest.link, name, feeds_path)
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'dailypapers:{digest.title}/{name}')}"


def feed_url(link: str, name: str, feeds_path: str = "feeds/") -> str:
    """Where a feed is published: ``feeds_path/name`` under ``link``.

    ``https://you.github.io/papers`` is taken to be a folder, as a person writing it means: a link whose last
    segment has no dot gets a trailing slash before joining, so the feed is not placed beside ``papers``.
    """
    last = urlsplit(link).path.rsplit("/", 1)[-1]
    base = link if not last or "." in last else link + "/"
    folder = feeds_path if feeds_path.endswith("/") else feeds_path + "/"
    return urljoin(base, folder + name)


def timestamp(moment: datetime) -> str:
    """An RFC 3339 date-time in UTC to the second (RFC 4287 §3.3); a naive time is taken to be UTC."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- which papers ---


def _file_names(sections: Sequence[Section]) -> list[str]:
    """``<stem>.xml`` per section (``model.topic_stems``): never ``all.xml``, never two alike."""
    stems = topic_stems(section.topic for section in sections)
    return [f"{stems[section.topic]}.xml" for section in sections]


def _merge(sections: Iterable[Section]) -> list[_Entry]:
    """Each paper once, in first-listed order, at its latest listed version, with every topic it is on."""
    entries: dict[str, _Entry] = {}
    for section in sections:
        for listed in section.papers:
            paper = listed.paper
            seen = entries.get(paper.id)
            if seen is None:
                entries[paper.id] = _Entry(paper, ((section.topic, listed.reason),), listed.new_version, listed.summary)
                continue
            newer = (paper.version, paper.updated) > (seen.paper.version, seen.paper.updated)
            latest = paper if newer else seen.paper
            summary = listed.summary if newer else (seen.summary or _same_version(listed, seen.paper))
            topics = seen.topics
            if all(topic != section.topic for topic, _ in topics):
                topics += ((section.topic, listed.reason),)
            entries[paper.id] = _Entry(latest, topics, seen.new_version or listed.new_version, summary)
    return list(entries.values())


def _same_version(listed: Listed, paper: Paper) -> Summary | None:
    """The listing's summary when it lists ``paper``'s version: a summary is of one version."""
    return listed.summary if listed.paper.version == paper.version else None


# --- XML ---


def _add(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    """A child in the Atom namespace; text and attribute values are cleaned, lxml escapes them."""
    child = etree.SubElement(parent, f"{{{ATOM}}}{tag}")
    for key, value in attributes.items():
        child.set(key, xml_text(value))
    if text is not None:
        child.text = xml_text(text)
    return child


def _serialise(root: etree._Element) -> str:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode("utf-8")


def _feed(
    digest: Digest, name: str, title: str, subtitle: str | None, entries: Sequence[_Entry], feeds_path: str
) -> etree._Element:
    """The ``atom:feed`` element (RFC 4287 §4.1.1): id, title, updated, author, links, then the entries."""
    # lxml takes None as the prefix of the default namespace; lxml-stubs only know string prefixes.
    root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})  # type: ignore[dict-item]
    _add(root, "id", feed_id(digest, name, feeds_path))
    _add(root, "title", xml_line(title))
    if subtitle:
        _add(root, "subtitle", xml_line(subtitle))
    _add(root, "updated", timestamp(_updated(digest, entries)))
    # A feed-level author makes the feed valid even when a damaged paper comes without authors (§4.1.1).
    author = _add(root, "author")
    _add(author, "name", xml_line(digest.title) or GENERATOR)
    if digest.link:
        _add(author, "uri", digest.link)
        _add(root, "link", rel="self", type="application/atom+xml", href=feed_url(digest.link, name, feeds_path))
        _add(root, "link", rel="alternate", type="text/html", href=digest.link)
    _add(root, "generator", GENERATOR)
    for entry in entries:
        _entry(root, entry)
    return root


def _updated(digest: Digest, entries: Sequence[_Entry]) -> datetime:
    """When the run finished; else the newest entry's version; else the start of the digest's day, in UTC."""
    if digest.generated is not None:
        return digest.generated
    if entries:
        return max(entry.paper.updated for entry in entries)
    return datetime.combine(digest.day, time(), tzinfo=UTC)


def _entry(root: etree._Element, entry: _Entry) -> None:
    """One ``atom:entry`` (RFC 4287 §4.1.2) in the order arXiv's own feeds use."""
    paper = entry.paper
    element = _add(root, "entry")
    _add(element, "id", entry_id(paper))
    _add(element, "title", xml_line(paper.title))
    _add(element, "updated", timestamp(paper.updated))
    _add(element, "published", timestamp(paper.published))
    for author in paper.authors:
        name = xml_line(author.name)
        if name:
            _add(_add(element, "author"), "name", name)
    _add(element, "link", rel="alternate", type="text/html", href=paper.abs_url)
    _add(element, "link", rel="related", type="application/pdf", title="PDF", href=paper.pdf_url)
    if paper.doi_url:
        _add(element, "link", rel="related", title="DOI", href=paper.doi_url)
    for category in _categories(paper):
        _add(element, "category", term=category, scheme=ARXIV_SCHEME)
    for topic, _ in entry.topics:
        _add(element, "category", term=xml_line(topic), label=xml_line(topic))
    _add(element, "summary", "\n".join(_paragraphs(paper.abstract)), type="text")
    _content(_add(element, "content", type="xhtml"), entry)


def _categories(paper: Paper) -> list[str]:
    """The paper's arXiv categories, primary first, each once."""
    ordered = [paper.primary_category, *paper.categories]
    return list(dict.fromkeys(term for term in (xml_line(category) for category in ordered) if term))


def _paragraphs(text: str) -> list[str]:
    """The lines of an abstract: arXiv keeps the author's paragraph breaks as single newlines."""
    return [line for line in (xml_line(part) for part in xml_text(text).split("\n")) if line]


# --- the entry's content ---


def _content(content: etree._Element, entry: _Entry) -> None:
    """An XHTML div (RFC 4287 §4.1.3.3): why the paper is listed, its TL;DR when it has a summary, the abstract,
    its comment, its links.

    Every piece of paper text is element text, never parsed as markup; the only links are the ones built here
    from the paper's id and DOI, so a ``javascript:`` in a comment stays words on the screen.
    """
    paper = entry.paper
    div = etree.SubElement(content, f"{{{XHTML}}}div", nsmap={None: XHTML})  # type: ignore[dict-item]
    for topic, reason in entry.topics:
        _paragraph(div, "Topic: ", (xml_line(topic), None), f" (matched {xml_line(reason)})" if reason else "")
    tldr = xml_line(tldr_text(entry.summary) or "")
    if tldr:
        _paragraph(div, (f"{TLDR}:", None), f" {tldr}")
        if more := xml_line(facets_line(entry.summary) or ""):
            _paragraph(div, more)
    for line in _paragraphs(paper.abstract):
        _paragraph(div, line)
    if paper.comment and xml_line(paper.comment):
        _paragraph(div, f"Comment: {xml_line(paper.comment)}")
    if paper.journal_ref and xml_line(paper.journal_ref):
        _paragraph(div, f"Journal reference: {xml_line(paper.journal_ref)}")
    _paragraph(div, *_links(entry))


def _links(entry: _Entry) -> list[str | tuple[str, str | None]]:
    paper = entry.paper
    label = f"arXiv:{paper.versioned_id}"
    parts: list[str | tuple[str, str | None]] = [(label, paper.abs_url)]
    if entry.new_version:
        parts.append(" (new version)")
    parts += [" · ", ("PDF", paper.pdf_url)]
    if paper.doi_url:
        parts += [" · ", (f"DOI {xml_line(paper.doi or '')}", paper.doi_url)]
    return parts


def _paragraph(div: etree._Element, *parts: str | tuple[str, str | None]) -> None:
    """A ``<p>`` of text and inline elements: ``(text, href)`` is a link, ``(text, None)`` bold text."""
    p = etree.SubElement(div, f"{{{XHTML}}}p")
    last: etree._Element | None = None
    for part in parts:
        if isinstance(part, tuple):
            text, href = part
            last = etree.SubElement(p, f"{{{XHTML}}}{'a' if href else 'b'}")
            if href:
                last.set("href", xml_text(href))
            last.text = xml_text(text)
        elif last is None:
            p.text = (p.text or "") + xml_text(part)
        else:
            last.tail = (last.tail or "") + xml_text(part)
