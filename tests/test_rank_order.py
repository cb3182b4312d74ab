"""``[ranking] order = "interest"``: the page, the notification and the feeds list each topic best first; and the
summaries' ``max_papers`` cap is spent on the best papers first. The seed papers' real text, a real archive, a
loopback arXiv and a loopback language model."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from arxiv_server import load_seed_papers
from daily_world import NOW, Arxiv
from dailypapers.config import load_config
from dailypapers.pipeline.outputs import render_outputs
from dailypapers.pipeline.rank import rank_key, trained_model
from dailypapers.rank.cache import cache_path, save_model
from dailypapers.store import Store
from model_server import model_server
from ranked_world import GOSSIP, LIKED, TWIN, configure, gossip, run, second_day, star, twin, two_days

OUTPUTS = '[outputs]\nmarkdown = "README.md"\nissue = "issue.md"\nfeeds = "feeds/"\n'
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def arxiv() -> Iterator[Arxiv]:
    with Arxiv(load_seed_papers()) as server:
        yield server


def section_ids(page: str, topic: str) -> list[str]:
    """The arXiv ids of a topic's rows on the page (or in the notification), in order."""
    section = page.split(f"## {topic}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"\]\(https?://arxiv\.org/abs/([0-9.]+)v\d+\)", section)


def unstarred(ids: list[str]) -> list[str]:
    """The ids but the starred papers' own (which are on the page too, and rank first)."""
    return [paper_id for paper_id in ids if paper_id not in LIKED]


def feed_ids(path: Path) -> list[str]:
    entries = etree.parse(str(path)).getroot().iter(f"{ATOM}entry")
    return [str(entry.findtext(f"{ATOM}id")).rsplit("/", 1)[1] for entry in entries]


def test_interest_order_puts_the_starred_papers_twin_first_on_the_page_and_in_the_feeds(
    tmp_path: Path, arxiv: Arxiv
) -> None:
    config = configure(tmp_path, arxiv, OUTPUTS + '[ranking]\norder = "interest"\n')
    two_days(config, arxiv, "http://127.0.0.1:9/unused")
    page = (tmp_path / "README.md").read_text(encoding="utf-8")
    ranked = section_ids(page, "performance")
    assert set(ranked[:3]) == set(LIKED) and unstarred(ranked)[0] == TWIN and GOSSIP in ranked
    assert section_ids((tmp_path / "issue.md").read_text(encoding="utf-8"), "performance")[0] == TWIN
    assert unstarred(feed_ids(tmp_path / "feeds" / "performance.xml"))[0] == TWIN
    assert unstarred(feed_ids(tmp_path / "feeds" / "all.xml"))[0] == TWIN

    config.write_text(config.read_text(encoding="utf-8").replace('order = "interest"', 'order = "date"'))
    assert render_outputs(load_config(config)) is not None
    dated = section_ids((tmp_path / "README.md").read_text(encoding="utf-8"), "performance")
    assert dated[0] == GOSSIP, "date order: the newest paper first"
    assert sorted(dated) == sorted(ranked), "the order changes, never which papers are listed"
    assert feed_ids(tmp_path / "feeds" / "performance.xml")[0] == GOSSIP


def test_dailypapers_render_orders_by_interest_too(tmp_path: Path, arxiv: Arxiv) -> None:
    config = configure(tmp_path, arxiv, OUTPUTS)
    two_days(config, arxiv, "http://127.0.0.1:9/unused")
    assert section_ids((tmp_path / "README.md").read_text(encoding="utf-8"), "performance")[0] == GOSSIP
    config.write_text(config.read_text(encoding="utf-8") + '[ranking]\norder = "interest"\n')
    render_outputs(load_config(config))
    assert unstarred(section_ids((tmp_path / "README.md").read_text(encoding="utf-8"), "performance"))[0] == TWIN


def test_the_summaries_cap_is_spent_on_the_best_papers_first(tmp_path: Path, arxiv: Arxiv) -> None:
    with model_server() as model:
        summaries = f'[summaries]\nbase_url = "{model.url}"\nmodel = "tiny"\nmax_papers = 1\n'
        config = configure(tmp_path, arxiv, summaries)
        two_days(config, arxiv, "http://127.0.0.1:9/unused")
    day_two = model.requests[1:]
    assert len(day_two) == 1 and day_two[0].title == twin().title, "by date, the gossip paper would come first"


def test_without_enough_stars_the_cap_is_spent_newest_first(tmp_path: Path, arxiv: Arxiv) -> None:
    with model_server() as model:
        summaries = f'[summaries]\nbase_url = "{model.url}"\nmodel = "tiny"\nmax_papers = 1\n'
        config = configure(tmp_path, arxiv, summaries)
        two_days(config, arxiv, "http://127.0.0.1:9/unused", liked=())
    assert [request.title for request in model.requests[1:]] == [gossip().title]


def test_a_damaged_archive_of_signals_never_fails_the_run(tmp_path: Path, arxiv: Arxiv) -> None:
    """A cache the ranking cannot read or write is trained again in memory; the run delivers as ever."""
    config = configure(tmp_path, arxiv, OUTPUTS + '[ranking]\norder = "interest"\n')
    (tmp_path / "dailypapers.db.rank.npz").mkdir()  # neither a file to load nor a place to save one
    summary = two_days(config, arxiv, "http://127.0.0.1:9/unused")
    assert summary.outcome == "new"
    assert unstarred(section_ids((tmp_path / "README.md").read_text(encoding="utf-8"), "performance"))[0] == TWIN


def test_a_model_that_cannot_score_never_fails_the_run(tmp_path: Path, arxiv: Arxiv) -> None:
    """A cached model whose weights do not fit its terms (a damaged file that still loads): one line, then date
    order and no picks; the run is delivered as ever."""
    config = configure(tmp_path, arxiv, OUTPUTS + '[ranking]\norder = "interest"\n')
    assert run(config, "http://127.0.0.1:9/unused").outcome == "new"
    star(config, LIKED)
    settings = load_config(config)
    with Store.open(settings.database) as store:
        model = trained_model(store, settings, NOW)
        assert not isinstance(model, str)
        save_model(cache_path(settings.database), rank_key(store, settings), replace(model, coef=model.coef[:3]))
    arxiv.add(second_day())
    log: list[str] = []
    summary = run(config, "http://127.0.0.1:9/unused", days=1, log=log)
    assert summary.outcome == "new"
    assert [line for line in log if line.startswith("ranking: ")] == [
        next(line for line in log if line.startswith("ranking: not used in this run, the outputs keep date order: "))
    ]
    assert section_ids((tmp_path / "README.md").read_text(encoding="utf-8"), "performance")[0] == GOSSIP
