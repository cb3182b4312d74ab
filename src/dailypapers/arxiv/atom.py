"""Read the arXiv export API's Atom answers into typed records.

The answer is an Atom 1.0 feed (RFC 4287) with OpenSearch 1.1 paging elements and arXiv's extension namespace,
described in the arXiv API user manual §3.3 (https://info.arxiv.org/help/api/user-manual.html, "Details of
Atom Results Returned"). Two services have produced it: the legacy one, and the re-implementation serving
``export.arxiv.org/api/query`` since 2025-11-11. They differ in element order, in where namespaces are
declared, in the whitespace inside titles and abstracts, and (legacy only) in ACM/MSC ``<category>`` terms, so
nothing here depends on order and every text is normalised the way a reader sees it.

A damaged entry is skipped, logged and counted in ``FeedPage.skipped``; a damaged feed raises ``FeedError``,
and arXiv's error feed (user manual §3.4) its subclass ``ArxivApiError`` with arXiv's message.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from lxml import etree

from dailypapers.errors import ArxivApiError, FeedError
from dailypapers.model import Author, Paper, split_id

__all__ = ["FeedPage", "parse_feed"]

log = logging.getLogger(__name__)

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"

_XML_SPACE = " \t\r\n"

# Clark-notation tags ("{namespace}local"), as lxml names elements.
_FEED, _ENTRY, _ID, _UPDATED, _AUTHOR, _NAME, _CATEGORY, _LINK = (
    _ATOM + local for local in ("feed", "entry", "id", "updated", "author", "name", "category", "link")
)
_AFFILIATION, _PRIMARY_CATEGORY = _ARXIV + "affiliation", _ARXIV + "primary_category"
_TOTAL_RESULTS, _START_INDEX, _ITEMS_PER_PAGE = (
    _OPENSEARCH + local for local in ("totalResults", "startIndex", "itemsPerPage")
)

# Entry children read as plain text, by Clark-notation tag. Only the first of a repeated element counts: the
# new service may emit several <arxiv:doi> (NEWAPI atom_extensions); Paper keeps one.
_TEXT_FIELDS = {
    _ID: "id",
    _ATOM + "title": "title",
    _ATOM + "summary": "summary",
    _ATOM + "published": "published",
    _UPDATED: "updated",
    _ARXIV + "comment": "comment",
    _ARXIV + "journal_ref": "journal_ref",
    _ARXIV + "doi": "doi",
    _ARXIV + "report_no": "report_no",
}

# Where _read_entry puts each entry child: the text fields by their index in _TEXT_FIELDS, then three more.
_TEXT_SLOTS = len(_TEXT_FIELDS)
_AUTHOR_SLOT, _CATEGORY_SLOT, _PRIMARY_SLOT = _TEXT_SLOTS, _TEXT_SLOTS + 1, _TEXT_SLOTS + 2
_ENTRY_CHILDREN: dict[str, int] = {tag: slot for slot, tag in enumerate(_TEXT_FIELDS)} | {
    _AUTHOR: _AUTHOR_SLOT,
    _CATEGORY: _CATEGORY_SLOT,
    _PRIMARY_CATEGORY: _PRIMARY_SLOT,
}

# An arXiv category (https://arxiv.org/category_taxonomy): an archive such as ``hep-th`` or ``cs``, optionally
# followed by a subject class such as ``.AI``, ``.CO`` or ``.str-el``. Legacy feeds also carried ACM
# (``I.2.6``) and MSC (``68T05``) terms as <category> (user manual §3.3.2.2); those never match.
_CATEGORY_TERM = re.compile(r"[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]+(?:-[a-z]+)*)?")

# An entry <id> as both services write it: ``split_id`` on such a text gives exactly these two groups.
_ABS_ID = re.compile(r"https?://arxiv\.org/abs/(\d{4}\.\d{4,5})v([1-9]\d*)")

# Untrusted bytes from the network: no entities, no DTD loading, no network access. huge_tree stays off, so
# libxml2's limits on depth and on a single text node (10 MB) hold; a 2,000-entry page (~6 MB) is far below
# them and turning them off measured no faster. Dropping whitespace-only text between elements makes the tree
# smaller and parsing plus reading ~10% faster; it never touches a text element's own text. Comments are
# dropped so that one inside a text element cannot cut its text in two.
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_blank_text=True,
    remove_comments=True,
    remove_pis=True,
)


@dataclass(frozen=True, slots=True)
class FeedPage:
    """One page of an export API answer.

    The three counts are OpenSearch 1.1 elements (user manual §3.3.1): ``total_results`` matches in all,
    ``start_index`` the 0-based offset of this page and ``items_per_page`` the ``max_results`` asked for, not
    the number of entries returned. Each is None when absent or not an integer. ``skipped`` counts entries
    dropped because a required field (id, title, a timestamp) was missing or unreadable. ``feed_id`` and
    ``feed_updated`` are the feed's own <id> and <updated> (RFC 4287 §4.2.6, §4.2.15).
    """

    papers: tuple[Paper, ...]
    total_results: int | None = None
    start_index: int | None = None
    items_per_page: int | None = None
    skipped: int = 0
    feed_id: str | None = None
    feed_updated: datetime | None = None


def parse_feed(data: bytes, url: str | None = None) -> FeedPage:
    """Parse one export API answer into a ``FeedPage``.

    Raises ``FeedError`` when the body is not a well-formed Atom feed (empty, truncated, an HTML page, a
    plain-text "Rate exceeded"), and ``ArxivApiError`` (a ``FeedError``) carrying arXiv's message verbatim
    when it is arXiv's error feed. ``url``, when given, is named in the error.
    """
    root = _parse_xml(data, url)
    if root.tag != _FEED:
        raise FeedError(f"not an Atom feed: the root element is {_describe_tag(root.tag)}", url)
    header: dict[str, etree._Element] = {}
    entries: list[etree._Element] = []
    for child in root:
        if child.tag == _ENTRY:
            entries.append(child)
        else:
            header.setdefault(child.tag, child)
    if len(entries) == 1:
        _raise_if_error(entries[0], url)
    papers = _read_entries(entries)
    return FeedPage(
        papers=tuple(papers),
        total_results=_integer(header.get(_TOTAL_RESULTS)),
        start_index=_integer(header.get(_START_INDEX)),
        items_per_page=_integer(header.get(_ITEMS_PER_PAGE)),
        skipped=len(entries) - len(papers),
        feed_id=_optional_text(header.get(_ID)),
        feed_updated=_timestamp(_optional_text(header.get(_UPDATED))),
    )


def _parse_xml(data: bytes, url: str | None) -> etree._Element:
    """Parse the body, turning every way it can fail to be XML into one ``FeedError`` line."""
    if not data or data.isspace():
        raise FeedError("empty response body, expected an Atom feed", url)
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise FeedError(_describe_bad_xml(data, exc), url) from exc


def _describe_bad_xml(data: bytes, exc: etree.XMLSyntaxError) -> str:
    """Say what the body is instead of a feed: plain text (a 429 "Rate exceeded"), HTML, or broken XML."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:200]
    first_line = head.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    if not head.startswith(b"<"):
        return f"not XML, expected an Atom feed; the body begins {first_line[:80]!r}"
    if re.match(rb"<(?:!doctype\s+html|html[\s>])", head, re.IGNORECASE):
        return f"an HTML page, not an Atom feed ({exc.msg})"
    return f"malformed or truncated Atom feed: {exc.msg}"


