"""``run --dry-run`` changes nothing: not the database (to the byte), not an output, not a target.

A dry run fetches, matches and renders everything into ``outbox/`` next to the config: the page, the
notification, the site, the feeds, each email and each webhook payload. A real run after it announces and
delivers exactly that. The command runs as a real process against the local arXiv server, a real SMTP
server and a real webhook receiver on loopback.
"""

from __future__ import annotations

import email
import email.policy
import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from daily_world import write_config
from dailypapers import store as store_module
from dailypapers.store import MIGRATIONS, Store
from delivery_world import SECRET_URL_PATH, delivery_config, paper_links
from loopback import Mailbox, WebhookReceiver, smtp_server, webhook_receiver
from runfolder import Baseline, run_command, runs

ADA, GRACE = "ada@example.org", "grace@example.org"


class World(Baseline):
    """The first day's folder with every output and target, and the servers that receive the messages."""

    def __init__(self, root: Path, box: Mailbox, hooks: WebhookReceiver, port: int) -> None:
        super().__init__(root)
        self.box, self.hooks, self.port = box, hooks, port
        self.environ = {"TEST_WEBHOOK_URL": hooks.url}

    def run(self, config: Path, *args: str) -> Any:
        return run_command(config, *args, environ=self.environ)

    def clear(self) -> None:
        self.box.messages.clear()
        self.hooks.bodies.clear()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    box = Mailbox()
    with smtp_server(box) as port, webhook_receiver(SECRET_URL_PATH) as hooks:
        made = World(tmp_path_factory.mktemp("dry"), box, hooks, port)
        with made.server:
            made.prepare(delivery_config(port), environ=made.environ)
            yield made


