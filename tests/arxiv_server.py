"""A local stand-in for arXiv's export API (``/api/query``), with switches for the ways the real one fails.

It speaks the new service's protocol (since 2025-11-11) as ``../shared/arxiv-protocol.md`` §1 records it:
parameters and their validation (§1.2, §1.7), the Atom answer with its element order, feed id and titles
(§1.6), and the quirks clients must survive (§1.8): 429 and 503 with ``Retry-After``, a plain-text
"Rate exceeded", empty pages while ``totalResults`` claims more, a ``totalResults`` that changes between pages,
entries repeated on two pages, entries with missing fields (§1.2), truncated bodies, error feeds with HTTP 200,
HTML pages, dropped connections and slow answers. A fault can be limited to some requests (``only``), so a
test can aim it at one stage of a client: the second page of a search, an ``id_list`` request, a feed.

Queries are evaluated with the project's own query package, so the server answers exactly the papers the
client's local matching would keep. Where arXiv is unspecified the server is simply deterministic: relevance
order is the order of ``id_list``, else the order papers were added, and the feed's title and id show the
query as sent (arXiv shows its rewriting of it, §1.4). ``ignore_query`` reproduces the failure of the bot this
project replaces: ``search_query`` is ignored and every search answers all papers.

    with ArxivServer(load_seed_papers()) as server:
        server.unavailable(times=2, retry_after=1)
        server.empty_page(only=lambda path, params: params.get("start", "0") != "0")
        httpx.get(server.url, params={"search_query": "cat:cs.DC"})
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from dailypapers.errors import QuerySyntaxError
from dailypapers.model import Author, Paper, split_id
from dailypapers.query import Matcher, parse

__all__ = ["ArxivServer", "RecordedRequest", "atom_feed", "error_feed", "feed_id", "load_seed_papers"]

SEED_PAPERS = Path(__file__).resolve().parent / "data" / "seed_papers.json"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
SORT_BY = ("relevance", "lastUpdatedDate", "submittedDate")
SORT_ORDER = ("ascending", "descending")
ERRORS_LINK = "https://arxiv.org/api/errors"
SORT_LINK = "https://arxiv.org/help/api/user-manual#sort"
ES_MAX_RESULTS = 10_000  # the new service's Elasticsearch paging guard (§1.2)
# werkzeug's InternalServerError description: the body of the new service's unhandled errors (§1.7)
INTERNAL_ERROR = (
    "The server encountered an internal error and was unable to complete your request. Either the server is "
    "overloaded or there is an error in the application."
)
# arxiv-base's identifier patterns. The new service checks only the form: it answers 0000.0000 and 0808.05394
# (a 5-digit number before 2015) with HTTP 200 and no entry (§1.2), so neither month nor number is checked.
_NEW_ID = re.compile(r"\d{4}\.\d{4,5}(?:v[1-9]\d*)?")
_OLD_ID = re.compile(r"[a-z]+(?:-[a-z]{2,})?(?:\.[a-zA-Z-]{2,})?/\d{7}(?:v[1-9]\d*)?")
_NAMESPACES = (
    'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom"'
)


# -- seed data -------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _seed_records(path: Path) -> tuple[Paper, ...]:
    return tuple(_paper_from_json(item) for item in json.loads(path.read_text(encoding="utf-8")))


def load_seed_papers(path: Path = SEED_PAPERS) -> list[Paper]:
    """The real papers reconstructed from the project's seeds by ``make_seed_data.py``, every version."""
    return list(_seed_records(path))


def _paper_from_json(item: dict[str, Any]) -> Paper:
    return Paper(
        id=item["id"],
        version=item["version"],
        title=item["title"],
        abstract=item["abstract"],
        authors=tuple(Author(a["name"], tuple(a["affiliations"])) for a in item["authors"]),
        categories=tuple(item["categories"]),
        primary_category=item["primary_category"],
        published=datetime.fromisoformat(item["published"]),
        updated=datetime.fromisoformat(item["updated"]),
        comment=item.get("comment"),
        journal_ref=item.get("journal_ref"),
        doi=item.get("doi"),
    )


