"""The arXiv stand-in server, checked with plain httpx and lxml against arxiv-protocol.md §1."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from lxml import etree

from arxiv_server import ArxivServer, atom_feed, feed_id, load_seed_papers
from dailypapers.model import Author

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
HERE = Path(__file__).resolve().parent
SEEDS = HERE.parent.parent / "shared" / "seeds"
NOW = datetime(2026, 5, 16, 0, 28, 51, tzinfo=UTC)


HTTP = httpx.Client(timeout=5)  # one client for the module: building one per request costs ~20 ms


@pytest.fixture(scope="module", autouse=True)
def _close_client() -> Iterator[None]:
    yield
    HTTP.close()


@pytest.fixture
def server() -> Iterator[ArxivServer]:
    with ArxivServer(load_seed_papers(), now=lambda: NOW) as running:
        yield running
    assert running.errors == []


def get(server: ArxivServer, **params: str | int) -> httpx.Response:
    return HTTP.get(server.url, params=params)


def feed(response: httpx.Response) -> etree._Element:
    return etree.fromstring(response.content)


def text(element: etree._Element, path: str) -> str:
    """The text at path, which the answer must have: a missing element fails the test here, not as a None later."""
    found = element.findtext(path)
    assert found is not None, path
    return found


def child(element: etree._Element, path: str) -> etree._Element:
    """The first element at path, which the answer must have."""
    found = element.find(path)
    assert found is not None, path
    return found


def entry_ids(response: httpx.Response) -> list[str]:
    return [text(e, f"{ATOM}id").rsplit("/abs/", 1)[1] for e in feed(response).iter(f"{ATOM}entry")]


def total(response: httpx.Response) -> int:
    return int(text(feed(response), f"{OPENSEARCH}totalResults"))


def error_message(response: httpx.Response) -> str:
    entries = list(feed(response).iter(f"{ATOM}entry"))
    assert len(entries) == 1 and entries[0].findtext(f"{ATOM}title") == "Error"
    return text(entries[0], f"{ATOM}summary")


# -- seed data -------------------------------------------------------------------------------------------


def test_seed_papers_hold_every_reconstructed_record() -> None:
    papers = load_seed_papers()
    assert len(papers) == 80
    assert {(p.id, p.version) for p in papers if p.id == "2601.08082"} == {
        ("2601.08082", 1),
        ("2601.08082", 2),
    }
    assert all(p.categories == ("cs.DC",) and p.primary_category == "cs.DC" for p in papers)


def test_seed_record_keeps_names_affiliations_and_doi() -> None:
    papers = {p.versioned_id: p for p in load_seed_papers()}
    assert papers["2505.01821v5"].authors[-1] == Author("Victor C. M. Leung")
    assert papers["2505.01821v5"].doi == "10.1109/COMST.2026.3669216"
    assert papers["2603.17456v1"].authors[0] == Author("Yijun Sun", ("Hong Kong University of Science and Technology",))
    assert papers["2605.13779v1"].comment == "27 pages. Technical report. Mind Lab"
    assert papers["2605.13779v1"].authors[:2] == (Author("Mind Lab :"), Author("Song Cao"))


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the shared seeds are not checked out next to the repository")
def test_seed_json_is_what_the_script_makes_of_the_seeds() -> None:
    script = HERE / "make_seed_data.py"
    result = subprocess.run([sys.executable, str(script), "--check", "--seeds", str(SEEDS)], capture_output=True)
    assert result.returncode == 0, result.stderr.decode()


# -- the Atom answer (§1.6) ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("canonical", "expected"),
    [
        ("search_query=all:electron&id_list=&start=0&max_results=1", "cHxbiOdZaP56ODnBPIenZhzg5f8"),
        ("search_query=&id_list=2101.05225&start=0&max_results=10", "p9UZyl2Vt0cHwPSKinDSThE23qI"),
        ("search_query=&id_list=1605.08386&start=0&max_results=100", "UY2mqR74Vu/gU683o8Kx4P2K0xU"),
        ("search_query=cat:cs.DC&id_list=&start=270&max_results=15", "ww7lGXQegjvoloSaiSh+6qWbbk0"),
    ],
)
def test_feed_id_is_the_base64_sha1_of_the_canonical_query(canonical: str, expected: str) -> None:
    assert feed_id(canonical) == expected


def test_feed_header_for_the_manuals_electron_example(server: ArxivServer) -> None:
    response = get(server, search_query="all:electron", start=0, max_results=1)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert response.content.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns:opensearch=")
    root = feed(response)
    assert [child.tag for child in root] == [
        f"{ATOM}id", f"{ATOM}title", f"{ATOM}updated", f"{ATOM}link",
        f"{OPENSEARCH}itemsPerPage", f"{OPENSEARCH}totalResults", f"{OPENSEARCH}startIndex",
    ]  # fmt: skip
    assert root.findtext(f"{ATOM}id") == "https://arxiv.org/api/cHxbiOdZaP56ODnBPIenZhzg5f8"
    assert root.findtext(f"{ATOM}title") == "arXiv Query: search_query=all:electron&id_list=&start=0&max_results=1"
    assert root.findtext(f"{ATOM}updated") == "2026-05-16T00:28:51Z"
    link = child(root, f"{ATOM}link")
    assert dict(link.attrib.items()) == {
        "href": "https://arxiv.org/api/query?search_query=all:electron&start=0&max_results=1&id_list=",
        "type": "application/atom+xml",
    }
    assert root.findtext(f"{OPENSEARCH}itemsPerPage") == "1"
    assert root.findtext(f"{OPENSEARCH}totalResults") == "0"


def test_entry_elements_in_the_new_services_order(server: ArxivServer) -> None:
    response = get(server, id_list="2505.01821")
    (entry,) = feed(response).iter(f"{ATOM}entry")
    tags = [child.tag for child in entry]
    assert tags[:9] == [
        f"{ATOM}id", f"{ATOM}title", f"{ATOM}updated", f"{ATOM}link", f"{ATOM}link", f"{ATOM}summary",
        f"{ATOM}category", f"{ATOM}published", f"{ARXIV}comment",
    ]  # fmt: skip
    assert tags[9] == f"{ARXIV}primary_category" and set(tags[10:-2]) == {f"{ATOM}author"}
    assert tags[-2:] == [f"{ARXIV}doi", f"{ATOM}link"]
    assert entry.findtext(f"{ATOM}id") == "http://arxiv.org/abs/2505.01821v5"
    assert entry.findtext(f"{ATOM}updated") == "2026-03-18T13:31:23Z"
    assert entry.findtext(f"{ATOM}published") == "2025-05-03T13:55:38Z"
    assert text(entry, f"{ATOM}summary").startswith("  ")
    links = [dict(link.attrib.items()) for link in entry.iter(f"{ATOM}link")]
    assert links == [
        {"href": "https://arxiv.org/abs/2505.01821v5", "rel": "alternate", "type": "text/html"},
        {
            "href": "https://arxiv.org/pdf/2505.01821v5",
            "rel": "related",
            "type": "application/pdf",
            "title": "pdf",
        },
        {"rel": "related", "href": "https://doi.org/10.1109/COMST.2026.3669216", "title": "doi"},
    ]
    assert dict(child(entry, f"{ARXIV}primary_category").attrib.items()) == {"term": "cs.DC"}
    assert dict(child(entry, f"{ATOM}category").attrib.items()) == {
        "term": "cs.DC",
        "scheme": "http://arxiv.org/schemas/atom",
    }


def test_entry_lists_each_authors_affiliations(server: ArxivServer) -> None:
    (entry,) = feed(get(server, id_list="2603.17456")).iter(f"{ATOM}entry")
    first = child(entry, f"{ATOM}author")
    assert [child.tag for child in first] == [f"{ATOM}name", f"{ARXIV}affiliation"]
    assert first.findtext(f"{ARXIV}affiliation") == "Hong Kong University of Science and Technology"


def test_atom_feed_builds_a_large_page_quickly() -> None:
    seed = load_seed_papers()[0]
    papers = [replace(seed, id=f"2601.{n:05d}") for n in range(2000)]
    began = time.perf_counter()
    body = atom_feed(papers, search_query="cat:cs.DC", max_results=2000, total=31000)
    assert time.perf_counter() - began < 1
    root = etree.fromstring(body)
    assert len(root.findall(f"{ATOM}entry")) == 2000
    assert root.findtext(f"{OPENSEARCH}totalResults") == "31000"


# -- paging, sorting, versions ---------------------------------------------------------------------------


def test_paging_walks_every_match_once(server: ArxivServer) -> None:
    everything = entry_ids(get(server, search_query="cat:cs.DC", max_results=100))
    pages = [entry_ids(get(server, search_query="cat:cs.DC", start=s, max_results=15)) for s in range(0, 90, 15)]
    assert [len(page) for page in pages] == [15, 15, 15, 15, 15, 4]
    assert [i for page in pages for i in page] == everything
    last = feed(get(server, search_query="cat:cs.DC", start=75, max_results=15))
    assert last.findtext(f"{OPENSEARCH}startIndex") == "75"
    assert last.findtext(f"{OPENSEARCH}itemsPerPage") == "15"
    assert last.findtext(f"{OPENSEARCH}totalResults") == "79"


def test_max_results_defaults_to_ten(server: ArxivServer) -> None:
    response = get(server, search_query="cat:cs.DC")
    assert len(entry_ids(response)) == 10
    assert feed(response).findtext(f"{OPENSEARCH}itemsPerPage") == "10"


@pytest.mark.parametrize(("sort_by", "field"), [("lastUpdatedDate", "updated"), ("submittedDate", "published")])
@pytest.mark.parametrize("order", ["ascending", "descending"])
def test_sorting_by_dates(server: ArxivServer, sort_by: str, field: str, order: str) -> None:
    response = get(server, search_query="cat:cs.DC", sortBy=sort_by, sortOrder=order, max_results=100)
    stamps = [text(e, f"{ATOM}{field}") for e in feed(response).iter(f"{ATOM}entry")]
    assert len(stamps) == 79
    assert stamps == sorted(stamps, reverse=order == "descending")


def test_search_answers_only_the_latest_version(server: ArxivServer) -> None:
    response = get(server, search_query='ti:"Hierarchical Precision"')
    assert entry_ids(response) == ["2601.08082v2"]


@pytest.mark.parametrize(
    ("id_list", "expected"),
    [
        ("2601.08082", ["2601.08082v2"]),
        ("2601.08082v1", ["2601.08082v1"]),
        ("2601.08082v2", ["2601.08082v2"]),
        ("2601.08082v1,2601.08082v2", ["2601.08082v1", "2601.08082v2"]),
        ("2601.08082v3", []),
        ("0000.0000,2603.17456,0808.05394", ["2603.17456v1"]),
        ("hep-th/9901001v1", []),
    ],
)
def test_id_list_versions(server: ArxivServer, id_list: str, expected: list[str]) -> None:
    response = get(server, id_list=id_list)
    assert response.status_code == 200
    assert entry_ids(response) == expected
    assert total(response) == len(expected)


def test_id_list_with_a_query_is_the_intersection(server: ArxivServer) -> None:
    response = get(server, search_query="ti:Linear", id_list="2601.08082,2603.17456,2505.23819")
    assert sorted(entry_ids(response)) == ["2505.23819v5", "2601.08082v2"]


def test_form_post_and_raw_post_bodies(server: ArxivServer) -> None:
    form = HTTP.post(server.url, data={"id_list": "2603.17456"})
    assert entry_ids(form) == ["2603.17456v1"]
    raw = HTTP.post(server.url, content=b"id_list=2603.17456v1&max_results=3")
    assert entry_ids(raw) == ["2603.17456v1"]
    assert feed(raw).findtext(f"{OPENSEARCH}itemsPerPage") == "3"
    assert [r.method for r in server.requests] == ["POST", "POST"]


def test_papers_added_at_runtime_are_served(server: ArxivServer) -> None:
    old = next(p for p in load_seed_papers() if p.versioned_id == "2603.17456v1")
    server.add([replace(old, version=2, updated=NOW + timedelta(days=1))])
    assert entry_ids(get(server, id_list="2603.17456")) == ["2603.17456v2"]
    newest = get(server, search_query="cat:cs.DC", sortBy="lastUpdatedDate", max_results=1)
    assert entry_ids(newest) == ["2603.17456v2"]


RL_TOPIC = 'ti:"reinforcement learning" OR abs:"reinforcement learning"'


def test_query_answers_only_matching_papers(server: ArxivServer) -> None:
    """The bot's page listed 20 papers under "reinforcement learning"; none of them is about it."""
    assert entry_ids(get(server, search_query=RL_TOPIC, max_results=100)) == ["2512.06547v3"]


