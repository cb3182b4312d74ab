"""After a run: send each email recipient and each webhook what it has not been sent yet, once.

This composes the last stage: the store says what a target lacks (``store.deliveries``), ``digest`` turns it
into a ``Message``, ``render`` into an email body or a webhook payload, ``deliver`` sends it, and only then is
the delivery recorded. Targets are independent: one that fails is reported and tried again on the next run,
with the same papers and whatever came since, while the others are served.

A crash between a message leaving and its record being committed sends that message again on the next run:
at most one repeat, and only in that window. Recording first would turn the same crash into a lost message.

With the environment's ``dry_run``, messages and payloads are written under ``outbox`` instead of being sent,
and nothing is recorded, so the next real run sends them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from dailypapers.config import Config, EmailSettings, GitHubSettings, Webhook
from dailypapers.deliver.email import SmtpSession
from dailypapers.deliver.email import build_message as build_email
from dailypapers.deliver.github import open_issue
from dailypapers.deliver.webhook import post_webhook
from dailypapers.errors import DeliveryError
from dailypapers.files import write_atomic
from dailypapers.http import user_agent
from dailypapers.match.digest import build_message
from dailypapers.model import DeliveryStatus, Digest, Message
from dailypapers.pipeline.context import Environment
from dailypapers.pipeline.interest import RunInterest
from dailypapers.redact import redactor_for
from dailypapers.render.email import render_email
from dailypapers.render.github import github_issue
from dailypapers.render.webhook import webhook_payload
from dailypapers.store import RunRecord, Store


@dataclass(frozen=True)
class Delivered:
    """What happened to one target in a run (``DeliveryStatus``; ``detail`` holds the reason of a failure, or
    the file a dry run wrote)."""

    target: str
    status: DeliveryStatus
    papers: int = 0
    detail: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"target": self.target, "status": self.status, "papers": self.papers, "detail": self.detail}


@dataclass(frozen=True)
class Delivery:
    """One run's deliveries: the environment, and what belongs to the run alone (its store, its record, the
    digest its outputs were rendered from, the ranking that picks and orders each message's papers)."""

    env: Environment
    store: Store
    run: RunRecord
    digest: Digest
    interest: RunInterest = field(default_factory=lambda: RunInterest(None))

    @property
    def config(self) -> Config:
        return self.env.config

    @property
    def environ(self) -> Mapping[str, str]:
        return self.env.environ

    @property
    def now(self) -> Callable[[], datetime]:
        return self.env.now

    @property
    def log(self) -> Callable[[str], None]:
        return self.env.log

    @property
    def dry_run(self) -> bool:
        return self.env.dry_run

    @property
    def outbox(self) -> Path:
        return self.config.folder / "outbox"


def target_names(config: Config) -> list[str]:
    """Every configured target, as the ``deliveries`` table names it."""
    names = [f"email:{recipient.address}" for recipient in config.email.recipients] if config.email else []
    github = [config.github.name] if config.github else []
    return names + [hook.name for hook in config.webhooks] + github


def register_targets(store: Store, config: Config, run: RunRecord) -> None:
    """Give each target seen for the first time its starting point: what ``run`` first matched is owed to it.

    This happens in the run's own transaction, before anything is sent: a target registered only when its
    turn came would, after a crash before that turn, start from the crashed run and never get its papers.
    """
    for name in target_names(config):
        store.deliveries.start(name, run.notify_after)


def deliver(job: Delivery) -> list[Delivered]:
    """Serve every configured target; returns one ``Delivered`` per target, in config order."""
    results: list[Delivered] = []
    email = job.config.email
    with ExitStack() as stack:
        if email is not None:
            session = _Lazy(lambda: stack.enter_context(SmtpSession(email, job.environ)))
            results += [
                _email(job, email, recipient.address, recipient.topics, session) for recipient in email.recipients
            ]
        results += [_webhook(job, hook) for hook in job.config.webhooks]
    if job.config.github is not None:
        results.append(_github(job, job.config.github))
    return results


class _Lazy:
    """One SMTP connection for all recipients, opened only if one of them has something to be sent."""

    def __init__(self, open_session: Callable[[], SmtpSession]) -> None:
        self._open = open_session
        self._session: SmtpSession | None = None

    def get(self) -> SmtpSession:
        if self._session is None:
            self._session = self._open()
        return self._session


def _pending(job: Delivery, target: str, topics: tuple[str, ...], limit: int) -> tuple[Message, list[tuple[str, int]]]:
    """The message ``target`` is owed: its topics' matches since it was last served, less what it was sent."""
    store = job.store
    since = store.deliveries.since(target)
    matches = store.new_matches(job.run.notify_after if since is None else since, job.run.id)
    owed = store.deliveries.unsent(target, (match for match in matches if match.topic in topics))
    message = job.interest.message(build_message(store, job.config, job.digest, owed, limit))
    shown = {listed.paper.id for section in message.sections for listed in section.papers}
    versions = sorted({(match.paper_id, match.version) for match in owed if match.paper_id in shown})
    return message, versions


