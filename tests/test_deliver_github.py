"""The GitHub issue as a delivery target: daily runs against the local arXiv server and a loopback server
speaking GitHub's REST API (``github_server.py``), with a real SQLite file. Each paper reaches the issues
once; a run that could not open the issue leaves its papers owed to the next run; GitHub's refusals are one
line each; nobody is mentioned; the token is never shown."""

from __future__ import annotations

import html
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from arxiv_server import load_seed_papers
from daily_world import NOW, Arxiv, next_day_papers, write_config
from dailypapers.cli import cli
from dailypapers.config import GitHubSettings, load_config
from dailypapers.errors import ConfigError
from dailypapers.model import Author, Listed, Message, Paper, Section
from dailypapers.pipeline.context import Environment
from dailypapers.pipeline.daily import RunSummary, run_daily
from dailypapers.render.github import BODY_LIMIT, github_issue
from github_server import FAULTS, REPO, TOKEN, Fault, GitHubIssues, github_server, rate_limited
from loopback import free_port

TARGET = f"github:{REPO}"
LINK = "https://ada.github.io/papers/"
COLUMNS = ("Title", "Date", "Abstract", "Comment", "Authors")


@pytest.fixture
def arxiv() -> Iterator[Arxiv]:
    with Arxiv(load_seed_papers()) as server:
        yield server


@pytest.fixture
def github() -> Iterator[GitHubIssues]:
    with github_server() as server:
        yield server


def configure(folder: Path, arxiv: Arxiv, github: str = "") -> Path:
    columns = ["Title", "Date", "Comment", "Authors"]  # short rows: the whole first day fits in one body
    table = f'link = "{LINK}"\ncolumns = {columns!r}\n[github]\nrepo = "{REPO}"\ntimeout = 1\n{github}'
    return write_config(folder, arxiv, categories=(), extra=table.replace("'", '"'))


def run(path: Path, github: GitHubIssues, *, later: timedelta = timedelta(0), **environ: str) -> RunSummary:
    env = {"DAILYPAPERS_GITHUB_API_URL": github.url, "GITHUB_TOKEN": TOKEN, **environ}
    log: list[str] = []
    context = Environment(config=load_config(path, environ=env), now=lambda: NOW + later, log=log.append, environ=env)
    summary = run_daily(context)
    assert TOKEN not in "\n".join(log)
    return summary


def result(summary: RunSummary) -> tuple[str, str]:
    (delivered,) = [d for d in summary.deliveries if d.target == TARGET]
    return delivered.status, delivered.detail or ""


def delivered(folder: Path) -> set[tuple[str, int]]:
    with sqlite3.connect(folder / "dailypapers.db") as db:
        rows = db.execute("SELECT paper_id, version FROM deliveries WHERE target = ?", (TARGET,)).fetchall()
    return {(str(paper), int(version)) for paper, version in rows}


def listed(body: str) -> set[str]:
    """The versioned ids an issue body lists."""
    return set(re.findall(r"\]\(https://arxiv\.org/abs/([^)]+)\)", body))


# --- once per paper -----------------------------------------------------------------------------------------


def test_each_paper_reaches_the_issues_once_across_runs(tmp_path: Path, arxiv: Arxiv, github: GitHubIssues) -> None:
    path = configure(tmp_path, arxiv)
    first = run(path, github)
    assert first.outcome == "new" and result(first) == ("sent", "")
    (issue,) = github.issues
    assert issue["labels"] == ["documentation"]
    assert issue["title"] == f"{first.new_papers} New Papers - May 16, 2026"
    assert issue["body"].startswith(f"**Please check the [page]({LINK})")
    assert {paper for paper, _ in delivered(tmp_path)} == {v.split("v")[0] for v in listed(issue["body"])}

    again = run(path, github, later=timedelta(minutes=30))
    assert result(again)[0] == "nothing" and len(github.issues) == 1 and len(github.requests) == 1

    arxiv.add(next_day_papers())
    third = run(path, github, later=timedelta(days=1))
    assert third.outcome == "new" and result(third)[0] == "sent"
    assert listed(github.issues[1]["body"]) == {"2605.20001v1", "2511.16964v3"}
    assert "*(new version v3)*" in github.issues[1]["body"]
    with sqlite3.connect(tmp_path / "dailypapers.db") as db:
        counts = db.execute("SELECT COUNT(*) FROM deliveries WHERE target = ? GROUP BY paper_id, version", (TARGET,))
        assert {count for (count,) in counts} == {1}


