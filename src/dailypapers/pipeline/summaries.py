"""Summaries in a run: read the cache, ask the model for what it lacks (at most ``max_papers``), count the rest.

A daily run asks after its fetch and before its transaction, so the database is never locked while a model
thinks (``ask_for_run``): first for the papers this run received that match a topic, best first when the ranking
has a model (``interest.py``), else newest first, then for the papers the page lists that still lack one, so
that papers a failing endpoint left out are filled by a later run.
The answers are written into the cache inside the run's transaction (``keep``): a dry run keeps none of them,
and a failed run leaves the cache as it was. A failing endpoint never fails the run: the papers it did not
summarise are counted, and one line says how many and why. ``summarise_archive`` fills the cache for older
papers on demand (``dailypapers summarise``), one answer at a time, so an interruption keeps what was paid for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dailypapers.config import Config
from dailypapers.config.summaries import SummarySettings
from dailypapers.errors import ConfigError
from dailypapers.http import user_agent
from dailypapers.match.verdicts import Verdicts, scope_query
from dailypapers.model import Paper, Summary
from dailypapers.pipeline.context import Environment
from dailypapers.pipeline.interest import RunInterest
from dailypapers.redact import redactor_for
from dailypapers.store import Store, database_errors, database_lock, existing_database
from dailypapers.summarise import Summariser, prompt_key

Key = tuple[str, int]
EARLIEST = datetime(1991, 1, 1, tzinfo=UTC)


@dataclass
class SummaryCounts:
    """What summaries cost and left out: requests sent, papers served from the cache, papers still without
    one, tokens the answers say they used; ``problem``: why the first missing one is missing."""

    requested: int = 0
    cached: int = 0
    missing: int = 0
    tokens: int = 0
    added: int = 0  # answers cached
    problem: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"requested": self.requested, "cached": self.cached, "missing": self.missing, "tokens": self.tokens}

    def line(self) -> str:
        """What ``dailypapers summarise`` did, on one line."""
        line = f"asked {self.requested}, cached {self.added} new summaries, {self.tokens:,} tokens"
        missing = self.missing_line()
        return f"{line}; {missing}" if missing else line

    def missing_line(self) -> str | None:
        """``12 summaries missing: the endpoint answered 429 (Too Many Requests); the next run fills them``."""
        if not self.missing:
            return None
        noun = "summary" if self.missing == 1 else "summaries"
        return (
            f"{self.missing} {noun} missing: {self.problem or 'over max_papers for one run'}; the next run fills them"
        )


@dataclass
class Asked:
    """The answers of one round of asking, not yet cached, and its counts."""

    model: str
    prompt: str
    counts: SummaryCounts = field(default_factory=SummaryCounts)
    fresh: list[tuple[Key, Summary, int]] = field(default_factory=list)

    def keep(self, store: Store, run: int, now: datetime) -> None:
        """Cache the answers and put the counts on the run's line (inside the run's transaction)."""
        store.save_summaries(self.fresh, self.model, self.prompt, now)
        counts = self.counts
        store.record_summary_counts(run, counts.requested, counts.cached, counts.missing, counts.tokens)


def ask_for_run(
    env: Environment, store: Store, received: Iterable[Paper], verdicts: Verdicts, interest: RunInterest | None = None
) -> Asked | None:
    """Summaries for the papers of a daily run (None when ``[summaries]`` is off): see the module's words.
    ``verdicts`` are the run's own, so no paper is analysed twice; with a trained model (``interest``), each
    group is asked for best first instead of newest first, so the cap is spent on the papers that matter most."""
    config, settings = env.config, env.config.summaries
    if settings is None:
        return None
    order = (interest or RunInterest(None)).by_rank
    relevant = order(paper for paper in received if _relevant(verdicts, paper))
    fresh = {paper.id for paper in relevant}  # the page may still list an older version of these
    listed = [paper for topic in config.topics for paper in _listed(store, config, topic.name) if paper.id not in fresh]
    papers = list({(paper.id, paper.version): paper for paper in [*relevant, *order(listed)]}.values())
    return _ask(env, store, settings, papers)


def _relevant(verdicts: Verdicts, paper: Paper) -> bool:
    in_scope, about = verdicts.of(paper)
    return in_scope and bool(about)


def _listed(store: Store, config: Config, topic: str) -> list[Paper]:
    return store.newest_matched(topic, scope_query(config.categories), config.max_papers)


def _ask(env: Environment, store: Store, settings: SummarySettings, papers: Sequence[Paper]) -> Asked:
    asked = Asked(settings.model, prompt_key(settings.language))
    counts = asked.counts
    cached = store.summaries(((p.id, p.version) for p in papers), asked.model, asked.prompt)
    todo = [paper for paper in papers if (paper.id, paper.version) not in cached]
    counts.cached = len(papers) - len(todo)
    reason = _cannot_ask(env, settings)
    if reason is not None:
        counts.missing, counts.problem = len(todo), reason
        return asked
    with _summariser(env, settings) as summariser:
        for paper in todo[: settings.max_papers]:
            answer = summariser.ask(paper)
            counts.requested += 1
            counts.tokens += answer.tokens
            if answer.summary is not None:
                asked.fresh.append(((paper.id, paper.version), answer.summary, answer.tokens))
                counts.added += 1
            counts.problem = counts.problem or answer.problem
            if answer.stop:
                break
    counts.missing = len(todo) - len(asked.fresh)
    return asked


def _cannot_ask(env: Environment, settings: SummarySettings) -> str | None:
    """Why no request may be sent in this run, or None."""
    if env.replay is not None:
        return "a replayed run asks no model (the cache is used)"
    if settings.api_key_env is not None and not env.environ.get(settings.api_key_env):
        return f"{settings.api_key_env} is not set"
    return None


def _summariser(env: Environment, settings: SummarySettings) -> Summariser:
    key = env.environ.get(settings.api_key_env) if settings.api_key_env else None
    return Summariser(settings, key, user_agent=user_agent(env.config.contact), log=env.log)


# --- dailypapers summarise ---------------------------------------------------------------------------------


def summarise_archive(
    env: Environment, since: datetime | None, until: datetime | None, limit: int | None
) -> SummaryCounts:
    """Fill the cache for the archive's matched papers updated from ``since`` to before ``until``, newest first,
    at most ``limit`` requests (``max_papers`` by default); each answer is cached as it comes."""
    config = env.config
    settings = _required(config)
    existing_database(config.database)
    with (
        database_errors(config.database, config.busy_timeout),
        database_lock(config.database),
        Store.open(config.database, config.busy_timeout) as store,
    ):
        store.scrub = redactor_for(config.secrets, env.environ, config.addresses)
        return _fill(env, store, settings, since or EARLIEST, until or env.now(), limit)


def _required(config: Config) -> SummarySettings:
    if config.summaries is None:
        raise ConfigError(config.path, "summaries", "no [summaries] table: add one to name the model to ask")
    return config.summaries


def _fill(
    env: Environment, store: Store, settings: SummarySettings, since: datetime, until: datetime, limit: int | None
) -> SummaryCounts:
    names = [topic.name for topic in env.config.topics]
    prompt = prompt_key(settings.language)
    cap = settings.max_papers if limit is None else limit
    keys = store.unsummarised(names, settings.model, prompt, since, until, cap)
    counts = SummaryCounts()
    _check_key(env, settings)
    with _summariser(env, settings) as summariser:
        for key, paper in store.papers(keys).items():
            answer = summariser.ask(paper)
            counts.requested += 1
            counts.tokens += answer.tokens
            counts.problem = counts.problem or answer.problem
            if answer.summary is not None:
                with store.transaction():
                    store.save_summaries([(key, answer.summary, answer.tokens)], settings.model, prompt, env.now())
                counts.added += 1
            if answer.stop:
                break
    counts.missing = len(keys) - counts.added
    return counts


def _check_key(env: Environment, settings: SummarySettings) -> None:
    variable = settings.api_key_env
    if variable is not None and not env.environ.get(variable):
        holds = "the language model's API key ([summaries] api_key_env)"
        raise ConfigError("environment", variable, f"not set or empty; it holds {holds}: set it first")
