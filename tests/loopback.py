"""Real servers on loopback for the delivery tests: an SMTP server (aiosmtpd) and HTTP servers (http.server).

Each server runs in a thread on a port the system picks, and stops when its ``with`` block ends.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import socketserver
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

HOST = "127.0.0.1"
# How often a serving thread looks for a shutdown: the default half second would slow every test's teardown.
POLL_INTERVAL = 0.05

Server = TypeVar("Server", bound=socketserver.BaseServer)


def free_port() -> int:
    """A loopback port nothing listens on (the system gave it out and took it back)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


# --- SMTP ---------------------------------------------------------------------------------------------------


@contextmanager
def smtp_server(handler: object, **controller_options: Any) -> Iterator[int]:
    """An aiosmtpd server on loopback calling ``handler``'s hooks; yields its port. ``controller_options`` go to
    aiosmtpd's ``Controller`` (``tls_context``, ``authenticator``, ``auth_require_tls``, ...)."""
    controller = Controller(handler, hostname=HOST, port=free_port(), **controller_options)
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


@dataclass
class Mailbox:
    """An aiosmtpd handler: each message it accepted, once per recipient, and the recipients it refuses."""

    messages: list[tuple[str, EmailMessage]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook names
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        content = envelope.content or b""
        assert isinstance(content, bytes), "aiosmtpd decodes nothing unless told to"
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages += [(recipient, message) for recipient in envelope.rcpt_tos]
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for recipient, message in self.messages if recipient == address]


# --- HTTP ---------------------------------------------------------------------------------------------------


@contextmanager
def running(server: Server) -> Iterator[Server]:
    """``server`` serving in a daemon thread until the block ends; then it is shut down and its socket closed."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL_INTERVAL}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


class LoopbackHTTPServer(ThreadingHTTPServer):
    """A ``ThreadingHTTPServer`` that is silent when a client hangs up before its answer: the timeout tests do
    that on purpose, and the handler's thread may outlive the test that would have captured the traceback."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve_http(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A ``LoopbackHTTPServer`` with ``handler`` on a free loopback port; yields its base URL, without a slash."""
    with running(LoopbackHTTPServer((HOST, 0), handler)) as server:
        yield f"http://{HOST}:{server.server_address[1]}"


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that keeps the test output clean, with the two steps every test server repeats."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def read_body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def answer(self, status: int, reply: bytes = b"", headers: Mapping[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


@dataclass
class WebhookReceiver:
    """A JSON webhook endpoint: the bodies it accepted, and the status it answers with (only 200 accepts)."""

    bodies: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    url: str = ""


@contextmanager
def webhook_receiver(path: str) -> Iterator[WebhookReceiver]:
    """A running ``WebhookReceiver`` whose ``url`` is ``path`` on its loopback port (any path is answered)."""
    received = WebhookReceiver()

    class Handler(QuietHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
            body = self.read_body()
            if received.status == 200:
                received.bodies.append(json.loads(body))
            self.answer(received.status)

    with serve_http(Handler) as base:
        received.url = base + path
        yield received
