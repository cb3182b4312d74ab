"""``dailypapers rank``: the archive's papers of a span of days, best first, and ``rank --evaluate``.

The signals are read from the store: the starred and dismissed papers as the log leaves them (``signals``), the
library (``library``) and the papers by ``[ranking] authors``. The model is trained on them (``rank/model.py``)
with a background sample of the archive older than its newest week, so that this week's candidates are never
taken as negatives, and cached beside the database under the key of that state (``rank/cache.py``). Reading only:
the database is never written, and a command running beside a daily run sees the archive as it was.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from dailypapers.arxiv.dates import iso
from dailypapers.config import Config, Topic
from dailypapers.errors import ConfigError, DailyPapersError
from dailypapers.match.verdicts import scope_query
from dailypapers.model import Signal
from dailypapers.pipeline.context import Environment
from dailypapers.query import Matcher
from dailypapers.rank.cache import cache_path, load_model, save_model, state_key
from dailypapers.rank.evaluate import WINDOW_DAYS, ArchivePaper, Evaluation, Event, Replay, SignalState
from dailypapers.rank.features import paper_text
from dailypapers.rank.model import MIN_POSITIVES, Candidate, Example, Model, Reason, is_trainable, train
from dailypapers.rank.sample import background_size, sample
from dailypapers.store import Store, database_errors, existing_database
from dailypapers.store.ranking import PaperText

_REPLAYED = {Signal.STAR, Signal.UNSTAR, Signal.DISMISS, Signal.UNDISMISS}


@dataclass(frozen=True)
class RankedPaper:
    id: str
    version: int
    title: str
    updated: datetime
    score: float
    reason: Reason


@dataclass(frozen=True)
class Signals:
    positives: list[Example]
    dismissed: list[Example]
    stars: int
    library: int
    authored: int

    def too_few(self) -> str | None:
        """Why the ranking cannot learn yet, or None."""
        if len(self.positives) >= MIN_POSITIVES:
            return None
        return (
            f"ranking needs at least {MIN_POSITIVES} papers you like, and has {len(self.positives)} ({self.stars} "
            f"starred, {self.library} in your library, {self.authored} by [ranking] authors); star papers with "
            "`dailypapers star ID` or in the reader, or add your library with `dailypapers library add FILE`"
        )


@dataclass(frozen=True)
class Ranking:
    papers: list[RankedPaper]
    message: str | None = None  # set when there are too few signals: nothing is ranked
    days: tuple[date, date] | None = None  # the first and last day of the window


def rank_papers(
    env: Environment, since: date | None, until: date | None, topic: str | None, limit: int | None
) -> Ranking:
    """The papers updated from ``since`` to ``until`` (days, both included; default: the week up to today), in
    scope and matching ``topic`` if one is named, best first."""
    config = env.config
    chosen = _topic(config, topic)
    last = until or env.now().astimezone(UTC).date()
    first = since or last - timedelta(days=WINDOW_DAYS - 1)
    database = existing_database(config.database)
    with database_errors(database, config.busy_timeout), Store.open(database, config.busy_timeout) as store:
        model = trained_model(store, config, env.now())
        if isinstance(model, str):
            return Ranking([], model)
        window = store.texts_updated(iso(_start(first)), iso(_start(last + timedelta(days=1))))
        window = _selected(store, config, window, chosen)
    scored = model.score([Candidate(text.id, paper_text(text.title, text.abstract)) for text in window])
    ranked = sorted(
        (
            RankedPaper(t.id, t.version, t.title, t.updated, s.score, s.reason)
            for t, s in zip(window, scored, strict=True)
        ),
        key=lambda paper: (-paper.score, -paper.updated.timestamp(), paper.id),
    )
    return Ranking(ranked[:limit] if limit is not None else ranked, days=(first, last))


def _start(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def _topic(config: Config, name: str | None) -> Topic | None:
    if name is None:
        return None
    for topic in config.topics:
        if topic.name == name:
            return topic
    names = ", ".join(repr(topic.name) for topic in config.topics)
    raise ConfigError("command line", "--topic", f"no topic {name!r} in {config.path}; its topics are {names}")


def _selected(store: Store, config: Config, window: list[PaperText], topic: Topic | None) -> list[PaperText]:
    """The papers of the window in the config's scope that match ``topic`` (every one in scope without it)."""
    scope = scope_query(config.categories)
    if scope is None and topic is None:
        return window
    papers = store.papers(((text.id, text.version) for text in window), scope)
    if topic is not None:
        matcher = Matcher(topic.query)
        papers = {key: paper for key, paper in papers.items() if matcher.matches(paper)}
    return [text for text in window if (text.id, text.version) in papers]


def read_signals(store: Store, config: Config) -> Signals:
    """Every positive (starred, library, by the config's authors; each paper once) and dismissed paper."""
    state = SignalState()
    for record in store.signal_history():
        if record.kind in _REPLAYED:
            state.apply(Event(record.at, record.paper_id, str(record.kind)))
    texts = store.texts(state.starred.keys() | state.dismissed.keys())
    starred = [_example(texts[k], "starred", at) for k, at in state.starred.items() if k in texts]
    dismissed = [_example(texts[k], "dismissed", at) for k, at in state.dismissed.items() if k in texts]
    library = _library(store)
    authored = [_example(text, "by [ranking] authors", text.updated) for text in store.authored(config.ranking.authors)]
    positives: dict[str, Example] = {}
    for example in (*starred, *library, *authored):
        positives.setdefault(example.key, example)
    return Signals(list(positives.values()), dismissed, len(starred), len(library), len(authored))


