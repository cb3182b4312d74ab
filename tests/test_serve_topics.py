"""The topics page, its plots, the editor's preview and Save, against the real server over a real archive."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import unescape
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from click.testing import CliRunner

from dailypapers.cli import cli
from dailypapers.config import load_config
from dailypapers.query import parse
from dailypapers.serve.plot import first_week
from dailypapers.store import Store
from reader_server import Running, post_headers, running_reader, session
from reader_world import SCRIPT
from topics_world import CONFIG, TOPICS, topics_archive, weekly_truth


@dataclass(frozen=True)
class World:
    reader: Running
    config: Path
    today: date


@pytest.fixture()
def world(tmp_path: Path) -> Iterator[World]:
    today = datetime.now(UTC).date()
    config, _ = topics_archive(tmp_path, today)
    with running_reader(config) as running:
        yield World(running, config, today)


def plotted(page: str, topic: str) -> dict[date, int]:
    """The weeks and counts the SVG of ``topic``'s row draws."""
    row = page.split(f'<h2 class="topic-name">{topic}</h2>')[1].split("</li>")[0]
    bars = re.findall(r'<rect [^>]*data-week="([\d-]+)" data-count="(\d+)"', row)
    return {date.fromisoformat(week): int(count) for week, count in bars}


def test_each_topic_shows_its_query_its_total_and_a_plot_of_the_stores_weekly_counts(world: World) -> None:
    page = httpx.get(world.reader.url + "topics", timeout=5).text
    with Store.open(world.reader.database) as store:
        weekly = store.weekly_matches(first_week(world.today))
        totals = store.matched_papers()
    for topic, query in TOPICS.items():
        assert f"<code>{query}</code></a>" in page and f'href="/search?q={quote(query)}"' in page
        assert f"{totals[topic]} papers matched" in page
        bars = plotted(page, topic)
        assert len(bars) == 26 and min(bars) == first_week(world.today)
        assert {week: count for week, count in bars.items() if count} == weekly[topic]
        truth = weekly_truth(world.today, topic)
        assert {week: count for week, count in truth.items() if week >= min(bars)} == weekly[topic]
        label = page.split(f'<h2 class="topic-name">{topic}</h2>')[1].split('aria-label="')[1].split('"')[0]
        assert f"Week by week: {', '.join(str(count) for count in bars.values())}." in label
    assert 'fill="' not in page  # bars take currentColor from the stylesheet, readable in dark mode too


def test_a_malformed_query_shows_the_clis_message_and_caret(world: World) -> None:
    query = "ti:(graph AND"
    answer = httpx.get(world.reader.url + "topics/preview", params={"q": query}, timeout=5)
    shown = unescape(re.search(r'<pre class="query-error"[^>]*>(.*?)</pre>', answer.text, re.S).group(1))  # type: ignore[union-attr]
    printed = CliRunner().invoke(cli, ["search", "--config", str(world.config), query])
    assert printed.exit_code == 2
    assert printed.stderr.strip() == f"dailypapers: error: {shown}".strip()
    lines = shown.splitlines()
    assert lines[1] == f"  {query}" and lines[2] == " " * (2 + query.index("AND")) + "^^^"


def test_a_good_query_shows_its_count_and_the_newest_ten(world: World) -> None:
    query = "cat:cs.DC ANDNOT abs:compiler"
    answer = httpx.get(world.reader.url + "topics/preview", params={"q": query}, timeout=5)
    with Store.open(world.reader.database) as store:
        every = store.search(parse(query), limit=10_000)
    assert answer.status_code == 200 and "<html" not in answer.text
    assert f"matches {len(every)} papers in the archive" in answer.text and len(every) > 10
    assert re.findall(r'data-paper="([^"]+)"', answer.text) == [paper.id for paper in every[:10]]
    assert f'href="/papers/{every[0].id}"' in answer.text


def test_without_javascript_preview_is_a_get_of_the_whole_page(world: World) -> None:
    page = httpx.get(world.reader.url + "topics", params={"name": "mine", "q": "abs:compiler"}, timeout=5)
    assert page.status_code == 200 and 'value="mine"' in page.text and 'value="abs:compiler"' in page.text
    assert re.search(r"matches \d+ papers? in the archive", page.text)
    assert 'formmethod="get"' in page.text and 'hx-get="/topics/preview"' in page.text
    with_token = httpx.get(world.reader.url + "topics", params={"csrf_token": "abc", "name": "n", "q": "x"}, timeout=5)
    assert with_token.status_code == 303 and with_token.headers["location"] == "/topics?name=n&q=x#new-topic"


def test_hostile_query_text_is_escaped(world: World) -> None:
    for query in (f"ti:{SCRIPT}", f'ti:"{SCRIPT}', SCRIPT):
        answer = httpx.get(world.reader.url + "topics", params={"q": query, "name": SCRIPT}, timeout=5)
        assert answer.status_code == 200 and SCRIPT not in answer.text
    with httpx.Client(timeout=5) as client:
        token = session(client, world.reader.url)
        form = {"csrf_token": token, "name": SCRIPT, "q": 'ti:"<img src=x>"'}
        saved = client.post(world.reader.url + "topics", headers=post_headers(world.reader.url, None), data=form)
        page = client.get(world.reader.url + saved.headers["location"].lstrip("/")).text
    assert load_config(world.config).topics[-1].name == SCRIPT
    assert SCRIPT not in page and "<img src=x>" not in page and "&lt;script&gt;" in page


