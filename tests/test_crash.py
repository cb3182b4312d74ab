"""A daily run killed at any point, and two runs at once, end as one uninterrupted run would.

`dailypapers run` runs as a real process against the local arXiv server, a real SMTP server, a real webhook
receiver and a server speaking GitHub's issues API on loopback. It is killed with SIGKILL at points spread
over fetch, store, render, publish and delivery. ``crashpoints.py`` finds each point from outside the process
(a profile function that ``sitecustomize.py`` installs), so dailypapers has no hook for it. The same command
then runs again, unkilled, and the database, every output file, every inbox and the repository's issues must
hold what an uninterrupted run gives. The one exception is the one the README documents ("Each paper once,
per target"): a kill between a server accepting a message (or opening the issue) and the run recording it
makes the next run send that message once more.

The day under test is Friday 15 May 2026. Thursday's run, made once and copied for each test, covered
Thursday's announcement. Friday's feed announces eleven papers, one of them a new version of a paper already
on the page, and the config gains a topic, which is searched on its own. Every target has papers to be sent.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from arxiv_server import ArxivServer, load_seed_papers
from crashpoints import POINT, REPORT, sitecustomize_folder
from daily_world import write_config
from dailypapers.model import Paper
from delivery_world import SECRET_URL_PATH, delivery_config, paper_links
from feed_server import mount_feeds
from github_server import REPO, TOKEN, GitHubIssues, github_server
from loopback import Mailbox, WebhookReceiver, smtp_server, webhook_receiver

THURSDAY = datetime(2026, 5, 14, 12, 0, tzinfo=UTC)  # 08:00 in New York, after the feeds were rebuilt
FRIDAY = datetime(2026, 5, 15, 12, 0, tzinfo=UTC)
THURSDAY_CUTOFF = datetime(2026, 5, 12, 18, 0, tzinfo=UTC)  # 14:00 in New York: arXiv's daily deadline
FRIDAY_CUTOFF = datetime(2026, 5, 13, 18, 0, tzinfo=UTC)  # seeds updated later are unknown until Friday
REVISED = "2603.09555"  # on the page under "compiler" since Thursday; its version 2 is announced on Friday
TOPICS = ("reinforcement learning", "compiler", "performance")
ADA, GRACE, WEBHOOK = "email:ada@example.org", "email:grace@example.org", "json:TEST_WEBHOOK_URL"
GITHUB = f"github:{REPO}"
TARGETS = (ADA, GRACE, WEBHOOK, GITHUB)

# What the killed run had done that lasts: nothing; its transaction (committed, but its outputs not marked as
# written: the next run notifies its papers again); or everything up to delivery (published).
NOTHING, COMMITTED, PUBLISHED = "nothing", "committed", "published"


@dataclass(frozen=True)
class Point:
    """Where the run is killed (``crashpoints`` syntax), a function that must be on the stack there, what the
    run had done by then, and the target whose message was accepted but not recorded, if any."""

    stage: str
    at: str
    within: str
    done: str
    repeat: str | None = None

    def __str__(self) -> str:
        return f"{self.stage}-{self.at}"


RUN = "dailypapers.pipeline.daily:_DailyRun"
FETCH = "dailypapers.pipeline.fetch:Fetch"
STAGE = "dailypapers.pipeline.outputs:stage_outputs"
STORE = "dailypapers.store:Store"
SEND = "dailypapers.deliver.email:SmtpSession.send"
POST = "dailypapers.deliver.webhook:post_webhook"
RECORD = "dailypapers.store.deliveries:Deliveries.record"
DELIVER = "dailypapers.pipeline.delivery"
ISSUE = "dailypapers.deliver.github"
POINTS = [
    # fetch: the feed, the new topic's search, then the announced papers' metadata
    Point("fetch", "dailypapers.http:Http._fetch", "dailypapers.arxiv.announce:fetch_announcement", NOTHING),
    Point("fetch", "dailypapers.http:Http._fetch@return#2", f"{FETCH}._backfill", NOTHING),
    Point("fetch", "dailypapers.arxiv.api:ExportApi.by_ids", f"{FETCH}._announced", NOTHING),
    Point("fetch", "dailypapers.http:Http._fetch@return#3", f"{FETCH}._announced", NOTHING),
    # store and match, inside the run's transaction
    Point("store", f"{STORE}.begin_run@return", f"{RUN}._commit", NOTHING),
    Point("store", f"{STORE}.add_versions#4", f"{RUN}._store_and_match", NOTHING),
    Point("store", "dailypapers.store.fts:index_many@return", f"{STORE}.index_for_search", NOTHING),
    Point("store", f"{STORE}.add_match#3", "dailypapers.match.rematch:rematch", NOTHING),
    Point("store", f"{STORE}.record_announced", f"{RUN}._cover", NOTHING),
    Point("store", f"{STORE}.finish_run@return", f"{RUN}._finish", NOTHING),
    Point("store", "dailypapers.store.deliveries:Deliveries.start#2", f"{DELIVER}:register_targets", NOTHING),
    # render and stage the outputs as temporary files, still inside the transaction
    Point("render", "dailypapers.match.digest:build_digest@return", STAGE, NOTHING),
    Point("render", "dailypapers.render.site:site_files", STAGE, NOTHING),
    Point("render", "dailypapers.render.site:day_page#2", STAGE, NOTHING),  # the site staged in part
    Point("render", "dailypapers.render.feed:render_feeds@return", STAGE, NOTHING),
    Point("render", "dailypapers.files:stage#4", STAGE, NOTHING),
    # A transaction is a generator: its 2nd call event resumes it to COMMIT, its 2nd return follows COMMIT.
    Point("render", f"{STORE}.transaction@call#2", f"{RUN}._commit", NOTHING),
    # commit, rename the staged files into place, mark the run's outputs as written
    Point("publish", f"{STORE}.transaction@return#2", f"{RUN}._commit", COMMITTED),
    Point("publish", "os:replace", "dailypapers.files:publish", COMMITTED),
    Point("publish", "os:replace@return#3", "dailypapers.files:publish", COMMITTED),
    Point("publish", "dailypapers.files:publish@return", f"{RUN}._commit", COMMITTED),
    Point("publish", f"{STORE}.mark_published@return", f"{RUN}._commit", PUBLISHED),
    # deliver: ada (every topic), then grace (compiler) by email, then the webhook (performance)
    Point("deliver", "dailypapers.store.deliveries:Deliveries.unsent", f"{DELIVER}:_pending", PUBLISHED),
    Point("deliver", "smtplib:SMTP.data", SEND, PUBLISHED),
    Point("deliver", f"{SEND}@return", f"{DELIVER}:_email", PUBLISHED, repeat=ADA),
    Point("deliver", f"{RECORD}@return", f"{DELIVER}:_sent", PUBLISHED, repeat=ADA),
    Point("deliver", f"{DELIVER}:_sent@return", f"{DELIVER}:_email", PUBLISHED),
    Point("deliver", f"{SEND}@return#2", f"{DELIVER}:_email", PUBLISHED, repeat=GRACE),
    Point("deliver", POST, f"{DELIVER}:_webhook", PUBLISHED),
    Point("deliver", f"{POST}@return", f"{DELIVER}:_webhook", PUBLISHED, repeat=WEBHOOK),
    Point("deliver", "dailypapers.deliver.email:SmtpSession.close", f"{DELIVER}:deliver", PUBLISHED),
    # deliver: the GitHub issue, last
    Point("deliver", f"{ISSUE}:open_issue", f"{DELIVER}:_github", PUBLISHED),
    Point("deliver", "dailypapers.http:Http.post_json#2", f"{ISSUE}:post_json", PUBLISHED),  # #1: the webhook
    Point("deliver", "dailypapers.http:Http.post_json@return#2", f"{ISSUE}:post_json", PUBLISHED, repeat=GITHUB),
    Point("deliver", f"{ISSUE}:open_issue@return", f"{DELIVER}:_github", PUBLISHED, repeat=GITHUB),
    Point("deliver", f"{RECORD}@return#4", f"{DELIVER}:_sent", PUBLISHED, repeat=GITHUB),
    Point("deliver", f"{DELIVER}:_sent@return#4", f"{DELIVER}:_github", PUBLISHED),
]
# A first run on a new folder, killed while it creates the database: (point, migrations committed by then).
MIGRATING = [(f"{STORE}.transaction@return#4", 2), (f"{STORE}.transaction@call#8", 3)]


# --- the scenario -------------------------------------------------------------------------------------------


def announced(papers: list[Paper]) -> list[tuple[Paper, str]]:
    return [(paper, "new" if paper.version == 1 else "replace") for paper in papers]


def thursday_papers() -> list[Paper]:
    return [p for p in load_seed_papers() if THURSDAY_CUTOFF <= p.updated < FRIDAY_CUTOFF]


def friday_papers() -> list[Paper]:
    """The seeds updated after Wednesday's deadline, and a new version of a paper on the page."""
    seeds = load_seed_papers()
    known = next(p for p in seeds if p.id == REVISED)
    revised = replace(known, version=known.version + 1, updated=FRIDAY_CUTOFF, comment="v2: a proof fixed")
    return [*(p for p in seeds if p.updated >= FRIDAY_CUTOFF), revised]


