"""Secrets out of every message, log line, record and file: each form a secret can take, blanked to ``***``.

A server that refuses a login or a request may echo what it received, and not as it was given: the SMTP
password as AUTH LOGIN sent it (base64, RFC 4954 §4), AUTH PLAIN's ``\\0user\\0password`` (RFC 4616 §2), a
webhook's token percent-encoded (RFC 3986 §2.1, either hex case), as a JSON ``\\u`` escape, an HTML character
reference, in hex. Matching the secret as given misses all of these, so a :class:`Redactor` knows two things:

- the **forms** of each secret: as given, with its whitespace collapsed (as one-line messages do), with ``+``
  for spaces (form encoding), base64 with and without padding in both alphabets (RFC 4648 §4, §5), the
  stretch of base64 that only the secret's bytes decide at each of the three byte alignments (so the secret is
  found inside any base64 blob, whatever precedes it), hex; for a login, the pairs AUTH PLAIN and HTTP Basic
  encode; for a URL, the pieces that may be its token (see :func:`url_pieces`);
- the **escapes** a text may wrap them in: it also reads the text with percent-encoding (as UTF-8 and as
  Latin-1), HTML character references, JSON and Python escapes decoded, each family alone and all together,
  and blanks the original span of every form found there.

Short pieces would blank common words, so a piece *derived* from a secret (a URL's path segment or query
value) counts only from :data:`MIN_PIECE` characters, and a piece of lowercase letters and ``/ . _ ~ -`` alone
(``services``, ``webhooks``) only from :data:`MIN_WORDLIKE`; a base64 stretch at another alignment needs
:data:`MIN_CORE`. A secret as given (and its exact encodings) is blanked whatever its length: leaking a short
password is still a leak. A login name that is also the sender's or a recipient's address is shown as itself
(the messages carry it anyway); its encodings are still blanked.

The secrets come from the environment variables the config names (``Config.secrets``, one list for all); the
caller hands them over as plain values, so this module needs nothing but the standard library.
"""

from __future__ import annotations

import base64
import bisect
import html
import itertools
import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from email.utils import getaddresses
from typing import Any, Protocol
from urllib.parse import unquote, unquote_plus, urlsplit

REDACTED = "***"
MIN_PIECE = 8
"""Characters a piece derived from a secret needs before it is blanked wherever it appears."""
MIN_WORDLIKE = 24
"""Characters a derived piece made of lowercase letters and ``/._~-`` alone needs: shorter ones are words."""
MIN_CORE = 6
"""Characters the base64 stretch of a whole secret at another alignment needs (5 bytes of secret give 6)."""

