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
  ``max_attempts``, after the wait GitHub asks for if it fits in ``max_wait``.
- Another 5xx, a timeout or a dropped connection after the request was sent: GitHub may have opened the issue
  all the same (a 502 from its front end often comes after the work was done), so the request is not repeated
  in this run; the papers stay owed and the next run opens the issue, at most once more.

Every request goes through the project's HTTP door, whose ``Http.post_json`` holds the one retry policy for
POSTs (a total deadline, a cap on the answer, no redirect followed, a repeat only when the request surely did
not arrive or the server said it did nothing); this module only tells it which of GitHub's answers say so
(``_not_taken``: a rate limit, a 503) and puts each answer in words. The token is sent in ``Authorization``
and never shown: every text quoted from GitHub has it blotted out, and errors name the variable, not its value.
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
from dailypapers.http import Answer, Http, NotTaken, retry_after, unrepeated
from dailypapers.model import Issue

CHANNEL = "github"
API_VERSION = "2022-11-28"
RATE_LIMIT_WAIT = 60.0
"""GitHub: a rate limit that names no time is waited out for at least a minute."""
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
    http = Http(
        user_agent=user_agent,
        delay=0.0,
        timeout=settings.timeout,
        max_attempts=settings.max_attempts,
        max_wait=settings.max_wait,
        max_bytes=MAX_REPLY,
        backoff=1.0,
        sleep=sleep,
    )
    try:
        answer = post_json(http, url, payload, _headers(token))
    except FetchError as err:
        reason = err.reason if isinstance(err, UnconfirmedError) else f"could not reach {url}: {err.reason}"
        raise _error(settings, _scrubbed(reason + _tries(err.attempts), token)) from None
    if answer.status != 201:
        reason = f"{_refusal(settings, answer)}{_tries(answer.attempts)}{_unrepeated(settings, answer)}"
        raise _error(settings, _scrubbed(reason, token))
    return _opened(answer)


def post_json(http: Http, url: str, payload: Mapping[str, Any], headers: Mapping[str, str]) -> Answer:
    """The one place a request leaves for GitHub: the project's HTTP door and its retry policy, told which of
    GitHub's answers mean it did not open the issue."""
    with http:
        return http.post_json(url, payload, headers=headers, refused=_not_taken)


def _not_taken(answer: Answer) -> NotTaken | None:
    """A rate limit (403 or 429, https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api)
    or a 503: GitHub did not open the issue, and says how long to wait."""
    if _rate_limited(answer):
        return NotTaken(_rate_limit_wait(answer.headers))
    return NotTaken(retry_after(answer.headers)) if answer.status == 503 else None


def _tries(attempts: int) -> str:
    return f", after {attempts} attempts" if attempts > 1 else ""


def _unrepeated(settings: GitHubSettings, answer: Answer) -> str:
    """Why a 503 was not asked again: GitHub asked for a wait past ``[github] max_wait`` (a rate limit says
    when to try again itself)."""
    return "" if _rate_limited(answer) else unrepeated(answer, settings.max_wait, "[github] max_wait")


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


def _refusal(settings: GitHubSettings, answer: Answer) -> str:
    """Why GitHub did not open the issue, and what to do, on one line."""
    status, said = answer.status, _github_says(answer.body)
    head = f"HTTP {status}{f' ({said})' if said else ''}"
    if _rate_limited(answer):
        return _rate_limit(head, answer.headers)
    if status == 401:
        return f"{head}: GitHub refused the token; check the environment variable {settings.token_env}"
    if status == 403:
        return f"{head}: the token may not open issues in {settings.repo} (a workflow needs `issues: write`)"
    if status == 404:
        return f"{head}: no repository {settings.repo}, or the token in {settings.token_env} cannot see it"
    if status == 410:
        return f"{head}: issues are turned off in {settings.repo} (Settings → General → Features → Issues)"
    if status == 422:
        return f"{head}: GitHub refused the issue; check [github] labels{_errors(answer.body)}"
    if status == 503:  # GitHub did not take the request: asked again while attempts last
        return f"{head}: GitHub is unavailable"
    if 300 <= status < 400:
        moved = answer.headers.get("location", "elsewhere")
        return f"{head}: the API answered with a redirect to {moved}; check [github] repo and api_url"
    if status >= 500:
        return f"{head}; {_NEXT_RUN}"
    return f"{head}: unexpected answer to opening an issue"


def _rate_limited(answer: Answer) -> bool:
    """A 429, or a 403 that carries a rate limit's headers (else a 403 is a token without the right)."""
    headers = answer.headers
    limited = headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers
    return answer.status == 429 or (answer.status == 403 and limited)


def _rate_limit_wait(headers: Mapping[str, str]) -> float:
    """How long GitHub asks to wait: ``Retry-After`` seconds, else until ``x-ratelimit-reset`` (epoch seconds),
    else a minute."""
    wait = retry_after(headers)
    reset = headers.get("x-ratelimit-reset", "").strip()
    if wait is None and _DIGITS.fullmatch(reset):
        wait = max(0.0, int(reset) - time.time())
    return RATE_LIMIT_WAIT if wait is None else wait


def _rate_limit(head: str, headers: Mapping[str, str]) -> str:
    when = datetime.fromtimestamp(time.time() + _rate_limit_wait(headers), UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"{head}: GitHub's rate limit is reached; try again after {when}"


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
