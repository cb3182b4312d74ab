"""Back-fill over OAI-PMH: ``dailypapers.arxiv.oai`` against the stand-in's ``/oai`` and arXiv's own examples.

The files under ``tests/data/oai/`` are copied from arxiv-protocol.md §3.5: the real legacy ``oai_dc``
ListRecords answer of 2024-01-27, the new service's 0704.0046 record in ``arXiv`` and ``arXivRaw`` (rendered
from its templates, in the envelope of the document's GetRecord example), its ``badArgument`` answer, and the
2013 legacy ``arXivRaw`` fragment of 1304.4214, put in an ``<OAI-PMH>`` root and closed after its abstract,
which the source already cut short.
"""

from __future__ import annotations

import re
import tracemalloc
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import parse_qs, unquote

import httpx
import pytest
from lxml import etree

from arxiv_server import ArxivServer, load_seed_papers
from dailypapers.arxiv import oai
from dailypapers.arxiv.oai import OaiError, OaiPage, ResumptionTokenExpired, harvest, parse_page, split_authors
from dailypapers.errors import FeedError, FetchError
from dailypapers.http import Http
from dailypapers.model import Author, Paper
from oai_server import OaiService, generate_records, mount_oai

DATA = Path(__file__).parent / "data" / "oai"
NOW = datetime(2026, 5, 16, 0, 28, 51, tzinfo=UTC)
EARLIEST = date(2005, 9, 16)
BAD_ARGUMENT = (
    "OAI-PMH error badArgument: The request includes illegal arguments, is missing required arguments, includes "
    "a repeated argument, or values for arguments have an illegal syntax. Reason: "
)


@pytest.fixture
def server() -> Iterator[ArxivServer]:
    with ArxivServer(load_seed_papers(), now=lambda: NOW) as running:
        yield running


@pytest.fixture
def http() -> Iterator[Http]:
    with Http(user_agent="test", delay=0) as client:
        yield client


def pages(http: Http, service: OaiService, **options: object) -> list[OaiPage]:
    arguments: dict[str, object] = {"from_": EARLIEST, "until": None, "set_spec": None} | options
    return list(harvest(http, service.url, **arguments))  # type: ignore[arg-type]


def papers_of(harvested: list[OaiPage]) -> list[Paper]:
    return [paper for page in harvested for paper in page.papers]


def latest(papers: list[Paper]) -> dict[str, Paper]:
    newest: dict[str, Paper] = {}
    for paper in papers:
        if paper.id not in newest or paper.version > newest[paper.id].version:
            newest[paper.id] = paper
    return newest


def collapse(text: str | None) -> str | None:
    return re.sub(r"[ \t\r\n]+", " ", text).strip() if text is not None else None


def as_read(paper: Paper, *, affiliations: bool = False) -> Paper:
    """What a harvest can give back: texts as a reader sees them; affiliations only where the format has them."""
    authors = paper.authors if affiliations else tuple(Author(a.name) for a in paper.authors)
    return replace(
        paper,
        title=collapse(paper.title) or "",
        abstract=collapse(paper.abstract) or "",
        comment=collapse(paper.comment),
        authors=authors,
    )


def at_midnight(moment: datetime) -> datetime:
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


# -- harvesting from the stand-in ------------------------------------------------------------------------