@pytest.mark.parametrize("fault", ["500", "403", "404", "410", "401"])
def test_a_failed_issue_is_opened_on_the_next_run_with_what_came_since(
    tmp_path: Path, arxiv: Arxiv, github: GitHubIssues, fault: str
) -> None:
    path = configure(tmp_path, arxiv)
    github.faults.append(FAULTS[fault])
    first = run(path, github)
    assert first.outcome == "new" and result(first)[0] == "failed"
    assert github.issues == [] and len(github.requests) == 1, "never asked twice in a run"
    assert delivered(tmp_path) == set()

    arxiv.add(next_day_papers())
    second = run(path, github, later=timedelta(days=1))
    assert result(second)[0] == "sent"
    (issue,) = github.issues
    assert {"2605.20001v1", "2511.16964v3"} <= listed(issue["body"])
    papers = {versioned.split("v")[0] for versioned in listed(issue["body"])}
    assert len(papers) == first.new_papers + 1  # one new paper, and a new version of a paper of the first run
    assert {paper for paper, _ in delivered(tmp_path)} == papers


def test_an_issue_github_opened_before_failing_is_opened_at_most_once_more(
    tmp_path: Path, arxiv: Arxiv, github: GitHubIssues
) -> None:
    """A 502 after GitHub did the work: the run cannot know, so the next run opens it again, once."""
    path = configure(tmp_path, arxiv)
    github.faults.append(FAULTS["502-opened"])
    status, detail = result(run(path, github))
    assert status == "failed" and "HTTP 502" in detail and "not asked again in this run" in detail
    assert len(github.issues) == 1 and len(github.requests) == 1
    assert result(run(path, github, later=timedelta(minutes=30)))[0] == "sent"
    assert result(run(path, github, later=timedelta(hours=1)))[0] == "nothing"
    assert len(github.issues) == 2 and github.issues[0]["body"] == github.issues[1]["body"]


def test_an_answer_that_never_comes_is_not_asked_again_in_the_run(
    tmp_path: Path, arxiv: Arxiv, github: GitHubIssues
) -> None:
    path = configure(tmp_path, arxiv, "max_attempts = 4\n")
    github.faults.append(Fault(201, opened=True, hang=2.0))
    started = datetime.now(UTC)
    status, detail = result(run(path, github))
    assert status == "failed" and "no complete answer within 1 s" in detail
    assert "not sent again in this run" in detail and "next run" not in detail
    assert len(github.requests) == 1 and datetime.now(UTC) - started < timedelta(seconds=20)


def test_an_answer_too_big_to_read_is_not_asked_again_in_the_run(
    tmp_path: Path, arxiv: Arxiv, github: GitHubIssues
) -> None:
    path = configure(tmp_path, arxiv, "max_attempts = 4\n")
    github.faults.append(FAULTS["huge"])
    status, detail = result(run(path, github))
    assert status == "failed" and "not sent again in this run" in detail and "next run" not in detail
    assert len(github.requests) == 1 and len(github.issues) == 1 and len(detail) < 500


# --- GitHub's refusals, one line each -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "says"),
    [
        ("401", "HTTP 401 (Bad credentials): GitHub refused the token; check the environment variable GITHUB_TOKEN"),
        ("403", "HTTP 403 (Resource not accessible by integration): the token may not open issues in ada/papers"),
        ("404", "HTTP 404 (Not Found): no repository ada/papers, or the token in GITHUB_TOKEN cannot see it"),
        ("410", "HTTP 410 (Issues are disabled for this repo): issues are turned off in ada/papers"),
        ("422", "HTTP 422 (Validation Failed): GitHub refused the issue; check [github] labels: Issue title"),
        ("500", "HTTP 500 (Server Error); GitHub may have opened the issue"),
        ("307", "HTTP 307 (Moved): the API answered with a redirect to https://api.github.com/repositories/1/"),
    ],
)
def test_each_refusal_is_one_line_and_asked_once(
    tmp_path: Path, arxiv: Arxiv, github: GitHubIssues, fault: str, says: str
) -> None:
    path = configure(tmp_path, arxiv, "max_attempts = 3\n")
    github.faults.append(FAULTS[fault])
    status, detail = result(run(path, github))
    assert status == "failed" and says in detail and "\n" not in detail
    assert detail.startswith(f"github to {TARGET}: ")
    assert len(github.requests) == 1


