"""Author pages and Follow, against the real server over a real archive: names that try to break URLs and
queries round-trip, Follow adds exactly the ``au:`` topic that lists the page's papers, Unfollow removes it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from dailypapers.config import load_config
from dailypapers.query import Term, parse
from dailypapers.serve.authors import author_query
from dailypapers.store import Store
from reader_server import Running, post_headers, running_reader, session
from topics_world import CONFIG, TRICKY_AUTHORS, topics_archive


@dataclass(frozen=True)
class World:
    reader: Running
    config: Path


@pytest.fixture()
def world(tmp_path: Path) -> Iterator[World]:
    config, _ = topics_archive(tmp_path, datetime.now(UTC).date())
    with running_reader(config) as running:
        yield World(running, config)


def page_of(world: World, name: str) -> httpx.Response:
    return httpx.get(world.reader.url + "authors/" + quote(name, safe=""), timeout=5)


def listed(page: str) -> list[str]:
    return re.findall(r'<li class="compact" data-paper="([^"]+)"', page)


@pytest.mark.parametrize("number", range(len(TRICKY_AUTHORS)), ids=TRICKY_AUTHORS)
def test_every_name_round_trips_through_its_url_and_lists_its_paper(world: World, number: int) -> None:
    name = TRICKY_AUTHORS[number]
    answer = page_of(world, name)
    assert answer.status_code == 200 and listed(answer.text) == [f"2699.{number:05d}"]
    assert f'href="/authors/{quote(name, safe="")}"' in answer.text  # the paper links back to this page


def test_the_page_lists_what_the_au_query_selects_newest_first(world: World) -> None:
    answer = page_of(world, "Ada Lovelace")
    with Store.open(world.reader.database) as store:
        papers = store.search(parse('au:"Ada Lovelace"'), limit=100)
    assert listed(answer.text) == [paper.id for paper in papers] and len(papers) == len(TRICKY_AUTHORS)
    assert f"{len(papers)} papers in the archive" in answer.text


@pytest.mark.parametrize(
    "name",
    ['x" OR ti:graph OR au:"y', "Smith) OR (cat:cs.DC", 'Ada Lovelace" OR cat:cs.DC OR "', "O'Brien (Jr.)"],
)
def test_quotes_and_parentheses_cannot_change_the_query(world: World, name: str) -> None:
    query, term = author_query(name)
    assert parse(query) == term and isinstance(term, Term) and term.field == "au" and term.phrase
    answer = page_of(world, name)
    assert answer.status_code == 200
    if name != "O'Brien (Jr.)":
        assert listed(answer.text) == []  # never every cs.DC or graph paper


@pytest.mark.parametrize(("name", "status"), [('"', 400), ("***", 400), ("x" * 400, 400)])
def test_a_name_no_query_can_stand_for_is_refused(world: World, name: str, status: int) -> None:
    answer = page_of(world, name)
    assert answer.status_code == status and "Not an author" in answer.text and "Follow" not in answer.text
    with httpx.Client(timeout=5) as client:
        token = session(client, world.reader.url)
        url = f"{world.reader.url}authors/{quote(name, safe='')}/follow"
        refused = client.post(url, headers=post_headers(world.reader.url, token))
    assert refused.status_code == 400 and world.config.read_text(encoding="utf-8") == CONFIG


def test_follow_adds_the_au_topic_then_the_page_shows_following_and_unfollow_restores_the_file(world: World) -> None:
    name = 'Ada "The Countess" Lovelace'
    path = f"{world.reader.url}authors/{quote(name, safe='')}"
    with httpx.Client(timeout=5) as client:
        token = session(client, world.reader.url)
        before = client.get(path).text
        assert ">Follow</button>" in before and ">Following</button>" not in before
        followed = client.post(path + "/follow", headers=post_headers(world.reader.url, token))
        assert followed.status_code == 303 and followed.headers["location"] == f"/authors/{quote(name, safe='')}"
        after = client.get(path).text
        topic = load_config(world.config).topics[-1]
        assert (topic.name, topic.source) == (name, 'au:"Ada The Countess Lovelace"')
        assert "disabled" in after.split(">Following</button>")[0].rsplit("<button", 1)[1]
        assert ">Unfollow</button>" in after and ">Follow</button>" not in after
        with Store.open(world.reader.database) as store:
            assert listed(after) == [paper.id for paper in store.search(topic.query, limit=100)]
        again = client.post(path + "/follow", headers=post_headers(world.reader.url, token))
        assert again.status_code == 303 and load_config(world.config).topics[-1] == topic  # not added twice
        gone = client.post(path + "/unfollow", headers=post_headers(world.reader.url, token))
        assert gone.status_code == 303 and ">Follow</button>" in client.get(path).text
    assert world.config.read_text(encoding="utf-8") == CONFIG


def test_follow_without_a_token_is_refused_and_writes_nothing(world: World) -> None:
    url = f"{world.reader.url}authors/{quote('Ada Lovelace')}/follow"
    assert httpx.post(url, headers=post_headers(world.reader.url, None), timeout=5).status_code == 403
    assert world.config.read_text(encoding="utf-8") == CONFIG


def test_a_topic_of_that_name_with_another_query_is_not_replaced_by_follow(world: World) -> None:
    url = f"{world.reader.url}authors/compilers"
    with httpx.Client(timeout=5) as client:
        token = session(client, world.reader.url)
        answer = client.post(url + "/follow", headers=post_headers(world.reader.url, token))
    assert answer.status_code == 409 and "exists already, with another query" in answer.text
    assert world.config.read_text(encoding="utf-8") == CONFIG
