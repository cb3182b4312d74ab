"""A total deadline for each SMTP exchange: connecting and logging in, one message, the goodbye.

smtplib's ``timeout`` bounds each socket operation; a server that trickles its greeting or a reply one byte at
a time keeps every read short and the session going for ever. A ``Watchdog`` gives each exchange ``timeout``
seconds in all and then shuts the connection down, which wakes the read that waits.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress


class Watchdog:
    """Shuts the connection down when an exchange passes ``timeout``.

    smtplib's socket timeout bounds each read, and a server that sends a byte at a time never lets one time
    out. Shutting the socket down (through a duplicate of it, which TLS leaves alone) wakes the read that
    waits, from another thread; the exchange then fails as a timeout.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.fired = False
        self._socket: socket.socket | None = None
        self._lock = threading.Lock()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self.close()
            self._socket = socket.socket(sock.family, sock.type, fileno=os.dup(sock.fileno()))
            if self.fired:
                self._shut()

    @contextmanager
    def exchange(self) -> Iterator[None]:
        self.fired = False
        timer = threading.Timer(self.timeout, self._fire)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            self._shut()

    def _shut(self) -> None:
        if self._socket is not None:
            with suppress(OSError):  # already closed by the other side
                self._socket.shutdown(socket.SHUT_RDWR)


class WatchedSmtp(smtplib.SMTP):
    """``smtplib.SMTP`` whose connection ``watchdog`` watches."""

    def __init__(self, watchdog: Watchdog, host: str, port: int, timeout: float) -> None:
        self._watchdog = watchdog
        super().__init__(host, port, timeout=timeout)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock: socket.socket = super()._get_socket(host, port, timeout)  # type: ignore[misc]
        self._watchdog.watch(sock)
        return sock


class WatchedSmtpSsl(smtplib.SMTP_SSL):
    """``smtplib.SMTP_SSL`` whose connection ``watchdog`` watches (the TLS handshake is bounded by Python)."""

    def __init__(self, watchdog: Watchdog, host: str, port: int, timeout: float, context: ssl.SSLContext) -> None:
        self._watchdog = watchdog
        super().__init__(host, port, timeout=timeout, context=context)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock: socket.socket = super()._get_socket(host, port, timeout)  # type: ignore[misc]
        self._watchdog.watch(sock)
        return sock
