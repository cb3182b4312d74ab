"""Queries that parse and run but likely do not say what their author meant: warnings, never errors.

arXiv's operators are upper case: a lowercase ``and``, ``or`` or ``not`` is a search word (protocol notes
§1.3, "ti:(notarealword and pineapple) – An OR of the 3 words"), and terms with no operator between them are
joined by ``OR``. So ``ti:compiler and abs:gpu`` is ``ti:compiler OR all:and OR abs:gpu``, which takes in every
paper with the word "and" anywhere. The query keeps arXiv's meaning, since a local match must agree with what
arXiv answers; the warning shows the query with a caret under each such word and says what to write instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dailypapers.query.tokens import Kind, Token, tokenize

__all__ = ["QueryWarning", "lint"]

_OPERATOR_WORDS = {"AND": "require both terms", "OR": "accept either term", "NOT": "exclude the term after it"}
_OPERATOR_WORDS["ANDNOT"] = _OPERATOR_WORDS["NOT"]
_ENDS_TERM = frozenset({Kind.WORD, Kind.PHRASE, Kind.RPAREN})
_STARTS_TERM = frozenset({Kind.WORD, Kind.PHRASE, Kind.FIELD, Kind.LPAREN, Kind.NOT, Kind.ANDNOT})
# A word stands next to a term when one ends just before it or one starts just after it.
_WHITE = re.compile(r"\s")


@dataclass(frozen=True, slots=True)
class QueryWarning:
    """A warning about a query: the query on one line, the spans at issue (0-based, end exclusive), why.

    Printed, it is three lines like a syntax error's: the message, the query, carets under every span.
    """

    source: str
    spans: tuple[tuple[int, int], ...]
    message: str
    topic: str | None = None

    def __str__(self) -> str:
        head = f"topic {self.topic!r}: " if self.topic else ""
        carets = [" "] * max(end for _, end in self.spans)
        for start, end in self.spans:
            carets[start:end] = "^" * (end - start)
        return f"{head}{self.message}\n  {self.source}\n  {''.join(carets)}"


def lint(source: str, topic: str | None = None) -> tuple[QueryWarning, ...]:
    """The warnings about ``source``, a query that parses; at most one, covering every word at issue."""
    tokens = tokenize(source)
    words = [token for index, token in enumerate(tokens) if _operator_word(tokens, index)]
    if not words:
        return ()
    one_line = _WHITE.sub(" ", source)  # one character for one, so the carets stay under their words
    spans = tuple((word.start, word.end) for word in words)
    return (QueryWarning(one_line, spans, _message(words), topic),)


def _operator_word(tokens: list[Token], index: int) -> bool:
    """Whether ``tokens[index]`` is an operator spelled in the wrong case, standing next to a term.

    Between two terms it was surely meant as the operator; before or after one only (``ti:compiler and``), it
    still makes the query take in every paper with that word. A prefixed word (``ti:and``) is a deliberate search.
    """
    token = tokens[index]
    if token.kind is not Kind.WORD or token.text.upper() not in _OPERATOR_WORDS or token.text.isupper():
        return False
    before = index > 0 and tokens[index - 1].kind in _ENDS_TERM
    prefixed = index > 0 and tokens[index - 1].kind is Kind.FIELD and tokens[index - 1].end == token.start
    return not prefixed and (before or tokens[index + 1].kind in _STARTS_TERM)


def _message(words: list[Token]) -> str:
    spelled = list(dict.fromkeys(word.text for word in words))
    if len(spelled) == 1:
        upper = spelled[0].upper()
        return (
            f"lowercase {spelled[0]!r} is a search word on arXiv, not an operator (a missing operator means OR); "
            f"write {upper} to {_OPERATOR_WORDS[upper]}"
        )
    quoted = ", ".join(repr(word) for word in spelled)
    upper = ", ".join(dict.fromkeys(word.upper() for word in spelled))
    return f"lowercase {quoted} are search words on arXiv, not operators (a missing operator means OR); write {upper}"
