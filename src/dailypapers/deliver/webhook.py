"""Posting a webhook payload: JSON over HTTPS, retried while the failure is temporary.

A webhook URL is a secret (Slack's and Discord's carry the token in the path), so no error message or log line
ever shows it: errors name the target by ``name`` (``slack:DAILYPAPERS_SLACK_WEBHOOK``, the environment
variable that holds the URL) and the status. Connection errors, timeouts, 429 and 5xx are retried with
exponential backoff, honouring ``Retry-After`` (RFC 9110 §10.2.3; Slack
https://api.slack.com/docs/rate-limits and Discord https://discord.com/developers/docs/topics/rate-limits send
it with 429); any other status is final, since sending the same request again cannot change the answer.
Redirects are not followed: a webhook that moved should be reconfigured, not chased with the payload.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from dailypapers.errors import DeliveryError
from dailypapers.http import retry_after
from dailypapers.redact import url_forms

CHANNEL = "webhook"
BODY_CHARS = 200
"""How much of a refusal's body an error quotes: Slack answers ``invalid_blocks``, Discord a short JSON."""


@dataclass(frozen=True)
class _Attempt:
    """What one POST came to: ``done``, or a ``reason`` and whether trying again could help."""

    done: bool
    reason: str = ""
    retry: bool = False
    retry_after: float | None = None


def post_webhook(
    url: str,
    payload: Mapping[str, Any],
    *,
    name: str,
    user_agent: str,
    max_attempts: int = 4,
    timeout: float = 30.0,
    max_wait: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """POST ``payload`` as JSON to ``url``; return on 2xx, raise DeliveryError("webhook", name, reason) else."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {"User-Agent": user_agent, "Content-Type": "application/json; charset=utf-8"}
    result = _Attempt(done=False, reason="not attempted")
    attempts = max(1, max_attempts)
    with httpx.Client(headers=headers, timeout=timeout, follow_redirects=False) as client:
        for attempt in range(1, attempts + 1):
            result = _post(client, url, body, timeout)
            if result.done:
                return
            if not result.retry:
                raise DeliveryError(CHANNEL, name, result.reason)
            if attempt < attempts:
                sleep(_backoff(attempt, result.retry_after, max_wait))
    raise DeliveryError(CHANNEL, name, f"{result.reason}, after {attempts} attempt{'s' if attempts != 1 else ''}")


def _post(client: httpx.Client, url: str, body: bytes, timeout: float) -> _Attempt:
    try:
        response = client.post(url, content=body)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol):
        return _Attempt(done=False, reason="not a valid http(s) URL; check the environment variable that holds it")
    except httpx.TimeoutException:
        return _Attempt(done=False, reason=f"no answer within {timeout:g} s", retry=True)
    except httpx.TransportError as err:
        detail = _without_secret(str(err), url)
        return _Attempt(done=False, reason=f"connection failed: {type(err).__name__}{detail}", retry=True)
    status = response.status_code
    if 200 <= status < 300:
        return _Attempt(done=True)
    reason = f"HTTP {status} ({_phrase(status)}){_without_secret(response.text, url)}"
    if status == 429 or status >= 500:
        return _Attempt(done=False, reason=reason, retry=True, retry_after=retry_after(response.headers))
    return _Attempt(done=False, reason=reason)


def _backoff(attempt: int, retry_after: float | None, max_wait: float) -> float:
    """Seconds before the next attempt: the server's ``Retry-After`` if it gave one, else 1, 2, 4, … s."""
    wait = retry_after if retry_after is not None else 2.0 ** (attempt - 1)
    return max(0.0, min(wait, max_wait))


def _without_secret(text: str, url: str) -> str:
    """``": text"`` on one line and short, or nothing when it could show the URL or the token inside it."""
    shown = " ".join(url_forms(url)(text).split())[:BODY_CHARS]  # redacted before it is cut
    if not shown:
        return ""
    if any(secret in text for secret in _secrets(url)):
        return ""
    return f": {shown}"


def _secrets(url: str) -> list[str]:
    """The URL and each part of it that may be a token: long path segments, the query, a user and password."""
    parts = urlsplit(url)
    pieces = [url, parts.query, *(segment for segment in parts.path.split("/") if len(segment) >= 8)]
    if "@" in parts.netloc:
        pieces.append(parts.netloc.rpartition("@")[0])
    return [piece for piece in pieces if piece]


def _phrase(status: int) -> str:
    try:
        return httpx.codes.get_reason_phrase(status) or "unexpected status"
    except ValueError:
        return "unexpected status"
