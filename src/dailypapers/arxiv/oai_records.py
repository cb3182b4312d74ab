"""OAI-PMH metadata records (``arXivRaw`` and ``arXiv``) read into ``Paper``.

``arXivRaw`` gives the version history with each version's date and the authors as one string, which
``split_authors`` splits as arXiv writes it; ``arXiv`` gives parsed authors with affiliations and dates only
to the day. ``oai_dc`` and ``arXivOld`` are refused: they do not name the categories.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from lxml import etree

from dailypapers.arxiv.dates import rfc822_utc
from dailypapers.errors import FeedError
from dailypapers.model import Author, Paper, split_id

_RAW_NS = "http://arxiv.org/OAI/arXivRaw/"
_ARXIV_NS = "http://arxiv.org/OAI/arXiv/"
# Formats arXiv offers that this module does not read, by namespace: the message names the prefix to avoid.
_REFUSED_NS = {"http://www.openarchives.org/OAI/2.0/oai_dc/": "oai_dc", "http://arxiv.org/OAI/arXivOld/": "arXivOld"}

_XML_SPACE = re.compile(r"[ \t\r\n]+")
_VERSION = re.compile(r"v(\d+)")
# A name part that belongs to the name before it: "John Smith, Jr." is one author.
_SUFFIXES = frozenset({"Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV"})
# A parenthesised affiliation or footnote mark after a name, one level of nesting deep: "A. Smith (MIT)",
# "B. Jones ((1) CERN, (2) DESY)".
_PARENTHESISED = re.compile(r"\s*\((?:[^()]|\([^()]*\))*\)")


def read_metadata(metadata: etree._Element | None, paper_id: str, url: str | None) -> Paper | str:
    """The record's ``Paper``, or why it cannot be read. A format this module does not read is an error."""
    content = next(iter(metadata), None) if metadata is not None else None
    if content is None:
        return "no <metadata>"
    tag = content.tag
    namespace = tag[1:].partition("}")[0] if isinstance(tag, str) and tag.startswith("{") else ""
    if namespace == _RAW_NS:
        return _raw_paper(_fields(content, namespace), paper_id)
    if namespace == _ARXIV_NS:
        return _arxiv_paper(_fields(content, namespace), paper_id)
    prefix = _REFUSED_NS.get(namespace)
    what = f"metadataPrefix {prefix}" if prefix else f"metadata in namespace {namespace!r}"
    raise FeedError(f"{what} is not supported; use arXivRaw or arXiv", url)


@dataclass
class _Fields:
    """One metadata element's children by local name: the first text of each, and the repeated elements."""

    texts: dict[str, str]
    versions: list[etree._Element]
    authors: list[etree._Element]


def _fields(content: etree._Element, namespace: str) -> _Fields:
    prefix = "{" + namespace + "}"
    fields = _Fields({}, [], [])
    for child in content:
        name = child.tag[len(prefix) :] if child.tag.startswith(prefix) else ""
        if name == "version":
            fields.versions.append(child)
        elif name == "authors" and len(child):
            fields.authors.extend(child.iterchildren(prefix + "author"))
        elif name and name not in fields.texts:
            fields.texts[name] = element_text(child)
    return fields


# -- arXivRaw --------------------------------------------------------------------------------------------


def _raw_paper(fields: _Fields, paper_id: str) -> Paper | str:
    """An ``arXivRaw`` record: one ``<version>`` per version with its submission date (RFC 1123, GMT).

    ``published`` is v1's date, ``updated`` and ``version`` the latest version's. A version attribute that
    is not ``vN`` is read by position, since arXiv lists versions in order.
    """
    texts = fields.texts
    if not texts.get("title"):
        return "no <title>"
    versions = _versions(fields.versions)
    if not versions:
        return "no <version> with a readable <date>"
    first, latest = min(versions), max(versions)
    return _paper(texts, paper_id, latest[0], first[1], latest[1], split_authors(texts.get("authors", "")))


def _versions(elements: list[etree._Element]) -> list[tuple[int, datetime]]:
    found: list[tuple[int, datetime]] = []
    for position, element in enumerate(elements, start=1):
        moment = rfc822_utc(child_text(element, "{" + _RAW_NS + "}date"))
        if moment is None:
            continue
        match = _VERSION.fullmatch(element.get("version", "").strip())
        found.append((int(match.group(1)) if match else position, moment))
    return found