def test_save_without_a_token_or_from_another_site_is_refused_and_writes_nothing(world: World) -> None:
    url = world.reader.url + "topics"
    with httpx.Client(timeout=5) as client:
        token = session(client, world.reader.url)
        form = {"name": "graphs", "q": "ti:graph"}
        assert client.post(url, headers=post_headers(world.reader.url, None), data=form).status_code == 403
        other = {"Origin": "http://evil.example", "X-CSRF-Token": token}
        assert client.post(url, headers=other, data=form).status_code == 403
    assert world.config.read_text(encoding="utf-8") == CONFIG


def test_save_adds_the_topic_keeping_the_file_and_the_page_says_the_next_run_backfills_it(world: World) -> None:
    with httpx.Client(timeout=5) as client:
        token = session(client, world.reader.url)
        answer = client.post(
            world.reader.url + "topics",
            headers=post_headers(world.reader.url, None),
            data={"csrf_token": token, "name": "graphs", "q": 'ti:"graph neural"'},
        )
        assert answer.status_code == 303 and answer.headers["location"] == "/topics?saved=graphs"
        page = client.get(world.reader.url + "topics?saved=graphs").text
    head, tail = CONFIG.split("[outputs]")
    assert world.config.read_text(encoding="utf-8") == head + (
        '[[topics]]\nname = "graphs"\nquery = \'ti:"graph neural"\'\n\n[outputs]' + tail
    )
    assert "Saved the topic “graphs”: the next <code>dailypapers run</code> back-fills it." in page
    assert '<h2 class="topic-name">graphs</h2>' in page and "new: the next run back-fills it" in page


def test_a_name_taken_needs_confirmation_then_replaces_the_query(world: World) -> None:
    with httpx.Client(timeout=5) as client:
        token = session(client, world.reader.url)
        form = {"csrf_token": token, "name": "compilers", "q": "ti:compiler"}
        headers = post_headers(world.reader.url, None)
        asked = client.post(world.reader.url + "topics", headers=headers, data=form)
        assert asked.status_code == 409 and 'name="replace" value="yes"' in asked.text
        assert "<code>abs:compiler</code>" in asked.text.split('class="confirm"')[1]
        assert world.config.read_text(encoding="utf-8") == CONFIG
        done = client.post(world.reader.url + "topics", headers=headers, data={**form, "replace": "yes"})
        assert done.status_code == 303
        page = client.get(world.reader.url + "topics").text
    assert load_config(world.config).topics[0].source == "ti:compiler"
    assert "query changed: the next run matches it again" in page


@pytest.mark.parametrize(
    ("name", "query", "shown"),
    [
        ("bad", "ti:(graph", "unbalanced &#39;(&#39; at column 4\n  ti:(graph\n     ^"),
        ("bad", "cat:cs.XY", "cs.XY"),
        ("", "ti:graph", "a topic needs a name"),
    ],
)
def test_an_invalid_topic_shows_the_form_again_with_the_error_and_writes_nothing(
    world: World, name: str, query: str, shown: str
) -> None:
    with httpx.Client(timeout=5) as client:
        token = session(client, world.reader.url)
        answer = client.post(
            world.reader.url + "topics",
            headers=post_headers(world.reader.url, None),
            data={"csrf_token": token, "name": name, "q": query},
        )
    assert answer.status_code == 400 and shown in answer.text
    assert f'value="{query}"' in answer.text
    assert world.config.read_text(encoding="utf-8") == CONFIG


def test_an_archive_without_a_search_index_says_so_instead_of_failing(tmp_path: Path) -> None:
    config, _ = topics_archive(tmp_path, datetime.now(UTC).date(), indexed=False)
    with running_reader(config) as reader:
        answer = httpx.get(reader.url + "topics/preview", params={"q": "abs:compiler"}, timeout=5)
    assert answer.status_code == 200 and "The archive cannot answer now" in answer.text
    assert "`dailypapers search` does it once" in answer.text


def test_an_archive_no_run_has_added_to_for_months_still_plots_its_last_half_year(tmp_path: Path) -> None:
    """The plot ends with the latest run's week, not today's: an example archive, or one left for a sabbatical,
    does not show 26 empty weeks."""
    then = date(2026, 5, 15)
    config, database = topics_archive(tmp_path, then)
    with running_reader(config) as reader:
        page = httpx.get(reader.url + "topics", timeout=5).text
    with Store.open(database) as store:
        weekly = store.weekly_matches(first_week(then))
    for topic in TOPICS:
        bars = plotted(page, topic)
        assert min(bars) == first_week(then) and max(bars) == first_week(then, 1)
        assert {week: count for week, count in bars.items() if count} == weekly[topic] != {}