def test_an_unknown_label_is_named(tmp_path: Path, arxiv: Arxiv, github: GitHubIssues) -> None:
    path = configure(tmp_path, arxiv, 'labels = ["documentation", "daily papers"]\n')
    status, detail = result(run(path, github))
    assert status == "failed" and "check [github] labels: Label name invalid 'daily papers'" in detail
    assert len(github.requests) == 1


def test_a_wrong_token_is_refused_and_never_shown(tmp_path: Path, arxiv: Arxiv, github: GitHubIssues) -> None:
    path = configure(tmp_path, arxiv)
    wrong = "ghp_" + "w" * 36
    status, detail = result(run(path, github, GITHUB_TOKEN=wrong))
    assert status == "failed" and "HTTP 401" in detail and "GITHUB_TOKEN" in detail and wrong not in detail


def test_a_missing_token_stops_the_run_before_any_request(tmp_path: Path, arxiv: Arxiv, github: GitHubIssues) -> None:
    path = configure(tmp_path, arxiv, 'token_env = "PAPERS_TOKEN"\n')
    asked = len(arxiv.requests)
    with pytest.raises(ConfigError, match="PAPERS_TOKEN: not set or empty; it holds the GitHub token"):
        run(path, github)
    assert github.requests == [] and len(arxiv.requests) == asked
    assert result(run(path, github, later=timedelta(minutes=30), PAPERS_TOKEN=TOKEN))[0] == "sent"


@pytest.mark.parametrize(
    ("fault", "requests", "opened"),
    [
        (rate_limited(403, reset_in=3600), 1, 0),  # x-ratelimit-reset an hour away: reported, not waited
        (rate_limited(429, reset_in=3600), 1, 0),
        (rate_limited(403, retry_after="3600"), 1, 0),
        (rate_limited(403, retry_after="0"), 2, 1),  # a secondary limit that lifts at once: asked again
        (rate_limited(429, reset_in=0), 2, 1),
    ],
)
def test_a_rate_limit_says_when_to_try_again(
    tmp_path: Path, arxiv: Arxiv, github: GitHubIssues, fault: Fault, requests: int, opened: int
) -> None:
    path = configure(tmp_path, arxiv)
    github.faults.append(fault)
    status, detail = result(run(path, github))
    assert len(github.requests) == requests and len(github.issues) == opened
    if opened:
        assert status == "sent"
        return
    assert status == "failed" and "GitHub's rate limit is reached; try again after " in detail
    when = datetime.strptime(detail.split("try again after ")[1][:23], "%Y-%m-%d %H:%M:%S UTC")
    assert abs(when.replace(tzinfo=UTC) - datetime.now(UTC) - timedelta(hours=1)) < timedelta(minutes=1)


def test_a_rate_limit_is_never_waited_past_the_runs_attempts(
    tmp_path: Path, arxiv: Arxiv, github: GitHubIssues
) -> None:
    path = configure(tmp_path, arxiv, "max_attempts = 2\n")
    github.faults += [rate_limited(403, retry_after="0")] * 3
    status, detail = result(run(path, github))
    assert status == "failed" and "rate limit" in detail and "after 2 attempts" in detail
    assert len(github.requests) == 2