def test_a_paged_arxivraw_harvest_gives_every_seed_paper_once_with_every_field(server: ArxivServer, http: Http) -> None:
    service = mount_oai(server, page_size=7)
    harvested = pages(http, service)
    expected = latest(server.papers)
    assert len(harvested) == -(-len(expected) // 7)
    assert [page.token is None for page in harvested] == [False] * (len(harvested) - 1) + [True]
    got = papers_of(harvested)
    assert sorted(p.id for p in got) == sorted(expected)
    for paper in got:
        assert paper == as_read(expected[paper.id])
    assert all(page.skipped == 0 and page.deleted == [] for page in harvested)
    assert harvested[-1].last_datestamp == max(p.updated.date() for p in expected.values())


def test_a_paper_with_several_versions_on_the_server_keeps_v1_as_published(server: ArxivServer, http: Http) -> None:
    """2601.08082: the server holds v1 and v2; arXivRaw lists both, and v2 is the record."""
    service = mount_oai(server)
    (paper,) = [p for p in papers_of(pages(http, service)) if p.id == "2601.08082"]
    assert (paper.version, paper.published, paper.updated) == (
        2,
        datetime(2026, 1, 12, 23, 46, 20, tzinfo=UTC),
        datetime(2026, 3, 19, 3, 32, 53, tzinfo=UTC),
    )


def test_the_first_request_names_the_list_and_later_ones_only_the_token(server: ArxivServer, http: Http) -> None:
    service = mount_oai(server, page_size=30)
    harvested = pages(http, service, from_=date(2026, 1, 1), until=date(2026, 5, 14), set_spec="cs:cs:DC")
    asked = [request.params for request in server.requests]
    assert asked[0] == {
        "verb": "ListRecords",
        "metadataPrefix": "arXivRaw",
        "from": "2026-01-01",
        "until": "2026-05-14",
        "set": "cs:cs:DC",
    }
    assert asked[1:] == [{"verb": "ListRecords", "resumptionToken": page.token} for page in harvested[:-1]]


def test_the_new_services_token_moves_from_to_the_day_the_next_page_starts(server: ArxivServer, http: Http) -> None:
    service = mount_oai(server, page_size=7)
    first = next(harvest(http, service.url, from_=EARLIEST))
    assert first.token is not None
    token = {key: values[0] for key, values in parse_qs(unquote(first.token)).items()}
    remaining = [r for r in service.records() if r.paper.id not in {p.id for p in first.papers}]
    assert token == {
        "verb": "ListRecords",
        "metadataPrefix": "arXivRaw",
        "from": f"{remaining[0].datestamp:%Y-%m-%d}",
        "skip": str(sum(1 for p in first.papers if p.updated.date() == remaining[0].datestamp)),
    }
    assert first.token_expires == datetime(2026, 5, 17, tzinfo=UTC)
    assert first.response_date == NOW.replace(microsecond=0)
    assert (first.cursor, first.complete_list_size) == (None, None)


def test_the_arxiv_format_gives_days_parsed_authors_and_affiliations(server: ArxivServer, http: Http) -> None:
    service = mount_oai(server, page_size=50)
    got = papers_of(pages(http, service, metadata_prefix="arXiv"))
    expected = latest(server.papers)
    assert sorted(p.id for p in got) == sorted(expected)
    for paper in got:
        seed = expected[paper.id]
        read = as_read(seed, affiliations=True)
        assert paper == replace(
            read, version=1, published=at_midnight(seed.published), updated=at_midnight(seed.updated)
        )
    assert any(author.affiliations for paper in got for author in paper.authors)


def test_a_set_selects_by_category_and_an_empty_list_is_one_empty_page(server: ArxivServer, http: Http) -> None:
    service = mount_oai(server)
    assert len(papers_of(pages(http, service, set_spec="cs"))) == len(latest(server.papers))
    (empty,) = pages(http, service, set_spec="physics:hep-th")
    assert empty == OaiPage(response_date=NOW.replace(microsecond=0))


def test_no_records_match_is_an_empty_harvest_not_an_error(server: ArxivServer, http: Http) -> None:
    service = mount_oai(server)
    harvested = pages(http, service, from_=date(2026, 5, 15))
    assert [(page.papers, page.token) for page in harvested] == [([], None)]
    assert b"noRecordsMatch" in httpx.get(service.url, params=server.requests[-1].params).content


@pytest.mark.parametrize(
    ("from_", "until", "reason"),
    [
        (date(2026, 3, 2), date(2026, 3, 1), "until date must be greater than or equal to from date"),
        (date(2005, 9, 15), None, "start date too early"),
        (date(2026, 3, 1), date(2026, 5, 18), "until date too late"),
    ],
)
def test_bad_arguments_raise_arxivs_message(
    server: ArxivServer, http: Http, from_: date, until: date | None, reason: str
) -> None:
    service = mount_oai(server)
    with pytest.raises(OaiError) as caught:
        pages(http, service, from_=from_, until=until)
    assert caught.value.message == BAD_ARGUMENT + reason
    assert (caught.value.url or "").startswith(service.url + "?verb=ListRecords&")
    assert caught.value.code == "badArgument"
    assert len(server.requests) == 1  # a definite answer: not asked again


def test_an_expired_token_asks_the_caller_to_restart_from_its_checkpoint(server: ArxivServer, http: Http) -> None:
    service = mount_oai(server, page_size=10)
    harvested = harvest(http, service.url, from_=EARLIEST)
    first = next(harvested)
    service.expire_tokens()
    with pytest.raises(ResumptionTokenExpired) as caught:
        next(harvested)
    assert isinstance(caught.value, FeedError)
    assert caught.value.code == "badResumptionToken"
    assert "The value of the resumptionToken argument is invalid or expired." in str(caught.value)
    service.expired = False  # the next day: new lists get tokens that work
    restart = pages(http, service, from_=first.last_datestamp or EARLIEST)
    assert {p.id for p in papers_of(restart)} | {p.id for p in first.papers} == set(latest(server.papers))


def test_503_with_retry_after_is_honoured(server: ArxivServer, http: Http) -> None:
    service = mount_oai(server)
    server.unavailable(times=1, retry_after=1)
    harvested = pages(http, service)
    assert len(papers_of(harvested)) == len(latest(server.papers))
    first, second = server.requests
    assert second.time - first.time >= 1.0


@pytest.mark.parametrize("fault", ["truncated", "html_error", "error_feed", "internal_error", "reset_connection"])
def test_an_unreadable_or_failed_answer_is_asked_for_again(server: ArxivServer, http: Http, fault: str) -> None:
    service = mount_oai(server, page_size=40)
    getattr(server, fault)(times=1)
    harvested = pages(http, service)
    assert len(papers_of(harvested)) == len(latest(server.papers))
    assert len(server.requests) == len(harvested) + 1


def test_an_answer_that_stays_unreadable_is_a_fetch_error(server: ArxivServer) -> None:
    service = mount_oai(server)
    server.truncated(times=None)
    with Http(user_agent="test", delay=0, max_attempts=2) as http, pytest.raises(FetchError) as caught:
        pages(http, service)
    assert "malformed or truncated OAI-PMH answer" in str(caught.value)


def test_a_harvest_that_fails_midway_resumes_from_the_last_token(server: ArxivServer) -> None:
    service = mount_oai(server, page_size=10)
    service.fail_after(3)
    kept: list[OaiPage] = []
    with Http(user_agent="test", delay=0, max_attempts=2) as http:
        with pytest.raises(FetchError) as caught:
            for page in harvest(http, service.url, from_=EARLIEST):
                kept.append(page)
        assert caught.value.status == 503
        assert len(kept) == 3
        server.clear_faults()
        rest = pages(http, service, resume_token=kept[-1].token)
    ids = [p.id for p in papers_of(kept + rest)]
    assert sorted(ids) == sorted(latest(server.papers))


def test_legacy_tokens_carry_cursor_and_complete_list_size(server: ArxivServer, http: Http) -> None:
    service = mount_oai(server, page_size=30, style="legacy")
    harvested = pages(http, service)
    total = len(latest(server.papers))
    assert [(page.cursor, page.complete_list_size) for page in harvested] == [(0, total), (30, total), (60, total)]
    assert [page.token for page in harvested] == ["6960524|31", "6960525|61", None]
    assert sorted(p.id for p in papers_of(harvested)) == sorted(latest(server.papers))


def test_deleted_records_are_listed_apart(server: ArxivServer, http: Http) -> None:
    service = mount_oai(server)
    service.delete("2602.08199", on=date(2026, 5, 15))
    (page,) = pages(http, service)
    assert page.deleted == ["2602.08199"]
    assert "2602.08199" not in {p.id for p in page.papers}
    assert page.last_datestamp == date(2026, 5, 15)


def test_the_harvest_is_lazy_one_request_per_page_consumed(server: ArxivServer, http: Http) -> None:
    service = mount_oai(server, generate_records(100, date(2026, 1, 5)), page_size=5)
    harvested = harvest(http, service.url, from_=EARLIEST)
    assert service.requests == 0
    seen: set[str] = set()
    for consumed, page in enumerate(harvested, start=1):
        assert service.requests == consumed
        assert len(page.papers) == 5 and not seen & {p.id for p in page.papers}
        seen |= {p.id for p in page.papers}
    assert (consumed, len(seen)) == (20, 100)


def test_generated_records_round_trip_with_their_versions(server: ArxivServer, http: Http) -> None:
    records = generate_records(60, date(2026, 2, 1), seed=3)
    service = mount_oai(server, records, page_size=25)
    got = {p.id: p for p in papers_of(pages(http, service))}
    assert got == {p.id: as_read(p) for p in records}
    assert {p.version for p in records} == {1, 2, 3}
    assert len({p.published.date() for p in records}) >= 2


def test_only_arxivraw_and_arxiv_are_harvested(server: ArxivServer, http: Http) -> None:
    service = mount_oai(server)
    with pytest.raises(FeedError, match="^.*metadataPrefix oai_dc is not supported; use arXivRaw or arXiv$"):
        harvest(http, service.url, metadata_prefix="oai_dc", from_=EARLIEST)
    assert server.requests == []


# -- memory ----------------------------------------------------------------------------------------------


@pytest.fixture
def big_page(server: ArxivServer) -> bytes:
    service = mount_oai(server, generate_records(2500, date(2026, 1, 5)), page_size=2500)
    status, body, _, _ = service("/oai", {"verb": "ListRecords", "metadataPrefix": "arXivRaw"})
    assert status == 200 and len(body) > 2_000_000
    return body


def test_a_2500_record_page_is_read_in_bounded_memory(big_page: bytes) -> None:
    """tracemalloc sees Python's allocations: the papers read and what is transient while reading."""
    tracemalloc.start()
    try:
        page = parse_page(big_page)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(page.papers) == 2500 and page.skipped == 0
    assert peak < 3 * len(big_page)


def test_the_tree_never_holds_more_than_a_few_records(big_page: bytes) -> None:
    """libxml2's own memory is invisible to tracemalloc, so the tree itself is counted while it is read.

    The parser runs ahead of the events by one input buffer, so the tree holds the records of that buffer
    (a few dozen) besides the envelope: bounded by the buffer, not by the page.
    """
    whole = sum(1 for _ in etree.fromstring(big_page).iter())
    largest = 0
    for element in oai._elements(big_page, None):
        largest = max(largest, sum(1 for _ in element.getroottree().iter()))
    assert largest < 1_000 < whole // 50


# -- arXiv's examples ------------------------------------------------------------------------------------

PAPER_0704_0046 = Paper(
    id="0704.0046",
    version=1,
    title="A limit relation for entropy and channel capacity per unit cost",
    abstract="In a quantum mechanical model, … generalization of the conjecture.",
    authors=(Author("I. Csiszar"), Author("F. Hiai"), Author("D. Petz")),
    categories=("quant-ph", "cs.IT", "math.IT"),
    primary_category="quant-ph",
    published=datetime(2007, 4, 1, 16, 37, 36, tzinfo=UTC),
    updated=datetime(2007, 4, 1, 16, 37, 36, tzinfo=UTC),
    comment="LATEX file, 11 pages",
    journal_ref="J. Math. Phys. 48(2007), 092102.",
    doi="10.1063/1.2779138",
)


def test_arxivraw_example_0704_0046() -> None:
    page = parse_page((DATA / "new-2026-arXivRaw-0704.0046.xml").read_bytes())
    assert page == OaiPage(
        papers=[PAPER_0704_0046],
        last_datestamp=date(2009, 11, 13),
        response_date=datetime(2026, 8, 20, 12, tzinfo=UTC),
    )


def test_arxiv_example_0704_0046_has_days_and_version_1_despite_updated() -> None:
    """0704.0046 has one version, yet its arXiv record has <updated>: a metadata change, not a v2."""
    (paper,) = parse_page((DATA / "new-2026-arXiv-0704.0046.xml").read_bytes()).papers
    assert paper == replace(
        PAPER_0704_0046,
        published=datetime(2007, 4, 1, tzinfo=UTC),
        updated=datetime(2009, 12, 1, tzinfo=UTC),
    )


def test_legacy_arxivraw_1304_4214_with_an_unreadable_version_attribute() -> None:
    """1304.4214 (2013): the copy has ``version="v%s"``; a version is then counted by its position, v1."""
    (paper,) = parse_page((DATA / "legacy-2013-arXivRaw-1304.4214.xml").read_bytes()).papers
    assert paper.version == 1
    assert paper.published == paper.updated == datetime(2013, 4, 15, 19, 33, 21, tzinfo=UTC)
    assert paper.authors == (Author("Igor A. Zaliznyak"), Author("John M. Tranquada"))
    assert paper.comment == (
        '31 pages, chapter for "Strongly Correlated Systems: Experimental Techniques", '
        "edited by A. Avella and F. Mancini"
    )
    assert paper.categories == ("cond-mat.str-el",) and paper.primary_category == "cond-mat.str-el"


def test_the_legacy_oai_dc_example_is_refused_clearly() -> None:
    with pytest.raises(FeedError) as caught:
        parse_page((DATA / "legacy-2024-oai_dc-ListRecords.xml").read_bytes(), "http://export.arxiv.org/oai2")
    assert str(caught.value) == (
        "http://export.arxiv.org/oai2: metadataPrefix oai_dc is not supported; use arXivRaw or arXiv"
    )


def test_the_error_example_is_arxivs_message() -> None:
    with pytest.raises(OaiError) as caught:
        parse_page((DATA / "new-2026-error-badArgument.xml").read_bytes())
    assert str(caught.value) == BAD_ARGUMENT + "from date format must be YYYY-MM-DD"
    assert not isinstance(caught.value, ResumptionTokenExpired)


# -- damaged answers and records -------------------------------------------------------------------------

ENVELOPE = '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>{}</ListRecords></OAI-PMH>'
RAW = '<arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/">{}</arXivRaw>'
GOOD = (
    '<version version="v1"><date>Mon, 05 Jan 2026 10:00:00 GMT</date></version>'
    "<title>A title</title><authors>A. Author</authors><categories>cs.DC</categories>"
)


def record(identifier: str = "oai:arXiv.org:2601.00001", metadata: str = RAW.format(GOOD)) -> str:
    header = f"<header><identifier>{identifier}</identifier><datestamp>2026-01-05</datestamp></header>"
    return f"<record>{header}<metadata>{metadata}</metadata></record>"


@pytest.mark.parametrize(
    "damaged",
    [
        record(identifier="oai:arXiv.org:not-an-id"),
        record(metadata=RAW.format(GOOD.replace("<title>A title</title>", ""))),
        record(metadata=RAW.format(GOOD.replace("Mon, 05 Jan 2026 10:00:00 GMT", "yesterday"))),
        "<record><header><identifier>oai:arXiv.org:2601.00002</identifier></header></record>",
    ],
    ids=["bad identifier", "no title", "no version date", "no metadata"],
)
def test_a_damaged_record_is_skipped_and_counted(damaged: str, caplog: pytest.LogCaptureFixture) -> None:
    page = parse_page(ENVELOPE.format(record() + damaged).encode())
    assert [p.id for p in page.papers] == ["2601.00001"]
    assert page.skipped == 1
    assert "skipped an OAI-PMH record" in caplog.text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty response body"),
        (ENVELOPE.format(record()).encode()[:150], "malformed or truncated OAI-PMH answer"),
        (b"<!DOCTYPE html><html><body><p>busy</body></html>", "an HTML page, not an OAI-PMH answer"),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"/>', "not an OAI-PMH answer: the root element is <feed>"),
        (b"Rate exceeded", "not XML, expected an OAI-PMH answer"),
    ],
)
def test_a_damaged_answer_is_a_feed_error(body: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=re.escape(message)):
        parse_page(body)


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("I. Csiszar, F. Hiai and D. Petz", ["I. Csiszar", "F. Hiai", "D. Petz"]),
        ("Igor A. Zaliznyak and John M. Tranquada", ["Igor A. Zaliznyak", "John M. Tranquada"]),
        ("Ann Lee, Bo Chen, and Cy Diaz", ["Ann Lee", "Bo Chen", "Cy Diaz"]),
        ("Ann Lee,\n  Bo  Chen", ["Ann Lee", "Bo Chen"]),
        ("John Smith, Jr., Ann Lee", ["John Smith Jr.", "Ann Lee"]),
        ("A. Smith (Dept. of Physics and Astronomy, MIT) and B. Jones", ["A. Smith", "B. Jones"]),
        ("A. Smith (1), B. Jones (2) ((1) CERN, (2) DESY)", ["A. Smith", "B. Jones"]),
        ("Andrea Anderson", ["Andrea Anderson"]),
        ("", []),
    ],
)
def test_raw_author_strings(raw: str, names: list[str]) -> None:
    assert split_authors(raw) == tuple(Author(name) for name in names)


