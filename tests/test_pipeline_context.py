"""The one environment a run is given, the states runs end in, and the one table of exit statuses.

The environment is built once by the command line and only read by the runs: a daily run (dry or real, with
every delivery target) and a back-fill leave it exactly as it was built, and it cannot be changed. Run outcomes,
delivery statuses and announcement types are enums whose values are the strings the database and ``--json`` have
always held. Every exit status comes from ``cli.exit_status``.
"""

from __future__ import annotations

import ast
import json
import sqlite3
from dataclasses import FrozenInstanceError, fields
from datetime import date
from pathlib import Path
from typing import Any

import click
import pytest

from arxiv_server import ArxivServer, load_seed_papers
from daily_world import NOW, Arxiv, write_config
from dailypapers import cli as cli_module
from dailypapers.arxiv.announce import ANNOUNCE_TYPES, AnnouncedItem, AnnounceType
from dailypapers.cli import ExitStatus, exit_status
from dailypapers.config import ANNOUNCE_TYPES as TOPIC_ANNOUNCE_TYPES
from dailypapers.config import load_config
from dailypapers.errors import (
    ArxivApiError,
    ConfigError,
    DailyPapersError,
    DatabaseBusyError,
    DeliveryError,
    FeedError,
    FetchError,
    OutputError,
    QuerySyntaxError,
    RunInProgressError,
    StoreError,
    UnconfirmedError,
)
from dailypapers.model import DeliveryStatus, RunOutcome
from dailypapers.pipeline.backfill import Harvest, backfill
from dailypapers.pipeline.context import Environment, HarvestUpdate, Update, fixed_now
from dailypapers.pipeline.daily import run_daily
from delivery_world import delivery_config
from oai_server import generate_records, mount_oai


class Reports:
    """A progress sink that remembers which work reported and how often."""

    def __init__(self) -> None:
        self.labels: list[str] = []
        self.updates = 0

    def __call__(self, label: str) -> Update:
        self.labels.append(label)
        return lambda done, total: self._count()

    def harvest(self, label: str) -> HarvestUpdate:
        self.labels.append(label)
        return lambda records, fraction, reached: self._count()

    def _count(self) -> None:
        self.updates += 1


def snapshot(env: Environment) -> dict[str, Any]:
    """Every field of ``env``, its variables as a plain dict: equal before and after a run that only reads it."""
    return {f.name: dict(env.environ) if f.name == "environ" else getattr(env, f.name) for f in fields(env)}


# --- the environment is read, never changed -------------------------------------------------------------------


def test_the_environment_cannot_be_changed_once_built(tmp_path: Path) -> None:
    variables = {"TEST_WEBHOOK_URL": "http://127.0.0.1:9/hook"}
    with ArxivServer([]) as server:
        env = Environment(config=load_config(write_config(tmp_path, server)), environ=variables)
    with pytest.raises(FrozenInstanceError):
        env.dry_run = True  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        env.now = lambda: NOW  # type: ignore[misc]
    with pytest.raises(TypeError):
        env.environ["TEST_WEBHOOK_URL"] = "http://elsewhere.invalid/"  # type: ignore[index]
    variables["TEST_WEBHOOK_URL"] = "http://elsewhere.invalid/"  # the caller's dict is not the run's
    assert env.environ["TEST_WEBHOOK_URL"] == "http://127.0.0.1:9/hook"


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "real-run"])
def test_a_daily_run_with_every_target_leaves_its_environment_as_built(tmp_path: Path, dry_run: bool) -> None:
    log: list[str] = []
    reports = Reports()
    with Arxiv(load_seed_papers()) as server:
        # Nothing listens on port 9: a real run's email fails (and is retried next run), a dry run writes it.
        path = write_config(tmp_path, server, extra=delivery_config(port=9))
        variables = {"TEST_WEBHOOK_URL": "http://127.0.0.1:9/hook"}
        env = Environment(load_config(path), lambda: NOW, log.append, reports, variables, dry_run=dry_run)
        before = snapshot(env)
        summary = run_daily(env)
    assert snapshot(env) == before
    assert summary.outcome == RunOutcome.NEW
    assert reports.labels == ["new topic 'reinforcement learning'", "new topic 'compiler'", "new topic 'performance'"]
    statuses = {delivered.target: delivered.status for delivered in summary.deliveries}
    if dry_run:
        assert set(statuses.values()) == {DeliveryStatus.OUTBOX}
        assert (tmp_path / "outbox").is_dir()
    else:
        assert statuses["email:ada@example.org"] == DeliveryStatus.FAILED


