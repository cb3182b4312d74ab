"""Careless servers on loopback that refuse credentials and echo them back, in each form a secret can take.

``EchoingLogin`` is an aiosmtpd authenticator that refuses every AUTH PLAIN and AUTH LOGIN with a 535 reply
quoting what it received (the password as is, in base64 with and without padding, AUTH PLAIN's token, AUTH
LOGIN's user name, percent-encoded, hex, JSON and HTML). ``echoing_hooks`` is a webhook endpoint whose error
body (the status is the test's choice) quotes the token of the URL it was called at, in the form its path names.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, quote_plus, unquote, urlsplit

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword, Session

from dailypapers.deliver.webhook import BODY_CHARS
from loopback import Mailbox, QuietHandler, serve_http, smtp_server


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda match: match.group().lower(), text)


ENCODINGS: dict[str, Callable[[str], str]] = {
    "as given": lambda secret: secret,
    "base64": lambda secret: _b64(secret.encode()),
    "base64 without padding": lambda secret: _b64(secret.encode()).rstrip("="),
    "URL-safe base64": lambda secret: base64.urlsafe_b64encode(secret.encode()).decode("ascii").rstrip("="),
    "base64 inside a longer blob": lambda secret: _b64(b"token=" + secret.encode() + b"; rejected"),
    "base64 one byte further in": lambda secret: _b64(b"t=" + secret.encode()),
    "percent-encoded": lambda secret: quote(secret, safe=""),
    "percent-encoded, lowercase hex": lambda secret: _lower_hex(quote(secret, safe="")),
    "form-encoded": lambda secret: quote_plus(secret, safe=""),
    "every byte percent-encoded": lambda secret: "".join(f"%{byte:02X}" for byte in secret.encode()),
    "hex": lambda secret: secret.encode().hex(),
    "HEX": lambda secret: secret.encode().hex().upper(),
    "JSON, ASCII only": lambda secret: json.dumps({"token": secret}),
    "JSON": lambda secret: json.dumps({"token": secret}, ensure_ascii=False),
    "HTML": lambda secret: f"<p>{html.escape(secret)}</p>",
    "HTML numeric references": lambda secret: "".join(f"&#{ord(char)};" for char in secret),
    "Python bytes": lambda secret: repr(secret.encode()),
    "Python str": lambda secret: repr(secret),
    "percent-encoded as Latin-1": lambda secret: quote(secret, safe="", encoding="latin-1", errors="replace"),
}
"""How a careless server may echo a secret it received; every one must be blanked."""


def echoed(secret: str) -> str:
    """``secret`` in every form of :data:`ENCODINGS`, on one line."""
    return " | ".join(f"{name}: {encode(secret)}" for name, encode in ENCODINGS.items())


# --- SMTP ---


def login_echo(login: bytes, password: bytes) -> str:
    """What AUTH PLAIN and AUTH LOGIN sent, each way, and the password in every form; ASCII, one line."""
    wire = {
        "AUTH PLAIN": _b64(b"\0" + login + b"\0" + password),
        "AUTH PLAIN without padding": _b64(b"\0" + login + b"\0" + password).rstrip("="),
        "AUTH PLAIN with authzid": _b64(login + b"\0" + login + b"\0" + password),
        "AUTH LOGIN user": _b64(login),
        "AUTH LOGIN user without padding": _b64(login).rstrip("="),
        "AUTH LOGIN password": _b64(password),
        "HTTP Basic": _b64(login + b":" + password),
        "user": login.decode("ascii"),
    }
    said = " | ".join(f"{name}: {value}" for name, value in wire.items())
    return f"{said} | {echoed(password.decode('ascii'))}".encode("ascii", "backslashreplace").decode("ascii")


@dataclass
class EchoingLogin:
    """An aiosmtpd authenticator that refuses every login, quoting in its 535 reply what it received."""

    logins: list[tuple[str, bytes, bytes]] = field(default_factory=list)

    def __call__(self, server: SMTP, session: Session, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append((mechanism, data.login, data.password))
        echo = login_echo(data.login, data.password)
        return AuthResult(success=False, handled=False, message=f"535 5.7.8 {mechanism} refused: {echo}")


@contextmanager
def echoing_smtp(mechanism: str) -> Iterator[tuple[EchoingLogin, int]]:
    """An SMTP server offering only ``mechanism`` (PLAIN or LOGIN), without TLS, refusing every login."""
    login = EchoingLogin()
    others = [name for name in ("PLAIN", "LOGIN") if name != mechanism]
    with smtp_server(Mailbox(), authenticator=login, auth_require_tls=False, auth_exclude_mechanism=others) as port:
        yield login, port


# --- webhooks ---


@dataclass(frozen=True)
class Call:
    """What a webhook request showed of its URL: the path as sent, its last segment and its ``token``."""

    target: str
    host: str
    authorization: str

    @property
    def segment(self) -> str:
        return unquote(urlsplit(self.target).path.rsplit("/", 1)[-1])

    @property
    def token(self) -> str:
        return parse_qs(urlsplit(self.target).query).get("token", [""])[0]


def _both(encode: Callable[[str], str]) -> Callable[[Call], str]:
    return lambda call: f"unknown hook {encode(call.segment)}, bad token {encode(call.token)}"


HOOK_ECHOES: dict[str, Callable[[Call], str]] = {
    "target": lambda call: f"no hook at {call.target}",
    "decoded-target": lambda call: f"no hook at {unquote(call.target)}",
    "url": lambda call: f"no hook at http://{call.host}{call.target}",
    "segment": lambda call: f"unknown hook {call.segment}",
    "query": lambda call: f"bad token {call.token}",
    "authorization": lambda call: f"refused {call.authorization}",
    "cut": lambda call: f"{'e' * (BODY_CHARS - 12)} {_b64(call.token.encode())}",
    "userinfo": lambda call: "refused " + base64.b64decode(call.authorization.partition(" ")[2] or "").decode(),
    **{name: _both(encode) for name, encode in ENCODINGS.items()},
}
"""Each webhook's error body, by the form its URL's third path segment names (see :func:`hook_path`)."""


def hook_path(form: str) -> str:
    """The path segment naming an echo form (letters and digits only, so it is no token itself)."""
    return "f" + "".join(char for char in form if char.isalnum()).lower()


@dataclass
class EchoingHooks:
    """The endpoint's base URL, the status it refuses with, and the echo forms it was asked for."""

    status: int = 400
    base: str = ""
    asked: list[str] = field(default_factory=list)


@contextmanager
def echoing_hooks() -> Iterator[EchoingHooks]:
    """A webhook endpoint refusing every POST to ``/hooks/<form>/…`` with its URL's token echoed as ``form``."""
    state = EchoingHooks()
    forms = {hook_path(form): echo for form, echo in HOOK_ECHOES.items()}

    class Handler(QuietHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
            self.read_body()
            name = self.path.split("/")[2] if self.path.count("/") >= 2 else ""
            state.asked.append(name)
            call = Call(self.path, self.headers.get("Host", ""), self.headers.get("Authorization", ""))
            body = forms[name](call).encode("utf-8") if name in forms else b"no such form"
            self.answer(state.status, body, {"Content-Type": "text/plain; charset=utf-8"})

    with serve_http(Handler) as base:
        state.base = base
        yield state
