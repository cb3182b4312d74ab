"""The door's bounds, against hostile servers on loopback: a total deadline, a cap on the decoded answer,
redirects on the same host only, one line for every malformed answer, and no retry where none can help.

Each class of failure is attacked with several variants (``hostile.py`` writes the bytes); a test asserts what
a user would see: the one error line, how many requests the server received, how long it took.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import ssl
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from click.testing import CliRunner

import hostile
from dailypapers.arxiv.api import ExportApi
from dailypapers.cli import cli
from dailypapers.errors import FeedError, FetchError
from dailypapers.http import Http, Recorder, retry_after, user_agent
from hostile import Scripted, scripted

FEED = b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>ok</title></feed>'
TIMEOUT = 0.5


def client(**options: object) -> Http:
    settings: dict[str, object] = {
        "user_agent": user_agent("ada@example.org"),
        "delay": 0.0,
        "max_attempts": 2,
        "timeout": 5.0,  # a loaded machine must not turn a good answer into a timeout
        "max_wait": 0.1,
        "max_bytes": 1024 * 1024,
    }
    settings.update(options)
    return Http(**settings)  # type: ignore[arg-type]


def fails(server: Scripted, **options: object) -> tuple[str, float]:
    """The one error line of a GET to ``server``, and the seconds it took."""
    started = time.monotonic()
    with client(**options) as http, pytest.raises(FetchError) as caught:
        http.get(server.url, {"search_query": "cat:cs.DC"})
    line = str(caught.value)
    assert "\n" not in line and line.startswith(server.url), line
    return line, time.monotonic() - started


# --- a total deadline ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "act",
    [
        pytest.param(hostile.trickled_headers(0.05), id="headers, a byte every 50 ms"),
        pytest.param(hostile.trickled_headers(0.2), id="headers, a byte every 200 ms"),
        pytest.param(hostile.trickled_body(0.05), id="body, a byte every 50 ms"),
        pytest.param(
            hostile.trickle(hostile.HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + b"1\r\nx\r\n" * 400), id="chunks"
        ),
        pytest.param(hostile.trickle(b"HTTP/1.1 200 OK\r\n", 0.3), id="a status line, then silence"),
    ],
)
def test_a_trickling_server_cannot_hold_a_request_past_its_deadline(act: hostile.Act) -> None:
    with scripted(act) as server:
        line, took = fails(server, timeout=TIMEOUT)
    assert line.endswith(f"no complete answer within {TIMEOUT:g} s after 2 attempts"), line
    assert len(server.seen) == 2
    assert took < 2 * (TIMEOUT + 0.1) + 1.0, "max_attempts x (timeout + wait), and a little"


def test_a_trickle_that_ends_in_time_is_a_good_answer() -> None:
    answer_bytes = hostile.HEAD + b"Content-Length: 7\r\n\r\n<feed/>"
    with scripted(hostile.trickle(answer_bytes, 0.002)) as server, client(timeout=5.0) as http:
        answer = http.get(server.url, {})
    assert (answer.status, answer.body) == (200, b"<feed/>")


def test_the_deadline_covers_the_connection(tmp_path: Path) -> None:
    """A listening socket that never accepts: the connection itself must end by the deadline."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/api/query"
        fillers = [socket.socket() for _ in range(8)]
        for filler in fillers:  # fill the backlog: the next connection waits for an accept that never comes
            filler.setblocking(False)
            filler.connect_ex(listener.getsockname())
        started = time.monotonic()
        with client(max_attempts=1, timeout=TIMEOUT) as http, pytest.raises(FetchError):
            http.get(url, {})
        took = time.monotonic() - started
        for filler in fillers:
            filler.close()
    assert took < TIMEOUT + 1.0


# --- a cap on the decoded answer ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "act",
    [
        pytest.param(hostile.endless_body(), id="endless chunks"),
        pytest.param(hostile.gzip_bomb(), id="gzip bomb, chunked"),
        pytest.param(hostile.gzip_bomb(chunked=False), id="gzip bomb, to the end of the connection"),
        pytest.param(hostile.ok(b"x" * (2 * 1024 * 1024)), id="an honest answer over the cap"),
    ],
)
def test_an_answer_over_the_cap_fails_at_once(act: hostile.Act) -> None:
    with scripted(act) as server:
        line, took = fails(server)
    assert line.endswith("the answer is larger than 1 MiB after 1 attempt"), line
    assert len(server.seen) == 1, "no retry: the same request would bring the same answer"
    assert took < 5


