"""Two days of daily runs with a reader who stars papers: the ranking's world for the messages, the page and the
feeds (``test_rank_picks.py``, ``test_rank_order.py``).

Day one: the seed papers, nothing starred. Then the reader stars three papers on serving large models; day two
brings a near copy of one of them (the "twin", on the topic "performance"), a newer paper on the same topic that
is about something else (gossip), and the daily world's next-day papers.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from arxiv_server import load_seed_papers
from daily_world import NOW, Arxiv, next_day_papers, write_config
from dailypapers.config import load_config
from dailypapers.model import Author, Paper, Signal
from dailypapers.pipeline.context import Environment
from dailypapers.pipeline.daily import RunSummary, run_daily
from dailypapers.store import Store

LIKED = ("2601.08800", "2603.10342", "2603.10353")  # MixServe, AgentServe, S-HPLB: serving large models
TWIN = "2605.30001"
GOSSIP = "2605.30002"
ENVIRON_URL = "TEST_WEBHOOK_URL"


def seed(paper_id: str) -> Paper:
    return next(paper for paper in reversed(load_seed_papers()) if paper.id == paper_id)


def twin() -> Paper:
    """S-HPLB as another group would write it: its sentences in another order, one left out, the title reworded
    to name the topic "performance"; announced the day after NOW, a little before the day's other papers."""
    original = seed(LIKED[2])
    sentences = re.split(r"(?<=\.)\s+", original.abstract)
    moment = NOW + timedelta(hours=18)
    return replace(original, id=TWIN, version=1, title="Revisiting head parallelism for attention serving performance",
                   abstract=" ".join(sentences[1:][::-1]), authors=(Author("Another Group"),), published=moment,
                   updated=moment, comment=None)  # fmt: skip


def gossip() -> Paper:
    """The newest paper on "performance", about nothing the reader starred."""
    moment = NOW + timedelta(hours=20)
    return replace(seed("2605.14376"), id=GOSSIP, version=1, title="Performance of gossip protocols in dynamic graphs",
                   abstract="We study the performance of rumour spreading by gossip in dynamic graphs.",
                   published=moment, updated=moment)  # fmt: skip


def second_day() -> list[Paper]:
    return [twin(), gossip(), *next_day_papers()]


def delivery(port: int, ranking: str = "[ranking]\ntop = 3\n") -> str:
    """Email to one recipient and a JSON webhook, on every topic; the page, the notification and the feeds."""
    return (
        f'[outputs]\nmarkdown = "README.md"\nissue = "issue.md"\nfeeds = "feeds/"\n'
        f'[email]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\nsecurity = "none"\n'
        f'sender = "Daily Papers <papers@example.org>"\n[[email.recipients]]\naddress = "ada@example.org"\n'
        f'[[webhooks]]\nkind = "json"\nurl_env = "{ENVIRON_URL}"\nmax_attempts = 1\n{ranking}'
    )


def configure(folder: Path, arxiv: Arxiv, extra: str) -> Path:
    return write_config(folder, arxiv, categories=(), extra=extra)


def run(config: Path, url: str, *, days: int = 0, dry_run: bool = False, log: list[str] | None = None) -> RunSummary:
    moment = NOW + timedelta(days=days)
    messages = log if log is not None else []
    environ = {ENVIRON_URL: url}
    env = Environment(
        config=load_config(config, environ=environ),
        now=lambda: moment,
        log=messages.append,
        environ=environ,
        dry_run=dry_run,
    )
    return run_daily(env)


def star(config: Path, paper_ids: tuple[str, ...]) -> None:
    """The reader stars these papers (stored by day one) between the two runs."""
    with Store.open(config.parent / "dailypapers.db") as store:
        store.record_signals(Signal.STAR, [(paper_id, None) for paper_id in paper_ids], NOW + timedelta(hours=2))


def two_days(config: Path, arxiv: Arxiv, url: str, liked: tuple[str, ...] = LIKED, **second: Any) -> RunSummary:
    """Day one, the stars, day two (with ``second``'s options); day two's summary."""
    assert run(config, url).outcome == "new"
    star(config, liked)
    arxiv.add(second_day())
    return run(config, url, days=1, **second)
