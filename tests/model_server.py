"""A language model's endpoint on loopback: ``POST /v1/chat/completions`` as OpenAI-compatible servers speak it.

Scripted per test: each request takes the next ``Reply`` of the script (a status, headers, a raw body, the
message's content, a delay), and once the script is spent the default: a good answer whose TL;DR names the
paper's title, so a test can tell whose summary it sees. Every request is recorded with its headers and JSON.
No client library is involved and nothing is patched: the product speaks HTTP to a real socket.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from loopback import LoopbackHTTPServer, QuietHandler, running

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Reply:
    """One scripted answer: ``content`` is the message's content (None: the default good one); ``body`` replaces
    the whole answer; ``delay`` seconds pass before anything is sent."""

    status: int = 200
    content: str | None = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    tokens: int = 120


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def title(self) -> str:
        """The paper's title, as the user message gives it."""
        user = self.body["messages"][-1]["content"]
        return str(user.split("\n", 1)[0].removeprefix("Title: "))


def tldr_of(title: str) -> str:
    """The default answer's TL;DR for a paper."""
    return f"In one line: {title}."


def good_content(request: Request) -> str:
    return json.dumps({"tldr": tldr_of(request.title), "problem": "a problem", "method": "a method", "result": "wins"})


class ModelServer:
    """The endpoint; ``url`` is its ``base_url`` (``…/v1``), ``requests`` what it received."""

    def __init__(self, script: list[Reply] | None = None, default: Callable[[Request], Reply] | None = None) -> None:
        self.script = list(script or [])
        self.default = default or (lambda request: Reply())
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.url = ""

    def reply(self, request: Request) -> tuple[int, dict[str, str], bytes, float]:
        with self.lock:
            self.requests.append(request)
            reply = self.script.pop(0) if self.script else self.default(request)
        if reply.body is not None:
            return reply.status, reply.headers, reply.body, reply.delay
        content = reply.content if reply.content is not None else good_content(request)
        answer = {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": request.body.get("model"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": reply.tokens - 20, "completion_tokens": 20, "total_tokens": reply.tokens},
        }
        return reply.status, reply.headers, json.dumps(answer).encode("utf-8"), reply.delay


@contextmanager
def model_server(
    script: list[Reply] | None = None, default: Callable[[Request], Reply] | None = None
) -> Iterator[ModelServer]:
    model = ModelServer(script, default)

    class Handler(QuietHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
            raw = self.read_body()
            try:
                body = json.loads(raw)
            except ValueError:
                body = {}
            request = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            if self.path != "/v1/chat/completions":
                status, headers, data, delay = 404, dict[str, str](), b'{"error": "not found"}', 0.0
            else:
                status, headers, data, delay = model.reply(request)
            time.sleep(delay)
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    with running(LoopbackHTTPServer((HOST, 0), Handler)) as server:
        model.url = f"http://{HOST}:{server.server_address[1]}/v1"
        yield model