Mail = dict[str, list[frozenset[str]]]  # target: the versions of each message it received, in order


@dataclass
class Outcome:
    """What a folder holds after a run: its outputs, its database, its runs, and what the targets got."""

    outputs: dict[str, bytes]
    rows: dict[str, list[tuple[Any, ...]]]
    runs: list[dict[str, Any]]
    served: bool  # every target's ``since_run`` is the last run: it lacks nothing that run knew of
    mail: Mail = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)  # what ``run --json`` printed


class World:
    """The servers, Thursday's folder, and what an uninterrupted Friday gives: run once, and run twice."""

    def __init__(self, root: Path, box: Mailbox, hooks: WebhookReceiver, github: GitHubIssues) -> None:
        self.root = root
        self.box = box
        self.hooks = hooks
        self.github = github
        self.clock = THURSDAY
        self.server = ArxivServer([p for p in load_seed_papers() if p.updated < FRIDAY_CUTOFF], now=lambda: self.clock)
        self.feeds = mount_feeds(self.server)
        self.site_packages = sitecustomize_folder(root / "crashpoints")
        self.thursday = root / "thursday"

    def prepare(self, port: int) -> None:
        self.thursday.mkdir()
        config = delivery_config(port, issue=".github/ISSUE_TEMPLATE.md") + f'[github]\nrepo = "{REPO}"\n'
        write_config(self.thursday, self.server, topics=TOPICS, extra=config)
        self.feeds.announce(THURSDAY.date(), announced(thursday_papers()))
        self.must_succeed(self.run(self.thursday, now=THURSDAY))
        self.before = outcome(self.thursday)
        # Friday: a topic is added, and the feed announces Friday's papers.
        write_config(self.thursday, self.server, topics=(*TOPICS, "gossip"), extra=config)
        self.server.add(friday_papers())
        self.feeds.announce(FRIDAY.date(), announced(friday_papers()))
        self.clock = FRIDAY
        self.once, self.twice = self.reference(self.copy(self.root / "once"))
        self.fresh, _ = self.reference(self.new_folder(self.root / "fresh"), twice=False)

    def reference(self, folder: Path, twice: bool = True) -> tuple[Outcome, Outcome | None]:
        self.clear_mail()
        once = self.complete(folder)
        assert once.summary["outcome"] == "new" and once.summary["announcement"] == FRIDAY.date().isoformat()
        assert set(once.mail) == set(TARGETS) and all(len(m) == 1 for m in once.mail.values())
        if not twice:
            return once, None
        self.clear_mail()
        again = self.complete(folder)
        assert again.summary["outcome"] == "nothing-new"
        return once, again

    def copy(self, folder: Path) -> Path:
        """Thursday's folder: database, outputs, and the config as it is on Friday."""
        shutil.copytree(self.thursday, folder)
        return folder

    def new_folder(self, folder: Path) -> Path:
        folder.mkdir()
        shutil.copy2(self.thursday / "dailypapers.toml", folder)
        return folder

    def run(self, folder: Path, point: str | None = None, now: datetime = FRIDAY) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.command(folder), env=self.environ(now, point, folder), **RUN_OPTIONS)

    def start(self, folder: Path) -> subprocess.Popen[str]:
        return subprocess.Popen(self.command(folder), env=self.environ(FRIDAY, None, folder), **START_OPTIONS)

    @staticmethod
    def command(folder: Path) -> list[str]:
        return [sys.executable, "-m", "dailypapers", "run", "--config", str(folder / "dailypapers.toml"), "--json"]

    def environ(self, now: datetime, point: str | None, folder: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DAILYPAPERS_", POINT))}
        env |= {
            "DAILYPAPERS_DELAY": "0",
            "DAILYPAPERS_NOW": now.isoformat(),
            "TEST_WEBHOOK_URL": self.hooks.url,
            "DAILYPAPERS_GITHUB_API_URL": self.github.url,
            "GITHUB_TOKEN": TOKEN,
            "PYTHONDONTWRITEBYTECODE": "1",  # no os.replace of a .pyc file to confuse the count of os:replace
        }
        if point is not None:
            env[POINT] = point
            env[REPORT] = str(folder.parent / "crash.json")
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(self.site_packages), env.get("PYTHONPATH")]))
        return env

    @staticmethod
    def must_succeed(process: subprocess.CompletedProcess[str]) -> dict[str, Any]:
        assert process.returncode == 0, process.stderr
        summary: dict[str, Any] = json.loads(process.stdout.splitlines()[-1])
        return summary

    def complete(self, folder: Path) -> Outcome:
        """Run to the end, and say what the folder and the targets have then."""
        summary = self.must_succeed(self.run(folder))
        return outcome(folder, self.mail(), summary)

    def kill(self, folder: Path, point: str, within: str) -> None:
        """Run, and make sure the process died of SIGKILL at ``point``: a point never met fails the test."""
        killed = self.run(folder, point)
        assert killed.returncode == -signal.SIGKILL, f"{point} was never met:\n{killed.stderr[-3000:]}"
        report = json.loads((folder.parent / "crash.json").read_text(encoding="utf-8"))
        assert report["point"] == point and within in report["stack"], report

    def clear_mail(self) -> None:
        self.box.messages.clear()
        self.hooks.bodies.clear()
        self.github.issues.clear()

    def mail(self) -> Mail:
        got: Mail = {}
        for recipient, message in self.box.messages:
            got.setdefault(f"email:{recipient}", []).append(frozenset(paper_links(message)))
        for body in self.hooks.bodies:
            papers = [paper for topic in body["topics"] for paper in topic["papers"]]
            versions = frozenset(f"https://arxiv.org/abs/{p['id']}v{p['version']}" for p in papers)
            got.setdefault(WEBHOOK, []).append(versions)
        for issue in self.github.issues:
            links = re.findall(r"\]\((https://arxiv\.org/abs/[^)]+)\)", issue["body"])
            got.setdefault(GITHUB, []).append(frozenset(links))
        return got


