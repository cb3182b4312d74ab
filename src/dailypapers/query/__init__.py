"""The topic query language: arXiv's ``search_query`` syntax, parsed, printed, compiled and evaluated locally.

Syntax (arXiv API user manual §5.1, and the new API service's rewriting, protocol notes §1.3-§1.4):

- A term is ``field:word`` or ``field:"a phrase"``, with a field among ``ti au abs co jr cat rn id all``
  (plus ``doi``, and ``title`` for ``ti``). A term without a field is ``all:``. ``field:(a b "c d")`` gives
  the field to every term inside that has none. ``au:del_maestro`` is the phrase ``au:"del maestro"``.
- Operators ``AND``, ``OR``, ``ANDNOT`` are case-sensitive (``and`` is a search word). ``NOT`` and
  ``AND NOT`` are read as ``ANDNOT``, as the new service does. A leading ``ANDNOT x`` means "not x".
- A missing operator means ``OR``, as on arXiv: ``ti:graph neural`` is ``ti:graph OR all:neural``.

Precedence. arXiv leaves it undefined (its grammar is ambiguous), so this package picks the usual one and
prints parentheses wherever it matters: ``ANDNOT`` and ``AND`` bind tighter than ``OR`` (and than a missing
operator), both left-associative at one level, and a leading ``ANDNOT`` binds tightest. So
``a OR b AND c`` is ``a OR (b AND c)`` and ``a ANDNOT b AND c`` is ``(a ANDNOT b) AND c``. The API compiler
parenthesises everything, so arXiv sees the same grouping.

Matching a paper locally: ``ti``/``abs`` words are matched the way arXiv's English analysis sees them (lower
case, split at punctuation and hyphens, possessive ``'s`` dropped, original Porter stems), several words in
one unquoted term must all occur (``default_operator=AND``), and a quoted phrase's stems must be adjacent and
in order. Stop words are *not* removed, on either side. ``analysis.py`` and ``terms.py`` give the details of
every field, including the simplified ``all:``.

Typical use::

    node = topic_query("graph neural networks", None)
    matcher = Matcher(node)
    document = analyse(paper)
    if matcher(document):
        print(explain(node, document))
"""

from dailypapers.query.analysis import Document, analyse
from dailypapers.query.lint import QueryWarning, lint
from dailypapers.query.match import Matcher, evaluate, explain, matches
from dailypapers.query.parser import Located, located_terms, parse, topic_query
from dailypapers.query.porter import stem
from dailypapers.query.tree import And, AndNot, Node, Not, Or, Term, format_query, to_api_query

__all__ = [
    "And",
    "AndNot",
    "Document",
    "Located",
    "Matcher",
    "Node",
    "Not",
    "Or",
    "QueryWarning",
    "Term",
    "analyse",
    "evaluate",
    "explain",
    "format_query",
    "lint",
    "located_terms",
    "matches",
    "parse",
    "stem",
    "to_api_query",
    "topic_query",
]