def _raise_if_error(entry: etree._Element, url: str | None) -> None:
    """Raise arXiv's own message if ``entry`` is the single entry of an error feed (user manual §3.4).

    An error entry has the title ``Error``, its message as summary and an id under ``/api/errors`` that is not
    a paper's id; checking the id too keeps a real paper titled "Error" from being read as a failure.
    """
    texts = _read_texts(entry)
    if texts.get("title") != "Error" or _paper_id(texts.get("id", "")) is not None:
        return
    raise ArxivApiError(f"arXiv API error: {texts.get('summary') or 'no message given'}", url)


def _read_texts(entry: etree._Element) -> dict[str, str]:
    texts: dict[str, str] = {}
    for child in entry:
        field = _TEXT_FIELDS.get(child.tag)
        if field is not None and field not in texts:
            texts[field] = _text(child)
    return texts


def _read_entries(entries: list[etree._Element]) -> list[Paper]:
    """Turn each <entry> (user manual §3.3.2) into a ``Paper``, leaving out those ``_build_paper`` rejects."""
    return [paper for entry in entries if (paper := _read_entry(entry)) is not None]


def _read_entry(entry: etree._Element) -> Paper | None:
    """Visit the entry's own children once, whatever their order (legacy and new services order them
    differently). A page holds up to 2,000 entries of some 30 elements each, and the Python work per element
    is what the time goes on (``benchmarks/bench_parse.py``), so one table lookup sends each child to its slot.
    """
    texts: list[str | None] = [None] * _TEXT_SLOTS
    authors: list[Author] = []
    terms: list[str] = []
    primary: str | None = None
    slot_of = _ENTRY_CHILDREN.get
    # entry[:] builds the list of children in one call, measurably cheaper than an lxml child iterator per
    # element; lxml-stubs type only integer indexing.
    for child in entry[:]:  # type: ignore[index]
        slot = slot_of(child.tag)
        if slot is None:
            continue
        if slot < _TEXT_SLOTS:
            if texts[slot] is None:  # only the first of a repeated element counts
                text = child.text  # ``_text`` written out for the usual element that holds only text
                if text:
                    text = text.strip(_XML_SPACE)
                    if "\n" in text or "  " in text or "\t" in text or "\r" in text:
                        text = _collapse(text)
                texts[slot] = text or _text(child)
        elif slot == _AUTHOR_SLOT:
            author = _read_author(child)
            if author is not None:
                authors.append(author)
        elif slot == _CATEGORY_SLOT:
            term = child.get("term")
            if term:
                terms.append(term)
        elif primary is None:  # _PRIMARY_SLOT; the first one with a term counts
            primary = child.get("term")
    return _build_paper(entry, texts, tuple(authors), _categories(primary, terms))