def test_a_gzip_bomb_keeps_the_memory_of_a_run_low(tmp_path: Path) -> None:
    """``dailypapers run`` with the default cap (64 MiB) against a 4 GiB bomb: its peak memory (VmHWM, read
    by the process itself) stays well under 400 MiB, and it ends with one line."""
    config = tmp_path / "dailypapers.toml"
    config.write_text('[arxiv]\nmax_attempts = 1\n[[topics]]\nname = "compiler"\n', encoding="utf-8")
    program = (
        "import sys\nfrom dailypapers.cli import main\n"
        "try:\n    main()\nexcept SystemExit as end:\n    code = end.code\n"
        "peak = next(l for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
        "print(code, int(peak.split()[1]) // 1024)\n"
    )
    with scripted(hostile.gzip_bomb()) as server:
        environ = {**os.environ, "DAILYPAPERS_API_URL": server.url, "DAILYPAPERS_DELAY": "0"}
        done = subprocess.run(
            [sys.executable, "-c", program, "run", "--config", str(config)],
            capture_output=True,
            text=True,
            env=environ,
            timeout=120,
        )
    code, peak = done.stdout.split()
    errors = [line for line in done.stderr.splitlines() if line.startswith("dailypapers: error:")]
    assert code == "1" and errors == [
        f"dailypapers: error: {server.url}: the answer is larger than 64 MiB after 1 attempt"
    ]
    assert "Traceback" not in done.stderr
    assert int(peak) < 400, f"peak memory {peak} MiB"


def test_a_gzip_answer_is_read_whole() -> None:
    packed = gzip.compress(FEED)
    deflated = zlib.compress(FEED)
    raw_deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    bare = raw_deflate.compress(FEED) + raw_deflate.flush()
    acts = [
        hostile.ok(packed, b"Content-Encoding: gzip\r\n"),
        hostile.ok(packed, b"Content-Encoding: x-gzip\r\n"),
        hostile.ok(deflated, b"Content-Encoding: deflate\r\n"),
        hostile.ok(bare, b"Content-Encoding: deflate\r\n"),
        hostile.ok(FEED, b"Content-Encoding: identity\r\n"),
    ]
    with scripted(*acts) as server, client() as http:
        bodies = [http.get(server.url, {}).body for _ in acts]
    assert bodies == [FEED] * len(acts)
    assert server.seen[0].headers["accept-encoding"] == "gzip"


@pytest.mark.parametrize(
    ("act", "says"),
    [
        (hostile.bad_gzip(), "the body is not valid gzip"),
        (hostile.truncated_gzip(), "the body is not valid gzip (the compressed body ends early)"),
        (hostile.ok(b"\x1f\x8b\x08\x00garbage", b"Content-Encoding: gzip\r\n"), "the body is not valid gzip"),
        (hostile.ok(b"plain", b"Content-Encoding: deflate\r\n"), "the body is not valid deflate"),
        (hostile.ok(FEED, b"Content-Encoding: br\r\n"), "encoded as 'br', which was not asked for"),
        (hostile.ok(FEED, b"Content-Encoding: gzip, gzip\r\n"), "encoded as 'gzip, gzip'"),
    ],
)
def test_a_body_that_is_not_what_it_claims_is_one_line(act: hostile.Act, says: str) -> None:
    with scripted(act) as server:
        line, _ = fails(server)
    assert says in line and line.endswith("after 2 attempts"), line


# --- HTTP that breaks its own grammar ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(hostile.BROKEN_HEADS))
def test_an_answer_that_breaks_http_is_one_line(kind: str) -> None:
    with scripted(hostile.broken(kind)) as server:
        line, took = fails(server)
    assert line.endswith("after 2 attempts") and took < 5, line
    assert "Traceback" not in line


