"""Posting a webhook payload: JSON through the one HTTP door, never repeated once it may have arrived.

A webhook URL is a secret (Slack's and Discord's carry the token in the path), so no error message or log line
ever shows it: errors name the target by ``name`` (``slack:DAILYPAPERS_SLACK_WEBHOOK``, the environment
variable that holds the URL) and the status. ``Http.post_json`` bounds each attempt (a total deadline, a cap on
the answer) and holds the one retry policy for POSTs: the payload is sent again only when it surely did not
arrive: the connection failed, or the server answered 429 or 503 and asked for a wait within ``max_wait``
with ``Retry-After`` (RFC 9110 §10.2.3; Slack https://api.slack.com/docs/rate-limits and Discord
https://discord.com/developers/docs/topics/rate-limits send it with 429). A longer wait, a timeout or a
dropped connection after sending, and any other status, end the delivery for this run: the next run sends the
message once more. Redirects are not followed: a webhook that moved should be reconfigured, not chased with
the payload.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from dailypapers.errors import DeliveryError, FetchError
from dailypapers.http import Answer, Http, status_phrase, unrepeated
from dailypapers.redact import url_forms

CHANNEL = "webhook"
BODY_CHARS = 200
"""How much of a refusal's body an error quotes: Slack answers ``invalid_blocks``, Discord a short JSON."""
ANSWER_BYTES = 1024 * 1024
"""The most of a webhook's answer that is read: Slack answers ``ok``, Discord nothing or a short JSON."""


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
    _check_url(url, name)
    http = Http(
        user_agent=user_agent,
        delay=0.0,
        timeout=timeout,
        max_attempts=max(1, max_attempts),
        max_wait=max_wait,
        max_bytes=ANSWER_BYTES,
        backoff=1.0,
        sleep=sleep,
    )
    try:
        with http:
            answer = http.post_json(url, payload)
    except FetchError as err:
        tries = f", after {err.attempts} attempts" if err.attempts > 1 else ""
        raise DeliveryError(CHANNEL, name, f"{_scrubbed(err.reason, url)}{tries}") from None
    if not 200 <= answer.status < 300:
        raise DeliveryError(CHANNEL, name, _refusal(answer, url) + unrepeated(answer, max_wait))


def _check_url(url: str, name: str) -> None:
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        reason = "not a valid http(s) URL; check the environment variable that holds it"
        raise DeliveryError(CHANNEL, name, reason)


def _refusal(answer: Answer, url: str) -> str:
    text = answer.body.decode("utf-8", "replace")
    tries = f", after {answer.attempts} attempts" if answer.attempts > 1 else ""
    return f"HTTP {answer.status} ({status_phrase(answer.status)}){_without_secret(text, url)}{tries}"


def _scrubbed(reason: str, url: str) -> str:
    """The door's reason, without the URL or any part of it that may be the token, in any form."""
    return url_forms(url)(reason)


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
