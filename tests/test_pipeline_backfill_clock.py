"""The clock rule on the OAI-PMH back-fill: no datestamp or stored checkpoint stops or skips a harvest.

The checkpoint kept the newest datestamp of the last page stored; after a token expired, the harvest started
over from it. One record dated 2099 made that ``from=2099-01-01``: arXiv refused the request (from after until)
on every later attempt, and without an ``until`` it would have answered nothing and the harvest would have ended
with months missing. The day reached is now the last plausible record's, never beyond the clock's day, and a
checkpoint in the database that cannot be resumed (unreadable, a day outside the target or ahead, a run that is
not a back-fill) is set aside with a log line.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from arxiv_server import ArxivServer
from dailypapers.config import Config, load_config
from dailypapers.errors import FetchError
from dailypapers.pipeline.backfill import CHECKPOINT, Harvest, backfill
from dailypapers.pipeline.context import Environment
from dailypapers.store import Store
from oai_server import OaiService, generate_records, mount_oai, oai_records

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PAPERS = generate_records(600, date(2026, 1, 5), seed=7)  # datestamps from 5 January to 15 February
RECORDS = oai_records(PAPERS)  # in the order arXiv lists them; pages of 100 below
BOUNDED = Harvest(date(2026, 1, 1), date(2026, 2, 28), "cs")
OPEN = Harvest(date(2026, 1, 1), None, "cs")  # up to the server's day
Answer = tuple[int, bytes, str, dict[str, str]]


def config_for(folder: Path, server: ArxivServer) -> Config:
    folder.mkdir(exist_ok=True)
    path = folder / "dailypapers.toml"
    lines = ["[scope]", 'categories = ["cs"]', "[arxiv]", f'oai_url = "{server.base}/oai"', "delay = 0"]
    lines += ["max_attempts = 2", "[[topics]]", 'name = "scheduling"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_config(path, environ={})


def archive(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row that describes papers and matches, without the runs they came in (numbered differently)."""
    tables = ("papers", "versions", "authors", "categories", "matches")
    found: dict[str, list[tuple[object, ...]]] = {}
    with sqlite3.connect(path) as db:
        for table in tables:
            cursor = db.execute(f"SELECT * FROM {table}")
            keep = [i for i, column in enumerate(cursor.description) if column[0] not in ("run", "first_run")]
            found[table] = sorted((tuple(row[i] for i in keep) for row in cursor), key=repr)
    return found


Archive = dict[str, list[tuple[object, ...]]]


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Harvest], Archive]:
    """The archive each target gives when nothing goes wrong, harvested once per module."""
    found: dict[Harvest, Archive] = {}

    def archive_of(target: Harvest) -> Archive:
        if target not in found:
            with ArxivServer(PAPERS, now=lambda: NOW) as server:
                mount_oai(server, page_size=100)
                config = config_for(tmp_path_factory.mktemp("whole"), server)
                backfill(Environment(config, now=lambda: NOW), target)
            found[target] = archive(config.database)
        return found[target]

    return archive_of


def lying(service: OaiService, datestamps: dict[str, str]) -> Callable[[str, dict[str, str]], Answer]:
    """The OAI route, with the header datestamps of some records replaced as a broken upstream could."""

    def answer(path: str, params: dict[str, str]) -> Answer:
        status, body, kind, headers = service(path, params)
        text = body.decode("utf-8")
        for paper_id, stamp in datestamps.items():
            pattern = rf"(<identifier>oai:arXiv.org:{re.escape(paper_id)}</identifier><datestamp>)[^<]*"
            text = re.sub(pattern, rf"\g<1>{stamp}", text)
        return status, text.encode("utf-8"), kind, headers

    return answer


@pytest.mark.parametrize(
    ("label", "stamp", "clock", "ahead"),
    [
        ("two days ahead", "2026-03-03", NOW, True),
        ("in 2099", "2099-01-01", NOW, True),
        ("on the last day of year 9999", "9999-12-31", NOW, True),
        ("one day and one second ahead", "2026-03-03", datetime(2026, 3, 1, 23, 59, 59, tzinfo=UTC), True),
        ("exactly one day ahead", "2026-03-03", datetime(2026, 3, 2, tzinfo=UTC), False),
    ],
)
@pytest.mark.parametrize("target", [BOUNDED, OPEN], ids=["with --until", "without --until"])
@pytest.mark.parametrize("position", [150, 199], ids=["mid-page", "last on its page"])
def test_a_record_dated_ahead_never_becomes_the_day_reached(
    tmp_path: Path,
    expected: Callable[[Harvest], Archive],
    label: str,
    stamp: str,
    clock: datetime,
    ahead: bool,
    target: Harvest,
    position: int,
) -> None:
    """Two pages are stored, the second with a record dated ``stamp``; then arXiv fails, and when it is back
    every resumption token has expired, so the harvest starts over from the day its checkpoint reached."""
    liar = RECORDS[position].paper.id
    with ArxivServer(PAPERS, now=lambda: clock) as server:
        oai = mount_oai(server, page_size=100)
        server.mount("/oai", lying(oai, {liar: stamp}))
        config = config_for(tmp_path / "parts", server)
        oai.fail_after(2)
        log: list[str] = []
        with pytest.raises(FetchError):
            backfill(Environment(config, now=lambda: clock, log=log.append), target)
        server.clear_faults()
        oai.expire_tokens()
        summary = backfill(Environment(config, now=lambda: clock, log=log.append), target)
    assert archive(config.database) == expected(target), label
    restarts = [line for line in log if "harvesting again from" in line]
    assert restarts and "harvesting again from 2026-01-" in restarts[0]
    said = [line for line in log if "ahead of the clock" in line]
    assert bool(said) == ahead
    if ahead:
        assert f"stored as given but not trusted as the day reached: {liar}" in said[0]
    assert summary.resumed


