"""Back-fill from arXiv's OAI-PMH service: every record changed since a date, page by page, in constant memory.

The protocol is OAI-PMH 2.0 (http://www.openarchives.org/OAI/openarchivesprotocol.html); arXiv's use of it is
described at https://info.arxiv.org/help/oa/index.html. What this module relies on:

- ``ListRecords`` with ``metadataPrefix``, ``from``, ``until`` and ``set`` asks for a list (spec §4.5); the
  rest of a long list is asked for with ``resumptionToken`` alone, an exclusive argument (spec §3.5, "Flow
  Control"). An empty ``<resumptionToken/>``, or none at all, ends the list. arXiv's current service writes
  tokens that expire at the next UTC midnight and carry no ``cursor``/``completeListSize``; the legacy one
  (export.arxiv.org/oai2) wrote ``<id>|<offset>`` tokens that did.
- Errors come with HTTP 200 as ``<error code="…">`` (spec §3.6). ``noRecordsMatch`` is an empty list, not a
  failure; ``badResumptionToken`` means the harvest must start again from its last checkpoint.
- HTTP 503 with ``Retry-After`` asks a harvester to wait (spec §3.1.2.2; arXiv's former help page called this
  its flow control). ``dailypapers.http.Http`` honours it, as it does for every request.
- arXiv offers its records as ``arXivRaw`` (the version history with each version's date, a raw author
  string) and ``arXiv`` (parsed authors, dates only to the day). Both are read into ``Paper``; ``oai_dc``
  and ``arXivOld`` are refused because they do not name the categories.

Each answer is read with ``lxml.etree.iterparse``: a record is turned into a ``Paper`` as soon as its end tag
is read and its elements are freed at once, so a 2,500-record page never stands as a whole tree, and
``harvest`` is a generator, so nothing accumulates across pages.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from lxml import etree

from dailypapers.arxiv.dates import iso_utc
from dailypapers.arxiv.oai_records import (
    child_text,
    datestamp_day,
    element_text,
    read_metadata,
    record_id,
    split_authors,
)
from dailypapers.errors import FeedError
from dailypapers.http import Answer, Http, read_answer
from dailypapers.model import Paper

__all__ = [
    "SUPPORTED_PREFIXES",
    "OaiError",
    "OaiPage",
    "ResumptionTokenExpired",
    "harvest",
    "parse_page",
    "split_authors",
]

log = logging.getLogger(__name__)

SUPPORTED_PREFIXES = ("arXivRaw", "arXiv")

_OAI = "{http://www.openarchives.org/OAI/2.0/}"
_ROOT = _OAI + "OAI-PMH"
_RECORD = _OAI + "record"
_HEADER = _OAI + "header"
_METADATA = _OAI + "metadata"
_TOKEN = _OAI + "resumptionToken"
_ERROR = _OAI + "error"
_RESPONSE_DATE = _OAI + "responseDate"
_EVENT_TAGS = (_RECORD, _TOKEN, _ERROR, _RESPONSE_DATE)
MAX_EMPTY_PAGES = 5
_STUCK = "the list does not move on; the back-fill keeps what it stored, run the same command again later"

# Untrusted bytes from the network: no entities, no DTD, no network access, libxml2's size limits kept.
_PARSER_OPTIONS: dict[str, bool] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_blank_text": True,
    "remove_comments": True,
    "remove_pis": True,
}


class OaiError(FeedError):
    """An OAI-PMH error answer (spec §3.6) other than ``noRecordsMatch``: arXiv's code and message."""

    def __init__(self, code: str, text: str, url: str | None = None) -> None:
        self.code = code
        self.text = text
        super().__init__(f"OAI-PMH error {code}: {text}", url)


class ResumptionTokenExpired(OaiError):
    """``badResumptionToken``: the token expired (arXiv's expire at UTC midnight) or is unknown.

    Nothing is wrong with the records already harvested; the caller starts a new list from its checkpoint
    date (the ``last_datestamp`` of the last page it stored), which repeats at most one day's records.
    """


class _Unreadable(FeedError):
    """The body is not an OAI-PMH answer at all (truncated, an HTML page, empty): worth asking again."""


@dataclass(frozen=True, slots=True)
class OaiPage:
    """What one ``ListRecords`` answer held (OAI-PMH spec §4.5).

    ``papers`` are the readable records as their latest version; ``deleted`` the ids of records whose header
    says ``status="deleted"`` (spec §2.5.1); ``skipped`` counts damaged records, each logged. ``token`` is the
    resumption token to ask with next, None at the end of the list. ``last_datestamp`` is the latest header
    datestamp of the page, a checkpoint and a progress estimate. ``complete_list_size`` and ``cursor`` come
    only from the legacy service's tokens; ``token_expires`` only from the current service's.
    """

    papers: list[Paper] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    skipped: int = 0
    token: str | None = None
    last_datestamp: date | None = None
    complete_list_size: int | None = None
    cursor: int | None = None
    response_date: datetime | None = None
    token_expires: datetime | None = None
    # Each record's datestamp by arXiv id: a caller that keeps a checkpoint can leave out the implausible ones.
    datestamps: dict[str, date] = field(default_factory=dict, compare=False)


