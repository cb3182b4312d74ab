"""Evaluate a query tree on papers, and say which part of it made a paper match.

A daily run tests every topic on every new paper, so the work is split the way it repeats: a paper is
analysed once (``analyse`` → ``Document``), a topic's query is compiled once into nested closures
(``Matcher``), and matching is a call of one on the other. ``evaluate`` and ``matches`` are conveniences that
compile through a cache.
"""

from __future__ import annotations

from functools import lru_cache
from typing import assert_never

from dailypapers.model import Paper
from dailypapers.query.analysis import Document, analyse
from dailypapers.query.terms import Predicate, any_of, term_predicate
from dailypapers.query.tree import And, AndNot, Node, Not, Or, Term, format_query

__all__ = ["Matcher", "evaluate", "explain", "matches"]


class Matcher:
    """One topic's query, compiled: ``matcher(document)`` says whether the paper matches."""

    __slots__ = ("node", "_test")

    def __init__(self, node: Node) -> None:
        self.node = node
        self._test = _compile(node)

    def __call__(self, document: Document) -> bool:
        return self._test(document)

    def matches(self, paper: Paper) -> bool:
        return self._test(analyse(paper))

    def explain(self, document: Document) -> str | None:
        return explain(self.node, document)


def evaluate(node: Node, document: Document) -> bool:
    """Whether the analysed paper matches ``node``."""
    return _compile(node)(document)


def matches(node: Node, paper: Paper) -> bool:
    """Whether ``paper`` matches ``node``; to test many topics on one paper, analyse it once instead."""
    return evaluate(node, analyse(paper))


def explain(node: Node, document: Document) -> str | None:
    """The canonical text of the part of ``node`` that the paper satisfies, or None if it does not match.

    Of an ``OR``, only the operands that match are kept; of an ``AND``, every operand's own reason; an
    excluded part (``ANDNOT``) is left out unless it is the whole reason (a lone ``ANDNOT x``).
    """
    reason = _reason(node, document)
    return None if reason is None else format_query(reason)


def _reason(node: Node, document: Document) -> Node | None:
    match node:
        case Term():
            return node if term_predicate(node)(document) else None
        case And(operands=operands):
            kept = [reason for child in operands if (reason := _reason(child, document)) is not None]
            if len(kept) < len(operands):
                return None
            wanted = [reason for reason in kept if not isinstance(reason, Not)] or kept
            return wanted[0] if len(wanted) == 1 else And(tuple(wanted))
        case Or(operands=operands):
            kept = [reason for child in operands if (reason := _reason(child, document)) is not None]
            return kept[0] if len(kept) == 1 else Or(tuple(kept)) if kept else None
        case AndNot(left=left, right=right):
            return None if evaluate(right, document) else _reason(left, document)
        case Not(operand=operand):
            return None if evaluate(operand, document) else node
        case _:
            assert_never(node)


@lru_cache(maxsize=1024)
def _compile(node: Node) -> Predicate:
    match node:
        case Term():
            return term_predicate(node)
        case And(operands=operands):
            return _all_of(tuple(map(_compile, operands)))
        case Or(operands=operands):
            return any_of(tuple(map(_compile, operands)))
        case AndNot(left=left, right=right):
            return _but_not(_compile(left), _compile(right))
        case Not(operand=operand):
            return _negation(_compile(operand))
        case _:
            assert_never(node)


def _all_of(predicates: tuple[Predicate, ...]) -> Predicate:
    if len(predicates) == 2:  # the common case, without the cost of a generator
        first, second = predicates
        return lambda document: first(document) and second(document)
    return lambda document: all(predicate(document) for predicate in predicates)


def _but_not(wanted: Predicate, unwanted: Predicate) -> Predicate:
    return lambda document: wanted(document) and not unwanted(document)


def _negation(predicate: Predicate) -> Predicate:
    return lambda document: not predicate(document)
