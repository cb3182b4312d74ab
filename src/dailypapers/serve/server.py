"""Running the reader: bind the socket, start uvicorn on it, stop cleanly on Ctrl-C.

The socket is bound here rather than by uvicorn so that a port in use is one line naming it (uvicorn would log
and exit on its own), so that ``--port 0`` can print the port the system chose, and so that the URL is printed
only once the reader can answer.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import socket
import threading
import webbrowser
from collections.abc import Callable

import uvicorn
from starlette.applications import Starlette

from dailypapers.errors import ServeError
from dailypapers.pipeline.context import Environment
from dailypapers.serve import create_app
from dailypapers.serve.guard import allowed_hosts
from dailypapers.store import Store, database_errors, existing_database

GRACE = 2.0  # seconds open requests get to finish after Ctrl-C


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach ``host`` (``localhost`` counts)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str) -> str | None:
    """The warning a non-loopback address deserves, or None."""
    if is_loopback(host):
        return None
    return (
        f"serving on {host}: anyone who can reach this machine can read and change the archive; "
        "put an authenticating reverse proxy in front, or use the default --host 127.0.0.1"
    )


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``; a port in use or an address not of this machine is one line."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        # IPPROTO_TCP named, not left 0: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on sockets whose
        # protocol says TCP, and with it on, each request on a kept-alive connection waits 40 ms for an ACK.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    except OSError as err:
        raise ServeError(
            f"cannot listen on {host}: {err.strerror or err}; give --host an address of this machine"
        ) from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as err:
        sock.close()
        if err.errno == errno.EADDRINUSE:
            raise ServeError(f"{host}:{port} is in use; choose another --port (0 picks a free one)") from None
        raise ServeError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def make_server(app: Starlette) -> uvicorn.Server:
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=int(GRACE)
    )
    return uvicorn.Server(config)


def reader_app(env: Environment, store: Store, sock: socket.socket, host: str) -> Starlette:
    return create_app(env, store, allowed_hosts(host, sock.getsockname()[1]))


def serve_forever(env: Environment, host: str, port: int, open_browser: bool, warn: Callable[[str], None]) -> None:
    """Serve the reader until Ctrl-C (or SIGTERM): then let open requests finish and return. Its URL, and a
    warning for an address others can reach, go to the log (standard error)."""
    database = existing_database(env.config.database)
    if (warning := exposure_warning(host)) is not None:
        warn(warning)
    sock = bind(host, port)
    # uvicorn handles Ctrl-C once it runs, then re-raises it; one that comes earlier is the same request to stop
    with (
        contextlib.suppress(KeyboardInterrupt),
        sock,
        database_errors(database, env.config.busy_timeout),
        Store.open(database, 1.0) as store,
    ):
        server = make_server(reader_app(env, store, sock, host))
        url = url_of(sock)
        env.log(f"reading {database} at {url} (Ctrl-C stops)")
        if open_browser:
            _open_when_started(server, url)
        server.run(sockets=[sock])


def _open_when_started(server: uvicorn.Server, url: str) -> None:
    def opener() -> None:
        for _ in range(100):
            if server.started:
                webbrowser.open(url)
                return
            threading.Event().wait(0.05)

    threading.Thread(target=opener, daemon=True).start()