def _email(job: Delivery, settings: EmailSettings, address: str, topics: tuple[str, ...], session: _Lazy) -> Delivered:
    target = f"email:{address}"
    message, versions = _pending(job, target, topics, settings.max_per_message)
    if not versions and not settings.send_empty:
        return _nothing(job, target)
    try:
        body = render_email(message)
        mail = build_email(body, settings.sender, address, _message_id(job, target, settings), job.now())
        if job.dry_run:
            text = mail.as_bytes().decode("utf-8")
            return _to_outbox(job, target, f"{_file_name(target)}.eml", text, len(versions))
        session.get().send(mail, address)
    except DeliveryError as err:
        return _failed(job, target, err)
    return _sent(job, target, versions)


def _webhook(job: Delivery, hook: Webhook) -> Delivered:
    message, versions = _pending(job, hook.name, hook.topics, hook.max_per_message)
    if not versions and not hook.send_empty:
        return _nothing(job, hook.name)
    payload = webhook_payload(hook.kind, message)
    if job.dry_run:
        text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
        return _to_outbox(job, hook.name, f"{_file_name(hook.name)}.json", text, len(versions))
    url = job.environ.get(hook.url_env)
    try:
        if not url:
            raise DeliveryError("webhook", hook.name, f"the environment variable {hook.url_env} is not set")
        post_webhook(
            url,
            payload,
            name=hook.name,
            user_agent=user_agent(job.config.contact),
            max_attempts=hook.max_attempts,
            timeout=hook.timeout,
            max_wait=hook.max_wait,
        )
    except DeliveryError as err:
        return _failed(job, hook.name, err)
    return _sent(job, hook.name, versions)


def _github(job: Delivery, settings: GitHubSettings) -> Delivered:
    """One issue listing every topic's papers the repository's issues have not announced yet."""
    topics = tuple(topic.name for topic in job.config.topics)
    message, versions = _pending(job, settings.name, topics, settings.max_per_message)
    if not versions:
        return _nothing(job, settings.name)
    issue = github_issue(message, job.config.columns)
    if job.dry_run:
        text = f"# {issue.title}\n\n{issue.body}"
        return _to_outbox(job, settings.name, f"{_file_name(settings.name)}.md", text, len(versions))
    token = job.environ.get(settings.token_env, "").strip()
    try:
        if not token:
            raise DeliveryError("github", settings.name, f"the environment variable {settings.token_env} is not set")
        opened = open_issue(settings, token, issue, user_agent=user_agent(job.config.contact))
    except DeliveryError as err:
        return _failed(job, settings.name, err)
    job.log(f"{settings.name}: opened issue {opened.url or '(no address given)'}")
    return _sent(job, settings.name, versions)


def _sent(job: Delivery, target: str, versions: list[tuple[str, int]]) -> Delivered:
    with job.store.transaction():
        job.store.deliveries.record(target, versions, job.run.id, job.now())
    job.log(f"{target}: sent {_papers(len(versions))}")
    return Delivered(target, DeliveryStatus.SENT, len(versions))


def _nothing(job: Delivery, target: str) -> Delivered:
    if not job.dry_run:
        with job.store.transaction():
            job.store.deliveries.record(target, (), job.run.id, job.now())
    return Delivered(target, DeliveryStatus.NOTHING)


def _failed(job: Delivery, target: str, err: DeliveryError) -> Delivered:
    job.log(f"{target}: not sent, will be tried again on the next run: {err}")
    return Delivered(target, DeliveryStatus.FAILED, detail=str(err))


def _to_outbox(job: Delivery, target: str, name: str, text: str, papers: int) -> Delivered:
    path = job.outbox / f"run-{job.run.id}-{name}"
    write_atomic(path, redactor_for(job.config.secrets, job.environ, job.config.addresses)(text))
    job.log(f"{target}: dry run, {_papers(papers)} written to {path}")
    return Delivered(target, DeliveryStatus.OUTBOX, papers, detail=str(path))


def _message_id(job: Delivery, target: str, settings: EmailSettings) -> str:
    """The same run and recipient give the same Message-ID, so a repeated message can be recognised as one."""
    domain = settings.sender.rsplit("@", 1)[-1].strip(" >") or "dailypapers.invalid"
    digest = hashlib.sha256(f"{job.config.path}|{target}".encode()).hexdigest()[:16]
    return f"<dailypapers.run{job.run.id}.{digest}@{domain}>"


def _file_name(target: str) -> str:
    return "".join(char if char.isalnum() or char in "-_.@" else "-" for char in target)


def _papers(count: int) -> str:
    return f"{count} paper{'' if count == 1 else 's'}"


def failures(results: list[Delivered]) -> Iterator[Delivered]:
    return (result for result in results if result.status == DeliveryStatus.FAILED)
