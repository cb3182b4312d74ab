"""Changing the config's topics from the reader: one ``[[topics]]`` table added, replaced or removed, and every
other byte of the file left as the user wrote it.

The file goes through ``tomlkit``, which keeps comments, blank lines, key order and the quoting of each value.
Three checks stand between an edit and the user's file, so that the reader never corrupts a config:

- **Round trip.** The file must come out of ``tomlkit`` byte for byte as it went in, and its topics must be
  ``[[topics]]`` tables in one run. A file ``tomlkit`` would rewrite (``[[topics]]`` tables split by other
  tables), or topics written as an inline array, are refused with what to do instead.
- **Meaning.** The new text must mean the old one with exactly the intended change (compared as ``tomllib``
  reads both): nothing else may have moved.
- **Loading.** The new text is staged next to the file (``files.stage``, with the file's own mode) and loaded
  with ``load_config``; only a text that loads is renamed over the file. Anything that fails leaves the file
  as it was, and no temporary file behind.
"""

from __future__ import annotations

import os
import stat
import tomllib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Table

from dailypapers.config import Config, _read, load_config
from dailypapers.config.table import one_line
from dailypapers.errors import ConfigError
from dailypapers.files import discard, publish, stage, target

__all__ = ["TopicExists", "add_topic", "remove_topic"]

Change = Callable[[list[dict[str, Any]]], object]


class TopicExists(ConfigError):
    """A topic of that name is in the config already: replacing its query needs the user's word."""

    def __init__(self, file: Path | str, name: str, query: str | None) -> None:
        self.name = name
        self.query = query
        super().__init__(file, "topics", f"a topic named {name!r} exists already")


@dataclass(frozen=True)
class _Edit:
    """The file as read, its ``tomlkit`` document and its ``[[topics]]`` tables."""

    path: Path
    text: str
    document: tomlkit.TOMLDocument
    topics: AoT


def same_name(one: str, other: str) -> bool:
    """Whether two topic names are the same name, as the config's loader compares them (NFC, trimmed)."""
    return unicodedata.normalize("NFC", one.strip()) == unicodedata.normalize("NFC", other.strip())


def add_topic(
    path: Path, name: str, query: str | None, *, replace: bool = False, environ: Mapping[str, str] | None = None
) -> Config:
    """Add the topic ``name`` (``query`` None: a topic by its name alone) to the config at ``path``, or with
    ``replace`` give the topic of that name this query; the config as loaded from the new file.

    Raises ``TopicExists`` for a name taken without ``replace``, ``ConfigError`` for a name or query the
    config would refuse or a file that cannot be edited safely, ``OutputError`` when it cannot be written.
    """
    name = name.strip()
    if not name or not one_line(name):
        raise ConfigError(path, "topics", "a topic needs a name: one line of text")
    query = query.strip() if query is not None and query.strip() else None
    edit = _open(path)
    index = _index(edit.topics, name)
    if index is not None and not replace:
        existing = edit.topics[index].get("query")
        raise TopicExists(path, name, None if existing is None else str(existing))
    if index is None:
        edit.topics.append(_new_table(edit.topics, name, query, _newline(edit.text)))
    elif query is None:
        edit.topics[index].pop("query", None)
    else:
        edit.topics[index]["query"] = _string(query)

    def change(topics: list[dict[str, Any]]) -> None:
        if index is None:
            topics.append({"name": name} if query is None else {"name": name, "query": query})
        elif query is None:
            topics[index].pop("query", None)
        else:
            topics[index]["query"] = query

    return _write(edit, change, environ)


def remove_topic(path: Path, name: str, environ: Mapping[str, str] | None = None) -> Config:
    """Take the topic ``name`` out of the config at ``path`` (its table, with the comments inside it); the
    config as loaded from the new file. The last topic cannot go: a config needs one."""
    edit = _open(path)
    index = _index(edit.topics, name)
    if index is None:
        raise ConfigError(path, "topics", f"there is no topic named {name!r}")
    del edit.topics[index]
    return _write(edit, lambda topics: topics.pop(index), environ)


