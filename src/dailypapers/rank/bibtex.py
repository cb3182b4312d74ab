"""BibTeX as reference managers export it, read entry by entry so that a broken entry costs only itself.

A general BibTeX parser (bibtexparser 1.x) drops a broken entry without saying where it was, and its 2.x line
is still in beta; a library export needs less than BibTeX allows: entries ``@type{key, name = value, …}`` with
values in braces, in quotes, numbers or ``@string`` names joined by ``#``. Each entry is cut at its matching
closing brace; one that never closes, or whose fields cannot be read, is reported with the line it starts on and
reading goes on at the next ``@`` that starts a line. ``@comment``, ``@preamble`` and ``@string`` are not papers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_START = re.compile(r"@\s*([A-Za-z]+)\s*([{(])")
_NEXT = re.compile(r"^\s*@", re.MULTILINE)
_NAME = re.compile(r"\s*([A-Za-z][\w:.+/-]*)\s*=\s*", re.ASCII)
_BARE = re.compile(r"[\w:.+/-]+")
_CLOSE = {"{": "}", "(": ")"}
_NOT_PAPERS = {"comment", "preamble", "string"}


class BibError(ValueError):
    """An entry that cannot be read: the message says what was wrong."""


@dataclass(frozen=True)
class BibEntry:
    line: int
    kind: str
    key: str
    fields: dict[str, str]


def read_bibtex(text: str) -> tuple[list[BibEntry], list[tuple[int, str]]]:
    """The entries of ``text``, and (line, reason) for each entry that could not be read."""
    entries: list[BibEntry] = []
    broken: list[tuple[int, str]] = []
    position = 0
    while (start := _START.search(text, position)) is not None:
        line = text.count("\n", 0, start.start()) + 1
        kind = start.group(1).lower()
        end = _closing(text, start.end(), _CLOSE[start.group(2)])
        if end is None:
            broken.append((line, f"@{kind} entry never closes"))
            resume = _NEXT.search(text, start.end())
            position = resume.start() if resume else len(text)
            continue
        position = end + 1
        if kind in _NOT_PAPERS:
            continue
        try:
            entries.append(_entry(line, kind, text[start.end() : end]))
        except BibError as err:
            broken.append((line, str(err)))
    return entries, broken


def _closing(text: str, start: int, close: str) -> int | None:
    """The index of the brace that closes the entry opened just before ``start``; None if it never closes or an
    ``@`` starts a line inside it before it does (the next entry: this one lost its brace)."""
    depth = 0
    for index in range(start, len(text)):
        char = text[index]
        if char == "{":
            depth += 1
        elif char == "}" and depth > 0:
            depth -= 1
        elif char == close and depth == 0:
            return index
        elif char == "@" and depth <= 1 and text[text.rfind("\n", 0, index) + 1 : index].strip() == "":
            return None
    return None


def _entry(line: int, kind: str, body: str) -> BibEntry:
    key, comma, rest = body.partition(",")
    if not comma or not key.strip() or "=" in key:
        raise BibError(f"@{kind} entry has no citation key")
    fields: dict[str, str] = {}
    position = 0
    while rest[position:].strip(" \t\r\n,"):
        match = _NAME.match(rest, position)
        if match is None:
            raise BibError(f"@{kind}{{{key.strip()}}}: a field without 'name = value'")
        value, position = _value(rest, match.end(), kind)
        fields[match.group(1).lower()] = clean(value)
        position = _after_comma(rest, position, key.strip())
    return BibEntry(line, kind, key.strip(), fields)


def _after_comma(text: str, position: int, key: str) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    if position < len(text) and text[position] != ",":
        raise BibError(f"{{{key}}}: a field value is followed by {text[position]!r} instead of a comma")
    return position + 1


def _value(text: str, position: int, kind: str) -> tuple[str, int]:
    """A field's value (parts joined by ``#``) and the index after it."""
    parts: list[str] = []
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        part, position = _part(text, position, kind)
        parts.append(part)
        while position < len(text) and text[position].isspace():
            position += 1
        if position < len(text) and text[position] == "#":
            position += 1
            continue
        return "".join(parts), position


def _part(text: str, position: int, kind: str) -> tuple[str, int]:
    opener = text[position : position + 1]
    if opener in {"{", '"'}:
        depth, index = 0, position
        for index in range(position, len(text)):
            char = text[index]
            depth += (char == "{") - (char == "}")
            if (opener == "{" and depth == 0) or (opener == '"' and char == '"' and depth == 0 and index > position):
                return text[position + 1 : index], index + 1
        raise BibError(f"@{kind} entry: a value is never closed")
    bare = _BARE.match(text, position)
    if bare is None:
        raise BibError(f"@{kind} entry: a field has no value")
    return bare.group(0), bare.end()


def clean(value: str) -> str:
    """A value as a person reads it: the braces that protect capitals gone, ``\\&`` and ``\\%`` as the signs, white
    space collapsed. TeX accents stay: the analysis resolves them (``query/analysis.py``)."""
    text = value.replace("\\&", "&").replace("\\%", "%").replace("\\_", "_")
    text = re.sub(r"(?<!\\)[{}]", "", text)
    return " ".join(text.split())