TOKEN, LOGIN, URL = "token", "login", "url"
_WORDLIKE = re.compile(r"[a-z/._~-]+")
_ONE_LINE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_PERCENT = r"(?:%[0-9A-Fa-f]{2})+"  # RFC 3986 §2.1
_HTML = r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"  # character references
_BACKSLASH = r"(?:\\u[0-9A-Fa-f]{4})+|\\U[0-9A-Fa-f]{8}|(?:\\x[0-9A-Fa-f]{2})+|\\[\"\\\\/'bfnrt]"  # JSON, Python
# Each encoder escapes its own escape character, so a form is exactly recovered by decoding its family alone;
# decoding all three at once also finds a secret whose pieces went through different encoders.
_FAMILIES = tuple(
    (re.compile(family), latin1)
    for family, latin1 in (
        (_PERCENT, False),
        (_PERCENT, True),  # a legacy form encoder's %E9: its bytes may also happen to be UTF-8
        (_HTML, False),
        (_BACKSLASH, False),
        (f"{_PERCENT}|{_HTML}|{_BACKSLASH}", False),
    )
)
_SHORT_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "'": "'", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class Redactor:
    """``redactor(text)``: ``text`` with every form of the secrets replaced by ``***``, escaped or not."""

    def __init__(self, exact: Iterable[str] = (), caseless: Iterable[str] = ()) -> None:
        self.exact = frozenset(form for form in exact if form)
        self.caseless = frozenset(form.translate(_ASCII_LOWER) for form in caseless if form)

    def __bool__(self) -> bool:
        return bool(self.exact or self.caseless)

    def __or__(self, other: Redactor) -> Redactor:
        return Redactor(self.exact | other.exact, self.caseless | other.caseless)

    def __call__(self, text: str) -> str:
        if not self or not text:
            return text
        spans = list(self._spans(text, _Places([])))
        escaped = 0
        for family, latin1 in _FAMILIES:
            if family is _FAMILIES[-1][0] and escaped < 2:
                break  # one family or none in the text: decoding them together finds nothing more
            view, escapes = _decoded(text, family, latin1)
            escaped += bool(escapes)
            if escapes:
                spans += self._spans(view, _Places(escapes))
        return _blank(text, spans)

    def _spans(self, view: str, place: _Places) -> Iterator[tuple[int, int]]:
        """Where the forms occur in ``view``, as spans of the text it was decoded from."""
        found = _occurrences(view, self.exact)
        if self.caseless:
            found = itertools.chain(found, _occurrences(view.translate(_ASCII_LOWER), self.caseless))
        return (place.span(span) for span in found)

    def json(self, value: Any) -> Any:
        """A JSON-like value with every string in it (keys too) redacted, before it is encoded."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, dict):
            return {self.json(key): self.json(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.json(item) for item in value]
        return value


# --- the forms of a secret ---


def secret_forms(value: str) -> Redactor:
    """A secret as given and every encoding of it; none has a minimum length."""
    exact = {value, value.replace(" ", "+"), _ONE_LINE.sub(" ", value).strip(), " ".join(value.split())}
    exact |= _base64_forms(value) | _base64_cores(value, MIN_CORE)
    return Redactor(exact, {value.encode("utf-8", "surrogatepass").hex()})


def piece_forms(piece: str) -> Redactor:
    """A piece derived from a secret and its encodings, or nothing when it is too short or a word."""
    if len(piece) < MIN_PIECE or (_WORDLIKE.fullmatch(piece) and len(piece) < MIN_WORDLIKE):
        return Redactor()
    return secret_forms(piece)


def login_forms(user: str | None, password: str | None, public: frozenset[str] = frozenset()) -> Redactor:
    """A user name and password, alone and as AUTH PLAIN, AUTH LOGIN and HTTP Basic put them on the wire."""
    forms = secret_forms(password) if password else Redactor()
    if user and user.casefold() not in public:
        forms |= secret_forms(user)
    elif user:
        forms |= Redactor(_base64_forms(user))  # AUTH LOGIN sends the name in base64 first
    if user and password:
        pairs = (f"\0{user}\0{password}", f"{user}\0{user}\0{password}", f"{user}\0{password}", f"{user}:{password}")
        for pair in pairs:
            forms |= Redactor(_base64_forms(pair))
    return forms


def url_forms(url: str) -> Redactor:
    """A secret URL: the whole of it, and each piece of it that may be a token (see :func:`url_pieces`)."""
    forms = secret_forms(url) | secret_forms(unquote(url))
    for piece in url_pieces(url):
        forms |= piece_forms(piece)
    return forms


def url_pieces(url: str) -> set[str]:
    """Where a URL may carry a token: the request target, the userinfo and its parts, each path segment,
    the query and each of its values, the fragment, each as written and percent-decoded."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return set()
    userinfo = parts.netloc.rpartition("@")[0]
    values = [pair.partition("=")[2] for pair in re.split("[&;]", parts.query)]
    pieces = {parts.path + (f"?{parts.query}" if parts.query else ""), parts.query, parts.fragment, userinfo}
    pieces |= {*userinfo.split(":", 1), *parts.path.split("/"), *values}
    return pieces | {unquote(piece) for piece in pieces} | {unquote_plus(piece) for piece in pieces}


def _bytes(value: str) -> bytes:
    return value.encode("utf-8", "surrogatepass")


def _base64_forms(value: str) -> set[str]:
    """Base64 of ``value`` in the standard and URL-safe alphabets, with and without its ``=`` padding."""
    forms = set()
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        encoded = encode(_bytes(value)).decode("ascii")
        forms |= {encoded, encoded.rstrip("=")}
    return forms