def test_a_server_that_is_not_there_is_tried_again_in_the_run(tmp_path: Path, arxiv: Arxiv) -> None:
    """No connection was made, so asking again cannot open a second issue."""
    path = configure(tmp_path, arxiv, "max_attempts = 2\n")
    absent = GitHubIssues(url=f"http://127.0.0.1:{free_port()}")
    status, detail = result(run(path, absent))
    assert status == "failed" and f"could not reach {absent.url}/repos/ada/papers/issues" in detail
    assert "after 2 attempts" in detail


def test_a_503_means_github_did_not_take_it_so_it_is_asked_again(
    tmp_path: Path, arxiv: Arxiv, github: GitHubIssues
) -> None:
    path = configure(tmp_path, arxiv, "max_attempts = 2\n")
    github.faults += [FAULTS["503"]] * 2
    status, detail = result(run(path, github))
    assert status == "failed" and "HTTP 503 (Service Unavailable): GitHub is unavailable" in detail
    assert "after 2 attempts" in detail and len(github.requests) == 2
    github.faults.append(FAULTS["503"])
    assert result(run(path, github, later=timedelta(minutes=30)))[0] == "sent"
    assert len(github.requests) == 4 and len(github.issues) == 1


@pytest.mark.parametrize("token", ["ghp_abc\nX-Injected: 1", "ghp_abc def", "ghp_\u00e9t\u00e9"])
def test_a_token_no_header_can_carry_is_refused_before_any_request(
    tmp_path: Path, arxiv: Arxiv, github: GitHubIssues, token: str
) -> None:
    status, detail = result(run(configure(tmp_path, arxiv), github, GITHUB_TOKEN=token))
    assert status == "failed" and "the token in GITHUB_TOKEN has characters no GitHub token has" in detail
    assert github.requests == [] and token not in detail


def test_the_headers_github_asks_for_are_sent(tmp_path: Path, arxiv: Arxiv, github: GitHubIssues) -> None:
    run(configure(tmp_path, arxiv), github)
    (request,) = github.requests
    headers = request["headers"]
    assert request["path"] == "/repos/ada/papers/issues"
    assert headers["accept"] == "application/vnd.github+json"
    assert headers["x-github-api-version"] == "2022-11-28"
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert headers["user-agent"].startswith("dailypapers/") and "researcher@example.org" in headers["user-agent"]


def test_dry_run_writes_the_issue_to_the_outbox(tmp_path: Path, arxiv: Arxiv, github: GitHubIssues) -> None:
    path = configure(tmp_path, arxiv)
    dry = run_daily(
        Environment(
            config=load_config(path, environ={"DAILYPAPERS_GITHUB_API_URL": github.url}),
            now=lambda: NOW,
            environ={"GITHUB_TOKEN": TOKEN},
            dry_run=True,
        )
    )
    assert result(dry)[0] == "outbox" and github.requests == []
    (saved,) = (tmp_path / "outbox").glob("run-*github*")
    assert saved.name == "run-1-github-ada-papers.md"
    assert saved.read_text(encoding="utf-8").startswith(f"# {dry.new_papers} New Papers - May 16, 2026\n\n")


# --- the token, never shown ---------------------------------------------------------------------------------


def test_the_token_echoed_by_the_server_never_reaches_any_output(
    tmp_path: Path, arxiv: Arxiv, github: GitHubIssues, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = configure(tmp_path, arxiv)
    github.faults.append(FAULTS["401-echo"])
    for name, value in {
        "GITHUB_TOKEN": TOKEN,
        "DAILYPAPERS_GITHUB_API_URL": github.url,
        "DAILYPAPERS_NOW": NOW.isoformat(),
    }.items():
        monkeypatch.setenv(name, value)
    done = CliRunner().invoke(cli, ["run", "--config", str(path), "--json"])
    assert done.exit_code == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("dailypapers: error:")]
    assert len(errors) == 1 and TARGET in errors[0] and "HTTP 401" in errors[0] and "Bearer ***" in errors[0]
    summary = json.loads(done.stdout.splitlines()[0])
    assert {d["target"]: d["status"] for d in summary["deliveries"]} == {TARGET: "failed"}
    assert TOKEN not in done.output
    for file in tmp_path.rglob("*"):
        if file.is_file():
            assert TOKEN.encode() not in file.read_bytes(), file