# -- Atom serialisation (§1.6) ---------------------------------------------------------------------------


def feed_id(canonical: str) -> str:
    """base64(SHA-1(canonical query string)) without the trailing ``=``: the 27 characters of a feed id."""
    return base64.b64encode(hashlib.sha1(canonical.encode("utf-8")).digest()).decode("ascii")[:-1]


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _attr(value: str) -> str:
    return _text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _damaged_entry() -> list[str]:
    """An entry with missing fields (no id, title or dates), as the legacy API answered an unknown id (§1.2)."""
    return [
        "  <entry>",
        '    <link href="https://arxiv.org/abs/" rel="alternate" type="text/html"/>',
        "    <summary>  </summary>",
        "  </entry>",
    ]


def _entry(paper: Paper | None) -> list[str]:
    if paper is None:
        return _damaged_entry()
    vid = paper.versioned_id
    lines = [
        "  <entry>",
        f"    <id>http://arxiv.org/abs/{_text(vid)}</id>",
        f"    <title>{_text(paper.title)}</title>",
        f"    <updated>{_stamp(paper.updated)}</updated>",
        f'    <link href="{_attr(paper.abs_url)}" rel="alternate" type="text/html"/>',
        f'    <link href="{_attr(paper.pdf_url)}" rel="related" type="application/pdf" title="pdf"/>',
        f"    <summary>  {_text(paper.abstract)}</summary>",
    ]
    lines += [f'    <category term="{_attr(c)}" scheme="http://arxiv.org/schemas/atom"/>' for c in paper.categories]
    lines.append(f"    <published>{_stamp(paper.published)}</published>")
    if paper.comment:
        lines.append(f"    <arxiv:comment>{_text(paper.comment)}</arxiv:comment>")
    lines.append(f'    <arxiv:primary_category term="{_attr(paper.primary_category)}"/>')
    if paper.journal_ref:
        lines.append(f"    <arxiv:journal_ref>{_text(paper.journal_ref)}</arxiv:journal_ref>")
    for author in paper.authors:
        lines += ["    <author>", f"      <name>{_text(author.name)}</name>"]
        lines += [f"      <arxiv:affiliation>{_text(a)}</arxiv:affiliation>" for a in author.affiliations]
        lines.append("    </author>")
    if paper.doi:
        lines.append(f"    <arxiv:doi>{_text(paper.doi)}</arxiv:doi>")
        lines.append(f'    <link rel="related" href="https://doi.org/{_attr(paper.doi)}" title="doi"/>')
    lines.append("  </entry>")
    return lines