def _base64_cores(value: str, minimum: int) -> set[str]:
    """The base64 characters that ``value``'s bytes alone decide, when it starts 0, 1 or 2 bytes into a blob.

    Base64 turns 3 bytes into 4 characters of 6 bits; a character whose 6 bits all come from the secret is
    the same whatever bytes surround it, so these stretches show the secret inside any base64 it is part of.
    """
    data, cores = _bytes(value), set()
    for skip in range(3):
        first, last = -(-8 * skip // 6), (8 * (skip + len(data))) // 6
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            core = encode(b"\0" * skip + data + b"\0\0").decode("ascii")[first:last]
            if len(core) >= minimum:
                cores.add(core)
    return cores


# --- finding them, escaped or not ---


def _occurrences(text: str, forms: Iterable[str]) -> Iterator[tuple[int, int]]:
    for form in forms:
        start = text.find(form)
        while start >= 0:
            yield start, start + len(form)
            start = text.find(form, start + 1)


def _decoded(text: str, family: re.Pattern[str], latin1: bool) -> tuple[str, list[tuple[int, int, int, int]]]:
    """``text`` with its escapes decoded, and each decoded escape's (start, end) in the view and in ``text``."""
    parts: list[str] = []
    escapes: list[tuple[int, int, int, int]] = []
    last = at = 0
    for match in family.finditer(text):
        start, end = match.span()
        decoded = _decode(match.group(), latin1)
        if decoded == match.group():  # ``&e0;`` is no character reference: nothing was decoded
            continue
        parts += [text[last:start], decoded]
        at += start - last
        escapes.append((at, at + len(decoded), start, end))
        at += len(decoded)
        last = end
    parts.append(text[last:])
    return "".join(parts), escapes


def _bytes_as_text(data: bytes, latin1: bool = False) -> str:
    """UTF-8 if the bytes are UTF-8, else one character per byte: ``%E9`` and Python's ``'\\x85'`` are Latin-1."""
    if latin1:
        return data.decode("latin-1")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _decode(escape: str, latin1: bool) -> str:
    if escape.startswith("%"):
        return _bytes_as_text(bytes.fromhex(escape.replace("%", "")), latin1)
    if escape.startswith("&"):
        return html.unescape(escape)
    if escape.startswith(("\\u", "\\U")):
        if escape.startswith("\\U"):
            return chr(min(int(escape[2:], 16), 0x10FFFF))
        decoded: str = json.loads(f'"{escape}"')
        return decoded
    if escape.startswith("\\x"):
        return _bytes_as_text(bytes.fromhex(escape.replace("\\x", "")))
    return _SHORT_ESCAPES[escape[1]]


class _Places:
    """Where a span of the decoded view lies in the text; an escape partly inside the span counts whole."""

    def __init__(self, escapes: list[tuple[int, int, int, int]]) -> None:
        self.escapes = escapes
        self.starts = [escape[0] for escape in escapes]

    def span(self, span: tuple[int, int]) -> tuple[int, int]:
        return self._place(span[0], end=False), self._place(span[1], end=True)

    def _place(self, position: int, end: bool) -> int:
        index = bisect.bisect_right(self.starts, position - 1 if end else position) - 1
        if index < 0:
            return position
        _, view_end, text_start, text_end = self.escapes[index]
        if position <= view_end if end else position < view_end:
            return text_end if end else text_start
        return text_end + position - view_end


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    pieces, last = [], 0
    for start, end in _merged(spans):
        pieces += [text[last:start], REDACTED]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _merged(spans: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    ordered = sorted(spans)
    start, end = ordered[0]
    for next_start, next_end in ordered[1:]:
        if next_start > end:
            yield start, end
            start = next_start
        end = max(end, next_end)
    yield start, end


# --- the config's secrets ---


class Secret(Protocol):
    """An environment variable holding a secret, as the config names it (``config.delivery.SecretVariable``):
    ``kind`` is ``token``, ``login`` or ``url``; ``login`` names a password's user-name variable."""

    @property
    def variable(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def login(self) -> str | None: ...


def redactor_for(secrets: Iterable[Secret], environ: Mapping[str, str], shown: Iterable[str] = ()) -> Redactor:
    """Every form of every secret in ``secrets``, read from ``environ`` (variables not set are skipped);
    ``shown`` are the addresses the config file itself shows (see :func:`public_addresses`)."""
    public = public_addresses(shown)
    forms = Redactor()
    for secret in secrets:
        value = environ.get(secret.variable)
        if not value or not value.strip():  # blanking every space would hide every message, not a secret
            continue
        if secret.kind == URL:
            forms |= url_forms(value)
        elif secret.kind == LOGIN:
            forms |= login_forms(value, None, public)
        else:
            forms |= login_forms(environ.get(secret.login or ""), value, public)
    return forms


def public_addresses(shown: Iterable[str]) -> frozenset[str]:
    """The bare addresses in ``shown`` (``Ada <ada@example.org>`` as written in the config file), case-folded:
    a login name equal to one of them is not a secret."""
    return frozenset(address.casefold() for _, address in getaddresses(list(shown)) if address)


# --- log records ---


class RedactingFilter(logging.Filter):
    """A handler filter that redacts a record's message (and its traceback) before any handler formats it."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.redactor(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redactor(record.stack_info)
        return True


@contextmanager
def redacting_logs(redactor: Redactor) -> Iterator[None]:
    """While the block runs, every record the root logger's handlers (or Python's last resort) emit is redacted."""
    handlers = [*logging.getLogger().handlers, logging.lastResort]
    installed = RedactingFilter(redactor)
    for handler in handlers:
        if handler is not None:
            handler.addFilter(installed)
    try:
        yield
    finally:
        for handler in handlers:
            if handler is not None:
                handler.removeFilter(installed)
