"""The one door to the network, against a real local server: politeness, retries, record and replay."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from arxiv_server import ArxivServer, load_seed_papers
from dailypapers import __version__
from dailypapers.arxiv.api import ExportApi
from dailypapers.errors import ArxivApiError, FetchError
from dailypapers.http import Http, Recorder, Replay, user_agent

QUERY = {"search_query": "cat:cs.DC", "start": "0", "max_results": "5"}


def client(**options: object) -> Http:
    settings: dict[str, object] = {"user_agent": user_agent("ada@example.org"), "delay": 0.0, "max_attempts": 3}
    settings.update(options)
    return Http(**settings)  # type: ignore[arg-type]


def test_requests_name_the_tool_its_version_and_a_contact(arxiv_server: ArxivServer) -> None:
    with client() as http:
        http.get(arxiv_server.url, QUERY)
    agent = arxiv_server.requests[0].user_agent
    assert agent is not None
    assert agent.startswith(f"dailypapers/{__version__} ")
    assert "mailto:ada@example.org" in agent


def test_requests_are_spaced_by_the_delay(arxiv_server: ArxivServer) -> None:
    with client(delay=0.3) as http:
        for _ in range(3):
            http.get(arxiv_server.url, QUERY)
    times = [r.time for r in arxiv_server.requests]
    assert all(later - earlier >= 0.29 for earlier, later in zip(times, times[1:], strict=False))


def test_retry_after_is_honoured(arxiv_server: ArxivServer) -> None:
    arxiv_server.rate_limited(times=1, retry_after=1)
    with client() as http:
        answer = http.get(arxiv_server.url, QUERY)
    first, second = arxiv_server.requests
    assert answer.status == 200
    assert second.time - first.time >= 0.99


@pytest.mark.parametrize(
    "fault",
    ["unavailable", "rate_limited", "internal_error", "reset_connection", "empty_page", "truncated", "html_error"],
)
def test_a_temporary_fault_is_retried(arxiv_server: ArxivServer, fault: str) -> None:
    getattr(arxiv_server, fault)(times=2)
    with client() as http:
        result = ExportApi(http, arxiv_server.url, page_size=10, max_pages=1).search("cat:cs.DC")
    assert len(result.papers) == 10
    assert len(arxiv_server.requests) == 3


def test_a_slow_answer_times_out_and_is_retried(arxiv_server: ArxivServer) -> None:
    arxiv_server.slow(1.0, times=1)
    with client(timeout=0.3) as http:
        answer = http.get(arxiv_server.url, QUERY)
    assert answer.status == 200
    assert len(arxiv_server.requests) == 2


def test_a_source_that_stays_down_gives_up_with_one_clear_line(arxiv_server: ArxivServer) -> None:
    arxiv_server.unavailable(times=None)
    started = time.monotonic()
    with client(max_attempts=4) as http, pytest.raises(FetchError) as caught:
        http.get(arxiv_server.url, QUERY)
    assert time.monotonic() - started < 10
    assert str(caught.value) == f"{arxiv_server.url}: HTTP 503 (Service Unavailable) after 4 attempts"
    assert "\n" not in str(caught.value)


def test_a_dropped_connection_that_persists_is_reported(arxiv_server: ArxivServer) -> None:
    arxiv_server.reset_connection(times=None)
    with client() as http, pytest.raises(FetchError, match="connection failed: .* after 3 attempts"):
        http.get(arxiv_server.url, QUERY)


def test_arxivs_error_feed_is_a_clear_error_carrying_arxivs_message(arxiv_server: ArxivServer) -> None:
    with client() as http, pytest.raises(ArxivApiError) as caught:
        ExportApi(http, arxiv_server.url).by_ids(["abc"])
    assert "incorrect id format for abc" in str(caught.value)
    assert len(arxiv_server.requests) == 1  # a definite answer is not asked again


def test_paging_stops_at_the_end_and_removes_duplicates(arxiv_server: ArxivServer) -> None:
    with client() as http:
        result = ExportApi(http, arxiv_server.url, page_size=25, max_pages=10).search("cat:cs.DC")
    assert result.requests == 4
    assert len(result.papers) == len({p.versioned_id for p in result.papers}) == 79
    assert [p.updated for p in result.papers] == sorted((p.updated for p in result.papers), reverse=True)


def test_a_total_that_grows_after_the_first_page_is_paged_to_its_end(arxiv_server: ArxivServer) -> None:
    """``totalResults`` changes between pages (arxiv-protocol.md §1.8). The first page said 15, the next ones the
    true 79: a search that kept the first total stopped after two pages and lost the other 59 papers."""
    arxiv_server.changed_total(15, only=lambda path, params: params.get("start") == "0")
    with client() as http:
        result = ExportApi(http, arxiv_server.url, page_size=10).search("cat:cs.DC")
    assert len({p.versioned_id for p in result.papers}) == 79


def test_a_total_that_shrinks_ends_the_search_where_the_entries_end(arxiv_server: ArxivServer) -> None:
    """The first page said 200, the next ones the true 79. A search that kept the first total asked again and
    again for the empty page after the last entry and failed with "empty page at start=79"."""
    arxiv_server.changed_total(200, only=lambda path, params: params.get("start") == "0")
    with client() as http:
        result = ExportApi(http, arxiv_server.url, page_size=10).search("cat:cs.DC")
    assert len(result.papers) == 79
    assert result.requests == 8


def test_record_then_replay_answers_the_same_requests_offline(tmp_path: Path) -> None:
    folder = tmp_path / "replay"
    with ArxivServer(load_seed_papers()) as server:
        recorder = Recorder(folder)
        recorder.start("2026-05-16T06:00:00+00:00")
        with client(recorder=recorder) as http:
            live = ExportApi(http, server.url, page_size=30).search("ti:compiler OR abs:compiler")
        url = server.url
    replay = Replay.load(folder)
    assert replay.now == "2026-05-16T06:00:00+00:00"
    with client(replay=replay) as http:
        again = ExportApi(http, "https://export.arxiv.org/api/query", page_size=30).search(
            "ti:compiler OR abs:compiler"
        )
        assert again.papers == live.papers
        with pytest.raises(FetchError, match="not in the replay folder"):
            http.get(url, {"search_query": "ti:other"})


def test_a_long_query_is_sent_as_a_form(arxiv_server: ArxivServer) -> None:
    query = " OR ".join(f'abs:"topic number {n}"' for n in range(80)) + " OR ti:compiler"
    with client() as http:
        result = ExportApi(http, arxiv_server.url, page_size=50).search(query)
    request = arxiv_server.requests[0]
    assert request.method == "POST"
    assert request.params["search_query"] == query
    assert [p.id for p in result.papers] == ["2603.09555"]  # the one paper with "compiler" in its title


def test_paging_stops_before_the_apis_deep_paging_limit(arxiv_server: ArxivServer) -> None:
    """The new API answers HTTP 500 past 10,000 results; a search stops there instead of failing."""
    many = [replace(paper, id=f"2605.{40000 + n}", version=1) for n, paper in enumerate(load_seed_papers() * 130)]
    arxiv_server.add(many)
    with client() as http:
        result = ExportApi(http, arxiv_server.url, page_size=2000, max_pages=20).search("cat:cs.DC")
    assert result.requests == 5
    assert len(result.papers) == 10_000
    assert not result.exhausted
    assert not arxiv_server.errors


def test_announced_papers_are_fetched_two_thousand_ids_a_request(arxiv_server: ArxivServer) -> None:
    ids = [p.versioned_id for p in load_seed_papers()] * 30  # 2,400 ids, duplicates included
    with client() as http:
        result = ExportApi(http, arxiv_server.url).by_ids(ids)
    assert [r.method for r in arxiv_server.requests] == ["POST", "POST"]
    assert {p.versioned_id for p in result.papers} == {p.versioned_id for p in load_seed_papers()}
