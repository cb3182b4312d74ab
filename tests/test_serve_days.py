"""The reader's days, against the real server over a real archive: the list with its counts, a day's page, its
neighbours, days an announcement names, pages of years of days, and dates that are not days."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from markupsafe import escape

from archive_world import growing_archive
from dailypapers.store import Store
from reader_server import Running, running_reader
from reader_world import HOSTILE_TITLES, hostile_papers, latest_seed_papers, second_run_ids, seed_archive
from signals_world import signal_rows


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    config, _ = seed_archive(tmp_path_factory.mktemp("days"))
    with running_reader(config) as running:
        yield running


def _days(page: str) -> list[tuple[str, str, dict[str, int]]]:
    """(day, "N papers", {topic: count}) of each day the list shows, in its order."""
    rows = re.findall(r'<li class="day[^"]*" data-day="([^"]+)">(.*?)</li>', page, re.S)
    shown = []
    for day, row in rows:
        count = re.search(r'<span class="day-count">([^<]+)</span>', row)
        topics = re.findall(r'<span class="topic" data-count="(\d+)">(.*?) \d+</span>', row)
        shown.append((day, count.group(1) if count else "", {name: int(n) for n, name in topics}))
    return shown


def _cards(page: str) -> list[str]:
    return re.findall(r'data-paper="([^"]+)"', page)


def test_the_list_counts_each_days_papers_per_topic_and_in_all_once(reader: Running) -> None:
    page = httpx.get(f"{reader.url}days", timeout=5)
    seeds = len(latest_seed_papers())
    half, rest = seeds // 2, seeds - seeds // 2
    assert page.status_code == 200
    assert _days(page.text) == [
        ("2026-05-15", f"{rest + 2} papers", {"compilers": rest, "everything": rest + 2}),
        ("2026-05-14", f"{half} papers", {"everything": half}),
    ]
    assert 'href="/days/2026-05-15"' in page.text and "Fri 15 May 2026" in page.text


def test_a_days_page_shows_each_paper_it_brought_once_with_every_topic(reader: Running) -> None:
    page = httpx.get(f"{reader.url}days/2026-05-15", timeout=5)
    assert page.status_code == 200 and '<h1><time datetime="2026-05-15">Fri 15 May 2026</time></h1>' in page.text
    assert sorted(_cards(page.text)) == sorted(second_run_ids())
    both = second_run_ids()[0]
    card = page.text.split(f'data-paper="{both}"')[1].split("</li>")[0]
    assert '<span class="topic">compilers</span>' in card and '<span class="topic">everything</span>' in card
    assert ">Star</button>" in card and ">Dismiss</button>" in card
    first = {paper.id for paper in latest_seed_papers()[: len(latest_seed_papers()) // 2]}
    older = httpx.get(f"{reader.url}days/2026-05-14", timeout=5)
    assert set(_cards(older.text)) == first


def test_each_day_links_the_neighbours_that_hold_papers(reader: Running) -> None:
    newest = httpx.get(f"{reader.url}days/2026-05-15", timeout=5).text
    oldest = httpx.get(f"{reader.url}days/2026-05-14", timeout=5).text
    assert 'rel="prev" href="/days/2026-05-14"' in newest and 'rel="next"' not in newest
    assert 'rel="next" href="/days/2026-05-15"' in oldest and 'rel="prev"' not in oldest


@pytest.mark.parametrize(
    "day",
    [
        "2026-05-13",
        "2026-13-01",
        "2026-02-30",
        "20260515",
        "2026-W20-5",
        "yesterday",
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ],
)
def test_a_date_that_is_not_a_day_of_the_archive_is_a_friendly_404(reader: Running, day: str) -> None:
    answer = httpx.get(f"{reader.url}days/{day}", timeout=5)
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")
    assert "<h1>Not here</h1>" in answer.text and "Traceback" not in answer.text
    assert "<script>alert" not in answer.text


def test_hostile_titles_on_a_days_page_are_text_and_reading_marks_nothing(reader: Running) -> None:
    page = httpx.get(f"{reader.url}days/2026-05-15", timeout=5).text
    for title in HOSTILE_TITLES:
        assert str(escape(title)) in page
    assert "<svg" not in page and "<iframe" not in page and page.count("<script") == 5  # the frame's own
    assert {paper.id for paper in hostile_papers()} <= set(_cards(page))
    assert signal_rows(reader.database) == []


def test_a_run_that_covered_an_announcement_is_filed_under_that_day(tmp_path: Path) -> None:
    """With a category scope, a day is the announcement a run covered, not the day it finished; an announcement
    covered without a match is listed (with nothing on the topics) and its page says what it listed."""
    config, database = seed_archive(tmp_path)
    config.write_text(config.read_text() + '\n[scope]\ncategories = ["cs"]\n', encoding="utf-8")
    with Store.open(database) as store, store.transaction():
        last = store.runs()[-1]
        store.finish_run(last.id, datetime(2026, 5, 15, 7, tzinfo=UTC), "new", announcement="2026-05-13")
        store.record_announcement(date(2026, 5, 13), {"cs.DC": {"new": 7, "cross": 2}}, "feed", last.id, ["cs"])
        store.record_announcement(date(2026, 5, 12), {}, "feed", last.id, ["cs"])
    with running_reader(config) as reader:
        listed = _days(httpx.get(f"{reader.url}days", timeout=5).text)
        day = httpx.get(f"{reader.url}days/2026-05-13", timeout=5).text
        quiet = httpx.get(f"{reader.url}days/2026-05-12", timeout=5)
    assert [shown[0] for shown in listed] == ["2026-05-14", "2026-05-13", "2026-05-12"]
    assert listed[2][1] == "0 papers" and sorted(_cards(day)) == sorted(second_run_ids())
    assert "arXiv announcement of Wed 13 May 2026" in day and 'rel="prev" href="/days/2026-05-14"' not in day
    assert 'rel="next" href="/days/2026-05-14"' in day
    assert quiet.status_code == 200 and "No papers on your topics that day." in quiet.text


def graphs_archive(folder: Path, days: int, per_day: int) -> Path:
    """A config over ``days`` daily runs of ``per_day`` papers each, on one topic; its path."""
    growing_archive(folder / "dailypapers.db", ["graphs"], days=days, per_day=per_day)
    config = folder / "dailypapers.toml"
    config.write_text('[[topics]]\nname = "graphs"\nquery = "abs:graph"\n', encoding="utf-8")
    return config


def test_years_of_days_come_in_pages(tmp_path: Path) -> None:
    with running_reader(graphs_archive(tmp_path, days=75, per_day=2)) as reader:
        first = httpx.get(f"{reader.url}days", timeout=5).text
        second = httpx.get(f"{reader.url}days?page=2", timeout=5).text
        beyond = [httpx.get(f"{reader.url}days?page={page}", timeout=5).status_code for page in ("3", "0", "x")]
    shown = _days(first) + _days(second)
    assert len(_days(first)) == 60 and len(shown) == 75 and "75 days in the archive, page 1 of 2" in first
    assert [day for day, _, _ in shown] == sorted((day for day, _, _ in shown), reverse=True)
    assert {count for _, count, _ in shown} == {"2 papers"}
    assert 'rel="next" href="/days?page=2"' in first and 'rel="prev" href="/days?page=1"' in second
    assert beyond == [404, 404, 404]


def test_a_day_of_many_papers_comes_in_pages_of_cards(tmp_path: Path) -> None:
    with running_reader(graphs_archive(tmp_path, days=1, per_day=150)) as reader:
        day = _days(httpx.get(f"{reader.url}days", timeout=5).text)[0][0]
        pages = [httpx.get(f"{reader.url}days/{day}?page={page}", timeout=5) for page in (1, 2, 3)]
    first, second = _cards(pages[0].text), _cards(pages[1].text)
    assert len(first) == 100 and len(second) == 50 and len(set(first + second)) == 150
    assert "150 papers: graphs 150; page 1 of 2" in pages[0].text and 'href="?page=2"' in pages[0].text
    assert pages[2].status_code == 404