def files(folder: Path) -> dict[str, bytes]:
    """Every file but the lock and the outbox, the database included, with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock") and not p.relative_to(folder).as_posix().startswith("outbox/")
    }


def outbox_messages(folder: Path) -> tuple[dict[str, EmailMessage], list[dict[str, Any]]]:
    mails: dict[str, EmailMessage] = {}
    for path in sorted((folder / "outbox").glob("run-*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        mails[str(message["To"])] = message
    payloads = [json.loads(path.read_text(encoding="utf-8")) for path in sorted((folder / "outbox").glob("run-*.json"))]
    return mails, payloads


def test_a_dry_run_changes_nothing_and_the_real_run_after_it_delivers_everything(world: World, tmp_path: Path) -> None:
    config = world.copy(tmp_path / "papers")
    folder = config.parent
    before = files(folder)
    assert "dailypapers.db" in before and "dailypapers.db-wal" not in before
    world.clear()
    for _ in range(2):  # twice: the second dry run finds what the first found
        dry = world.run(config, "--dry-run")
        assert dry.status == 0, dry.stderr
        assert dry.summary["outcome"] == "new" and dry.summary["new_papers"] == 2
        assert {d["status"] for d in dry.summary["deliveries"]} == {"outbox"}
        assert files(folder) == before, "the database and every output byte for byte"
        assert world.box.messages == [] and world.hooks.bodies == [], "nothing sent"
    outbox = folder / "outbox"
    assert {"README.md", "issue.md", "site/index.html", "feeds/all.xml"} <= set(files(outbox))
    assert (outbox / "README.md").read_bytes() != before["README.md"], "the outbox shows the second day"
    mails, payloads = outbox_messages(folder)
    assert set(mails) == {ADA, GRACE} and len(payloads) == 1

    real = world.run(config)
    assert real.status == 0, real.stderr
    assert {k: v for k, v in real.summary.items() if k != "deliveries"} == {
        k: v for k, v in dry.summary.items() if k != "deliveries"
    }, "the real run announces what the dry run showed"
    assert {d["status"] for d in real.summary["deliveries"]} == {"sent"}
    for name in ("README.md", "issue.md", "site/index.html", "site/days/2026-05-17.html", "feeds/all.xml"):
        assert (folder / name).read_bytes() == (outbox / name).read_bytes(), name
    received = {recipient: message for recipient, message in world.box.messages}
    assert set(received) == {ADA, GRACE}
    for address, message in mails.items():
        assert paper_links(received[address]) == paper_links(message) and paper_links(message)
        assert received[address]["Subject"] == message["Subject"]
    assert world.hooks.bodies == payloads
    assert [outcome for outcome, _, _ in runs(folder / "dailypapers.db")] == ["new", "new"], "no dry-run line"


def test_a_dry_run_on_a_new_folder_creates_no_database(world: World, tmp_path: Path) -> None:
    folder = tmp_path / "new"
    folder.mkdir()
    config = write_config(folder, world.server, categories=(), extra=delivery_config(world.port))
    world.clear()
    dry = world.run(config, "--dry-run")
    assert dry.status == 0, dry.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["dailypapers.toml", "outbox"], "no database, no lock"
    page = (folder / "outbox" / "README.md").read_bytes()
    assert b"2605.20001" in page and world.box.messages == []
    real = world.run(config)
    assert real.status == 0 and real.summary["outcome"] == "new", real.stderr
    assert (folder / "README.md").read_bytes() == page
    assert {recipient for recipient, _ in world.box.messages} == {ADA, GRACE}


def test_a_dry_run_does_not_migrate_an_old_database(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    config = write_config(folder, world.server, categories=())
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:1])
    Store.open(folder / "dailypapers.db").close()
    monkeypatch.undo()
    before = (folder / "dailypapers.db").read_bytes()
    dry = world.run(config, "--dry-run")
    assert dry.status == 0, dry.stderr
    assert (folder / "dailypapers.db").read_bytes() == before
    with closing(sqlite3.connect(folder / "dailypapers.db")) as db:
        assert db.execute("SELECT MAX(version) FROM schema_migrations").fetchone() == (1,)
    assert (folder / "outbox" / "README.md").is_file() and not (folder / "README.md").exists()
    real = world.run(config)
    assert real.status == 0 and real.summary["outcome"] == "new", real.stderr


def test_a_failed_dry_run_leaves_no_line_in_runs(world: World, tmp_path: Path) -> None:
    config = world.copy(tmp_path / "papers")
    before = files(config.parent)
    world.server.unavailable(times=None, retry_after=0)
    try:
        dry = world.run(config, "--dry-run")
    finally:
        world.server.clear_faults()
    assert "HTTP 503" in dry.failed_with_one_line()
    assert files(config.parent) == before


def test_a_dry_run_needs_no_secret_and_writes_no_output(world: World, tmp_path: Path) -> None:
    """What would stop a real run before its first request only warns a dry run, which sends and writes
    nothing at those places; an outbox that cannot be written stops it."""
    config = world.copy(tmp_path / "papers")
    folder = config.parent
    (folder / "README.md").unlink()
    (folder / "README.md").mkdir()  # a real run refuses this before asking arXiv anything
    before = files(folder)
    dry = run_command(config, "--dry-run")  # TEST_WEBHOOK_URL is not set
    assert dry.status == 0, dry.stderr
    assert "dry run: TEST_WEBHOOK_URL is not set; a real run needs it" in dry.stderr
    assert files(folder) == before and (folder / "outbox" / "README.md").is_file()
    assert "README.md: cannot be written: this is a folder" in run_command(config).failed_with_one_line()
    (folder / "README.md").rmdir()
    assert "TEST_WEBHOOK_URL: not set or empty" in run_command(config).failed_with_one_line(2)
    (folder / "README.md").mkdir()

    shutil.rmtree(folder / "outbox")
    (folder / "outbox").write_text("not a folder\n", encoding="utf-8")
    before = files(folder)  # with the failed real runs' lines in runs
    world.server.requests.clear()
    line = run_command(config, "--dry-run", environ=world.environ).failed_with_one_line()
    assert "outbox" in line and "not a folder" in line and world.server.requests == []
    assert files(folder) == before


def newer_schema(database: Path) -> None:
    with closing(sqlite3.connect(database)) as db, db:
        db.execute("INSERT INTO schema_migrations VALUES (99, '2030-01-01T00:00:00Z')")


def not_a_database(database: Path) -> None:
    database.write_text("my notes\n" * 500, encoding="utf-8")


@pytest.mark.parametrize(
    ("spoil", "words"),
    [(newer_schema, "database schema 99 is newer"), (not_a_database, "file is not a database")],
    ids=["newer schema", "not a database"],
)
def test_a_dry_run_on_a_database_it_cannot_use_names_the_real_file(
    world: World, tmp_path: Path, spoil: Any, words: str
) -> None:
    config = world.copy(tmp_path / "papers")
    database = config.parent / "dailypapers.db"
    spoil(database)
    before = files(config.parent)
    world.server.requests.clear()
    line = world.run(config, "--dry-run").failed_with_one_line()
    assert line.startswith(f"dailypapers: error: {database}: ") and words in line, line
    assert files(config.parent) == before and world.server.requests == []


def test_a_dry_run_on_a_busy_database_exits_75(world: World, tmp_path: Path) -> None:
    config = world.copy(tmp_path / "papers")
    write_config(config.parent, world.server, categories=(), extra="busy_timeout = 0.2\n" + delivery_config(world.port))
    before = files(config.parent)
    with closing(sqlite3.connect(config.parent / "dailypapers.db", isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        ran = world.run(config, "--dry-run")
        other.execute("ROLLBACK")
    assert "the database is busy" in ran.failed_with_one_line(75)
    assert files(config.parent) == before
