"""The reader's inbox and its buttons, against the real server over a real archive (httpx, no test client)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from markupsafe import escape

from dailypapers.model import Signal
from dailypapers.store import Store
from reader_server import Running, post_headers, running_reader, session
from reader_world import BREAKOUT, HOSTILE_TITLES, IMAGE, SCRIPT, hostile_papers, second_run_ids, seed_archive
from signals_world import signal_rows


@pytest.fixture()
def reader(tmp_path: Path) -> Iterator[Running]:
    config, _ = seed_archive(tmp_path)
    with running_reader(config) as running:
        yield running


def test_the_inbox_lists_each_paper_of_the_latest_run_once_with_every_topic(reader: Running) -> None:
    page = httpx.get(reader.url, timeout=5)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for paper_id in second_run_ids():
        assert page.text.count(f'data-paper="{paper_id}"') == 1
    both = second_run_ids()[0]
    card = page.text.split(f'data-paper="{both}"')[1].split("</li>")[0]
    assert '<span class="topic">compilers</span>' in card and '<span class="topic">everything</span>' in card
    assert page.text.count(">Star</button>") == page.text.count("data-paper=") > len(second_run_ids())
    assert ">Dismiss</button>" in page.text


def test_star_then_reload_shows_unstar_and_the_row_is_stored(reader: Running) -> None:
    paper_id = second_run_ids()[0]
    with httpx.Client(timeout=5) as client:
        token = session(client, reader.url)
        answer = client.post(f"{reader.url}papers/{paper_id}/star", headers=post_headers(reader.url, token), data={})
        assert answer.status_code == 303 and answer.headers["location"] == f"/#p-{paper_id.replace('.', '-')}"
        card = client.get(reader.url).text.split(f'data-paper="{paper_id}"')[1].split("</li>")[0]
    assert ">Unstar</button>" in card and ">Star</button>" not in card and 'aria-pressed="true"' in card
    assert [(row[1], row[3]) for row in signal_rows(reader.database)] == [(paper_id, "star")]


def test_a_plain_form_with_its_token_field_works_and_htmx_gets_the_button_bar(reader: Running) -> None:
    paper_id = second_run_ids()[1]
    with httpx.Client(timeout=5) as client:
        token = session(client, reader.url)
        origin = post_headers(reader.url, None)
        form = client.post(f"{reader.url}papers/{paper_id}/dismiss", headers=origin, data={"csrf_token": token})
        assert form.status_code == 303
        swap = client.post(
            f"{reader.url}papers/{paper_id}/undismiss",
            headers={**post_headers(reader.url, token), "HX-Request": "true", "HX-Current-URL": reader.url},
        )
    assert swap.status_code == 200 and swap.text.lstrip().startswith('<div class="actions"')
    assert ">Dismiss</button>" in swap.text and "<html" not in swap.text
    assert swap.text.count('name="next" value="/"') == 2  # the page htmx was on, not the POST's path
    assert [row[3] for row in signal_rows(reader.database)] == ["dismiss", "undismiss"]


def test_an_unknown_paper_is_404_and_writes_nothing(reader: Running) -> None:
    with httpx.Client(timeout=5) as client:
        token = session(client, reader.url)
        answer = client.post(f"{reader.url}papers/2999.99999/star", headers=post_headers(reader.url, token))
    assert answer.status_code == 404 and signal_rows(reader.database) == []


def test_hostile_titles_arrive_as_text(reader: Running) -> None:
    page = httpx.get(reader.url, timeout=5).text
    for title in HOSTILE_TITLES:
        assert str(escape(title)) in page
    for markup in (SCRIPT, IMAGE, BREAKOUT, "<iframe", "<svg"):
        assert markup not in page
    assert page.count("<script") == 5  # the frame's own (htmx, KaTeX, tex.js, reader.js), nothing from a paper


def test_every_answer_carries_the_content_security_policy(reader: Running) -> None:
    for path in ("", "static/reader.css", "site/style.css", "no/such/page"):
        answer = httpx.get(reader.url + path, timeout=5)
        assert "default-src 'self'" in answer.headers["content-security-policy"]
        assert answer.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("given", "back"),
    [
        ("/papers/{id}", "/papers/{id}"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/papers/{id}", "/papers/{id}"),
        ("javascript:alert(1)", "/"),
        ("evil.example", "/"),
        ("/\nSet-Cookie:x", "/"),
        ("", "/"),
    ],
)
def test_a_plain_form_comes_back_only_to_a_page_of_the_reader(reader: Running, given: str, back: str) -> None:
    paper_id = second_run_ids()[2]
    with httpx.Client(timeout=5) as client:
        token = session(client, reader.url)
        form = {"csrf_token": token, "next": given.format(id=paper_id)}
        answer = client.post(f"{reader.url}papers/{paper_id}/star", headers=post_headers(reader.url, None), data=form)
    anchor = "#p-" + paper_id.replace(".", "-")
    assert answer.status_code == 303 and answer.headers["location"] == back.format(id=paper_id) + anchor


def test_the_forms_of_a_page_name_it_as_the_way_back(reader: Running) -> None:
    paper_id = second_run_ids()[0]
    page = httpx.get(f"{reader.url}papers/{paper_id}", timeout=5).text
    assert page.count(f'name="next" value="/papers/{paper_id}"') == 2
    inbox = httpx.get(reader.url, timeout=5).text
    assert inbox.count('name="next" value="/"') == 2 * inbox.count("data-paper=")


def test_read_papers_come_after_the_unread_ones(tmp_path: Path) -> None:
    config, database = seed_archive(tmp_path)
    first, second = second_run_ids()[:2]
    with Store.open(database) as store:
        store.record_signals(Signal.READ, [(first, None)], datetime(2026, 5, 15, 8, tzinfo=UTC))
    with running_reader(config) as reader:
        page = httpx.get(reader.url, timeout=5).text
    new = page.split("<h1>Recent</h1>")[0]
    assert new.index(f'data-paper="{second}"') < new.index(f'data-paper="{first}"')
    assert re.search(rf'class="paper read"[^>]*data-paper="{re.escape(first)}"', new)
    compilers = new.split('id="new-t-compilers"')[1].split("</section>")[0]  # the first topic that lists it
    last = max(
        compilers.index(f'data-paper="{paper_id}"') for paper_id in re.findall(r'data-paper="([^"]+)"', compilers)
    )
    assert compilers.index(f'data-paper="{first}"') == last


def test_the_inbox_groups_papers_by_topic_each_paper_under_the_first_topic_listing_it(reader: Running) -> None:
    page = httpx.get(reader.url, timeout=5).text
    new, recent = page.split("<h1>Recent</h1>")
    sections = re.findall(r'<section class="topic-group" id="new-t-([a-z-]+)"', new)
    assert sections == ["compilers", "everything"]  # the config's order
    everything = new.split('id="new-t-everything"')[1].split("</section>")[0]
    hostile = sorted(paper.id for paper in hostile_papers())
    assert sorted(re.findall(r'data-paper="([^"]+)"', everything)) == hostile  # the rest sit under compilers
    shown = set(re.findall(r'data-paper="([^"]+)"', new))
    older = re.findall(r'data-paper="([^"]+)"', recent)
    assert older and not shown & set(older)  # recent papers are the ones before the latest run
    assert len(older) <= 5 * 2  # a glance per topic, not the archive


def test_a_config_changed_while_serving_is_read_again_and_a_broken_one_ignored(tmp_path: Path) -> None:
    config, _ = seed_archive(tmp_path)
    both = second_run_ids()[0]
    text = config.read_text(encoding="utf-8")
    with running_reader(config) as reader:
        assert '<span class="topic">compilers</span>' in httpx.get(reader.url, timeout=5).text
        config.write_text(text.replace('name = "compilers"', 'name = "kernels"'), encoding="utf-8")
        renamed = httpx.get(reader.url, timeout=5).text
        config.write_text(text.replace("[[topics]]", "[[topics]", 1), encoding="utf-8")
        broken = httpx.get(reader.url, timeout=5)
    card = renamed.split(f'data-paper="{both}"')[1].split("</li>")[0]
    assert '<span class="topic">compilers</span>' not in card and '<span class="topic">everything</span>' in card
    assert broken.status_code == 200 and broken.text.count("data-paper=") == renamed.count("data-paper=")
