"""Split a topic query into tokens that remember where they stand in the query.

The token classes follow arXiv's ``search_query`` syntax (arXiv API user manual §5.1) and the tokenizer of
the new API service (protocol notes §1.4 step 4): parentheses, double-quoted phrases, the operators ``AND``,
``OR``, ``ANDNOT`` and ``NOT`` (whole words, case-sensitive: ``and`` is a search word), field prefixes such
as ``ti:`` and other words. Positions are 0-based character offsets, so a syntax error can point at its cause.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from dailypapers.errors import QuerySyntaxError

__all__ = ["FIELDS", "Kind", "Token", "tokenize"]

FIELDS = ("ti", "au", "abs", "co", "jr", "cat", "rn", "id", "all", "doi")
"""Every field a term may name. ``doi`` works on arXiv but is not in the manual's table; messages omit it."""

_DOCUMENTED = ", ".join(FIELDS[:-1])
_ALIASES = {"title": "ti"}  # the new service accepts ``title:`` for ``ti:`` (protocol notes §1.3)
_DATE_FIELDS = frozenset({"submitteddate", "lastupdateddate"})
_PREFIX = re.compile(r"[A-Za-z]+:")
_SPECIAL = frozenset('()"')


class Kind(enum.Enum):
    WORD = "word"
    PHRASE = "phrase"
    FIELD = "field"
    LPAREN = "("
    RPAREN = ")"
    AND = "AND"
    OR = "OR"
    ANDNOT = "ANDNOT"
    NOT = "NOT"
    END = "end"


_OPERATORS = {kind.value: kind for kind in (Kind.AND, Kind.OR, Kind.ANDNOT, Kind.NOT)}


@dataclass(frozen=True, slots=True)
class Token:
    """One token. ``text`` is a field's canonical name (``ti`` for ``title:``), a phrase's inner text."""

    kind: Kind
    text: str
    start: int
    end: int


def tokenize(source: str) -> list[Token]:
    """The tokens of ``source`` and a final ``END``; raises QuerySyntaxError for a bad quote or field."""
    tokens: list[Token] = []
    index = 0
    while index < len(source):
        char = source[index]
        if char.isspace():
            index += 1
        elif char in "()":
            tokens.append(Token(Kind.LPAREN if char == "(" else Kind.RPAREN, char, index, index + 1))
            index += 1
        elif char == '"':
            index = _read_phrase(source, index, tokens)
        else:
            index = _read_chunk(source, index, tokens)
    tokens.append(Token(Kind.END, "", len(source), len(source)))
    return tokens


def _read_phrase(source: str, start: int, tokens: list[Token]) -> int:
    close = source.find('"', start + 1)
    if close < 0:
        raise QuerySyntaxError(source, start, len(source), "unterminated quote")
    tokens.append(Token(Kind.PHRASE, source[start + 1 : close], start, close + 1))
    return close + 1


def _read_chunk(source: str, start: int, tokens: list[Token]) -> int:
    """Read a run of ordinary characters: an operator, a ``field:`` prefix with what follows it, or a word."""
    end = start
    while end < len(source) and not source[end].isspace() and source[end] not in _SPECIAL:
        end += 1
    chunk = source[start:end]
    if chunk in _OPERATORS:
        tokens.append(Token(_OPERATORS[chunk], chunk, start, end))
        return end
    prefix = _PREFIX.match(chunk)
    word_start = start
    if prefix:
        word_start = start + prefix.end()
        tokens.append(Token(Kind.FIELD, _field_name(source, start, word_start - 1), start, word_start))
    if word_start < end:
        tokens.append(Token(Kind.WORD, source[word_start:end], word_start, end))
    return end


def _field_name(source: str, start: int, colon: int) -> str:
    """The canonical name of the field spelled ``source[start:colon]``, read case-insensitively."""
    spelled = source[start:colon]
    name = _ALIASES.get(spelled.lower(), spelled.lower())
    if name in FIELDS:
        return name
    if name in _DATE_FIELDS:
        message = f"field '{spelled}' is not supported in topic queries; every run already selects new papers"
        raise QuerySyntaxError(source, start, colon, message)
    raise QuerySyntaxError(source, start, colon, f"unknown field '{spelled}'; use one of {_DOCUMENTED}")