def test_a_backfill_reports_through_the_environment_and_leaves_it_as_built(tmp_path: Path) -> None:
    reports = Reports()
    with ArxivServer(generate_records(120, date(2026, 1, 5), seed=3)) as server:
        mount_oai(server, page_size=50)
        path = write_config(tmp_path, server, categories=("cs",))
        text = path.read_text(encoding="utf-8").replace("delay = 0", f'delay = 0\noai_url = "{server.base}/oai"')
        path.write_text(text, encoding="utf-8")
        env = Environment(load_config(path, environ={}), lambda: NOW, progress=reports)
        before = snapshot(env)
        summary = backfill(env, Harvest(date(2026, 1, 1), date(2026, 3, 1), "cs"))
    assert snapshot(env) == before
    assert summary.records == 120
    assert reports.labels == ["back-fill cs"] and reports.updates == summary.pages >= 3


# --- states are enums with the strings they always had ----------------------------------------------------------


def test_states_keep_the_strings_the_database_and_json_hold() -> None:
    assert [str(outcome) for outcome in RunOutcome] == [
        "new", "nothing-new", "no-announcement", "stale", "failed", "running", "backfill"
    ]  # fmt: skip
    assert [str(status) for status in DeliveryStatus] == ["sent", "nothing", "outbox", "failed"]
    assert ANNOUNCE_TYPES == TOPIC_ANNOUNCE_TYPES == ("new", "cross", "replace", "replace-cross")
    assert json.dumps({"outcome": RunOutcome.NO_ANNOUNCEMENT, "status": DeliveryStatus.OUTBOX}) == (
        '{"outcome": "no-announcement", "status": "outbox"}'
    )
    assert f"{RunOutcome.NOTHING_NEW}: 0 new papers" == "nothing-new: 0 new papers"


@pytest.mark.parametrize(
    ("given", "primary", "expected"),
    [
        ("new", "cs.DC", AnnounceType.NEW),
        ("new", "math.OC", AnnounceType.CROSS),
        ("replace", "cs.DC", AnnounceType.REPLACE),
        ("replace", "math.OC", AnnounceType.REPLACE_CROSS),
        ("cross", "math.OC", AnnounceType.CROSS),
        ("replace-cross", "math.OC", AnnounceType.REPLACE_CROSS),
    ],
)
def test_an_items_type_for_a_category_is_one_of_arxivs_four(given: str, primary: str, expected: AnnounceType) -> None:
    item = AnnouncedItem("2605.00001", 1, given, "T", "A", ("X",), (primary, "cs.DC"))
    assert item.type_for("cs.DC") == expected


def test_the_database_stores_the_outcome_as_the_plain_string(tmp_path: Path) -> None:
    with Arxiv(load_seed_papers()) as server:
        config = load_config(write_config(tmp_path, server))
        run_daily(Environment(config, lambda: NOW))
        run_daily(Environment(config, lambda: NOW))
    with sqlite3.connect(config.database) as db:
        rows = db.execute("SELECT outcome, typeof(outcome) FROM runs ORDER BY id").fetchall()
    assert rows == [("new", "text"), ("no-announcement", "text")]  # NOW is a Saturday


