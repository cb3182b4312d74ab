"""A loopback server speaking the part of GitHub's REST API that opens an issue, with fault switches.

``POST /repos/{owner}/{repo}/issues`` (https://docs.github.com/en/rest/issues/issues#create-an-issue) is
answered as GitHub answers it: the headers GitHub asks REST clients for are checked (``Accept:
application/vnd.github+json``, ``X-GitHub-Api-Version: 2022-11-28``, ``Authorization: Bearer <token>``), the
JSON body is validated (a title, a body of at most 65,536 characters, labels that exist), and a new issue is
answered ``201 Created`` with its ``number`` and ``html_url``. Each fault in ``faults`` answers one request:
401, 403 with rate-limit headers, 404, 410, 422, a 5xx, a timeout once the body was received (GitHub opened
the issue, then the answer never came), or a connection reset once the body was received (``drop``).
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from loopback import QuietHandler, serve_http

TOKEN = "ghs_l00pb4ckT0kenForTests0nly1234567"
REPO = "ada/papers"
BODY_LIMIT = 65_536


@dataclass(frozen=True)
class Fault:
    """One request's answer: ``status`` with ``headers`` and a JSON ``message``; ``opened``: the issue is
    created first (GitHub did the work); ``hang``: seconds to wait before answering; ``echo``: the message
    repeats the Authorization header received, as a careless proxy might."""

    status: int
    message: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    reset_in: int | None = None  # x-ratelimit-reset: this many seconds after the answer
    opened: bool = False
    hang: float = 0.0
    echo: bool = False
    errors: tuple[dict[str, Any], ...] = ()
    drop: bool = False  # reset the connection (RST) instead of answering


def rate_limited(status: int = 403, *, reset_in: int = 3600, retry_after: str | None = None) -> Fault:
    message = "API rate limit exceeded for installation ID 1."
    if retry_after is not None:
        return Fault(status, message, {"retry-after": retry_after})
    headers = {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0", "x-ratelimit-used": "5000"}
    return Fault(status, message, headers, reset_in=reset_in)


FAULTS: dict[str, Fault] = {
    "401": Fault(401, "Bad credentials"),
    "401-echo": Fault(401, "Bad credentials", echo=True),
    "403": Fault(403, "Resource not accessible by integration"),
    "404": Fault(404, "Not Found"),
    "410": Fault(410, "Issues are disabled for this repo"),
    "422": Fault(422, "Validation Failed", errors=({"resource": "Issue", "field": "title", "code": "missing_field"},)),
    "307": Fault(307, "Moved", {"Location": "https://api.github.com/repositories/1/issues"}),
    "500": Fault(500, "Server Error"),
    "502-opened": Fault(502, "Server Error", opened=True),
    "503": Fault(503, "Service Unavailable"),
    "huge": Fault(201, "x" * (3 << 20), opened=True),  # an answer far past any issue's: never read whole
}


@dataclass
class GitHubIssues:
    """The repository's issues, every request received (path and headers), and the faults still to answer."""

    token: str = TOKEN
    repo: str = REPO
    labels: set[str] = field(default_factory=lambda: {"documentation", "papers"})
    issues: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def open(self, payload: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            number = len(self.issues) + 1
            issue = {**payload, "number": number, "html_url": f"https://github.com/{self.repo}/issues/{number}"}
            self.issues.append(issue)
            return issue

    def next_fault(self) -> Fault | None:
        with self.lock:
            return self.faults.pop(0) if self.faults else None


class _Handler(QuietHandler):
    state: GitHubIssues

    def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
        state = self.state
        body = self.read_body()
        state.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}})
        refusal = self.refusal(body)
        if refusal is not None:
            self.reply(*refusal)
            return
        payload = json.loads(body)
        fault = state.next_fault()
        if fault is not None:
            self.fail(fault, payload)
            return
        invalid = self.invalid(payload)
        if invalid:
            self.reply(422, {"message": "Validation Failed", "errors": invalid})
            return
        self.reply(201, state.open(payload))

    def refusal(self, body: bytes) -> tuple[int, dict[str, Any]] | None:
        """What GitHub answers before looking at the issue: the path, the headers, the token, the JSON."""
        state, headers = self.state, self.headers
        if self.path != f"/repos/{state.repo}/issues":
            return 404, {"message": "Not Found"}
        if headers.get("Authorization") != f"Bearer {state.token}":
            return 401, {"message": "Bad credentials"}
        if headers.get("Accept") != "application/vnd.github+json" or headers.get("X-GitHub-Api-Version") != (
            "2022-11-28"
        ):
            return 400, {"message": "Unsupported Accept header or API version"}
        try:
            payload = json.loads(body)
        except ValueError:
            return 400, {"message": "Problems parsing JSON"}
        return None if isinstance(payload, dict) else (400, {"message": "Problems parsing JSON"})

    def invalid(self, payload: dict[str, Any]) -> list[dict[str, Any]]:
        errors: list[dict[str, Any]] = []
        if not isinstance(payload.get("title"), str) or not payload["title"]:
            errors.append({"resource": "Issue", "field": "title", "code": "missing_field"})
        body = payload.get("body", "")
        if len(body.encode("utf-16-le")) // 2 > BODY_LIMIT:
            errors.append({"resource": "Issue", "code": "custom", "field": "body", "message": "body is too long"})
        for label in payload.get("labels", []):
            if label not in self.state.labels:
                errors.append({"resource": "Label", "field": "name", "code": "invalid", "value": label})
        return errors

    def fail(self, fault: Fault, payload: dict[str, Any]) -> None:
        if fault.opened:
            self.state.open(payload)
        if fault.hang:
            time.sleep(fault.hang)
        if fault.drop:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        message = fault.message
        if fault.echo:
            message += f" (received {self.headers.get('Authorization')})"
        answer: dict[str, Any] = {"message": message, "documentation_url": "https://docs.github.com/rest"}
        if fault.errors:
            answer["errors"] = list(fault.errors)
        headers = dict(fault.headers)
        if fault.reset_in is not None:
            headers["x-ratelimit-reset"] = str(int(time.time()) + fault.reset_in)
        with suppress(ConnectionError):  # the client gave up waiting: that is the point of a hang
            self.reply(fault.status, answer, headers)

    def reply(self, status: int, answer: dict[str, Any], headers: Mapping[str, str] | None = None) -> None:
        reply = json.dumps(answer).encode("utf-8")
        self.answer(status, reply, {"Content-Type": "application/json; charset=utf-8", **(headers or {})})


@contextmanager
def github_server(state: GitHubIssues | None = None) -> Iterator[GitHubIssues]:
    """A running GitHub issues API on loopback; its ``url`` is the API root (``DAILYPAPERS_GITHUB_API_URL``)."""
    issues = state or GitHubIssues()
    handler = type("GitHubHandler", (_Handler,), {"state": issues})
    with serve_http(handler) as base:
        issues.url = base
        yield issues
