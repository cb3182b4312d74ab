"""The config file: TOML → a typed, validated ``Config``.

Every error names the file, the key (``topics[2].query``) and what was expected. Unknown keys are errors, so
a typo never passes silently. Paths inside the config are relative to the config file's folder.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dailypapers.config_delivery import EmailSettings, Recipient, Webhook, email_settings, webhooks
from dailypapers.config_table import Table
from dailypapers.errors import ConfigError, QuerySyntaxError
from dailypapers.model import topic_slug
from dailypapers.query import Node, topic_query

__all__ = [
    "ArxivSettings",
    "Config",
    "EmailSettings",
    "Outputs",
    "Recipient",
    "Topic",
    "Webhook",
    "load_config",
]

DEFAULT_CONFIG = "dailypapers.toml"
DEFAULT_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_RSS_URL = "https://rss.arxiv.org"
DEFAULT_OAI_URL = "https://oaipmh.arxiv.org/oai"
ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")
COLUMNS = ("Title", "Date", "Abstract", "Comment", "Authors", "Categories", "PDF")


@dataclass(frozen=True)
class Topic:
    name: str
    query_text: str | None
    query: Node
    announce: tuple[str, ...] = ("new", "cross")

    @property
    def source(self) -> str:
        """The query as the user wrote it, or the plain-name expansion."""
        return self.query_text if self.query_text is not None else f'ti:"{self.name}" OR abs:"{self.name}"'


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
    page_size: int = 2000
    lookback_days: int = 3
    max_pages: int = 20


@dataclass(frozen=True)
class Outputs:
    markdown: Path | None
    issue: Path | None
    site: Path | None = None
    feeds: Path | None = None
    issue_limit: int = 50  # papers per topic in the notification body, then "and N more"


@dataclass(frozen=True)
class Config:
    path: Path
    title: str
    timezone: ZoneInfo
    max_papers: int
    columns: tuple[str, ...]
    contact: str | None
    database: Path
    categories: tuple[str, ...]
    topics: tuple[Topic, ...]
    outputs: Outputs
    arxiv: ArxivSettings
    email: EmailSettings | None = None
    webhooks: tuple[Webhook, ...] = ()
    link: str | None = None  # where the page or site is published, for "and N more" links in messages
    busy_timeout: float = 5.0  # seconds to wait for another program writing to the database, then exit 75

    @property
    def folder(self) -> Path:
        return self.path.parent


def load_config(path: Path | str, environ: Mapping[str, str] | None = None) -> Config:
    """Read and validate a config file; the environment's ``DAILYPAPERS_*`` settings override ``[arxiv]``."""
    file = Path(path)
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(file, None, "no such file; create one with `dailypapers init`") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(file, None, f"cannot read: {err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(file, None, f"not valid TOML: {err}") from None
    return _build(file.resolve(), raw, os.environ if environ is None else environ)


def _build(file: Path, raw: Mapping[str, Any], environ: Mapping[str, str]) -> Config:
    top = Table(
        file,
        "",
        raw,
        (
            "title",
            "timezone",
            "max_papers",
            "columns",
            "contact",
            "database",
            "busy_timeout",
            "scope",
            "topics",
            "outputs",
            "arxiv",
            "link",
            "email",
            "webhooks",
        ),
    )
    folder = file.parent
    scope = top.table("scope", ("categories",))
    outputs = top.table("outputs", ("markdown", "issue", "site", "feeds", "issue_limit"))
    topics = _topics(file, raw.get("topics"))
    names = tuple(topic.name for topic in topics)
    return Config(
        path=file,
        title=top.get("title", str, "Daily Papers"),
        timezone=_timezone(top),
        max_papers=top.checked("max_papers", int, 100, lambda v: v > 0, "at least 1"),
        columns=_columns(top),
        contact=top.optional_str("contact"),
        database=folder / top.get("database", str, "dailypapers.db"),
        categories=_categories(scope),
        topics=topics,
        outputs=Outputs(
            markdown=_output(folder, outputs, "markdown", "README.md"),
            issue=_output(folder, outputs, "issue", ".github/ISSUE_TEMPLATE.md"),
            site=_output(folder, outputs, "site", None),
            feeds=_output(folder, outputs, "feeds", None),
            issue_limit=outputs.checked("issue_limit", int, 50, lambda v: v > 0, "at least 1"),
        ),
        arxiv=_arxiv(top.table("arxiv", _ARXIV_KEYS), environ),
        email=email_settings(top, folder, names),
        webhooks=webhooks(file, raw.get("webhooks", []), names),
        link=_link(top),
        busy_timeout=top.checked("busy_timeout", float, 5.0, lambda v: 0 <= v <= 600, "from 0 to 600 seconds"),
    )


def _timezone(top: Table) -> ZoneInfo:
    name = top.get("timezone", str, "UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "America" is a folder of zones, not a zone
        raise top.error("timezone", f"unknown time zone {name!r}; use an IANA name such as 'Europe/Berlin'") from None


def _columns(top: Table) -> tuple[str, ...]:
    columns = top.strings("columns", ("Title", "Date", "Abstract", "Comment"))
    for column in columns:
        if column not in COLUMNS:
            raise top.error("columns", f"unknown column {column!r}; expected some of {', '.join(COLUMNS)}")
    if not columns:
        raise top.error("columns", "needs at least one column")
    return columns


def _categories(scope: Table) -> tuple[str, ...]:
    categories = scope.strings("categories", ())
    for category in categories:
        if not category or " " in category or ":" in category:
            raise scope.error("categories", f"{category!r} is not an arXiv archive or category such as 'cs.DC'")
    return categories


def _output(folder: Path, outputs: Table, name: str, default: str | None) -> Path | None:
    value = outputs.data.get(name, default)
    if value is False or value is None:
        return None
    if not isinstance(value, str) or not value:
        raise outputs.error(name, f"expected a file path or false, got {value!r}")
    return folder / value


def _topics(file: Path, raw: Any) -> tuple[Topic, ...]:
    if raw is None:
        raise ConfigError(file, "topics", "at least one [[topics]] entry is needed")
    if not isinstance(raw, list) or not raw:
        raise ConfigError(file, "topics", "expected one or more [[topics]] tables")
    topics: list[Topic] = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise ConfigError(file, f"topics[{index}]", "expected a table with a name")
        table = Table(file, f"topics[{index}]", entry, ("name", "query", "announce"))
        name = table.get("name", str, "").strip()
        if not name:
            raise table.error("name", "every topic needs a non-empty name")
        if any(topic.name == name for topic in topics):
            raise table.error("name", f"topic {name!r} is defined twice")
        if topic_slug(name) == "all":
            raise table.error("name", f"topic {name!r} would have the feed file name all.xml, kept for every topic")
        twin = next((topic.name for topic in topics if topic_slug(topic.name) == topic_slug(name)), None)
        if twin is not None:
            raise table.error(
                "name", f"topic {name!r} would share the file name {topic_slug(name)!r} with {twin!r}; rename one"
            )
        text = table.optional_str("query")
        try:
            node = topic_query(name, text)
        except QuerySyntaxError as err:
            raise ConfigError(file, table.key("query" if text is not None else "name"), str(err)) from None
        announce = table.strings("announce", ("new", "cross"))
        for kind in announce:
            if kind not in ANNOUNCE_TYPES:
                raise table.error("announce", f"unknown announcement type {kind!r}; use {', '.join(ANNOUNCE_TYPES)}")
        topics.append(Topic(name=name, query_text=text, query=node, announce=announce))
    return tuple(topics)


_ARXIV_KEYS = (
    "api_url",
    "rss_url",
    "oai_url",
    "holidays",
    "delay",
    "timeout",
    "max_attempts",
    "max_wait",
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


def _arxiv(table: Table, environ: Mapping[str, str]) -> ArxivSettings:
    base = ArxivSettings()
    settings = ArxivSettings(
        api_url=table.get("api_url", str, base.api_url),
        rss_url=table.get("rss_url", str, base.rss_url),
        oai_url=table.get("oai_url", str, base.oai_url),
        delay=table.checked("delay", float, base.delay, lambda v: v >= 0, "0 or more seconds"),
        timeout=table.checked("timeout", float, base.timeout, lambda v: v > 0, "more than 0 seconds"),
        max_attempts=table.checked("max_attempts", int, base.max_attempts, lambda v: v >= 1, "at least 1"),
        max_wait=table.checked("max_wait", float, base.max_wait, lambda v: v >= 0, "0 or more seconds"),
        page_size=table.checked("page_size", int, base.page_size, lambda v: 0 < v <= 2000, "from 1 to 2000"),
        lookback_days=table.checked("lookback_days", int, base.lookback_days, lambda v: v >= 0, "0 or more"),
        max_pages=table.checked("max_pages", int, base.max_pages, lambda v: v >= 1, "at least 1"),
        holidays=_dates(table, "holidays"),
    )
    return _environment(settings, environ)


def _environment(settings: ArxivSettings, environ: Mapping[str, str]) -> ArxivSettings:
    api_url, rss_url, oai_url = (
        environ.get(variable) or str(getattr(settings, key)) for key, variable in _URL_ENVIRONMENT.items()
    )
    delay = settings.delay
    raw_delay = environ.get("DAILYPAPERS_DELAY")
    if raw_delay:
        try:
            delay = float(raw_delay)
        except ValueError:
            raise ConfigError("environment", "DAILYPAPERS_DELAY", f"expected seconds, got {raw_delay!r}") from None
        if delay < 0:
            raise ConfigError("environment", "DAILYPAPERS_DELAY", "must not be negative")
    return replace(settings, delay=delay, api_url=api_url, rss_url=rss_url, oai_url=oai_url)


def _link(top: Table) -> str | None:
    link = top.optional_str("link")
    if link is not None and not re.match(r"https?://[^\s]+$", link):
        raise top.error("link", f"expected an http(s) URL such as 'https://you.github.io/papers/', got {link!r}")
    return link
