"""The category scope as SQL: the database decides which stored versions are in scope, as the matcher would.

``[scope] categories`` becomes a query of ``cat:`` terms (``match/verdicts.scope_query``), and the matcher
decides each term on the lower-cased primary and cross-listed categories of a paper (``query/terms.py``).
``condition`` writes that same decision as a SQL condition on a version's stored categories, so that a
reader can filter by scope while it reads, newest first, and stop at the number it shows instead of loading
every match to filter it in Python. A term is one of three kinds, as in ``query/terms.py``:

- a wildcard (``cat:cs.*``): ``*`` is any run of characters, every other character is literal (``GLOB``);
- a category (with a dot, ``cat:cs.DC``): equal;
- an archive (``cat:hep-th``): equal, or any category of it (``hep-th.*``).

Categories are ASCII (arXiv's taxonomy), so SQLite's ASCII ``lower`` is Python's here. A query with any
other field (``ti:``) cannot be written in SQL: ``condition`` returns None and the reader asks the matcher.
"""

from __future__ import annotations

from typing import assert_never

from dailypapers.query import And, AndNot, Node, Not, Or, Term

__all__ = ["Condition", "condition"]

Condition = tuple[str, tuple[str, ...]]
"""A SQL condition and the values of its ``?`` placeholders, in order."""

_CATEGORIES = (
    "SELECT lower(primary_category) AS c FROM versions WHERE paper_id = {paper} AND version = {version} "
    "UNION ALL SELECT lower(category) FROM categories WHERE paper_id = {paper} AND version = {version}"
)
_GLOB_SPECIAL = {"[": "[[]", "?": "[?]", "*": "[*]"}


def condition(scope: Node | None, paper: str, version: str) -> Condition | None:
    """SQL that is true for a version (columns ``paper``, ``version``) in ``scope``; everything when None.

    None when the scope has a term other than ``cat:``, which only the matcher can decide.
    """
    if scope is None:
        return "1", ()
    return _Writer(_CATEGORIES.format(paper=paper, version=version)).write(scope)


class _Writer:
    def __init__(self, categories: str) -> None:
        self._categories = categories

    def write(self, node: Node) -> Condition | None:
        match node:
            case Term():
                return self._any_category([node])
            case Or(operands=operands):
                return self._or(operands)
            case And(operands=operands):
                return _joined(" AND ", [self.write(child) for child in operands])
            case AndNot(left=left, right=right):
                return _joined(" AND NOT ", [self.write(left), self.write(right)])
            case Not(operand=operand):
                return _negated(self.write(operand))
            case _:
                assert_never(node)

    def _or(self, operands: tuple[Node, ...]) -> Condition | None:
        """One category lookup for all the ``cat:`` terms of an OR (a scope is exactly that), the rest apart."""
        terms = [child for child in operands if isinstance(child, Term)]
        others = [self.write(child) for child in operands if not isinstance(child, Term)]
        return _joined(" OR ", [self._any_category(terms), *others] if terms else others)

    def _any_category(self, terms: list[Term]) -> Condition | None:
        """Some category of the version satisfies one of ``terms``."""
        tests = [_category_test(term) for term in terms]
        written = _joined(" OR ", tests)
        if written is None:
            return None
        sql, values = written
        return f"EXISTS (SELECT 1 FROM ({self._categories}) WHERE {sql})", values


def _category_test(term: Term) -> Condition | None:
    """``c`` (a lower-cased category) satisfies the ``cat:`` term, as ``query/terms.py`` decides it."""
    if term.field != "cat":
        return None
    pattern = term.text.lower()
    if "*" in pattern:
        glob = "*".join("".join(_GLOB_SPECIAL.get(char, char) for char in part) for part in pattern.split("*"))
        return "c GLOB ?", (glob,)
    if "." in pattern:
        return "c = ?", (pattern,)
    archive = pattern + "."
    return f"(c = ? OR substr(c, 1, {len(archive)}) = ?)", (pattern, archive)


def _joined(operator: str, parts: list[Condition | None]) -> Condition | None:
    """The parts joined by ``operator``, in parentheses; None when any part cannot be written."""
    written = [part for part in parts if part is not None]
    if len(written) < len(parts) or not written:
        return None
    sql = operator.join(part[0] for part in written)
    return f"({sql})", tuple(value for part in written for value in part[1])


def _negated(part: Condition | None) -> Condition | None:
    return None if part is None else (f"(NOT {part[0]})", part[1])
