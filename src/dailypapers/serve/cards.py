"""A paper as the reader shows it: the static site's card (``render.site.entry``), the topics it matched and what
the reader said about it.

A paper matched by several topics is one card naming every topic: the reader marks a paper, not a listing.
Unread cards come first, each group in the order the digest gave (newest first within a topic).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from urllib.parse import quote

from dailypapers.model import Listed, Paper, Section
from dailypapers.render.site import Entry, entry
from dailypapers.store import Store
from dailypapers.store.signals import PaperSignals


@dataclass(frozen=True, slots=True)
class Card:
    """One card: the site's entry, the paper's bare id (for the buttons' URLs), its topics, its state and why
    the ranking put it where it is."""

    paper_id: str
    entry: Entry
    topics: tuple[str, ...]
    starred: bool = False
    dismissed: bool = False
    read: bool = False
    why: str | None = None  # the ranking's reason, one line (serve/ranking.py), when the reader ranks

    @property
    def anchor(self) -> str:
        """The card's element id, which a plain form's 303 comes back to."""
        return card_anchor(self.paper_id)

    @property
    def page_url(self) -> str:
        """The paper's page in the reader."""
        return f"/papers/{self.paper_id}"


def author_path(name: str) -> str:
    """``/authors/Ada%20Lovelace``: an author's page, the name exactly as stored with every reserved character
    escaped (``/`` too), as the paper page's links and the author page's own forms name it."""
    return "/authors/" + quote(name, safe="")


def card_anchor(paper_id: str) -> str:
    """The card's element id: ``p-2601-08800``, ``p-hep-th-9901001`` (no dot or slash, which CSS would need to
    escape)."""
    return "p-" + paper_id.replace("/", "-").replace(".", "-")


def merged(sections: Iterable[Section]) -> list[tuple[Listed, tuple[str, ...]]]:
    """Each paper the sections list, once, with every topic that lists it, in first-seen order."""
    found: dict[str, tuple[Listed, list[str]]] = {}
    for section in sections:
        for listed in section.papers:
            _, topics = found.setdefault(listed.paper.id, (listed, []))
            if section.topic not in topics:
                topics.append(section.topic)
    return [(listed, tuple(topics)) for listed, topics in found.values()]


def card(listed: Listed, topics: tuple[str, ...], state: PaperSignals | None) -> Card:
    shown = Card(listed.paper.id, entry(listed), topics)
    if state is None:
        return shown
    return replace(shown, starred=state.starred, dismissed=state.dismissed, read=state.read)


def matched(store: Store, topics: Iterable[str], paper: Paper) -> tuple[Listed, tuple[str, ...]]:
    """``paper`` listed outside a digest (a page of its own, the starred ones): the topics of ``topics`` that
    matched it, in that order, and the reason the first of them gave for its version, if any."""
    names = tuple(topic for topic in topics if store.matched_version(topic, paper.id) is not None)
    key = (paper.id, paper.version)
    reason = next((found[key] for found in (store.reasons(topic, [key]) for topic in names) if key in found), None)
    return Listed(paper, reason=reason), names
