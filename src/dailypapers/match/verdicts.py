"""Which papers are on which topic, within the scope: the local verdict every stage relies on.

The scope (``[scope] categories``) becomes a query of ``cat:`` terms, built once per scope (``scope_query``).
Each topic's query is compiled once into a ``Matcher`` (``matcher_for``), which every stage of a run shares,
however many topics there are. Each paper version is analysed once: its verdict works out, while the document
is at hand, why it is about each topic; the rematch records those reasons and the digest reads them back. Only
what has no recorded reason (a back-fill's match, a topic whose query changed) is analysed again when shown,
through ``DOCUMENTS``, which keeps the most recent analyses.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from weakref import WeakKeyDictionary

from dailypapers.arxiv.taxonomy import ARCHIVES_WITH_CLASSES as _ARCHIVES_WITH_CLASSES
from dailypapers.config import Topic
from dailypapers.model import Paper
from dailypapers.query import Document, Matcher, Node, analyse, parse

DOCUMENTS_KEPT = 500
"""How many analysed papers ``DOCUMENTS`` keeps: a busy day's matches, at ~30 KiB each at most (15 MiB)."""


@cache
def scope_query(categories: tuple[str, ...]) -> Node | None:
    """The scope as a query: ``cat:cs.* OR cat:hep-th``; None when every category is in scope. Built once per
    scope: every stage that asks for the same categories gets the same tree (and so the same ``Matcher``)."""
    if not categories:
        return None
    terms = [f"cat:{c}.*" if c in _ARCHIVES_WITH_CLASSES else f"cat:{c}" for c in categories]
    return parse(" OR ".join(terms))


def in_scope(scope: Node | None, paper: Paper) -> bool:
    """Whether the paper is in the scope; the scope reads categories only, so the paper needs no analysis."""
    return scope is None or _scope_matcher(scope)(Document(paper))


@lru_cache(maxsize=16)
def _scope_matcher(scope: Node) -> Matcher:
    """A process meets one scope per config, so a handful of entries never churn."""
    return Matcher(scope)


_MATCHERS: WeakKeyDictionary[Topic, Matcher] = WeakKeyDictionary()


def matcher_for(topic: Topic) -> Matcher:
    """The topic's query, compiled once for as long as the config that holds the topic lives (a run)."""
    matcher = _MATCHERS.get(topic)
    if matcher is None:
        matcher = _MATCHERS[topic] = Matcher(topic.query)
    return matcher


def _analysed(paper: Paper) -> tuple[object, ...]:
    """Everything of a paper that its ``Document`` reads: two papers alike here are analysed alike."""
    authors = tuple(author.name for author in paper.authors)
    texts = (paper.title, paper.abstract, paper.comment, paper.journal_ref, paper.report_no, paper.doi)
    return (*texts, authors, paper.primary_category, paper.categories)


class Documents:
    """Analysed papers by (id, version), the most recently used ``limit`` of them, so that each paper version
    is analysed once however many stages read it. A kept document serves only a paper with the same text
    (a version first stored from the announcement feed, say, is not the export API's)."""

    def __init__(self, limit: int = DOCUMENTS_KEPT) -> None:
        self.limit = limit
        self.analysed = 0  # how many papers were analysed, for as long as this lives
        self._kept: OrderedDict[tuple[str, int], Document] = OrderedDict()
        self._watchers: list[list[tuple[str, int]]] = []

    def of(self, paper: Paper) -> Document:
        """The paper's kept document, or a new one (not kept: ``keep`` says which are worth keeping)."""
        key = (paper.id, paper.version)
        document = self._kept.get(key)
        if document is not None and (document.paper is paper or _analysed(document.paper) == _analysed(paper)):
            self._kept.move_to_end(key)
            return document
        self.analysed += 1
        for watcher in self._watchers:
            watcher.append(key)
        return analyse(paper)

    def keep(self, document: Document) -> None:
        key = (document.paper.id, document.paper.version)
        self._kept[key] = document
        self._kept.move_to_end(key)
        while len(self._kept) > self.limit:
            self._kept.popitem(last=False)

    def clear(self) -> None:
        """Forget every kept document (a process that starts a new piece of work may want its own count)."""
        self._kept.clear()

    @contextmanager
    def watching(self) -> Iterator[list[tuple[str, int]]]:
        """Each (id, version) analysed while the block runs, in order: a paper analysed twice shows twice."""
        seen: list[tuple[str, int]] = []
        self._watchers.append(seen)
        try:
            yield seen
        finally:
            self._watchers.remove(seen)


