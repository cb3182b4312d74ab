"""Papers for "more like this" and the paper page: a near-duplicate of a seed paper, one about something else
entirely, and one whose authors' names need escaping in a URL. Shared by ``test_store_similar.py`` and
``test_serve_papers.py``."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from dailypapers.model import Author, Paper
from dailypapers.store import Store
from reader_world import latest_seed_papers

AWKWARD_NAMES = (
    "Ada Lovelace",
    "José Núñez-Pérez",
    "AC/DC Collaboration",
    'Dwayne "The Rock" Johnson',
    "O'Brien, Jr.",
    "R&D Team #1?",
    "محمد الخوارزمي",
)


def seed() -> Paper:
    """The seed paper the others are measured against: Aergia, on federated learning."""
    return next(paper for paper in latest_seed_papers() if paper.id == "2210.06154")


def near_duplicate() -> Paper:
    """The seed paper's topic in other words: most of its abstract, its title reworded, other authors."""
    original = seed()
    sentences = original.abstract.split(". ")
    return replace(
        original,
        id="2606.00001",
        version=1,
        title="Heterogeneity-aware offloading for slow clients in federated learning systems",
        abstract=". ".join(sentences[: len(sentences) * 2 // 3]),
        authors=(Author("Grace Hopper"),),
        published=original.updated + timedelta(days=20),
        updated=original.updated + timedelta(days=20),
        comment=None,
    )


def unrelated() -> Paper:
    """A paper that shares no distinctive word with any seed paper."""
    moment = seed().updated + timedelta(days=21)
    return Paper(
        id="2606.00002",
        version=1,
        title="Gravitational lensing of quasars by dwarf galaxy haloes",
        abstract="Gravitational lensing of distant quasars by dwarf galaxy haloes; spectroscopy of redshifted "
        "Lyman-alpha absorbers charts subhaloes and dark matter.",
        authors=(Author("Vera Rubin"),),
        categories=("astro-ph.GA",),
        primary_category="astro-ph.GA",
        published=moment,
        updated=moment,
    )


def awkward_authors() -> Paper:
    """The seed paper's text under authors whose names hold spaces, accents, slashes, quotes and the like."""
    return replace(near_duplicate(), id="2606.00003", authors=tuple(Author(name) for name in AWKWARD_NAMES))


def many_authors() -> Paper:
    """The near-duplicate's text by a collaboration of 30 people."""
    return replace(near_duplicate(), id="2606.00004", authors=tuple(Author(f"Physicist {n}") for n in range(1, 31)))


def older_versions(paper: Paper) -> list[Paper]:
    """Versions 1 … ``paper.version`` - 1 of ``paper``, a month apart, before it."""
    return [
        replace(paper, version=number, updated=paper.published + timedelta(days=30 * (number - 1)))
        for number in range(1, paper.version)
    ]


def add_papers(database: Path, papers: list[Paper], *, index: bool = True) -> None:
    """Store ``papers`` (as a back-fill would, in no run) and, unless told not to, bring the index up to date."""
    with Store.open(database) as store, store.transaction():
        store.add_versions(papers, run=None)
        if index:
            store.update_search_index()
