"""The reader shows a paper's cached TL;DR on every page that shows the paper, and never asks a model itself."""

from __future__ import annotations

import re
import socket
from datetime import UTC, datetime
from pathlib import Path

import httpx
from markupsafe import escape

from dailypapers.model import Signal, Summary
from dailypapers.store import Store
from dailypapers.summarise import prompt_key
from reader_server import running_reader
from reader_world import SCRIPT, second_run_ids, seed_archive

TLDR = f"Ring pipelining makes all-reduce twice as fast {SCRIPT}"


def _silent_port() -> int:
    """A port where nothing listens: a model endpoint the reader must never reach."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def summarised_archive(folder: Path) -> tuple[Path, str]:
    config, database = seed_archive(folder)
    port = _silent_port()
    with config.open("a", encoding="utf-8") as text:
        text.write(f'\n[summaries]\nbase_url = "http://127.0.0.1:{port}/v1"\nmodel = "local"\n')
    paper_id = second_run_ids()[0]
    with Store.open(database) as store, store.transaction():
        paper = store.latest(paper_id)
        assert paper is not None
        summary = Summary(TLDR, problem="slow all-reduce", method="ring pipelining", result="2x")
        store.save_summaries([((paper.id, paper.version), summary, 40)], "local", prompt_key("English"), paper.updated)
        store.record_signals(Signal.STAR, [(paper_id, None)], datetime(2026, 5, 15, 9, tzinfo=UTC))
        store.update_search_index()  # as the first `dailypapers search` would, so the reader's search finds it
    return config, paper_id


def test_every_page_showing_the_paper_shows_its_tldr_escaped(tmp_path: Path) -> None:
    config, paper_id = summarised_archive(tmp_path)
    with running_reader(config) as reader:
        paper = httpx.get(f"{reader.url}papers/{paper_id}", timeout=5).text
        pages = {
            "inbox": httpx.get(reader.url, timeout=5).text,
            "paper": paper,
            "day": httpx.get(f"{reader.url}days/2026-05-15", timeout=5).text,
            "search": httpx.get(f"{reader.url}search", params={"q": f"id:{paper_id}"}, timeout=5).text,
            "starred": httpx.get(f"{reader.url}starred", timeout=5).text,
        }
    for name, page in pages.items():
        assert f'data-paper="{paper_id}"' in page, name
        card = page.split(f'data-paper="{paper_id}"')[1].split("</li>")[0]
        assert f"{escape(TLDR)}" in card, name
        assert "ring pipelining" in card and SCRIPT not in page, name
        assert len(re.findall(r'class="tldr"', page)) == 1, name  # only the paper that has one
