"""What is sent is bounded too: a JSON POST is repeated only when it surely did not arrive, an SMTP session
cannot be trickled into hanging, and an OAI-PMH list that does not move on ends the harvest.

Real servers on loopback throughout: the scripted HTTP server of ``hostile.py``, raw sockets that speak just
enough SMTP to stall, and the OAI-PMH stand-in (``oai_server.py``) with its stuck switches.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest
import trustme

import hostile
from arxiv_server import ArxivServer
from dailypapers.arxiv.oai import MAX_EMPTY_PAGES, harvest
from dailypapers.config import EmailSettings, Recipient
from dailypapers.deliver.email import SmtpSession
from dailypapers.errors import DeliveryError, FeedError, FetchError, UnconfirmedError
from dailypapers.http import Http, user_agent
from hostile import scripted
from loopback import HOST, QuietHandler, free_port, serve_http
from oai_server import generate_records, mount_oai

TOKEN = "ghp_s3cr3tT0ken"


def poster(**options: object) -> Http:
    settings: dict[str, object] = {
        "user_agent": user_agent("ada@example.org"),
        "delay": 0.0,
        "max_attempts": 3,
        "timeout": 5.0,
        "max_wait": 5.0,
        "backoff": 1.0,
    }
    settings.update(options)
    return Http(**settings)  # type: ignore[arg-type]


# --- POST: at most once per run, unless the server says it did nothing --------------------------------------


def test_a_post_is_json_with_the_callers_headers() -> None:
    with scripted(hostile.ok(b'{"number": 7}', b"Content-Type: application/json\r\n")) as server, poster() as http:
        answer = http.post_json(server.url, {"title": "Dailý"}, headers={"Authorization": f"Bearer {TOKEN}"})
    (seen,) = server.seen
    assert (answer.status, answer.body, answer.attempts) == (200, b'{"number": 7}', 1)
    assert seen.method == "POST" and seen.body == '{"title": "Dailý"}'.encode()
    assert seen.headers["content-type"] == "application/json; charset=utf-8"
    assert seen.headers["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize(
    ("act", "says"),
    [
        pytest.param(hostile.trickled_headers(0.05), "no complete answer within 0.5 s", id="trickled answer"),
        pytest.param(hostile.trickle(b"", 0.0), "broke the HTTP protocol", id="hangs up without a word"),
        pytest.param(hostile.broken("status line of words"), "broke the HTTP protocol", id="broken status line"),
        pytest.param(hostile.gzip_bomb(), "larger than", id="a bomb for an answer"),
        pytest.param(hostile.bad_gzip(), "not valid gzip", id="not gzip"),
        pytest.param(hostile.trickle(b"HTTP/1.1 201 Created\r\n", 0.4), "no complete answer", id="late"),
    ],
)
def test_a_post_that_may_have_arrived_is_not_sent_again(act: hostile.Act, says: str) -> None:
    waits: list[float] = []
    with (
        scripted(act) as server,
        poster(sleep=waits.append, max_bytes=65536, timeout=0.5) as http,
        pytest.raises(UnconfirmedError) as caught,
    ):
        http.post_json(server.url, {"text": "hi"})
    assert len(server.seen) == 1 and waits == []
    assert says in caught.value.reason and caught.value.reason.endswith("so it is not sent again in this run")
    assert "\n" not in str(caught.value)


def test_a_reset_after_the_body_is_not_sent_again() -> None:
    def reset(handler: object) -> None:
        import struct

        connection = handler.connection  # type: ignore[attr-defined]
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.close()

    with scripted(reset) as server, poster() as http, pytest.raises(UnconfirmedError):
        http.post_json(server.url, {"text": "hi"})
    assert len(server.seen) == 1


@pytest.mark.parametrize("status", [429, 503])
def test_429_and_503_say_nothing_was_done_so_the_post_is_sent_again(status: int) -> None:
    waits: list[float] = []
    refusal = hostile.refuse(status, b"Retry-After: 2\r\n")
    with scripted(refusal, hostile.ok(b"ok")) as server, poster(sleep=waits.append) as http:
        answer = http.post_json(server.url, {"text": "hi"})
    assert (answer.status, answer.attempts, waits, len(server.seen)) == (200, 2, [2.0], 2)


def test_429_to_the_end_returns_the_last_refusal() -> None:
    waits: list[float] = []
    with scripted(hostile.refuse(429, body=b"slow down")) as server, poster(sleep=waits.append) as http:
        answer = http.post_json(server.url, {"text": "hi"})
    assert (answer.status, answer.body, answer.attempts, waits) == (429, b"slow down", 3, [1.0, 2.0])


@pytest.mark.parametrize("status", [200, 201, 204, 301, 400, 401, 403, 404, 408, 422, 500, 502, 504])
def test_every_other_answer_comes_back_after_one_post(status: int) -> None:
    with scripted(hostile.refuse(status, b"Location: http://localhost:1/elsewhere\r\n")) as server, poster() as http:
        answer = http.post_json(server.url, {"text": "hi"})
    assert (answer.status, answer.attempts, len(server.seen)) == (status, 1, 1)


def test_a_refused_connection_is_tried_again_it_never_arrived() -> None:
    waits: list[float] = []
    url = f"http://{HOST}:{free_port()}/hook"
    with poster(sleep=waits.append) as http, pytest.raises(FetchError) as caught:
        http.post_json(url, {"text": "hi"})
    assert not isinstance(caught.value, UnconfirmedError)
    assert waits == [1.0, 2.0] and caught.value.attempts == 3
    assert "connection failed" in caught.value.reason


def test_a_connection_refused_first_then_accepted_is_delivered_once() -> None:
    port = free_port()
    seen: list[bytes] = []

    def later(wait: float) -> None:  # the server comes up while the sender waits
        if not seen:
            seen.append(b"up")
            threading.Thread(target=_serve_once, args=(port, seen), daemon=True).start()
            time.sleep(0.3)

    with poster(sleep=later) as http:
        answer = http.post_json(f"http://{HOST}:{port}/hook", {"text": "hi"})
    assert answer.status == 200 and answer.attempts == 2
    assert seen[1:] == [b'{"text": "hi"}']


def _serve_once(port: int, seen: list[bytes]) -> None:
    with socket.create_server((HOST, port)) as listener:
        connection, _ = listener.accept()
        with connection:
            data = b""
            while b"\r\n\r\n" not in data or not data.endswith(b"}"):
                data += connection.recv(65536)
            seen.append(data.split(b"\r\n\r\n", 1)[1])
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")


@pytest.mark.parametrize(
    ("url", "headers", "says"),
    [
        ("ftp://example.org/hook", {}, "not a valid http(s) URL"),
        ("http://127.0.0.1:9/hook", {"Authorization": f"Bearer {TOKEN}\n"}, "Authorization header holds a line"),
        ("http://127.0.0.1:9/hook", {"Authorization": f"Bearer {TOKEN}\r\nX-Evil: 1"}, "Authorization header"),
        ("http://127.0.0.1:9/hook", {"Bad Name": "x"}, "cannot be the name of an HTTP header"),
        ("http://127.0.0.1:9/hook", {"X-Name": "Lovelace\x00"}, "X-Name header holds"),
    ],
)
def test_a_post_that_cannot_be_sent_fails_at_once_without_showing_the_value(
    url: str, headers: dict[str, str], says: str
) -> None:
    waits: list[float] = []
    with poster(sleep=waits.append) as http, pytest.raises(FetchError) as caught:
        http.post_json(url, {"text": "hi"}, headers=headers)
    assert says in caught.value.reason and caught.value.attempts == 1 and waits == []
    assert TOKEN not in str(caught.value)


def test_a_redirect_is_returned_not_followed() -> None:
    with scripted(hostile.ok(b"ok")) as other, scripted(hostile.redirect(other.url, status=307)) as server:
        answer = poster().post_json(server.url, {"text": "hi"})
    assert answer.status == 307 and other.seen == []


# --- the webhook through the door -----------------------------------------------------------------------------


def test_a_webhook_that_answers_late_gets_one_post() -> None:
    from dailypapers.deliver.webhook import post_webhook

    late = hostile.trickle(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 0.2)
    with scripted(late) as server, pytest.raises(DeliveryError) as caught:
        post_webhook(server.url + f"/{TOKEN}", {"text": "hi"}, name="json:HOOK", user_agent="t", timeout=0.5)
    assert len(server.seen) == 1
    assert str(caught.value) == (
        "webhook to json:HOOK: no complete answer within 0.5 s; it may have arrived, so it is not sent again in "
        "this run"
    )


# --- SMTP: a deadline for each exchange -------------------------------------------------------------------------


Script = Callable[[socket.socket], None]


@contextmanager
def smtp_stall(script: Script, tls: ssl.SSLContext | None = None) -> Iterator[int]:
    """A raw TCP server on loopback running ``script`` on each connection (over TLS from the first byte with
    ``tls``); yields its port."""
    listener = socket.create_server((HOST, 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:  # closed: the test is over
                return
            threading.Thread(target=_run, args=(script, connection, tls), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()


def _run(script: Script, connection: socket.socket, tls: ssl.SSLContext | None) -> None:
    with connection, suppress(OSError):
        script(tls.wrap_socket(connection, server_side=True) if tls else connection)


def _drip(connection: socket.socket, text: bytes, step: float = 0.05) -> None:
    for index in range(len(text)):
        connection.sendall(text[index : index + 1])
        time.sleep(step)


def _reply_to(connection: socket.socket, *replies: bytes) -> None:
    """Read a command line, send a reply, for each of ``replies``."""
    for reply in replies:
        data = b""
        while not data.endswith(b"\n"):
            data += connection.recv(1)
        connection.sendall(reply)


def _trickled_greeting(connection: socket.socket) -> None:
    _drip(connection, b"220 " + b"slow " * 200 + b"\r\n")


def _trickled_ehlo(connection: socket.socket) -> None:
    connection.sendall(b"220 ready\r\n")
    data = b""
    while not data.endswith(b"\n"):
        data += connection.recv(1)
    _drip(connection, b"250-hello\r\n" * 50 + b"250 OK\r\n")


def _trickled_data_reply(connection: socket.socket) -> None:
    connection.sendall(b"220 ready\r\n")
    _reply_to(connection, b"250 hello\r\n", b"250 sender ok\r\n", b"250 recipient ok\r\n", b"354 go on\r\n")
    data = b""
    while not data.endswith(b"\r\n.\r\n"):
        data += connection.recv(65536)
    _drip(connection, b"250 " + b"queued " * 200 + b"\r\n")


def _endless_multiline(connection: socket.socket) -> None:
    connection.sendall(b"220 ready\r\n")
    _drip(connection, b"220-more\r\n" * 10_000, step=0.01)


@pytest.mark.parametrize(
    "script",
    [
        pytest.param(_trickled_greeting, id="greeting"),
        pytest.param(_trickled_ehlo, id="EHLO reply"),
        pytest.param(_trickled_data_reply, id="reply to the message"),
        pytest.param(_endless_multiline, id="a greeting that goes on and on"),
    ],
)
def test_an_smtp_server_that_trickles_cannot_hold_the_run(script: Script) -> None:
    with smtp_stall(script) as port:
        settings = EmailSettings(
            smtp_host=HOST,
            smtp_port=port,
            security="none",
            sender="Daily Papers <papers@example.org>",
            recipients=(Recipient("ada@example.org", ()),),
            timeout=0.5,
        )
        message = EmailMessage()
        message["Subject"] = "x"
        message.set_content("x")
        started = time.monotonic()
        with SmtpSession(settings, {}) as session, pytest.raises(DeliveryError) as caught:
            session.send(message, "ada@example.org")
        took = time.monotonic() - started
    assert str(caught.value) == f"email to ada@example.org: no answer from {HOST}:{port} within 0.5 s"
    assert took < 2.0, "one exchange, then the goodbye, each bounded by the timeout"


# --- OAI-PMH: a list must move on -------------------------------------------------------------------------------


@pytest.fixture
def oai_server() -> Iterator[ArxivServer]:
    with ArxivServer(generate_records(60, date(2026, 1, 5), seed=3)) as server:
        yield server


@pytest.mark.parametrize(("stuck", "says"), [("repeat", "came back"), ("empty", "pages in a row")])
def test_a_list_that_does_not_move_on_ends_the_harvest(oai_server: ArxivServer, stuck: str, says: str) -> None:
    oai = mount_oai(oai_server, page_size=10)
    oai.stuck = stuck
    pages = []
    with Http(user_agent="t", delay=0.0) as http, pytest.raises(FeedError) as caught:
        for page in harvest(http, oai.url, from_=date(2026, 1, 1)):
            pages.append(page)
    assert says in str(caught.value) and str(caught.value).startswith(oai.url)
    assert len(pages) == 1, "what does not move the list on is not handed on"
    assert oai.requests <= MAX_EMPTY_PAGES + 2


def test_a_token_cycle_ends_the_harvest(tmp_path: Path) -> None:
    tokens = ["a", "b", "c", "a", "b"]
    sent: list[str] = []

    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's hook name
            sent.append(self.path)
            token = tokens[min(len(sent) - 1, len(tokens) - 1)]
            self.answer(200, _deleted_page(len(sent), token), {"Content-Type": "text/xml"})

    with serve_http(Handler) as base, Http(user_agent="t", delay=0.0) as http, pytest.raises(FeedError) as caught:
        list(harvest(http, base + "/oai", from_=date(2026, 1, 1)))
    assert "resumption token 'a' came back" in str(caught.value)
    assert len(sent) == 4


def _deleted_page(number: int, token: str) -> bytes:
    """A ListRecords page with one deleted record: progress of a kind, with a token to go on."""
    return (
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-01-06T00:00:00Z</responseDate>'
        f'<request verb="ListRecords">x</request><ListRecords><record><header status="deleted">'
        f"<identifier>oai:arXiv.org:2601.{number:05d}</identifier><datestamp>2026-01-05</datestamp></header>"
        f"</record><resumptionToken>{token}</resumptionToken></ListRecords></OAI-PMH>"
    ).encode()


def test_a_trickle_over_implicit_tls_is_cut_at_the_deadline_too(tmp_path: Path) -> None:
    """TLS wraps the socket smtplib reads from; the watchdog shuts the connection under it down all the same."""
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    with smtp_stall(_trickled_ehlo, tls=context) as port:
        settings = EmailSettings(
            smtp_host=HOST,
            smtp_port=port,
            security="ssl",
            sender="Daily Papers <papers@example.org>",
            recipients=(Recipient("ada@example.org", ()),),
            ca_file=ca_file,
            timeout=0.5,
        )
        message = EmailMessage()
        message["Subject"] = "x"
        message.set_content("x")
        started = time.monotonic()
        with SmtpSession(settings, {}) as session, pytest.raises(DeliveryError) as caught:
            session.send(message, "ada@example.org")
        took = time.monotonic() - started
    assert str(caught.value) == f"email to ada@example.org: no answer from {HOST}:{port} within 0.5 s"
    assert took < 2.0
