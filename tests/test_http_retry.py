"""One retry policy for every POST, in the HTTP door: webhooks and the GitHub issue follow the same rule.

A POST is sent again only when it surely did not reach the server (no connection was made), or when the
server said it did nothing (429, 503, GitHub's rate limit) and asked for a wait within the target's
``max_wait``. A longer wait ends the attempts with one line that says so; a request that may have arrived
(the connection dropped once the body was sent) is never sent twice in a run. Checked against the loopback
GitHub API (``github_server.py``) and scripted webhook endpoints (``hostile.py``), counting what they received;
the waits are real, a second or so each.
"""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

import hostile
from dailypapers.config import GitHubSettings, load_config
from dailypapers.deliver.github import open_issue
from dailypapers.deliver.webhook import post_webhook
from dailypapers.errors import DeliveryError
from dailypapers.http import user_agent
from dailypapers.model import Issue
from github_server import REPO, TOKEN, Fault, GitHubIssues, github_server, rate_limited
from hostile import scripted

AGENT = user_agent("ada@example.org")
ISSUE = Issue("2 New Papers - January 15, 2026", "| Title |\n|---|\n| A paper |")
HOOK = "slack:DAILYPAPERS_SLACK_WEBHOOK"


@pytest.fixture
def github() -> Iterator[GitHubIssues]:
    with github_server() as server:
        yield server


def settings(github: GitHubIssues, **options: object) -> GitHubSettings:
    chosen: dict[str, object] = {"api_url": github.url, "timeout": 2.0, "max_attempts": 3, "max_wait": 5.0}
    chosen.update(options)
    return GitHubSettings(repo=REPO, **chosen)  # type: ignore[arg-type]


def open_timed(github: GitHubIssues, **options: object) -> tuple[float, DeliveryError | None]:
    """Open the issue with real waits: (seconds it took, the error if it failed)."""
    started = time.monotonic()
    try:
        open_issue(settings(github, **options), TOKEN, ISSUE, user_agent=AGENT)
    except DeliveryError as err:
        return time.monotonic() - started, err
    return time.monotonic() - started, None


def post_timed(url: str, **options: object) -> tuple[float, DeliveryError | None]:
    chosen: dict[str, object] = {"max_attempts": 3, "timeout": 2.0, "max_wait": 5.0}
    chosen.update(options)
    started = time.monotonic()
    try:
        post_webhook(url, {"text": "hi"}, name=HOOK, user_agent=AGENT, **chosen)  # type: ignore[arg-type]
    except DeliveryError as err:
        return time.monotonic() - started, err
    return time.monotonic() - started, None


def one_line(err: DeliveryError | None) -> str:
    assert err is not None, "expected the delivery to fail"
    text = str(err)
    assert "\n" not in text and "Traceback" not in text
    return text


def unavailable(retry_after: str) -> Fault:
    return Fault(503, "Service Unavailable", {"Retry-After": retry_after})


# --- GitHub: a wait GitHub asks for is honoured, within [github] max_wait -----------------------------------


def test_a_github_503_with_retry_after_is_asked_again_after_that_wait(github: GitHubIssues) -> None:
    github.faults.append(unavailable("1"))
    took, err = open_timed(github)
    assert err is None and len(github.requests) == 2 and len(github.issues) == 1
    assert 0.9 <= took < 3.0  # the second asked for, not the fixed 2 s of old nor the backoff


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(rate_limited(403, retry_after="1"), id="403 secondary limit"),
        pytest.param(rate_limited(429, retry_after="1"), id="429"),
        pytest.param(rate_limited(403, reset_in=1), id="x-ratelimit-reset"),
    ],
)
def test_a_short_rate_limit_is_waited_out_and_the_issue_opened_once(github: GitHubIssues, fault: Fault) -> None:
    github.faults.append(fault)
    took, err = open_timed(github)
    assert err is None and len(github.requests) == 2 and len(github.issues) == 1
    assert 0.0 <= took < 3.5