def test_ignore_query_answers_every_paper(server: ArxivServer) -> None:
    server.ignore_query = True
    assert total(get(server, search_query=RL_TOPIC, max_results=100)) == 79


# -- errors (§1.7) ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"search_query": "all:x", "start": "foo"}, 400, "start must be an integer"),
        ({"search_query": "all:x", "start": "-1"}, 400, "start must be non-negative"),
        ({"search_query": "all:x", "max_results": "foo"}, 400, "max_results must be an integer"),
        ({"search_query": "all:x", "max_results": "-1"}, 400, "max_results must be non-negative"),
        (
            {"search_query": "all:x", "sortBy": "date"},
            400,
            "sortBy must be in: relevance, lastUpdatedDate, submittedDate",
        ),
        ({"search_query": "all:x", "sortOrder": "up"}, 400, "sortOrder must be in: ascending, descending"),
        ({"id_list": "abc"}, 400, "incorrect id format for abc"),
        ({"id_list": "cond\u2014mat/0709123"}, 400, "incorrect id format for cond\u2014mat/0709123"),
        ({"search_query": "(ti:electron"}, 400, "Invalid query string: '(ti:electron'"),
        ({}, 400, "Either a search_query or id_list must be specified for the classic API."),
        (
            {"search_query": "", "id_list": ""},
            400,
            "Either a search_query or id_list must be specified for the classic API.",
        ),
        ({"search_query": "all:x", "max_results": "0"}, 500, "The server encountered an internal error"),
        ({"search_query": "all:x", "start": "10000", "max_results": "100"}, 500, "The server encountered"),
    ],
)
def test_error_feeds(server: ArxivServer, params: dict[str, str], status: int, message: str) -> None:
    response = HTTP.get(server.url, params=params)
    assert response.status_code == status
    assert error_message(response).startswith(message)
    root = feed(response)
    assert root.findtext(f"{ATOM}id") == "https://arxiv.org/"
    assert root.findtext(f"{OPENSEARCH}totalResults") == "1"


