"""What one term means on one paper: a predicate over a ``Document`` for each field prefix.

Field semantics follow arXiv's search service (arXiv API user manual §5.1; protocol notes §1.4):

- ``ti abs co jr rn``: the term's words, analysed as the document's (``analysis.py``), must all occur in the
  field (``default_operator=AND``); a phrase's words must occur next to each other, in order. A word ending
  in ``*`` matches any word of the field that starts with it (``ti:quant*``), compared unstemmed.
- ``au``: the words must all occur in *one* author's name, next to each other in order for a phrase
  (``au:del_maestro`` is ``au:"del maestro"``). Accents and case do not matter; there is no stemming, and
  ``*`` ends a prefix as above (``au:del_mae*``).
- ``cat``: a category, compared case-insensitively with the primary and every cross-listed category. ``*``
  is a wildcard (``cat:cs.*``); a bare archive such as ``cat:cs`` or ``cat:astro-ph`` means any category
  in it.
- ``id``: the arXiv id, any form ``split_id`` reads; without a version any version matches.
- ``doi``: the DOI, case-insensitively; ``*`` is a wildcard.
- ``all``: matches if the term matches under any of ``ti au abs co jr cat rn id``. arXiv instead also
  searches a combined field where the words may come from different fields; this is a simplification.

A term whose text has no words at all (``ti:*``) matches nothing, as ``all:*`` did on the legacy API.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import NamedTuple

from dailypapers.model import split_id
from dailypapers.query.analysis import Document, Words, split_query_words
from dailypapers.query.porter import stem
from dailypapers.query.tree import Term

__all__ = ["Predicate", "any_of", "term_predicate"]

Predicate = Callable[[Document], bool]

_ALL_FIELDS = ("ti", "au", "abs", "co", "jr", "cat", "rn", "id")
_TEXT_FIELDS = frozenset({"ti", "abs", "co", "jr", "rn"})


class _Word(NamedTuple):
    """A query word: a stem to look up, or (``prefix``) the start of an unstemmed word."""

    text: str
    prefix: bool


@lru_cache(maxsize=4096)
def term_predicate(term: Term) -> Predicate:
    """The test for ``term``; cached, as topics share terms and a term is compiled once per topic anyway."""
    if term.field == "all":
        return any_of(tuple(term_predicate(under) for field in _ALL_FIELDS if (under := term.under(field))))
    if term.field in _TEXT_FIELDS:
        return _text_predicate(term)
    if term.field == "au":
        return _author_predicate(term)
    if term.field == "cat":
        return _category_predicate(term.text.lower())
    if term.field == "id":
        return _id_predicate(term.text)
    return _doi_predicate(term.text.lower())


def any_of(predicates: tuple[Predicate, ...]) -> Predicate:
    """A predicate true when one of ``predicates`` is."""
    if len(predicates) == 2:  # a topic given by name: ti OR abs, without the cost of a generator
        first, second = predicates
        return lambda document: first(document) or second(document)
    return lambda document: any(predicate(document) for predicate in predicates)


def _never(document: Document) -> bool:
    return False


def _query_words(text: str, stemmed: bool) -> tuple[_Word, ...]:
    pairs = split_query_words(text, possessive=stemmed)
    return tuple(_Word(word if prefix or not stemmed else stem(word), prefix) for word, prefix in pairs)


def _text_predicate(term: Term) -> Predicate:
    field = term.field
    words = _query_words(term.text, stemmed=True)
    if not words:
        return _never
    if len(words) == 1 and not words[0].prefix:
        only = words[0].text
        return lambda document: only in document.text(field).stem_set
    if term.phrase:
        return lambda document: _has_phrase(document.text(field), words)
    return lambda document: _has_all(document.text(field), words)


def _author_predicate(term: Term) -> Predicate:
    words = _query_words(term.text, stemmed=False)
    if not words:
        return _never
    test = _has_phrase if term.phrase else _has_all
    return lambda document: any(test(name, words) for name in document.authors)


def _has_all(field: Words, words: Iterable[_Word]) -> bool:
    """Every query word occurs somewhere in the field."""
    for word in words:
        if word.prefix:
            if not any(token.startswith(word.text) for token in field.tokens):
                return False
        elif word.text not in field.stem_set:
            return False
    return True


def _has_phrase(field: Words, words: tuple[_Word, ...]) -> bool:
    """The query words occur next to each other, in order; checked only when each occurs at all."""
    if not _has_all(field, words):
        return False
    stop = len(field.stems) - len(words) + 1
    if words[0].prefix:
        return any(_phrase_at(field, words, start) for start in range(stop))
    start = -1
    while True:  # visit only the places where the first stem stands; tuple.index searches in C
        try:
            start = field.stems.index(words[0].text, start + 1, stop)
        except ValueError:
            return False
        if _phrase_at(field, words, start):
            return True


def _phrase_at(field: Words, words: tuple[_Word, ...], start: int) -> bool:
    for offset, word in enumerate(words):
        index = start + offset
        if word.prefix:
            if not field.tokens[index].startswith(word.text):
                return False
        elif field.stems[index] != word.text:
            return False
    return True


def _category_predicate(pattern: str) -> Predicate:
    if "*" in pattern:
        wildcard = _wildcard(pattern)
        return lambda document: any(wildcard.fullmatch(category) for category in document.categories)
    if "." in pattern:
        return lambda document: pattern in document.categories
    archive = pattern + "."
    return lambda document: any(c == pattern or c.startswith(archive) for c in document.categories)


def _id_predicate(text: str) -> Predicate:
    if "*" in text:
        wildcard = _wildcard(text.lower())
        return lambda document: any(
            wildcard.fullmatch(spelled.lower()) for spelled in (document.paper.id, document.paper.versioned_id)
        )
    try:
        wanted, version = split_id(text)
    except ValueError:
        return _never
    wanted = wanted.lower()
    return lambda document: document.paper.id.lower() == wanted and version in (None, document.paper.version)


def _doi_predicate(pattern: str) -> Predicate:
    wildcard = _wildcard(pattern)
    return lambda document: bool(document.paper.doi and wildcard.fullmatch(document.paper.doi.lower()))


def _wildcard(pattern: str) -> re.Pattern[str]:
    """``*`` as any run of characters, every other character literal."""
    return re.compile(".*".join(map(re.escape, pattern.split("*"))))
