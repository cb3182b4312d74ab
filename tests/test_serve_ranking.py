"""The reader's order by interest, against the real server over a real archive of the seed papers' real text: a
starred paper's near copy comes first in its topic and says why, too few stars keep date order and say how many
are needed, For you lists what matches no topic but is like what was starred, capped; hostile titles stay text."""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from markupsafe import escape

from archive_world import Run, write_archive
from browser import DESKTOP, PHONE, screenshot
from dailypapers.model import Author, Paper, Signal
from dailypapers.serve.ranking import FOR_YOU
from dailypapers.store import Store
from reader_browser import browsing, paper_card, wait_for_card
from reader_server import post_headers, running_reader, session
from reader_world import SCRIPT
from signals_world import latest_papers

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytest_plugins = ("reader_fixtures",)  # the fixture browser

CONFIG = 'title = "Ranking test"\ndatabase = "dailypapers.db"\n\n[[topics]]\nname = "serving"\nquery = "ti:serving"\n'
LIKED = ("2603.06350", "2412.15411", "2511.21431")  # MoE serving, MoE checkpointing, MoE scheduling
SERVING = ("2603.05800", "2603.10342", "2603.10353", "2603.17456")  # other serving papers: the topic's matches
TWIN = "2605.20001"  # a near copy of the starred MoE serving paper: the topic's oldest match
APART = "2605.20002"  # a near copy of the starred MoE checkpointing paper, matching no topic
FIRST = "2603.18383"  # "From Servers to Sites": the first run's one match
RUN_DAY = datetime(2026, 5, 14, tzinfo=UTC)


def near_copy(paper: Paper, new_id: str, hour: int, title: str | None = None) -> Paper:
    """The paper as another group would write it: its abstract's sentences reordered, one left out, the title
    reworded; submitted on the run's day at ``hour``."""
    sentences = re.split(r"(?<=\.)\s+", paper.abstract)
    moment = RUN_DAY + timedelta(hours=hour)
    return replace(paper, id=new_id, version=1, title=title or f"Revisiting {paper.title}",
                   abstract=" ".join(sentences[1:][::-1]), published=moment, updated=moment,
                   authors=(Author("Another Group"),))  # fmt: skip


def archive(folder: Path, extra: list[Paper] | None = None, twin_title: str | None = None) -> Path:
    """The seed papers (stored by a first run), then a second run on ``RUN_DAY`` matching the serving papers and
    the twin, the oldest of them; ``APART`` and ``extra`` stored on that day, matching no topic."""
    seeds = {paper.id: paper for paper in latest_papers()}
    serving = [replace(seeds[key], updated=RUN_DAY + timedelta(hours=10 + n)) for n, key in enumerate(SERVING)]
    twin = near_copy(seeds[LIKED[0]], TWIN, 1, twin_title)
    first = Run(RUN_DAY - timedelta(days=30), [("serving", seeds[FIRST], None)])
    second = Run(RUN_DAY + timedelta(hours=23), [("serving", paper, None) for paper in (*serving, twin)])
    database = folder / "dailypapers.db"
    write_archive(database, {"serving": "ti:serving"}, [first, second])
    with Store.open(database) as store, store.transaction():
        stored = [paper for key, paper in seeds.items() if key not in (*SERVING, FIRST)]
        store.add_versions([*stored, near_copy(seeds[LIKED[1]], APART, 2), *(extra or [])], run=None)
    config = folder / "dailypapers.toml"
    config.write_text(CONFIG, encoding="utf-8")
    return config


def star(database: Path, *paper_ids: str) -> None:
    with Store.open(database) as store:
        store.record_signals(Signal.STAR, [(key, None) for key in paper_ids], datetime.now(UTC))


def serving_order(page: str) -> list[str]:
    group = page.split('id="new-t-serving"')[1].split("</section>")[0]
    return re.findall(r'data-paper="([^"]+)"', group)


def card_of(page: str, paper_id: str) -> str:
    return page.split(f'data-paper="{paper_id}"')[1].split("</li>")[0]


def for_you(page: str) -> list[str]:
    if 'id="for-you"' not in page:
        return []
    return re.findall(r'data-paper="([^"]+)"', page.split('id="for-you"')[1].split("</section>")[0])