# -- harvesting ------------------------------------------------------------------------------------------


def harvest(
    http: Http,
    base_url: str,
    *,
    metadata_prefix: str = "arXivRaw",
    from_: date,
    until: date | None = None,
    set_spec: str | None = None,
    resume_token: str | None = None,
) -> Iterator[OaiPage]:
    """Yield one ``OaiPage`` per answer of a ``ListRecords`` harvest, asking for the next page only when the
    previous one has been consumed.

    ``from_`` and ``until`` are inclusive days (arXiv's granularity is ``YYYY-MM-DD``); ``set_spec`` is an
    arXiv set such as ``cs``, ``cs:cs:DC`` or ``physics:hep-th``. With ``resume_token`` the harvest goes on
    from a page an earlier harvest stopped after, and the other arguments are not sent (spec §3.5).

    An empty result (``noRecordsMatch``) yields one empty final page, whose ``response_date`` is the next
    ``from`` of an incremental harvest, as arXiv's help page advises. Raises ``ResumptionTokenExpired`` for a
    token arXiv no longer accepts, ``OaiError`` for every other OAI-PMH error, ``FeedError`` for a format
    this module cannot read or a list that does not move on (a token that comes back, pages of nothing),
    and ``FetchError`` when arXiv stays unreachable or its answers stay unreadable.
    """
    if metadata_prefix not in SUPPORTED_PREFIXES:
        raise FeedError(f"metadataPrefix {metadata_prefix} is not supported; use arXivRaw or arXiv", base_url)
    if resume_token is not None:
        first = _resume_params(resume_token)
    else:
        first = _list_params(metadata_prefix, from_, until, set_spec)
    return _pages(http, base_url, first)


def _list_params(prefix: str, from_: date, until: date | None, set_spec: str | None) -> dict[str, str]:
    params = {"verb": "ListRecords", "metadataPrefix": prefix, "from": f"{from_:%Y-%m-%d}"}
    if until is not None:
        params["until"] = f"{until:%Y-%m-%d}"
    if set_spec:
        params["set"] = set_spec
    return params


def _resume_params(token: str) -> dict[str, str]:
    return {"verb": "ListRecords", "resumptionToken": token}


def _pages(http: Http, base_url: str, first: dict[str, str]) -> Iterator[OaiPage]:
    """The pages of one list, in order. A list must move on: a token that comes back, or page after page
    with a token and nothing in it, ends the harvest with an error instead of asking for ever. Such an empty
    page is not yielded, so the caller's checkpoint stays at the last page that brought something."""
    params, empty = first, 0
    seen: set[str] = set()
    while True:
        page = _fetch(http, base_url, params)
        if page.token is not None and page.token in seen:
            raise FeedError(f"the resumption token {_shown(page.token)} came back: {_STUCK}", base_url)
        empty = empty + 1 if page.token is not None and _is_empty(page) else 0
        if empty > MAX_EMPTY_PAGES:
            raise FeedError(f"{empty} pages in a row with a resumption token and no record: {_STUCK}", base_url)
        if not empty:
            yield page
        if page.token is None:
            return
        seen.add(page.token)
        params = _resume_params(page.token)


def _is_empty(page: OaiPage) -> bool:
    return not page.papers and not page.deleted and not page.skipped


def _shown(token: str) -> str:
    return repr(token if len(token) <= 40 else token[:37] + "...")


def _fetch(http: Http, base_url: str, params: Mapping[str, str]) -> OaiPage:
    """One request; the page is parsed inside Http's check so that an unreadable body is asked for again."""
    pages: list[OaiPage] = []

    def check(answer: Answer) -> None:
        pages.append(_read_answer(answer))

    http.get(base_url, params, check=check)
    return pages[-1]


def _read_answer(answer: Answer) -> OaiPage:
    """A damaged body with HTTP 200 is arXiv having a bad moment (ask again); OAI errors are definite."""
    return read_answer(answer, parse_page, what="answer", transient=_Unreadable)


# -- reading one answer ----------------------------------------------------------------------------------


def parse_page(data: bytes, url: str | None = None) -> OaiPage:
    """Read one OAI-PMH answer (``ListRecords`` or ``GetRecord``) into an ``OaiPage``, streaming.

    Raises ``OaiError`` (or ``ResumptionTokenExpired``) for an OAI-PMH error answer, except
    ``noRecordsMatch``, which is an empty page; ``FeedError`` when the body is not an OAI-PMH answer or
    holds records in a format other than ``arXivRaw`` and ``arXiv``.
    """
    page = _PageBuilder(url)
    for element in _elements(data, url):
        page.take(element)
    return page.build()


