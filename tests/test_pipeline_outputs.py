"""The site written page by page: the same bytes as all at once, nothing published by a failed run, and a peak
of memory that does not grow with the archive.

The archive is a real SQLite store written as daily runs write it (``archive_world.py``); the site is written by
``render_outputs`` (what ``dailypapers render`` runs) or by the command itself, as a process.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from archive_world import Run, growing_archive, synthetic_paper, write_archive
from arxiv_server import load_seed_papers
from dailypapers.config import Config, load_config
from dailypapers.match.digest import build_digest
from dailypapers.match.verdicts import in_scope, scope_query
from dailypapers.model import Day, Digest, Listed, Paper, Section
from dailypapers.pipeline.outputs import render_outputs
from dailypapers.query import analyse, explain
from dailypapers.render import site as site_module
from dailypapers.render.site import render_site
from dailypapers.store import Store
from runfolder import DAY2, Baseline, State, run_command

TOPICS = {
    "compiler": "ti:compiler OR abs:compiler",
    "performance": "abs:performance",
    "reinforcement learning": 'abs:"reinforcement learning"',
    "quantum networks": 'abs:"quantum network"',
    "gone": "abs:gone",  # matched once, then removed from the config: never shown
}
SHOWN = ("compiler", "performance", "reinforcement learning", "quantum networks")
OLDEST, NEWEST = "days/2026-05-11.html", "days/2026-05-15.html"


def utc(day: int, hour: int) -> datetime:
    return datetime(2026, 5, day, hour, tzinfo=UTC)


def seed_papers() -> list[Paper]:
    latest: dict[str, Paper] = {}
    for paper in load_seed_papers():
        if paper.id not in latest or paper.version > latest[paper.id].version:
            latest[paper.id] = paper
    return [replace(paper, categories=("cs.DC",), primary_category="cs.DC") for paper in latest.values()]


def archive_runs() -> list[Run]:
    """Runs that a time zone of UTC+8 groups into three days with papers (11, 12 and 15 May), and one that only
    matched papers out of scope (13 May, local time) and a back-fill (neither has a page)."""
    p = seed_papers()
    outside = [replace(paper, categories=("math.CO",), primary_category="math.CO") for paper in p[20:23]]
    revised = replace(p[0], version=p[0].version + 1, title=p[0].title + " (revised)")
    return [
        Run(
            utc(11, 3), [*(("compiler", x, "ti:compiler") for x in p[0:4]), *(("performance", x, None) for x in p[2:6])]
        ),
        Run(utc(12, 10), [*(("compiler", x, "abs:compiler") for x in p[6:9]), ("gone", p[9], "abs:gone")]),
        Run(utc(12, 14), [("performance", x, None) for x in p[9:12]]),  # 22:00 in UTC+8: the same day
        Run(utc(12, 17), [("compiler", x, "ti:compiler") for x in outside]),  # 01:00 on the 13th: out of scope
        Run(utc(14, 3), [("compiler", x, "ti:compiler") for x in p[12:14]], kind="backfill"),
        Run(
            utc(15, 2), [("compiler", revised, "ti:compiler"), *(("reinforcement learning", x, None) for x in p[14:17])]
        ),
    ]


def write_config(folder: Path, database: str = "papers.db") -> Path:
    lines = ['title = "Daily Papers"', 'timezone = "Asia/Shanghai"', f'database = "{database}"']
    lines += ["[scope]", 'categories = ["cs"]', "[outputs]", "markdown = false", "issue = false", 'site = "site/"']
    for name in SHOWN:
        lines += ["[[topics]]", f'name = "{name}"', f"query = '{TOPICS[name]}'"]
    path = folder / "dailypapers.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Config]:
    config = load_config(write_config(tmp_path))
    write_archive(config.database, TOPICS, archive_runs())
    yield config


def site_files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()
    }


# --- the same bytes ---


def whole_archive(store: Store, config: Config) -> tuple[Day, ...]:
    """The archive as it was read before the site was streamed: every match at once, grouped by day."""
    topics = {topic.name: topic for topic in config.topics}
    scope = scope_query(config.categories)
    days: dict[date, dict[str, list[Listed]]] = {}
    for match, finished in store.match_history():
        topic = topics.get(match.topic)
        paper = store.paper(match.paper_id, match.version)
        if topic is not None and in_scope(scope, paper):
            by_topic = days.setdefault(finished.astimezone(config.timezone).date(), {name: [] for name in topics})
            why = match.reason or explain(topic.query, analyse(paper))
            by_topic[topic.name].append(Listed(paper, match.new_version, why))
    return tuple(
        Day(day, tuple(Section(name, tuple(shown), query=topics[name].source) for name, shown in by.items() if shown))
        for day, by in days.items()
    )


def test_the_site_written_page_by_page_is_the_site_rendered_all_at_once(archive: Config) -> None:
    with Store.open(archive.database) as store:
        run = store.last_successful_run()
        assert run is not None
        digest = build_digest(store, archive, run)
        expected = render_site(replace(digest, days=whole_archive(store, archive)))
        assert render_site(build_digest(store, archive, run, archive=True)) == expected
    render_outputs(archive)
    written = site_files(archive.folder / "site")
    assert written == {name: text.encode() if isinstance(text, str) else text for name, text in expected.items()}
    assert [name for name in written if name.startswith("days/")] == [OLDEST, "days/2026-05-12.html", NEWEST]
    index = written["index.html"].decode()
    assert index.count('href="days/') == 3 and "2026-05-13" not in index
    assert '<span class="new-version">new version</span>' in written[NEWEST].decode()
    assert b"abs:gone" not in b"".join(written.values())


def test_day_pages_link_their_neighbours_when_read_a_day_at_a_time(archive: Config) -> None:
    render_outputs(archive)
    site = archive.folder / "site"
    middle = (site / "days/2026-05-12.html").read_text(encoding="utf-8")
    assert 'href="2026-05-15.html"' in middle and 'href="2026-05-11.html"' in middle
    newest = (site / NEWEST).read_text(encoding="utf-8")
    assert 'href="2026-05-12.html"' in newest and 'href="2026-05-16.html"' not in newest
    oldest = (site / OLDEST).read_text(encoding="utf-8")
    assert 'href="2026-05-12.html"' in oldest and "2026-05-10" not in oldest


def test_days_must_come_newest_first_and_once() -> None:
    """A day page links its neighbours as the days arrive: days out of order would link the wrong pages."""
    digest = Digest("Papers", date(2026, 5, 15), ())
    older, newer = Day(date(2026, 5, 1), ()), Day(date(2026, 5, 2), ())
    with pytest.raises(ValueError, match="2026-05-02 comes after 2026-05-01: list days newest first"):
        list(site_module.site_files(digest, [older, newer]))
    with pytest.raises(ValueError, match="2026-05-01 is listed twice"):
        list(site_module.site_files(digest, [newer, older, older]))
    one = dict(site_module.site_files(digest, iter([older])))
    pages = {name for name in one if not name.startswith("vendor/katex-")}
    assert pages == {"style.css", "filter.js", "tex.js", "days/2026-05-01.html", "index.html"}


def test_temporary_files_a_killed_run_left_are_removed_and_others_kept(archive: Config) -> None:
    """Each folder is listed once for all its pages; what a killed run left of a page goes, nothing else does."""
    render_outputs(archive)
    site = archive.folder / "site"
    left = [site / ".index.html.0badcafe.tmp", site / "days/.2026-05-11.html.deadbeef.tmp"]
    left.append(site / "topics/.compiler.html.1234abcd.tmp")
    kept = [site / ".notes.tmp", site / "days/.draft.html.cafe0001.tmp", site / "days/.2026-05-11.html.swp"]
    for path in left + kept:
        path.write_text("half a page", encoding="utf-8")
    render_outputs(archive)
    assert [path for path in left if path.exists()] == []
    assert all(path.read_text(encoding="utf-8") == "half a page" for path in kept)


# --- a run that fails part way publishes nothing ---


def render_command(config: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
    command = [sys.executable, "-m", "dailypapers", "render", "--config", str(config)]
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=60)


def folder_in_place(site: Path) -> None:
    """The oldest day's page is a folder: the newer pages are staged before it is reached."""
    page = site / OLDEST
    page.unlink()
    (page / "keep").mkdir(parents=True)


