"""The clock rule on announcement feeds and covered days: no date ahead marks a real announcement as covered.

A feed whose ``pubDate`` was a year ahead was taken as that day's listing, every day until then was marked as
covered ("recovered"), and each later real announcement was "covered already". A feed dated more than a day
ahead of the clock (its listing day begins at midnight in New York) now gives its papers, but marks nothing as
covered; the export API fills in since the last run, and the next real feed is covered as usual. A covered day
already in the database that is ahead of the clock, unreadable or older than arXiv is ignored and forgotten.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from clock_world import World, compilers, feed_world, morning, publish

MON, TUE, WED = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)  # Thursday 26 is Thanksgiving


def monday(world: World) -> None:
    """The first run: Monday's listing covered."""
    publish(world, MON, "2611.23")
    summary = world.run(morning(MON))
    assert summary.announcement == MON.isoformat()


def tuesday_listed_as(world: World, shown: date) -> set[str]:
    """Tuesday's papers, in a feed that says it is the listing of ``shown``."""
    papers = publish(world, TUE, "2611.24")
    world.feeds.today = shown
    world.feeds.announce(shown, world.feeds.announced(TUE))
    return compilers(papers)


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("two days ahead (a holiday)", date(2026, 11, 26)),
        ("a year ahead", TUE + timedelta(days=365)),
        ("in 2099", date(2099, 1, 1)),
        ("on the last day of year 9999", date(9999, 12, 31)),
    ],
)
def test_a_feed_dated_ahead_gives_its_papers_but_covers_nothing(tmp_path: Path, label: str, shown: date) -> None:
    with feed_world(tmp_path) as world:
        monday(world)
        expected = tuesday_listed_as(world, shown)
        summary = world.run(morning(TUE))
        assert summary.outcome == "new", label
        assert world.notification() == expected
        assert summary.announcement is None and summary.recovered == []
        assert world.covered() == [MON.isoformat()]
        said = world.said("more than a day ahead of the clock (2026-11-24 12:00 UTC)")
        assert said and "2 new, 1 cross-list taken, no announcement marked as covered" not in said[0]
        assert "no announcement marked as covered" in said[0]
        world.feeds.today = None  # the feeds are right again
        wednesday = compilers(publish(world, WED, "2611.25"))
        summary = world.run(morning(WED))
        assert summary.outcome == "new"
        assert summary.announcement == WED.isoformat()
        assert summary.recovered == [TUE.isoformat()]  # Tuesday, which the bad feed hid, from the export API
        assert world.notification() == wednesday
        assert world.covered() == [MON.isoformat(), TUE.isoformat(), WED.isoformat()]


def test_an_empty_feed_dated_ahead_leaves_the_day_to_the_export_api(tmp_path: Path) -> None:
    """Taken at its word, the feed would say "no announcement" for a day in 2099; the day is not known."""
    with feed_world(tmp_path) as world:
        monday(world)
        tuesday = compilers(publish(world, TUE, "2611.24"))
        world.feeds.today = date(2099, 1, 1)
        summary = world.run(morning(TUE))
        assert summary.outcome == "new"
        assert world.notification() == tuesday
        assert world.said("the announcement feed is dated Thu 1 Jan 2099, more than a day ahead of the clock")
        assert world.covered() == [MON.isoformat()]


def test_a_feed_item_the_export_api_lacks_is_not_dated_by_a_build_time_ahead(tmp_path: Path) -> None:
    """A version missing from the export API is taken from the feed, dated by the feed's build time; a build
    time in 2099 would give it a date no run trusts, so the run's own start stands for it instead."""
    with feed_world(tmp_path) as world:
        monday(world)
        papers = publish(world, TUE, "2611.24")
        world.feeds.today = date(2099, 1, 1)
        world.feeds.announce(date(2099, 1, 1), world.feeds.announced(TUE))
        world.server.remove([papers[0]])  # the export API lags the announcement
        summary = world.run(morning(TUE))
        assert summary.outcome == "new"
        assert summary.untrusted == 0
        assert world.notification() == compilers(papers)
        assert world.said("the export API had no entry for 1 announced version (2611.24000v1)")
        assert "2099" not in world.page()


