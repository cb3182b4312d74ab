"""The config file: TOML → a typed, validated ``Config``.

Every error names the file, the key (``topics[2].query``) and what was expected. Unknown keys are errors, so
a typo never passes silently. Paths inside the config are relative to the config file's folder.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dailypapers.arxiv.taxonomy import check_query_categories, scope_problem
from dailypapers.config.arxiv import (
    ARXIV_KEYS,
    DEFAULT_API_URL,
    DEFAULT_OAI_URL,
    DEFAULT_RSS_URL,
    ArxivSettings,
    arxiv_settings,
)
from dailypapers.config.delivery import (
    EmailSettings,
    GitHubSettings,
    Recipient,
    SecretVariable,
    Webhook,
    email_settings,
    github_settings,
    secret_variables,
    webhooks,
)
from dailypapers.config.ranking import RankingSettings, ranking_settings
from dailypapers.config.summaries import SummarySettings, summary_secrets, summary_settings
from dailypapers.config.table import ConfigWarning, Table, one_line, tables, url_problem
from dailypapers.errors import ConfigError, QuerySyntaxError
from dailypapers.query import Node, lint, topic_query

__all__ = [
    "ARXIV_KEYS",
    "DEFAULT_API_URL",
    "DEFAULT_OAI_URL",
    "DEFAULT_RSS_URL",
    "ArxivSettings",
    "Config",
    "ConfigWarning",
    "EmailSettings",
    "GitHubSettings",
    "Outputs",
    "Recipient",
    "SummarySettings",
    "Topic",
    "Webhook",
    "load_config",
]

DEFAULT_CONFIG = "dailypapers.toml"
ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")
COLUMNS = ("Title", "Date", "Abstract", "Comment", "Authors", "Categories", "PDF", "TL;DR")


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
    warnings: tuple[ConfigWarning, ...] = ()  # what works but is likely a slip; every command prints them
    github: GitHubSettings | None = None
    summaries: SummarySettings | None = None  # [summaries]: None, and nothing is ever sent to a model
    ranking: RankingSettings = RankingSettings()

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def secrets(self) -> tuple[SecretVariable, ...]:
        """The environment variables holding the secrets of every delivery target and of the summaries model."""
        return secret_variables(self.email, self.webhooks, self.github) + summary_secrets(self.summaries)

    @property
    def addresses(self) -> tuple[str, ...]:
        """The email addresses the file itself shows (sender, recipients): a login equal to one is no secret."""
        email = self.email
        return (email.sender, *(recipient.address for recipient in email.recipients)) if email else ()


def load_config(path: Path | str, environ: Mapping[str, str] | None = None) -> Config:
    """Read and validate a config file; the environment's ``DAILYPAPERS_*`` settings override ``[arxiv]``."""
    file = Path(path)
    try:
        raw = tomllib.loads(_read(file))
    except FileNotFoundError:
        raise ConfigError(file, None, "no such file; create one with `dailypapers init`") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(file, None, f"cannot read: {err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(file, None, f"not valid TOML: {err}") from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise ConfigError(file, None, "not valid TOML here: arrays or tables nested too deeply") from None
    return _build(file.resolve(), raw, os.environ if environ is None else environ)


MAX_CONFIG_BYTES = 1 << 20  # a config of topics and settings is a few kilobytes; /dev/zero is not one


def _read(file: Path) -> str:
    """The file's text, from a regular file of sane size only: a FIFO or a device would block or never end."""
    with open(os.open(file, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:  # a FIFO's open would wait
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        data = handle.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise OSError(errno.EFBIG, f"larger than {MAX_CONFIG_BYTES >> 20} MiB")
    return data.decode("utf-8-sig")  # Notepad starts a UTF-8 file with a byte order mark


# The keys each table accepts, public so that the README's config reference can be checked against them.
TOP_KEYS = (
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
    "github",
    "summaries",
    "ranking",
)
SCOPE_KEYS = ("categories",)
OUTPUTS_KEYS = ("markdown", "issue", "site", "feeds", "issue_limit")
TOPIC_KEYS = ("name", "query", "announce")


def _build(file: Path, raw: Mapping[str, Any], environ: Mapping[str, str]) -> Config:
    top = Table(file, "", raw, TOP_KEYS)
    folder = file.parent
    scope = top.table("scope", SCOPE_KEYS)
    outputs = top.table("outputs", OUTPUTS_KEYS)
    topics = _topics(file, raw.get("topics"))
    names = tuple(topic.name for topic in topics)
    return Config(
        path=file,
        title=top.line("title", "Daily Papers"),
        timezone=_timezone(top),
        max_papers=top.bounded("max_papers", int, 100, 1, 10_000),
        columns=_columns(top),
        contact=_contact(top),
        database=folder / top.path("database", "dailypapers.db"),
        categories=_categories(scope),
        topics=topics,
        outputs=Outputs(
            markdown=_output(folder, outputs, "markdown", "README.md"),
            issue=_output(folder, outputs, "issue", ".github/ISSUE_TEMPLATE.md"),
            site=_output(folder, outputs, "site", None),
            feeds=_output(folder, outputs, "feeds", None),
            issue_limit=outputs.bounded("issue_limit", int, 50, 1, 10_000),
        ),
        arxiv=arxiv_settings(top.table("arxiv", ARXIV_KEYS), environ),
        email=email_settings(top, folder, names),
        webhooks=webhooks(file, raw.get("webhooks", []), names),
        link=_link(top),
        busy_timeout=top.checked("busy_timeout", float, 5.0, lambda v: 0 <= v <= 600, "from 0 to 600 seconds"),
        warnings=_query_warnings(file, topics),
        github=github_settings(top, environ),
        summaries=summary_settings(top),
        ranking=ranking_settings(top),
    )


def _timezone(top: Table) -> ZoneInfo:
    name = top.get("timezone", str, "UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "America" is a folder of zones, not a zone
        raise top.error("timezone", f"unknown time zone {name!r}; use an IANA name such as 'Europe/Berlin'") from None


def _columns(top: Table) -> tuple[str, ...]:
    return top.choices(
        "columns",
        ("Title", "Date", "Abstract", "Comment"),
        COLUMNS,
        lambda column: f"unknown column {column!r}; expected some of {', '.join(COLUMNS)}",
        empty="needs at least one column",
    )


def _categories(scope: Table) -> tuple[str, ...]:
    categories = scope.strings("categories", ())
    for category in categories:
        problem = scope_problem(category)
        if problem is not None:
            raise scope.error("categories", problem)
    return categories


def _output(folder: Path, outputs: Table, name: str, default: str | None) -> Path | None:
    value = outputs.data.get(name, default)
    if value is False or value is None:
        return None
    if not isinstance(value, str) or not value or not one_line(value):
        raise outputs.error(name, f"expected a file path or false, got {value!r}")
    return folder / value


def _topics(file: Path, raw: Any) -> tuple[Topic, ...]:
    if raw is None:
        raise ConfigError(file, "topics", "at least one [[topics]] entry is needed")
    if not isinstance(raw, list) or not raw:
        raise ConfigError(file, "topics", "expected one or more [[topics]] tables")
    topics: list[Topic] = []
    for table in tables(file, "topics", raw, TOPIC_KEYS, "a name"):
        text = table.optional_str("query")
        name = _topic_name(table, topics, text is not None)
        try:
            node = topic_query(name, text)
            if text is not None:
                check_query_categories(text)
        except QuerySyntaxError as err:
            raise ConfigError(
                file, table.key("query" if text is not None else "name"), str(err.with_topic(name))
            ) from None
        announce = table.strings("announce", ("new", "cross"))
        for kind in announce:
            if kind not in ANNOUNCE_TYPES:
                raise table.error("announce", f"unknown announcement type {kind!r}; use {', '.join(ANNOUNCE_TYPES)}")
        topics.append(Topic(name=name, query_text=text, query=node, announce=announce))
    return tuple(topics)


def _topic_name(table: Table, topics: list[Topic], has_query: bool) -> str:
    """A topic's name: any text on one line, in any script. Names reach file names only through
    ``model.topic_stems``, which keeps them apart, so only a name written twice is refused."""
    name = table.get("name", str, "").strip()
    if not name:
        raise table.error("name", "every topic needs a non-empty name")
    if not one_line(name):
        raise table.error("name", f"expected one line of text without control characters, got {name!r}")
    same = unicodedata.normalize("NFC", name)
    if any(unicodedata.normalize("NFC", topic.name) == same for topic in topics):
        raise table.error("name", f"topic {name!r} is defined twice")
    if not has_query and not any(char.isalnum() for char in name):
        raise table.error("name", f"topic {name!r} has no word to search for; give it a query")
    return name


def _query_warnings(file: Path, topics: tuple[Topic, ...]) -> tuple[ConfigWarning, ...]:
    """One warning per topic whose query likely says something else than meant (``query.lint``)."""
    return tuple(
        ConfigWarning(str(file), f"topics[{index}].query", str(warning))
        for index, topic in enumerate(topics)
        if topic.query_text is not None
        for warning in lint(topic.query_text, topic.name)
    )


_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"  # one part of a host name (RFC 1035 §2.3.1)
_CONTACT = re.compile(rf"[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_LABEL}(?:\.{_LABEL})*")


def _contact(top: Table) -> str | None:
    """A plain address: it goes into every request's User-Agent header, where a line break would start a header."""
    contact = top.optional_str("contact")
    if contact is not None and not _CONTACT.fullmatch(contact):
        raise top.error("contact", f"expected a plain e-mail address such as 'ada@example.org', got {contact!r}")
    return contact


def _link(top: Table) -> str | None:
    link = top.optional_str("link")
    problem = url_problem(link, "https://you.github.io/papers/") if link is not None else None
    if problem is not None:
        raise top.error("link", problem)
    return link
