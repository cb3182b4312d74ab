"""What keeps another web page, or another host name, from reading or changing the archive through the reader.

The reader listens on loopback, but any page the researcher's browser opens can send requests there. Three checks
stand in the way (plan in README "Reading your papers"):

- **Host allow-list**, on every request: only ``127.0.0.1:PORT``, ``localhost:PORT``, ``[::1]:PORT`` and the
  ``--host`` given. DNS rebinding (``evil.example`` resolving to 127.0.0.1) sends ``Host: evil.example``, so it
  gets 400. Starlette's ``TrustedHostMiddleware`` drops the port and misreads ``[::1]``, hence this one.
- **Origin**, on every POST: present and exactly ``http://`` + the request's Host. Browsers send it on every
  POST, so ``null`` or none at all is refused too.
- **A token**, on every POST: HMAC of the session cookie (``HttpOnly``, ``SameSite=Strict``) under a secret drawn
  when the server starts, sent in the ``X-CSRF-Token`` header (htmx) or the form field ``csrf_token``.

A refused POST is answered 403 before the endpoint runs: nothing is written. Every answer also carries a
Content-Security-Policy allowing nothing but the reader's own files (no inline script, no framing) and
``nosniff``, so even text that escaped escaping could not run.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, Iterable
from functools import wraps

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "dailypapers_session"
TOKEN_HEADER = "X-CSRF-Token"
TOKEN_FIELD = "csrf_token"
MAX_BODY = 64 * 1024  # a form of the reader is a few bytes; nothing it accepts comes near this
CSP = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
# "same-origin", not "no-referrer": no other site learns what the reader showed, but the reader's own plain forms
# keep their Origin (under "no-referrer" a browser sends ``Origin: null`` with a form's POST, which the guard refuses)
_HEADERS = {"content-security-policy": CSP, "x-content-type-options": "nosniff", "referrer-policy": "same-origin"}

Endpoint = Callable[[Request], Awaitable[Response]]


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The ``Host`` values the reader answers: the loopback names and the address it was told to bind, each
    with the port."""
    names = {"127.0.0.1", "localhost", "[::1]", f"[{host}]" if ":" in host else host}
    return frozenset(f"{name}:{port}" for name in names)


class HostGuard:
    """ASGI middleware: 400 for a Host not in the allow-list, security headers on every answer."""

    def __init__(self, app: ASGIApp, hosts: Iterable[str]) -> None:
        self.app = app
        self.hosts = frozenset(host.lower() for host in hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        host = _header(scope, b"host").lower()
        if host not in self.hosts:
            answer = PlainTextResponse(f"this reader does not answer for the host {host[:80]!r}\n", 400)
            await answer(scope, receive, secured)
            return
        await self.app(scope, receive, secured)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return ""


class Sessions:
    """The per-process secret, and the token each session's pages carry."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret if secret is not None else secrets.token_bytes(32)

    def token(self, session: str) -> str:
        return hmac.new(self._secret, session.encode(), hashlib.sha256).hexdigest()

    def session(self, request: Request) -> tuple[str, bool]:
        """The request's session, and whether it is new (then the answer sets the cookie)."""
        known = request.cookies.get(SESSION_COOKIE, "")
        return (known, False) if known else (secrets.token_urlsafe(32), True)

    @staticmethod
    def set_cookie(response: Response, session: str) -> None:
        # token_urlsafe: letters, digits, - and _ only, nothing to quote
        response.headers.append("set-cookie", f"{SESSION_COOKIE}={session}; HttpOnly; SameSite=Strict; Path=/")

    async def refusal(self, request: Request) -> str | None:
        """Why this POST is refused (one line), or None when it comes from the reader's own page."""
        origin, host = request.headers.get("origin"), request.headers.get("host", "")
        if origin != f"{request.url.scheme}://{host}":
            return "this request comes from another site (its Origin is not this reader's)"
        session = request.cookies.get(SESSION_COOKIE, "")
        given = request.headers.get(TOKEN_HEADER) or await _form_token(request)
        if not session or not given or not hmac.compare_digest(given, self.token(session)):
            return "this page's token is missing or stale"
        return None


async def _form_token(request: Request) -> str:
    if not request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/")):
        return ""
    form = await request.form(max_files=0, max_fields=20)
    value = form.get(TOKEN_FIELD)
    return value if isinstance(value, str) else ""


def _length(request: Request) -> int:
    """The declared body size; one that is not a number counts as too large."""
    text = request.headers.get("content-length") or "0"
    return int(text) if text.isdigit() else MAX_BODY + 1


async def _bounded_body(request: Request) -> bool:
    """Read the body, up to ``MAX_BODY`` bytes (a chunked body declares no length): whether it fits. What was read
    is kept, so the form is parsed from it."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return False
        chunks.append(chunk)
    request._body = b"".join(chunks)  # Request.stream() and .form() read a body already received from here
    return True


def guarded(endpoint: Endpoint) -> Endpoint:
    """An endpoint that changes the archive: it runs only for a POST from the reader's own page, else 403 (or
    413 for a body larger than any form of the reader)."""

    @wraps(endpoint)
    async def checked(request: Request) -> Response:
        if _length(request) > MAX_BODY or not await _bounded_body(request):
            return PlainTextResponse("this request is larger than any form of the reader\n", 413)
        sessions: Sessions = request.app.state.sessions
        reason = await sessions.refusal(request)
        if reason is not None:
            return PlainTextResponse(f"refused: {reason}; nothing was changed. Reload the reader's page.\n", 403)
        return await endpoint(request)

    return checked