def atom_feed(
    papers: Iterable[Paper | None],
    *,
    search_query: str = "",
    id_list: str = "",
    start: int = 0,
    max_results: int = 10,
    total: int | None = None,
    updated: datetime | None = None,
) -> bytes:
    """One page of an answer in the new service's format; ``total`` defaults to the number of papers given.
    A None in ``papers`` is written as an entry with missing fields."""
    entries = list(papers)
    canonical = f"search_query={search_query}&id_list={id_list}&start={start}&max_results={max_results}"
    link = f"https://arxiv.org/api/query?search_query={search_query}&start={start}&max_results={max_results}"
    lines = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        f"<feed {_NAMESPACES}>",
        f"  <id>https://arxiv.org/api/{feed_id(canonical)}</id>",
        f"  <title>arXiv Query: {_text(canonical)}</title>",
        f"  <updated>{_stamp(updated or datetime.now(UTC))}</updated>",
        f'  <link href="{_attr(link + "&id_list=" + id_list)}" type="application/atom+xml"/>',
        f"  <opensearch:itemsPerPage>{max_results}</opensearch:itemsPerPage>",
        f"  <opensearch:totalResults>{len(entries) if total is None else total}</opensearch:totalResults>",
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>",
    ]
    for paper in entries:
        lines += _entry(paper)
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def error_feed(message: str, *, updated: datetime | None = None, link: str | None = None) -> bytes:
    """arXiv's error answer (§1.7, §1.10 d): one entry titled ``Error`` whose summary is the message."""
    stamp = _stamp(updated or datetime.now(UTC))
    target = link or f"{ERRORS_LINK}#{message.replace(' ', '_')}"
    lines = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        f"<feed {_NAMESPACES}>",
        "  <id>https://arxiv.org/</id>",
        "  <title>arXiv Search Results</title>",
        f"  <updated>{stamp}</updated>",
        "  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>",
        "  <opensearch:totalResults>1</opensearch:totalResults>",
        "  <opensearch:startIndex>0</opensearch:startIndex>",
        "  <entry>",
        f"    <id>{_text(target)}</id>",
        "    <title>Error</title>",
        f"    <updated>{stamp}</updated>",
        f'    <link href="{_attr(target)}" rel="alternate" type="text/html"/>',
        f"    <summary>{_text(message)}</summary>",
        "    <author>",
        "      <name>arXiv api core</name>",
        "    </author>",
        "  </entry>",
        "</feed>",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


# -- the query (§1.2) ------------------------------------------------------------------------------------


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400, link: str | None = None) -> None:
        super().__init__(message)
        self.message, self.status, self.link = message, status, link


@dataclass(frozen=True)
class Query:
    search_query: str
    id_list: tuple[str, ...]
    start: int
    max_results: int
    sort_by: str
    sort_order: str


def _integer(params: dict[str, str], name: str, default: int) -> int:
    raw = params.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be an integer") from None
    if value < 0:
        raise BadRequest(f"{name} must be non-negative")
    return value


def parse_params(params: dict[str, str]) -> Query:
    """Validate the parameters in the new service's order and wording, or raise ``BadRequest``."""
    start = _integer(params, "start", 0)
    max_results = _integer(params, "max_results", 10)
    sort_by = params.get("sortBy") or "relevance"
    if sort_by not in SORT_BY:
        raise BadRequest(f"sortBy must be in: {', '.join(SORT_BY)}", link=SORT_LINK)
    sort_order = params.get("sortOrder") or "descending"
    if sort_order not in SORT_ORDER:
        raise BadRequest(f"sortOrder must be in: {', '.join(SORT_ORDER)}", link=SORT_LINK)
    search_query = params.get("search_query", "").strip()
    ids = tuple(part.strip() for part in params.get("id_list", "").split(",") if part.strip())
    if not search_query and not ids:
        raise BadRequest("Either a search_query or id_list must be specified for the classic API.")
    for raw in ids:
        if not (_NEW_ID.fullmatch(raw) or _OLD_ID.fullmatch(raw)):
            raise BadRequest(f"incorrect id format for {raw}")
    # Elasticsearch's paging guard is not caught by the classic API: max_results=0 divides by zero and deep
    # pages fall outside the window; both end as HTTP 500 (§1.2).
    if max_results == 0 or 1 + round(start / max_results) > int(ES_MAX_RESULTS / max_results):
        raise BadRequest(INTERNAL_ERROR, status=500, link=ERRORS_LINK)
    return Query(search_query, ids, start, max_results, sort_by, sort_order)


def _matcher(search_query: str) -> Callable[[Paper], bool]:
    try:
        node = parse(search_query)
    except QuerySyntaxError:
        raise BadRequest(f"Invalid query string: '{search_query}'") from None
    return Matcher(node).matches


