"""One HTTP exchange on the wire, bounded: a total deadline and a cap on the decoded answer.

httpx and httpcore bound each socket operation, not a request: a server that sends one byte a second never
lets a read time out. Here every network operation of an exchange (name lookup, connect, TLS, each write and
each read, for headers and body alike) gets at most the time left until one deadline, so the exchange as a
whole ends by then (``sockets``). The answer is read as a stream and decoded here, in slices of at most
64 KiB, so neither an endless body nor a gzip bomb (a small body that inflates to gigabytes) is ever held
beyond ``max_bytes``.

A failure says whether the request may have reached the server (``sent``): a POST that may have been
received must not be sent again in the same run, while one that surely was not (the connection never
opened) may be. ``final`` marks failures that another attempt cannot mend (a bad URL, an illegal header).
"""

from __future__ import annotations

import re
import time
import urllib.request
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import httpcore
import httpx

from dailypapers.http.sockets import Backend, Deadline

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
TIMED_OUT = "no complete answer in time"
_SLICE = 64 * 1024
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# Failures before a request can have left: the connection was never made, or the request never built.
_UNSENT = (
    httpcore.ConnectError,
    httpcore.ConnectTimeout,
    httpcore.PoolTimeout,
    httpcore.UnsupportedProtocol,
    httpcore.ProxyError,  # the proxy would not open the tunnel: the server never saw the request
)


class WireError(Exception):
    """Why an exchange failed, in words for a user; ``sent``: the server may have the request."""

    def __init__(self, reason: str, *, sent: bool, final: bool = False) -> None:
        self.reason, self.sent, self.final = reason, sent, final
        super().__init__(reason)


@dataclass(frozen=True)
class Outgoing:
    """A request as the door builds it: ``headers`` already hold the User-Agent and the content type."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes = b""


@dataclass(frozen=True)
class Answer:
    """What came back: ``headers`` have lower-case names (a repeated field joined with ", "), ``body`` is
    decoded; ``attempts`` is how many times a POST was sent, ``asked_wait`` the wait its server asked for when
    that passed ``max_wait`` and the POST was not sent again (neither is recorded)."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    attempts: int = 1
    asked_wait: float | None = None


def describe_size(count: int) -> str:
    return f"{count / 2**20:g} MiB" if count >= 2**20 else f"{count:,} bytes"


# --- decoding -----------------------------------------------------------------------------------------------


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        yield data

    def end(self) -> None:
        pass


