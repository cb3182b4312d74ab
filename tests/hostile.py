"""Hostile answers for the loopback servers: what a broken or malicious server sends, byte by byte.

Each function returns an ``Act``: it takes a request handler whose request has been read and writes its own
answer on the raw connection (``handler.wfile`` is unbuffered), then closes it. The arXiv stand-in runs one
with ``server.misbehave(act, times, only=...)``, the fault matrix's webhook receiver with ``hooks.fail``, and
``scripted(act, ...)`` is a server of its own that answers each request with the next act. Slow acts stop as
soon as the client hangs up.

    trickle(b"HTTP/1.1 200 OK\\r\\n...", step=0.05)   # one byte every 50 ms: headers that never end in time
    gzip_bomb()                                       # a few KiB on the wire, gigabytes once inflated
"""

from __future__ import annotations

import random
import ssl
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from itertools import chain

from loopback import HOST, LoopbackHTTPServer, QuietHandler, running

Act = Callable[[BaseHTTPRequestHandler], None]
LONGEST = 20.0  # seconds a slow act goes on at most, whether or not the client is still there
# Every act closes the connection after its answer, and says so: a client must not send its next request there.
HEAD = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/atom+xml; charset=utf-8\r\n"


def _send(handler: BaseHTTPRequestHandler, pieces: Iterator[bytes], step: float = 0.0) -> None:
    """Write ``pieces`` one by one (``step`` seconds apart), until they end, the client leaves or time is up."""
    handler.close_connection = True
    ends = time.monotonic() + LONGEST
    try:
        for piece in pieces:
            handler.wfile.write(piece)
            time.sleep(step)
            if time.monotonic() > ends:
                break
    except OSError:  # the client hung up: what a client that gives up does
        pass


def raw(answer: bytes) -> Act:
    """Send ``answer`` as it is (status line, headers and body), then close."""
    return lambda handler: _send(handler, iter([answer]))


def trickle(answer: bytes, step: float = 0.05) -> Act:
    """Send ``answer`` one byte every ``step`` seconds: no read ever waits long, the whole never ends in time."""
    return lambda handler: _send(handler, (answer[i : i + 1] for i in range(len(answer))), step)


def trickled_headers(step: float = 0.05) -> Act:
    body = b"<feed/>"
    return trickle(HEAD + b"X-Padding: " + b"." * 400 + b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body, step)


def trickled_body(step: float = 0.05) -> Act:
    body = b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">' + b" " * 2000 + b"</feed>"
    head = HEAD + b"Content-Length: %d\r\n\r\n" % len(body)
    return lambda handler: _send(handler, iter([head, *(body[i : i + 1] for i in range(len(body)))]), step)


def _chunked(pieces: Iterator[bytes]) -> Iterator[bytes]:
    for piece in pieces:
        if piece:
            yield b"%x\r\n%s\r\n" % (len(piece), piece)


def endless_body() -> Act:
    """HTTP 200 with a chunked body that never ends: a megabyte of XML-looking text after another."""
    block = b"<entry>" + b"x" * (1024 * 1024 - 15) + b"</entry>"

    def act(handler: BaseHTTPRequestHandler) -> None:
        head = HEAD + b"Transfer-Encoding: chunked\r\n\r\n"
        _send(handler, chain([head], _chunked(_forever(block))))

    return act


def _forever(block: bytes) -> Iterator[bytes]:
    while True:
        yield block


