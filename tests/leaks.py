"""Whether a secret can be read back from some bytes, decoded the ways a reader (or an attacker) would.

This is the tests' own reading, independent of ``dailypapers.redact``: it does not list the product's forms but
decodes the text (percent-encoding, ``+`` for space, HTML references, JSON escapes, runs of base64 at every
offset in both alphabets, runs of hex) and looks for the secret in what comes out.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import unquote, unquote_plus

_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{10,}")  # 8 bytes of secret take 11 characters
_HEX_RUN = re.compile(r"[0-9A-Fa-f]{8,}")
_JSON_ESCAPES = re.compile(r"(?:\\u[0-9A-Fa-f]{4})+|\\[\"\\/]")


def _json_unescaped(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        try:
            decoded: str = json.loads(f'"{match.group()}"')
        except ValueError:
            return match.group()
        return decoded

    return _JSON_ESCAPES.sub(one, text)


def _python_unescaped(text: str) -> str:
    with warnings.catch_warnings():  # "invalid escape sequence": a backslash before an ordinary letter stays
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return text.encode("latin-1", "backslashreplace").decode("unicode_escape")
        except UnicodeDecodeError:  # a backslash that starts a broken escape
            return text


def views(text: str) -> dict[str, str]:
    """``text`` as written, and decoded each way a reader may decode it."""
    return {
        "as written": text,
        "percent-decoded": unquote(text),
        "percent-decoded as Latin-1": unquote(text, encoding="latin-1"),
        "Python-unescaped": _python_unescaped(text),
        "form-decoded": unquote_plus(text),
        "HTML-unescaped": html.unescape(text),
        "JSON-unescaped": _json_unescaped(text),
        "on one line": " ".join(text.split()),
    }


def _base64_decodings(text: str) -> Iterator[bytes]:
    for run in _BASE64_RUN.findall(text):
        for offset in range(4):
            chunk = run[offset:]
            chunk = chunk[: len(chunk) - len(chunk) % 4]
            for altchars in (b"+/", b"-_"):
                try:
                    yield base64.b64decode(chunk, altchars=altchars)
                except (binascii.Error, ValueError):
                    continue


def _hex_decodings(text: str) -> Iterator[bytes]:
    for run in _HEX_RUN.findall(text):
        for offset in range(2):
            chunk = run[offset:]
            yield bytes.fromhex(chunk[: len(chunk) - len(chunk) % 2])


class Reading:
    """Every way of reading some data, worked out once: its decoded views and what its base64 and hex hold.

    Decoded blobs are joined with the byte 0xFF, which no UTF-8 text (so no secret) contains.
    """

    def __init__(self, data: bytes | str) -> None:
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        self.views = views(text)
        self.blobs = {}
        for name, view in (("as written", text), ("percent-decoded", unquote(text))):
            self.blobs[f"base64, {name}"] = b"\xff".join(_base64_decodings(view))
            self.blobs[f"hex, {name}"] = b"\xff".join(_hex_decodings(view))

    def leaks(self, secret: str) -> list[str]:
        """How ``secret`` shows: the names of the readings that reveal it (empty: it does not)."""
        one_line = " ".join(secret.split())
        found = [name for name, view in self.views.items() if secret in view or (one_line and one_line in view)]
        raw = secret.encode("utf-8")
        return found + [name for name, blob in self.blobs.items() if raw in blob]


def leaks(data: bytes | str, secret: str) -> list[str]:
    """How ``secret`` shows in ``data``: the names of the decodings that reveal it (empty: it does not)."""
    return Reading(data).leaks(secret)


def leaks_of(data: bytes | str, secrets: Iterable[str]) -> dict[str, list[str]]:
    """``leaks`` for each secret that shows."""
    reading = Reading(data)
    return {secret: shown for secret in secrets if (shown := reading.leaks(secret))}


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (database, its WAL, outputs, outbox), by path relative to it."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()
    }
