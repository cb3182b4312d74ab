"""Record which topics each paper version matches: the one rule by which the daily run and back-fill write
the ``matches`` table.

A daily run rematches the latest version of every paper it received (and, for a topic new or changed, of
every paper in the archive): a new match is recorded with its reason, a match that lapsed is dropped, and a
version announced today counts for a topic that has not listed the paper yet only if its announcement type
is one the topic chose (``announce``). A back-fill only adds: each harvested version in scope gains the
topics it matches, nothing lapses, and the reason is worked out when the paper is shown (``digest``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from dailypapers.config import Topic
from dailypapers.match.verdicts import Verdicts
from dailypapers.model import Paper
from dailypapers.store import Store

__all__ = ["latest", "rematch"]


def latest(store: Store, paper_ids: Iterable[str]) -> Iterator[Paper]:
    """The latest stored version of each paper, in id order; an id the store does not hold is left out."""
    for paper_id in sorted(paper_ids):
        paper = store.latest(paper_id)
        if paper is not None:
            yield paper


def rematch(
    store: Store,
    verdicts: Verdicts,
    papers: Iterable[Paper],
    run: int,
    *,
    topics: Sequence[Topic] | None = None,
    announced: Mapping[tuple[str, int], str] | None = None,
    additive: bool = False,
) -> int:
    """Test ``topics`` (by default all of ``verdicts``') on each version of ``papers`` and record the result
    for ``run``; returns how many matches were recorded. ``announced`` gives the announcement type of the
    versions announced today; ``additive`` is the back-fill's way (in scope only, nothing lapses, no reason).
    """
    chosen = verdicts.topics if topics is None else topics
    recorded = 0
    for paper in papers:
        hits = verdicts.hits(paper, chosen, scoped=additive)
        kind = announced.get((paper.id, paper.version)) if announced else None
        for topic in chosen:
            if topic.name in hits:
                recorded += _record(store, verdicts, topic, paper, run, kind, additive)
            elif not additive and store.matched_version(topic.name, paper.id) is not None:
                store.remove_match(topic.name, paper.id)
    return recorded


def _record(
    store: Store, verdicts: Verdicts, topic: Topic, paper: Paper, run: int, kind: str | None, additive: bool
) -> bool:
    """Record that ``topic`` matches this version, unless it already lists it (or chose not to list it)."""
    if additive:
        return store.add_match(topic.name, paper.id, paper.version, run)
    matched = store.matched_version(topic.name, paper.id)
    if matched == paper.version or (matched is None and kind is not None and kind not in topic.announce):
        return False
    return store.add_match(topic.name, paper.id, paper.version, run, verdicts.reason(topic, paper))