def _inflating(total: int) -> Iterator[bytes]:
    """A gzip stream of ``total`` zero bytes, made as it is sent: about 1 KiB on the wire per MiB inflated."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1024 * 1024)
    for _ in range(total // len(zeros)):
        yield packer.compress(zeros)
    yield packer.flush()


def gzip_bomb(gigabytes: int = 4, chunked: bool = True) -> Act:
    """``Content-Encoding: gzip`` over a body that inflates to ``gigabytes`` GiB of zeros."""

    def act(handler: BaseHTTPRequestHandler) -> None:
        stream = _inflating(gigabytes * 2**30)
        if chunked:
            head = HEAD + b"Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
            _send(handler, chain([head], _chunked(stream)))
        else:  # no length, no chunks: the body ends when the connection does
            _send(handler, chain([HEAD + b"Content-Encoding: gzip\r\nConnection: close\r\n\r\n"], stream))

    return act


def bad_gzip(body: bytes = b"<?xml version='1.0'?><feed>not compressed at all</feed>") -> Act:
    """``Content-Encoding: gzip`` over a body that is not gzip."""
    return raw(HEAD + b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(body) + body)


def truncated_gzip() -> Act:
    """A gzip body cut in the middle, with a Content-Length that matches what is sent."""
    noise = random.Random(9).randbytes(20000).hex().encode()  # hardly compressible: the cut is mid-stream
    packed = zlib.compress(b"<feed>" + noise + b"</feed>", wbits=16 + zlib.MAX_WBITS)
    packed = packed[: len(packed) // 2]
    return raw(HEAD + b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(packed) + packed)


def redirect(location: str | Callable[[BaseHTTPRequestHandler], str], status: int = 302) -> Act:
    """HTTP ``status`` to ``location`` (or to what it gives for the request)."""

    def act(handler: BaseHTTPRequestHandler) -> None:
        where = location(handler) if callable(location) else location
        head = f"HTTP/1.1 {status} Moved\r\nConnection: close\r\nLocation: {where}\r\nContent-Length: 0\r\n\r\n"
        _send(handler, iter([head.encode("latin-1")]))

    return act


def refuse(status: int, headers: bytes = b"", body: bytes = b"no") -> Act:
    """HTTP ``status`` with raw header lines (``b"Retry-After: \\xb2\\r\\n"``): any bytes at all."""
    head = b"HTTP/1.1 %d Refused\r\nConnection: close\r\n%sContent-Length: %d\r\n\r\n" % (status, headers, len(body))
    return raw(head + body)


BROKEN_HEADS = {
    "header without a colon": HEAD + b"this is not a header\r\nContent-Length: 2\r\n\r\nok",
    "status line of words": b"HTTP/1.1 two hundred OK\r\nContent-Length: 2\r\n\r\nok",
    "not HTTP at all": b"SSH-2.0-OpenSSH_9.6\r\n",
    "two lengths": HEAD + b"Content-Length: 2\r\nContent-Length: 5\r\n\r\nok",
    "length longer than the body": HEAD + b"Content-Length: 5000\r\n\r\nshort",
    "bad chunk size": HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n",
    "headers without end": HEAD + b"X-A: " + b"a" * 70000,
}


def broken(kind: str) -> Act:
    """An answer that breaks HTTP/1.1 in the way ``kind`` (a key of ``BROKEN_HEADS``) says."""
    return raw(BROKEN_HEADS[kind])


def ok(body: bytes = b"<feed/>", headers: bytes = b"") -> Act:
    """A plain HTTP 200 with ``body`` (and raw ``headers`` lines)."""
    return raw(HEAD + headers + b"Content-Length: %d\r\n\r\n" % len(body) + body)


# --- a server that answers from a script ---------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes
    time: float  # time.monotonic()


@dataclass
class Scripted:
    """What a scripted server was asked (``seen``) and where it listens (``url``, ``base``)."""

    acts: list[Act]
    base: str = ""
    seen: list[Seen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.base + "/api/query"

    def next_act(self) -> Act:
        return self.acts.pop(0) if len(self.acts) > 1 else self.acts[0]


@contextmanager
def scripted(*acts: Act, tls: ssl.SSLContext | None = None) -> Iterator[Scripted]:
    """A loopback server answering its requests with ``acts`` in order, the last one repeating."""
    state = Scripted(list(acts))

    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's hook name
            body = self.read_body()
            headers = {name.lower(): value for name, value in self.headers.items()}
            state.seen.append(Seen(self.command, self.path, headers, body, time.monotonic()))
            state.next_act()(self)

        do_POST = do_GET  # noqa: N815

    server = LoopbackHTTPServer((HOST, 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    with running(server):
        state.base = f"{'https' if tls else 'http'}://{HOST}:{server.server_address[1]}"
        yield state