def test_stars_from_the_reader_put_the_liked_papers_twin_first_with_its_reason(tmp_path: Path) -> None:
    config = archive(tmp_path)
    with running_reader(config) as reader, httpx.Client(timeout=10) as client:
        before = client.get(reader.url).text
        assert serving_order(before)[-1] == TWIN  # date order: the oldest last
        assert "Ranking starts after 3 stars or library papers; you have 0." in before
        token = session(client, reader.url)
        for paper_id in LIKED:
            posted = client.post(f"{reader.url}papers/{paper_id}/star", headers=post_headers(reader.url, token))
            assert posted.status_code == 303
        after = client.get(reader.url).text
    order = serving_order(after)
    assert order[0] == TWIN and sorted(order) == sorted([*SERVING, TWIN])  # first, and every match still listed
    title = next(paper.title for paper in latest_papers() if paper.id == LIKED[0])
    why = re.search(r'<p class="why">Ranked: ([^<]*)</p>', card_of(after, TWIN))
    assert why is not None and why.group(1).startswith(f"Like ‘{escape(title)}’ (starred)")
    assert "words: " in why.group(1) and "Ranking starts after" not in after
    assert all('<p class="why">' in card_of(after, paper_id) for paper_id in order)


def test_a_new_star_orders_by_the_last_model_until_the_new_one_is_trained(tmp_path: Path) -> None:
    config = archive(tmp_path)
    star(tmp_path / "dailypapers.db", *LIKED)
    newly = SERVING[0]
    title = next(paper.title for paper in latest_papers() if paper.id == newly)
    with running_reader(config) as reader, httpx.Client(timeout=10) as client:
        first = client.get(reader.url).text
        token = session(client, reader.url)
        client.post(f"{reader.url}papers/{newly}/star", headers=post_headers(reader.url, token))
        pages = [client.get(reader.url).text]
        while f"Like ‘{escape(title)}’" not in pages[-1] and len(pages) < 50:  # trained in the background
            threading.Event().wait(0.1)
            pages.append(client.get(reader.url).text)
    assert serving_order(pages[0])[0] == TWIN and "Ranking is learning" not in pages[0]  # the last model meanwhile,
    assert f"Like ‘{escape(title)}’" not in pages[0]  # which knew nothing of the new star
    assert f"Like ‘{escape(title)}’ (starred)" in card_of(pages[-1], newly)  # then the new one
    assert f"Like ‘{escape(title)}’" not in first


def test_too_few_stars_keep_date_order_and_say_how_many_are_needed(tmp_path: Path) -> None:
    config = archive(tmp_path)
    star(tmp_path / "dailypapers.db", LIKED[0])
    with running_reader(config) as reader:
        page = httpx.get(reader.url, timeout=10).text
    assert '<p class="ranking-note">Ranking starts after 3 stars or library papers; you have 1.</p>' in page
    assert serving_order(page) == [*SERVING[::-1], TWIN]  # newest first, as without a ranking
    assert '<p class="why">' not in page and for_you(page) == []


def test_for_you_lists_a_paper_of_the_run_matching_no_topic_like_a_starred_one(tmp_path: Path) -> None:
    config = archive(tmp_path)
    star(tmp_path / "dailypapers.db", *LIKED)
    with running_reader(config) as reader:
        page = httpx.get(reader.url, timeout=10).text
    picked = for_you(page)
    assert picked == [APART]  # not the day's unrelated papers (gossip, exploration, ...), nor a topic's or a liked one
    assert sorted(serving_order(page)) == sorted([*SERVING, TWIN])
    liked = next(paper.title for paper in latest_papers() if paper.id == LIKED[1])
    assert f"Like ‘{escape(liked)}’ (starred)" in card_of(page, APART)
    assert '<a href="#for-you">For you' in page


def test_for_you_never_holds_more_than_a_screenful(tmp_path: Path) -> None:
    seeds = {paper.id: paper for paper in latest_papers()}
    copies = [near_copy(seeds[LIKED[n % 3]], f"2605.3{n:04d}", 3 + n % 12, f"Study {n} of MoE") for n in range(15)]
    config = archive(tmp_path, copies)
    star(tmp_path / "dailypapers.db", *LIKED)
    with running_reader(config) as reader:
        page = httpx.get(reader.url, timeout=10).text
    assert len(for_you(page)) == FOR_YOU
    assert f'For you <span class="count">{FOR_YOU}</span>' in page


