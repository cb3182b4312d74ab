"""The one door to the network: politeness, retries, bounds, and record/replay.

arXiv's terms of use (https://info.arxiv.org/help/api/tou.html) ask for no more than one request every three
seconds, on a single connection at a time, for all of a user's programs together. The delay is therefore kept
process-wide, not per client. Retries back off exponentially and honour ``Retry-After`` on 408, 429 and 5xx.

Every request is bounded (``http_wire``): ``timeout`` is a total deadline for one attempt (connect, send,
headers, body and the redirects on the way), and the decoded answer may hold at most ``max_bytes``.
Redirects are followed by hand, at most ``MAX_REDIRECTS``, each hop paced like any request, and only on the
same host (an upgrade from http to https is fine): a redirect elsewhere is an error, and the other host is
never asked. What cannot mend on its own (a bad URL, an illegal header, an answer over the cap, a 4xx other
than 408 and 429) fails at once, without the backoff.

A POST (``post_json``: webhooks, the GitHub API) has one retry policy for every target, here: it is never
repeated once it may have reached the server. It is sent again only when the connection was never made, or
when the server said it did nothing (429 or 503; a caller may name more, see ``NotTaken``) and asked for a
wait within ``max_wait`` (no ``Retry-After``: the backoff). A longer wait ends the attempts: the answer comes
back with ``Answer.asked_wait`` set, and ``unrepeated`` says so in words. A wait of ``ABSURD_WAIT`` or more (a
date in the year 9999, forty digits) is no wait a server means, and counts as no hint at all. After a timeout
or a dropped connection once the request was sent, ``UnconfirmedError`` tells the caller to count the target
as failed for this run: the next run sends it once more, and that is the only repeat.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import TypeVar
from urllib.parse import urlencode

import httpx

from dailypapers import __version__
from dailypapers.errors import FeedError, FetchError, UnconfirmedError
from dailypapers.http.replay import Recorder, Replay, request_key
from dailypapers.http.wire import DEFAULT_MAX_BYTES, REDIRECTS, TIMED_OUT, Answer, Outgoing, Wire, WireError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Answer",
    "Http",
    "NotTaken",
    "Recorder",
    "Replay",
    "Retry",
    "not_taken",
    "read_answer",
    "retry_after",
    "status_phrase",
    "unrepeated",
    "user_agent",
]

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
ABSURD_WAIT = 1e9
"""Seconds (some 32 years) from which a server's wait is taken for nonsense, not for a hint."""
MAX_REDIRECTS = 5
_SECONDS = re.compile(r"[0-9]+")
_LOCK = threading.Lock()
_LAST_REQUEST = [float("-inf")]


