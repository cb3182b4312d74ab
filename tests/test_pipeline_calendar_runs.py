"""Runs across arXiv's calendar: announcement feeds, weekends, a holiday, a stale feed, missed days.

A week around Thanksgiving 2026 (no listing on Thursday 26 November) is played day by day against the local
server: each announcement day publishes a few papers in the export API and lists them in the feed, and the
daily run is made at 07:00 in New York, after the feed was rebuilt at midnight.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from arxiv_server import ArxivServer, load_seed_papers
from dailypapers.config import load_config
from dailypapers.model import Paper
from dailypapers.pipeline.context import Environment
from dailypapers.pipeline.daily import RunSummary, run_daily
from feed_server import FeedService, mount_feeds

MONDAY = date(2026, 11, 23)
WEEK = [MONDAY + timedelta(days=n) for n in range(8)]  # Mon 23 … Mon 30 November
ANNOUNCED = [d for d in WEEK if d.weekday() < 5 and d != date(2026, 11, 26)]


def morning(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)  # 07:00 in New York


class Week:
    """The export API and the feeds, with a clock that the test moves from day to day."""

    def __init__(self, tmp_path: Path) -> None:
        self.clock = morning(MONDAY)
        self.server = ArxivServer(load_seed_papers(), now=lambda: self.clock).start()
        self.feeds: FeedService = mount_feeds(self.server)
        self.folder = tmp_path
        self.config_path = tmp_path / "dailypapers.toml"
        self.config_path.write_text(
            "\n".join(
                [
                    'timezone = "America/New_York"',
                    "[scope]",
                    'categories = ["cs.DC"]',
                    "[arxiv]",
                    f'api_url = "{self.server.url}"',
                    f'rss_url = "{self.server.base}"',
                    "delay = 0",
                    "max_attempts = 2",
                    "[[topics]]",
                    'name = "compiler"',
                ]
            )
            + "\n",
            encoding="utf-8",
        )
        self.config = load_config(self.config_path, environ={})
        self.log: list[str] = []

    def close(self) -> None:
        self.server.stop()

    def publish(self, day: date) -> list[Paper]:
        """Two papers on compilers and one on something else, listed on ``day``."""
        base = load_seed_papers()[0]
        submitted = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=8)
        papers = [
            replace(
                base,
                id=f"2611.{day.day:02d}{n:03d}",
                version=1,
                title=title,
                abstract=f"{title}, announced on {day.isoformat()}.",
                published=submitted + timedelta(minutes=n),
                updated=submitted + timedelta(minutes=n),
            )
            for n, title in enumerate(["A compiler for tensors", "Compilers for GPUs", "Gossip in dynamic graphs"])
        ]
        self.server.add(papers)
        self.feeds.announce(day, [(paper, "new") for paper in papers])
        return papers

    def run(self, day: date) -> RunSummary:
        self.clock = morning(day)
        context = Environment(config=self.config, now=lambda: self.clock, log=self.log.append)
        return run_daily(context)

    def notification(self) -> str:
        return (self.folder / ".github" / "ISSUE_TEMPLATE.md").read_text(encoding="utf-8")

    def page(self) -> str:
        return (self.folder / "README.md").read_text(encoding="utf-8")


def compiler_ids(papers: list[Paper]) -> set[str]:
    return {p.versioned_id for p in papers if "ompiler" in p.title}


def listed(text: str) -> set[str]:
    return {line.split("](https://arxiv.org/abs/")[1].split(")")[0] for line in text.splitlines() if "| **[" in line}


def test_a_week_with_a_weekend_and_a_holiday(tmp_path: Path) -> None:
    week = Week(tmp_path)
    try:
        announced: dict[date, list[Paper]] = {day: week.publish(day) for day in ANNOUNCED[:1]}
        week.run(MONDAY)  # the first run: the topic is back-filled, Monday's listing covered
        outcomes = {}
        for day in WEEK[1:]:
            if day in ANNOUNCED:
                announced[day] = week.publish(day)
            summary = week.run(day)
            outcomes[day.strftime("%a %d")] = summary.outcome
            if day in ANNOUNCED:
                assert listed(week.notification()) == compiler_ids(announced[day]), day
                assert summary.announcement == day.isoformat()
                line = f"arXiv announcement of {day.strftime('%a')} {day.day} Nov 2026: 3 new."
                assert line in week.page()
                assert f"\n{line}\n" in week.notification()
            else:
                assert week.notification() == f"No arXiv announcement on {day.strftime('%a')} {day.day} Nov 2026.\n"
    finally:
        week.close()
    assert outcomes == {
        "Tue 24": "new",
        "Wed 25": "new",
        "Thu 26": "no-announcement",
        "Fri 27": "new",
        "Sat 28": "no-announcement",
        "Sun 29": "no-announcement",
        "Mon 30": "new",
    }
    every = listed(week.page())
    assert every >= set().union(*(compiler_ids(papers) for papers in announced.values()))
    assert not any("Gossip" in line for line in week.page().splitlines())


def test_a_stale_feed_is_reported_and_the_real_one_picked_up_later(tmp_path: Path) -> None:
    week = Week(tmp_path)
    try:
        week.publish(MONDAY)
        week.run(MONDAY)
        tuesday = week.publish(WEEK[1])
        week.feeds.stale()  # the feed still shows Monday's listing on Tuesday morning
        before = (week.page(), week.notification())
        stale = week.run(WEEK[1])
        assert stale.outcome == "stale"
        assert "stale announcement feed: it still shows Mon 23 Nov 2026, but the announcement of Tue 24 Nov 2026" in (
            stale.message or ""
        )
        assert (week.page(), week.notification()) == before
        week.feeds.fresh()
        week.clock += timedelta(hours=2)
        fresh = run_daily(Environment(config=week.config, now=lambda: week.clock))
    finally:
        week.close()
    assert fresh.outcome == "new"
    assert fresh.announcement == "2026-11-24"
    assert listed(week.notification()) == compiler_ids(tuesday)


def test_missed_days_are_recovered_from_the_export_api_and_announced_once(tmp_path: Path) -> None:
    week = Week(tmp_path)
    try:
        week.publish(MONDAY)
        week.run(MONDAY)
        missed = [week.publish(day) for day in (WEEK[1], WEEK[2], WEEK[4])]  # Tue, Wed, Fri (Thu: holiday)
        monday = week.publish(WEEK[7])
        summary = week.run(WEEK[7])
        again = week.run(WEEK[7])
    finally:
        week.close()
    assert summary.recovered == ["2026-11-24", "2026-11-25", "2026-11-27"]
    assert "recovered the announcements of Tue 24 Nov 2026, Wed 25 Nov 2026, Fri 27 Nov 2026" in week.log
    expected = set().union(*(compiler_ids(papers) for papers in missed)) | compiler_ids(monday)
    assert summary.new == {"compiler": len(expected)}
    assert again.outcome == "nothing-new"
    assert listed(week.notification()) == set()


def test_each_topic_chooses_which_announcement_types_count(tmp_path: Path) -> None:
    week = Week(tmp_path)
    config = week.config_path.read_text(encoding="utf-8")
    week.config_path.write_text(
        config + '[[topics]]\nname = "gossip"\nannounce = ["new", "cross", "replace"]\n', encoding="utf-8"
    )
    week.config = load_config(week.config_path, environ={})
    try:
        week.publish(MONDAY)
        week.run(MONDAY)
        old = replace(load_seed_papers()[3], id="2509.00001", title="Compilers and gossip, revisited")
        revised = replace(old, version=2, updated=morning(WEEK[1]) - timedelta(hours=20))
        week.server.add([old, revised])
        week.feeds.announce(WEEK[1], [(revised, "replace")])
        summary = week.run(WEEK[1])
    finally:
        week.close()
    assert summary.new == {"gossip": 1}  # "compiler" counts new and cross-lists only


def test_the_exit_status_tells_new_no_announcement_and_stale_apart(tmp_path: Path) -> None:
    week = Week(tmp_path)
    try:
        week.publish(MONDAY)
        statuses = {}
        for label, when, stale in (
            ("new", morning(MONDAY), False),
            ("no-announcement", morning(date(2026, 11, 28)), False),
            ("stale", morning(WEEK[1]), True),
        ):
            if stale:
                week.feeds.stale()
            environment = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
            environment["DAILYPAPERS_NOW"] = when.isoformat()
            week.clock = when
            result = subprocess.run(
                [sys.executable, "-m", "dailypapers", "run", "--json", "--config", str(week.config_path)],
                capture_output=True,
                text=True,
                env=environment,
                timeout=60,
            )
            statuses[label] = (result.returncode, json.loads(result.stdout)["outcome"])
    finally:
        week.close()
    assert statuses == {"new": (0, "new"), "no-announcement": (0, "no-announcement"), "stale": (75, "stale")}


def test_a_feed_at_its_2000_entry_limit_is_completed_from_the_export_api(tmp_path: Path) -> None:
    """arXiv's feeds list at most 2,000 entries; on a bigger day the rest comes from the export API."""
    week = Week(tmp_path)
    try:
        week.publish(MONDAY)
        week.run(MONDAY)
        base = load_seed_papers()[0]
        submitted = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
        many = [
            replace(
                base,
                id=f"2611.{20000 + n:05d}",
                version=1,
                title=f"A compiler, part {n}" if n % 100 == 0 else f"Gossip, part {n}",
                abstract="Parts of a long series.",
                published=submitted + timedelta(seconds=n),
                updated=submitted + timedelta(seconds=n),
            )
            for n in range(2100)
        ]
        week.server.add(many)
        week.feeds.announce(WEEK[1], [(paper, "new") for paper in many])
        summary = week.run(WEEK[1])
    finally:
        week.close()
    assert any("its limit: the export API fills in the rest" in line for line in week.log)
    assert summary.new == {"compiler": 21}


