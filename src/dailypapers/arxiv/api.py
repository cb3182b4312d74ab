"""The arXiv export API (https://info.arxiv.org/help/api/user-manual.html): searches, paged newest first.

Paging follows the manual's advice and arxiv.py's experience: pages of at most 2,000 entries, sorted by
``lastUpdatedDate`` descending, stopping at what is already known; an empty page in the middle of a result is
arXiv having a bad moment, so it is asked again rather than taken as the end. ``totalResults`` can change from
one page to the next (arxiv-protocol.md §1.8; papers announced while a client pages also add to it), so each
page's own total counts, not the first page's: a total that grows is paged to its end, and one that shrinks
ends the search where the entries end instead of asking again for a page that cannot come.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from dailypapers.arxiv.atom import FeedPage, parse_feed
from dailypapers.errors import ArxivApiError
from dailypapers.http import Answer, Http, Retry, read_answer
from dailypapers.model import Paper

ID_BATCH = 2000  # as many as one page holds; a long id_list goes as a form body
LONG_QUERY = 2000
# The API answers HTTP 500 past about 10,000 results (its search index refuses deeper paging), so a search
# stops there and says it was not exhausted instead of failing the whole run.
DEEP_PAGING_LIMIT = 10_000


@dataclass
class SearchResult:
    """What one search brought back: distinct papers, newest first, and how it went."""

    query: str
    papers: list[Paper] = field(default_factory=list)
    requests: int = 0
    skipped: int = 0
    exhausted: bool = True


@dataclass(frozen=True)
class ExportApi:
    http: Http
    url: str
    page_size: int = 2000
    max_pages: int = 20

    def search(
        self,
        query: str,
        *,
        stop_before: datetime | None = None,
        enough: Callable[[Sequence[Paper]], bool] | None = None,
        progress: Callable[[int, int | None], None] | None = None,
    ) -> SearchResult:
        """Page through ``query`` newest first.

        Stops at the end of the result, at the first entry updated before ``stop_before``, when
        ``enough`` says so, or after ``max_pages`` pages or 10,000 entries (``exhausted`` is then False).
        """
        result = SearchResult(query)
        seen: set[tuple[str, int]] = set()
        total: int | None = None
        start = 0
        for _ in range(self.max_pages):
            if start and start + self.page_size > DEEP_PAGING_LIMIT:
                break
            page = self._page(query, start, total)
            result.requests += 1
            result.skipped += page.skipped
            total = page.total_results or total  # a page saying 0 (or nothing) is no news about the total
            reached_known = self._collect(page.papers, result, seen, stop_before)
            start += len(page.papers) + page.skipped
            if progress is not None:
                progress(start, total)
            if reached_known or not page.papers or (total is not None and start >= total):
                return result
            if enough is not None and enough(result.papers):
                return result
        result.exhausted = False
        return result

    def by_ids(self, ids: Sequence[str]) -> SearchResult:
        """Fetch the latest versions of ``ids`` with ``id_list``, in batches the API answers quickly."""
        result = SearchResult(f"id_list of {len(ids)}")
        seen: set[tuple[str, int]] = set()
        for offset in range(0, len(ids), ID_BATCH):
            batch = ids[offset : offset + ID_BATCH]
            params = {"id_list": ",".join(batch), "start": "0", "max_results": str(len(batch))}
            page = self._get(params, known_total=None, start=0)
            result.requests += 1
            result.skipped += page.skipped
            self._collect(page.papers, result, seen, None)
        return result

    def _page(self, query: str, start: int, total: int | None) -> FeedPage:
        params = {
            "search_query": query,
            "start": str(start),
            "max_results": str(self.page_size),
            "sortBy": "lastUpdatedDate",
            "sortOrder": "descending",
        }
        return self._get(params, known_total=total, start=start)

    def _get(self, params: dict[str, str], known_total: int | None, start: int) -> FeedPage:
        parsed: list[FeedPage] = []

        def check(answer: Answer) -> None:
            page = _parse(answer)
            # An empty page is the end only if its own total says so; one that says 0 mid-result is a glitch.
            expected = page.total_results or known_total
            if not page.papers and not page.skipped and expected and start < expected:
                raise Retry(f"empty page at start={start} although {expected} results were announced")
            parsed.append(page)

        # A long query (many topics) goes as a form body: the API accepts POST, and URLs have length limits.
        form = len(params.get("search_query", "")) + len(params.get("id_list", "")) > LONG_QUERY
        self.http.get(self.url, params, check=check, form=form)
        return parsed[-1]

    @staticmethod
    def _collect(
        papers: Sequence[Paper], result: SearchResult, seen: set[tuple[str, int]], stop: datetime | None
    ) -> bool:
        for paper in papers:
            if stop is not None and paper.updated < stop:
                return True
            key = (paper.id, paper.version)
            if key not in seen:
                seen.add(key)
                result.papers.append(paper)
        return False


def _parse(answer: Answer) -> FeedPage:
    """Parse an answer; a damaged one is worth another try, arXiv's own error feed is not."""
    return read_answer(answer, parse_feed, what="answer", definite=(ArxivApiError,))