@pytest.mark.parametrize(
    ("url", "agent", "says"),
    [
        ("ftp://127.0.0.1/api/query", None, "not a valid http(s) URL"),
        ("http:///api/query", None, "not a valid http(s) URL"),
        ("http://127.0.0.1:99999/api/query", None, "not a valid URL"),
        ("http://[::1/api/query", None, "not a valid URL"),
        (None, "dailypapers\r\nX-Injected: yes", "the User-Agent header holds a line break"),
        (None, "dailypapers (mailto:ada@exämple.org)", "the User-Agent header holds a line break or a character"),
    ],
)
def test_a_request_that_cannot_be_sent_fails_at_once(url: str | None, agent: str | None, says: str) -> None:
    with scripted(hostile.ok(FEED)) as server:
        options: dict[str, object] = {"user_agent": agent} if agent else {}
        waits: list[float] = []
        with client(sleep=waits.append, **options) as http, pytest.raises(FetchError) as caught:
            http.get(url or server.url, {})
    assert says in str(caught.value) and "after 1 attempt" in str(caught.value), str(caught.value)
    assert server.seen == [] and waits == [], "nothing sent, no backoff"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 451])
def test_a_client_error_is_not_asked_again(status: int) -> None:
    refusal = hostile.refuse(status, body=b"<html>no</html>")
    with scripted(refusal) as server, client() as http, pytest.raises(FeedError) as caught:
        ExportApi(http, server.url).search("cat:cs.DC")
    assert f"HTTP {status}" in str(caught.value) and "\n" not in str(caught.value)
    assert len(server.seen) == 1


def test_408_and_5xx_are_asked_again() -> None:
    acts = [hostile.refuse(408), hostile.refuse(500), hostile.refuse(502), hostile.refuse(504), hostile.ok(FEED)]
    with scripted(*acts) as server, client(max_attempts=5) as http:
        assert http.get(server.url, {}).body == FEED
    assert len(server.seen) == 5


# --- Retry-After ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("7", 7.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("\xb2", None),  # SUPERSCRIPT TWO: str.isdigit says yes
        ("\u0663", None),  # ARABIC-INDIC DIGIT THREE
        ("-5", None),
        ("1.5", None),
        ("1e3", None),
        ("0x10", None),
        ("", None),
        ("soon", None),
        ("1" + "0" * 40, 1e9),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("Fri, 31 Dec 9999 23:59:59 GMT", "far"),
        ("Fri, 31 Dec 9999 23:59:59 -0000", "far"),
        ("Mon, 99 Foo 2026 25:61:61 GMT", None),
        ("Mon, 01 Jan 0001 00:00:00 GMT", 0.0),
    ],
)
def test_retry_after_is_ascii_digits_or_an_http_date(value: str, seconds: float | str | None) -> None:
    found = retry_after({"Retry-After": value})
    if seconds == "far":
        assert found is not None and found > 1e9
    else:
        assert found == seconds


@pytest.mark.parametrize(
    "value", [b"\xb2", b"-5", b"1" + b"0" * 40, b"Fri, 31 Dec 9999 23:59:59 GMT", b"\xff\xfe", b"3, 3", b""]
)
def test_a_strange_retry_after_waits_at_most_max_wait(value: bytes) -> None:
    waits: list[float] = []
    refusal = hostile.refuse(503, b"Retry-After: " + value + b"\r\n")
    with scripted(refusal, hostile.ok(FEED)) as server, client(sleep=waits.append, max_wait=2.5) as http:
        assert http.get(server.url, {}).body == FEED
    assert len(waits) == 1 and 0 <= waits[0] <= 2.5


# --- redirects ------------------------------------------------------------------------------------------------


@pytest.fixture
def elsewhere() -> Iterator[Scripted]:
    with scripted(hostile.ok(FEED)) as other:
        yield other


@pytest.mark.parametrize(
    "where",
    [
        "http://localhost:{port}/api/query",  # another name for the machine is another host
        "http://127.0.0.2:{port}/api/query",
        "http://127.0.0.1:{port}/api/query",  # the same address on another port
        "//localhost:{port}/api/query",  # relative to the scheme
    ],
)
def test_a_redirect_to_another_host_is_an_error_naming_both(elsewhere: Scripted, where: str) -> None:
    port = elsewhere.base.rsplit(":", 1)[1]
    target = where.format(port=port)
    with scripted(hostile.redirect(target)) as server:
        line, _ = fails(server)
    assert "redirected (HTTP 302) to " in line and "not followed after 1 attempt" in line, line
    assert elsewhere.seen == [], "the other host is never asked"
    assert len(server.seen) == 1