# --- nobody mentioned ---------------------------------------------------------------------------------------

HOSTILE = Paper(
    id="2605.99999",
    version=1,
    title="Beating @octocat and @github/security at #1 with compilers",
    abstract="As @bob showed in #42 (see also &#64;eve, &commat;mallory, \\@carol and ada@example.org), compilers.",
    authors=(Author("@dave"), Author("Erin @erin-lab"), Author("F. #7")),
    categories=("cs.DC",),
    primary_category="cs.DC",
    published=datetime(2026, 5, 15, tzinfo=UTC),
    updated=datetime(2026, 5, 15, tzinfo=UTC),
    comment="Thanks to @frank for #3 &#35;4 and @grace",
)


def shown(body: str) -> str:
    """The text a reader sees: the Markdown's character references decoded (GitHub's mention and issue filters
    work on that text)."""
    return html.unescape(body)


def mentions(text: str) -> list[str]:
    """What GitHub would turn into a mention or an issue link: ``@name``, ``@org/team``, ``#123``."""
    return re.findall(r"@[A-Za-z0-9][\w/-]*|#[0-9]+", text)


def message(*papers: Paper, topic: str = "compilers", limit: int = 50) -> Message:
    return Message(
        "Daily Papers", date(2026, 5, 16), (Section(topic, tuple(Listed(p) for p in papers)),), limit, link=LINK
    )


def test_mentions_and_issue_numbers_are_inert_in_titles_authors_abstracts_and_comments() -> None:
    issue = github_issue(message(HOSTILE, topic="@team #9"), COLUMNS)
    text = shown(issue.body)
    assert mentions(text) == [], mentions(text)
    assert mentions(shown(issue.title)) == []
    # It reads as written: a zero-width space is the only change a reader could find.
    visible = text.replace("\u200b", "")
    for phrase in ("Beating @octocat and @github/security at #1", "As @bob showed in #42", "@dave", "Erin @erin-lab"):
        assert phrase in visible, phrase
    assert "## @\u200bteam #\u200b9" in text
    assert "ada@\u200bexample.org" in text


@pytest.mark.parametrize(
    "hostile",
    ["@x", "&#64;x", "&#x40;x", "&commat;x", "&#35;5", "\\@x", "@@x", "&amp;#64;x", "＠x", "@\u200dx", "#\\5"],
)
def test_no_way_of_writing_a_mention_gets_through(hostile: str) -> None:
    paper = replace(HOSTILE, title=f"On {hostile} too", abstract=hostile, comment=hostile, authors=(Author(hostile),))
    text = shown(github_issue(message(paper), COLUMNS).body)
    assert mentions(text) == [], (hostile, mentions(text))


def test_the_mentions_reach_the_server_inert(tmp_path: Path, arxiv: Arxiv, github: GitHubIssues) -> None:
    arxiv.add([replace(HOSTILE, published=NOW - timedelta(hours=3), updated=NOW - timedelta(hours=3))])
    extra = f'[github]\nrepo = "{REPO}"\n'
    run(write_config(tmp_path, arxiv, topics=("compilers",), categories=(), extra=extra), github)
    (issue,) = github.issues
    assert "2605.99999v1" in listed(issue["body"])
    assert mentions(shown(issue["body"])) == []


# --- a body GitHub accepts ----------------------------------------------------------------------------------


