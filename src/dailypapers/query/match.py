"""Evaluate a query tree on papers, and say which part of it made a paper match.

A daily run tests every topic on every new paper, so the work is split the way it repeats: a paper is
analysed once (``analyse`` → ``Document``), a topic's query is compiled once into nested closures
(``Matcher``), and matching is a call of one on the other. A ``Matcher`` compiles its whole tree itself, the
test and the explanation alike, so however many topics a run holds, none is compiled twice.

``evaluate``, ``matches`` and ``explain`` are conveniences for a query met once; they compile through a
bounded cache, which a caller testing more topics than it holds would only churn: hold a ``Matcher`` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import assert_never

from dailypapers.model import Paper
from dailypapers.query.analysis import Document, analyse
from dailypapers.query.terms import Predicate, any_of, term_predicate
from dailypapers.query.tree import And, AndNot, Node, Not, Or, Term, format_query

__all__ = ["Matcher", "evaluate", "explain", "matches"]

Reason = Callable[[Document], Node | None]
"""The part of a query a document satisfies (``explain``'s tree), or None when it does not match."""


class Matcher:
    """One topic's query, compiled once: ``matcher(document)`` says whether the paper matches, and
    ``matcher.explain(document)`` which part of the query it satisfies (compiled on first use)."""

    __slots__ = ("node", "_test", "_reason")

    def __init__(self, node: Node) -> None:
        self.node = node
        self._test = _build(node)
        self._reason: Reason | None = None

    def __call__(self, document: Document) -> bool:
        return self._test(document)

    def matches(self, paper: Paper) -> bool:
        return self._test(analyse(paper))

    def explain(self, document: Document) -> str | None:
        """What ``explain(self.node, document)`` says, without compiling anything again."""
        if self._reason is None:
            self._reason = _build_reason(self.node)
        reason = self._reason(document)
        return None if reason is None else format_query(reason)


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
            return _and_reason(operands, [_reason(child, document) for child in operands])
        case Or(operands=operands):
            return _or_reason([_reason(child, document) for child in operands])
        case AndNot(left=left, right=right):
            return None if evaluate(right, document) else _reason(left, document)
        case Not(operand=operand):
            return None if evaluate(operand, document) else node
        case _:
            assert_never(node)


def _and_reason(operands: tuple[Node, ...], reasons: list[Node | None]) -> Node | None:
    kept = [reason for reason in reasons if reason is not None]
    if len(kept) < len(operands):
        return None
    wanted = [reason for reason in kept if not isinstance(reason, Not)] or kept
    return wanted[0] if len(wanted) == 1 else And(tuple(wanted))


def _or_reason(reasons: list[Node | None]) -> Node | None:
    kept = [reason for reason in reasons if reason is not None]
    return kept[0] if len(kept) == 1 else Or(tuple(kept)) if kept else None


def _build_reason(node: Node) -> Reason:
    """``_reason`` for one tree, compiled: each term's test and each excluded part's test built once."""
    match node:
        case Term():
            test = term_predicate(node)
            return lambda document: node if test(document) else None
        case And(operands=operands):
            parts = tuple(map(_build_reason, operands))
            return lambda document: _and_reason(operands, [part(document) for part in parts])
        case Or(operands=operands):
            parts = tuple(map(_build_reason, operands))
            return lambda document: _or_reason([part(document) for part in parts])
        case AndNot(left=left, right=right):
            wanted, unwanted = _build_reason(left), _build(right)
            return lambda document: None if unwanted(document) else wanted(document)
        case Not(operand=operand):
            excluded = _build(operand)
            return lambda document: None if excluded(document) else node
        case _:
            assert_never(node)


def _build(node: Node) -> Predicate:
    """The test for ``node``, compiled from scratch (a ``Matcher`` holds it for as long as it needs it)."""
    match node:
        case Term():
            return term_predicate(node)
        case And(operands=operands):
            return _all_of(tuple(map(_build, operands)))
        case Or(operands=operands):
            return any_of(tuple(map(_build, operands)))
        case AndNot(left=left, right=right):
            return _but_not(_build(left), _build(right))
        case Not(operand=operand):
            return _negation(_build(operand))
        case _:
            assert_never(node)


_compile = lru_cache(maxsize=1024)(_build)
"""``_build`` behind a bounded cache, for ``evaluate``: a query met once is compiled once, a few at a time."""


def _all_of(predicates: tuple[Predicate, ...]) -> Predicate:
    if len(predicates) == 2:  # the common case, without the cost of a generator
        first, second = predicates
        return lambda document: first(document) and second(document)
    return lambda document: all(predicate(document) for predicate in predicates)


def _but_not(wanted: Predicate, unwanted: Predicate) -> Predicate:
    return lambda document: wanted(document) and not unwanted(document)


def _negation(predicate: Predicate) -> Predicate:
    return lambda document: not predicate(document)
