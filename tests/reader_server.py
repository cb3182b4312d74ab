"""The reader, running for real: uvicorn on a socket bound to 127.0.0.1:0 in a thread, over a real store.

No test client: requests go through the socket, the HTTP parser and the middleware as a browser's would. The
store is opened in the server's thread, which is the only one that uses it (as in ``dailypapers serve``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from dailypapers.config import load_config
from dailypapers.pipeline.context import Environment, quiet, system_clock
from dailypapers.serve.server import bind, make_server, reader_app, url_of
from dailypapers.store import Store

STARTED = 5.0  # seconds the server gets to start


@dataclass(frozen=True)
class Running:
    url: str
    port: int
    database: Path


@contextmanager
def running_reader(config_path: Path) -> Iterator[Running]:
    config = load_config(config_path)
    env = Environment(config=config, now=system_clock, log=quiet)
    sock = bind("127.0.0.1", 0)
    servers: list[object] = []
    ready = threading.Event()

    def serve() -> None:
        with Store.open(config.database, 1.0) as store:
            server = make_server(reader_app(env, store, sock, "127.0.0.1"))
            servers.append(server)
            ready.set()
            server.run(sockets=[sock])

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        if not ready.wait(STARTED) or not _wait_started(servers[0]):
            raise RuntimeError("the reader did not start")
        yield Running(url_of(sock), sock.getsockname()[1], config.database)
    finally:
        if servers:
            servers[0].should_exit = True  # type: ignore[attr-defined]
        thread.join(STARTED)
        sock.close()


def _wait_started(server: object) -> bool:
    for _ in range(int(STARTED / 0.02)):
        if getattr(server, "started", False):
            return True
        threading.Event().wait(0.02)
    return False


def session(client: httpx.Client, url: str) -> str:
    """GET the inbox with ``client`` (which keeps its cookie) and return the page's token."""
    page = client.get(url)
    page.raise_for_status()
    found = re.search(r'hx-headers=\'\{"X-CSRF-Token": "([0-9a-f]+)"\}\'', page.text)
    if found is None:
        raise AssertionError("the page carries no token")
    return found.group(1)


def post_headers(url: str, token: str | None) -> dict[str, str]:
    """What the reader's own page sends with a POST: its Origin and (unless None) its token."""
    headers = {"Origin": url.rstrip("/")}
    if token is not None:
        headers["X-CSRF-Token"] = token
    return headers