DOCUMENTS = Documents()
"""The process's analysed papers: a run's verdicts, its rematch and its digest share them."""


def explanation(topic: Topic, paper: Paper) -> str | None:
    """The part of the topic's query the paper satisfies (``query.explain``), from its shared document."""
    document = DOCUMENTS.of(paper)
    reason = matcher_for(topic).explain(document)
    if reason is not None:
        DOCUMENTS.keep(document)  # a listed paper: other topics, and the next stage, may list it too
    return reason


_NONE: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class _Verdict:
    paper: Paper
    in_scope: bool
    about: frozenset[str]
    reasons: dict[str, str | None]  # why it is about each topic, worked out while its document was at hand


class Verdicts:
    """Whether each entry is in scope and which topics it is about: each entry is judged once, with each
    topic's query compiled once, and analysed once (``DOCUMENTS``) for every stage of the run."""

    def __init__(self, topics: Sequence[Topic], scope: Node | None, documents: Documents = DOCUMENTS) -> None:
        self.topics = topics
        self.scope = scope
        self.documents = documents
        self._scope = None if scope is None else _scope_matcher(scope)
        self._matchers = [(topic.name, matcher_for(topic)) for topic in topics]
        self._names = frozenset(name for name, _ in self._matchers)
        self._held = {id(topic): matcher for topic, (_, matcher) in zip(topics, self._matchers, strict=True)}
        self._seen: dict[tuple[str, int], _Verdict] = {}

    def of(self, paper: Paper) -> tuple[bool, frozenset[str]]:
        key = (paper.id, paper.version)
        verdict = self._seen.get(key)
        if verdict is None:
            verdict = self._seen[key] = self._judge(paper)
        return verdict.in_scope, verdict.about

    def _judge(self, paper: Paper) -> _Verdict:
        document = self.documents.of(paper)
        if self._scope is not None and not self._scope(document):
            # Out of scope, a paper is never shown: its title and abstract need no analysis at all.
            return _Verdict(paper, False, _NONE, {})
        # The reasons are worked out now, so that the document need not be kept for the rematch.
        reasons = {name: matcher.explain(document) for name, matcher in self._matchers if matcher(document)}
        return _Verdict(paper, True, frozenset(reasons), reasons)

    def about(self, paper: Paper, topic: Topic) -> bool:
        in_scope, about = self.of(paper)
        return in_scope and topic.name in about

    def relevant(self, paper: Paper) -> bool:
        in_scope, about = self.of(paper)
        return in_scope and bool(about)

    def in_scope_primary(self, paper: Paper) -> bool:
        """Whether the paper's primary category is in scope (else it is a cross-list there)."""
        if self._scope is None:
            return True
        return self._scope(Document(replace(paper, categories=(paper.primary_category,))))

    def hits(self, paper: Paper, topics: Sequence[Topic], scoped: bool = False) -> frozenset[str]:
        """The names of ``topics`` whose query the paper matches; with ``scoped``, none out of scope. A paper
        judged before with the same text is not tested again (on topics that were all judged then)."""
        verdict = self._seen.get((paper.id, paper.version))
        if verdict is not None and (verdict.in_scope or scoped) and self._judged(verdict, paper, topics):
            return verdict.about
        document = self.documents.of(paper)
        if scoped and self._scope is not None and not self._scope(document):
            return frozenset()
        found = frozenset(topic.name for topic in topics if self._matcher(topic)(document))
        if found:
            self.documents.keep(document)
        return found

    def _judged(self, verdict: _Verdict, paper: Paper, topics: Sequence[Topic]) -> bool:
        covered = topics is self.topics or self._names.issuperset(topic.name for topic in topics)
        return covered and (verdict.paper is paper or _analysed(verdict.paper) == _analysed(paper))

    def reason(self, topic: Topic, paper: Paper) -> str | None:
        """Why the paper matches the topic: as its verdict found it, or from its (kept) document."""
        verdict = self._seen.get((paper.id, paper.version))
        if verdict is not None and topic.name in verdict.reasons and self._judged(verdict, paper, [topic]):
            return verdict.reasons[topic.name]
        return self._matcher(topic).explain(self.documents.of(paper))

    def _matcher(self, topic: Topic) -> Matcher:
        """The topic's matcher, found without hashing the topic's tree when it is one of this run's topics."""
        return self._held.get(id(topic)) or matcher_for(topic)
