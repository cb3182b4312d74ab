"""The daily loop of the bot dailypapers replaces, as ``bench_requests.py`` and ``measurements.py`` run it.

A module of its own that imports only what the bot imports (httpx, feedparser), so that the process measuring
the bot's memory does not load dailypapers.
"""

from __future__ import annotations

import time
from typing import Any


def bot_loop(url: str, keywords: list[str], delay: float, max_results: int = 100) -> list[Any]:
    """The seed bot's daily loop: per keyword one export API search ``ti:"kw" OR abs:"kw"``, newest updates
    first, at most ``max_results``, read with feedparser; ``delay`` seconds between requests. Its entries."""
    import feedparser
    import httpx

    entries: list[Any] = []
    with httpx.Client(timeout=60) as client:
        for n, keyword in enumerate(keywords):
            if n:
                time.sleep(delay)
            params = {
                "search_query": f'ti:"{keyword}" OR abs:"{keyword}"',
                "max_results": str(max_results),
                "sortBy": "lastUpdatedDate",
            }
            answer = client.get(url, params=params)
            answer.raise_for_status()
            entries.extend(feedparser.parse(answer.content).entries)
    return entries