def plant_checkpoint(config: Config, value: str, *, backfill_run: bool = True) -> None:
    """A checkpoint as an older version, or a hand, could have left it (with a back-fill run to resume)."""
    with Store.open(config.database) as store, store.transaction():
        if backfill_run:
            store.begin_run(NOW - timedelta(days=1), kind="backfill")
        store.set_state(CHECKPOINT, value)


def checkpoint(target: Harvest, run: object = 1, token: object = None, day: object = None) -> str:
    return json.dumps({"target": target.key(), "run": run, "token": token, "day": day})


@pytest.mark.parametrize(
    ("label", "target", "value", "problem"),
    [
        ("not JSON", BOUNDED, "{target: cs", "it cannot be resumed"),
        ("JSON, not a checkpoint", BOUNDED, "[1, 2, 3]", "it cannot be resumed"),
        ("a day that is not a date", BOUNDED, checkpoint(BOUNDED, day="soon"), "it cannot be resumed"),
        ("a day that does not exist", BOUNDED, checkpoint(BOUNDED, day="2026-02-29"), "it cannot be resumed"),
        ("a token that is not text", BOUNDED, checkpoint(BOUNDED, token=12345), "it cannot be resumed"),
        ("a run that is not a number", BOUNDED, checkpoint(BOUNDED, run="one"), "it cannot be resumed"),
        ("a run that does not exist", BOUNDED, checkpoint(BOUNDED, run=99), "it cannot be resumed"),
        ("a day in 2099", BOUNDED, checkpoint(BOUNDED, day="2099-01-01"), "more than a day ahead of the clock"),
        ("a day in 2099, no --until", OPEN, checkpoint(OPEN, day="2099-01-01"), "more than a day ahead of the clock"),
        ("a day in 9999", BOUNDED, checkpoint(BOUNDED, day="9999-12-31"), "more than a day ahead of the clock"),
        ("two days ahead, no --until", OPEN, checkpoint(OPEN, day="2026-03-03"), "more than a day ahead of the clock"),
        ("a day after --until", BOUNDED, checkpoint(BOUNDED, day="2026-03-01"), "after --until (2026-02-28)"),
        ("a day before arXiv", BOUNDED, checkpoint(BOUNDED, day="1900-01-01"), "before arXiv existed"),
        ("a day before --from", BOUNDED, checkpoint(BOUNDED, day="2025-12-01"), "before --from (2026-01-01)"),
    ],
)
def test_a_stored_checkpoint_that_cannot_be_resumed_is_set_aside(
    tmp_path: Path, expected: Callable[[Harvest], Archive], label: str, target: Harvest, value: str, problem: str
) -> None:
    with ArxivServer(PAPERS, now=lambda: NOW) as server:
        mount_oai(server, page_size=100)
        config = config_for(tmp_path / "planted", server)
        plant_checkpoint(config, value)
        log: list[str] = []
        summary = backfill(Environment(config, now=lambda: NOW, log=log.append), target)
    assert archive(config.database) == expected(target), label
    assert summary.records == len(PAPERS)
    said = [line for line in log if "checkpoint" in line]
    assert len(said) == 1 and problem in said[0], said
    with Store.open(config.database) as store:
        assert store.get_state(CHECKPOINT) is None  # the harvest ended: nothing left to resume


def test_a_checkpoint_naming_a_daily_run_is_not_resumed_into_it(
    tmp_path: Path, expected: Callable[[Harvest], Archive]
) -> None:
    """Back-fill matches belong to a back-fill run, which no notification lists; never to a daily run."""
    with ArxivServer(PAPERS, now=lambda: NOW) as server:
        mount_oai(server, page_size=100)
        config = config_for(tmp_path / "planted", server)
        with Store.open(config.database) as store, store.transaction():
            daily = store.begin_run(NOW - timedelta(days=1))
            store.set_state(CHECKPOINT, checkpoint(BOUNDED, run=daily, day="2026-02-01"))
        log: list[str] = []
        backfill(Environment(config, now=lambda: NOW, log=log.append), BOUNDED)
    assert archive(config.database) == expected(BOUNDED)
    assert any("forgetting the stored back-fill checkpoint" in line for line in log)
    with sqlite3.connect(config.database) as db:
        assert db.execute("SELECT COUNT(*) FROM matches WHERE run = ?", (daily,)).fetchone()[0] == 0