def _example(text: PaperText, reason: str, at: datetime) -> Example:
    return Example(text.id, text.title, paper_text(text.title, text.abstract), reason, at)


def _library(store: Store) -> list[Example]:
    """The library's papers: an arXiv paper as the archive has it, any other by its entry's title and abstract."""
    rows = store.library()
    texts = store.texts(row.paper_id for row in rows if row.paper_id is not None)
    examples = []
    for row in rows:
        text = texts.get(row.paper_id) if row.paper_id is not None else None
        if text is not None:
            examples.append(_example(text, "in your library", row.added))
        elif row.title:
            key = row.paper_id or f"{Path(row.source).name}:{row.line}"
            examples.append(Example(key, row.title, paper_text(row.title, row.abstract), "in your library", row.added))
    return examples


def rank_key(store: Store, config: Config) -> str:
    """The key of the state a model is trained on: the archive, the signals, the library and the authors."""
    return state_key(store.rank_state(), config.ranking.authors, store.newest_updated())


def trained_model(store: Store, config: Config, now: datetime, keep: bool = True) -> Model | str:
    """The cached model of the store's state, or one trained now (and cached unless ``keep`` is false: a dry
    run leaves no file behind); or why there can be none yet."""
    key = rank_key(store, config)
    return load_model(cache_path(config.database), key) or train_model(store, config, now, key, keep)


NOTHING_OLDER = (
    "the ranking learns against papers older than a week, and the archive holds none yet: "
    "`dailypapers backfill --from DATE` fills it"
)
TOO_LITTLE_TEXT = (
    "the archive holds too little text to learn from (each word must appear in 3 papers or more): "
    "`dailypapers backfill --from DATE` fills it"
)


def train_model(store: Store, config: Config, now: datetime, key: str, keep: bool = True) -> Model | str:
    """A model trained now on the store's signals and cached under ``key`` (unless ``keep`` is false); or why
    there can be none yet."""
    signals = read_signals(store, config)
    too_few = signals.too_few()
    if too_few is not None:
        return too_few
    newest = store.newest_updated()
    cutoff = datetime.fromisoformat(newest) - timedelta(days=WINDOW_DAYS) if newest else now
    taken = {example.key for example in (*signals.positives, *signals.dismissed)}
    pool = [paper_id for paper_id in store.updated_before(iso(cutoff)) if paper_id not in taken]
    chosen = store.texts(sample(pool, background_size(len(signals.positives))))
    background = [paper_text(text.title, text.abstract) for text in chosen.values()]
    if not is_trainable(len(signals.positives), len(background)):
        return NOTHING_OLDER
    try:
        model = train(signals.positives, signals.dismissed, background, now)
    except ValueError:  # scikit-learn: no word is left once the rare and the too common are pruned
        return TOO_LITTLE_TEXT
    if keep:
        with suppress(DailyPapersError):  # a cache that cannot be written costs time, not the ranking
            save_model(cache_path(config.database), key, model)
    return model


@dataclass(frozen=True)
class Evaluated:
    evaluation: Evaluation
    message: str | None = None


EVALUATED_DAYS = 30  # the replay trains every method once a day: the last month says enough, in a minute or so
HISTORY_DAYS = 365  # the archive the replay reads: from a year before the first signal, and every signalled paper


def evaluate(env: Environment, limit: int | None = EVALUATED_DAYS) -> Evaluated:
    """The replay of the reader's signals over the archive (``rank/evaluate.py``), its last ``limit`` days."""
    config = env.config
    database = existing_database(config.database)
    with database_errors(database, config.busy_timeout), Store.open(database, config.busy_timeout) as store:
        history = [r for r in store.signal_history() if r.kind in _REPLAYED]
        events = [Event(r.at, r.paper_id, str(r.kind)) for r in history]
        if not any(event.kind == "star" for event in events):
            return Evaluated(Evaluation(), _too_few_days(events))
        papers = _replayed_papers(store, events)
        library = _library(store)
        authored = [_example(t, "by [ranking] authors", t.updated) for t in store.authored(config.ranking.authors)]
    env.log(f"replaying your signals over {len(papers):,} papers (the last {limit} days at most); this takes a while")
    evaluation = Replay(papers, events, [*library, *authored]).run(limit=limit)
    return Evaluated(evaluation, None if evaluation.days else _too_few_days(events))


def _too_few_days(events: list[Event]) -> str:
    stars = sum(event.kind == "star" for event in events)
    days = len({event.at.date() for event in events if event.kind == "star"})
    return (
        f"the evaluation needs a day with new stars and at least {MIN_POSITIVES} papers you liked before it; "
        f"you have {stars} stars on {days} day{'s' if days != 1 else ''}: star more papers and run it again"
    )


def _replayed_papers(store: Store, events: list[Event]) -> list[ArchivePaper]:
    """The papers the replay needs: those updated from ``HISTORY_DAYS`` before the first signal on (the days'
    candidates and the background), and every paper signalled, however old; not a whole archive of millions."""
    since = iso(min(e.at for e in events) - timedelta(days=HISTORY_DAYS)) if events else ""
    texts = {t.id: t for t in store.all_texts(since)}
    texts.update(store.texts({event.key for event in events} - texts.keys()))
    return [ArchivePaper(t.id, t.title, t.abstract, t.updated) for t in texts.values()]