class Retry(Exception):
    """Raised by an answer check to say: this answer is unusable now, ask again (e.g. an unexpected empty page)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class NotTaken:
    """An answer by which the server says it did not act on a POST, so sending it again is safe; ``wait``:
    the seconds it asks for before the next try (None: it did not say)."""

    wait: float | None


def not_taken(answer: Answer) -> NotTaken | None:
    """429 and 503 say the server did nothing (RFC 6585 §4, RFC 9110 §15.6.4); ``Retry-After`` says when."""
    return NotTaken(retry_after(answer.headers)) if answer.status in (429, 503) else None


def unrepeated(answer: Answer, max_wait: float, setting: str = "max_wait") -> str:
    """``"; …"`` saying why a refusal was not sent again although it could be: the wait asked passed
    ``max_wait`` (the config key ``setting``); nothing when that is not why."""
    if answer.asked_wait is None:
        return ""
    asked, limit = f"{answer.asked_wait:,.0f} s", f"{setting} ({max_wait:g} s)"
    return f"; the server asks to wait {asked}, more than {limit}, so it is not sent again in this run"


Check = Callable[[Answer], None]
Refusal = Callable[[Answer], NotTaken | None]
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


@dataclass
class Http:
    """A polite, bounded HTTP client: one connection, a process-wide delay, bounded retries, one clear error."""

    user_agent: str
    delay: float = 3.0
    timeout: float = 60.0
    max_attempts: int = 4
    max_wait: float = 120.0
    max_bytes: int = DEFAULT_MAX_BYTES
    recorder: Recorder | None = None
    replay: Replay | None = None
    log: Callable[[str], None] = lambda message: None
    backoff: float | None = None  # the first wait between attempts; by default the delay, at least 1 s
    sleep: Callable[[float], None] = time.sleep
    requests: int = 0
    _wire: Wire | None = None

    def __enter__(self) -> Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._wire is not None:
            self._wire.close()
            self._wire = None

    def get(self, url: str, params: Mapping[str, str], check: Check | None = None, form: bool = False) -> Answer:
        """GET ``url`` with ``params`` (or POST them as a form, for long queries: a read like a GET); retry
        what is temporary; raise FetchError when the answer stays unusable or cannot become usable."""
        try:
            key = request_key(url, params)
            request = self._read_request(url, params, form)
        except (httpx.InvalidURL, ValueError):
            raise FetchError(url, 1, None, "not a valid URL") from None
        failure = _Failure("not attempted")
        for attempt in range(1, self.max_attempts + 1):
            failure = self._try_read(request, key, check)
            if failure.answer is not None:
                return failure.answer
            if failure.final:
                raise FetchError(url, attempt, failure.status, failure.reason)
            if attempt < self.max_attempts:
                wait = self._backoff(attempt, failure.wait)
                self.log(f"{url}: {failure.reason}; attempt {attempt} of {self.max_attempts}, retrying in {wait:.1f} s")
                self.sleep(wait)
        raise FetchError(url, self.max_attempts, failure.status, failure.reason)

    def post_json(
        self, url: str, payload: object, headers: Mapping[str, str] | None = None, refused: Refusal = not_taken
    ) -> Answer:
        """POST ``payload`` as JSON and return the answer, whatever its status (``Answer.attempts`` says how
        many were made). Sent again only when it surely did not arrive: the connection failed, or ``refused``
        reads the answer as "not done" (by default 429 and 503) with a wait within ``max_wait`` (the last such
        answer is returned). Raises ``UnconfirmedError`` when it may have arrived but no complete answer came,
        ``FetchError`` when it could not be sent. Never recorded or replayed; redirects are returned."""
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        extra = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json", **(headers or {})}
        request = Outgoing("POST", url, self._headers(extra), body)
        failure = _Failure("not attempted")
        for attempt in range(1, self.max_attempts + 1):
            failure = self._try_post(request, attempt, refused)
            if failure.answer is not None:
                return failure.answer
            if attempt < self.max_attempts:
                wait = self._backoff(attempt, failure.wait)
                # the URL is not logged: a webhook's is a secret
                self.log(f"POST not taken ({failure.reason}); attempt {attempt} of {self.max_attempts}, {wait:.1f} s")
                self.sleep(wait)
        raise FetchError(url, self.max_attempts, failure.status, failure.reason)

    # --- one attempt ---

    def _try_read(self, request: Outgoing, key: str, check: Check | None) -> _Failure:
        try:
            answer = self._fetch(request, key)
        except WireError as err:
            return _Failure(self._reason(err), final=err.final)
        if answer.status in RETRY_STATUSES:
            return _Failure(_status_reason(answer), answer.status, retry_after(answer.headers))
        try:
            if check is not None:
                check(answer)
        except Retry as retry:
            return _Failure(retry.reason, answer.status)
        return _Failure("", answer=answer)

    def _try_post(self, request: Outgoing, attempt: int, refused: Refusal) -> _Failure:
        self.close()  # a fresh connection: a kept-alive one the server dropped would look like a lost answer
        self._pace()
        try:
            reply = self._send(request, time.monotonic() + self.timeout, follow=False)
        except WireError as err:
            if err.sent:
                reason = f"{self._reason(err)}; it may have arrived, so it is not sent again in this run"
                raise UnconfirmedError(request.url, attempt, None, reason) from None
            if err.final:
                raise FetchError(request.url, attempt, None, self._reason(err)) from None
            return _Failure(self._reason(err))
        answer = replace(reply, attempts=attempt)
        hint = refused(answer)
        wait = hint.wait if hint is not None and hint.wait is not None and hint.wait < ABSURD_WAIT else None
        if wait is not None and wait > self.max_wait:
            return _Failure("", answer=replace(answer, asked_wait=wait))
        if hint is None or attempt == self.max_attempts:
            return _Failure("", answer=answer)
        return _Failure(_status_reason(answer), answer.status, wait)

    def _fetch(self, request: Outgoing, key: str) -> Answer:
        if self.replay is not None:
            self.requests += 1
            return self.replay.answer(request.url.partition("?")[0], key)
        answer = self._follow(request)
        if self.recorder is not None:
            self.recorder.save(key, answer)
        return answer

    def _follow(self, request: Outgoing) -> Answer:
        """The answer at the end of the same-host redirects; the deadline does not count the pacing."""
        seen = [request.url]
        self._pace()
        deadline = time.monotonic() + self.timeout
        for _ in range(MAX_REDIRECTS + 1):
            reply = self._send(request, deadline, follow=True)
            if reply.status not in REDIRECTS:
                return reply
            request = redirected(request, reply)
            if request.url in seen:
                raise WireError(f"redirect loop: {' -> '.join([*seen, request.url][-3:])}", sent=True, final=True)
            seen.append(request.url)
            deadline += self._pace()
        raise WireError(f"more than {MAX_REDIRECTS} redirects, the last to {request.url}", sent=True, final=True)

    def _send(self, request: Outgoing, deadline: float, *, follow: bool) -> Answer:
        """One request on the wire (the caller paced it), over by ``deadline``."""
        if self._wire is None:
            self._wire = Wire()
        self.requests += 1
        try:
            return self._wire.exchange(request, deadline, self.max_bytes, skip_redirect=follow)
        finally:
            _LAST_REQUEST[0] = time.monotonic()

    def _read_request(self, url: str, params: Mapping[str, str], form: bool) -> Outgoing:
        if form:
            headers = self._headers({"Content-Type": "application/x-www-form-urlencoded"})
            return Outgoing("POST", url, headers, urlencode(dict(params)).encode("utf-8"))
        full = str(httpx.URL(url, params=dict(params))) if params else url
        return Outgoing("GET", full, self._headers({}))

    def _headers(self, extra: Mapping[str, str]) -> dict[str, str]:
        return {"User-Agent": self.user_agent, "Accept-Encoding": "gzip", **extra}

    def _reason(self, err: WireError) -> str:
        if err.reason == TIMED_OUT:
            return f"no complete answer within {self.timeout:g} s"
        return err.reason

    def _pace(self) -> float:
        """Wait until ``delay`` seconds have passed since the previous request of this process ended; return
        the seconds waited."""
        with _LOCK:
            wait = max(0.0, _LAST_REQUEST[0] + self.delay - time.monotonic())
            if wait > 0:
                time.sleep(wait)
            _LAST_REQUEST[0] = time.monotonic()
        return wait

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        base = self.backoff if self.backoff is not None else max(self.delay, 1.0) if self.delay else 0.05
        wait = retry_after if retry_after is not None else base * 2 ** (attempt - 1)
        return max(0.0, min(wait, self.max_wait))


@dataclass(frozen=True)
class _Failure:
    """What one attempt came to: an ``answer``, or a ``reason`` (with the status and Retry-After if any);
    ``final`` when no later attempt can mend it."""

    reason: str
    status: int | None = None
    wait: float | None = None
    final: bool = False
    answer: Answer | None = None


def redirected(request: Outgoing, reply: Answer) -> Outgoing:
    """The request to send where ``reply`` points, or a final WireError when it points to another host.

    303 turns the request into a GET (RFC 9110 §15.4.4); the others repeat it as it was, which for the door's
    reads (a GET, or a search sent as a form) asks the same question again.
    """
    here = httpx.URL(reply.url)
    location = reply.headers.get("location", "").strip()
    try:
        there = here.join(location) if location else None
    except (httpx.InvalidURL, ValueError):
        there = None
    if there is None:
        raise WireError(f"HTTP {reply.status} without a usable Location ({location[:80]!r})", sent=True, final=True)
    if not same_site(here, there):
        raise WireError(
            f"redirected (HTTP {reply.status}) to {there}, which is not on {here.host}: not followed",
            sent=True,
            final=True,
        )
    if reply.status == 303:
        headers = {k: v for k, v in request.headers.items() if k.lower() != "content-type"}
        return Outgoing("GET", str(there), headers)
    return replace(request, url=str(there))


def same_site(here: httpx.URL, there: httpx.URL) -> bool:
    """The same host, and the same scheme and port, or an upgrade from http to https."""
    if there.host != here.host:
        return False
    if there.scheme == here.scheme:
        return _port(there) == _port(here)
    return (here.scheme, there.scheme) == ("http", "https")


def _port(url: httpx.URL) -> int | None:
    return url.port or {"http": 80, "https": 443}.get(url.scheme)


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Read ``Retry-After`` as seconds (ASCII digits only) or as an HTTP date (RFC 9110 §10.2.3); anything
    else, e.g. a negative number or the byte ``\\xb2`` that ``str.isdigit`` accepts, is no hint at all."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    value = value.strip()
    if _SECONDS.fullmatch(value):
        return float(int(value)) if len(value) <= 9 else 1e9  # the wait is cut to max_wait anyway
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return max(0.0, moment.timestamp() - time.time())
    except (OverflowError, OSError, ValueError):
        return None


def status_phrase(status: int, unknown: str = "unexpected status") -> str:
    """The reason phrase of an HTTP status (``Service Unavailable``), or ``unknown`` for one HTTP does not name."""
    try:
        return httpx.codes.get_reason_phrase(status) or unknown
    except ValueError:
        return unknown


def _status_reason(answer: Answer) -> str:
    return status_phrase(answer.status, "server error")