@pytest.mark.parametrize(
    ("label", "clock", "ahead"),
    [
        # Wednesday's listing begins at 05:00 UTC on Wednesday (midnight in New York). Both clocks below are on
        # Tuesday in UTC; in New York the first is Tuesday 00:00, the second is still Monday.
        ("exactly one day before the listing's midnight in New York", datetime(2026, 11, 24, 5, tzinfo=UTC), False),
        ("one second more than a day before it", datetime(2026, 11, 24, 4, 59, 59, tzinfo=UTC), True),
    ],
)
def test_the_slack_is_one_day_from_the_listings_midnight_in_new_york(
    tmp_path: Path, label: str, clock: datetime, ahead: bool
) -> None:
    with feed_world(tmp_path) as world:
        monday(world)
        expected = tuesday_listed_as(world, WED)
        summary = world.run(clock)
        assert world.notification() == expected, label
        assert bool(world.said("more than a day ahead of the clock")) == ahead
        assert summary.announcement == (None if ahead else WED.isoformat())
        assert (WED.isoformat() in world.covered()) != ahead


@pytest.mark.parametrize(
    ("label", "planted"),
    [
        ("two days ahead", ["2026-11-26"]),
        ("a year ahead", ["2027-11-24"]),
        ("in 2099", ["2099-01-01"]),
        ("on the last day of year 9999", ["9999-12-31"]),
        ("garbage", ["soon"]),
        ("empty", [""]),
        ("several at once", ["2099-01-01", "9999-12-31", "soon", "2026-11-26", "2026-11-2"]),
    ],
)
def test_a_covered_day_ahead_in_the_database_is_forgotten(tmp_path: Path, label: str, planted: list[str]) -> None:
    with feed_world(tmp_path) as world:
        monday(world)
        for day in planted:
            world.plant_covered(day)
        tuesday = compilers(publish(world, TUE, "2611.24"))
        summary = world.run(morning(TUE))
        assert summary.outcome == "new", label
        assert summary.announcement == TUE.isoformat()
        assert world.notification() == tuesday
        assert world.covered() == [MON.isoformat(), TUE.isoformat()]
        said = world.said("covered announcement day")
        assert len(said) == 1 and f"ignoring {len(planted)} covered announcement day" in said[0]
        assert all(repr(day) in said[0] for day in planted[:5])
        assert "arXiv announcement of Tue 24 Nov 2026: 3 new." in world.page()
        world.run(morning(TUE) + timedelta(hours=1))
        assert not world.said("covered announcement day")  # forgotten for good


def test_a_covered_day_before_arxiv_existed_does_not_make_a_century_of_missed_days(tmp_path: Path) -> None:
    with feed_world(tmp_path) as world:
        monday(world)
        world.sql("DELETE FROM announcements")
        world.plant_covered("1900-01-01")
        tuesday = compilers(publish(world, TUE, "2611.24"))
        summary = world.run(morning(TUE))
        assert summary.announcement == TUE.isoformat()
        assert summary.recovered == []
        assert world.notification() == tuesday
        assert world.covered() == [TUE.isoformat()]
        assert world.said("'1900-01-01' (before arXiv existed)")


def test_render_reads_past_absurd_days_in_the_database(tmp_path: Path) -> None:
    """A run's announcement that is not a date, and a covered day in 9999: the page names Monday's listing."""
    with feed_world(tmp_path) as world:
        monday(world)
        page = world.page()
        world.sql("UPDATE runs SET announcement = 'garbage'")
        world.plant_covered("9999-12-31")
        environment = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
        command = [sys.executable, "-m", "dailypapers", "render", "--config", str(world.config_path)]
        result = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=60)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert world.page() == page
        assert "arXiv announcement of Mon 23 Nov 2026" in page
