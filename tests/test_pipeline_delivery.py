"""Delivery end to end: a daily run against the local arXiv server, a real SMTP server and a real HTTP
webhook receiver on loopback, a real SQLite file. Each paper reaches each target once, also when a run is
repeated, and a target that failed gets its papers on the next run."""

from __future__ import annotations

import email
import email.policy
import json
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from arxiv_server import load_seed_papers
from daily_world import NOW, Arxiv, write_config
from dailypapers.cli import cli
from dailypapers.config import load_config
from dailypapers.pipeline.context import Environment
from dailypapers.pipeline.daily import RunSummary, run_daily
from delivery_world import SECRET_URL_PATH, delivery_config, paper_links
from loopback import Mailbox, WebhookReceiver, smtp_server, webhook_receiver


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    with smtp_server(box) as port:
        yield box, port


@pytest.fixture
def hooks() -> Iterator[WebhookReceiver]:
    with webhook_receiver(SECRET_URL_PATH) as received:
        yield received


@pytest.fixture
def arxiv() -> Iterator[Arxiv]:
    with Arxiv(load_seed_papers()) as server:
        yield server


def configure(folder: Path, arxiv: Arxiv, port: int) -> Path:
    return write_config(folder, arxiv, extra=delivery_config(port))


def run(path: Path, hooks: WebhookReceiver, *, later: timedelta = timedelta(0), dry_run: bool = False) -> RunSummary:
    log: list[str] = []
    context = Environment(
        config=load_config(path),
        now=lambda: NOW + later,
        log=log.append,
        environ={"TEST_WEBHOOK_URL": hooks.url},
        dry_run=dry_run,
    )
    summary = run_daily(context)
    assert hooks.url not in "\n".join(log), "the webhook URL is a secret and must not be logged"
    return summary


def status(summary: RunSummary) -> dict[str, str]:
    return {delivered.target: delivered.status for delivered in summary.deliveries}


def test_each_target_gets_its_topics_once(
    tmp_path: Path, arxiv: Arxiv, smtp: tuple[Mailbox, int], hooks: WebhookReceiver
) -> None:
    box, port = smtp
    path = configure(tmp_path, arxiv, port)
    first = run(path, hooks)
    assert first.outcome == "new"
    assert status(first) == {
        "email:ada@example.org": "sent",
        "email:grace@example.org": "sent",
        "json:TEST_WEBHOOK_URL": "sent",
    }
    ada, grace = box.to("ada@example.org"), box.to("grace@example.org")
    assert len(ada) == 1 and len(grace) == 1
    assert "compiler" in grace[0]["Subject"] and "performance" not in grace[0]["Subject"]
    assert len(paper_links(grace[0])) < len(paper_links(ada[0]))
    assert [body["topics"][0]["topic"] for body in hooks.bodies] == ["performance"]

    again = run(path, hooks, later=timedelta(minutes=30))
    assert again.outcome in ("nothing-new", "no-announcement")
    assert set(status(again).values()) == {"nothing"}
    assert len(box.messages) == 2 and len(hooks.bodies) == 1, "a repeated run sends nothing again"

    with sqlite3.connect(tmp_path / "dailypapers.db") as db:
        rows = db.execute("SELECT target, paper_id, COUNT(*) FROM deliveries GROUP BY target, paper_id").fetchall()
    assert rows and all(count == 1 for _, _, count in rows)
    assert {target for target, _, _ in rows} == {
        "email:ada@example.org",
        "email:grace@example.org",
        "json:TEST_WEBHOOK_URL",
    }


def test_a_refused_recipient_gets_its_papers_on_the_next_run(
    tmp_path: Path, arxiv: Arxiv, smtp: tuple[Mailbox, int], hooks: WebhookReceiver
) -> None:
    box, port = smtp
    box.refuse.add("grace@example.org")
    hooks.status = 500
    path = configure(tmp_path, arxiv, port)
    first = run(path, hooks)
    assert status(first) == {
        "email:ada@example.org": "sent",
        "email:grace@example.org": "failed",
        "json:TEST_WEBHOOK_URL": "failed",
    }
    failed = {d.target: d.detail or "" for d in first.failed_deliveries}
    assert "550" in failed["email:grace@example.org"]
    assert "500" in failed["json:TEST_WEBHOOK_URL"] and "s3cr3t" not in failed["json:TEST_WEBHOOK_URL"]
    page = (tmp_path / "README.md").read_text(encoding="utf-8")

    box.refuse.clear()
    hooks.status = 200
    second = run(path, hooks, later=timedelta(minutes=30))
    assert second.outcome in ("nothing-new", "no-announcement")
    assert status(second) == {
        "email:ada@example.org": "nothing",
        "email:grace@example.org": "sent",
        "json:TEST_WEBHOOK_URL": "sent",
    }
    assert len(box.to("ada@example.org")) == 1 and len(box.to("grace@example.org")) == 1
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == page
    third = run(path, hooks, later=timedelta(hours=1))
    assert set(status(third).values()) == {"nothing"} and len(box.messages) == 2 and len(hooks.bodies) == 1


