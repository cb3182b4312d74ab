"""The clock rule on the export API's watermark: an entry dated ahead never stops the daily search.

One entry whose ``<updated>`` said 2099 became the watermark: every later daily query stopped at once, said
"nothing new", exited 0, and no paper was ever stored again. An entry more than a day ahead of the run's clock
is now stored as given, but the watermark only moves to plausible dates, and a watermark already stored that is
absurd (ahead, unreadable, older than arXiv) is set aside with a log line and repaired.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from clock_world import NOW, World, api_world, paper
from dailypapers.arxiv.calendar import ET
from dailypapers.arxiv.clock import day_ahead
from dailypapers.store import iso

DAY = timedelta(days=1)
FIRST = NOW + timedelta(hours=1)  # the run that meets the entry dated ahead
NEXT = NOW + DAY  # the next day's run


def settle(world: World) -> None:
    """The first run: the topic is back-filled and the watermark set from the seed papers."""
    world.run(NOW)
    assert world.state("api_watermark") is not None


def next_day_paper(world: World) -> str:
    """A real paper submitted before the next day's run; it must reach that run's notification."""
    fresh = paper("2605.30001", NEXT - timedelta(hours=4), "A compiler for the next day")
    world.server.add([fresh])
    return fresh.versioned_id


@pytest.mark.parametrize(
    ("label", "updated", "trusted"),
    [
        ("one day and one second ahead", FIRST + DAY + timedelta(seconds=1), False),
        ("exactly one day ahead", FIRST + DAY, True),
        ("a year ahead", FIRST + timedelta(days=365), False),
        ("in 2099", datetime(2099, 1, 1, tzinfo=UTC), False),
        ("at the end of year 9999", datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), False),
    ],
)
def test_an_entry_dated_ahead_is_stored_but_never_becomes_the_watermark(
    tmp_path: Path, label: str, updated: datetime, trusted: bool
) -> None:
    with api_world(tmp_path) as world:
        settle(world)
        ahead = paper("2605.29999", updated, "A compiler from the future")
        world.server.add([ahead])
        summary = world.run(FIRST)
        assert ahead.versioned_id in world.notification(), label  # stored as given, and announced
        assert summary.untrusted == (0 if trusted else 1)
        said = world.said("dated more than a day ahead of the clock")
        assert bool(said) != trusted
        if not trusted:
            assert f"{ahead.versioned_id} ({iso(updated)})" in said[0]
            assert "stored as given but not trusted" in said[0]
        mark = world.state("api_watermark")
        assert mark == iso(updated) if trusted else mark is not None and mark <= iso(FIRST)
        expected = next_day_paper(world)
        summary = world.run(NEXT)
        assert summary.outcome == "new"
        assert world.notification() == {expected}
        assert expected.split("v")[0] in world.page()


@pytest.mark.parametrize(
    ("label", "stored", "ignored"),  # the next day's run is at 2026-05-17 06:00 UTC
    [
        ("in 2099", "2099-01-01T00:00:00Z", True),
        ("at the end of year 9999", "9999-12-31T23:59:59Z", True),
        ("beyond datetime's range once in UTC", "9999-12-31T23:59:59-05:00", True),
        ("one day and one second ahead", iso(NEXT + DAY + timedelta(seconds=1)), True),
        ("exactly one day ahead", iso(NEXT + DAY), False),
        ("exactly one day ahead, written in UTC+02:00", "2026-05-18T08:00:00+02:00", False),
        ("one day and one second ahead, without an offset (UTC)", "2026-05-18T06:00:01", True),
        ("exactly one day ahead, without an offset (UTC)", "2026-05-18T06:00:00", False),
        ("an hour past the slack, in UTC-10:00", "2026-05-17T21:00:00-10:00", True),
        ("within the slack, in UTC+14:00", "2026-05-18T20:00:00+14:00", False),
        ("garbage", "the day after tomorrow", True),
        ("empty", "", True),
        ("before arXiv existed", "1900-01-01T00:00:00Z", True),
    ],
)
def test_an_absurd_watermark_in_the_database_is_set_aside_and_repaired(
    tmp_path: Path, label: str, stored: str, ignored: bool
) -> None:
    """The database of an older version (or a hand) holds a watermark the run must not build on."""
    with api_world(tmp_path) as world:
        settle(world)
        world.plant_state("api_watermark", stored)
        expected = next_day_paper(world)
        summary = world.run(NEXT)
        assert summary.outcome == "new", label
        assert world.notification() == {expected}
        said = world.said("ignoring the stored API watermark")
        assert bool(said) == ignored, label
        if said:
            assert repr(stored[:40]) in said[0] and "searching from 2026-05-1" in said[0]
        repaired = world.state("api_watermark")
        assert repaired is not None
        moment = datetime.fromisoformat(repaired)
        assert (moment if moment.tzinfo else moment.replace(tzinfo=UTC)) <= NEXT + DAY
        if ignored:
            assert repaired == iso(datetime.fromisoformat(repaired))  # rewritten as the store writes stamps
        again = world.run(NEXT + timedelta(hours=1))  # the repaired watermark is the next run's starting point
        assert again.outcome == "nothing-new"
        assert not world.said("ignoring the stored API watermark")


def test_an_absurd_watermark_in_an_empty_archive_searches_back_from_the_clock(tmp_path: Path) -> None:
    """No paper to fall back on: the daily query starts from the clock, less the look-back days."""
    with api_world(tmp_path) as world:
        settle(world)
        world.sql("DELETE FROM state")
        world.plant_state("api_watermark", "2099-01-01T00:00:00Z")
        world.sql("UPDATE papers SET updated = '2099-12-31T00:00:00Z'")  # nothing plausible to fall back on
        expected = next_day_paper(world)
        world.run(NEXT)
        assert expected in world.notification()
        assert world.said(f"searching from {iso(NEXT)}")


def test_run_json_counts_the_untrusted_entries_and_stderr_names_them(tmp_path: Path) -> None:
    with api_world(tmp_path) as world:
        settle(world)
        ahead = [paper(f"2605.2999{n}", datetime(2099, 1, n + 1, tzinfo=UTC), "A compiler ahead") for n in range(7)]
        world.server.add(ahead)
        environment = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
        environment["DAILYPAPERS_NOW"] = FIRST.isoformat()
        world.clock = FIRST
        command = [sys.executable, "-m", "dailypapers", "run", "--json", "--config", str(world.config_path)]
        result = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=60)
        assert result.returncode == 0, result.stderr
        summary = json.loads(result.stdout)
        assert summary["untrusted"] == 7
        assert summary["outcome"] == "new"
        lines = [line for line in result.stderr.splitlines() if "ahead of the clock" in line]
        assert len(lines) == 1
        assert "7 entries are dated more than a day ahead" in lines[0]
        assert "2605.29990v1 (2099-01-01T00:00:00Z)" in lines[0] and "and 2 more" in lines[0]
        assert "Traceback" not in result.stderr
        assert world.state("api_watermark") is not None
        assert str(world.state("api_watermark")) <= iso(FIRST)


@pytest.mark.parametrize(
    ("label", "day", "clock", "ahead"),
    [
        # A listing day begins at midnight in New York: 04:00 UTC in summer time, 05:00 UTC in winter time.
        ("summer time begins on Sunday 8 March 2026", date(2026, 3, 9), datetime(2026, 3, 8, 4, tzinfo=UTC), False),
        ("a second earlier", date(2026, 3, 9), datetime(2026, 3, 8, 3, 59, 59, tzinfo=UTC), True),
        ("summer time ends on Sunday 1 November 2026", date(2026, 11, 2), datetime(2026, 11, 1, 5, tzinfo=UTC), False),
        ("a second earlier", date(2026, 11, 2), datetime(2026, 11, 1, 4, 59, 59, tzinfo=UTC), True),
        (
            "the clock in UTC+14:00",
            date(2026, 11, 2),
            datetime(2026, 11, 1, 19, tzinfo=timezone(timedelta(hours=14))),
            False,
        ),
        ("the last day of year 9999", date(9999, 12, 31), NOW, True),
    ],
)
def test_a_listing_day_is_ahead_from_its_midnight_in_new_york(
    label: str, day: date, clock: datetime, ahead: bool
) -> None:
    assert day_ahead(day, clock, ET) == ahead, label