def damaged_database(site: Path) -> None:
    """A paper listed only on the oldest day lost its version: reading that day fails, after newer pages."""
    database = site.parent / "papers.db"
    with closing(sqlite3.connect(database)) as db:
        db.execute("PRAGMA foreign_keys = OFF")
        db.execute("DELETE FROM versions WHERE paper_id = ?", (seed_papers()[1].id,))
        db.commit()


@pytest.mark.parametrize("breakage", [folder_in_place, damaged_database], ids=["folder-for-a-page", "damaged-day"])
def test_a_render_that_fails_part_way_leaves_the_published_site_as_it_was(
    archive: Config, breakage: Callable[[Path], None]
) -> None:
    render_outputs(archive)
    site = archive.folder / "site"
    newest = (site / NEWEST).read_bytes()
    later = [("compiler", synthetic_paper(1, random.Random(1)), "ti:compiler")]
    store = Store.open(archive.database)  # a later day: every page that links days would change
    with store, store.transaction():
        record = store.begin_run(utc(16, 1))
        store.add_versions([paper for _, paper, _ in later], record)
        store.add_match("compiler", later[0][1].id, later[0][1].version, record, "ti:compiler")
        store.finish_run(record, utc(16, 2), "new")
    breakage(site)
    before = site_files(site)
    done = render_command(archive.path)
    assert done.returncode == 1, done.stderr
    errors = done.stderr.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith("dailypapers: error: "), done.stderr
    assert "Traceback" not in done.stderr
    assert site_files(site) == before, "the published site is as it was"
    assert (site / NEWEST).read_bytes() == newest and not (site / "days/2026-05-16.html").exists()
    assert not list(archive.folder.rglob("*.tmp")), "no staged file left behind"