def select(papers: Sequence[Paper], query: Query, *, ignore_query: bool = False) -> list[Paper]:
    """Every paper the query asks for, sorted; ``papers`` in the order they were added (relevance)."""
    latest: dict[str, Paper] = {}
    for paper in papers:
        if paper.id not in latest or paper.version > latest[paper.id].version:
            latest[paper.id] = paper
    if query.id_list:
        chosen: dict[tuple[str, int], Paper] = {}
        by_version = {(p.id, p.version): p for p in papers}
        for raw in query.id_list:
            paper_id, version = split_id(raw)
            found = latest.get(paper_id) if version is None else by_version.get((paper_id, version))
            if found is not None:
                chosen.setdefault((found.id, found.version), found)
        found_papers = list(chosen.values())  # relevance: the order of id_list
    else:
        found_papers = [p for p in papers if latest[p.id] is p]
    if query.search_query and not ignore_query:
        keep = _matcher(query.search_query)
        found_papers = [p for p in found_papers if keep(p)]
    if query.sort_by != "relevance":
        key: Callable[[Paper], datetime] = (
            (lambda p: p.updated) if query.sort_by == "lastUpdatedDate" else (lambda p: p.published)
        )
        found_papers.sort(key=key, reverse=query.sort_order == "descending")
    elif query.sort_order == "ascending":
        found_papers.reverse()
    return found_papers


# -- faults and the request log --------------------------------------------------------------------------


# Which requests a fault applies to, from the path and the parameters: ``lambda path, params: "id_list" in params``.
Only = Callable[[str, dict[str, str]], bool]


@dataclass
class Fault:
    kind: str
    remaining: int | None  # None: every request until cleared
    options: dict[str, Any] = field(default_factory=dict)
    only: Only | None = None  # None: every request

    def applies(self, path: str, params: dict[str, str]) -> bool:
        return self.only is None or self.only(path, params)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]  # names lower-cased
    time: float  # time.monotonic(), for the gaps between requests
    received: datetime

    @property
    def user_agent(self) -> str | None:
        return self.headers.get("user-agent")


Route = Callable[[str, dict[str, str]], tuple[int, bytes, str, dict[str, str]]]