@pytest.mark.parametrize(
    ("retry_after", "asks"),
    [
        ("120", "120 s"),
        ("6", "6 s"),
        ("in two hours", "7,"),
        ("86400", "86,400 s"),
        ("99999999", "99,999,999 s"),
    ],
)
def test_a_github_503_asking_for_more_than_max_wait_fails_at_once_with_one_line(
    github: GitHubIssues, retry_after: str, asks: str
) -> None:
    if retry_after == "in two hours":  # an HTTP date (RFC 9110 §10.2.3), computed when the test runs
        retry_after = format_datetime(datetime.now(UTC) + timedelta(hours=2), usegmt=True)
    github.faults.append(unavailable(retry_after))
    took, err = open_timed(github, max_wait=5.0)
    text = one_line(err)
    assert f"github to github:{REPO}: HTTP 503 (Service Unavailable): GitHub is unavailable" in text
    assert f"asks to wait {asks}" in text and "more than [github] max_wait (5 s)" in text
    assert "not sent again in this run" in text and "attempts" not in text
    assert len(github.requests) == 1 and github.issues == [] and took < 1.5


def test_a_rate_limit_past_max_wait_says_when_to_try_again(github: GitHubIssues) -> None:
    github.faults.append(rate_limited(429, retry_after="30"))
    took, err = open_timed(github, max_wait=5.0)
    text = one_line(err)
    assert "GitHub's rate limit is reached; try again after " in text and "max_wait" not in text
    assert len(github.requests) == 1 and took < 1.5


def test_max_wait_zero_still_asks_again_when_github_asks_for_no_wait(github: GitHubIssues) -> None:
    github.faults += [unavailable("0"), rate_limited(403, retry_after="0")]
    took, err = open_timed(github, max_wait=0.0)
    assert err is None and len(github.requests) == 3 and len(github.issues) == 1 and took < 1.5


@pytest.mark.parametrize(
    "hint", ["soon", "-5", "1.5", "\u00b2", "1" + "0" * 40, "9999999999", "Fri, 31 Dec 9999 23:59:59 GMT"]
)
def test_a_retry_after_that_is_no_hint_falls_back_to_the_backoff(github: GitHubIssues, hint: str) -> None:
    """Not digits and not an HTTP date, or a wait of 32 years and more that no server means: no hint, so the
    first backoff step (1 s), which max_wait allows."""
    github.faults.append(unavailable(hint))
    took, err = open_timed(github, max_wait=1.0)
    assert err is None and len(github.requests) == 2 and len(github.issues) == 1 and 0.9 <= took < 3.0


def test_503s_to_the_end_stop_at_max_attempts(github: GitHubIssues) -> None:
    github.faults += [unavailable("0")] * 5
    _, err = open_timed(github, max_attempts=3)
    text = one_line(err)
    assert "HTTP 503" in text and "after 3 attempts" in text and "max_wait" not in text
    assert len(github.requests) == 3 and github.issues == []


@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_github_5xx_but_503_is_not_asked_again_even_with_retry_after(github: GitHubIssues, status: int) -> None:
    """GitHub may have opened the issue before its front end failed: a repeat could open a second one."""
    github.faults.append(Fault(status, "Server Error", {"Retry-After": "0"}, opened=True))
    _, err = open_timed(github)
    assert f"HTTP {status} (Server Error); GitHub may have opened the issue" in one_line(err)
    assert len(github.requests) == 1 and len(github.issues) == 1


@pytest.mark.parametrize("opened", [True, False], ids=["GitHub opened it", "GitHub did not"])
def test_a_github_post_whose_connection_dropped_after_the_body_is_not_repeated(
    github: GitHubIssues, opened: bool
) -> None:
    github.faults.append(Fault(201, drop=True, opened=opened))
    _, err = open_timed(github, max_attempts=4)
    text = one_line(err)
    assert "it may have arrived, so it is not sent again in this run" in text and TOKEN not in text
    assert len(github.requests) == 1 and len(github.issues) == int(opened)