RUN_OPTIONS: dict[str, Any] = {"capture_output": True, "text": True, "timeout": 60}
START_OPTIONS: dict[str, Any] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
# Columns that differ between equally good endings: the clock of a migration, the ids and clock of a run
# (``runs`` is compared on its own), which run sent a paper, and since which run a target is served (all of
# them since the last run: ``Outcome.served``).
IGNORED = {
    "schema_migrations": ("applied",),
    "runs": ("id", "started", "finished"),
    "deliveries": ("run",),
    "targets": ("since_run",),
}
DATABASE = ("dailypapers.db", "dailypapers.db-wal", "dailypapers.db-shm", "dailypapers.db.lock")


def outputs(folder: Path) -> dict[str, bytes]:
    """Every file a run writes (page, notification, site, feeds) by path; not the database, not a .tmp file."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in (*DATABASE, "dailypapers.toml") and not p.name.endswith(".tmp")
    }


def leftovers(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.tmp"))


def inspected(folder: Path) -> Path:
    """A copy of the database to read. Opening the original after a kill would recover its WAL, which is the
    next run's job."""
    copy = folder.parent / f"{folder.name}-inspected"
    shutil.rmtree(copy, ignore_errors=True)
    copy.mkdir()
    for name in DATABASE[:2]:
        if (folder / name).exists():
            shutil.copy2(folder / name, copy / name)
    return copy / DATABASE[0]


