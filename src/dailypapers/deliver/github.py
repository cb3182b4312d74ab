"""Opening the daily issue through GitHub's REST API: one POST, never repeated once it may have reached GitHub.

https://docs.github.com/en/rest/issues/issues#create-an-issue: ``POST /repos/{owner}/{repo}/issues`` with a
JSON ``title``, ``body`` and ``labels``, answered ``201 Created`` with the issue's ``number`` and ``html_url``.
Each answer GitHub documents for it is one line that says what to do:

- 401: the token is wrong or expired; check the environment variable ``token_env`` names.
- 403 or 429 with ``x-ratelimit-remaining: 0``, ``x-ratelimit-reset`` or ``Retry-After``: a rate limit
  (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api). GitHub did not open the
  issue, so asking again is safe: once, when the wait fits in the run's bounds; else the line says when.
- 403 otherwise: the token may not open issues there (a workflow needs ``permissions: issues: write``).
- 404: no such repository, or the token cannot see it. 410: the repository's issues are turned off.
- 422: GitHub refused the content (an invalid label, a body too long); GitHub's own words are quoted.
- 503, or a connection that was never made: GitHub did not take the request; asked again within
  ``max_attempts``.
- Another 5xx, a timeout or a dropped connection after the request was sent: GitHub may have opened the issue
  all the same (a 502 from its front end often comes after the work was done), so the request is not repeated
  in this run; the papers stay owed and the next run opens the issue, at most once more.

Every request goes through the project's HTTP door (``Http.post_json``: a total deadline, a cap on the answer,
no redirect followed), one POST per call, so that this module alone decides what is asked again. The token is
sent in ``Authorization`` and never shown: every text quoted from GitHub has it blotted out, and errors name
the variable, not its value.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dailypapers.config.delivery import GitHubSettings
from dailypapers.errors import DeliveryError, FetchError, UnconfirmedError
from dailypapers.http import Answer, Http, retry_after
from dailypapers.model import Issue

CHANNEL = "github"
API_VERSION = "2022-11-28"
MAX_WAIT = 60.0
"""The longest a rate limit is waited out inside a run; a later reset is reported for the next run."""
MAX_REPLY = 1 << 20
"""GitHub's answer to a new issue is a few KiB; more than this is not read."""
QUOTED_CHARS = 300
_DIGITS = re.compile(r"[0-9]{1,12}")
_TOKEN = re.compile(r"[\x21-\x7e]{1,1000}")  # printable ASCII without spaces: what an Authorization value allows


_NEXT_RUN = "GitHub may have opened the issue, so it is not asked again in this run"


@dataclass(frozen=True)
class OpenedIssue:
    number: int | None
    url: str | None


def open_issue(
    settings: GitHubSettings,
    token: str,
    issue: Issue,
    *,
    user_agent: str,
    sleep: Callable[[float], None] = time.sleep,
) -> OpenedIssue:
    """Open ``issue`` in ``settings.repo``; raise DeliveryError("github", "github:owner/name", reason) else."""
    if not _TOKEN.fullmatch(token):
        raise _error(settings, f"the token in {settings.token_env} has characters no GitHub token has")
    url = f"{settings.api_url}/repos/{settings.repo}/issues"
    payload = {"title": issue.title, "body": issue.body, "labels": list(settings.labels)}
    for attempt in range(1, settings.max_attempts + 1):
        reason, wait, answer = _attempt(settings, url, payload, _headers(token), user_agent)
        if answer is not None:
            return _opened(answer)
        reason = _scrubbed(reason, token)
        if wait is None or attempt == settings.max_attempts:
            tries = f", after {attempt} attempts" if attempt > 1 else ""
            raise _error(settings, f"{reason}{tries}")
        sleep(wait)
    raise _error(settings, "not attempted")  # max_attempts is at least 1


def _attempt(
    settings: GitHubSettings, url: str, payload: Mapping[str, Any], headers: Mapping[str, str], user_agent: str
) -> tuple[str, float | None, Answer | None]:
    """One POST: (why it failed, seconds to wait before asking again or None for never, the 201 answer)."""
    try:
        answer = post_json(url, payload, headers, user_agent=user_agent, timeout=settings.timeout)
    except UnconfirmedError as err:
        return err.reason, None, None
    except FetchError as err:  # it never left: asking again cannot open a second issue
        return f"could not reach {url}: {err.reason}", 1.0, None
    if answer.status == 201:
        return "", None, answer
    reason, wait = _refusal(settings, answer)
    return reason, wait, None