def _open(path: Path) -> _Edit:
    """The config read for editing, or a ``ConfigError`` saying why it cannot be edited safely."""
    try:
        text = _read(path)
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(path, None, f"cannot read: {err}") from None
    try:
        document = tomlkit.parse(text)
    except (TOMLKitError, RecursionError) as err:
        raise ConfigError(path, None, f"not valid TOML: {err}") from None
    if tomlkit.dumps(document) != text:
        raise ConfigError(path, None, _BY_HAND)
    topics = document.get("topics")
    if not isinstance(topics, AoT) or not all(isinstance(table, Table) for table in topics):
        raise ConfigError(path, "topics", _NOT_TABLES)
    return _Edit(path, text, document, topics)


_BY_HAND = (
    "the reader cannot rewrite this file without changing more than a topic (are the [[topics]] tables split by "
    "other tables?); put the [[topics]] tables together, or edit the file by hand"
)
_NOT_TABLES = (
    "the topics are not written as [[topics]] tables, the only form the reader can edit; rewrite them as "
    "[[topics]] tables (see `dailypapers init`), or edit the file by hand"
)


def _index(topics: AoT, name: str) -> int | None:
    for index, table in enumerate(topics):
        given = table.get("name")
        if isinstance(given, str) and same_name(given, name):
            return index
    return None


def _has_bom(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(3) == b"\xef\xbb\xbf"


def _newline(text: str) -> str:
    """The file's line ending: Windows's when its first line ends so."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def _string(value: str) -> tomlkit.items.String:
    """A literal string (``'...'``, as the config's examples write queries) when the value allows it."""
    if "'" not in value and one_line(value):
        return tomlkit.string(value, literal=True)
    return tomlkit.string(value)


def _new_table(topics: AoT, name: str, query: str | None, newline: str) -> Table:
    """A ``[[topics]]`` table with the file's line ending, set apart by one blank line from the table before it
    and from what follows."""
    table = tomlkit.table()
    table.add("name", tomlkit.string(name))
    if query is not None:
        table.add("query", _string(query))
    for key, item in table.value.body:
        if key is not None:
            item.trivia.trail = newline
    table.trivia.trail = newline
    if len(topics) and not topics[-1].as_string().endswith(newline * 2):
        table.trivia.indent = newline
    table.add(tomlkit.ws(newline))
    return table


def _write(edit: _Edit, change: Change, environ: Mapping[str, str] | None) -> Config:
    """Check that the new text means the old one with ``change`` made, load it from a staged file with the old
    file's mode, and rename it over the file (unless the file changed meanwhile)."""
    text = tomlkit.dumps(edit.document)
    expected = tomllib.loads(edit.text)
    change(expected["topics"])
    if tomllib.loads(text) != expected:
        raise ConfigError(edit.path, None, _BY_HAND)
    try:
        mode = stat.S_IMODE(os.stat(target(edit.path)).st_mode)
        if _has_bom(edit.path):
            text = "\ufeff" + text  # kept as Notepad wrote it (the loader reads past it)
    except OSError as err:
        raise ConfigError(edit.path, None, f"cannot read: {err.strerror or err}") from None
    staged = stage(edit.path, text)
    try:
        os.chmod(staged, mode)
        try:
            load_config(staged, environ)
        except ConfigError as err:
            raise ConfigError(edit.path, err.key, err.message) from None
        if _read(edit.path) != edit.text:
            raise ConfigError(edit.path, None, "the file changed while it was being edited; try again")
        publish({edit.path: staged})
    except OSError as err:
        raise ConfigError(edit.path, None, f"cannot write: {err.strerror or err}") from None
    finally:
        discard({edit.path: staged})
    return load_config(edit.path, environ)
