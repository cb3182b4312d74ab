"""Parse a topic query into a tree, with errors that point at the exact characters at fault.

Grammar (precedence from loosest to tightest; see the package docstring for why)::

    query    := or_expr END
    or_expr  := and_expr ( ["OR"] and_expr )*            a missing operator means OR, as on arXiv
    and_expr := unary ( ("AND" | "ANDNOT" | "AND NOT" | "NOT") unary )*
    unary    := ("ANDNOT" | "NOT") unary | primary
    primary  := term | FIELD term | FIELD "(" or_expr ")" | "(" or_expr ")"
    term     := WORD | PHRASE

Inside ``field:( ... )`` every term without its own prefix takes ``field`` (protocol notes §1.4 step 5); at
the top, such a term takes ``all``. ``au:del_maestro`` is the phrase ``au:"del maestro"``.
"""

from __future__ import annotations

from dataclasses import dataclass

from dailypapers.errors import QuerySyntaxError
from dailypapers.query.tokens import Kind, Token, tokenize
from dailypapers.query.tree import And, AndNot, Node, Not, Or, Term

__all__ = ["Located", "located_terms", "parse", "topic_query"]

_MAX_DEPTH = 64  # nesting deeper than any real topic; it keeps the recursive parts of the package bounded
_STARTS_TERM = frozenset({Kind.WORD, Kind.PHRASE, Kind.FIELD, Kind.LPAREN})
_OPERATORS = frozenset({Kind.AND, Kind.OR, Kind.ANDNOT, Kind.NOT})
# Tabs, and every character at which str.splitlines breaks a line: an error message is three lines (message,
# query, caret), so the query shown must stay on one.
_LINE_BREAKS = str.maketrans(dict.fromkeys("\t\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029", " "))


def parse(source: str) -> Node:
    """The tree of ``source``; raises QuerySyntaxError with the span at fault.

    Line breaks and tabs count as spaces, as in the new API service (protocol notes §1.4 step 1), so a query
    written over several lines of a config file parses, and an error shows it on one line above its caret.
    """
    return _Parser(source.translate(_LINE_BREAKS)).parse()


@dataclass(frozen=True, slots=True)
class Located:
    """A term of a query and where its text stands in the query (0-based ``start``, exclusive ``end``)."""

    term: Term
    start: int
    end: int


def located_terms(source: str) -> tuple[Located, ...]:
    """Every term of ``source`` in order, with its span, so a check of a term's text can point at it."""
    parser = _Parser(source.translate(_LINE_BREAKS))
    parser.parse()
    return tuple(parser.located)


def topic_query(name: str, query: str | None) -> Node:
    """The query of a topic: ``query`` parsed, or for a topic given only by name, ``ti:"name" OR abs:"name"``.

    A syntax error names the topic, so a config with many topics says which one is wrong.
    """
    if query is not None:
        try:
            return parse(query)
        except QuerySyntaxError as err:
            raise err.with_topic(name) from None
    phrase = " ".join(name.replace('"', " ").split())
    if not phrase:
        raise QuerySyntaxError(name, 0, len(name), "a topic needs a name or a query", topic=name)
    return Or((Term("ti", phrase, phrase=True), Term("abs", phrase, phrase=True)))