def test_a_damaged_item_of_the_feed_is_counted_as_skipped(tmp_path: Path) -> None:
    """An item without identifier or title is left out of the announcement; the run used to count damaged
    entries of the export API only, so this one was dropped without a word."""
    week = Week(tmp_path)
    try:
        week.publish(MONDAY)
        week.run(MONDAY)
        papers = week.publish(WEEK[1])
        week.feeds.damaged = 1
        summary = week.run(WEEK[1])
    finally:
        week.close()
    assert summary.skipped == 1
    assert "the announcement feed: skipped 1 damaged entry" in week.log
    assert listed(week.notification()) == compiler_ids(papers)


def test_an_announced_version_the_export_api_lacks_comes_from_the_feed(tmp_path: Path) -> None:
    """The export API can lag the announcement. Once the day is covered no run asks again, so an announced
    version it did not answer for was lost for good; it now comes from the feed's own metadata."""
    week = Week(tmp_path)
    try:
        week.publish(MONDAY)
        week.run(MONDAY)
        papers = week.publish(WEEK[1])
        late = next(paper for paper in papers if paper.title == "Compilers for GPUs")
        week.server.remove([late])
        summary = week.run(WEEK[1])
    finally:
        week.close()
    assert summary.outcome == "new"
    assert listed(week.notification()) == compiler_ids(papers)
    assert f"{late.versioned_id}" in listed(week.page())
    assert any(f"no entry for 1 announced version ({late.versioned_id})" in line for line in week.log)