def outcome(folder: Path, mail: Mail | None = None, summary: dict[str, Any] | None = None) -> Outcome:
    path = inspected(folder)
    return Outcome(outputs(folder), rows(path), *runs(path), mail=mail or {}, summary=summary or {})


def rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, the full-text index's own tables too, sorted, less the ``IGNORED`` columns."""
    dump: dict[str, list[tuple[Any, ...]]] = {}
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        tables = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'")
        for (table,) in tables.fetchall():
            columns = [c[1] for c in db.execute(f'PRAGMA table_info("{table}")') if c[1] not in IGNORED.get(table, ())]
            selected = ", ".join(f'"{column}"' for column in columns)
            dump[table] = sorted(db.execute(f'SELECT {selected} FROM "{table}"').fetchall(), key=repr)
    return dump


def runs(path: Path) -> tuple[list[dict[str, Any]], bool]:
    """The rows of ``runs`` in order, without their ids and clock times, and whether the last run served every
    target."""
    with closing(sqlite3.connect(path)) as db:
        db.row_factory = sqlite3.Row
        found = [dict(row) for row in db.execute("SELECT * FROM runs ORDER BY id")] if _has(db, "runs") else []
        since = {row[0] for row in db.execute("SELECT since_run FROM targets")} if _has(db, "targets") else set()
    served = since == {found[-1]["id"]} if found else not since
    return [{k: v for k, v in run.items() if k not in IGNORED["runs"]} for run in found], served