def test_dry_run_writes_the_outbox_and_sends_later(
    tmp_path: Path, arxiv: Arxiv, smtp: tuple[Mailbox, int], hooks: WebhookReceiver
) -> None:
    box, port = smtp
    path = configure(tmp_path, arxiv, port)
    dry = run(path, hooks, dry_run=True)
    assert set(status(dry).values()) == {"outbox"}
    assert box.messages == [] and hooks.bodies == []
    files = sorted(p.name for p in (tmp_path / "outbox").glob("run-*"))  # beside the page, site and feeds
    assert files == [
        "run-1-email-ada@example.org.eml",
        "run-1-email-grace@example.org.eml",
        "run-1-json-TEST_WEBHOOK_URL.json",
    ]
    saved = email.message_from_bytes((tmp_path / "outbox" / files[0]).read_bytes(), policy=email.policy.default)
    assert saved["To"] == "ada@example.org" and saved.is_multipart()
    payload = json.loads((tmp_path / "outbox" / files[2]).read_text(encoding="utf-8"))
    assert payload["topics"][0]["topic"] == "performance"

    real = run(path, hooks, later=timedelta(minutes=30))
    assert set(status(real).values()) == {"sent"}, "a dry run records nothing, so the real run sends it all"
    assert len(box.messages) == 2 and len(hooks.bodies) == 1


def test_site_and_feeds_are_written_and_rendered_again_identically(
    tmp_path: Path, arxiv: Arxiv, smtp: tuple[Mailbox, int], hooks: WebhookReceiver
) -> None:
    _, port = smtp
    path = configure(tmp_path, arxiv, port)
    run(path, hooks)
    site = {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    feeds = {p.name: p.read_bytes() for p in (tmp_path / "feeds").iterdir()}
    assert "site/index.html" in site and "site/topics/compiler.html" in site
    assert any(name.startswith("site/days/") for name in site)
    assert set(feeds) == {"all.xml", "reinforcement-learning.xml", "compiler.xml", "performance.xml"}
    result = CliRunner().invoke(cli, ["render", "--config", str(path)])
    assert result.exit_code == 0, result.output
    again = {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    assert again == site
    assert {p.name: p.read_bytes() for p in (tmp_path / "feeds").iterdir()} == feeds


def test_cli_exits_1_with_one_line_when_a_delivery_fails(
    tmp_path: Path, arxiv: Arxiv, smtp: tuple[Mailbox, int], hooks: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    box, port = smtp
    box.refuse.add("ada@example.org")
    path = configure(tmp_path, arxiv, port)
    monkeypatch.setenv("TEST_WEBHOOK_URL", hooks.url)
    monkeypatch.setenv("DAILYPAPERS_NOW", NOW.isoformat())
    result = CliRunner().invoke(cli, ["run", "--config", str(path), "--json"])
    assert result.exit_code == 1
    summary = json.loads(result.stdout.splitlines()[0])
    assert summary["outcome"] == "new"
    assert {d["target"]: d["status"] for d in summary["deliveries"]}["email:ada@example.org"] == "failed"
    errors = [line for line in result.stderr.splitlines() if line.startswith("dailypapers: error:")]
    assert len(errors) == 1 and "ada@example.org" in errors[0] and "550" in errors[0]
    assert hooks.url not in result.output


def test_init_writes_the_config_and_the_workflow(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    workflow = (tmp_path / ".github" / "workflows" / "dailypapers.yml").read_text(encoding="utf-8")
    from dailypapers import __version__

    assert f"dailypapers=={__version__}" in workflow and "@DAILYPAPERS_VERSION@" not in workflow
    config = load_config(tmp_path / "dailypapers.toml")
    assert config.outputs.site == tmp_path / "site" and config.outputs.feeds == tmp_path / "feeds"
    assert CliRunner().invoke(cli, ["init", str(tmp_path)]).exit_code == 2, "never overwrites without --force"


def test_send_empty_mails_on_a_day_with_nothing_new(
    tmp_path: Path, arxiv: Arxiv, smtp: tuple[Mailbox, int], hooks: WebhookReceiver
) -> None:
    box, port = smtp
    extra = delivery_config(port).replace('security = "none"', 'security = "none"\nsend_empty = true')
    path = write_config(tmp_path, arxiv, extra=extra)
    run(path, hooks)
    assert len(box.to("ada@example.org")) == 1
    quiet = run(path, hooks, later=timedelta(minutes=30))
    assert status(quiet)["email:ada@example.org"] == "sent"
    assert status(quiet)["json:TEST_WEBHOOK_URL"] == "nothing", "send_empty is per target"
    second = box.to("ada@example.org")[1]
    assert "no new papers" in second["Subject"].lower()
    assert paper_links(second) == set()