# --- one table of exit statuses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ending", "status"),
    [
        (ConfigError("dailypapers.toml", "max_papers", "expected a number"), ExitStatus.USAGE),
        (QuerySyntaxError("ti:(", 3, 4, "unbalanced '('"), ExitStatus.USAGE),
        (click.UsageError("give --set or --category, not both"), ExitStatus.USAGE),
        (RunInProgressError("another run is in progress"), ExitStatus.TRY_LATER),
        (DatabaseBusyError("the database is busy"), ExitStatus.TRY_LATER),
        (StoreError("no database yet"), ExitStatus.ERROR),
        (FetchError("https://export.arxiv.org/api/query", 3, 503, "Service Unavailable"), ExitStatus.ERROR),
        (UnconfirmedError("https://hooks.example.org/", 1, None, "no answer"), ExitStatus.ERROR),
        (FeedError("not a feed"), ExitStatus.ERROR),
        (ArxivApiError("incorrect id format"), ExitStatus.ERROR),
        (DeliveryError("email", "ada@example.org", "refused"), ExitStatus.ERROR),
        (OutputError("README.md", "is a folder"), ExitStatus.ERROR),
        (DailyPapersError("anything else"), ExitStatus.ERROR),
        (OSError(28, "No space left on device"), ExitStatus.ERROR),
        (RuntimeError("a bug"), ExitStatus.ERROR),
        (StoreError, ExitStatus.ERROR),  # a message printed for this class of error
        (click.UsageError, ExitStatus.USAGE),
        (RunOutcome.NEW, ExitStatus.OK),
        (RunOutcome.NOTHING_NEW, ExitStatus.OK),
        (RunOutcome.NO_ANNOUNCEMENT, ExitStatus.OK),  # a weekend is not a failure
        (RunOutcome.STALE, ExitStatus.TRY_LATER),
        (RunOutcome.FAILED, ExitStatus.ERROR),
        (DeliveryStatus.SENT, ExitStatus.OK),
        (DeliveryStatus.NOTHING, ExitStatus.OK),
        (DeliveryStatus.OUTBOX, ExitStatus.OK),
        (DeliveryStatus.FAILED, ExitStatus.ERROR),
    ],
    ids=repr,
)
def test_each_ending_has_its_exit_status(ending: Any, status: ExitStatus) -> None:
    assert exit_status(ending) is status
    assert (int(status), status.name) in {(0, "OK"), (1, "ERROR"), (2, "USAGE"), (75, "TRY_LATER")}


def test_every_exit_of_the_command_line_goes_through_exit_status() -> None:
    """No ``SystemExit`` in cli.py names a number or an ``ExitStatus`` member itself: each asks ``exit_status``."""
    tree = ast.parse(Path(cli_module.__file__).read_text(encoding="utf-8"))
    exits = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "SystemExit"
    ]
    assert len(exits) >= 6
    for node in exits:
        (argument,) = node.args
        is_status_call = isinstance(argument, ast.Call) and getattr(argument.func, "id", None) == "exit_status"
        decided = is_status_call or (isinstance(argument, ast.Name) and argument.id == "status")
        assert decided, f"cli.py line {node.lineno}: SystemExit({ast.unparse(argument)})"


# --- the clock the environment stands at ------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["yesterday", "1990-12-31T23:00:00+00:00", "9999-01-01T00:00:00+00:00", "2026-13-01"])
def test_a_bad_fixed_time_is_a_config_error_naming_the_variable(raw: str) -> None:
    with pytest.raises(ConfigError, match="environment: DAILYPAPERS_NOW: expected an ISO 8601 time") as caught:
        fixed_now({"DAILYPAPERS_NOW": raw})
    assert exit_status(caught.value) is ExitStatus.USAGE


def test_a_fixed_time_without_a_zone_is_utc() -> None:
    moment = fixed_now({"DAILYPAPERS_NOW": "2026-05-16T06:00:00"})
    assert moment == NOW and fixed_now({}) is None