def test_error_entry_points_to_the_error_slug(server: ArxivServer) -> None:
    (entry,) = feed(get(server, id_list="abc")).iter(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}id") == "https://arxiv.org/api/errors#incorrect_id_format_for_abc"
    assert child(entry, f"{ATOM}link").attrib["href"] == "https://arxiv.org/api/errors#incorrect_id_format_for_abc"
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "arXiv api core"


def test_conftest_fixture_serves_the_seed_papers(arxiv_server: ArxivServer) -> None:
    assert arxiv_server.url == f"http://127.0.0.1:{arxiv_server.port}/api/query"
    assert total(HTTP.get(arxiv_server.url, params={"search_query": "cat:cs.DC"})) == 79


def test_unknown_path_is_404(server: ArxivServer) -> None:
    assert HTTP.get(server.url.replace("/api/query", "/api/other")).status_code == 404


# -- fault switches --------------------------------------------------------------------------------------


def test_faults_apply_in_order_then_the_server_answers(server: ArxivServer) -> None:
    server.unavailable(times=2, retry_after=7)
    server.rate_limited(retry_after=3)
    statuses = [get(server, id_list="2603.17456") for _ in range(4)]
    assert [r.status_code for r in statuses] == [503, 503, 429, 200]
    assert [r.headers.get("retry-after") for r in statuses] == ["7", "7", "3", None]
    assert error_message(statuses[2]) == "Rate exceeded"


