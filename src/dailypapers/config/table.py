"""Reading one TOML table of the config: typed values, and errors that name the file and the key's path."""

from __future__ import annotations

import difflib
import math
import unicodedata
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from dailypapers.errors import ConfigError

T = TypeVar("T")
N = TypeVar("N", int, float)


class Table:
    """A TOML table being read: hands out typed values and reports unknown or wrong keys by their path."""

    def __init__(self, file: Path, prefix: str, data: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
        self.file, self.prefix, self.data = file, prefix, data
        for key in data:
            if key not in allowed:
                raise ConfigError(file, self.key(key), unknown_key(key, allowed))

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def error(self, name: str, message: str) -> ConfigError:
        return ConfigError(self.file, self.key(name), message)

    def get(self, name: str, kind: type[T], default: T) -> T:
        value = self.data.get(name, default)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(name, f"expected {kind_name(kind)}, got {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.error(name, f"expected a finite number, got {value!r}")
        return value

    def bounded(self, name: str, kind: type[N], default: N, low: N, high: N, *, above: bool = False) -> N:
        """A number from ``low`` to ``high`` (more than ``low`` with ``above``): never nan, inf or absurd.

        TOML reads ``nan``, ``inf`` and integers far beyond what any setting means; each would hang a run,
        spin it, or end it in an overflow deep inside, so every number the config takes has a range.
        """
        value = self.data.get(name, default)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not in_range(value, kind, low, high, above=above):
            raise self.error(name, f"expected {range_text(kind, low, high, above=above)}, got {value!r}")
        return value  # type: ignore[no-any-return]

    def optional_str(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is not None and not isinstance(value, str):
            raise self.error(name, f"expected a string, got {value!r}")
        return value

    def strings(self, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self.data.get(name, list(default))
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error(name, f"expected a list of strings, got {value!r}")
        return tuple(value)

    def choices(
        self,
        name: str,
        default: tuple[str, ...],
        allowed: Collection[str],
        unknown: Callable[[str], str],
        empty: str | None = None,
    ) -> tuple[str, ...]:
        """A list of strings, each one of ``allowed``: ``unknown`` words the error for the first that is not,
        ``empty`` the error for an empty list (None: an empty list is fine)."""
        chosen = self.strings(name, default)
        for value in chosen:
            if value not in allowed:
                raise self.error(name, unknown(value))
        if not chosen and empty is not None:
            raise self.error(name, empty)
        return chosen

    def table(self, name: str, allowed: tuple[str, ...]) -> Table:
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise self.error(name, "expected a table")
        return Table(self.file, self.key(name), value, allowed)

    def checked(self, name: str, kind: type[T], default: T, check: Callable[[Any], bool], expected: str) -> T:
        value = self.get(name, kind, default)
        if not check(value):
            raise self.error(name, f"must be {expected}, got {value!r}")
        return value

    def line(self, name: str, default: str) -> str:
        """One line of text: a title reaches headings, feed titles and the Subject header of every email."""
        value = self.get(name, str, default)
        if not one_line(value):
            raise self.error(name, f"expected one line of text without control characters, got {value!r}")
        return value

    def path(self, name: str, default: str) -> str:
        """A file path: not empty, no control characters (a NUL byte would fail deep inside, as a traceback)."""
        value = self.get(name, str, default)
        if not value or not one_line(value):
            raise self.error(name, f"expected a file path without control characters, got {value!r}")
        return value

    def url(self, name: str, default: str, example: str) -> str:
        """An ``http`` or ``https`` URL with a host: nothing else can be asked, and nothing else is safe to."""
        value = self.get(name, str, default)
        problem = url_problem(value, example)
        if problem is not None:
            raise self.error(name, problem)
        return value


@dataclass(frozen=True)
class ConfigWarning:
    """Something in the config that works but is likely not what its author meant: said, never fatal.

    ``detail`` may run over several lines (a query and a caret under the words at issue).
    """

    file: str
    key: str
    detail: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.detail}"


def one_line(text: str) -> bool:
    """Whether ``text`` has no control character and no line or paragraph separator."""
    return not any(unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") for char in text)


def unknown_key(key: str, allowed: tuple[str, ...]) -> str:
    """The message for a key the table does not have, with the closest real key when one is close."""
    close = difflib.get_close_matches(key.lower(), allowed, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown key; {hint}expected one of {', '.join(allowed)}"


def in_range(value: object, kind: type, low: float, high: float, *, above: bool = False) -> bool:
    """Whether ``value`` is a ``kind`` (never a bool), finite, and within the bounds."""
    if isinstance(value, bool) or not isinstance(value, kind) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and (value > low if above else value >= low) and value <= high


def range_text(kind: type, low: float, high: float, *, above: bool = False) -> str:
    """``a number from 0 to 600``, ``a whole number from 1 to 20``, ``a number above 0 and at most 3600``."""
    noun = "a whole number" if kind is int else "a number"
    bounds = f"above {_shown(low)} and at most {_shown(high)}" if above else f"from {_shown(low)} to {_shown(high)}"
    return f"{noun} {bounds}"


def _shown(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


def url_problem(value: str, example: str) -> str | None:
    """What is wrong with a URL a request would be sent to, or None: http(s), a host, nothing unprintable."""
    expected = f"expected an http(s) URL such as {example!r}, got {value!r}"
    if not value.isascii() or any(ord(char) <= 32 or ord(char) == 127 for char in value):
        return expected
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - reading it checks the port is a number from 0 to 65535
    except ValueError:
        return expected
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return expected
    return None


def kind_name(kind: type) -> str:
    return {str: "a string", int: "a whole number", float: "a number", bool: "true or false"}.get(kind, kind.__name__)


def tables(file: Path, key: str, raw: list[Any], allowed: tuple[str, ...], needs: str) -> Iterator[Table]:
    """Each entry of an array of tables (``[[topics]]``) as a ``Table`` keyed ``key[index]``; an entry that is
    no table is an error saying what it ``needs``."""
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise ConfigError(file, f"{key}[{index}]", f"expected a table with {needs}")
        yield Table(file, f"{key}[{index}]", entry, allowed)