class _Parser:
    """A recursive-descent parser over the token list; ``field`` is the prefix bare terms inherit."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.position = 0
        self.depth = 0
        self.located: list[Located] = []

    def parse(self) -> Node:
        if self._peek().kind is Kind.END:
            raise self._error(0, len(self.source), "empty query")
        node = self._or_expr("all", None)
        token = self._peek()
        if token.kind is Kind.RPAREN:
            raise self._error(token.start, token.end, "unexpected ')'")
        return node

    def _peek(self) -> Token:
        return self.tokens[self.position]

    def _next(self) -> Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def _error(self, start: int, end: int, message: str) -> QuerySyntaxError:
        return QuerySyntaxError(self.source, start, end, message)

    def _or_expr(self, field: str, opener: Token | None) -> Node:
        operands = [self._and_expr(field, opener)]
        while True:
            token = self._peek()
            if token.kind is Kind.OR:
                operands.append(self._and_expr(field, self._next()))
            elif token.kind in _STARTS_TERM:
                operands.append(self._and_expr(field, None))
            else:
                return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def _and_expr(self, field: str, previous: Token | None) -> Node:
        node = self._unary(field, previous)
        depth = self.depth
        merged = False  # whether ``node`` is an And built by this loop, which a further AND extends
        while self._peek().kind in (Kind.AND, Kind.ANDNOT, Kind.NOT):
            operator = self._operator()
            right = self._unary(field, operator)
            if merged and operator.kind is Kind.AND and isinstance(node, And):
                node = And((*node.operands, right))
                continue
            self._enter(operator)  # each new node nests the previous one: count it like a parenthesis
            if operator.kind is Kind.AND:
                node, merged = And((node, right)), True
            else:
                node, merged = AndNot(node, right), False
        self.depth = depth
        return node

    def _operator(self) -> Token:
        """The next binary operator; ``AND NOT`` and a binary ``NOT`` both mean ``ANDNOT`` (§1.4 step 5)."""
        token = self._next()
        if token.kind is Kind.AND and self._peek().kind is Kind.NOT:
            end = self._next().end
            return Token(Kind.ANDNOT, self.source[token.start : end], token.start, end)
        return token

    def _unary(self, field: str, previous: Token | None) -> Node:
        token = self._peek()
        if token.kind not in (Kind.ANDNOT, Kind.NOT):
            return self._primary(field, previous)
        self._next()
        self._enter(token)
        operand = self._unary(field, token)
        self.depth -= 1
        return Not(operand)

    def _enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise self._error(token.start, token.end, "query nested too deeply")

    def _primary(self, field: str, previous: Token | None) -> Node:
        token = self._peek()
        if token.kind in (Kind.WORD, Kind.PHRASE):
            return self._term(field, self._next())
        if token.kind is Kind.FIELD:
            return self._prefixed(self._next())
        if token.kind is Kind.LPAREN:
            return self._group(field, self._next())
        raise self._missing_term(token, previous)

    def _prefixed(self, prefix: Token) -> Node:
        """What follows ``field:``, which must touch it: ``ti: graph`` is more likely a slip than a search."""
        token = self._peek()
        if token.start != prefix.end or token.kind not in (Kind.WORD, Kind.PHRASE, Kind.LPAREN):
            raise self._error(prefix.start, prefix.end, f"expected a term after '{self._text(prefix)}'")
        if token.kind is Kind.LPAREN:
            return self._group(prefix.text, self._next())
        return self._term(prefix.text, self._next())

    def _group(self, field: str, opener: Token) -> Node:
        self._enter(opener)
        node = self._or_expr(field, opener)
        if self._next().kind is not Kind.RPAREN:
            raise self._error(opener.start, opener.end, "unbalanced '('")
        self.depth -= 1
        return node

    def _term(self, field: str, token: Token) -> Term:
        text = token.text
        phrase = token.kind is Kind.PHRASE
        if field == "au" and not phrase and "_" in text:
            text, phrase = text.replace("_", " "), True
        text = " ".join(text.split())
        if not text:
            message = "empty phrase" if token.kind is Kind.PHRASE else "expected a name, not only '_'"
            raise self._error(token.start, token.end, message)
        term = Term(field, text, phrase)
        self.located.append(Located(term, token.start, token.end))
        return term

    def _missing_term(self, token: Token, previous: Token | None) -> QuerySyntaxError:
        """The error for a place that needs a term, said from the point of view of what came before it."""
        if previous is not None and previous.kind in _OPERATORS:
            message = f"expected a term after '{self._text(previous)}'"
            return self._error(previous.start, previous.end, message)
        if token.kind in _OPERATORS:
            return self._error(token.start, token.end, f"expected a term before '{self._text(token)}'")
        if previous is not None and token.kind is Kind.RPAREN:
            return self._error(previous.start, token.end, "empty parentheses")
        if previous is not None:
            return self._error(previous.start, previous.end, "unbalanced '('")
        if token.kind is Kind.RPAREN:
            return self._error(token.start, token.end, "unexpected ')'")
        return self._error(0, len(self.source), "empty query")

    def _text(self, token: Token) -> str:
        return self.source[token.start : token.end]
