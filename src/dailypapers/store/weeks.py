"""How much each topic matched, week by week, and how many papers of the archive a query would match (part of
``Store``), for the reader's topics page and its editor.

A paper counts once per topic, in the week (Monday to Sunday, UTC) of its latest version's date, the date the
pages show for it: a revision the topic matched again is not a second paper. Counting a query over the archive
uses the search's compiler (``search.py``): when the full-text expression selects exactly the matches, one
``COUNT`` answers; otherwise its candidates are checked with the matcher, up to a bound.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from itertools import islice

from dailypapers.arxiv.dates import iso
from dailypapers.errors import StoreError
from dailypapers.query import Matcher, Node
from dailypapers.store import fts
from dailypapers.store.door import Door
from dailypapers.store.search import compile_candidates

# A paper's week is that of its latest version (the date every page shows), read from the narrow ``papers`` table:
# looking up each matched version in ``versions``, whose rows hold the abstracts, takes twice as long.
_WEEKLY = (
    "SELECT m.topic, date(p.updated, 'weekday 0', '-6 days') AS week, COUNT(DISTINCT m.paper_id) "
    "FROM matches m JOIN papers p ON p.id = m.paper_id WHERE p.updated >= ? GROUP BY m.topic, week"
)
_MATCHED = "SELECT topic, COUNT(DISTINCT paper_id) FROM matches GROUP BY topic"
_COUNT_ROWS = "SELECT COUNT(*) FROM search_index WHERE search_index MATCH ?"
_COUNT_INDEXED = "SELECT COUNT(*) FROM papers WHERE search_key IS NOT NULL"
_BATCH = 500
CANDIDATES_CHECKED = 3000  # papers a count reads at most when the index alone cannot decide (about 0.3 s)


class TopicWeeks(Door):
    """Counts over the ``matches`` table and the search index."""

    def matched_papers(self) -> dict[str, int]:
        """Each topic's number of matched papers, every version of a paper counted once."""
        return {str(topic): int(count) for topic, count in self._db.execute(_MATCHED)}

    def weekly_matches(self, first_week: date) -> dict[str, dict[date, int]]:
        """Per topic, its matched papers dated in each week from the one starting on Monday ``first_week``
        (weeks with none are left out)."""
        found: dict[str, dict[date, int]] = {}
        for topic, week, count in self._db.execute(_WEEKLY, (iso_day(first_week),)):
            found.setdefault(str(topic), {})[date.fromisoformat(str(week))] = int(count)
        return found

    def count_matching(self, node: Node, bound: int = CANDIDATES_CHECKED) -> tuple[int, bool]:
        """How many papers of the archive match ``node``, and whether that is all of them (False: at least
        that many, counting stopped after ``bound`` candidates). A StoreError when the index cannot answer."""
        problem = fts.index_problem(self._db)
        if problem:
            raise StoreError(f"{self.path}: {problem}")
        compiled = compile_candidates(node, lambda: fts.known_categories(self._db))
        if compiled.nothing:
            return 0, True
        if compiled.exact:
            if compiled.expression is None:
                return int(self._db.execute(_COUNT_INDEXED).fetchone()[0]), True
            return int(self._db.execute(_COUNT_ROWS, (compiled.expression,)).fetchone()[0]), True
        matcher, count, read = Matcher(node), 0, 0
        stream = fts.candidates(self._db, compiled.expression)
        try:
            while read < bound and (batch := list(islice(stream, min(_BATCH, bound - read)))):
                read += len(batch)
                count += sum(1 for paper in self._load(batch) if matcher.matches(paper))
            complete = next(stream, None) is None
        finally:
            stream.close()
        return count, complete


def iso_day(day: date) -> str:
    """The first moment of ``day`` (UTC) as the store writes moments, to compare with stored ones."""
    return iso(datetime.combine(day, time(), UTC))
