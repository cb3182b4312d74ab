"""Every network operation of an exchange bounded by one deadline: name lookup, connect, TLS, each write, each read.

httpcore bounds each socket operation with its own timeout; here a ``Backend`` hands httpcore streams whose every
operation gets at most the time left until ``Deadline.at``, so the exchange as a whole ends by then (``wire``).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterable
from typing import Any

import httpcore

WRITE_SLICE = 64 * 1024
"""The most written in one operation: a server that reads slowly cannot hold one long write past the deadline."""


class Deadline:
    """The moment (``time.monotonic()``) the current exchange must be over; None between exchanges."""

    def __init__(self) -> None:
        self.at: float | None = None

    def left(self, timeout: float | None, error: type[Exception]) -> float | None:
        """The time an operation may take: the lesser of its own timeout and what is left; none left raises."""
        if self.at is None:
            return timeout
        left = self.at - time.monotonic()
        if left <= 0:
            raise error("the deadline passed")
        return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    """A network stream whose every read, write and TLS handshake ends by the exchange's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._inner, self._deadline = inner, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        # In slices: a server that reads slowly must not hold one long write past the deadline.
        for start in range(0, len(buffer), WRITE_SLICE):
            piece = buffer[start : start + WRITE_SLICE]
            self._inner.write(piece, self._deadline.left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        # Python bounds a whole TLS handshake by the socket's timeout (ssl module, since 3.5).
        left = self._deadline.left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, left), self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class Backend(httpcore.NetworkBackend):
    """httpcore's own backend, with the name lookup and the connection bounded by the deadline too."""

    def __init__(self, deadline: Deadline) -> None:
        self._inner, self._deadline = httpcore.SyncBackend(), deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = _resolve(host, port, self._deadline.left(timeout, httpcore.ConnectTimeout))
        for address in addresses[:-1]:
            try:
                return self._connect(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError:
                continue
        return self._connect(addresses[-1], port, timeout, local_address, socket_options)

    def _connect(
        self, address: str, port: int, timeout: float | None, local: str | None, options: Iterable[Any] | None
    ) -> httpcore.NetworkStream:
        left = self._deadline.left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_tcp(address, port, left, local, options), self._deadline)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def _resolve(host: str, port: int, timeout: float | None) -> list[str]:
    """The addresses of ``host``, looked up in a thread so that a resolver that hangs cannot hold the run."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    found: list[list[str]] = []
    failed: list[OSError] = []

    def look_up() -> None:
        try:
            found.append([str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)])
        except OSError as err:
            failed.append(err)

    thread = threading.Thread(target=look_up, daemon=True)
    thread.start()
    thread.join(timeout)
    if found and found[0]:
        return found[0]
    if failed:
        raise httpcore.ConnectError(f"cannot find the address of {host}: {failed[0]}")
    raise httpcore.ConnectTimeout(f"no address for {host} in time")