def test_a_daily_run_that_fails_part_way_through_the_site_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "baseline").mkdir()
    baseline = Baseline(tmp_path / "baseline")
    with baseline.server:
        baseline.prepare('[outputs]\nsite = "site/"\n')
        config = baseline.copy(tmp_path / "papers")
        folder = config.parent
        pages = sorted((folder / "site" / "days").glob("*.html"))
        assert pages, "the first day's run wrote a day page"
        pages[0].unlink()
        (pages[0] / "keep").mkdir(parents=True)  # the older page's place is taken: the newer one is staged first
        before = State.of(folder)
        ran = run_command(config, now=DAY2)
        after = State.of(folder)
        line = ran.failed_with_one_line()
        assert pages[0].name in line, line
        assert after.outputs == before.outputs, "every output as it was"
        assert after.rows == before.rows, "every table but runs as it was"
        assert not list(folder.rglob("*.tmp")), "no staged file left behind"
        shutil.rmtree(pages[0])
        again = run_command(config, now=DAY2)
        assert again.status == 0 and again.summary["new_papers"] == 2, again.stderr
        assert len(list((folder / "site" / "days").glob("*.html"))) == 2


# --- memory ---


def render_peak_mib(folder: Path, days: int) -> float:
    """The peak memory (VmHWM) of a fresh process writing the site of ``days`` days of 100 papers each."""
    folder.mkdir()
    config = write_config(folder)
    growing_archive(folder / "papers.db", SHOWN, days=days, per_day=100)
    script = Path(__file__).with_name("archive_world.py")
    done = subprocess.run([sys.executable, str(script), str(config)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(list((folder / "site" / "days").glob("*.html"))) == days
    return int(done.stdout.split()[-1]) / 1024


def test_the_peak_memory_of_the_site_does_not_grow_with_the_archive(tmp_path: Path) -> None:
    """1,000 and 4,000 papers: read all at once, the larger archive took 24 MiB more (56 and 81 MiB); page by
    page, under one (49 and 49). The bound is generous: a guard against holding the archive again."""
    small = render_peak_mib(tmp_path / "small", days=10)
    large = render_peak_mib(tmp_path / "large", days=40)
    assert large - small < 10, f"{small:.0f} MiB for 1,000 papers, {large:.0f} MiB for 4,000"