def many(count: int, abstract_chars: int = 1900) -> list[Paper]:
    return [
        replace(HOSTILE, id=f"2605.{10000 + n}", title=f"Paper {n}", abstract="word " * (abstract_chars // 5))
        for n in range(count)
    ]


def test_a_body_too_long_for_github_shows_fewer_papers_and_links_the_page() -> None:
    papers = many(60)
    sections = tuple(Section(f"topic {n}", tuple(Listed(p) for p in papers)) for n in range(3))
    issue = github_issue(Message("Daily Papers", date(2026, 5, 16), sections, 50, link=LINK), COLUMNS)
    assert len(issue.body.encode("utf-16-le")) // 2 <= BODY_LIMIT
    shown_per_topic = issue.body.count("| **[Paper ") // 3
    assert 1 <= shown_per_topic < 50
    assert issue.body.count(f"…and {60 - shown_per_topic} more on [the page]({LINK}).") == 3
    assert issue.title == "60 New Papers - May 16, 2026"


def test_too_many_topics_for_one_body_are_counted_not_dropped() -> None:
    papers = many(2, abstract_chars=4000)
    sections = tuple(Section(f"topic {n}", tuple(Listed(p) for p in papers)) for n in range(40))
    issue = github_issue(Message("Daily Papers", date(2026, 5, 16), sections, 50, link=LINK), COLUMNS)
    assert len(issue.body.encode("utf-16-le")) // 2 <= BODY_LIMIT
    kept = issue.body.count("\n## topic ")
    left = 40 - kept
    assert 0 < kept < 40
    assert f"…and {2 * left} more on {left} other topics, on [the page]({LINK})." in issue.body


def test_one_paper_too_long_for_any_body_is_counted_with_a_link() -> None:
    (huge,) = many(1, abstract_chars=80_000)
    issue = github_issue(message(huge), COLUMNS)
    assert len(issue.body.encode("utf-16-le")) // 2 <= BODY_LIMIT
    assert f"…and 1 more on 1 other topic, on [the page]({LINK})." in issue.body
    assert "## compilers" not in issue.body


@pytest.mark.parametrize("char", ["😀", "𝒪", "é", "中"])
def test_the_limit_is_counted_as_github_counts_it(char: str) -> None:
    papers = [replace(p, abstract=char * 1900) for p in many(60)]
    issue = github_issue(message(*papers), COLUMNS, limit=20_000)
    assert len(issue.body.encode("utf-16-le")) // 2 <= 20_000
    assert "more on [the page]" in issue.body


def test_a_short_message_is_the_notification_body() -> None:
    issue = github_issue(message(*many(2, 100)), ("Title", "Date"))
    assert issue.body.startswith(f"**Please check the [page]({LINK}) for a better reading experience")
    assert "## compilers\n| **Title** | **Date** |\n| --- | --- |\n" in issue.body
    assert "more on" not in issue.body


# --- the config ---------------------------------------------------------------------------------------------


def github_config(tmp_path: Path, table: str, environ: dict[str, str] | None = None) -> GitHubSettings:
    path = tmp_path / "dailypapers.toml"
    path.write_text(f'[[topics]]\nname = "compilers"\n[github]\n{table}\n', encoding="utf-8")
    settings = load_config(path, environ=environ or {}).github
    assert settings is not None
    return settings


def test_the_defaults(tmp_path: Path) -> None:
    settings = github_config(tmp_path, 'repo = "ada/papers"')
    assert repr(settings) == (
        "GitHubSettings(repo='ada/papers', token_env='GITHUB_TOKEN', labels=('documentation',), "
        "api_url='https://api.github.com', max_per_message=50, max_attempts=3, timeout=30.0, max_wait=60.0)"
    )


def test_the_environment_wins_over_api_url(tmp_path: Path) -> None:
    table = 'repo = "ada/papers"\napi_url = "https://github.example.org/api/v3/"'
    assert github_config(tmp_path, table).api_url == "https://github.example.org/api/v3"
    env = {"DAILYPAPERS_GITHUB_API_URL": "http://127.0.0.1:9/"}
    assert github_config(tmp_path, table, env).api_url == "http://127.0.0.1:9"


@pytest.mark.parametrize(
    ("table", "key", "says"),
    [
        ('repo = "papers"', "github.repo", "expected a repository as 'owner/name'"),
        ('repo = "ada/papers/extra"', "github.repo", "'ada/papers/extra'"),
        ('repo = "-ada/papers"', "github.repo", "owner/name"),
        ('repo = "ada/.."', "github.repo", "owner/name"),
        ('repo = "ada/pa pers"', "github.repo", "owner/name"),
        ('repo = "ada/papers\\n"', "github.repo", "owner/name"),
        ("repo = 7", "github.repo", "expected a string"),
        ('repo = "ada/papers"\ntoken_env = "GITHUB TOKEN"', "github.token_env", "environment variable"),
        ('repo = "ada/papers"\nlabels = "documentation"', "github.labels", "list of strings"),
        ('repo = "ada/papers"\nlabels = ["a,b"]', "github.labels", "without commas"),
        ('repo = "ada/papers"\nlabels = [""]', "github.labels", "1 to 50"),
        ('repo = "ada/papers"\napi_url = "ftp://api.github.com"', "github.api_url", "http(s) URL"),
        ('repo = "ada/papers"\napi_url = "api.github.com"', "github.api_url", "http(s) URL"),
        ('repo = "ada/papers"\ntimeout = 0', "github.timeout", "a number above 0 and at most 600"),
        ('repo = "ada/papers"\ntimeout = nan', "github.timeout", "a number above 0"),
        ('repo = "ada/papers"\ntimeout = inf', "github.timeout", "a number above 0"),
        ('repo = "ada/papers"\nmax_attempts = 0', "github.max_attempts", "from 1 to 10"),
        ('repo = "ada/papers"\nmax_per_message = 100000', "github.max_per_message", "from 1 to 1000"),
        ('repo = "ada/papers"\ntoken = "ghp_x"', "github.token", "unknown key"),
    ],
)
def test_a_wrong_github_table_names_the_key(tmp_path: Path, table: str, key: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        github_config(tmp_path, table)
    assert caught.value.key == key and says in str(caught.value), str(caught.value)


def test_a_wrong_api_url_in_the_environment_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        github_config(tmp_path, 'repo = "ada/papers"', {"DAILYPAPERS_GITHUB_API_URL": "file:///etc/passwd"})
    assert caught.value.key == "DAILYPAPERS_GITHUB_API_URL"


def test_the_workflows_repository_turns_the_target_on_without_a_table(tmp_path: Path) -> None:
    path = tmp_path / "dailypapers.toml"
    path.write_text('[[topics]]\nname = "compilers"\n', encoding="utf-8")
    assert load_config(path, environ={}).github is None, "a run on a laptop opens no issue"
    settings = load_config(path, environ={"DAILYPAPERS_GITHUB_REPO": "ada/papers"}).github
    assert settings is not None and settings.name == "github:ada/papers" and settings.labels == ("documentation",)


def test_a_repository_in_the_config_wins_over_the_workflows(tmp_path: Path) -> None:
    table = 'repo = "ada/announcements"\nlabels = ["papers"]'
    settings = github_config(tmp_path, table, {"DAILYPAPERS_GITHUB_REPO": "ada/papers"})
    assert settings.repo == "ada/announcements" and settings.labels == ("papers",)
    assert github_config(tmp_path, 'labels = ["papers"]', {"DAILYPAPERS_GITHUB_REPO": "ada/papers"}).repo == (
        "ada/papers"
    )


@pytest.mark.parametrize("repo", ["ada", "ada/papers/x", "ada/papers; id", "${{ github.repository }}"])
def test_a_wrong_repository_in_the_environment_names_the_variable(tmp_path: Path, repo: str) -> None:
    with pytest.raises(ConfigError) as caught:
        github_config(tmp_path, 'labels = ["papers"]', {"DAILYPAPERS_GITHUB_REPO": repo})
    assert caught.value.key == "DAILYPAPERS_GITHUB_REPO" and "owner/name" in str(caught.value)


def test_the_config_init_writes_opens_issues_only_in_the_workflow(tmp_path: Path) -> None:
    assert CliRunner().invoke(cli, ["init", str(tmp_path)]).exit_code == 0
    path = tmp_path / "dailypapers.toml"
    assert load_config(path, environ={}).github is None
    assert "# [github]" in path.read_text(encoding="utf-8")
    settings = load_config(path, environ={"DAILYPAPERS_GITHUB_REPO": "ada/papers"}).github
    assert settings is not None and settings.repo == "ada/papers" and settings.token_env == "GITHUB_TOKEN"


def test_a_table_without_a_repository_says_how_to_name_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        github_config(tmp_path, 'labels = ["papers"]')
    assert caught.value.key == "github.repo" and "DAILYPAPERS_GITHUB_REPO" in str(caught.value)
