"""The config's delivery tables: ``[email]`` with its recipients, ``[[webhooks]]`` and ``[github]``.

Secrets never sit in the file: the SMTP login and each webhook URL are named by environment variables, and a
target is known by its address or by its kind and variable name, never by a secret.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dailypapers.config.table import Table, tables
from dailypapers.errors import ConfigError


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
    max_wait: float = 60.0


# The keys each table accepts, public so that the README's config reference can be checked against them.
EMAIL_KEYS = (
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
RECIPIENT_KEYS = ("address", "topics")
WEBHOOK_KEYS = ("kind", "url_env", "topics", "send_empty", "max_per_message", "max_attempts", "timeout", "max_wait")
_SECURITY_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
_WEBHOOK_KINDS = ("slack", "discord", "json")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def email_settings(top: Table, folder: Path, names: tuple[str, ...]) -> EmailSettings | None:
    if "email" not in top.data:
        return None
    table = top.table("email", EMAIL_KEYS)
    security = table.checked("security", str, "starttls", lambda v: v in _SECURITY_PORTS, "starttls, ssl or none")
    host = table.get("smtp_host", str, "")
    sender = table.get("sender", str, "")
    if not host:
        raise table.error("smtp_host", "the SMTP server's host name is required")
    if not host.isascii() or any(char.isspace() or not char.isprintable() for char in host):
        raise table.error("smtp_host", f"expected a host name such as 'smtp.example.org', got {host!r}")
    if "@" not in sender or any(ord(char) < 32 or ord(char) == 127 for char in sender):
        raise table.error("sender", f"expected an address such as 'Daily Papers <papers@example.org>', got {sender!r}")
    ca_file = table.path("ca_file", "") if "ca_file" in table.data else None
    return EmailSettings(
        smtp_host=host,
        smtp_port=table.bounded("smtp_port", int, _SECURITY_PORTS[security], 1, 65535),
        security=security,
        sender=sender,
        recipients=_recipients(table, names),
        username_env=_env_name(table, "username_env"),
        password_env=_env_name(table, "password_env"),
        ca_file=folder / ca_file if ca_file else None,
        send_empty=table.get("send_empty", bool, False),
        max_per_message=table.bounded("max_per_message", int, 50, 1, 10_000),
        timeout=table.bounded("timeout", float, 60.0, 0.0, 3600.0, above=True),
    )


def _recipients(email: Table, names: tuple[str, ...]) -> tuple[Recipient, ...]:
    raw = email.data.get("recipients")
    if not isinstance(raw, list) or not raw:
        raise email.error("recipients", "expected one or more [[email.recipients]] tables with an address")
    recipients: list[Recipient] = []
    for table in tables(email.file, email.key("recipients"), raw, RECIPIENT_KEYS, "an address"):
        address = table.get("address", str, "").strip()
        if not re.fullmatch(r"[^@\s<>,;\x00-\x1f\x7f]+@[^@\s<>,;\x00-\x1f\x7f]+", address):
            raise table.error("address", f"expected an email address such as 'ada@example.org', got {address!r}")
        if any(recipient.address.lower() == address.lower() for recipient in recipients):
            raise table.error("address", f"{address!r} is listed twice")
        recipients.append(Recipient(address, _topic_names(table, names)))
    return tuple(recipients)


def webhooks(file: Path, raw: Any, names: tuple[str, ...]) -> tuple[Webhook, ...]:
    if not isinstance(raw, list):
        raise ConfigError(file, "webhooks", "expected [[webhooks]] tables")
    hooks: list[Webhook] = []
    for table in tables(file, "webhooks", raw, WEBHOOK_KEYS, "kind and url_env"):
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
                max_per_message=table.bounded("max_per_message", int, 50, 1, 10_000),
                max_attempts=table.bounded("max_attempts", int, 4, 1, 20),
                timeout=table.bounded("timeout", float, 30.0, 0.0, 3600.0, above=True),
                max_wait=table.bounded("max_wait", float, 60.0, 0.0, 3600.0),
            )
        )
    return tuple(hooks)


def _topic_names(table: Table, names: tuple[str, ...]) -> tuple[str, ...]:
    return table.choices(
        "topics",
        names,
        names,
        lambda name: f"no topic is named {name!r}; the topics are {', '.join(map(repr, names))}",
        empty="needs at least one topic (leave the key out for every topic)",
    )


def _env_name(table: Table, key: str) -> str | None:
    """The variable's name. What is there instead is never echoed: it is most likely the secret itself, pasted
    where its name belongs, and the redactor cannot know it (no variable holds it)."""
    name = table.data.get(key)
    if name is not None and not (isinstance(name, str) and _ENV_NAME.fullmatch(name)):
        raise table.error(
            key,
            "expected the name of an environment variable such as 'SMTP_PASSWORD' (the value given is not shown: "
            "it may be the secret itself; put the secret in the environment and its name here)",
        )
    return name


env_name = _env_name  # the same rule for every table that names a secret's variable ([summaries] too)

DEFAULT_GITHUB_API_URL = "https://api.github.com"
GITHUB_API_ENVIRONMENT = "DAILYPAPERS_GITHUB_API_URL"
GITHUB_REPO_ENVIRONMENT = "DAILYPAPERS_GITHUB_REPO"
GITHUB_KEYS = ("repo", "token_env", "labels", "api_url", "max_per_message", "max_attempts", "timeout", "max_wait")
# GitHub's rules for names: an owner is letters, digits and single hyphens (at most 39); a repository letters,
# digits, ".", "-" and "_" (at most 100), and never "." or "..".
_GITHUB_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_GITHUB_REPO = re.compile(r"[A-Za-z0-9._-]{1,100}")


@dataclass(frozen=True)
class GitHubSettings:
    """``[github]``: the repository whose issues announce new papers, once per paper like any other target.

    The token never sits in the file: ``token_env`` names the environment variable holding it (in a workflow,
    ``GITHUB_TOKEN``). ``api_url`` is the REST API's root; ``DAILYPAPERS_GITHUB_API_URL`` wins over it (GitHub
    Enterprise, or a test server). ``DAILYPAPERS_GITHUB_REPO`` names the repository when the config names none,
    and turns the target on even without a ``[github]`` table: the workflow ``init`` writes sets it to the
    repository it runs in, so the issue needs no setting there, and a run on a laptop opens none.
    """

    repo: str  # "owner/name"
    token_env: str = "GITHUB_TOKEN"
    labels: tuple[str, ...] = ("documentation",)
    api_url: str = DEFAULT_GITHUB_API_URL
    max_per_message: int = 50
    max_attempts: int = 3
    timeout: float = 30.0
    max_wait: float = 60.0  # the longest wait GitHub may ask for (Retry-After, a rate limit's reset) in a run

    @property
    def name(self) -> str:
        """How logs and the deliveries table call it: ``github:owner/name``."""
        return f"github:{self.repo}"


def github_settings(top: Table, environ: Mapping[str, str]) -> GitHubSettings | None:
    if "github" not in top.data and not environ.get(GITHUB_REPO_ENVIRONMENT):
        return None
    table = top.table("github", GITHUB_KEYS)
    return GitHubSettings(
        repo=_github_repo(table, environ),
        token_env=_env_name(table, "token_env") or "GITHUB_TOKEN",
        labels=_labels(table),
        api_url=_api_url(table, environ),
        max_per_message=table.bounded("max_per_message", int, 50, 1, 1000),
        max_attempts=table.bounded("max_attempts", int, 3, 1, 10),
        timeout=table.bounded("timeout", float, 30.0, 0.0, 600.0, above=True),
        max_wait=table.bounded("max_wait", float, 60.0, 0.0, 3600.0),
    )


def _github_repo(table: Table, environ: Mapping[str, str]) -> str:
    from_environment = "" if "repo" in table.data else environ.get(GITHUB_REPO_ENVIRONMENT, "")
    repo = from_environment or table.get("repo", str, "")
    owner, slash, name = repo.partition("/")
    if slash and _GITHUB_OWNER.fullmatch(owner) and _GITHUB_REPO.fullmatch(name) and name not in (".", ".."):
        return repo
    expected = f"expected a repository as 'owner/name', such as 'ada/papers', got {repo!r}"
    if from_environment:
        raise ConfigError("environment", GITHUB_REPO_ENVIRONMENT, expected)
    if not repo:
        expected += f" (or set {GITHUB_REPO_ENVIRONMENT})"
    raise table.error("repo", expected)


def _labels(table: Table) -> tuple[str, ...]:
    labels = table.strings("labels", ("documentation",))
    for label in labels:
        # GitHub allows at most 50 characters; a comma would split the label in GitHub's own forms.
        if not label.strip() or len(label) > 50 or any(char in label for char in ",\r\n"):
            raise table.error("labels", f"expected label names of 1 to 50 characters without commas, got {label!r}")
    return labels


def _api_url(table: Table, environ: Mapping[str, str]) -> str:
    from_environment = environ.get(GITHUB_API_ENVIRONMENT)
    url = (from_environment or table.get("api_url", str, DEFAULT_GITHUB_API_URL)).strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        expected = f"expected an http(s) URL such as {DEFAULT_GITHUB_API_URL}, got {url!r}"
        if from_environment:
            raise ConfigError("environment", GITHUB_API_ENVIRONMENT, expected)
        raise table.error("api_url", expected)
    return url


@dataclass(frozen=True)
class SecretVariable:
    """An environment variable the config names that holds a secret, and what it holds in the config's words.

    ``kind`` says which forms it can take: a ``token`` (password, API key), a ``login`` name, or a ``url``
    whose pieces may carry a token; ``login`` names, for a password, the variable holding the user name it is
    sent with (AUTH PLAIN). Both the redactor and the checks before the first request read this one list.
    """

    variable: str
    holds: str
    kind: str = "token"
    login: str | None = None


def secret_variables(
    email: EmailSettings | None, webhooks: tuple[Webhook, ...], github: GitHubSettings | None
) -> tuple[SecretVariable, ...]:
    """Every secret the delivery tables name; a new target (a model's ``api_key_env``) adds its lines here."""
    found: list[SecretVariable] = []
    if email is not None and email.username_env:
        found.append(SecretVariable(email.username_env, "the SMTP user name ([email] username_env)", "login"))
    if email is not None and email.password_env:
        holds = "the SMTP password ([email] password_env)"
        found.append(SecretVariable(email.password_env, holds, "token", email.username_env))
    for index, hook in enumerate(webhooks):
        found.append(SecretVariable(hook.url_env, f"the URL of webhook {hook.name} (webhooks[{index}].url_env)", "url"))
    if github is not None:
        found.append(SecretVariable(github.token_env, "the GitHub token ([github] token_env)"))
    return tuple(found)