def split_authors(raw: str) -> tuple[Author, ...]:
    """arXiv's raw author string as authors: ``I. Csiszar, F. Hiai and D. Petz`` is three.

    Splits on commas and on `` and `` outside parentheses (``A, B, and C`` too), drops parenthesised
    affiliations and footnote marks, and joins a suffix such as ``Jr.`` to the name before it. The raw
    string does not say which affiliation is whose, so none are kept.
    """
    names: list[str] = []
    for part in _top_level_parts(_collapse(raw)):
        name = _PARENTHESISED.sub("", part).strip()
        if name in _SUFFIXES and names:
            names[-1] = f"{names[-1]} {name}"
        elif name:
            names.append(name)
    return tuple(Author(name) for name in names)


def _top_level_parts(text: str) -> list[str]:
    parts: list[str] = []
    depth, start, index = 0, 0, 0
    while index < len(text):
        char = text[index]
        depth = depth + 1 if char == "(" else max(0, depth - 1) if char == ")" else depth
        if depth == 0 and char == ",":
            parts.append(text[start:index])
            start = index + 1
        elif depth == 0 and text.startswith(" and ", index):
            parts.append(text[start:index])
            start = index + len(" and ")
            index = start - 1
        index += 1
    parts.append(text[start:])
    return [part.removeprefix("and ").strip() for part in parts]


# -- arXiv -----------------------------------------------------------------------------------------------


def _arxiv_paper(fields: _Fields, paper_id: str) -> Paper | str:
    """An ``arXiv`` record: ``created`` and ``updated`` are days only, read as 00:00 UTC.

    The format carries no version number, and ``<updated>`` does not imply a second version: arXiv's own
    example, 0704.0046, has one version and an ``<updated>`` date (a metadata change). The version is
    therefore 1, the only number the record guarantees; harvest ``arXivRaw`` to know it.
    """
    texts = fields.texts
    if not texts.get("title"):
        return "no <title>"
    created = _midnight(texts.get("created"))
    if created is None:
        return "no readable <created> date"
    updated = _midnight(texts.get("updated")) or created
    return _paper(texts, paper_id, 1, created, updated, tuple(_author(element) for element in fields.authors))


def _author(element: etree._Element) -> Author:
    """``forenames keyname suffix``, as the name is written, with each ``<affiliation>``."""
    parts: dict[str, str] = {}
    affiliations: list[str] = []
    for child in element:
        local = child.tag.rpartition("}")[2]
        if local == "affiliation":
            affiliations.append(element_text(child))
        else:
            parts.setdefault(local, element_text(child))
    name = " ".join(parts[key] for key in ("forenames", "keyname", "suffix") if parts.get(key))
    return Author(name, tuple(a for a in affiliations if a))


# -- shared ----------------------------------------------------------------------------------------------


def _paper(
    texts: dict[str, str],
    paper_id: str,
    version: int,
    published: datetime,
    updated: datetime,
    authors: tuple[Author, ...],
) -> Paper:
    categories = tuple(c for c in dict.fromkeys(texts.get("categories", "").split(" ")) if c)
    return Paper(
        id=paper_id,
        version=version,
        title=texts["title"],
        abstract=texts.get("abstract", ""),
        authors=authors,
        categories=categories,
        primary_category=categories[0] if categories else "",
        published=published,
        updated=updated,
        comment=texts.get("comments") or None,
        journal_ref=texts.get("journal-ref") or None,
        doi=texts.get("doi") or None,
        report_no=texts.get("report-no") or None,
    )


def element_text(element: etree._Element) -> str:
    """The element's text with each run of XML whitespace one space, the ends stripped (XML 1.0 §2.3)."""
    text = element.text if len(element) == 0 else "".join(str(part) for part in element.itertext())
    return _collapse(text or "")


def _collapse(text: str) -> str:
    return _XML_SPACE.sub(" ", text).strip(" ")


def child_text(parent: etree._Element, tag: str) -> str:
    child = parent.find(tag)
    return element_text(child) if child is not None else ""


def record_id(text: str) -> str | None:
    try:
        return split_id(text)[0]
    except ValueError:
        return None


def datestamp_day(text: str) -> date | None:
    """A datestamp: ``YYYY-MM-DD`` at arXiv's granularity, or the first ten characters of a finer one."""
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _midnight(text: str | None) -> datetime | None:
    day = datestamp_day(text or "")
    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None
