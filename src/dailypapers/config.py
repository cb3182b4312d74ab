"""The config file: TOML → a typed, validated ``Config``.

Every error names the file, the key (``topics[2].query``) and what was expected. Unknown keys are errors, so
a typo never passes silently. Paths inside the config are relative to the config file's folder.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dailypapers.errors import ConfigError, QuerySyntaxError
from dailypapers.model import topic_slug
from dailypapers.query import Node, topic_query

DEFAULT_CONFIG = "dailypapers.toml"
DEFAULT_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_RSS_URL = "https://rss.arxiv.org"
DEFAULT_OAI_URL = "https://oaipmh.arxiv.org/oai"
ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")
COLUMNS = ("Title", "Date", "Abstract", "Comment", "Authors", "Categories", "PDF")
T = TypeVar("T")


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
class Recipient:
    address: str
    topics: tuple[str, ...]  # names of configured topics; every topic when the config gives none


@dataclass(frozen=True)
class EmailSettings:
    """``[email]``: one SMTP server, one sender, recipients each with their own topics.

    Credentials never sit in the file: ``username_env`` and ``password_env`` name environment variables.
    ``ca_file`` adds a certificate authority to trust (a private or test server); the system's are always used.
    """

    smtp_host: str
    smtp_port: int
    security: str  # "starttls" | "ssl" | "none"
    sender: str
    recipients: tuple[Recipient, ...]
    username_env: str | None = None
    password_env: str | None = None
    ca_file: Path | None = None
    send_empty: bool = False
    max_per_message: int = 50
    timeout: float = 60.0


@dataclass(frozen=True)
class Webhook:
    """One ``[[webhooks]]`` entry; the URL is a secret, so the config names the environment variable holding it."""

    kind: str  # "slack" | "discord" | "json"
    url_env: str
    topics: tuple[str, ...]
    name: str  # how logs and the deliveries table call it: ``slack:DAILYPAPERS_SLACK_WEBHOOK``
    send_empty: bool = False
    max_per_message: int = 50
    max_attempts: int = 4
    timeout: float = 30.0


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

    @property
    def folder(self) -> Path:
        return self.path.parent


class _Table:
    """A TOML table being read: hands out typed values and reports unknown or wrong keys by their path."""

    def __init__(self, file: Path, prefix: str, data: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
        self.file, self.prefix, self.data = file, prefix, data
        for key in data:
            if key not in allowed:
                raise ConfigError(file, self.key(key), f"unknown key; expected one of {', '.join(allowed)}")

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def error(self, name: str, message: str) -> ConfigError:
        return ConfigError(self.file, self.key(name), message)

    def get(self, name: str, kind: type[T], default: T) -> T:
        value = self.data.get(name, default)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(name, f"expected {_kind_name(kind)}, got {value!r}")
        return value

    def optional_str(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is not None and not isinstance(value, str):
            raise self.error(name, f"expected a string, got {value!r}")
        return value

    def strings(self, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self.data.get(name, list(default))
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error(name, f"expected a list of strings, got {value!r}")
        return tuple(value)

    def table(self, name: str, allowed: tuple[str, ...]) -> _Table:
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise self.error(name, "expected a table")
        return _Table(self.file, self.key(name), value, allowed)

    def checked(self, name: str, kind: type[T], default: T, check: Callable[[Any], bool], expected: str) -> T:
        value = self.get(name, kind, default)
        if not check(value):
            raise self.error(name, f"must be {expected}, got {value!r}")
        return value


def _kind_name(kind: type) -> str:
    return {str: "a string", int: "a whole number", float: "a number", bool: "true or false"}.get(kind, kind.__name__)


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
    top = _Table(
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
        email=_email(top, folder, names),
        webhooks=_webhooks(file, raw.get("webhooks", []), names),
        link=_link(top),
    )


def _timezone(top: _Table) -> ZoneInfo:
    name = top.get("timezone", str, "UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise top.error("timezone", f"unknown time zone {name!r}; use an IANA name such as 'Europe/Berlin'") from None


def _columns(top: _Table) -> tuple[str, ...]:
    columns = top.strings("columns", ("Title", "Date", "Abstract", "Comment"))
    for column in columns:
        if column not in COLUMNS:
            raise top.error("columns", f"unknown column {column!r}; expected some of {', '.join(COLUMNS)}")
    if not columns:
        raise top.error("columns", "needs at least one column")
    return columns


def _categories(scope: _Table) -> tuple[str, ...]:
    categories = scope.strings("categories", ())
    for category in categories:
        if not category or " " in category or ":" in category:
            raise scope.error("categories", f"{category!r} is not an arXiv archive or category such as 'cs.DC'")
    return categories


def _output(folder: Path, outputs: _Table, name: str, default: str | None) -> Path | None:
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
        table = _Table(file, f"topics[{index}]", entry, ("name", "query", "announce"))
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


def _dates(table: _Table, name: str) -> tuple[date, ...]:
    days = []
    for text in table.strings(name, ()):
        try:
            days.append(date.fromisoformat(text))
        except ValueError:
            raise table.error(name, f"expected dates such as '2026-12-24', got {text!r}") from None
    return tuple(days)


def _arxiv(table: _Table, environ: Mapping[str, str]) -> ArxivSettings:
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


_EMAIL_KEYS = (
    "smtp_host",
    "smtp_port",
    "security",
    "sender",
    "recipients",
    "username_env",
    "password_env",
    "ca_file",
    "send_empty",
    "max_per_message",
    "timeout",
)
_SECURITY_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
_WEBHOOK_KINDS = ("slack", "discord", "json")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _link(top: _Table) -> str | None:
    link = top.optional_str("link")
    if link is not None and not re.match(r"https?://[^\s]+$", link):
        raise top.error("link", f"expected an http(s) URL such as 'https://you.github.io/papers/', got {link!r}")
    return link


def _email(top: _Table, folder: Path, names: tuple[str, ...]) -> EmailSettings | None:
    if "email" not in top.data:
        return None
    table = top.table("email", _EMAIL_KEYS)
    security = table.checked("security", str, "starttls", lambda v: v in _SECURITY_PORTS, "starttls, ssl or none")
    host = table.get("smtp_host", str, "")
    sender = table.get("sender", str, "")
    if not host:
        raise table.error("smtp_host", "the SMTP server's host name is required")
    if "@" not in sender or "\n" in sender or "\r" in sender:
        raise table.error("sender", f"expected an address such as 'Daily Papers <papers@example.org>', got {sender!r}")
    ca_file = table.optional_str("ca_file")
    return EmailSettings(
        smtp_host=host,
        smtp_port=table.checked(
            "smtp_port", int, _SECURITY_PORTS[security], lambda v: 0 < v < 65536, "a port from 1 to 65535"
        ),
        security=security,
        sender=sender,
        recipients=_recipients(table, names),
        username_env=_env_name(table, "username_env"),
        password_env=_env_name(table, "password_env"),
        ca_file=folder / ca_file if ca_file else None,
        send_empty=table.get("send_empty", bool, False),
        max_per_message=table.checked("max_per_message", int, 50, lambda v: v > 0, "at least 1"),
        timeout=table.checked("timeout", float, 60.0, lambda v: v > 0, "more than 0 seconds"),
    )


def _recipients(email: _Table, names: tuple[str, ...]) -> tuple[Recipient, ...]:
    raw = email.data.get("recipients")
    if not isinstance(raw, list) or not raw:
        raise email.error("recipients", "expected one or more [[email.recipients]] tables with an address")
    recipients: list[Recipient] = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise email.error(f"recipients[{index}]", "expected a table with an address")
        table = _Table(email.file, email.key(f"recipients[{index}]"), entry, ("address", "topics"))
        address = table.get("address", str, "").strip()
        if not re.fullmatch(r"[^@\s<>,;]+@[^@\s<>,;]+", address):
            raise table.error("address", f"expected an email address such as 'ada@example.org', got {address!r}")
        if any(recipient.address.lower() == address.lower() for recipient in recipients):
            raise table.error("address", f"{address!r} is listed twice")
        recipients.append(Recipient(address, _topic_names(table, names)))
    return tuple(recipients)


def _webhooks(file: Path, raw: Any, names: tuple[str, ...]) -> tuple[Webhook, ...]:
    if not isinstance(raw, list):
        raise ConfigError(file, "webhooks", "expected [[webhooks]] tables")
    hooks: list[Webhook] = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise ConfigError(file, f"webhooks[{index}]", "expected a table with kind and url_env")
        keys = ("kind", "url_env", "topics", "send_empty", "max_per_message", "max_attempts", "timeout")
        table = _Table(file, f"webhooks[{index}]", entry, keys)
        kind = table.checked("kind", str, "json", lambda v: v in _WEBHOOK_KINDS, "slack, discord or json")
        url_env = _env_name(table, "url_env")
        if url_env is None:
            raise table.error("url_env", "name the environment variable that holds the webhook URL")
        name = f"{kind}:{url_env}"
        if any(hook.name == name for hook in hooks):
            raise table.error("url_env", f"{name} is configured twice")
        hooks.append(
            Webhook(
                kind=kind,
                url_env=url_env,
                topics=_topic_names(table, names),
                name=name,
                send_empty=table.get("send_empty", bool, False),
                max_per_message=table.checked("max_per_message", int, 50, lambda v: v > 0, "at least 1"),
                max_attempts=table.checked("max_attempts", int, 4, lambda v: v >= 1, "at least 1"),
                timeout=table.checked("timeout", float, 30.0, lambda v: v > 0, "more than 0 seconds"),
            )
        )
    return tuple(hooks)


def _topic_names(table: _Table, names: tuple[str, ...]) -> tuple[str, ...]:
    chosen = table.strings("topics", names)
    for name in chosen:
        if name not in names:
            raise table.error("topics", f"no topic is named {name!r}; the topics are {', '.join(map(repr, names))}")
    if not chosen:
        raise table.error("topics", "needs at least one topic (leave the key out for every topic)")
    return chosen


def _env_name(table: _Table, key: str) -> str | None:
    name = table.optional_str(key)
    if name is not None and not _ENV_NAME.fullmatch(name):
        raise table.error(key, f"expected the name of an environment variable such as 'SMTP_PASSWORD', got {name!r}")
    return name
