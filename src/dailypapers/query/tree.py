"""The query tree, its canonical printer and its compiler to an arXiv API ``search_query``.

Nodes are small frozen dataclasses, so trees compare by value, hash, and can key caches. ``And`` and ``Or``
hold two or more operands (``a OR b OR c`` is one ``Or``); ``AndNot`` is binary and ``Not`` is the unary
``ANDNOT x`` of the new API grammar (protocol notes §1.4).

The canonical printer spells every field, writes operators explicitly and adds exactly the parentheses the
precedence rules (``ANDNOT``/``AND`` above ``OR``, left-associative; see the package docstring) need, plus
parentheses around a ``Not`` inside another expression for readability. Printing and parsing again gives an
equal tree, including for trees built by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias, assert_never

from dailypapers.query.tokens import FIELDS

__all__ = ["And", "AndNot", "Node", "Not", "Or", "Term", "format_query", "to_api_query"]

_UNQUOTABLE = frozenset('()"')


@dataclass(frozen=True, slots=True)
class Term:
    """``field:text``, or ``field:"text"`` when ``phrase``: a phrase's words must stand next to each other.

    ``field`` is canonical (``ti``, never ``title``); a phrase's whitespace is collapsed to single spaces.
    """

    field: str
    text: str
    phrase: bool = False

    def __post_init__(self) -> None:
        if self.field not in FIELDS:
            raise ValueError(f"unknown field {self.field!r}")
        if not self.text.strip() or '"' in self.text:
            raise ValueError(f"a term needs text without double quotes, not {self.text!r}")
        if not self.phrase and (self.text != "".join(self.text.split()) or _UNQUOTABLE & set(self.text)):
            raise ValueError(f"{self.text!r} needs quotes: make it a phrase")
        if self.field == "au" and not self.phrase and "_" in self.text:
            # arXiv reads au:del_maestro as the phrase "del maestro"; a word with "_" could not be printed back.
            raise ValueError(f"au:{self.text} is the phrase {self.text.replace('_', ' ')!r}: make it one")

    def under(self, field: str) -> Term | None:
        """This term searched under ``field`` (how ``all`` fans out). Under ``au``, a word with ``_`` is the phrase
        arXiv reads (``del_maestro`` is ``"del maestro"``), as the parser makes it; a word of ``_`` alone names
        no author: None."""
        if field == "au" and not self.phrase and "_" in self.text:
            words = " ".join(self.text.replace("_", " ").split())
            return Term(field, words, phrase=True) if words else None
        return Term(field, self.text, self.phrase)


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Node, ...]

    def __post_init__(self) -> None:
        _check_operands(self.operands)


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Node, ...]

    def __post_init__(self) -> None:
        _check_operands(self.operands)


@dataclass(frozen=True, slots=True)
class AndNot:
    """``left ANDNOT right``: papers that match ``left`` and not ``right``."""

    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Not:
    """A leading ``ANDNOT x``: papers that do not match ``x``."""

    operand: Node


Node: TypeAlias = Term | And | Or | AndNot | Not


def _check_operands(operands: tuple[Node, ...]) -> None:
    if len(operands) < 2:
        raise ValueError("And and Or need at least two operands")


def format_query(node: Node) -> str:
    """The canonical text of ``node``: it parses back to an equal tree."""
    match node:
        case Term():
            return _format_term(node)
        case And(operands=operands) | Or(operands=operands):
            operator = " AND " if isinstance(node, And) else " OR "
            return operator.join(_format_operand(node, child, index) for index, child in enumerate(operands))
        case AndNot(left=left, right=right):
            return f"{_format_operand(node, left, 0)} ANDNOT {_format_operand(node, right, 1)}"
        case Not(operand=operand):
            return f"ANDNOT {_format_operand(node, operand, 0)}"
        case _:
            assert_never(node)


def _format_term(term: Term) -> str:
    return f'{term.field}:"{term.text}"' if term.phrase else f"{term.field}:{term.text}"


def _format_operand(parent: Node, child: Node, index: int) -> str:
    text = format_query(child)
    return f"({text})" if _needs_parentheses(parent, child, index) else text


def _needs_parentheses(parent: Node, child: Node, index: int) -> bool:
    """Whether ``child``, operand ``index`` of ``parent``, needs parentheses to parse back the same.

    A left operand of the same precedence needs none (the operators are left-associative), except an ``And``
    inside an ``And``, which the parser would otherwise merge into its parent.
    """
    if isinstance(child, Term):
        return False
    if isinstance(child, Not) or isinstance(parent, Not):
        return True
    if isinstance(parent, Or):
        return isinstance(child, Or)
    if isinstance(child, Or):
        return True
    if isinstance(parent, And):
        return isinstance(child, And) or index > 0
    return index > 0  # parent is AndNot: its right operand is always grouped


def to_api_query(node: Node) -> str:
    """A ``search_query`` for the arXiv export API: every group parenthesised, phrases quoted.

    Precedence in the API is undefined (protocol notes §1.4, step 6), so nothing is left to it. An ``And``
    with ``Not x`` operands becomes the documented binary ``... ANDNOT x`` (arXiv API user manual §5.1).
    """
    match node:
        case Term():
            return _api_term(node)
        case And(operands=operands):
            return _api_and(operands)
        case Or(operands=operands):
            return "(" + " OR ".join(to_api_query(child) for child in operands) + ")"
        case AndNot(left=left, right=right):
            return f"({to_api_query(left)} ANDNOT {to_api_query(right)})"
        case Not(operand=operand):
            return f"(ANDNOT {to_api_query(operand)})"
        case _:
            assert_never(node)


def _api_and(operands: tuple[Node, ...]) -> str:
    kept = [child for child in operands if not isinstance(child, Not)]
    excluded = [child.operand for child in operands if isinstance(child, Not)]
    if not kept:
        return to_api_query(Not(Or(tuple(excluded))))
    text = to_api_query(kept[0]) if len(kept) == 1 else "(" + " AND ".join(map(to_api_query, kept)) + ")"
    for child in excluded:
        text = f"({text} ANDNOT {to_api_query(child)})"
    return text


def _api_term(term: Term) -> str:
    """``au:"del mae*"`` goes out as the manual's ``au:del_mae*``: a wildcard has no meaning inside quotes."""
    if term.field == "au" and term.phrase and "*" in term.text:
        return "au:" + term.text.replace(" ", "_")
    if term.phrase and (term.field != "cat" or " " in term.text):
        return f'{term.field}:"{term.text}"'
    return f"{term.field}:{term.text}"
