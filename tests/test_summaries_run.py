"""Summaries in the daily run: asked after the fetch, cached, capped, and never in the way of delivering."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from arxiv_server import load_seed_papers
from daily_world import NOW, Arxiv, next_day_papers, write_config
from dailypapers.config import Config, load_config
from dailypapers.match.digest import build_digest
from dailypapers.model import RunOutcome
from dailypapers.pipeline.context import Environment
from dailypapers.pipeline.daily import RunSummary, run_daily
from dailypapers.store import Store
from model_server import ModelServer, Reply, model_server, tldr_of

KEY = "sk-run-key-5f1e2d3c4b5a6978"
ENVIRON = {"DP_MODEL_KEY": KEY}


def table(server: ModelServer, **keys: object) -> str:
    lines = ["[summaries]", f'base_url = "{server.url}"', 'model = "tiny"', 'api_key_env = "DP_MODEL_KEY"']
    lines += [f"{key} = {value!r}" if isinstance(value, str) else f"{key} = {value}" for key, value in keys.items()]
    return "\n".join(lines)


def configured(folder: Path, arxiv: Arxiv, extra: str, categories: tuple[str, ...] = ("cs.DC",)) -> Config:
    return load_config(write_config(folder, arxiv, categories=categories, extra=extra), environ={})


def run(config: Config, log: list[str] | None = None, days: int = 0) -> RunSummary:
    messages = log if log is not None else []
    moment = NOW + timedelta(days=days)
    return run_daily(Environment(config=config, now=lambda: moment, log=messages.append, environ=ENVIRON))


def listed_summaries(config: Config) -> dict[str, str | None]:
    """Every paper the page lists, by title, with the TL;DR its listing carries."""
    with Store.open(config.database) as store:
        record = store.last_successful_run()
        assert record is not None
        digest = build_digest(store, config, record)
    return {
        listed.paper.title: listed.summary.tldr if listed.summary else None
        for section in digest.sections
        for listed in section.papers
    }


def test_without_the_table_nothing_is_sent_to_any_model(tmp_path: Path) -> None:
    with model_server() as model, Arxiv(load_seed_papers()) as arxiv:
        config = configured(tmp_path, arxiv, "")
        summary = run(config)
    assert model.requests == [] and summary.summaries is None
    assert summary.as_json()["summaries"] is None
    assert all(tldr is None for tldr in listed_summaries(config).values())


def test_each_listed_paper_gets_its_own_tldr_and_a_second_run_asks_nothing(tmp_path: Path) -> None:
    with model_server() as model, Arxiv(load_seed_papers()) as arxiv:
        config = configured(tmp_path, arxiv, table(model))
        first = run(config)
        asked = len(model.requests)
        second = run(config)
    shown = listed_summaries(config)
    assert first.summaries is not None and second.summaries is not None
    assert asked == first.summaries.requested == len(shown) > 0
    assert first.summaries.as_json() == {"requested": asked, "cached": 0, "missing": 0, "tokens": 120 * asked}
    assert len(model.requests) == asked  # the second run: zero requests
    assert second.summaries.as_json() == {"requested": 0, "cached": asked, "missing": 0, "tokens": 0}
    assert shown == {title: tldr_of(title) for title in shown}
    with sqlite3.connect(config.database) as db:
        lines = db.execute("SELECT summaries_requested, summaries_cached, summaries_missing, summary_tokens FROM runs")
        assert lines.fetchall() == [(asked, 0, 0, 120 * asked), (0, asked, 0, 0)]


def test_at_most_max_papers_requests_and_the_rest_are_said_missing(tmp_path: Path) -> None:
    log: list[str] = []
    with model_server() as model, Arxiv(load_seed_papers()) as arxiv:
        config = configured(tmp_path, arxiv, table(model, max_papers=3))
        summary = run(config, log)
    assert len(model.requests) == 3 and summary.summaries is not None
    listed = listed_summaries(config)
    assert summary.summaries.missing == len(listed) - 3 > 0
    assert sum(tldr is not None for tldr in listed.values()) == 3
    assert f"{len(listed) - 3} summaries missing: over max_papers for one run; the next run fills them" in log


def test_this_runs_papers_are_asked_for_first_newest_first(tmp_path: Path) -> None:
    with model_server() as model, Arxiv(load_seed_papers()) as arxiv:
        config = configured(tmp_path, arxiv, table(model, max_papers=2), categories=())
        first = run(config)
        arxiv.add(next_day_papers())
        later = run(config, days=1)
    titles = [request.title for request in model.requests]
    assert len(titles) == 4 and titles[0] != titles[1]
    assert titles[2] == "A Compiler for Sparse Collectives"  # this run's papers first, newest first
    assert titles[3] == "Optimizing PyTorch Inference with LLM-Based Multi-Agent Systems"  # its new version v3
    assert "Gossip in Dynamic Graphs" not in titles  # on no topic: never sent
    assert first.summaries is not None and later.summaries is not None and later.summaries.requested == 2


def test_a_failing_endpoint_leaves_papers_without_tldr_and_the_run_delivers_everything(tmp_path: Path) -> None:
    log: list[str] = []
    with model_server(default=lambda request: Reply(500, body=b"down")) as model, Arxiv(load_seed_papers()) as arxiv:
        config = configured(tmp_path, arxiv, table(model))
        summary = run(config, log)
        assert summary.outcome == RunOutcome.NEW and len(model.requests) == 1  # not repeated, not asked again
        listed = listed_summaries(config)
        assert summary.summaries is not None and summary.summaries.missing == len(listed)
        noun = "summaries" if len(listed) > 1 else "summary"
        line = (
            f"{len(listed)} {noun} missing: the endpoint answered 500 (Internal Server Error); the next run fills them"
        )
        assert line in log
        assert (tmp_path / "README.md").is_file() and all(tldr is None for tldr in listed.values())
        model.default = lambda request: Reply()  # the endpoint is back
        later = run(config)
    assert later.summaries is not None and later.summaries.as_json()["missing"] == 0
    assert all(tldr == tldr_of(title) for title, tldr in listed_summaries(config).items())


def test_a_rate_limited_endpoint_is_not_waited_for_past_the_runs_bounds(tmp_path: Path) -> None:
    log: list[str] = []
    limited = Reply(429, headers={"Retry-After": "86400"}, body=b"{}")
    with model_server(default=lambda request: limited) as model, Arxiv(load_seed_papers()) as arxiv:
        config = configured(tmp_path, arxiv, table(model))
        summary = run(config, log)
    assert summary.outcome == RunOutcome.NEW and len(model.requests) == 1
    assert any("missing: the endpoint answered 429 (Too Many Requests); the next run fills them" in m for m in log)


def test_a_slow_endpoint_costs_one_deadline_not_one_per_paper(tmp_path: Path) -> None:
    with model_server(default=lambda request: Reply(delay=2)) as model, Arxiv(load_seed_papers()) as arxiv:
        config = configured(tmp_path, arxiv, table(model, timeout=0.3))
        summary = run(config)
    assert summary.outcome == RunOutcome.NEW and len(model.requests) == 1
    assert summary.summaries is not None and summary.summaries.requested == 1


def test_another_model_or_language_asks_again_and_shows_only_its_own_answers(tmp_path: Path) -> None:
    with model_server() as model, Arxiv(load_seed_papers()) as arxiv:
        config = configured(tmp_path, arxiv, table(model, max_papers=2))
        run(config)
        german = configured(tmp_path, arxiv, table(model, max_papers=2, language="German"))
        summary = run(german)
    assert len(model.requests) == 4 and "German" in model.requests[-1].body["messages"][0]["content"]
    assert summary.summaries is not None and summary.summaries.cached == 0


def test_a_dry_run_asks_but_keeps_nothing(tmp_path: Path) -> None:
    with model_server() as model, Arxiv(load_seed_papers()) as arxiv:
        config = configured(tmp_path, arxiv, table(model, max_papers=2))
        run(config)  # the database exists: the dry run rolls back its transaction
        before = len(model.requests)
        dry = run_daily(Environment(config=config, now=lambda: NOW, environ=ENVIRON, dry_run=True))
        asked_dry = len(model.requests) - before
        after = run(config)
    assert before == asked_dry == 2 and dry.summaries is not None and dry.summaries.requested == 2
    assert after.summaries is not None and after.summaries.requested == 2  # the dry run cached nothing
    assert model.requests[2].title == model.requests[4].title


def test_a_hostile_summary_is_kept_as_text_for_the_renderers_to_escape(tmp_path: Path) -> None:
    hostile = '<script>alert("x")</script> @channel <!here> **bold** | pipe $\\alpha$ ‮RTL'
    answer = Reply(content=json.dumps({"tldr": hostile, "problem": "<img src=x onerror=alert(1)>"}))
    with model_server(default=lambda request: answer) as model, Arxiv(load_seed_papers()) as arxiv:
        config = configured(tmp_path, arxiv, table(model, max_papers=1))
        summary = run(config)
    assert summary.outcome == RunOutcome.NEW and (tmp_path / "README.md").is_file()
    assert hostile in listed_summaries(config).values()


def test_the_page_and_site_show_each_papers_tldr_from_the_model(tmp_path: Path) -> None:
    extra = 'columns = ["Title", "Date", "TL;DR"]\n'
    with model_server() as model, Arxiv(load_seed_papers()) as arxiv:
        config = configured(tmp_path, arxiv, extra + table(model, max_papers=2))
        config = replace(config, outputs=replace(config.outputs, site=tmp_path / "site"))
        run(config)
    page = (tmp_path / "README.md").read_text(encoding="utf-8")
    days = "".join(path.read_text(encoding="utf-8") for path in (tmp_path / "site" / "days").glob("*.html"))
    assert len(model.requests) == 2
    for request in model.requests:
        assert tldr_of(request.title) in page and tldr_of(request.title) in days
