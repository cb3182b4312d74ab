"""Which papers are on which topic, within the scope: the local verdict every stage relies on.

The scope (``[scope] categories``) becomes a query of ``cat:`` terms, and every paper is analysed once and
evaluated against it and against each topic's query, exactly as the topics' own matching does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from dailypapers.arxiv.taxonomy import ARCHIVES_WITH_CLASSES as _ARCHIVES_WITH_CLASSES
from dailypapers.config import Topic
from dailypapers.model import Paper
from dailypapers.query import Node, analyse, evaluate, parse


def scope_query(categories: tuple[str, ...]) -> Node | None:
    """The scope as a query: ``cat:cs.* OR cat:hep-th``; None when every category is in scope."""
    if not categories:
        return None
    terms = [f"cat:{c}.*" if c in _ARCHIVES_WITH_CLASSES else f"cat:{c}" for c in categories]
    return parse(" OR ".join(terms))


def in_scope(scope: Node | None, paper: Paper) -> bool:
    return scope is None or evaluate(scope, analyse(paper))


class Verdicts:
    """Whether each entry is in scope and which topics it is about; every entry is analysed once."""

    def __init__(self, topics: Sequence[Topic], scope: Node | None) -> None:
        self.topics = topics
        self.scope = scope
        self._seen: dict[tuple[str, int], tuple[bool, frozenset[str]]] = {}

    def of(self, paper: Paper) -> tuple[bool, frozenset[str]]:
        key = (paper.id, paper.version)
        verdict = self._seen.get(key)
        if verdict is None:
            document = analyse(paper)
            in_scope = self.scope is None or evaluate(self.scope, document)
            # Out of scope, a paper is never shown: its title and abstract need no analysis at all.
            about = frozenset(topic.name for topic in self.topics if in_scope and evaluate(topic.query, document))
            verdict = self._seen[key] = (in_scope, about)
        return verdict

    def about(self, paper: Paper, topic: Topic) -> bool:
        in_scope, about = self.of(paper)
        return in_scope and topic.name in about

    def relevant(self, paper: Paper) -> bool:
        in_scope, about = self.of(paper)
        return in_scope and bool(about)

    def in_scope_primary(self, paper: Paper) -> bool:
        """Whether the paper's primary category is in scope (else it is a cross-list there)."""
        if self.scope is None:
            return True
        primary_only = replace(paper, categories=(paper.primary_category,))
        return evaluate(self.scope, analyse(primary_only))
