"""The config's ``[arxiv]`` table: where arXiv is reached and how gently, with the environment's overrides.

``DAILYPAPERS_API_URL``, ``DAILYPAPERS_RSS_URL``, ``DAILYPAPERS_OAI_URL`` and ``DAILYPAPERS_DELAY`` win over the
file (mirrors, tests), each checked as the file's own value is, so a bad override is an error naming the variable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from dailypapers.config.table import Table, in_range, range_text, url_problem
from dailypapers.errors import ConfigError

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_RSS_URL = "https://rss.arxiv.org"
DEFAULT_OAI_URL = "https://oaipmh.arxiv.org/oai"
_DELAY = (0.0, 600.0)  # seconds between requests: arXiv asks for 3; ten minutes is already no service


@dataclass(frozen=True)
class ArxivSettings:
    api_url: str = DEFAULT_API_URL
    rss_url: str = DEFAULT_RSS_URL
    oai_url: str = DEFAULT_OAI_URL
    holidays: tuple[date, ...] = ()
    delay: float = 3.0
    timeout: float = 60.0
    max_attempts: int = 4
    max_wait: float = 120.0
    max_bytes: int = 64 * 1024 * 1024  # the largest decoded answer read; arXiv's largest pages are ~10 MiB
    page_size: int = 2000
    lookback_days: int = 3
    max_pages: int = 20


ARXIV_KEYS = (
    "api_url",
    "rss_url",
    "oai_url",
    "holidays",
    "delay",
    "timeout",
    "max_attempts",
    "max_wait",
    "max_bytes",
    "page_size",
    "lookback_days",
    "max_pages",
)
_URL_ENVIRONMENT = {
    "api_url": "DAILYPAPERS_API_URL",
    "rss_url": "DAILYPAPERS_RSS_URL",
    "oai_url": "DAILYPAPERS_OAI_URL",
}


def _dates(table: Table, name: str) -> tuple[date, ...]:
    days = []
    for text in table.strings(name, ()):
        try:
            days.append(date.fromisoformat(text))
        except ValueError:
            raise table.error(name, f"expected dates such as '2026-12-24', got {text!r}") from None
    return tuple(days)


def arxiv_settings(table: Table, environ: Mapping[str, str]) -> ArxivSettings:
    """The ``[arxiv]`` table read and checked, then overridden by the environment."""
    base = ArxivSettings()
    settings = ArxivSettings(
        api_url=table.url("api_url", base.api_url, DEFAULT_API_URL),
        rss_url=table.url("rss_url", base.rss_url, DEFAULT_RSS_URL),
        oai_url=table.url("oai_url", base.oai_url, DEFAULT_OAI_URL),
        delay=table.bounded("delay", float, base.delay, *_DELAY),
        timeout=table.bounded("timeout", float, base.timeout, 0.0, 3600.0, above=True),
        max_attempts=table.bounded("max_attempts", int, base.max_attempts, 1, 20),
        max_wait=table.bounded("max_wait", float, base.max_wait, 0.0, 3600.0),
        max_bytes=table.bounded("max_bytes", int, base.max_bytes, 65536, 2**30),
        page_size=table.bounded("page_size", int, base.page_size, 1, 2000),
        lookback_days=table.bounded("lookback_days", int, base.lookback_days, 0, 90),
        max_pages=table.bounded("max_pages", int, base.max_pages, 1, 1000),
        holidays=_dates(table, "holidays"),
    )
    return _environment(settings, environ)


def _environment(settings: ArxivSettings, environ: Mapping[str, str]) -> ArxivSettings:
    """The settings with the environment's overrides, each checked as the config's own value is."""
    api_url, rss_url, oai_url = (
        _environment_url(environ.get(variable), variable, str(getattr(settings, key)))
        for key, variable in _URL_ENVIRONMENT.items()
    )
    raw_delay = environ.get("DAILYPAPERS_DELAY")
    delay = _environment_delay(raw_delay) if raw_delay else settings.delay
    return replace(settings, delay=delay, api_url=api_url, rss_url=rss_url, oai_url=oai_url)


def _environment_url(value: str | None, variable: str, configured: str) -> str:
    if not value:
        return configured
    problem = url_problem(value, "https://export.arxiv.org/api/query")
    if problem is not None:
        raise ConfigError("environment", variable, problem)
    return value


def _environment_delay(raw: str) -> float:
    try:
        delay = float(raw)
    except ValueError:
        delay = float("nan")
    if not in_range(delay, float, *_DELAY):
        raise ConfigError("environment", "DAILYPAPERS_DELAY", f"expected {range_text(float, *_DELAY)}, got {raw!r}")
    return delay