def _elements(data: bytes, url: str | None) -> Iterator[etree._Element]:
    """The answer's records, token, errors and response date, each freed once the caller has read it.

    Clearing each element and deleting the siblings before it (lxml's iterparse FAQ) keeps the tree to the
    envelope and the records of the input buffer libxml2 is reading ahead in: bounded, whatever the page size.
    """
    if not data or data.isspace():
        raise _Unreadable("empty response body, expected an OAI-PMH answer", url)
    events = etree.iterparse(io.BytesIO(data), events=("end",), tag=_EVENT_TAGS, **_PARSER_OPTIONS)
    try:
        for _, element in events:
            yield element
            element.clear(keep_tail=True)
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
        root = events.root
    except etree.XMLSyntaxError as exc:
        raise _Unreadable(_describe_bad_xml(data, exc), url) from None
    if root is None or root.tag != _ROOT:
        raise _Unreadable(f"not an OAI-PMH answer: the root element is {_root_name(root)}", url)


def _describe_bad_xml(data: bytes, exc: etree.XMLSyntaxError) -> str:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:200]
    if not head.startswith(b"<"):
        first_line = head.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
        return f"not XML, expected an OAI-PMH answer; the body begins {first_line[:80]!r}"
    if re.match(rb"<(?:!doctype\s+html|html[\s>])", head, re.IGNORECASE):
        return f"an HTML page, not an OAI-PMH answer ({exc.msg})"
    return f"malformed or truncated OAI-PMH answer: {exc.msg}"


def _root_name(root: etree._Element | None) -> str:
    if root is None:
        return "missing"
    namespace, _, local = root.tag[1:].rpartition("}") if root.tag.startswith("{") else ("", "", root.tag)
    return f"<{local}> in namespace {namespace!r}" if namespace else f"<{local}> in no namespace"


class _PageBuilder:
    """Collects what the streamed elements of one answer say; only the finished page is kept."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self.papers: list[Paper] = []
        self.deleted: list[str] = []
        self.skipped = 0
        self.last: date | None = None
        self.datestamps: dict[str, date] = {}
        self.token: tuple[str, dict[str, str]] | None = None  # text and attributes; the element is freed
        self.response_date: datetime | None = None

    def take(self, element: etree._Element) -> None:
        tag = element.tag
        if tag == _RECORD:
            self._record(element)
        elif tag == _TOKEN:
            self.token = element_text(element), {str(k): str(v) for k, v in element.attrib.items()}
        elif tag == _ERROR:
            _raise_unless_empty(element, self.url)
        elif tag == _RESPONSE_DATE:
            self.response_date = iso_utc(element_text(element))

    def _record(self, record: etree._Element) -> None:
        header = record.find(_HEADER)
        paper_id, stamp, deleted = _read_header(header)
        if stamp is not None and (self.last is None or stamp > self.last):
            self.last = stamp
        if stamp is not None and paper_id is not None:
            self.datestamps[paper_id] = stamp
        if paper_id is None:
            self._skip(record, "no arXiv id in the header's <identifier>")
        elif deleted:
            self.deleted.append(paper_id)
        else:
            paper = read_metadata(record.find(_METADATA), paper_id, self.url)
            if isinstance(paper, Paper):
                self.papers.append(paper)
            else:
                self._skip(record, f"{paper_id}: {paper}")

    def _skip(self, record: etree._Element, reason: str) -> None:
        self.skipped += 1
        log.warning("skipped an OAI-PMH record (line %s): %s", record.sourceline, reason)

    def build(self) -> OaiPage:
        """The page; the resumption token and its attributes are read as spec §3.5 defines them."""
        token, attributes = self.token or ("", {})
        return OaiPage(
            papers=self.papers,
            deleted=self.deleted,
            skipped=self.skipped,
            token=token or None,
            last_datestamp=self.last,
            complete_list_size=_integer(attributes.get("completeListSize")),
            cursor=_integer(attributes.get("cursor")),
            response_date=self.response_date,
            # ``expirationDate`` is the spec's attribute; one version of arXiv's template wrote ``expires``.
            token_expires=iso_utc(attributes.get("expirationDate") or attributes.get("expires")),
            datestamps=self.datestamps,
        )


def _raise_unless_empty(error: etree._Element, url: str | None) -> None:
    """``noRecordsMatch`` is an empty list; every other error code ends the harvest (spec §3.6)."""
    code = error.get("code") or "unknown"
    if code == "noRecordsMatch":
        return
    kind = ResumptionTokenExpired if code == "badResumptionToken" else OaiError
    raise kind(code, element_text(error) or "no message given", url)


def _read_header(header: etree._Element | None) -> tuple[str | None, date | None, bool]:
    """The record's arXiv id (``oai:arXiv.org:<id>``, no version), its datestamp and whether it is deleted."""
    if header is None:
        return None, None, False
    paper_id = record_id(child_text(header, _OAI + "identifier"))
    stamp = datestamp_day(child_text(header, _OAI + "datestamp"))
    return paper_id, stamp, header.get("status") == "deleted"


def _integer(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None
