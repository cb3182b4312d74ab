"""A researcher's library, as their reference manager exports it: BibTeX (``.bib``), RIS (``.ris``), CSL-JSON
(``.json``, what Zotero and Mendeley export) or a text file of arXiv ids and URLs, one a line.

Every entry becomes a ``LibraryEntry``: the arXiv paper it names (``ids.py``), or, for a journal paper, its title
and abstract, which count for the ranking as they are. An entry with neither is skipped, and so is one that cannot
be read; each skip is counted with the line it starts on (``Skipped``), and reading goes on. A file that cannot
be read at all (missing, not UTF-8, not a list of CSL-JSON items, a kind not listed above) is one ``ConfigError``
naming it and what to do.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dailypapers.errors import ConfigError
from dailypapers.model import paper_reference
from dailypapers.rank.bibtex import clean, read_bibtex
from dailypapers.rank.ids import arxiv_id

MAX_LIBRARY_BYTES = 64 << 20  # a library of 100,000 entries with abstracts; not a disk image given by mistake
KINDS = {".bib": "BibTeX", ".bibtex": "BibTeX", ".ris": "RIS", ".json": "CSL-JSON", ".txt": "ids"}

# Where each format keeps what an entry needs: its title, abstract, and the fields that may hold an arXiv id, in
# the order they are tried (the precise ones first).
_BIB_ID_FIELDS = ("eprint", "arxivid", "arxiv", "doi", "url", "note", "journal", "howpublished", "annote")
_RIS_ID_TAGS = ("AN", "DO", "UR", "L1", "L2", "LK", "N1", "JO", "JF", "T2", "M1", "M3")
_CSL_ID_FIELDS = ("number", "archive_location", "DOI", "URL", "note", "container-title", "publisher")
_RIS_TAG = re.compile(r"([A-Z][A-Z0-9])  -(?: (.*))?$")


@dataclass(frozen=True)
class LibraryEntry:
    """One paper of the library: an arXiv paper (``paper_id``, with the version the entry names or None), or a
    paper known by its title and abstract only; ``line`` is where its entry starts."""

    line: int
    title: str
    abstract: str = ""
    paper_id: str | None = None
    version: int | None = None
    key: str | None = None


@dataclass(frozen=True)
class Skipped:
    line: int
    reason: str


@dataclass(frozen=True)
class LibraryFile:
    path: Path
    kind: str
    entries: tuple[LibraryEntry, ...]
    skipped: tuple[Skipped, ...]


def read_library(path: Path) -> LibraryFile:
    """The entries of one library export, its kind told by the file's suffix."""
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise ConfigError(path, None, f"cannot tell what this file holds; name it {', '.join(KINDS)}")
    text = _text(path)
    if kind == "BibTeX":
        entries, skipped = _bibtex(text)
    elif kind == "RIS":
        entries, skipped = _split(_ris(text))
    elif kind == "CSL-JSON":
        entries, skipped = _split(_csl(path, text))
    else:
        entries, skipped = _split(_ids(text))
    return LibraryFile(path, kind, tuple(entries), tuple(skipped))