def _read_author(author: etree._Element) -> Author | None:
    """One <author>: the last <name> and every non-empty <arxiv:affiliation>, in order; None without a name."""
    name = ""
    affiliations: tuple[str, ...] = ()
    for part in author[:]:  # type: ignore[index]
        tag = part.tag
        if tag == _NAME:
            name = _text(part)
        elif tag == _AFFILIATION:
            text = _text(part)
            if text:
                affiliations += (text,)
    return Author(name, affiliations) if name else None


def _build_paper(
    entry: etree._Element,
    texts: list[str | None],
    authors: tuple[Author, ...],
    categories: tuple[str, ...],
) -> Paper | None:
    """Check the required fields and assemble the record; log and return None when one is missing."""
    id_text, title, summary, published_text, updated_text, comment, journal_ref, doi, report_no = texts
    parsed = _entry_id(id_text)
    if parsed is None:
        _skip(entry, f"no arXiv id in <id>{id_text or ''}</id>")
        return None
    paper_id, version = parsed
    if not title:
        _skip(entry, f"{paper_id}: no <title>")
        return None
    published, updated = _dates(published_text, updated_text)
    if published is None or updated is None:
        _skip(entry, f"{paper_id}: neither <published> nor <updated> is a timestamp")
        return None
    # Positional, in field order: measurably faster than keywords for a frozen dataclass built 2,000 times a page.
    return Paper(
        paper_id,
        version if version is not None else _version_from_links(entry),
        title,
        summary or "",
        authors,
        categories,
        categories[0] if categories else "",
        published,
        updated,
        comment or None,
        journal_ref or None,
        doi or None,
        report_no or None,
    )


def _entry_id(id_text: str | None) -> tuple[str, int | None] | None:
    """The id as every capture since 2021 writes it, read without split_id's general search; same result."""
    match = _ABS_ID.fullmatch(id_text) if id_text else None
    return (match[1], int(match[2])) if match else _paper_id(id_text or "")