def test_an_https_page_that_redirects_to_http_is_not_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    context = _tls(tmp_path, monkeypatch)
    with scripted(hostile.ok(FEED)) as plain, scripted(hostile.redirect(plain.url), tls=context) as server:
        line, _ = fails(server)
    assert f"redirected (HTTP 302) to {plain.url}" in line and plain.seen == []


def test_an_upgrade_to_https_on_the_same_host_is_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    context = _tls(tmp_path, monkeypatch)
    with (
        scripted(hostile.ok(FEED), tls=context) as secure,
        scripted(hostile.redirect(lambda handler: secure.base + handler.path, status=301)) as server,
        client() as http,
    ):
        answer = http.get(server.url, {"search_query": "cat:cs.DC"})
    assert answer.body == FEED and answer.url.startswith("https://127.0.0.1:")
    assert secure.seen[0].path == "/api/query?search_query=cat%3Acs.DC"


def _tls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1")
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # the door trusts it, as it would a company's authority
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    return context


def test_same_host_redirects_are_followed_and_each_hop_is_paced() -> None:
    hop = hostile.redirect(lambda handler: handler.path.replace("/api/query", "/api/query/next", 1), status=307)
    with scripted(hop, hostile.ok(FEED)) as server, client(delay=0.3) as http:
        assert http.get(server.url, {"search_query": "cat:cs.DC"}).body == FEED
        assert http.requests == 2
    first, second = server.seen
    assert second.path.startswith("/api/query/next?search_query=")
    assert second.time - first.time >= 0.29


def test_a_303_turns_a_form_post_into_a_get() -> None:
    with scripted(hostile.redirect("/answer", status=303), hostile.ok(FEED)) as server, client() as http:
        assert http.get(server.url, {"search_query": "ti:x"}, form=True).body == FEED
    assert [(seen.method, seen.path) for seen in server.seen] == [("POST", "/api/query"), ("GET", "/answer")]


def test_a_307_repeats_a_form_post_with_its_body() -> None:
    with scripted(hostile.redirect("/again", status=307), hostile.ok(FEED)) as server, client() as http:
        http.get(server.url, {"search_query": "ti:x"}, form=True)
    assert [seen.method for seen in server.seen] == ["POST", "POST"]
    assert server.seen[1].body == server.seen[0].body == b"search_query=ti%3Ax"


@pytest.mark.parametrize(
    ("acts", "says"),
    [
        ([hostile.redirect(lambda h: h.path)], "redirect loop"),
        ([hostile.redirect("/a"), hostile.redirect("/b"), hostile.redirect("/a")], "redirect loop: "),
        ([hostile.redirect(f"/hop{n}") for n in range(10)], "more than 5 redirects"),
        ([hostile.refuse(302)], "HTTP 302 without a usable Location"),
        ([hostile.refuse(301, b"Location: http://[bad\r\n")], "not followed"),
        ([hostile.refuse(301, b"Location:   \r\n")], "HTTP 301 without a usable Location"),
        ([hostile.redirect("ftp://127.0.0.1/x")], "not followed"),
    ],
)
def test_a_redirect_that_goes_nowhere_is_one_line(acts: list[hostile.Act], says: str) -> None:
    with scripted(*acts) as server:
        line, took = fails(server)
    assert says in line and "after 1 attempt" in line, line
    assert len(server.seen) <= 6 and took < 3


def test_record_keeps_the_answer_at_the_end_of_the_redirects(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "replay")
    recorder.start("2026-05-16T06:00:00+00:00")
    with (
        scripted(hostile.redirect("/moved", status=308), hostile.ok(FEED)) as server,
        client(recorder=recorder) as http,
    ):
        http.get(server.url, {"id_list": "2601.00001"})
    (saved,) = sorted((tmp_path / "replay").glob("answer-*.json"))
    record = json.loads(saved.read_text(encoding="utf-8"))
    assert record["status"] == 200 and record["url"].endswith("/moved")


# --- a proxy named by the environment -----------------------------------------------------------------------