def test_fault_for_every_request_until_cleared(server: ArxivServer) -> None:
    server.internal_error(times=None)
    assert [get(server, id_list="2603.17456").status_code for _ in range(3)] == [500, 500, 500]
    server.clear_faults()
    assert get(server, id_list="2603.17456").status_code == 200


def test_rate_limited_with_a_plain_text_body(server: ArxivServer) -> None:
    server.rate_limited(plain=True, retry_after=None)
    response = get(server, id_list="2603.17456")
    assert (response.status_code, response.text, response.headers["content-type"]) == (
        429,
        "Rate exceeded",
        "text/plain",
    )
    assert "retry-after" not in response.headers


def test_reset_connection(server: ArxivServer) -> None:
    server.reset_connection()
    with pytest.raises(httpx.TransportError):
        get(server, id_list="2603.17456")
    assert get(server, id_list="2603.17456").status_code == 200
    assert len(server.requests) == 2


def test_empty_page_still_claims_every_match(server: ArxivServer) -> None:
    server.empty_page()
    response = get(server, search_query="cat:cs.DC", start=15, max_results=15)
    assert response.status_code == 200
    assert entry_ids(response) == []
    assert total(response) == 79


def test_truncated_body_is_not_xml(server: ArxivServer) -> None:
    server.truncated()
    response = get(server, id_list="2603.17456")
    assert response.status_code == 200
    with pytest.raises(etree.XMLSyntaxError):
        feed(response)