def _has(db: sqlite3.Connection, table: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone() is not None


def without(dump: dict[str, list[tuple[Any, ...]]], *tables: str) -> dict[str, list[tuple[Any, ...]]]:
    return {table: content for table, content in dump.items() if table not in tables}


# --- servers ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    box = Mailbox()
    with smtp_server(box) as port, webhook_receiver(SECRET_URL_PATH) as hooks, github_server() as github:
        scenario = World(tmp_path_factory.mktemp("crash"), box, hooks, github)
        scenario.server.start()
        try:
            scenario.prepare(port)
            yield scenario
        finally:
            scenario.server.stop()


# --- crash safety -------------------------------------------------------------------------------------------


def test_friday_reaches_every_stage(world: World) -> None:
    """Friday's run stores papers, covers the announcement and has papers for every target, so that every
    kill point falls where there is something to lose."""
    friday = world.once.runs[-1]
    assert friday["kept"] > 0 and friday["announcement"] == "2026-05-15" and friday["published"] == 1
    assert {row[2] for row in world.once.rows["matches"] if row[1] == REVISED} == {1, 2}
    assert all(len(world.once.mail[target]) == 1 and world.once.mail[target][0] for target in TARGETS)
    assert world.once.served and world.twice is not None and world.twice.mail == {}


@pytest.mark.parametrize("point", POINTS, ids=str)
def test_a_run_killed_anywhere_ends_as_an_uninterrupted_one(world: World, tmp_path: Path, point: Point) -> None:
    folder = world.copy(tmp_path / "papers")
    world.clear_mail()
    world.kill(folder, point.at, point.within)

    # At the moment of the kill: all or nothing.
    killed = outcome(folder)
    friday = killed.runs[len(world.before.runs) :]
    done = NOTHING if not friday else PUBLISHED if friday[0]["published"] else COMMITTED
    assert done == point.done, friday
    if done == NOTHING:
        assert killed.rows == world.before.rows, "the killed transaction left nothing behind"
        assert killed.outputs == world.before.outputs
    else:
        stored = without(killed.rows, "runs", "targets", "deliveries")
        assert stored == without(world.once.rows, "runs", "targets", "deliveries")
        for name, content in killed.outputs.items():
            assert content in (world.before.outputs.get(name), world.once.outputs.get(name)), f"{name} is torn"
    if done == PUBLISHED:
        assert killed.outputs == world.once.outputs

    # Run again: the outputs, the database and the inboxes are those of an uninterrupted run.
    after = world.complete(folder)
    expected = world.twice if done == PUBLISHED else world.once
    assert expected is not None
    if done == NOTHING:
        assert after.summary == expected.summary
    assert after.outputs == expected.outputs
    assert without(after.rows, "runs") == without(expected.rows, "runs")
    assert after.served
    if done == COMMITTED:
        # Logged but never marked as written: the next run notifies its papers (README, "What it stores").
        assert after.summary["outcome"] == "new" and after.summary["new"] == world.once.summary["new"]
        assert world.twice is not None
        unpublished = {**world.once.runs[-1], "published": 0}
        renotified = {**world.twice.runs[-1], "outcome": "new", "notify_after": world.once.runs[-1]["notify_after"]}
        assert after.runs == [*world.before.runs, unpublished, renotified]
    else:
        assert after.runs == expected.runs
    for target in TARGETS:
        (papers,) = world.once.mail[target]
        times = 2 if target == point.repeat else 1  # one repeat, and only where the README allows it
        assert after.mail.get(target) == [papers] * times, target


@pytest.mark.parametrize(("point", "migrations"), MIGRATING, ids=[point for point, _ in MIGRATING])
def test_a_first_run_killed_while_creating_the_database_starts_over(
    world: World, tmp_path: Path, point: str, migrations: int
) -> None:
    folder = world.new_folder(tmp_path / "papers")
    world.clear_mail()
    world.kill(folder, point, f"{STORE}.migrate")
    killed = outcome(folder)
    assert [row[0] for row in killed.rows["schema_migrations"]] == list(range(1, migrations + 1))
    assert killed.outputs == {}

    after = world.complete(folder)
    assert after.outputs == world.fresh.outputs
    assert after.rows == world.fresh.rows
    assert after.runs == world.fresh.runs and after.served
    assert after.mail == world.fresh.mail
    assert after.summary == world.fresh.summary


def test_a_run_killed_after_staging_leaves_no_temporary_files(world: World, tmp_path: Path) -> None:
    folder = world.copy(tmp_path / "papers")
    world.kill(folder, "dailypapers.files:publish", f"{RUN}._commit")
    world.must_succeed(world.run(folder))
    assert leftovers(folder) == []


def test_a_recipient_added_today_gets_todays_papers_after_a_kill_before_delivery(world: World, tmp_path: Path) -> None:
    folder = world.copy(tmp_path / "papers")
    config = folder / "dailypapers.toml"
    added = '[[email.recipients]]\naddress = "alan@example.org"\ntopics = ["performance"]\n'
    config.write_text(config.read_text(encoding="utf-8").replace("[[webhooks]]", added + "[[webhooks]]"))
    world.clear_mail()
    world.kill(folder, f"{STORE}.mark_published@return", f"{RUN}._commit")
    world.must_succeed(world.run(folder))
    # An uninterrupted run sends alan what the webhook gets: the papers on "performance" first matched today.
    assert world.mail().get("email:alan@example.org") == world.once.mail[WEBHOOK]


# --- two runs at once ---------------------------------------------------------------------------------------


def test_a_second_run_while_one_is_in_progress_exits_75_and_changes_nothing(world: World, tmp_path: Path) -> None:
    """The first run waits for the feed, holding the lock, while a second one starts on the same config."""
    folder = world.copy(tmp_path / "papers")
    world.clear_mail()
    asked, answer = threading.Event(), threading.Event()
    feed = world.server.routes["/rss/"]

    def slow_feed(path: str, params: dict[str, str]) -> Any:
        asked.set()
        answer.wait(30)
        return feed(path, params)

    world.server.mount("/rss/", slow_feed)
    first = world.start(folder)
    try:
        assert asked.wait(30), "the first run never asked for the feed"
        second = world.run(folder)
        assert first.poll() is None, "the first run is still waiting for the feed"
    finally:
        answer.set()
        out, err = first.communicate(timeout=60)
        world.server.mount("/rss/", feed)
    assert second.returncode == 75, second.stderr
    assert "another run is in progress" in second.stderr.splitlines()[-1]
    assert json.loads(second.stdout)["outcome"] == "failed"
    assert first.returncode == 0, err
    assert json.loads(out.splitlines()[-1])["outcome"] == "new"
    after = outcome(folder, world.mail())  # rows() checks PRAGMA integrity_check
    assert after.outputs == world.once.outputs
    assert after.rows == world.once.rows
    assert after.runs == world.once.runs
    assert after.mail == world.once.mail