# -- the stand-in's argument rules (arxiv-protocol.md §3.2) ----------------------------------------------


@pytest.mark.parametrize(
    ("params", "code", "reason"),
    [
        ({}, "badVerb", "Invalid verb provided"),
        ({"verb": "ListThings"}, "badVerb", "Invalid verb provided"),
        ({"verb": "ListRecords"}, "badArgument", "metadataPrefix required."),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc"}, "cannotDisseminateFormat", "Did not recognize"),
        ({"verb": "ListRecords", "metadataPrefix": "arXiv", "from": "2026-03-01T00:00:00Z"}, "badArgument", "from "),
        ({"verb": "ListRecords", "metadataPrefix": "arXiv", "until": "2026-02-30"}, "badArgument", "until date"),
        ({"verb": "ListRecords", "metadataPrefix": "arXiv", "set": "nlin"}, "badArgument", "Set does not exist"),
        ({"verb": "ListRecords", "metadataPrefix": "arXiv", "set": "cs:cs:XX"}, "badArgument", "Set does not"),
        ({"verb": "ListRecords", "metadataPrefix": "arXiv", "set": "a:b:c:d"}, "badArgument", "Set has too many"),
        ({"verb": "ListRecords", "metadataPrefix": "arXiv", "foo": "1"}, "badArgument", "Unallowed parameter"),
        ({"verb": "ListRecords", "metadataPrefix": "arXiv", "resumptionToken": "x"}, "badArgument", "No other"),
        ({"verb": "ListRecords", "resumptionToken": "garbage"}, "badResumptionToken", "Token decoding failed"),
        (
            {"verb": "ListIdentifiers", "resumptionToken": "verb%3DListRecords%26skip%3D5"},
            "badResumptionToken",
            "token from",
        ),
        ({"verb": "Identify", "metadataPrefix": "arXiv"}, "badArgument", "No other parameters allowed"),
        ({"verb": "GetRecord", "identifier": "2601.08082", "metadataPrefix": "arXiv"}, "idDoesNotExist", "All "),
    ],
)
def test_the_stand_in_answers_errors_with_http_200(
    server: ArxivServer, params: dict[str, str], code: str, reason: str
) -> None:
    service = mount_oai(server)
    answer = httpx.get(service.url, params=params)
    assert answer.status_code == 200
    with pytest.raises(OaiError) as caught:
        parse_page(answer.content)
    assert caught.value.code == code
    assert f"Reason: {reason}" in caught.value.text


