"""The one door to the network: politeness, retries, timeouts, and record/replay.

arXiv's terms of use (https://info.arxiv.org/help/api/tou.html) ask for no more than one request every three
seconds, on a single connection at a time, for all of a user's programs together. The delay is therefore kept
process-wide, not per client. Retries back off exponentially and honour ``Retry-After`` on 429 and 503.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlencode, urlsplit

import httpx

from dailypapers import __version__
from dailypapers.errors import FeedError, FetchError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_LOCK = threading.Lock()
_LAST_REQUEST = [float("-inf")]


class Retry(Exception):
    """Raised by an answer check to say: this answer is unusable now, ask again (e.g. an unexpected empty page)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Answer:
    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes


Check = Callable[[Answer], None]
T = TypeVar("T")


def read_answer(
    answer: Answer,
    parse: Callable[[bytes, str | None], T],
    *,
    what: str,
    transient: type[FeedError] = FeedError,
    definite: tuple[type[FeedError], ...] = (),
) -> T:
    """Parse an answer for a ``check``: a damaged body with HTTP 200 is arXiv having a bad moment, so ask
    again (``Retry``); arXiv's own error documents (``definite``) and any error status are final."""
    try:
        result = parse(answer.body, answer.url)
    except FeedError as err:
        if isinstance(err, definite) or not isinstance(err, transient):
            raise
        if answer.status >= 400:
            raise FeedError(f"HTTP {answer.status}: {err.message}", answer.url) from None
        raise Retry(f"unreadable {what} ({err.message})") from None
    if answer.status >= 400:
        raise FeedError(f"HTTP {answer.status}, although the {what} could be read", answer.url)
    return result


def user_agent(contact: str | None) -> str:
    """Name the tool, its version and a contact, as arXiv asks of automated clients."""
    who = f"mailto:{contact}" if contact else "contact not configured"
    return f"dailypapers/{__version__} (+https://pypi.org/project/dailypapers/; {who})"


def request_key(url: str, params: Mapping[str, str]) -> str:
    """The identity of a request for record/replay: its path and sorted parameters, not its host."""
    return f"{urlsplit(url).path}?{urlencode(sorted(params.items()))}"


@dataclass
class Recorder:
    """Saves every answer a run receives, one JSON file each, in the order received."""

    folder: Path
    count: int = 0

    def start(self, now: str) -> None:
        """Begin, or go on with, a recording: later runs add their answers after the earlier ones."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = len(list(self.folder.glob("answer-*.json")))
        meta = self.folder / "recording.json"
        if not meta.exists():
            meta.write_text(json.dumps({"now": now}) + "\n", encoding="utf-8")

    def save(self, key: str, answer: Answer) -> None:
        self.count += 1
        record = {
            "key": key,
            "url": answer.url,
            "status": answer.status,
            "headers": dict(answer.headers),
            "body": base64.b64encode(answer.body).decode("ascii"),
        }
        path = self.folder / f"answer-{self.count:04d}.json"
        path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


@dataclass
class Replay:
    """Answers requests from a recorded folder: per request, the recorded answers in order, the last repeating."""

    folder: Path
    answers: dict[str, list[Answer]] = field(default_factory=dict)
    now: str | None = None

    @classmethod
    def load(cls, folder: Path) -> Replay:
        if not folder.is_dir():
            raise FetchError(str(folder), 0, None, "no such replay folder")
        replay = cls(folder)
        meta = folder / "recording.json"
        if meta.exists():
            replay.now = json.loads(meta.read_text(encoding="utf-8")).get("now")
        for path in sorted(folder.glob("answer-*.json")):
            record = json.loads(path.read_text(encoding="utf-8"))
            answer = Answer(record["url"], record["status"], record["headers"], base64.b64decode(record["body"]))
            replay.answers.setdefault(record["key"], []).append(answer)
        return replay

    def answer(self, url: str, key: str) -> Answer:
        queue = self.answers.get(key)
        if not queue:
            raise FetchError(url, 0, None, f"not in the replay folder {self.folder}")
        return queue.pop(0) if len(queue) > 1 else queue[0]


@dataclass
class Http:
    """A polite HTTP client: one connection, a process-wide delay, bounded retries, one clear error."""

    user_agent: str
    delay: float = 3.0
    timeout: float = 60.0
    max_attempts: int = 4
    max_wait: float = 120.0
    recorder: Recorder | None = None
    replay: Replay | None = None
    log: Callable[[str], None] = lambda message: None
    requests: int = 0
    _client: httpx.Client | None = None

    def __enter__(self) -> Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def get(self, url: str, params: Mapping[str, str], check: Check | None = None, form: bool = False) -> Answer:
        """GET ``url`` with ``params`` (or POST them as a form, for long queries); retry what is temporary;
        raise FetchError when the answer stays unusable."""
        key = request_key(url, params)
        status: int | None = None
        reason = ""
        for attempt in range(1, self.max_attempts + 1):
            answer, wait_hint, status, reason = self._attempt(url, params, key, form)
            if answer is not None:
                if check is None:
                    return answer
                try:
                    check(answer)
                    return answer
                except Retry as retry:
                    reason = retry.reason
            if attempt < self.max_attempts:
                wait = self._backoff(attempt, wait_hint)
                self.log(f"{url}: {reason}; attempt {attempt} of {self.max_attempts}, retrying in {wait:.1f} s")
                time.sleep(wait)
        raise FetchError(url, self.max_attempts, status, reason)

    def _attempt(
        self, url: str, params: Mapping[str, str], key: str, form: bool
    ) -> tuple[Answer | None, float | None, int | None, str]:
        """One request. Returns (usable answer or None, Retry-After seconds, status, reason)."""
        try:
            answer = self._fetch(url, params, key, form)
        except httpx.TimeoutException:
            return None, None, None, f"no answer within {self.timeout:g} s"
        except httpx.TransportError as err:
            return None, None, None, f"connection failed: {err.__class__.__name__}: {err}".rstrip(": ")
        if answer.status in RETRY_STATUSES:
            return None, retry_after(answer.headers), answer.status, _status_reason(answer)
        return answer, None, answer.status, ""

    def _fetch(self, url: str, params: Mapping[str, str], key: str, form: bool) -> Answer:
        if self.replay is not None:
            self.requests += 1
            return self.replay.answer(url, key)
        self._pace()
        self.requests += 1
        try:
            client = self._http()
            response = client.post(url, data=dict(params)) if form else client.get(url, params=dict(params))
        finally:
            _LAST_REQUEST[0] = time.monotonic()
        answer = Answer(str(response.url), response.status_code, dict(response.headers), response.content)
        if self.recorder is not None:
            self.recorder.save(key, answer)
        return answer

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                headers={"User-Agent": self.user_agent},
                timeout=self.timeout,
                limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
                follow_redirects=True,
            )
        return self._client

    def _pace(self) -> None:
        """Wait until ``delay`` seconds have passed since the previous request of this process ended."""
        with _LOCK:
            wait = _LAST_REQUEST[0] + self.delay - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            _LAST_REQUEST[0] = time.monotonic()

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        exponential = max(self.delay, 1.0) * 2 ** (attempt - 1)
        if self.delay == 0:
            exponential = 0.05 * 2 ** (attempt - 1)
        wait = retry_after if retry_after is not None else exponential
        return min(wait, self.max_wait)


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Read ``Retry-After`` as seconds or as an HTTP date (RFC 9110 §10.2.3)."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def _status_reason(answer: Answer) -> str:
    try:
        return httpx.codes.get_reason_phrase(answer.status) or "server error"
    except ValueError:
        return "server error"