def test_a_hostile_title_in_a_reason_stays_text(tmp_path: Path) -> None:
    config = archive(tmp_path, twin_title=f"{SCRIPT} serving twin")
    database = tmp_path / "dailypapers.db"
    seeds = {paper.id: paper for paper in latest_papers()}
    hostile = replace(seeds[LIKED[0]], id="2605.20009", title=f'{SCRIPT} "MoE" serving ‘quoted’ {"x" * 300}')
    with Store.open(database) as store, store.transaction():
        store.add_versions([hostile], run=None)
    star(database, *LIKED[1:], hostile.id)
    with running_reader(config) as reader:
        page = httpx.get(reader.url, timeout=10).text
    assert SCRIPT not in page and page.count(str(escape(SCRIPT))) >= 2
    why = re.search(r'<p class="why">Ranked: ([^<]*)</p>', card_of(page, TWIN))
    assert why is not None and why.group(1).startswith(f"Like ‘{escape(SCRIPT)}")
    assert len(why.group(1)) < 300  # the liked title is cut short: one line


def test_a_days_page_orders_its_topic_as_the_inbox_does(tmp_path: Path) -> None:
    config = archive(tmp_path)
    star(tmp_path / "dailypapers.db", *LIKED)
    with running_reader(config) as reader:
        inbox = httpx.get(reader.url, timeout=10).text  # the first model is trained for the inbox, which waits
        day = httpx.get(f"{reader.url}days/{RUN_DAY.date().isoformat()}", timeout=10).text
    group = day.split('id="day-t-serving"')[1].split("</section>")[0]
    order = re.findall(r'data-paper="([^"]+)"', group)
    assert order[0] == TWIN and order == serving_order(inbox) and "Ranked: Like ‘" in day


def test_a_ranking_that_cannot_train_keeps_date_order(tmp_path: Path) -> None:
    """Three stars on an archive holding nothing older than a week: no background to learn from, so training
    nothing; the page keeps date order and says why, never a 500."""
    seeds = {paper.id: paper for paper in latest_papers()}
    papers = [replace(seeds[key], updated=RUN_DAY + timedelta(hours=n)) for n, key in enumerate((*LIKED, *SERVING))]
    write_archive(tmp_path / "dailypapers.db", {"serving": "ti:serving"}, [Run(RUN_DAY + timedelta(hours=23), [
        ("serving", paper, None) for paper in papers])])  # fmt: skip
    (tmp_path / "dailypapers.toml").write_text(CONFIG, encoding="utf-8")
    star(tmp_path / "dailypapers.db", *LIKED)
    with running_reader(tmp_path / "dailypapers.toml") as reader:
        page = httpx.get(reader.url, timeout=10)
    assert page.status_code == 200 and "Ranking cannot learn yet: the ranking learns against papers older" in page.text
    assert "`dailypapers backfill --from DATE` fills it; date order." in page.text
    assert serving_order(page.text) == [paper.id for paper in papers][::-1]  # newest first
    assert '<p class="why">' not in page.text


@pytest.mark.parametrize(("viewport", "dark"), [(DESKTOP, False), (PHONE, True)])
def test_for_you_in_a_browser_stars_in_place(
    browser: Browser, tmp_path: Path, viewport: dict[str, int], dark: bool
) -> None:
    config = archive(tmp_path)
    star(tmp_path / "dailypapers.db", *LIKED)
    with running_reader(config) as reader, browsing(browser, reader.url, viewport, dark) as watched:
        page = watched.page
        assert page.locator("#for-you .why").first.inner_text().startswith("Ranked: Like ‘Sparse Checkpointing")
        paper_card(page, APART).get_by_role("button", name="Star", exact=True).click()
        wait_for_card(page, APART, "starred")
        path = screenshot(page, f"reader-ranking-{'phone' if viewport == PHONE else 'desktop'}{'-dark' * dark}.png")
        assert path.stat().st_size > 10_000
        assert page.evaluate("document.scrollingElement.scrollWidth") <= viewport["width"]  # nothing sideways
        assert watched.problems == []