def _text(path: Path) -> str:
    try:
        with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:  # a FIFO's open would wait
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise OSError(errno.EINVAL, "not a regular file")
            data = handle.read(MAX_LIBRARY_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(path, None, "no such file; give the path of your library export") from None
    except OSError as err:
        raise ConfigError(path, None, f"cannot read: {err.strerror or err}") from None
    if len(data) > MAX_LIBRARY_BYTES:
        raise ConfigError(path, None, f"larger than {MAX_LIBRARY_BYTES >> 20} MiB; export a smaller collection")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise ConfigError(path, None, f"not UTF-8 text (line {line}); export it again as UTF-8") from None


Read = Iterable[LibraryEntry | Skipped]


def _split(found: Read) -> tuple[list[LibraryEntry], list[Skipped]]:
    entries: list[LibraryEntry] = []
    skipped: list[Skipped] = []
    for item in found:
        if isinstance(item, LibraryEntry):
            entries.append(item)
        else:
            skipped.append(item)
    return entries, skipped


def entry(line: int, title: str, abstract: str, fields: Iterable[tuple[str, str]], key: str | None) -> Read:
    """The entry, or why it cannot count: it names no arXiv paper and has no title."""
    found = arxiv_id(fields)
    if found is None and not title.strip():
        yield Skipped(line, "no arXiv id and no title")
        return
    paper_id, version = found if found is not None else (None, None)
    yield LibraryEntry(line, " ".join(title.split()), " ".join(abstract.split()), paper_id, version, key)


def _bibtex(text: str) -> tuple[list[LibraryEntry], list[Skipped]]:
    bib, broken = read_bibtex(text)
    found: list[LibraryEntry | Skipped] = [Skipped(line, reason) for line, reason in broken]
    for item in bib:
        fields = item.fields
        pairs = [(name, fields[name]) for name in _BIB_ID_FIELDS if name in fields]
        found.extend(entry(item.line, fields.get("title", ""), fields.get("abstract", ""), pairs, item.key))
    entries, skipped = _split(found)
    return entries, sorted(skipped, key=lambda skip: skip.line)


def _ris(text: str) -> Read:
    """RIS records, ``TY  -`` to ``ER  -``; a line without a tag continues the value before it."""
    record: list[tuple[str, str]] | None = None
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        match = _RIS_TAG.match(raw.rstrip())
        if match is None:
            if record and raw.strip():
                tag, value = record[-1]
                record[-1] = (tag, f"{value} {raw.strip()}")
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "TY":
            if record is not None:
                yield Skipped(start, "RIS record without its ER line")
            record, start = [], number
        elif record is None:
            yield Skipped(number, f"RIS tag {tag} outside a record (before TY)")
        elif tag == "ER":
            yield from _ris_entry(start, record)
            record = None
        else:
            record.append((tag, value))
    if record is not None:
        yield Skipped(start, "RIS record without its ER line")


def _ris_entry(line: int, record: list[tuple[str, str]]) -> Read:
    first: dict[str, str] = {}
    for tag, value in record:
        first.setdefault(tag, value)
    title = first.get("TI") or first.get("T1") or ""
    abstract = first.get("AB") or first.get("N2") or ""
    pairs = [(tag.lower(), value) for wanted in _RIS_ID_TAGS for tag, value in record if tag == wanted]
    yield from entry(line, title, abstract, pairs, first.get("ID"))


def _csl(path: Path, text: str) -> Read:
    """Each item of a CSL-JSON array, with the line it starts on; the array itself must be valid JSON."""
    try:
        items = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as err:
        where = f" (line {err.lineno})" if isinstance(err, json.JSONDecodeError) else ""
        raise ConfigError(path, None, f"not valid JSON{where}; export the library again as CSL JSON") from None
    if not isinstance(items, list):
        raise ConfigError(path, None, "expected a list of CSL-JSON items, as Zotero's 'CSL JSON' export writes")
    for line, item in zip(_item_lines(text), items, strict=False):
        if not isinstance(item, dict):
            yield Skipped(line, "not a CSL-JSON item (an object)")
            continue
        texts = {name: _csl_text(value) for name, value in item.items()}
        pairs = [(name.lower(), texts[name]) for name in _CSL_ID_FIELDS if texts.get(name)]
        key = texts.get("id") or None
        yield from entry(line, texts.get("title", ""), texts.get("abstract", ""), pairs, key)


def _csl_text(value: Any) -> str:
    return clean(value) if isinstance(value, str) else str(value) if isinstance(value, int | float) else ""


def _item_lines(text: str) -> Iterator[int]:
    """The line each top-level item of a JSON array starts on (the array is known to be valid JSON)."""
    decoder = json.JSONDecoder()
    position = text.index("[") + 1
    while True:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text) or text[position] == "]":
            return
        yield text.count("\n", 0, position) + 1
        _, position = decoder.raw_decode(text, position)


def _ids(text: str) -> Read:
    """One arXiv id or URL a line; blank lines and lines starting with ``#`` are left alone."""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            paper_id, version = paper_reference(line.split()[0])
        except ValueError:
            found = arxiv_id([("note", line)])
            if found is None:
                yield Skipped(number, f"no arXiv id in {line[:60]!r}")
                continue
            paper_id, version = found
        yield LibraryEntry(number, "", "", paper_id, version)
