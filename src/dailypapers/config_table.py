"""Reading one TOML table of the config: typed values, and errors that name the file and the key's path."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from dailypapers.errors import ConfigError

T = TypeVar("T")


class Table:
    """A TOML table being read: hands out typed values and reports unknown or wrong keys by their path."""

    def __init__(self, file: Path, prefix: str, data: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
        self.file, self.prefix, self.data = file, prefix, data
        for key in data:
            if key not in allowed:
                raise ConfigError(file, self.key(key), f"unknown key; expected one of {', '.join(allowed)}")

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
        return value

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


def kind_name(kind: type) -> str:
    return {str: "a string", int: "a whole number", float: "a number", bool: "true or false"}.get(kind, kind.__name__)