@pytest.mark.parametrize("status", [200, 400])
def test_error_feed_fault(server: ArxivServer, status: int) -> None:
    server.error_feed(status=status, message="something broke")
    response = get(server, id_list="2603.17456")
    assert response.status_code == status
    assert error_message(response) == "something broke"


def test_html_error_page_with_status_200(server: ArxivServer) -> None:
    server.html_error()
    response = get(server, id_list="2603.17456")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.startswith("<!DOCTYPE html>")


def test_slow_answer(server: ArxivServer) -> None:
    server.slow(0.3)
    began = time.monotonic()
    assert entry_ids(get(server, id_list="2603.17456")) == ["2603.17456v1"]
    assert time.monotonic() - began >= 0.3
    with pytest.raises(httpx.ReadTimeout):
        server.slow(1)
        httpx.get(server.url, params={"id_list": "2603.17456"}, timeout=0.1)


def test_requests_are_recorded_with_their_user_agent(server: ArxivServer) -> None:
    headers = {"User-Agent": "dailypapers-test/1.0 (mailto:ada@example.org)"}
    with httpx.Client(headers=headers, timeout=5) as client:
        client.get(server.url, params={"id_list": "2603.17456"})
        client.get(server.url, params={"search_query": "cat:cs.DC", "start": "10"})
    assert len(server.requests) == 2
    first, second = server.requests
    assert first.user_agent == second.user_agent == headers["User-Agent"]
    assert (first.method, first.path, first.params) == ("GET", "/api/query", {"id_list": "2603.17456"})
    assert second.params == {"search_query": "cat:cs.DC", "start": "10"}
    assert first.received == NOW and second.time >= first.time


def test_a_fault_aimed_at_some_requests_lets_the_others_pass(server: ArxivServer) -> None:
    server.unavailable(only=lambda path, params: params.get("start") == "10")
    assert get(server, search_query="cat:cs.DC", start=0).status_code == 200
    assert server.pending_faults == 1
    assert get(server, search_query="cat:cs.DC", start=10).status_code == 503
    assert get(server, search_query="cat:cs.DC", start=10).status_code == 200
    assert server.pending_faults == 0


def test_a_changed_total_keeps_the_entries(server: ArxivServer) -> None:
    true_total = total(get(server, search_query="cat:cs.DC"))
    server.changed_total(5)
    changed = get(server, search_query="cat:cs.DC", max_results=10)
    assert (total(changed), len(entry_ids(changed))) == (5, 10)
    assert total(get(server, search_query="cat:cs.DC")) == true_total


def test_repeated_entries_come_again_on_the_next_page_and_nothing_is_left_out(server: ArxivServer) -> None:
    true_total = total(get(server, search_query="cat:cs.DC"))
    server.repeated_entries(1)
    pages = [get(server, search_query="cat:cs.DC", start=start, max_results=10) for start in range(0, 100, 10)]
    ids = [paper for page in pages for paper in entry_ids(page)]
    assert ids[9] == ids[10]  # the end of the first page starts the second
    assert [total(page) for page in pages[:2]] == [true_total, true_total + 1]
    assert len(set(ids)) == true_total


def test_a_damaged_entry_takes_a_place_in_a_search(server: ArxivServer) -> None:
    true_total = total(get(server, search_query="cat:cs.DC"))
    server.damaged_entry(at=2)
    answer = feed(get(server, search_query="cat:cs.DC", max_results=5))
    ids = [entry.findtext(f"{ATOM}id") for entry in answer.iter(f"{ATOM}entry")]
    assert len(ids) == 5 and ids[2] is None and None not in ids[:2] + ids[3:]
    assert int(answer.findtext(f"{OPENSEARCH}totalResults") or 0) == true_total + 1


def test_a_damaged_entry_answers_an_unknown_id_in_its_place(server: ArxivServer) -> None:
    server.damaged_entry()
    answer = feed(get(server, id_list="2605.13319v2,0000.0000,2511.16964v2", max_results=3))
    ids = [entry.findtext(f"{ATOM}id") for entry in answer.iter(f"{ATOM}entry")]
    assert ids == ["http://arxiv.org/abs/2605.13319v2", None, "http://arxiv.org/abs/2511.16964v2"]
