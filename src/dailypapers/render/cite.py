"""Citations of papers: BibTeX entries and CSL-JSON items (what Zotero, Mendeley and pandoc import).

BibTeX follows arXiv's own "Export BibTeX citation": ``@misc`` with ``eprint``, ``archivePrefix = {arXiv}``,
``primaryClass`` and ``url``; a paper with a journal reference is an ``@article`` in that journal, and a DOI is
given in either. The file is UTF-8, as biber reads it: names keep their accents and scripts. Paper text is TeX
written by its authors and arbitrary bytes alike, so every character TeX treats specially is escaped, except
inside a ``$…$`` formula that is safe to keep (balanced braces, no comment sign, no command that reads or writes
files or redefines anything), which stays a formula. Keys are ``family`` + year + first word of the title, in
ASCII (``lovelace2026analytical``), and made unique with ``b``, ``c``, … when two papers would share one.

CSL-JSON follows https://citeproc-js.readthedocs.io/en/latest/csl-json/markup.html: ``type`` ``article`` (a
preprint) or ``article-journal``, names as family and given, ``issued`` as date parts, the arXiv id as
``number`` and ``publisher: "arXiv"``, which Zotero reads as a preprint on arXiv.

``EXPORTS`` names both files once, for every place that offers them (``dailypapers stars --bibtex | --json`` and
the reader's ``/starred.bib`` and ``/starred.json``), so that they give the same bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from dailypapers.model import Paper
from dailypapers.render.names import PersonName, ascii_word, split_name

_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "^": r"\^{}",
    "~": r"\~{}",
}
_SPECIAL = re.compile(r"[\\{}%&#_$^~]")
_FORMULA = re.compile(r"(?<!\\)\$([^$]+)(?<!\\)\$")
# Commands a formula may not hold: they read or write files, run programs or change how TeX reads the rest.
_UNSAFE = re.compile(
    r"\\(?:input|include|write|immediate|openout|openin|read|def|edef|gdef|xdef|let|catcode|csname|endcsname|"
    r"newcommand|renewcommand|providecommand|usepackage|special|expandafter|makeatletter|url|href|directlua|"
    r"begin|end|verb|string|lowercase|uppercase|scantokens)(?![a-zA-Z])"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_STOP = frozenset(
    ["a", "an", "the", "on", "of", "in", "for", "to", "and", "or", "with", "from", "by", "at", "is", "are", "as", "via"]
)
_JOINED_AND = re.compile(r"(?:^|\s)and(?:\s|$)", re.IGNORECASE)


def tex_text(text: str) -> str:
    """``text`` as one line of BibTeX field text: white space collapsed, special characters escaped, safe
    formulas kept."""
    line = _CONTROL.sub("", " ".join(text.split()))
    parts: list[str] = []
    last = 0
    for formula in _FORMULA.finditer(line):
        parts.append(_escaped(line[last : formula.start()]))
        parts.append(formula.group(0) if _safe_formula(formula.group(1)) else _escaped(formula.group(0)))
        last = formula.end()
    parts.append(_escaped(line[last:]))
    return "".join(parts)


def _escaped(text: str) -> str:
    return _SPECIAL.sub(lambda found: _TEXT_ESCAPES[found.group(0)], text)


def _safe_formula(body: str) -> bool:
    """Whether a formula can stay TeX: braces balanced (BibTeX counts every brace, escaped or not, so an
    unbalanced one would end the field), no ``%`` or ``#`` outside an escape, no command that touches files or
    definitions, no backslash before the closing ``$``."""
    bare = re.sub(r"\\[^a-zA-Z]", "", body)  # \{ \% \\ and the like: escaped characters
    depth = 0
    for char in body:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    unsafe = "%" in bare or "#" in bare or _UNSAFE.search(body) is not None
    return depth == 0 and not unsafe and not body.endswith("\\")


def citation_keys(papers: Sequence[Paper]) -> list[str]:
    """The key of each paper, in order, every one different: ``lovelace2026analytical``, then ``…b``, ``…c``."""
    keys: list[str] = []
    taken: set[str] = set()
    for paper in papers:
        base = _base_key(paper)
        key, number = base, 1
        while key in taken:
            number += 1
            key = base + _suffix(number)
        taken.add(key)
        keys.append(key)
    return keys


def _base_key(paper: Paper) -> str:
    first = split_name(paper.authors[0].name) if paper.authors else PersonName()
    family = ascii_word(first.family.split()[-1] if first.family else first.literal) or "anon"
    words = [ascii_word(word) for word in re.split(r"[\s\-/:]+", paper.title)]
    word = next((w for w in words if w and w not in _STOP and not w.isdigit()), "")
    return f"{family}{paper.published.year}{word}"


def _suffix(number: int) -> str:
    """``b`` for the second paper of a key, up to ``z``; then ``27``, ``28``, …, which no word ends with here."""
    return chr(ord("a") + number - 1) if number <= 26 else str(number)


# --- BibTeX ------------------------------------------------------------------------------------------------------


def bibtex(papers: Sequence[Paper]) -> str:
    """A BibTeX file of ``papers``, one entry each, in order."""
    return "\n".join(_entry(paper, key) for paper, key in zip(papers, citation_keys(papers), strict=True))


def _entry(paper: Paper, key: str) -> str:
    kind = "article" if paper.journal_ref else "misc"
    lines = [f"@{kind}{{{key},"]
    lines.extend(f"  {name} = {{{value}}}," for name, value in _fields(paper))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _fields(paper: Paper) -> Iterator[tuple[str, str]]:
    yield "title", tex_text(paper.title)
    if paper.authors:
        yield "author", " and ".join(_bibtex_name(author.name) for author in paper.authors)
    if paper.journal_ref:
        yield "journal", tex_text(paper.journal_ref)
    yield "year", str(paper.published.year)
    yield "eprint", paper.id
    yield "archivePrefix", "arXiv"
    yield "primaryClass", tex_text(paper.primary_category)
    doi = _doi(paper)
    if doi and not set(doi) & set("{}\\"):
        yield "doi", doi  # a verbatim field for biblatex, as url and eprint are: written as it is
    yield "url", _url(paper)


def _doi(paper: Paper) -> str | None:
    """The first well-formed DOI (``10.NNNN/…``) of the paper, if any."""
    return next((text for text, url in paper.dois if url), None)


def _url(paper: Paper) -> str:
    """The unversioned abstract page, as arXiv's export gives it: no character in it needs escaping in a
    ``url`` field (an id is letters, digits, ``.``, ``-`` and ``/``)."""
    return f"https://arxiv.org/abs/{paper.id}"


def _bibtex_name(name: str) -> str:
    """``Family, Suffix, Given`` (or ``{Literal}``), each part escaped and braced when it holds the word
    ``and`` or a comma, which would otherwise split it into two authors or two parts."""
    parts = split_name(name)
    if parts.literal or not parts.family:
        return "{" + tex_text(parts.literal or name) + "}"
    pieces = [parts.family, *([parts.suffix] if parts.suffix else []), parts.given]
    return ", ".join(_name_part(piece) for piece in pieces if piece)


def _name_part(text: str) -> str:
    escaped = tex_text(text)
    return "{" + escaped + "}" if "," in escaped or _JOINED_AND.search(escaped) else escaped


# --- CSL-JSON ----------------------------------------------------------------------------------------------------


def csl_items(papers: Sequence[Paper]) -> list[dict[str, Any]]:
    """The CSL-JSON items of ``papers``, in order; ``id`` is the BibTeX key, so both exports agree."""
    return [_item(paper, key) for paper, key in zip(papers, citation_keys(papers), strict=True)]


def csl_json(papers: Sequence[Paper]) -> str:
    """A CSL-JSON file of ``papers`` (UTF-8 text, names in their own scripts)."""
    return json.dumps(csl_items(papers), ensure_ascii=False, indent=2) + "\n"


def _item(paper: Paper, key: str) -> dict[str, Any]:
    published = paper.published
    item: dict[str, Any] = {
        "id": key,
        "type": "article-journal" if paper.journal_ref else "article",
        "title": " ".join(paper.title.split()),
        "author": [_csl_name(author.name) for author in paper.authors],
        "issued": {"date-parts": [[published.year, published.month, published.day]]},
        "abstract": " ".join(paper.abstract.split()),
        "URL": _url(paper),
        "number": paper.id,
        "publisher": "arXiv",
        "version": str(paper.version),
    }
    if paper.journal_ref:
        item["container-title"] = " ".join(paper.journal_ref.split())
    doi = _doi(paper)
    if doi:
        item["DOI"] = doi
    return item


def _csl_name(name: str) -> dict[str, str]:
    parts = split_name(name)
    if parts.literal or not parts.family:
        return {"literal": parts.literal or " ".join(name.split())}
    found = {"family": parts.family, "given": parts.given, "suffix": parts.suffix}
    return {field: value for field, value in found.items() if value}


# --- exports -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Export:
    """A file of citations: what a person calls it, its media type and file suffix, and what writes it."""

    name: str
    media_type: str
    suffix: str
    write: Callable[[Sequence[Paper]], str]


# By the name ``dailypapers stars`` gives each (``--bibtex``, ``--json``).
EXPORTS = {
    "bibtex": Export("BibTeX", "text/x-bibtex; charset=utf-8", "bib", bibtex),
    "json": Export("CSL-JSON", "application/vnd.citationstyles.csl+json", "json", csl_json),
}
