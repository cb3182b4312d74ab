"""Cross-site requests against the real reader: every POST that does not come from its own page is refused
(403, or 400 for a foreign Host) and writes nothing, read back through a second connection to the database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from reader_server import Running, post_headers, running_reader, session
from reader_world import second_run_ids, seed_archive
from signals_world import signal_rows

PAPER = second_run_ids()[0]


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    config, _ = seed_archive(tmp_path_factory.mktemp("guard"))
    with running_reader(config) as running:
        yield running


@pytest.fixture()
def client(reader: Running) -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as client:
        yield client


def star(client: httpx.Client, reader: Running, headers: dict[str, str], **options: object) -> httpx.Response:
    return client.post(f"{reader.url}papers/{PAPER}/star", headers=headers, **options)  # type: ignore[arg-type]


def refused(answer: httpx.Response, reader: Running, status: int = 403) -> None:
    assert answer.status_code == status, answer.text
    assert answer.text.count("\n") == 1 and "<" not in answer.text
    assert signal_rows(reader.database) == []


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        None,
        "null",
        "",
        "https://127.0.0.1:{port}",
        "http://localhost:{port}",
        "http://127.0.0.1",
        "http://127.0.0.1:{port}/",
        "http://127.0.0.1:{port}.evil.example",
        "http://evil.example/http://127.0.0.1:{port}",
    ],
    ids=["other-site", "absent", "null", "empty", "scheme", "name", "no-port", "slash", "suffix", "path"],
)
def test_a_post_from_another_origin_is_refused(reader: Running, client: httpx.Client, origin: str | None) -> None:
    token = session(client, reader.url)
    headers = {"X-CSRF-Token": token}
    if origin is not None:
        headers["Origin"] = origin.format(port=reader.port)
    refused(star(client, reader, headers), reader)


def test_a_post_without_the_token_is_refused(reader: Running, client: httpx.Client) -> None:
    session(client, reader.url)
    refused(star(client, reader, post_headers(reader.url, None)), reader)
    refused(star(client, reader, post_headers(reader.url, None), data={"csrf_token": ""}), reader)
    refused(star(client, reader, post_headers(reader.url, "0" * 64)), reader)


def test_the_token_of_another_session_is_refused(reader: Running, client: httpx.Client) -> None:
    with httpx.Client(timeout=5) as other:
        foreign = session(other, reader.url)
    session(client, reader.url)
    refused(star(client, reader, post_headers(reader.url, foreign)), reader)
    refused(star(client, reader, post_headers(reader.url, None), data={"csrf_token": foreign}), reader)


def test_the_right_token_without_its_cookie_is_refused(reader: Running) -> None:
    with httpx.Client(timeout=5) as client:
        token = session(client, reader.url)
    with httpx.Client(timeout=5) as fresh:
        refused(star(fresh, reader, post_headers(reader.url, token)), reader)


@pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example", "127.0.0.1:1", "127.0.0.1", "[::2]:{port}"])
def test_a_foreign_host_is_400_even_when_origin_agrees(reader: Running, client: httpx.Client, host: str) -> None:
    token = session(client, reader.url)
    named = host.format(port=reader.port)
    headers = {"Host": named, "Origin": f"http://{named}", "X-CSRF-Token": token}
    refused(star(client, reader, headers), reader, 400)
    assert client.get(reader.url, headers={"Host": named}).status_code == 400


def test_every_loopback_name_with_the_port_is_answered(reader: Running, client: httpx.Client) -> None:
    for name in ("127.0.0.1", "localhost", "[::1]"):
        assert client.get(reader.url, headers={"Host": f"{name}:{reader.port}"}).status_code == 200


def test_a_signal_by_get_is_405_and_a_huge_body_413(reader: Running, client: httpx.Client) -> None:
    assert client.get(f"{reader.url}papers/{PAPER}/star").status_code == 405
    token = session(client, reader.url)
    big = {"csrf_token": token, "x": "y" * 70_000}
    refused(star(client, reader, post_headers(reader.url, token), data=big), reader, 413)
    chunked = (bytes(100) for _ in range(1000))  # no Content-Length: counted while read
    refused(star(client, reader, post_headers(reader.url, token), content=chunked), reader, 413)
    assert signal_rows(reader.database) == []


def test_the_same_origin_post_with_its_token_is_recorded(tmp_path: Path) -> None:
    """On an archive of its own: the refusals above share one and expect it unchanged, in any order."""
    config, _ = seed_archive(tmp_path)
    with running_reader(config) as reader, httpx.Client(timeout=5) as client:
        _recorded(reader, client)


def _recorded(reader: Running, client: httpx.Client) -> None:
    token = session(client, reader.url)
    assert star(client, reader, post_headers(reader.url, token)).status_code == 303
    assert [row[1:4:2] for row in signal_rows(reader.database)] == [(PAPER, "star")]
    assert star(client, reader, post_headers(reader.url, token), data={"csrf_token": token}).status_code == 303
    assert len(signal_rows(reader.database)) == 1  # a star on a starred paper changes nothing


def test_the_session_cookie_is_http_only_and_same_site_strict(reader: Running) -> None:
    answer = httpx.get(reader.url, timeout=5)
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("dailypapers_session=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