def test_the_stand_in_identifies_lists_sets_and_gets_one_record(server: ArxivServer) -> None:
    service = mount_oai(server)
    identify = httpx.get(service.url, params={"verb": "Identify"}).text
    assert "<earliestDatestamp>2005-09-16</earliestDatestamp>" in identify
    sets = httpx.get(service.url, params={"verb": "ListSets"}).text
    assert "<setSpec>cs</setSpec><setName>Computer Science</setName>" in sets
    assert "<setSpec>physics:hep-th</setSpec>" in sets and "<setSpec>cs:cs:DC</setSpec>" in sets
    params = {"verb": "GetRecord", "identifier": "oai:arXiv.org:2601.08082", "metadataPrefix": "arXivRaw"}
    (paper,) = parse_page(httpx.get(service.url, params=params).content).papers
    assert (paper.id, paper.version) == ("2601.08082", 2)


def test_an_alias_category_is_in_both_sets(server: ArxivServer, http: Http) -> None:
    paper = replace(generate_records(1, date(2026, 3, 1))[0], categories=("cs.IT",), primary_category="cs.IT")
    service = mount_oai(server, [paper])
    for spec in ("cs:cs:IT", "math:math:IT", "math"):
        assert [p.id for p in papers_of(pages(http, service, set_spec=spec))] == [paper.id]


def test_tokens_can_expire_a_given_number_of_times() -> None:
    with ArxivServer(load_seed_papers(), now=lambda: NOW) as server:
        service = mount_oai(server, page_size=10)
        first = httpx.get(service.url, params={"verb": "ListRecords", "metadataPrefix": "arXivRaw"}).text
        token = re.search(r">([^<]+)</resumptionToken>", first)
        assert token is not None
        service.expire_tokens(1)
        params = {"verb": "ListRecords", "resumptionToken": token[1]}
        assert 'code="badResumptionToken"' in httpx.get(service.url, params=params).text
        assert "<record>" in httpx.get(service.url, params=params).text


def test_damaged_records_are_skipped_and_counted() -> None:
    with ArxivServer(load_seed_papers(), now=lambda: NOW) as server:
        service = mount_oai(server, page_size=10)
        service.damaged = 2
        body = httpx.get(service.url, params={"verb": "ListRecords", "metadataPrefix": "arXivRaw"}).content
    page = parse_page(body)
    assert (len(page.papers), page.skipped) == (10, 2)
