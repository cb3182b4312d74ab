"""The fault matrix: every fault arXiv, a mail server or a webhook is known for, at every stage it can hit.

Each cell runs the real command (``dailypapers run`` or ``dailypapers backfill``, through click's CliRunner)
against real parts on 127.0.0.1: the arXiv stand-in (export API, announcement feeds, OAI-PMH) with its fault
switches aimed at one stage, an aiosmtpd mail server, an http.server webhook receiver, GitHub's issues API
(``github_server.py``, for the cells of the ``github`` stage, whose config has a ``[github]`` target) and a
SQLite file. The
clock stands at 07:00 in New York; a cell starts from the state a clean Thursday run left and runs Friday (a
back-fill cell harvests January 2026 into an empty archive).

Outcomes, as the README promises them:

- ``RETRIED``: the fault is retried away; the outputs and what each target was sent equal a clean run's.
- ``FAILED``: exit status 1 and one ``dailypapers: error:`` line naming the URL and what went wrong; every
  output and every table but ``runs`` unchanged, one ``failed`` row in ``runs``, nothing sent; the next run
  ends as a run that never saw the fault.
- ``KEPT`` / ``SKIPPED``: a damaged answer (an entry repeated, a total that moves, an entry with missing
  fields); the run succeeds, nothing lost or sent twice, and the damaged entries are counted (``skipped``).
- ``HELD``: a delivery fails; the page is written, exit status 1 with one line naming the target, the other
  target is served, and the next run sends the held papers once.
- ``UNCONFIRMED``: a webhook or GitHub POST that may have arrived (the answer came too late, the connection
  dropped after sending, the answer could not be read, GitHub's 502 after it opened the issue): exactly one
  POST in the run, which fails for that target with one line; exactly one more on the next run, which
  records it; none on the run after. The other targets get their messages once.
- ``TRY_LATER``: a stale feed; exit status 75, nothing changed but a ``stale`` row, the next run completes.
- ``QUIET``: an empty feed on a Saturday is no announcement, not a failure.
- ``RESUMED``: a back-fill that fails keeps its whole pages and checkpoint; the same command again ends with
  the archive a clean harvest gives.
- ``NEXT_DAY``: a date ahead of the clock (an entry updated in 2099, a feed dated a year ahead) meets the
  Thursday run, which succeeds and names what it did not trust; Friday's run finds Friday's papers and each
  target gets them once, as after a Thursday without it.

Hostile servers (``hostile.py``) join arXiv's known faults: answers trickled a byte at a time (headers or
body), an endless body, a gzip bomb, a body that claims gzip and is not, HTTP that breaks its own grammar,
redirects to another host or in a loop, ``Retry-After`` values that are no number and no date, and a 4xx that
no retry can mend. No cell may make a request to the other host a redirect points to.

GitHub's own answers join them at the ``github`` stage: nothing listening, 401 (also one that echoes the
token it received, and one that quotes it in base64), 403 without and with rate-limit headers (a reset an
hour away, or now), 429 with ``Retry-After: 0``, 404, 422, and 502 after the issue was opened. No run shows
the token in any form.

Not in the matrix, because the fault cannot reach the stage: paging faults (empty page, moving total,
repeated entry) at ``id_list`` (one request per 2,000 ids, never paged) and the feeds (one document);
arXiv's Atom error feed at OAI-PMH, which has its own error answers (``badResumptionToken`` is there); SMTP
faults anywhere but email; truncated or HTML bodies at the webhook, whose answer body is not read, and at
GitHub, whose answer is JSON read only for a message (a 201 with any body opens the issue); GitHub's
answers anywhere but the ``github`` stage.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import socket
import sqlite3
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from click.testing import CliRunner

import hostile
from arxiv_server import ArxivServer, Only, load_seed_papers
from dailypapers.cli import cli
from dailypapers.model import Paper
from feed_server import FeedService, mount_feeds
from github_server import REPO, GitHubIssues, rate_limited
from github_server import TOKEN as GITHUB_TOKEN
from github_server import Fault as Refusal
from github_server import _Handler as GitHubHandler
from hostile import Act
from loopback import Mailbox, QuietHandler, free_port, serve_http, smtp_server
from oai_server import OaiService, generate_records, mount_oai
from runfolder import Ran

# -- the days and the papers ---------------------------------------------------------------------------------

THURSDAY = datetime(2026, 5, 14, 11, 0, tzinfo=UTC)  # 07:00 in New York, after the feeds were rebuilt
FRIDAY = THURSDAY + timedelta(days=1)
SATURDAY = FRIDAY + timedelta(days=1)
TOPICS = ("compiler", "GPU", "scheduling")
NEW_TOPIC = "performance"  # 37 seeds: four pages
PAGE = 10  # entries or records per page, so that every search pages
TIMEOUT = 0.4  # seconds, in the cells whose server answers too late
MAX_WAIT = 0.1  # seconds: the longest wait between two attempts, whatever Retry-After asks
SLOW = 0.8
MAX_BYTES = 1024 * 1024  # the cap on an answer in every cell: a bomb or an endless body stops at 1 MiB
SEEDS = load_seed_papers()


def _latest(papers: list[Paper]) -> list[Paper]:
    newest: dict[str, Paper] = {}
    for paper in papers:
        if paper.id not in newest or paper.version > newest[paper.id].version:
            newest[paper.id] = paper
    return list(newest.values())


def _friday_papers() -> list[Paper]:
    """25 papers on the topics and 4 on none, submitted over Thursday: the daily query reads four pages."""
    base = next(p for p in SEEDS if p.primary_category == "cs.DC")
    titles = [f"A compiler for sparse kernels, part {n}" for n in range(10)]
    titles += [f"GPU memory tiering, part {n}" for n in range(8)]
    titles += [f"Scheduling serverless jobs, part {n}" for n in range(7)]
    titles += [f"Gossip in dynamic graphs, part {n}" for n in range(4)]
    start = FRIDAY - timedelta(hours=14)
    return [
        replace(
            base,
            id=f"2605.2{n:04d}",
            version=1,
            title=title,
            abstract=f"{title}: what it is about.",
            published=start + timedelta(minutes=17 * n),
            updated=start + timedelta(minutes=17 * n),
        )
        for n, title in enumerate(titles)
    ]


THURSDAY_LISTING = [
    (p, "new" if p.version == 1 else "replace") for p in _latest(SEEDS) if p.updated.date() == date(2026, 5, 13)
]
FRIDAY_PAPERS = _friday_papers()
# Listed in Friday's feed, unknown to the export API: the legacy API answered such an id with an entry with
# missing fields, the new one leaves it out (arxiv-protocol.md §1.2). Either way the run leaves it out, and
# since the announcement is then covered, no later run asks for it again.
UNKNOWN = replace(FRIDAY_PAPERS[0], id="2605.29999", title="A compiler announced but not yet searchable")
HARVEST_NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HARVESTED = generate_records(100, date(2026, 1, 5), seed=11)  # 25 a day: a day spans three pages


# -- the mail server and the webhook receiver -------------------------------------------------------------------


@dataclass
class BusyMailbox(Mailbox):
    """A ``Mailbox`` that gives DATA the reply ``refusal`` instead while it is set."""

    refusal: str | None = None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        if self.refusal is not None:
            return self.refusal
        return await super().handle_DATA(server, session, envelope)


@dataclass
class Hooks:
    """A webhook receiver: the bodies it accepted, every POST it saw, and faults for the next POSTs."""

    url: str = ""
    bodies: list[dict[str, Any]] = field(default_factory=list)
    posts: int = 0
    faults: list[tuple[str | Act | Refusal, int | None]] = field(default_factory=list)  # (kind, POSTs left)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, kind: str | Act | Refusal, times: int | None) -> None:
        """``kind``: an HTTP status ("429" and "503" with ``Retry-After: 0``), "reset", "slow" (the message is
        taken, the answer comes after the sender's timeout) or a hostile act."""
        with self.lock:
            self.faults.append((kind, times))

    def next_fault(self) -> str | Act | Refusal | None:
        with self.lock:
            self.posts += 1
            if not self.faults:
                return None
            kind, left = self.faults[0]
            if left is not None:
                self.faults[0:1] = [(kind, left - 1)] if left > 1 else []
            return kind


def _hook_handler(hooks: Hooks) -> type[QuietHandler]:
    class Handler(QuietHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
            body = self.read_body()
            fault = hooks.next_fault()
            if callable(fault):
                fault(self)
                return
            assert not isinstance(fault, Refusal), "GitHub's refusals are for the GitHub stage"
            if fault == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                return
            if fault == "slow":  # a webhook that posts the message, then answers after the sender's timeout
                hooks.bodies.append(json.loads(body))
                time.sleep(SLOW)
                self.answer(200)
                return
            status = int(fault) if fault else 200
            if status == 200:
                hooks.bodies.append(json.loads(body))
            self.answer(status, headers={"Retry-After": "0"} if status in (429, 503) else None)

    return Handler


def _github_handler(issues: GitHubIssues, switches: Hooks) -> type[QuietHandler]:
    """GitHub's issues API (``github_server.py``) with the matrix's faults in front: a GitHub refusal is
    answered by that server, a hostile act or a reset connection by this handler, after reading the request."""

    class Handler(GitHubHandler):
        state = issues

        def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
            fault = switches.next_fault()
            if fault is None or isinstance(fault, Refusal):
                issues.faults[:] = [fault] if fault is not None else []
                super().do_POST()
                return
            self.read_body()
            if callable(fault):
                fault(self)
                return
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True  # "reset": the request was sent, no answer ever comes

    return Handler


def _observer(seen: list[str]) -> type[QuietHandler]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's hook name
            seen.append(self.path)
            self.answer(200, b"<feed/>")

        do_POST = do_GET  # noqa: N815

    return Handler


# -- arXiv, in the state of a scenario ------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """What a run meets: its scope (none: the daily query, not the feed), a topic added to the config, an id
    the feed lists and the export API does not know."""

    name: str
    scope: str | None = "cs.DC"
    new_topic: bool = False
    unknown_id: bool = False
    github: bool = False  # a [github] target too


DAILY = Scenario("daily query", scope=None)
ANNOUNCEMENT = Scenario("announcement")
ADDED_TOPIC = Scenario("new topic", new_topic=True)
UNKNOWN_ID = Scenario("unknown id", unknown_id=True)
ISSUE = Scenario("github issue", github=True)
HARVEST = Scenario("harvest", scope="cs")  # January 2026 into an empty archive, with OAI-PMH


@dataclass
class Arxiv:
    """One local server with the export API, the announcement feeds and OAI-PMH."""

    server: ArxivServer
    feeds: FeedService
    oai: OaiService

    @classmethod
    def serving(cls, scenario: Scenario, now: datetime) -> Arxiv:
        if scenario is HARVEST:
            server = ArxivServer(HARVESTED, now=lambda: HARVEST_NOW).start()
            return cls(server, mount_feeds(server), mount_oai(server, page_size=PAGE))
        server = ArxivServer(SEEDS if now < FRIDAY else [*SEEDS, *FRIDAY_PAPERS], now=lambda: now).start()
        feeds = mount_feeds(server)
        feeds.announce(THURSDAY.date(), THURSDAY_LISTING)
        unknown = [(UNKNOWN, "new")] if scenario.unknown_id else []
        feeds.announce(FRIDAY.date(), [(paper, "new") for paper in FRIDAY_PAPERS] + unknown)
        return cls(server, feeds, mount_oai(server, page_size=PAGE))

    def __enter__(self) -> Arxiv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()

    def environment(self, now: datetime, hooks: Hooks) -> dict[str, str | None]:
        return {
            "DAILYPAPERS_NOW": now.isoformat(),
            "DAILYPAPERS_DELAY": "0",
            "DAILYPAPERS_API_URL": self.server.url,
            "DAILYPAPERS_RSS_URL": self.server.base,
            "DAILYPAPERS_OAI_URL": self.server.base + "/oai",
            "TEST_WEBHOOK_URL": hooks.url,
        }


# -- running the command --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clean:
    """What a run that never saw the fault left: its outputs, what it sent and its summary."""

    outputs: dict[str, bytes]
    sent: list[tuple[str, tuple[str, ...]]]
    summary: dict[str, Any]
    archive: dict[str, list[tuple[object, ...]]]


class Bench:
    """The mail server and the webhook receiver for the whole module, the Thursday state of each world (made
    once, copied into each cell's folder), and the clean Friday run of each scenario (made once)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.mail = BusyMailbox()
        self.hooks = Hooks()
        self._servers = ExitStack()
        self.smtp_port = self._servers.enter_context(smtp_server(self.mail))
        base = self._servers.enter_context(serve_http(_hook_handler(self.hooks)))
        self.hooks.url = f"{base}/hooks/T000/s3cr3t-t0ken"
        self.elsewhere: list[str] = []  # requests that reached the other host a redirect points to
        other = self._servers.enter_context(serve_http(_observer(self.elsewhere)))
        self.other_host = other.replace("127.0.0.1", "localhost")
        self.github = GitHubIssues()  # the issues opened; ``github_faults`` counts the POSTs and holds the faults
        self.github_faults = Hooks()
        self.github.url = self._servers.enter_context(serve_http(_github_handler(self.github, self.github_faults)))
        self.github_url = self.github.url  # where runs are told GitHub's API is
        self._thursdays: dict[str | None, Path] = {}
        self._clean: dict[str, Clean] = {}

    def close(self) -> None:
        self._servers.close()

    def heal(self) -> None:
        """Forget what was sent and every delivery fault."""
        self.mend()
        self.mail.messages.clear()
        self.hooks.bodies.clear()
        self.hooks.posts = 0
        self.github.issues.clear()
        self.github_faults.posts = 0

    def mend(self) -> None:
        """Take away every delivery fault, keeping what was sent."""
        self.mail.refusal = None
        self.hooks.faults.clear()
        self.github_faults.faults.clear()
        self.github_url = self.github.url

    def posts(self, stage: Stage) -> int:
        """How many POSTs the target of a webhook or GitHub stage received."""
        return self.github_faults.posts if stage is GITHUB else self.hooks.posts

    def config(self, folder: Path, scenario: Scenario, *, timeout: float = 5.0) -> None:
        lines = [
            'title = "Daily Papers"',
            'contact = "researcher@example.org"',
            'link = "https://ada.github.io/papers/"',
            "[arxiv]",
            "max_attempts = 2",
            f"max_wait = {MAX_WAIT}",
            f"timeout = {timeout}",
            f"max_bytes = {MAX_BYTES}",
            f"page_size = {PAGE}",
            "[outputs]",
            'markdown = "README.md"',
            'issue = "issue.md"',
            'site = "site/"',
            'feeds = "feeds/"',
            "[email]",
            'smtp_host = "127.0.0.1"',
            f"smtp_port = {self.smtp_port}",
            'security = "none"',
            'sender = "Daily Papers <papers@example.org>"',
            "[[email.recipients]]",
            'address = "ada@example.org"',
            "[[webhooks]]",
            'kind = "json"',
            'url_env = "TEST_WEBHOOK_URL"',
            "max_attempts = 2",
            f"timeout = {timeout}",
            "max_wait = 0",
        ]
        github = ["[github]", f'repo = "{REPO}"', "max_attempts = 2", f"timeout = {timeout}"]
        lines += github if scenario.github else []
        lines += ["[scope]", f"categories = [{scenario.scope!r}]"] if scenario.scope else []
        topics = [*TOPICS, NEW_TOPIC] if scenario.new_topic else list(TOPICS)
        lines += [line for topic in topics for line in ("[[topics]]", f"name = {topic!r}")]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "dailypapers.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def run(self, folder: Path, arxiv: Arxiv, now: datetime, *args: str) -> Ran:
        command = list(args) or ["run", "--json"]
        env = {**arxiv.environment(now, self.hooks), "DAILYPAPERS_GITHUB_API_URL": self.github_url}
        result = CliRunner().invoke(
            cli, [*command, "--config", str(folder / "dailypapers.toml")], env={**env, "GITHUB_TOKEN": GITHUB_TOKEN}
        )
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert self.hooks.url not in result.output, "the webhook URL is a secret"
        for form in (GITHUB_TOKEN, GITHUB_TOKEN[4:], _base64(GITHUB_TOKEN), _base64(f"x-access-token:{GITHUB_TOKEN}")):
            assert form.rstrip("=") not in result.output, "so is the GitHub token, in every form"
        assert self.elsewhere == [], "a redirect to another host is never followed"
        assert "Traceback" not in result.output
        return Ran(result.exit_code, result.stdout, result.stderr)

    def thursday(self, folder: Path, scenario: Scenario, *, timeout: float = 5.0) -> None:
        """``folder`` as a clean Thursday run left it, with ``scenario``'s config."""
        if scenario.scope not in self._thursdays:
            made = self.root / f"thursday-{scenario.scope or 'all'}"
            self.config(made, ANNOUNCEMENT if scenario.scope else DAILY)
            with Arxiv.serving(scenario, THURSDAY) as arxiv:
                assert self.run(made, arxiv, THURSDAY).status == 0
            self.heal()
            self._thursdays[scenario.scope] = made
        shutil.copytree(self._thursdays[scenario.scope], folder)
        self.config(folder, scenario, timeout=timeout)

    def clean(self, scenario: Scenario) -> Clean:
        """The Friday run of ``scenario`` without any fault (a clean harvest for ``HARVEST``)."""
        if scenario.name not in self._clean:
            folder = self.root / f"clean-{scenario.name.replace(' ', '-')}"
            if scenario is HARVEST:
                self.config(folder, scenario)
            else:
                self.thursday(folder, scenario)
            now = HARVEST_NOW if scenario is HARVEST else FRIDAY
            with Arxiv.serving(scenario, now) as arxiv:
                ran = self.run(folder, arxiv, now, *(HARVEST_COMMAND if scenario is HARVEST else ()))
            assert ran.status == 0 and ran.errors == [], ran.stderr
            summary = {} if scenario is HARVEST else ran.summary
            self._clean[scenario.name] = Clean(outputs(folder), self.sent(), summary, tables(folder, ARCHIVE))
            self.heal()
        return self._clean[scenario.name]

    def sent(self) -> list[tuple[str, tuple[str, ...]]]:
        """Each message received so far: its target and the paper versions it lists."""
        found = []
        for recipient, message in self.mail.messages:
            body = message.get_body(("plain",))
            assert body is not None
            ids = re.findall(r"https://arxiv\.org/abs/(\d{4}\.\d{4,5}v\d+)", body.get_content())
            found.append((f"email:{recipient}", tuple(sorted(set(ids)))))
        for payload in self.hooks.bodies:
            ids = [f"{p['id']}v{p['version']}" for topic in payload["topics"] for p in topic["papers"]]
            found.append(("json:TEST_WEBHOOK_URL", tuple(sorted(set(ids)))))
        for issue in self.github.issues:
            ids = re.findall(r"\]\(https://arxiv\.org/abs/(\d{4}\.\d{4,5}v\d+)\)", issue["body"])
            found.append((f"github:{REPO}", tuple(sorted(set(ids)))))
        return sorted(found)


HARVEST_COMMAND = ("backfill", "--from", "2026-01-01", "--until", "2026-01-31")


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    made = Bench(tmp_path_factory.mktemp("bench"))
    try:
        yield made
    finally:
        made.close()


@pytest.fixture
def folder(tmp_path: Path, bench: Bench) -> Iterator[Path]:
    bench.heal()
    yield tmp_path / "papers"
    bench.heal()


# -- what a folder holds ----------------------------------------------------------------------------------------


def outputs(folder: Path) -> dict[str, bytes]:
    """Every file the runs wrote (the page, the notification, the site, the feeds), with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith("dailypapers.")
    }


def tables(folder: Path, but: tuple[str, ...] = ("runs",)) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table not in ``but`` (by default all but ``runs``, where a failed run adds one)."""
    with sqlite3.connect(folder / "dailypapers.db") as db:
        names = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
            )
        ]
        return {
            name: sorted(db.execute(f"SELECT * FROM {name}").fetchall(), key=repr) for name in names if name not in but
        }


# What a harvest stored: the migrations are stamped with the wall clock, so two archives differ there.
ARCHIVE = ("runs", "schema_migrations")


def runs(folder: Path) -> list[str]:
    with sqlite3.connect(folder / "dailypapers.db") as db:
        return [row[0] for row in db.execute("SELECT outcome FROM runs ORDER BY id")]


# -- stages and faults ------------------------------------------------------------------------------------------


def _search(path: str, params: dict[str, str]) -> bool:
    return path == "/api/query" and "search_query" in params


def _id_list(path: str, params: dict[str, str]) -> bool:
    return path == "/api/query" and "id_list" in params


def _feed(path: str, params: dict[str, str]) -> bool:
    return path.startswith("/rss/")


def _resumed(path: str, params: dict[str, str]) -> bool:
    """OAI-PMH pages after the first: a fault there meets a harvest that has stored pages already."""
    return path == "/oai" and "resumptionToken" in params


def _nothing(path: str, params: dict[str, str]) -> bool:
    return False


def _first_page(only: Only) -> Only:
    return lambda path, params: only(path, params) and params.get("start", "0") == "0"


def _later_pages(only: Only) -> Only:
    return lambda path, params: only(path, params) and params.get("start", "0") != "0"


@dataclass(frozen=True)
class Stage:
    name: str
    scenario: Scenario
    only: Only  # the arXiv requests of this stage
    url: Callable[[ArxivServer], str] = lambda server: server.url
    target: str = ""  # the delivery target of a delivery stage


SEARCH = Stage("daily query", DAILY, _search)
TOPIC = Stage("new topic", ADDED_TOPIC, _search)
ID_LIST = Stage("id_list", ANNOUNCEMENT, _id_list)
FEED = Stage("feed", ANNOUNCEMENT, _feed, url=lambda server: server.base + "/rss/cs.DC")
OAI = Stage("OAI-PMH back-fill", HARVEST, _resumed, url=lambda server: server.base + "/oai")
EMAIL = Stage("email", ANNOUNCEMENT, _nothing, target="email:ada@example.org")
WEBHOOK = Stage("webhook", ANNOUNCEMENT, _nothing, target="json:TEST_WEBHOOK_URL")
GITHUB = Stage("github", ISSUE, _nothing, target=f"github:{REPO}")
STAGES = {stage.name: stage for stage in (SEARCH, TOPIC, ID_LIST, FEED, OAI, EMAIL, WEBHOOK, GITHUB)}


@dataclass(frozen=True)
class Scene:
    bench: Bench
    arxiv: Arxiv
    stage: Stage


@dataclass(frozen=True)
class Fault:
    name: str
    inject: Callable[[Scene], None]
    says: str = ""  # a pattern for what the error line says, besides the URL or the target
    timeout: float = 5.0
    wait: float = 0.0  # the least time between the failed attempt and the next
    scenario: Callable[[Stage], Scenario] = lambda stage: stage.scenario
    requests: int | None = None  # how many requests the failed stage makes, when that is the point
    hook_says: str | None = None  # what the line says for the webhook (and GitHub), where it differs from ``says``
    github_says: str | None = None  # what the line says for the GitHub issue, where it differs from those

    def said(self, stage: Stage) -> str:
        if stage is GITHUB and self.github_says is not None:
            return self.github_says
        return self.hook_says if stage in (WEBHOOK, GITHUB) and self.hook_says is not None else self.says


def _http(kind: str, times: int | None) -> Callable[[Scene], None]:
    """A fault of the transport or the answer, at the arXiv server or the webhook receiver."""

    def inject(scene: Scene) -> None:
        if scene.stage is WEBHOOK:
            scene.bench.hooks.fail({"timeout": "slow"}.get(kind, kind), times)
            return
        if scene.stage is GITHUB:
            scene.bench.github_faults.fail(GITHUB_ANSWERS.get(kind, kind), times)
            return
        server, only = scene.arxiv.server, scene.stage.only
        switches: dict[str, Callable[[], None]] = {
            "429": lambda: server.rate_limited(times, retry_after=1, only=only),
            "503": lambda: server.unavailable(times, retry_after=1, only=only),
            "500": lambda: server.internal_error(times, only=only),
            "reset": lambda: server.reset_connection(times, only=only),
            "timeout": lambda: server.slow(SLOW, times, only=only),
            "truncated": lambda: server.truncated(times, only=only),
            "html": lambda: server.html_error(times, only=only),
        }
        switches[kind]()

    return inject


def _hostile(make: Callable[[Scene], Act], times: int | None = None) -> Callable[[Scene], None]:
    """A hostile answer (``hostile.py``) to the stage's requests, at the arXiv server or the webhook receiver."""

    def inject(scene: Scene) -> None:
        act = make(scene)
        if scene.stage is WEBHOOK:
            scene.bench.hooks.fail(act, times)
        elif scene.stage is GITHUB:
            scene.bench.github_faults.fail(act, times)
        else:
            scene.arxiv.server.misbehave(act, times, only=scene.stage.only)

    return inject


# The transport faults as GitHub's API gives them: a rate limit that asks to wait 0 s, a 503 (GitHub did not
# take the request), a 500, and an issue opened whose answer comes after the client's timeout.
GITHUB_ANSWERS: dict[str, Refusal] = {
    "429": rate_limited(429, retry_after="0"),
    "503": Refusal(503, "Service Unavailable", {"Retry-After": "0"}),
    "500": Refusal(500, "Internal Server Error"),
    "timeout": Refusal(201, opened=True, hang=SLOW),
}


def _base64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _github(refusal: Refusal, times: int | None = None) -> Callable[[Scene], None]:
    """One of GitHub's own answers to opening an issue (``github_server.py``)."""
    return lambda scene: scene.bench.github_faults.fail(refusal, times)


def _refused(scene: Scene) -> None:
    """Nothing listens where the API should be: the connection is refused."""
    scene.bench.github_url = f"http://127.0.0.1:{free_port()}"


AHEAD = datetime(2099, 1, 1, tzinfo=UTC)
# A Thursday paper whose export-API entry says it was updated in 2099: stored as given, never trusted.
FROM_THE_FUTURE = replace(
    FRIDAY_PAPERS[0], id="2605.19999", title="A compiler from the future", published=THURSDAY - timedelta(hours=5)
)


def _entry_ahead(scene: Scene) -> None:
    """Thursday's export API serves one entry dated 2099 (in the announcement, the feed lists it too)."""
    future = replace(FROM_THE_FUTURE, updated=AHEAD)
    scene.arxiv.server.add([future])
    if scene.stage is not SEARCH:
        scene.arxiv.feeds.announce(THURSDAY.date(), [*THURSDAY_LISTING, (future, "new")])


def _feed_ahead(scene: Scene) -> None:
    """Thursday's feed is dated a year ahead, with Thursday's listing."""
    ahead = THURSDAY.date() + timedelta(days=365)
    scene.arxiv.feeds.today = ahead
    scene.arxiv.feeds.announce(ahead, THURSDAY_LISTING)


def _elsewhere(scene: Scene) -> Act:
    """A redirect to the same path on another host (``localhost`` is not ``127.0.0.1``)."""
    return hostile.redirect(lambda handler: scene.bench.other_host + handler.path)


def _loop(scene: Scene) -> Act:
    return hostile.redirect(lambda handler: handler.path, status=307)


def _bad_retry_after(value: bytes) -> Callable[[Scene], None]:
    """503 once, with a ``Retry-After`` that is no number of seconds and no date: ignored, never a crash."""
    return _hostile(lambda scene: hostile.refuse(503, b"Retry-After: " + value + b"\r\n"), 1)


def _stuck_list(kind: str) -> Callable[[Scene], None]:
    def inject(scene: Scene) -> None:
        scene.arxiv.oai.stuck = kind

    return inject


def _error_feed(scene: Scene) -> None:
    if scene.stage is FEED:
        scene.arxiv.feeds.refuse("Bad subject class 'DC'. Valid subject classes for the archive 'cs' are: cs.AI")
    else:
        scene.arxiv.server.error_feed(only=scene.stage.only)


def _damaged(scene: Scene) -> None:
    stage, arxiv = scene.stage, scene.arxiv
    if stage is FEED:
        arxiv.feeds.damaged = 1
    elif stage is OAI:
        arxiv.oai.damaged = 1
    else:  # in a search, on the second page; in an id_list answer, in the place of the unknown id
        arxiv.server.damaged_entry(at=PAGE + 3, only=stage.only)


def _wrong_total(total: int) -> Callable[[Scene], None]:
    """The first page says ``total``, the next ones the true total (63 for the daily query, 37 for the topic)."""

    def inject(scene: Scene) -> None:
        scene.arxiv.server.changed_total(total, only=_first_page(scene.stage.only))

    return inject


FAULTS = {
    fault.name: fault
    for fault in (
        Fault("429 once", _http("429", 1), wait=MAX_WAIT),
        Fault(
            "429 stays",
            _http("429", None),
            r"HTTP 429 \(Too Many Requests\),? after 2 attempts",
            requests=2,
            github_says=r"HTTP 429 \(API rate limit exceeded.*\): GitHub's rate limit is reached; .*after 2 attempts;",
        ),
        Fault("503 once", _http("503", 1), wait=MAX_WAIT),
        Fault(
            "503 stays",
            _http("503", None),
            r"HTTP 503 \(Service Unavailable\),? after 2 attempts",
            requests=2,
            github_says=r"HTTP 503 \(Service Unavailable\): GitHub is unavailable.*, after 2 attempts;",
        ),
        Fault(
            "500 stays",
            _http("500", None),
            r"HTTP 500 \(Internal Server Error\);",
            requests=1,
            github_says=r"HTTP 500 \(Internal Server Error\); GitHub may have opened the issue",
        ),
        Fault("reset once", _http("reset", 1)),
        Fault("reset stays", _http("reset", None), r"connection failed: .+ after 2 attempts"),
        Fault("timeout once", _http("timeout", 1), timeout=TIMEOUT),
        Fault(
            "timeout stays",
            _http("timeout", None),
            f"no complete answer within {TIMEOUT:g} s after 2 attempts",
            timeout=TIMEOUT,
        ),
        Fault("truncated XML once", _http("truncated", 1)),
        Fault("truncated XML stays", _http("truncated", None), r"HTTP 200 \(unreadable .*truncated.*\) after 2"),
        Fault("HTML with 200 once", _http("html", 1)),
        Fault("HTML with 200 stays", _http("html", None), r"HTTP 200 \(unreadable .*<html>.*\) after 2"),
        Fault("error feed", _error_feed, r"arXiv (API|feed) error: (internal error|Bad subject class)"),
        Fault("empty page once", lambda s: s.arxiv.server.empty_page(only=_later_pages(s.stage.only))),
        Fault(
            "empty page stays",
            lambda s: s.arxiv.server.empty_page(None, only=_later_pages(s.stage.only)),
            r"empty page at start=10 although \d+ results were announced\) after 2",
        ),
        Fault("total grows", _wrong_total(15)),
        Fault("total shrinks", _wrong_total(100)),
        Fault("entry on two pages", lambda s: s.arxiv.server.repeated_entries(only=_later_pages(s.stage.only))),
        Fault(
            "missing fields",
            _damaged,
            scenario=lambda stage: UNKNOWN_ID if stage is ID_LIST else stage.scenario,
        ),
        Fault("stale feed", lambda s: s.arxiv.feeds.stale()),
        Fault("empty weekend feed", lambda s: None),  # the clock, not a switch: see quiet()
        Fault("badResumptionToken once", lambda s: s.arxiv.oai.expire_tokens(1)),
        Fault("badResumptionToken stays", lambda s: s.arxiv.oai.expire_tokens(), "badResumptionToken"),
        Fault("trickled headers once", _hostile(lambda s: hostile.trickled_headers(), 1), timeout=TIMEOUT),
        Fault(
            "trickled headers stays",
            _hostile(lambda s: hostile.trickled_headers()),
            f"no complete answer within {TIMEOUT:g} s after 2 attempts",
            timeout=TIMEOUT,
        ),
        Fault(
            "trickled body stays",
            _hostile(lambda s: hostile.trickled_body()),
            f"no complete answer within {TIMEOUT:g} s after 2 attempts",
            timeout=TIMEOUT,
            github_says=f"no complete answer within {TIMEOUT:g} s; it may have arrived",
        ),
        Fault(
            "endless body",
            _hostile(lambda s: hostile.endless_body()),
            r"larger than 1 MiB after 1 attempt$",
            requests=1,
            github_says="the answer is larger than 1 MiB; it may have arrived",
        ),
        Fault(
            "gzip bomb",
            _hostile(lambda s: hostile.gzip_bomb()),
            r"larger than 1 MiB after 1 attempt$",
            requests=1,
            hook_says="the answer is larger than 1 MiB; it may have arrived",
        ),
        Fault("bad gzip once", _hostile(lambda s: hostile.bad_gzip(), 1)),
        Fault("bad gzip stays", _hostile(lambda s: hostile.bad_gzip()), r"not valid gzip .*after 2 attempts$"),
        Fault("cut gzip stays", _hostile(lambda s: hostile.truncated_gzip()), r"not valid gzip .*ends early"),
        Fault(
            "header without a colon",
            _hostile(lambda s: hostile.broken("header without a colon")),
            r"broke the HTTP protocol: illegal header line: 'this is not a header' after 2 attempts$",
            github_says="broke the HTTP protocol: illegal header line: 'this is not a header'; it may have arrived",
        ),
        Fault(
            "status line of words",
            _hostile(lambda s: hostile.broken("status line of words")),
            r"broke the HTTP protocol.* after 2 attempts$",
            hook_says="broke the HTTP protocol: illegal status line.*; it may have arrived",
        ),
        Fault(
            "redirect elsewhere",
            _hostile(_elsewhere),
            r"redirected \(HTTP 302\) to http://localhost:\d+/\S*, which is not on 127\.0\.0\.1: not followed after 1",
            requests=1,
            hook_says=r"HTTP 302 \(Found\);",
            github_says=r"HTTP 302: the API answered with a redirect to http://localhost:\d+/\S*; check \[github\]",
        ),
        Fault(
            "redirect loop",
            _hostile(_loop),
            r"redirect loop: .* after 1 attempt$",
            requests=1,
            github_says=r"HTTP 307: the API answered with a redirect to /repos/ada/papers/issues; check",
        ),
        Fault("404 stays", _hostile(lambda s: hostile.refuse(404, body=b"Not Found")), r"HTTP 404", requests=1),
        Fault(
            "302 to the same host",
            _hostile(lambda s: hostile.redirect("/repos/ada/papers/issues/new")),
            requests=1,
            github_says=r"HTTP 302: the API answered with a redirect to /repos/ada/papers/issues/new; check",
        ),
        Fault("408 once", _hostile(lambda s: hostile.refuse(408), 1)),
        Fault("Retry-After \\xb2", _bad_retry_after(b"\xb2")),
        Fault("Retry-After -5", _bad_retry_after(b"-5")),
        Fault("Retry-After 10^40", _bad_retry_after(b"1" + b"0" * 40)),
        Fault("Retry-After in 9999", _bad_retry_after(b"Fri, 31 Dec 9999 23:59:59 GMT")),
        Fault("Retry-After soon-ish", _bad_retry_after(b"soon, 99 Foo 2026 25:61:61 XYZ")),
        Fault("token comes back", _stuck_list("repeat"), r"resumption token .* came back"),
        Fault("pages of nothing", _stuck_list("empty"), r"6 pages in a row with a resumption token and no record"),
        Fault("SMTP 4xx", lambda s: setattr(s.bench.mail, "refusal", "451 4.3.0 Mail server busy"), "451"),
        Fault("SMTP 5xx", lambda s: setattr(s.bench.mail, "refusal", "554 5.7.1 Message refused"), "554"),
        # the clock: a date ahead on Thursday, which must not hide Friday's papers
        Fault(
            "entry dated 2099",
            _entry_ahead,
            r"ahead of the clock .*, stored as given but not trusted.*: 2605\.19999v1 \(2099-01-01T00:00:00Z\)",
        ),
        Fault("feed dated a year ahead", _feed_ahead, r"more than a day ahead of the clock.*no announcement marked"),
        # GitHub's own answers to opening an issue, and nothing listening at all
        Fault(
            "connection refused",
            _refused,
            r"could not reach http://127\.0\.0\.1:\d+/repos/ada/papers/issues: "
            r".*after 2 attempts;",
            requests=0,
        ),
        Fault(
            "401",
            _github(Refusal(401, "Bad credentials")),
            r"HTTP 401 \(Bad credentials\): GitHub refused the "
            r"token; check the environment variable GITHUB_TOKEN;",
            requests=1,
        ),
        Fault(
            "401 echoing the token",
            _github(Refusal(401, "Bad credentials", echo=True)),
            r"HTTP 401 \(Bad credentials \(received Bearer \*\*\*\)\)",
            requests=1,
        ),
        Fault(
            "401 quoting the token in base64",
            _github(
                Refusal(401, f"Bad credentials: {_base64(GITHUB_TOKEN)}, {_base64(f'x-access-token:{GITHUB_TOKEN}')}")
            ),
            r"HTTP 401 \(Bad credentials: \*\*\*, \S*\*\*\*\)",  # "x-access-token:" may stay readable
            requests=1,
        ),
        Fault("403", _github(Refusal(403, "Resource not accessible by integration")), r"`issues: write`", requests=1),
        Fault(
            "403 rate limit",
            _github(rate_limited(403)),
            r"rate limit is reached; try again after \S+ \S+ UTC;",
            requests=1,
        ),
        Fault("403 rate limit, reset now", _github(rate_limited(403, reset_in=0), 1)),
        Fault("429 Retry-After 0 once", _github(rate_limited(429, retry_after="0"), 1)),
        Fault(
            "404", _github(Refusal(404, "Not Found")), r"HTTP 404 \(Not Found\): no repository ada/papers", requests=1
        ),
        Fault(
            "422",
            _github(
                Refusal(
                    422,
                    "Validation Failed",
                    errors=({"resource": "Label", "field": "name", "code": "invalid", "value": "documentation"},),
                )
            ),
            r"HTTP 422 \(Validation Failed\): GitHub refused "
            r"the issue; check \[github\] labels: Label name invalid 'documentation';",
            requests=1,
        ),
        Fault(
            "502 after opening",
            _github(Refusal(502, "Server Error", opened=True)),
            r"HTTP 502 \(Server Error\); GitHub may have opened the issue",
        ),
    )
}


# -- outcomes ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    name: str
    skipped: int = 0

    def __str__(self) -> str:
        return self.name


RETRIED = Outcome("retried")
FAILED = Outcome("failed")
KEPT = Outcome("kept")
SKIPPED = Outcome("skipped", skipped=1)
HELD = Outcome("held")
TRY_LATER = Outcome("try later")
QUIET = Outcome("quiet")
RESUMED = Outcome("resumed")
UNCONFIRMED = Outcome("unconfirmed")
NEXT_DAY = Outcome("next day")


def retried(bench: Bench, folder: Path, fault: Fault, stage: Stage, outcome: Outcome) -> None:
    """Retried away (or, for damaged answers, read around): the run equals a clean one."""
    scenario = fault.scenario(stage)
    clean = bench.clean(scenario)
    bench.thursday(folder, scenario, timeout=fault.timeout)
    with Arxiv.serving(scenario, FRIDAY) as arxiv:
        fault.inject(Scene(bench, arxiv, stage))
        ran = bench.run(folder, arxiv, FRIDAY)
        asked = [r.time for r in arxiv.server.requests if stage.only(r.path, r.params)]
        left = arxiv.server.pending_faults
        assert arxiv.server.errors == []
    assert (ran.status, ran.errors) == (0, []), ran.stderr
    if outcome is RETRIED:
        _was_retried(bench, fault, stage, asked, left)
    assert outputs(folder) == clean.outputs
    assert bench.sent() == clean.sent, "each target gets the same papers, once"
    summary = ran.summary
    assert summary["skipped"] == outcome.skipped
    assert (summary["outcome"], summary["new"], summary["kept"]) == (
        clean.summary["outcome"],
        clean.summary["new"],
        clean.summary["kept"],
    )
    if outcome.skipped:
        assert "damaged" in ran.stderr, "the skipped entries are reported"


def _was_retried(bench: Bench, fault: Fault, stage: Stage, asked: list[float], left: int) -> None:
    """The fault was met and the request made again, after ``Retry-After`` (cut to max_wait) when given."""
    if stage in (WEBHOOK, GITHUB):
        switches = bench.github_faults if stage is GITHUB else bench.hooks
        assert (switches.posts, switches.faults) == (2, []), "one POST failed, the next was delivered"
        return
    assert left == 0 and len(asked) >= 2
    assert asked[1] - asked[0] >= fault.wait, "the retry waited as Retry-After asked, up to max_wait"


def failed(bench: Bench, folder: Path, fault: Fault, stage: Stage, outcome: Outcome) -> None:
    """A clean failure: one line, nothing changed but a ``failed`` (or ``stale``) run; the next run completes."""
    scenario = fault.scenario(stage)
    clean = bench.clean(scenario)
    bench.thursday(folder, scenario, timeout=fault.timeout)
    files, rows, logged = outputs(folder), tables(folder), runs(folder)
    with Arxiv.serving(scenario, FRIDAY) as arxiv:
        fault.inject(Scene(bench, arxiv, stage))
        ran = bench.run(folder, arxiv, FRIDAY)
        url = stage.url(arxiv.server)
        asked = [r for r in arxiv.server.requests if stage.only(r.path, r.params)]
    if fault.requests is not None:
        assert len(asked) == fault.requests, (ran.stderr, [(r.method, r.params) for r in asked])
    if outcome is TRY_LATER:
        assert (ran.status, ran.errors, ran.summary["outcome"]) == (75, [], "stale")
    else:
        assert ran.status == 1 and len(ran.errors) == 1 and ran.stderr.splitlines()[-1] == ran.errors[0]
        assert ran.errors[0].startswith(f"dailypapers: error: {url}"), ran.errors[0]
        assert re.search(fault.says, ran.errors[0]), ran.errors[0]
        assert ran.summary["outcome"] == "failed"
    assert outputs(folder) == files
    assert tables(folder) == rows
    assert runs(folder) == [*logged, "stale" if outcome is TRY_LATER else "failed"]
    assert bench.sent() == []
    bench.config(folder, scenario)  # the usual timeout again
    with Arxiv.serving(scenario, FRIDAY) as arxiv:
        again = bench.run(folder, arxiv, FRIDAY)
    assert (again.status, again.errors) == (0, []), again.stderr
    assert outputs(folder) == clean.outputs, "the next run ends as one that never saw the fault"
    assert bench.sent() == clean.sent


def held(bench: Bench, folder: Path, fault: Fault, stage: Stage, outcome: Outcome) -> None:
    """A delivery fails: the page is written, one line names the target, the next run sends it once."""
    scenario = stage.scenario
    clean = bench.clean(scenario)
    bench.thursday(folder, scenario, timeout=fault.timeout)
    with Arxiv.serving(scenario, FRIDAY) as arxiv:
        fault.inject(Scene(bench, arxiv, stage))
        ran = bench.run(folder, arxiv, FRIDAY)
    assert ran.status == 1 and len(ran.errors) == 1, ran.stderr
    assert stage.target.split(":", 1)[1] in ran.errors[0] and re.search(fault.said(stage), ran.errors[0]), ran.errors
    assert ran.errors[0].count("next run") == 1, "the line says once that the next run tries again"
    assert "s3cr3t" not in ran.stderr
    if stage in (WEBHOOK, GITHUB) and fault.requests is not None:
        assert bench.posts(stage) == fault.requests, "a POST is repeated only after 429 or 503"
    assert outputs(folder) == clean.outputs, "the run's page, notification, site and feeds are written"
    first = bench.sent()
    assert first == [sent for sent in clean.sent if sent[0] != stage.target], "the other targets are served"
    bench.mend()
    bench.config(folder, scenario)
    with Arxiv.serving(scenario, FRIDAY) as arxiv:
        again = bench.run(folder, arxiv, FRIDAY + timedelta(minutes=30))
    assert (again.status, again.errors) == (0, []), again.stderr
    assert bench.sent() == clean.sent, "the held papers are sent once, on the next run"


def unconfirmed(bench: Bench, folder: Path, fault: Fault, stage: Stage, outcome: Outcome) -> None:
    """The webhook or GitHub may have the message and no answer says so: one POST in this run, which fails for
    that target with one line; one more on the next run, which records it; none on the run after that."""
    scenario = stage.scenario
    clean = bench.clean(scenario)
    bench.thursday(folder, scenario, timeout=fault.timeout)
    with Arxiv.serving(scenario, FRIDAY) as arxiv:
        fault.inject(Scene(bench, arxiv, stage))
        ran = bench.run(folder, arxiv, FRIDAY)
    assert ran.status == 1 and len(ran.errors) == 1, ran.stderr
    assert stage.target.split(":", 1)[1] in ran.errors[0], ran.errors[0]
    assert re.search("it may have arrived|GitHub may have opened the issue", ran.errors[0]), ran.errors[0]
    assert re.search(fault.said(stage), ran.errors[0]), ran.errors[0]
    assert ran.errors[0].count("next run") == 1, "the line says once that the next run tries again"
    assert "s3cr3t" not in ran.stderr
    assert bench.posts(stage) == 1, "a POST that may have arrived is not sent again in the same run"
    assert outputs(folder) == clean.outputs
    bench.mend()
    bench.config(folder, scenario)
    for minutes, posts in ((30, 2), (60, 2)):
        with Arxiv.serving(scenario, FRIDAY) as arxiv:
            again = bench.run(folder, arxiv, FRIDAY + timedelta(minutes=minutes))
        assert (again.status, again.errors) == (0, []), again.stderr
        assert bench.posts(stage) == posts, "one repeat, on the next run, and then it is recorded as sent"
    sent = bench.sent()
    assert sorted(set(sent)) == sorted(set(clean.sent))
    others = [(target, ids) for target, ids in sent if target != stage.target]
    assert others == [(target, ids) for target, ids in clean.sent if target != stage.target], "no other repeats"


def quiet(bench: Bench, folder: Path, fault: Fault, stage: Stage, outcome: Outcome) -> None:
    """Saturday's feed is empty: no announcement, exit 0, the page keeps its papers, nothing is sent."""
    bench.thursday(folder, ANNOUNCEMENT)
    with Arxiv.serving(ANNOUNCEMENT, FRIDAY) as arxiv:
        assert bench.run(folder, arxiv, FRIDAY).status == 0
    page, rows = _listed((folder / "README.md").read_text(encoding="utf-8")), tables(folder)
    bench.heal()
    with Arxiv.serving(ANNOUNCEMENT, SATURDAY) as arxiv:
        ran = bench.run(folder, arxiv, SATURDAY)
    assert (ran.status, ran.errors, ran.summary["outcome"]) == (0, [], "no-announcement")
    assert (folder / "issue.md").read_text(encoding="utf-8") == "No arXiv announcement on Sat 16 May 2026.\n"
    assert _listed((folder / "README.md").read_text(encoding="utf-8")) == page
    after = tables(folder)
    for table in ("papers", "versions", "matches", "announcements", "announced", "deliveries"):
        assert after[table] == rows[table], table
    assert bench.sent() == []


def next_day(bench: Bench, folder: Path, fault: Fault, stage: Stage, outcome: Outcome) -> None:
    """A date ahead of the clock in Thursday's answers: that run succeeds and says which date it did not trust;
    Friday's run finds Friday's papers and each target gets them once, as after a Thursday without it."""
    scenario = stage.scenario
    clean = bench.clean(scenario)
    bench.config(folder, scenario)
    with Arxiv.serving(scenario, THURSDAY) as arxiv:
        fault.inject(Scene(bench, arxiv, stage))
        ran = bench.run(folder, arxiv, THURSDAY)
    assert (ran.status, ran.errors) == (0, []), ran.stderr
    assert re.search(fault.says, ran.stderr), ran.stderr
    bench.heal()
    with Arxiv.serving(scenario, FRIDAY) as arxiv:
        again = bench.run(folder, arxiv, FRIDAY)
    assert (again.status, again.errors) == (0, []), again.stderr
    assert bench.sent() == clean.sent, "Friday's papers arrive, once to each target"
    summary = again.summary
    assert (summary["outcome"], summary["new"]) == (clean.summary["outcome"], clean.summary["new"])
    assert set(_listed((folder / "issue.md").read_text(encoding="utf-8"))) == set(
        _listed(clean.outputs["issue.md"].decode("utf-8"))
    ), "the notification lists Friday's papers"


def _listed(page: str) -> list[str]:
    return re.findall(r"\]\(https://arxiv\.org/abs/([^)]+)\)", page)


CHECKS: dict[Outcome, Callable[[Bench, Path, Fault, Stage, Outcome], None]] = {
    RETRIED: retried,
    KEPT: retried,
    SKIPPED: retried,
    FAILED: failed,
    TRY_LATER: failed,
    HELD: held,
    UNCONFIRMED: unconfirmed,
    QUIET: quiet,
    NEXT_DAY: next_day,
}


def cell(fault: str, stage: str, outcome: Outcome) -> Any:
    return pytest.param(FAULTS[fault], STAGES[stage], outcome, id=f"{fault} @ {stage} -> {outcome}")


# -- the matrix of `dailypapers run` ------------------------------------------------------------------------------

RUN_MATRIX = [
    # 429 and 503 with Retry-After (1 s, cut to max_wait), a reset connection, no answer within the timeout
    cell("429 once", "daily query", RETRIED),
    cell("429 once", "new topic", RETRIED),
    cell("429 once", "id_list", RETRIED),
    cell("429 once", "feed", RETRIED),
    cell("429 once", "webhook", RETRIED),
    cell("429 stays", "webhook", HELD),
    cell("429 stays", "daily query", FAILED),
    cell("429 stays", "new topic", FAILED),
    cell("429 stays", "id_list", FAILED),
    cell("429 stays", "feed", FAILED),
    cell("503 once", "daily query", RETRIED),
    cell("503 once", "new topic", RETRIED),
    cell("503 once", "id_list", RETRIED),
    cell("503 once", "feed", RETRIED),
    cell("503 once", "webhook", RETRIED),
    cell("503 stays", "webhook", HELD),
    cell("503 stays", "daily query", FAILED),
    cell("503 stays", "new topic", FAILED),
    cell("503 stays", "id_list", FAILED),
    cell("503 stays", "feed", FAILED),
    cell("reset once", "daily query", RETRIED),
    cell("reset once", "new topic", RETRIED),
    cell("reset once", "id_list", RETRIED),
    cell("reset once", "feed", RETRIED),
    cell("reset once", "webhook", UNCONFIRMED),
    cell("reset stays", "daily query", FAILED),
    cell("reset stays", "new topic", FAILED),
    cell("reset stays", "id_list", FAILED),
    cell("reset stays", "feed", FAILED),
    cell("timeout once", "daily query", RETRIED),
    cell("timeout once", "new topic", RETRIED),
    cell("timeout once", "id_list", RETRIED),
    cell("timeout once", "feed", RETRIED),
    cell("timeout once", "webhook", UNCONFIRMED),
    cell("timeout stays", "daily query", FAILED),
    cell("timeout stays", "new topic", FAILED),
    cell("timeout stays", "id_list", FAILED),
    cell("timeout stays", "feed", FAILED),
    # damaged bodies with HTTP 200: asked for again, then a clean failure
    cell("truncated XML once", "daily query", RETRIED),
    cell("truncated XML once", "new topic", RETRIED),
    cell("truncated XML once", "id_list", RETRIED),
    cell("truncated XML once", "feed", RETRIED),
    cell("truncated XML stays", "daily query", FAILED),
    cell("truncated XML stays", "new topic", FAILED),
    cell("truncated XML stays", "id_list", FAILED),
    cell("truncated XML stays", "feed", FAILED),
    cell("HTML with 200 once", "daily query", RETRIED),
    cell("HTML with 200 once", "new topic", RETRIED),
    cell("HTML with 200 once", "id_list", RETRIED),
    cell("HTML with 200 once", "feed", RETRIED),
    cell("HTML with 200 stays", "daily query", FAILED),
    cell("HTML with 200 stays", "new topic", FAILED),
    cell("HTML with 200 stays", "id_list", FAILED),
    cell("HTML with 200 stays", "feed", FAILED),
    # arXiv's own error answer is definite: no retry, arXiv's message in the line
    cell("error feed", "daily query", FAILED),
    cell("error feed", "new topic", FAILED),
    cell("error feed", "id_list", FAILED),
    cell("error feed", "feed", FAILED),
    # paging
    cell("empty page once", "daily query", RETRIED),
    cell("empty page once", "new topic", RETRIED),
    cell("empty page stays", "daily query", FAILED),
    cell("empty page stays", "new topic", FAILED),
    cell("total grows", "daily query", KEPT),
    cell("total grows", "new topic", KEPT),
    cell("total shrinks", "daily query", KEPT),
    cell("total shrinks", "new topic", KEPT),
    cell("entry on two pages", "daily query", KEPT),
    cell("entry on two pages", "new topic", KEPT),
    # damaged entries
    cell("missing fields", "daily query", SKIPPED),
    cell("missing fields", "new topic", SKIPPED),
    cell("missing fields", "id_list", SKIPPED),
    cell("missing fields", "feed", SKIPPED),
    # the announcement calendar
    cell("empty weekend feed", "feed", QUIET),
    cell("stale feed", "feed", TRY_LATER),
    # delivery
    cell("SMTP 4xx", "email", HELD),
    cell("SMTP 5xx", "email", HELD),
    cell("500 stays", "webhook", HELD),
    # hostile servers: a request that never ends in time, an answer that never ends, bytes that are no HTTP
    *(
        cell(fault, stage, outcome)
        for fault, outcome in (
            ("trickled headers once", RETRIED),
            ("trickled headers stays", FAILED),
            ("trickled body stays", FAILED),
            ("endless body", FAILED),
            ("gzip bomb", FAILED),
            ("bad gzip once", RETRIED),
            ("bad gzip stays", FAILED),
            ("cut gzip stays", FAILED),
            ("header without a colon", FAILED),
            ("status line of words", FAILED),
            ("redirect elsewhere", FAILED),
            ("redirect loop", FAILED),
            ("404 stays", FAILED),
            ("408 once", RETRIED),
            ("Retry-After \\xb2", RETRIED),
            ("Retry-After -5", RETRIED),
            ("Retry-After 10^40", RETRIED),
            ("Retry-After in 9999", RETRIED),
            ("Retry-After soon-ish", RETRIED),
        )
        for stage in ("daily query", "new topic", "id_list", "feed")
    ),
    cell("trickled headers once", "webhook", UNCONFIRMED),
    cell("gzip bomb", "webhook", UNCONFIRMED),
    cell("status line of words", "webhook", UNCONFIRMED),
    cell("redirect elsewhere", "webhook", HELD),
    cell("404 stays", "webhook", HELD),
    cell("Retry-After \\xb2", "webhook", RETRIED),
    cell("Retry-After in 9999", "webhook", RETRIED),
    # the clock: an entry or a feed dated ahead where the run reads dates (the search's watermark, the
    # announcement's day, the entries the feed's ids are looked up with)
    cell("entry dated 2099", "daily query", NEXT_DAY),
    cell("entry dated 2099", "id_list", NEXT_DAY),
    cell("feed dated a year ahead", "feed", NEXT_DAY),
    # the GitHub issue: the webhook's transport faults, and GitHub's own answers
    cell("connection refused", "github", HELD),
    cell("429 once", "github", RETRIED),
    cell("429 stays", "github", HELD),
    cell("429 Retry-After 0 once", "github", RETRIED),
    cell("503 once", "github", RETRIED),
    cell("503 stays", "github", HELD),
    cell("Retry-After \\xb2", "github", RETRIED),
    cell("Retry-After in 9999", "github", RETRIED),
    cell("500 stays", "github", HELD),
    cell("502 after opening", "github", UNCONFIRMED),
    cell("reset once", "github", UNCONFIRMED),
    cell("timeout once", "github", UNCONFIRMED),
    cell("trickled headers once", "github", UNCONFIRMED),
    cell("trickled body stays", "github", UNCONFIRMED),
    cell("endless body", "github", UNCONFIRMED),
    cell("gzip bomb", "github", UNCONFIRMED),
    cell("status line of words", "github", UNCONFIRMED),
    cell("header without a colon", "github", UNCONFIRMED),
    cell("bad gzip once", "github", UNCONFIRMED),
    cell("redirect loop", "github", HELD),
    cell("redirect elsewhere", "github", HELD),
    cell("302 to the same host", "github", HELD),
    cell("404 stays", "github", HELD),
    cell("401", "github", HELD),
    cell("401 echoing the token", "github", HELD),
    cell("401 quoting the token in base64", "github", HELD),
    cell("403", "github", HELD),
    cell("403 rate limit", "github", HELD),
    cell("403 rate limit, reset now", "github", RETRIED),
    cell("404", "github", HELD),
    cell("422", "github", HELD),
]


@pytest.mark.parametrize(("fault", "stage", "outcome"), RUN_MATRIX)
def test_daily_run(bench: Bench, folder: Path, fault: Fault, stage: Stage, outcome: Outcome) -> None:
    CHECKS[outcome](bench, folder, fault, stage, outcome)


# -- the matrix of `dailypapers backfill` -------------------------------------------------------------------------


def harvested(bench: Bench, folder: Path, fault: Fault, outcome: Outcome) -> None:
    """``dailypapers backfill`` ends with the archive of a clean harvest: at once, or (``RESUMED``) after a
    clean failure that kept its whole pages and its checkpoint and the same command run again."""
    clean = bench.clean(HARVEST)
    bench.config(folder, HARVEST, timeout=fault.timeout)
    with Arxiv.serving(HARVEST, HARVEST_NOW) as arxiv:
        fault.inject(Scene(bench, arxiv, OAI))
        ran = bench.run(folder, arxiv, HARVEST_NOW, *HARVEST_COMMAND)
        url = OAI.url(arxiv.server)
        assert arxiv.server.errors == []
        if outcome is RETRIED:
            assert (arxiv.server.pending_faults, arxiv.oai.expired) == (0, False), "the fault was met"
    if outcome is RESUMED:
        assert ran.status == 1 and len(ran.errors) == 1, ran.stderr
        assert ran.errors[0].startswith(f"dailypapers: error: {url}"), ran.errors[0]
        assert re.search(fault.says, ran.errors[0]), ran.errors[0]
        partial = tables(folder)
        stored = len(partial["papers"])
        assert 0 < stored < len(HARVESTED) and stored % PAGE == 0, "whole pages are kept"
        assert [key for key, _ in partial["state"]] == ["backfill_checkpoint"]
        bench.config(folder, HARVEST)
        with Arxiv.serving(HARVEST, HARVEST_NOW) as arxiv:
            ran = bench.run(folder, arxiv, HARVEST_NOW, *HARVEST_COMMAND)
        assert "(resumed)" in ran.stdout
    assert (ran.status, ran.errors) == (0, []), ran.stderr
    assert tables(folder, ARCHIVE) == clean.archive
    if outcome.skipped:
        assert "skipped" in ran.stderr and "damaged" in ran.stderr


BACKFILL_MATRIX = [
    cell("429 once", "OAI-PMH back-fill", RETRIED),
    cell("429 stays", "OAI-PMH back-fill", RESUMED),
    cell("503 once", "OAI-PMH back-fill", RETRIED),
    cell("503 stays", "OAI-PMH back-fill", RESUMED),
    cell("reset once", "OAI-PMH back-fill", RETRIED),
    cell("reset stays", "OAI-PMH back-fill", RESUMED),
    cell("timeout once", "OAI-PMH back-fill", RETRIED),
    cell("timeout stays", "OAI-PMH back-fill", RESUMED),
    cell("truncated XML once", "OAI-PMH back-fill", RETRIED),
    cell("truncated XML stays", "OAI-PMH back-fill", RESUMED),
    cell("HTML with 200 once", "OAI-PMH back-fill", RETRIED),
    cell("HTML with 200 stays", "OAI-PMH back-fill", RESUMED),
    cell("missing fields", "OAI-PMH back-fill", SKIPPED),
    cell("badResumptionToken once", "OAI-PMH back-fill", RETRIED),
    cell("badResumptionToken stays", "OAI-PMH back-fill", RESUMED),
    cell("token comes back", "OAI-PMH back-fill", RESUMED),
    cell("pages of nothing", "OAI-PMH back-fill", RESUMED),
    cell("trickled headers once", "OAI-PMH back-fill", RETRIED),
    cell("trickled body stays", "OAI-PMH back-fill", RESUMED),
    cell("endless body", "OAI-PMH back-fill", RESUMED),
    cell("gzip bomb", "OAI-PMH back-fill", RESUMED),
    cell("bad gzip once", "OAI-PMH back-fill", RETRIED),
    cell("bad gzip stays", "OAI-PMH back-fill", RESUMED),
    cell("header without a colon", "OAI-PMH back-fill", RESUMED),
    cell("redirect elsewhere", "OAI-PMH back-fill", RESUMED),
    cell("redirect loop", "OAI-PMH back-fill", RESUMED),
    cell("404 stays", "OAI-PMH back-fill", RESUMED),
    cell("Retry-After \\xb2", "OAI-PMH back-fill", RETRIED),
    cell("Retry-After 10^40", "OAI-PMH back-fill", RETRIED),
]


@pytest.mark.parametrize(("fault", "stage", "outcome"), BACKFILL_MATRIX)
def test_backfill(bench: Bench, folder: Path, fault: Fault, stage: Stage, outcome: Outcome) -> None:
    harvested(bench, folder, fault, outcome)