def _dates(published_text: str | None, updated_text: str | None) -> tuple[datetime | None, datetime | None]:
    """(published, updated): v1's submission time is both; for a later version, one of them alone is the best
    estimate there is."""
    published = _timestamp(published_text)
    updated = published if updated_text == published_text else _timestamp(updated_text)
    return published or updated, updated or published


def _skip(entry: etree._Element, reason: str) -> None:
    log.warning("skipped a feed entry (line %s): %s", entry.sourceline, reason)


def _categories(primary: str | None, terms: list[str]) -> tuple[str, ...]:
    """The arXiv categories, primary first, then the others in feed order, each once.

    The primary is ``arxiv:primary_category/@term``, or else the first <category>. Terms that are not arXiv
    categories (the ACM and MSC classes of legacy feeds) are dropped.
    """
    kept: list[str] = [primary] if primary and _is_category(primary) else []
    for term in terms:
        if term not in kept and _is_category(term):
            kept.append(term)
    return tuple(kept)


@lru_cache(maxsize=1024)
def _is_category(term: str) -> bool:
    return _CATEGORY_TERM.fullmatch(term) is not None


def _paper_id(text: str) -> tuple[str, int | None] | None:
    try:
        return split_id(text)
    except ValueError:
        return None


def _version_from_links(entry: etree._Element) -> int:
    """The version when the entry <id> has none, as in the user manual's 2007 example (hep-ex/0307015).

    Every entry id in the captures since 2021, of both services, carries a version. The old example's own
    ``rel="alternate"`` link does name it (``…/abs/hep-ex/0307015v1``), so it is read from there. Without such
    a link the version is 1: the one unversioned id on record belongs to a paper whose ``published`` equals its
    ``updated``, that is a paper with one version.
    """
    for link in entry.iterchildren(_LINK):
        if link.get("rel") == "alternate":
            parsed = _paper_id(link.get("href", ""))
            if parsed is not None and parsed[1] is not None:
                return parsed[1]
    return 1


def _text(element: etree._Element) -> str:
    """The element's text as a reader sees it: each run of XML whitespace one space, the ends stripped.

    XML whitespace is space, tab, CR and LF (XML 1.0 §2.3). Collapsing it undoes the legacy service's line
    wrapping (a newline and a two-space indent) and the new service's leading spaces in <summary>; every other
    character, TeX and no-break spaces included, is kept as written. Most texts from the new service need
    only the strip, so that is tried first. arXiv's text constructs are plain text (RFC 4287 §3.1.1.1), so
    ``.text`` is all of it; only an element without direct text is searched for child markup.
    """
    text = element.text
    if not text:
        if len(element) == 0:
            return ""
        text = "".join(str(part) for part in element.itertext())
    text = text.strip(_XML_SPACE)
    if "\n" in text or "  " in text or "\t" in text or "\r" in text:
        return _collapse(text)
    return text


def _collapse(text: str) -> str:
    """``text``, already stripped, with each run of XML whitespace made one space."""
    spaced = text.replace("\n", " ").replace("\t", " ").replace("\r", " ")
    return " ".join(part for part in spaced.split(" ") if part)


def _optional_text(element: etree._Element | None) -> str | None:
    return (_text(element) or None) if element is not None else None


def _integer(element: etree._Element | None) -> int | None:
    if element is None or element.text is None:
        return None
    try:
        return int(element.text)
    except ValueError:
        return None


def _timestamp(text: str | None) -> datetime | None:
    """An RFC 3339 date-time (RFC 4287 §3.3) as an aware UTC datetime, or None if it is not one.

    arXiv writes ``Z`` today; the legacy service once wrote US Eastern offsets such as ``-04:00``. A time
    without an offset is read as UTC.
    """
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    except (ValueError, OverflowError):  # not a date-time, or one that leaves datetime's range in UTC
        return None


def _describe_tag(tag: str) -> str:
    """``<feed>`` in the wrong namespace reads as such, so the message never says "<feed>, not <feed>"."""
    namespace, _, local = tag[1:].rpartition("}") if tag.startswith("{") else ("", "", tag)
    return f"<{local}> in namespace {namespace!r}" if namespace else f"<{local}> in no namespace"