class ArxivServer:
    """An HTTP server on 127.0.0.1 (a free port) answering ``/api/query`` from a list of papers.

    Use it as a context manager, or call ``start()`` and ``stop()``. Faults queue up: each applies to the next
    ``times`` requests in the order they were added; ``times=None`` applies to every request until
    ``clear_faults()``. ``only`` limits a fault to the requests it accepts: the others pass it by, are answered
    as if it were not there and do not count towards its ``times``. Every request, answered or not, is recorded
    in ``requests``.
    """

    def __init__(self, papers: Iterable[Paper] = (), *, now: Callable[[], datetime] | None = None) -> None:
        self._papers: dict[tuple[str, int], Paper] = {}  # in the order added: the relevance order
        self._lock = threading.Lock()
        self._faults: deque[Fault] = deque()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.now = now or (lambda: datetime.now(UTC))
        self.ignore_query = False
        self.requests: list[RecordedRequest] = []
        self.errors: list[Exception] = []  # exceptions raised while answering, each answered with HTTP 500
        self.routes: dict[str, Route] = {}  # more of arXiv's services, by path prefix (see ``mount``)
        self.add(papers)

    # lifecycle

    def start(self) -> Self:
        self._stopping.clear()
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        httpd.daemon_threads = True
        httpd.app = self  # type: ignore[attr-defined]
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the server is not running")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/query"

    @property
    def base(self) -> str:
        """The server's root URL, under which mounted services answer (``base + "/oai"``)."""
        return f"http://127.0.0.1:{self.port}"

    def mount(self, prefix: str, route: Route) -> None:
        """Answer requests whose path starts with ``prefix`` (e.g. ``/rss/``, ``/oai``) with ``route``.

        A route gets the path and the parameters and returns (status, body, content type, extra headers).
        The fault switches apply to mounted routes too, except those that shape an export API answer's
        content (``empty_page``, ``changed_total``, ``repeated_entries``, ``damaged_entry``).
        """
        self.routes[prefix] = route

    # papers

    def add(self, papers: Iterable[Paper]) -> None:
        """Publish papers (new ones or new versions); a paper served with the same version is replaced."""
        with self._lock:
            for paper in papers:
                self._papers.pop((paper.id, paper.version), None)
                self._papers[paper.id, paper.version] = paper

    def remove(self, papers: Iterable[Paper]) -> None:
        """Stop serving these versions, as when the export API has not caught up with an announcement yet."""
        with self._lock:
            for paper in papers:
                self._papers.pop((paper.id, paper.version), None)

    @property
    def papers(self) -> list[Paper]:
        with self._lock:
            return list(self._papers.values())

    # faults

    def _queue(self, kind: str, times: int | None, only: Only | None = None, **options: Any) -> None:
        if times is not None and times < 1:
            raise ValueError("times must be at least 1, or None for every request")
        with self._lock:
            self._faults.append(Fault(kind, times, options, only))

    def unavailable(
        self, times: int | None = 1, *, retry_after: int | str | None = 0, only: Only | None = None
    ) -> None:
        """HTTP 503 with ``Retry-After`` (omitted when None) and a short HTML body."""
        self._queue("503", times, only, retry_after=retry_after)

    def rate_limited(
        self,
        times: int | None = 1,
        *,
        retry_after: int | str | None = 0,
        plain: bool = False,
        only: Only | None = None,
    ) -> None:
        """HTTP 429 with ``Retry-After``; an Atom error feed, or with ``plain`` the text ``Rate exceeded``."""
        self._queue("429", times, only, retry_after=retry_after, plain=plain)

    def internal_error(self, times: int | None = 1, *, only: Only | None = None) -> None:
        """HTTP 500 with the new service's error feed for an unhandled error."""
        self._queue("500", times, only)

    def reset_connection(self, times: int | None = 1, *, only: Only | None = None) -> None:
        """Read the request, then reset the connection without answering."""
        self._queue("reset", times, only)

    def empty_page(self, times: int | None = 1, *, only: Only | None = None) -> None:
        """HTTP 200 with a valid feed of no entries whose ``totalResults`` still counts every match."""
        self._queue("empty", times, only)

    def truncated(self, times: int | None = 1, *, only: Only | None = None) -> None:
        """HTTP 200 with the first half of the real answer (the HTTP message itself is complete)."""
        self._queue("truncated", times, only)

    def error_feed(
        self, times: int | None = 1, *, status: int = 200, message: str = "internal error", only: Only | None = None
    ) -> None:
        """arXiv's error feed (one entry titled ``Error``) with the given status."""
        self._queue("error_feed", times, only, status=status, message=message)

    def html_error(self, times: int | None = 1, *, status: int = 200, only: Only | None = None) -> None:
        """An HTML error page, by default with HTTP 200."""
        self._queue("html", times, only, status=status)

    def slow(self, seconds: float, times: int | None = 1, *, only: Only | None = None) -> None:
        """Wait ``seconds`` before answering normally."""
        self._queue("slow", times, only, seconds=seconds)

    def changed_total(self, total: int, times: int | None = 1, *, only: Only | None = None) -> None:
        """The real entries, with ``totalResults`` said to be ``total``: the total changing between pages (§1.8).

        Aimed at the first page (``only`` a ``start`` of 0), a search learns a wrong total first and the true
        one from the next page on.
        """
        self._queue("total", times, only, total=total)

    def repeated_entries(self, count: int = 1, times: int | None = None, *, only: Only | None = None) -> None:
        """Pages start ``count`` entries early and ``totalResults`` counts ``count`` more, as when ``count``
        papers are announced above while a client pages: the entries at the end of one page come again at the
        start of the next, and nothing is left out. A page at ``start`` below ``count`` is served as usual."""
        if count < 1:
            raise ValueError("count must be at least 1")
        self._queue("shift", times, only, count=count)

    def damaged_entry(self, times: int | None = None, *, at: int = 0, only: Only | None = None) -> None:
        """Entries with missing fields (no id, title or dates), as the legacy API answered unknown ids (§1.2).

        A search's result holds one at position ``at``, counted in ``totalResults`` and taking a place on its
        page like any entry, so no paper is pushed off; an ``id_list`` answer has one in the place of each id the
        server does not hold, where the new service leaves such ids out.
        """
        self._queue("damaged", times, only, at=at)

    def misbehave(
        self, act: Callable[[BaseHTTPRequestHandler], None], times: int | None = 1, *, only: Only | None = None
    ) -> None:
        """Let ``act`` write the answer itself on the raw connection (see ``hostile.py``: trickles, bombs...)."""
        self._queue("act", times, only, act=act)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def pending_faults(self) -> int:
        """How many queued faults have not been used up (one queued with ``times=None`` never is)."""
        with self._lock:
            return len(self._faults)

    def _next_fault(self, path: str, params: dict[str, str]) -> Fault | None:
        """The first queued fault that applies to this request, counted as used once."""
        with self._lock:
            fault = next((f for f in self._faults if f.applies(path, params)), None)
            if fault is not None and fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
            return fault

    # answering

    def _record(self, method: str, path: str, params: dict[str, str], headers: dict[str, str]) -> None:
        request = RecordedRequest(method, path, params, headers, time.monotonic(), self.now())
        with self._lock:
            self.requests.append(request)

    def answer(self, params: dict[str, str], fault: Fault | None = None) -> tuple[int, bytes, int | None]:
        """Status, Atom body and the total of matches (None for an error) for a request's parameters, shaped
        by ``fault`` when it is one that changes the answer's content (a total, a shift, a damaged entry)."""
        kind, options = (fault.kind, fault.options) if fault is not None else (None, {})
        try:
            query = parse_params(params)
            found: list[Paper | None] = list(select(self.papers, query, ignore_query=self.ignore_query))
        except BadRequest as exc:
            return exc.status, error_feed(exc.message, updated=self.now(), link=exc.link), None
        except Exception as exc:  # a bug here must not look like a network fault: answer 500 and keep it
            self.errors.append(exc)
            return 500, error_feed(INTERNAL_ERROR, updated=self.now(), link=ERRORS_LINK), None
        if kind == "damaged":
            found = _with_unknown_ids(query, found) if query.id_list else _inserted(found, options["at"])
        start, total = query.start, len(found)
        if kind == "shift" and start >= options["count"]:
            start, total = start - options["count"], total + options["count"]
        elif kind == "total":
            total = options["total"]
        body = atom_feed(
            found[start : start + query.max_results],
            search_query=query.search_query,
            id_list=",".join(query.id_list),
            start=query.start,
            max_results=query.max_results,
            total=total,
            updated=self.now(),
        )
        return 200, body, total


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes; don't wait for the ACK
    timeout = 5  # idle keep-alive connections end, so no handler thread outlives a test for long
    server: ThreadingHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _params(self) -> tuple[str, dict[str, str]]:
        parts = urlsplit(self.path)
        pairs = parse_qs(parts.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        content_type = self.headers.get("Content-Type", "")
        if self.command == "POST" and (not content_type or content_type.startswith("application/x-www-form")):
            pairs.update(parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True))
        return parts.path, {name: values[0] for name, values in pairs.items()}

    def _handle(self) -> None:
        app: ArxivServer = self.server.app  # type: ignore[attr-defined]
        path, params = self._params()
        headers = {name.lower(): value for name, value in self.headers.items()}
        app._record(self.command, path, params, headers)
        route = next((r for prefix, r in app.routes.items() if path.startswith(prefix)), None)
        if path != "/api/query" and route is None:
            self._send(404, b"Not Found\n", "text/plain; charset=utf-8")
            return
        fault = app._next_fault(path, params)
        kind = fault.kind if fault else None
        options = fault.options if fault else {}
        if kind == "act":
            options["act"](self)
            return
        if kind == "slow":
            app._stopping.wait(options["seconds"])
        elif kind == "reset":
            self._reset()
            return
        elif kind in ("503", "429"):
            self._refuse(kind, options, app)
            return
        elif kind == "500":
            self._send(500, error_feed(INTERNAL_ERROR, updated=app.now(), link=ERRORS_LINK))
            return
        elif kind == "error_feed":
            self._send(options["status"], error_feed(options["message"], updated=app.now()))
            return
        elif kind == "html":
            self._send(options["status"], _HTML_ERROR, "text/html; charset=utf-8")
            return
        if route is not None:
            status, body, content_type, extra = self._route(route, path, params, app)
            self._send(status, body[: len(body) // 2] if kind == "truncated" else body, content_type, extra)
            return
        status, body, total = app.answer(params, fault)
        if kind == "empty" and total is not None:
            body = _emptied(params, total, app.now())
        elif kind == "truncated":
            body = body[: len(body) // 2]
        self._send(status, body)

    @staticmethod
    def _route(
        route: Route, path: str, params: dict[str, str], app: ArxivServer
    ) -> tuple[int, bytes, str, dict[str, str]]:
        try:
            return route(path, params)
        except Exception as exc:  # a bug in a route must not look like a network fault
            app.errors.append(exc)
            return 500, INTERNAL_ERROR.encode(), "text/plain; charset=utf-8", {}

    def _refuse(self, kind: str, options: dict[str, Any], app: ArxivServer) -> None:
        headers = {} if options["retry_after"] is None else {"Retry-After": str(options["retry_after"])}
        if kind == "503":
            self._send(503, _HTML_UNAVAILABLE, "text/html; charset=utf-8", headers)
        elif options["plain"]:
            self._send(429, b"Rate exceeded", "text/plain", headers)
        else:
            self._send(429, error_feed("Rate exceeded", updated=app.now()), ATOM_TYPE, headers)

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout makes close() send RST: the client sees "connection reset by peer"
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _send(
        self, status: int, body: bytes, content_type: str = ATOM_TYPE, headers: dict[str, str] | None = None
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client stopped waiting (a timeout test)
            self.close_connection = True


def _inserted(found: list[Paper | None], at: int) -> list[Paper | None]:
    return [*found[:at], None, *found[at:]]


def _with_unknown_ids(query: Query, found: list[Paper | None]) -> list[Paper | None]:
    """The answer to ``id_list`` in the legacy API's way: each id in its place, unknown ones as None."""
    answered: list[Paper | None] = []
    given: set[tuple[str, int]] = set()
    for raw in query.id_list:
        paper_id, version = split_id(raw)
        paper = next(
            (p for p in found if p is not None and p.id == paper_id and version in (None, p.version)),
            None,
        )
        if paper is None:
            answered.append(None)
        elif (paper.id, paper.version) not in given:
            given.add((paper.id, paper.version))
            answered.append(paper)
    return answered


def _emptied(params: dict[str, str], total: int, updated: datetime) -> bytes:
    query = parse_params(params)
    return atom_feed(
        [],
        search_query=query.search_query,
        id_list=",".join(query.id_list),
        start=query.start,
        max_results=query.max_results,
        total=total,
        updated=updated,
    )


_HTML_UNAVAILABLE = (
    b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>\n"
    b"<body><h1>Service Unavailable</h1><p>The server is temporarily unable to service your request.</p>"
    b"</body></html>\n"
)
_HTML_ERROR = (
    b'<!DOCTYPE html>\n<html lang="en"><head><title>arXiv</title></head>\n'
    b"<body><h1>Something went wrong</h1><p>We are experiencing problems. Please try again later.</p>"
    b"</body></html>\n"
)
