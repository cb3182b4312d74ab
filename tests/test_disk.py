"""Disk, database and files: a run that cannot write fails whole, with one line, and the next run is complete.

Each test copies the folder of a first day's run (page, notification, site, feeds, database) and breaks it
the way a real machine does: a folder where a file should go, a file where a folder should go, a folder that
cannot be written (an immutable folder, a read-only mount), a full disk (a small tmpfs, a file-size limit),
a database that is damaged, not a database, under a folder that cannot be made, or locked by another
program. ``dailypapers run`` then runs as a real process against the local arXiv server on the second day.

A failure must exit with its status and exactly one ``dailypapers: error:`` line (no traceback) naming the
path; leave every output byte for byte and every table but ``runs`` as it was; record the failed run where
the database can still be written; and cost no request to arXiv when it could be known before the first one.
After the repair, the next run announces the second day's papers: nothing was lost.

Tests run as root here: ``chmod`` does not stop root, so a read-only folder is made with ``chattr +i`` or a
read-only bind mount, and a full disk with a small tmpfs; each such variant is skipped where it cannot be
made. A file-size limit (``RLIMIT_FSIZE``) and the immutable file need no mount.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from runfolder import Baseline, Ran, State, outputs, run_command, runs

EXTRA = '[outputs]\nsite = "site/"\nfeeds = "feeds/"\n'
Repair = Callable[[], None]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Baseline]:
    made = Baseline(tmp_path_factory.mktemp("disk"))
    with made.server:
        made.prepare(EXTRA)
        yield made


def sh(*command: str) -> bool:
    return subprocess.run(command, capture_output=True).returncode == 0


def immutable(path: Path) -> Repair:
    """``chattr +i``: not even root may create, remove or rename anything in the folder (or write the file)."""
    if not sh("chattr", "+i", str(path)):
        pytest.skip("chattr +i is not available here (needs root and a file system that has it)")
    return lambda: None if sh("chattr", "-i", str(path)) else None


def append_only(path: Path) -> Repair:
    """``chattr +a``: the file may grow, but not be replaced."""
    if not sh("chattr", "+a", str(path)):
        pytest.skip("chattr +a is not available here (needs root and a file system that has it)")
    return lambda: None if sh("chattr", "-a", str(path)) else None


def read_only_mount(path: Path) -> Repair:
    if not (sh("mount", "--bind", str(path), str(path)) and sh("mount", "-o", "remount,bind,ro", str(path))):
        sh("umount", str(path))
        pytest.skip("a read-only bind mount cannot be made here (needs root)")
    return lambda: None if sh("umount", str(path)) or sh("umount", "-l", str(path)) else None


def full_disk(path: Path, size: str = "1m", free: int = 0) -> Repair:
    """Put ``path``'s contents on a tmpfs of ``size`` and fill it up to ``free`` bytes."""
    saved = path.with_name(path.name + ".saved")
    shutil.move(path, saved)
    path.mkdir()

    def repair() -> None:
        sh("umount", str(path)) or sh("umount", "-l", str(path))
        path.rmdir()
        shutil.move(saved, path)

    if not sh("mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)):
        repair()
        pytest.skip("a tmpfs cannot be mounted here (needs root)")
    try:
        shutil.copytree(saved, path, dirs_exist_ok=True)
        fill(path / ".filler", free)
    except BaseException:
        repair()
        raise
    return repair


def fill(filler: Path, free: int) -> None:
    with open(filler, "wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError:
            pass
    blocks = os.statvfs(filler.parent)
    while blocks.f_bavail * blocks.f_frsize < free and filler.stat().st_size:
        os.truncate(filler, max(0, filler.stat().st_size - 4096))
        blocks = os.statvfs(filler.parent)


def replace_with_folder(path: Path) -> Repair:
    path.unlink()
    (path / "notes").mkdir(parents=True)
    return lambda: shutil.rmtree(path)


def replace_with_file(path: Path) -> Repair:
    shutil.rmtree(path)
    path.write_text("my notes\n", encoding="utf-8")
    return path.unlink


@dataclass(frozen=True)
class Breakage:
    """How the folder is broken, whether the run can know before its first request, and the error's words."""

    name: str
    apply: Callable[[Path], Repair]
    before_requests: bool
    words: tuple[str, ...]
    file_size: int | None = None

    def __str__(self) -> str:
        return self.name


OUTPUTS = [
    # the case: a notification path that is a folder made the page new and the site old
    Breakage(
        "notification is a folder",
        lambda f: replace_with_folder(f / ".github/ISSUE_TEMPLATE.md"),
        True,
        ("ISSUE_TEMPLATE.md", "a folder"),
    ),
    Breakage("page is a folder", lambda f: replace_with_folder(f / "README.md"), True, ("README.md", "a folder")),
    Breakage(
        "a site page is a folder",
        lambda f: replace_with_folder(f / "site/index.html"),
        False,
        ("site/index.html", "a folder"),
    ),
    Breakage("a feed is a folder", lambda f: replace_with_folder(f / "feeds/all.xml"), False, ("all.xml", "a folder")),
    Breakage(
        "notification under a regular file",
        lambda f: replace_with_file(f / ".github"),
        True,
        ("ISSUE_TEMPLATE.md", "is a file, not a folder"),
    ),
    Breakage("site is a regular file", lambda f: replace_with_file(f / "site"), True, ("site", "not a folder")),
    Breakage(
        "a site folder is a regular file",
        lambda f: replace_with_file(f / "site/topics"),
        False,
        ("site/topics/", "a file stands where a folder should be"),
    ),
    Breakage("immutable page", lambda f: immutable(f / "README.md"), True, ("README.md", "immutable")),
    Breakage("append-only feed", lambda f: append_only(f / "feeds/all.xml"), False, ("all.xml", "immutable")),
    Breakage("immutable site folder", lambda f: immutable(f / "site"), True, ("site", "not permitted")),
    Breakage(
        "immutable site subfolder", lambda f: immutable(f / "site/topics"), False, ("site/topics", "not permitted")
    ),
    Breakage("read-only feeds mount", lambda f: read_only_mount(f / "feeds"), True, ("feeds", "read-only file system")),
    Breakage(
        "read-only notification mount",
        lambda f: read_only_mount(f / ".github"),
        True,
        ("ISSUE_TEMPLATE.md", "read-only file system"),
    ),
    Breakage("full disk under the site", lambda f: full_disk(f / "site"), False, ("site/", "no space left")),
    Breakage("full disk under the feeds", lambda f: full_disk(f / "feeds"), False, ("feeds/", "no space left")),
    Breakage(
        "file size limit", lambda f: lambda: None, False, ("README.md", "larger than this process may write"), 60_000
    ),
]


@pytest.mark.parametrize("breakage", OUTPUTS, ids=str)
def test_an_output_that_cannot_be_written_fails_the_whole_run(
    baseline: Baseline, tmp_path: Path, breakage: Breakage
) -> None:
    config = baseline.copy(tmp_path / "papers")
    folder = config.parent
    repair = breakage.apply(folder)
    try:
        before = State.of(folder)
        baseline.server.requests.clear()
        ran = run_command(config, file_size=breakage.file_size)
        asked = baseline.api_requests()
        after = State.of(folder)
    finally:
        repair()
    line = ran.failed_with_one_line()
    assert all(word in line for word in breakage.words), line
    assert (asked == 0) == breakage.before_requests, f"{asked} requests to arXiv"
    if breakage.before_requests:
        assert ran.stderr.splitlines() == [line], "found before the run said anything else"
    assert after.outputs == before.outputs, "every output as it was"
    assert after.rows == before.rows, "every table but runs as it was"
    assert after.runs == [*before.runs, ("failed", asked, line.removeprefix("dailypapers: error: "))]
    assert not list(folder.rglob("*.tmp")), "no temporary file left behind"
    again = run_command(config)
    assert again.status == 0, again.stderr
    assert again.summary["outcome"] == "new" and again.summary["new_papers"] == 2, "nothing was lost"


def test_a_full_disk_under_the_database_fails_before_anything_is_published(baseline: Baseline, tmp_path: Path) -> None:
    """The outputs are staged, then COMMIT finds no room: the staged files are removed, nothing changes."""
    config = baseline.copy(tmp_path / "papers")
    folder = config.parent
    (folder / "archive").mkdir()
    for name in ("dailypapers.db", "dailypapers.db.lock"):
        shutil.move(folder / name, folder / "archive" / name)
    config = baseline.configure(folder, 'database = "archive/dailypapers.db"\n' + EXTRA)
    repair = full_disk(folder / "archive", size="2m", free=48 * 1024)  # room for the lock's shared memory only
    try:
        before = outputs(folder)
        ran = run_command(config)
        after = outputs(folder)
    finally:
        repair()
    line = ran.failed_with_one_line()
    assert "archive/dailypapers.db" in line and ("full" in line or "no space" in line), line
    assert after == before
    assert not list(folder.rglob("*.tmp"))
    again = run_command(config)
    assert again.status == 0 and again.summary["new_papers"] == 2, again.stderr


# --- the database -------------------------------------------------------------------------------------------


def not_a_database(folder: Path) -> None:
    (folder / "dailypapers.db").write_text("these are my notes, not a database\n" * 200, encoding="utf-8")


def damaged_pages(folder: Path) -> None:
    """Overwrite the pages of the ``papers`` table's b-tree (SQLite's own page numbers, from ``dbstat``)."""
    path = folder / "dailypapers.db"
    with closing(sqlite3.connect(path)) as db:
        size = db.execute("PRAGMA page_size").fetchone()[0]
        pages = [row[0] for row in db.execute("SELECT pageno FROM dbstat WHERE name = 'papers'")]
    with open(path, "r+b") as out:
        for page in pages:
            out.seek((page - 1) * size)
            out.write(b"\xa5" * size)


def folder_is_a_file(folder: Path) -> Path:
    (folder / "notes.txt").write_text("my notes\n", encoding="utf-8")
    return folder / "notes.txt"


@pytest.mark.parametrize(
    ("damage", "words"),
    [(not_a_database, "not a database"), (damaged_pages, "malformed")],
    ids=["not a database", "damaged pages"],
)
def test_a_damaged_database_is_one_line_and_no_output_changes(
    baseline: Baseline, tmp_path: Path, damage: Callable[[Path], None], words: str
) -> None:
    config = baseline.copy(tmp_path / "papers")
    folder = config.parent
    damage(folder)
    before = outputs(folder)
    ran = run_command(config)
    line = ran.failed_with_one_line()
    assert "dailypapers.db" in line and words in line and ("restore" in line or "move" in line), line
    assert outputs(folder) == before
    if damage is damaged_pages:  # the table of runs is whole: the failed run is recorded there
        assert runs(folder / "dailypapers.db")[-1] == ("failed", 1, line.removeprefix("dailypapers: error: "))


def test_a_database_under_a_regular_file_is_one_line_before_any_request(baseline: Baseline, tmp_path: Path) -> None:
    config = baseline.copy(tmp_path / "papers")
    folder = config.parent
    folder_is_a_file(folder)
    for database in ("notes.txt/dailypapers.db", "notes.txt/deeper/dailypapers.db"):
        config = baseline.configure(folder, f'database = "{database}"\n' + EXTRA)
        before = outputs(folder)
        baseline.server.requests.clear()
        line = run_command(config).failed_with_one_line()
        assert "notes.txt" in line and "cannot create the folder" in line, line
        assert baseline.api_requests() == 0 and outputs(folder) == before


@pytest.mark.parametrize(
    ("target", "words"),
    [("archive/dailypapers.db", "readonly"), ("archive", "is not writable")],
    ids=["file", "folder"],
)
def test_an_immutable_database_is_one_line_before_any_request(
    baseline: Baseline, tmp_path: Path, target: str, words: str
) -> None:
    """The file itself (SQLite can only read it), or the folder it is in (SQLite cannot make its -shm file)."""
    config = baseline.copy(tmp_path / "papers")
    folder = config.parent
    (folder / "archive").mkdir()
    for name in ("dailypapers.db", "dailypapers.db.lock"):
        shutil.move(folder / name, folder / "archive" / name)
    config = baseline.configure(folder, 'database = "archive/dailypapers.db"\n' + EXTRA)
    before = State.of(folder, "archive/dailypapers.db")
    repair = immutable(folder / target)
    try:
        baseline.server.requests.clear()
        line = run_command(config).failed_with_one_line()
    finally:
        repair()
    assert "archive/dailypapers.db" in line and words in line, line
    assert baseline.api_requests() == 0 and State.of(folder, "archive/dailypapers.db") == before


BUSY = "busy_timeout = 0.5\n" + EXTRA


def test_a_database_held_by_another_program_exits_75_within_the_busy_timeout(
    baseline: Baseline, tmp_path: Path
) -> None:
    config = baseline.copy(tmp_path / "papers")
    config = baseline.configure(config.parent, BUSY)
    before = State.of(config.parent)
    with closing(sqlite3.connect(config.parent / "dailypapers.db", isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        baseline.server.requests.clear()
        started = time.monotonic()
        ran = run_command(config)
        took = time.monotonic() - started
        other.execute("ROLLBACK")
    line = ran.failed_with_one_line(75)
    assert "the database is busy" in line and "0.5 s" in line and "dailypapers.db" in line, line
    assert ran.summary["outcome"] == "failed"
    assert ran.stderr.splitlines() == [
        f"dailypapers: {config.parent / 'dailypapers.db'}: the database is busy; waiting up to 0.5 s for it",
        line,
    ]
    assert took < 10 and baseline.api_requests() == 0
    assert State.of(config.parent) == before
    assert run_command(config).summary["new_papers"] == 2


def test_a_database_taken_by_another_program_during_the_fetch_exits_75_and_changes_nothing(
    baseline: Baseline, tmp_path: Path
) -> None:
    """The check before the first request passes; the other writer comes while arXiv answers."""
    config = baseline.configure(baseline.copy(tmp_path / "papers").parent, BUSY)
    before = State.of(config.parent)
    other = sqlite3.connect(config.parent / "dailypapers.db", isolation_level=None, check_same_thread=False)
    taken = threading.Event()
    server = baseline.server

    def locking_answer(path: str, params: dict[str, str]) -> tuple[int, bytes, str, dict[str, str]]:
        if not taken.is_set():
            other.execute("BEGIN IMMEDIATE")
            taken.set()
        status, body, _ = server.answer(params)
        return status, body, "application/atom+xml; charset=utf-8", {}

    server.mount("/api/query", locking_answer)
    try:
        ran = run_command(config)
    finally:
        del server.routes["/api/query"]
        if taken.is_set():
            other.execute("ROLLBACK")
        other.close()
    assert taken.is_set()
    assert "the database is busy" in ran.failed_with_one_line(75)
    assert State.of(config.parent) == before, "not even a line in runs: the database was busy"


# --- before the first request -------------------------------------------------------------------------------

SECRETS = (
    EXTRA
    + """[email]
smtp_host = "127.0.0.1"
smtp_port = 9
security = "none"
sender = "Daily Papers <papers@example.org>"
username_env = "DP_SMTP_USER"
password_env = "DP_SMTP_PASSWORD"
[[email.recipients]]
address = "ada@example.org"
[[webhooks]]
kind = "json"
url_env = "DP_JSON_WEBHOOK"
"""
)
ALL_SECRETS = {"DP_SMTP_USER": "ada", "DP_SMTP_PASSWORD": "pw", "DP_JSON_WEBHOOK": "http://127.0.0.1:9/hook"}


@pytest.mark.parametrize(
    ("missing", "words"),
    [
        ({"DP_SMTP_PASSWORD": None}, "DP_SMTP_PASSWORD: not set or empty; it holds the SMTP password"),
        ({"DP_SMTP_USER": ""}, "DP_SMTP_USER: not set or empty; it holds the SMTP user name"),
        ({"DP_JSON_WEBHOOK": ""}, "DP_JSON_WEBHOOK: not set or empty; it holds the URL of webhook json:DP_JSON"),
        (dict.fromkeys(ALL_SECRETS), "(and 2 more: DP_SMTP_PASSWORD, DP_JSON_WEBHOOK)"),
    ],
    ids=["password unset", "user empty", "webhook empty", "all unset"],
)
def test_a_missing_secret_costs_no_request(
    baseline: Baseline, tmp_path: Path, missing: dict[str, str | None], words: str
) -> None:
    config = baseline.configure(baseline.copy(tmp_path / "papers").parent, SECRETS)
    before = State.of(config.parent)
    environ = {name: value for name, value in (ALL_SECRETS | missing).items() if value is not None}
    baseline.server.requests.clear()
    ran = run_command(config, environ=environ)
    line = ran.failed_with_one_line(2)
    assert words in line and ran.stderr.splitlines() == [line], ran.stderr
    assert "pw" not in ran.stderr.replace("password", "")
    assert baseline.server.requests == [], "no request to arXiv"
    after = State.of(config.parent)
    assert after.outputs == before.outputs and after.rows == before.rows
    assert after.runs == [*before.runs, ("failed", 0, line.removeprefix("dailypapers: error: "))]


# --- modes and links ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600), (0o027, 0o640)])
def test_every_output_gets_the_mode_the_umask_gives_a_new_file(
    baseline: Baseline, tmp_path: Path, umask: int, mode: int
) -> None:
    config = baseline.copy(tmp_path / "papers")
    folder = config.parent
    (folder / "README.md").chmod(0o600)  # a mode left by an older version: replaced like any other
    (folder / "feeds/all.xml").chmod(0o755)
    ran = run_command(config, umask=umask)
    assert ran.status == 0, ran.stderr
    written = outputs(folder)
    assert {"README.md", ".github/ISSUE_TEMPLATE.md", "site/index.html", "feeds/all.xml"} <= set(written)
    modes = {name: stat.S_IMODE((folder / name).stat().st_mode) for name in written}
    assert modes == dict.fromkeys(written, mode)


def test_a_linked_output_is_written_through_to_its_target(baseline: Baseline, tmp_path: Path) -> None:
    """A page linked into a published folder, a site folder linked elsewhere, and a link to a file not there
    yet: each link stays a link, and the file it points to gets what a plain run writes."""
    plain = baseline.copy(tmp_path / "plain")
    assert run_command(plain).status == 0
    config = baseline.copy(tmp_path / "papers")
    folder, public = config.parent, tmp_path / "public"
    public.mkdir()
    shutil.move(folder / "README.md", public / "README.md")
    (folder / "README.md").symlink_to("../public/README.md")
    shutil.move(folder / "site", public / "site")
    (folder / "site").symlink_to(public / "site", target_is_directory=True)
    (folder / ".github/ISSUE_TEMPLATE.md").unlink()
    (folder / ".github/ISSUE_TEMPLATE.md").symlink_to(public / "issue.md")  # dangling until the run
    ran = run_command(config, umask=0o022)
    assert ran.status == 0, ran.stderr
    for link in ("README.md", "site", ".github/ISSUE_TEMPLATE.md"):
        assert (folder / link).is_symlink(), f"{link} is still a link"
    expected = outputs(plain.parent)
    assert outputs(folder) == {name: text for name, text in expected.items() if not name.startswith("site/")}
    assert outputs(public / "site") == outputs(plain.parent / "site")
    assert (public / "issue.md").read_bytes() == (plain.parent / ".github/ISSUE_TEMPLATE.md").read_bytes()
    assert {stat.S_IMODE(path.stat().st_mode) for path in public.rglob("*") if path.is_file()} == {0o644}
    assert not list(tmp_path.rglob("*.tmp"))


# --- the other commands that write ---------------------------------------------------------------------------


def dailypapers(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "dailypapers", *args]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    )


def test_render_and_init_that_cannot_write_are_one_line(baseline: Baseline, tmp_path: Path) -> None:
    config = baseline.copy(tmp_path / "papers")
    folder = config.parent
    replace_with_file(folder / "feeds")
    before = outputs(folder)
    rendered = dailypapers("render", "--config", str(config))
    ran = Ran(rendered.returncode, rendered.stdout, rendered.stderr)
    assert "feeds" in ran.failed_with_one_line() and outputs(folder) == before
    (tmp_path / "occupied").write_text("a file\n", encoding="utf-8")
    started = dailypapers("init", str(tmp_path / "occupied" / "papers"))
    line = Ran(started.returncode, started.stdout, started.stderr).failed_with_one_line()
    assert "occupied" in line and "not a folder" in line, line


def test_a_recording_that_cannot_be_written_is_one_line(baseline: Baseline, tmp_path: Path) -> None:
    """Under a regular file (found before the run starts), or in a folder that takes no new file (found at
    the first answer, so the failed run is logged)."""
    config = baseline.copy(tmp_path / "papers")
    folder = config.parent
    notes = folder_is_a_file(folder)
    before = State.of(folder)
    line = run_command(config, "--record", str(notes / "recording")).failed_with_one_line()
    assert "notes.txt" in line and "not a folder" in line, line
    assert State.of(folder) == before
    recording = folder / "recording"
    recording.mkdir()
    (recording / "recording.json").write_text('{"now": "2026-05-17T06:00:00+00:00"}\n', encoding="utf-8")
    before = State.of(folder)
    repair = immutable(recording)
    try:
        line = run_command(config, "--record", str(recording)).failed_with_one_line()
    finally:
        repair()
    assert "recording/answer-0001.json" in line and "immutable" in line, line
    after = State.of(folder)
    assert after.outputs == before.outputs and after.rows == before.rows
    assert [outcome for outcome, _, _ in after.runs] == [*(outcome for outcome, _, _ in before.runs), "failed"]