def post_json(
    url: str, payload: Mapping[str, Any], headers: Mapping[str, str], *, user_agent: str, timeout: float
) -> Answer:
    """The one place a request leaves for GitHub: the project's HTTP door, one POST a call, so that
    ``open_issue`` alone decides what may be asked again (a 403 rate limit with a short wait, a 503)."""
    with Http(user_agent=user_agent, delay=0.0, timeout=timeout, max_attempts=1, max_bytes=MAX_REPLY) as http:
        return http.post_json(url, payload, headers=headers)


def _headers(token: str) -> dict[str, str]:
    """What GitHub asks of REST clients: its media type, a pinned API version, the token."""
    return {
        "Accept": "application/vnd.github+json",
        "Authorization": f"Bearer {token}",
        "X-GitHub-Api-Version": API_VERSION,
    }


def _opened(answer: Answer) -> OpenedIssue:
    data = _json(answer.body)
    number, url = data.get("number"), data.get("html_url")
    return OpenedIssue(number if isinstance(number, int) else None, url if isinstance(url, str) else None)


def _refusal(settings: GitHubSettings, answer: Answer) -> tuple[str, float | None]:
    """Why GitHub did not open the issue, and how long to wait before asking again (None: not in this run)."""
    status, said = answer.status, _github_says(answer.body)
    head = f"HTTP {status}{f' ({said})' if said else ''}"
    if status in (403, 429) and _rate_limited(answer):
        return _rate_limit(head, answer.headers)
    if status == 401:
        return f"{head}: GitHub refused the token; check the environment variable {settings.token_env}", None
    if status == 403:
        return f"{head}: the token may not open issues in {settings.repo} (a workflow needs `issues: write`)", None
    if status == 404:
        return f"{head}: no repository {settings.repo}, or the token in {settings.token_env} cannot see it", None
    if status == 410:
        return f"{head}: issues are turned off in {settings.repo} (Settings → General → Features → Issues)", None
    if status == 422:
        return f"{head}: GitHub refused the issue; check [github] labels{_errors(answer.body)}", None
    if status == 503:  # GitHub did not take the request: safe to ask again
        return f"{head}: GitHub is unavailable", 2.0
    if 300 <= status < 400:
        moved = answer.headers.get("location", "elsewhere")
        return f"{head}: the API answered with a redirect to {moved}; check [github] repo and api_url", None
    if status >= 500:
        return f"{head}; {_NEXT_RUN}", None
    return f"{head}: unexpected answer to opening an issue", None


def _rate_limited(answer: Answer) -> bool:
    headers = answer.headers
    return answer.status == 429 or headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers


def _rate_limit(head: str, headers: Mapping[str, str]) -> tuple[str, float | None]:
    """How long GitHub asks to wait: ``Retry-After`` seconds, else until ``x-ratelimit-reset`` (epoch seconds)."""
    wait = retry_after(headers)
    reset = headers.get("x-ratelimit-reset", "").strip()
    if wait is None and _DIGITS.fullmatch(reset):
        wait = max(0.0, int(reset) - time.time())
    if wait is None:
        wait = MAX_WAIT  # GitHub: without either header, wait at least a minute
    when = datetime.fromtimestamp(time.time() + wait, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"{head}: GitHub's rate limit is reached; try again after {when}", wait if wait <= MAX_WAIT else None


def _github_says(body: bytes) -> str:
    """GitHub's ``message``, on one short line; a body that is not GitHub's JSON is not quoted."""
    message = _json(body).get("message")
    return _one_line(message) if isinstance(message, str) else ""


def _errors(body: bytes) -> str:
    """A 422's ``errors`` (``{"resource": "Label", "field": "name", "code": "invalid", "value": "x"}``) as text."""
    errors = _json(body).get("errors")
    if not isinstance(errors, list):
        return ""
    shown = [_describe(error) for error in errors[:5]]
    return ": " + "; ".join(text for text in shown if text) if any(shown) else ""


def _describe(error: Any) -> str:
    if isinstance(error, str):
        return _one_line(error)
    if not isinstance(error, dict):
        return ""
    if isinstance(error.get("message"), str):
        return _one_line(error["message"])
    parts = [str(error.get(key)) for key in ("resource", "field", "code") if error.get(key) is not None]
    value = f" {error['value']!r}" if isinstance(error.get("value"), str) else ""
    return _one_line(" ".join(parts) + value)


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _one_line(text: str) -> str:
    shown = " ".join("".join(char if char.isprintable() else " " for char in text).split())
    return shown[:QUOTED_CHARS] + ("…" if len(shown) > QUOTED_CHARS else "")


def _scrubbed(text: str, token: str) -> str:
    """``text`` with the token blotted out (a token of fewer than four characters is not a token GitHub issues)."""
    secret = token.strip()
    return text.replace(secret, "***") if len(secret) >= 4 else text


def _error(settings: GitHubSettings, reason: str) -> DeliveryError:
    return DeliveryError(CHANNEL, settings.name, reason)