def test_a_proxy_in_the_environment_carries_the_request_within_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    with scripted(hostile.ok(FEED), hostile.trickled_headers()) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.base)
        with client() as http:
            answer = http.get("http://export.arxiv.invalid/api/query", {"search_query": "cat:cs.DC"})
        line, _ = fails(proxy, timeout=TIMEOUT)
    assert answer.body == FEED
    assert proxy.seen[0].path == "http://export.arxiv.invalid/api/query?search_query=cat%3Acs.DC"
    assert "no complete answer within 0.5 s" in line


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "*", "localhost, 127.0.0.1:8080"])
def test_no_proxy_is_honoured(monkeypatch: pytest.MonkeyPatch, no_proxy: str) -> None:
    with scripted(hostile.ok(b"from the proxy")) as proxy, scripted(hostile.ok(FEED)) as server:
        monkeypatch.setenv("HTTP_PROXY", proxy.base)
        monkeypatch.setenv("NO_PROXY", no_proxy)
        with client() as http:
            assert http.get(server.url, {}).body == FEED
    assert proxy.seen == []


def test_a_proxy_that_is_no_url_is_one_line_without_its_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "socks5://user:pa55word@127.0.0.1:1080")
    with client() as http, pytest.raises(FetchError) as caught:
        http.get("http://export.arxiv.invalid/api/query", {})
    assert "the proxy set in the environment is not an http(s) URL" in str(caught.value)
    assert "pa55word" not in str(caught.value)


@pytest.mark.parametrize("value", ["100", "-1", "2147483648", "nan", '"64M"'])
def test_max_bytes_out_of_range_is_a_config_error(tmp_path: Path, value: str) -> None:
    config = tmp_path / "dailypapers.toml"
    config.write_text(f'[arxiv]\nmax_bytes = {value}\n[[topics]]\nname = "compiler"\n', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "dailypapers", "run", "--config", str(config)],
        capture_output=True,
        text=True,
        env={**os.environ, "DAILYPAPERS_API_URL": "http://127.0.0.1:9/api/query"},
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"dailypapers: error: {config}: arxiv.max_bytes: expected"), line


@pytest.mark.parametrize("act", [hostile.trickled_headers(0.05), hostile.trickled_body(0.05)], ids=["headers", "body"])
def test_a_run_against_a_trickling_arxiv_ends_in_time_with_one_line(tmp_path: Path, act: hostile.Act) -> None:
    """The issue's case: ``dailypapers run`` against a server that sends a byte at a time ends within
    ``max_attempts × (timeout + max_wait)``, exits 1 with one line, and leaves no page behind."""
    config = tmp_path / "dailypapers.toml"
    config.write_text(
        '[arxiv]\ntimeout = 0.5\nmax_attempts = 3\nmax_wait = 0.2\n[[topics]]\nname = "compiler"\n', encoding="utf-8"
    )
    with scripted(act) as server:
        started = time.monotonic()
        result = CliRunner().invoke(
            cli,
            ["run", "--config", str(config)],
            env={"DAILYPAPERS_API_URL": server.url, "DAILYPAPERS_DELAY": "0"},
        )
        took = time.monotonic() - started
    assert result.exit_code == 1 and len(server.seen) == 3
    assert [line for line in result.stderr.splitlines() if "error" in line][1:] == [], result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"dailypapers: error: {server.url}: no complete answer within 0.5 s after 3 attempts"
    )
    assert took < 3 * (0.5 + 0.2) + 1.5
    assert not (tmp_path / "README.md").exists()


def test_a_proxy_that_refuses_the_tunnel_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """http.server answers CONNECT with 501: the tunnel to the https server is never opened."""
    with scripted(hostile.ok(FEED)) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.base)
        with client() as http, pytest.raises(FetchError) as caught:
            http.get("https://export.arxiv.invalid/api/query", {})
    line = str(caught.value)
    assert "the proxy refused the connection" in line and line.endswith("after 2 attempts") and "\n" not in line


def test_authorities_that_cannot_be_loaded_are_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))
    with scripted(hostile.ok(FEED)) as server, client() as http, pytest.raises(FetchError) as caught:
        http.get(server.url, {})
    assert "cannot load the certificate authorities" in str(caught.value) and server.seen == []