class _Inflate:
    """gzip or deflate, inflated at most ``_SLICE`` bytes at a time (zlib's ``max_length``)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._z = zlib.decompressobj(16 + zlib.MAX_WBITS if name == "gzip" else zlib.MAX_WBITS)
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        if not self._started and self.name == "deflate" and data and data[0] & 0x0F != 8:
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as some servers send it
        self._started = self._started or bool(data)
        while data and not self._z.eof:
            yield self._z.decompress(data, _SLICE)
            data = self._z.unconsumed_tail

    def end(self) -> None:
        if self._started and not self._z.eof:
            raise zlib.error("the compressed body ends early")


def _decoder(encoding: str) -> _Identity | _Inflate:
    names = [name.strip().lower() for name in encoding.split(",") if name.strip()]
    names = [{"x-gzip": "gzip"}.get(name, name) for name in names if name != "identity"]
    if not names:
        return _Identity()
    if len(names) == 1 and names[0] in ("gzip", "deflate"):
        return _Inflate(names[0])
    raise WireError(f"the answer is encoded as {encoding!r}, which was not asked for", sent=True)


def read_body(stream: Iterable[bytes], encoding: str, max_bytes: int) -> bytes:
    """The decoded body, or WireError once the body (as sent or decoded) passes ``max_bytes``."""
    decoder = _decoder(encoding)
    body, raw = bytearray(), 0
    try:
        for chunk in stream:
            raw += len(chunk)
            for piece in decoder.feed(chunk):
                body += piece
                if max(raw, len(body)) > max_bytes:
                    raise WireError(f"the answer is larger than {describe_size(max_bytes)}", sent=True, final=True)
        decoder.end()
    except zlib.error as err:
        raise WireError(f"the body is not valid {encoding} ({err})", sent=True) from None
    return bytes(body)


# --- one exchange -------------------------------------------------------------------------------------------


def check_request(request: Outgoing) -> httpx.URL:
    """The request's URL, parsed; a URL or header that no attempt can send is a final WireError."""
    try:
        url = httpx.URL(request.url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise WireError("not a valid URL", sent=False, final=True) from None
    if url.scheme not in ("http", "https") or not url.host:
        raise WireError("not a valid http(s) URL", sent=False, final=True)
    if url.port is not None and not 0 < url.port < 65536:
        raise WireError("not a valid URL: no such port", sent=False, final=True)
    for name, value in request.headers.items():
        if not _TOKEN.fullmatch(name):
            raise WireError(f"{name!r} cannot be the name of an HTTP header", sent=False, final=True)
        if _BAD_VALUE.search(value) or not value.isascii():
            # the value is not shown: it may be a token
            raise WireError(
                f"the {name} header holds a line break or a character HTTP does not allow", sent=False, final=True
            )
    return url


def proxy_for(url: httpx.URL) -> str | None:
    """The proxy the environment names for ``url`` (``HTTPS_PROXY``, ``HTTP_PROXY``, ``ALL_PROXY``, less
    ``NO_PROXY``), as httpx read it: a run behind a company proxy keeps working."""
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(url.scheme) or proxies.get("all")
    if not proxy or _bypassed(url.host, proxies.get("no", "")):
        return None
    return proxy


def _bypassed(host: str, no_proxy: str) -> bool:
    """``NO_PROXY``: ``*``, or hosts and domains (``example.org`` covers ``api.example.org``), ports ignored."""
    names = [name.strip().lower().lstrip(".").split(":")[0] for name in no_proxy.split(",") if name.strip()]
    return "*" in names or any(host == name or host.endswith("." + name) for name in names)


def _proxy(address: str) -> httpcore.Proxy:
    try:
        url = httpx.URL(address if "://" in address else f"http://{address}")
    except (httpx.InvalidURL, ValueError):
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        # the address is not shown: it may carry a password
        raise WireError("the proxy set in the environment is not an http(s) URL", sent=False, final=True)
    auth = (url.username, url.password) if url.username else None
    return httpcore.Proxy(str(url.copy_with(username=None, password=None)), auth=auth)


class Wire:
    """One connection (kept alive between exchanges; through a proxy when the environment names one), with a
    deadline for each exchange."""

    def __init__(self) -> None:
        self._deadline = Deadline()
        try:
            self._ssl = httpx.create_ssl_context()
        except OSError as err:  # ssl.SSLError is one
            reason = f"cannot load the certificate authorities (see SSL_CERT_FILE, SSL_CERT_DIR): {_one_line(str(err))}"
            raise WireError(reason, sent=False, final=True) from None
        self._pools: dict[str | None, httpcore.ConnectionPool] = {}

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()

    def _pool(self, url: httpx.URL) -> httpcore.ConnectionPool:
        proxy = proxy_for(url)
        if proxy not in self._pools:
            self._pools[proxy] = httpcore.ConnectionPool(
                ssl_context=self._ssl,
                proxy=_proxy(proxy) if proxy else None,
                max_connections=1,
                max_keepalive_connections=1,
                network_backend=Backend(self._deadline),
            )
        return self._pools[proxy]

    def exchange(self, request: Outgoing, deadline: float, max_bytes: int, *, skip_redirect: bool = True) -> Answer:
        """Send ``request`` and read its answer, all by ``deadline``; a redirect's body is not read."""
        url = check_request(request)
        core = _core_request(request, url)
        pool = self._pool(url)
        self._deadline.at = deadline
        try:
            return self._exchange(pool, core, str(url), max_bytes, skip_redirect)
        except httpcore.LocalProtocolError:
            raise WireError("the request could not be written (an illegal header?)", sent=False, final=True) from None
        except _UNSENT as err:
            raise WireError(_transport_reason(err, deadline), sent=False) from None
        except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError) as err:
            raise WireError(_transport_reason(err, deadline), sent=True) from None
        finally:
            self._deadline.at = None

    @staticmethod
    def _exchange(
        pool: httpcore.ConnectionPool, core: httpcore.Request, url: str, max_bytes: int, skip_redirect: bool
    ) -> Answer:
        response = pool.handle_request(core)
        try:
            headers = _headers(response.headers)
            if skip_redirect and response.status in REDIRECTS and "location" in headers:
                return Answer(url, response.status, headers, b"")
            stream = response.stream
            if not isinstance(stream, Iterable):  # pragma: no cover - httpcore's sync pool gives an iterable
                raise WireError("the answer cannot be read", sent=True)
            body = read_body(stream, headers.get("content-encoding", ""), max_bytes)
            return Answer(url, response.status, headers, body)
        finally:
            response.close()


REDIRECTS = frozenset({301, 302, 303, 307, 308})


def _core_request(request: Outgoing, url: httpx.URL) -> httpcore.Request:
    built = httpx.Request(request.method, url, headers=dict(request.headers), content=request.body or None)
    return httpcore.Request(
        method=request.method,
        url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path),
        headers=built.headers.raw,
        content=request.body,
    )


def _headers(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in raw:
        key, text = name.decode("latin-1").lower(), value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return headers


def _transport_reason(err: Exception, deadline: float) -> str:
    if isinstance(err, httpcore.TimeoutException) or time.monotonic() >= deadline:
        return TIMED_OUT
    if isinstance(err, httpcore.ConnectError):
        return f"connection failed: {_one_line(str(err)) or 'ConnectError'}"
    if isinstance(err, httpcore.ProxyError):
        return f"the proxy refused the connection: {_one_line(str(err)) or 'ProxyError'}"
    if isinstance(err, httpcore.RemoteProtocolError):
        return f"the server broke the HTTP protocol: {_one_line(_unrepr(str(err))) or 'RemoteProtocolError'}"
    return f"connection failed: {type(err).__name__}{': ' if str(err) else ''}{_one_line(str(err))}"


_BYTES_REPR = re.compile(r"""bytearray\(b('[^']*'|"[^"]*")\)|\bb('[^']*'|"[^"]*")""")


def _unrepr(text: str) -> str:
    """h11 quotes the offending bytes as Python writes them (``bytearray(b'x')``); the user reads ``'x'``."""
    return _BYTES_REPR.sub(lambda found: found.group(1) or found.group(2), text)


def _one_line(text: str) -> str:
    return " ".join(text.split())[:200]