def test_the_config_key_reaches_the_door(tmp_path: Path, github: GitHubIssues) -> None:
    """``[github] max_wait`` in the file is the bound the run keeps."""
    path = tmp_path / "dailypapers.toml"
    path.write_text(f'[[topics]]\nname = "x"\n[github]\nrepo = "{REPO}"\nmax_wait = 0.5\n', encoding="utf-8")
    loaded = load_config(path, environ={"DAILYPAPERS_GITHUB_API_URL": github.url}).github
    assert loaded is not None and loaded.max_wait == 0.5
    github.faults.append(unavailable("1"))
    with pytest.raises(DeliveryError, match=r"more than \[github\] max_wait \(0\.5 s\)"):
        open_issue(loaded, TOKEN, ISSUE, user_agent=AGENT)
    assert len(github.requests) == 1


# --- webhooks: the same rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 503])
def test_a_webhook_retry_after_within_max_wait_is_waited_then_sent_again(status: int) -> None:
    with scripted(hostile.refuse(status, b"Retry-After: 1\r\n"), hostile.ok(b"ok")) as server:
        took, err = post_timed(server.url)
    assert err is None and len(server.seen) == 2
    assert 0.9 <= server.seen[1].time - server.seen[0].time < 2.5 and took < 3.0


@pytest.mark.parametrize("retry_after", [b"6", b"3600", b"in a day"])
def test_a_webhook_retry_after_past_max_wait_fails_at_once_with_one_line(retry_after: bytes) -> None:
    if retry_after == b"in a day":  # an HTTP date, computed when the test runs
        retry_after = format_datetime(datetime.now(UTC) + timedelta(days=1), usegmt=True).encode()
    with scripted(hostile.refuse(429, b"Retry-After: " + retry_after + b"\r\n", b"slow down")) as server:
        took, err = post_timed(server.url + "/T0001/B0002/s3cr3tT0kenValue", max_wait=5.0)
    text = one_line(err)
    assert text.startswith(f"webhook to {HOOK}: HTTP 429 (Too Many Requests)")
    assert "more than max_wait (5 s), so it is not sent again in this run" in text and "s3cr3t" not in text
    assert len(server.seen) == 1 and took < 1.5


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("hint", [b"later", b"Fri, 31 Dec 9999 23:59:59 GMT", b"1" + b"0" * 40])
def test_a_webhook_refusal_without_a_hint_is_sent_again_after_the_backoff(status: int, hint: bytes) -> None:
    with scripted(hostile.refuse(status, b"Retry-After: " + hint + b"\r\n"), hostile.ok(b"ok")) as server:
        _, err = post_timed(server.url, max_wait=1.0)
    assert err is None and len(server.seen) == 2
    assert 0.9 <= server.seen[1].time - server.seen[0].time < 2.5


@pytest.mark.parametrize("status", [500, 502, 504, 408, 409])
def test_a_webhook_retry_after_on_another_status_is_not_a_reason_to_send_again(status: int) -> None:
    """Only 429 and 503 say nothing was done: a 502 that asks for a wait may still come after the post."""
    with scripted(hostile.refuse(status, b"Retry-After: 0\r\n"), hostile.ok(b"ok")) as server:
        _, err = post_timed(server.url)
    assert f"HTTP {status}" in one_line(err) and len(server.seen) == 1


def _reset(handler: BaseHTTPRequestHandler) -> None:
    """The body was read; the connection is reset (RST) before any answer."""
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()


def _hang_up(handler: BaseHTTPRequestHandler) -> None:
    """The body was read; the connection is closed without a word."""
    handler.connection.shutdown(socket.SHUT_RDWR)


@pytest.mark.parametrize(
    "act",
    [
        pytest.param(_reset, id="reset"),
        pytest.param(_hang_up, id="closed without an answer"),
        pytest.param(hostile.raw(b"HTTP/1.1 20"), id="cut in the status line"),
        pytest.param(hostile.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok"), id="cut in the body"),
        pytest.param(hostile.trickled_headers(0.3), id="no answer in time"),
    ],
)
def test_a_webhook_post_whose_connection_dropped_after_the_body_is_not_repeated(act: hostile.Act) -> None:
    with scripted(act, hostile.ok(b"ok")) as server:
        _, err = post_timed(server.url, max_attempts=4, timeout=1.0)
    text = one_line(err)
    assert "it may have arrived, so it is not sent again in this run" in text
    assert len(server.seen) == 1 and server.seen[0].body == b'{"text": "hi"}'
