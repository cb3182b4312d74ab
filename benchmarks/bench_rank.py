"""How well and how fast the ranking orders a day's papers, against newest-first and arxiv-sanity-lite's recipe.

The data set is generated, the same for the same seed, from text the repository ships: the seed papers' words
(``synthetic.load_vocabulary``: real words ranked by frequency, phrases, rarer made-up words). What is synthetic is
the structure a ranking must find: ``TOPICS`` research topics, each a set of 80 content words and a dozen
phrases drawn from a shared pool (so that topics overlap, as real fields do); each paper is about one topic, some
also about a second, and mixes its topic's words with the general vocabulary. A reader likes three topics with
different strength, dislikes one, and half-way through the period swaps their third interest for a new one (an
interest that drifts). Each day they star some of the papers of the topics they like (with noise: a few stars on
anything) and dismiss a few of the topic they dislike. Real arXiv metadata with real readers' stars would be
better, but none can be shipped or fetched here; with a generated reader the right answer is known.

1. **Quality**: the replay of ``dailypapers rank --evaluate`` (``rank/evaluate.py``) over ``--papers`` papers in
   ``--days`` days: nDCG@10 and MRR for the three methods, averaged over the last ``--eval-days`` days (from
   the first third of the period on, once the reader has starred some).
2. **Speed**: the model trained on 1,000 positives with its background sample drawn from a 100,000-paper
   archive (``--archive``), then scoring a day's 2,000 candidates (target: under a second).

    python benchmarks/bench_rank.py [--papers 12000] [--days 60] [--eval-days 40] [--archive 100000] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from synthetic import load_vocabulary

from dailypapers.rank.evaluate import ArchivePaper, Event, Replay
from dailypapers.rank.features import paper_text
from dailypapers.rank.model import Candidate, Example, train
from dailypapers.rank.sample import background_size, sample

TOPICS = 40
TOPIC_WORDS = 80
PHRASES = 12
START = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class World:
    """The generated archive and the reader's interests."""

    papers: list[ArchivePaper]
    topics: np.ndarray  # each paper's (first, second or -1) topic
    liked: dict[int, float]  # topic: strength, first half
    liked_later: dict[int, float]  # second half: the third interest replaced
    disliked: int


class Writer:
    """Papers written from the seeds' vocabulary, about generated topics."""

    def __init__(self, seed: int) -> None:
        vocabulary = load_vocabulary()
        words = vocabulary.words
        self.words = np.array(words, dtype=object)
        weights = np.array([(rank + 2.7) ** -1.05 for rank in range(len(words))])
        self.general = np.cumsum(weights) / weights.sum()
        self.rng = np.random.default_rng(seed)
        pool = np.arange(150, min(len(words), 6000))  # content words: past the most common, among the real ones
        self.topic_words = [self.rng.choice(pool, TOPIC_WORDS, replace=False) for _ in range(TOPICS)]
        self.phrases = [
            [" ".join(self.words[self.rng.choice(own, self.rng.integers(2, 4))]) for _ in range(PHRASES)]
            for own in self.topic_words
        ]
        zipf = np.array([(rank + 1.0) ** -0.8 for rank in range(TOPIC_WORDS)])
        self.topic_cdf = np.cumsum(zipf) / zipf.sum()

    def text(self, topics: tuple[int, ...], length: int, share: float) -> str:
        """``length`` units, ``share`` of them from the topics (phrases among them), the rest general words."""
        draws = self.rng.random(length)
        out = self.words[np.searchsorted(self.general, self.rng.random(length))].tolist()
        for n in np.flatnonzero(draws < share):
            topic = topics[0] if len(topics) == 1 or self.rng.random() < 0.7 else topics[1]
            if self.rng.random() < 0.15:
                out[n] = self.phrases[topic][self.rng.integers(PHRASES)]
            else:
                out[n] = self.words[self.topic_words[topic][np.searchsorted(self.topic_cdf, self.rng.random())]]
        return " ".join(out)

    def paper(self, number: int, day: int, topics: tuple[int, ...]) -> ArchivePaper:
        updated = START + timedelta(days=day, seconds=int(self.rng.integers(0, 86_000)))
        title = self.text(topics, int(self.rng.integers(6, 14)), 0.5).capitalize()
        abstract = self.text(topics, int(self.rng.integers(90, 200)), 0.22)
        return ArchivePaper(f"2601.{number:05d}", title, abstract, updated)


def world(papers: int, days: int, seed: int = 7) -> World:
    writer = Writer(seed)
    rng = writer.rng
    firsts = rng.integers(0, TOPICS, papers)
    seconds = np.where(rng.random(papers) < 0.4, rng.integers(0, TOPICS, papers), -1)
    made = []
    for n in range(papers):
        topics = (int(firsts[n]),) if seconds[n] < 0 else (int(firsts[n]), int(seconds[n]))
        made.append(writer.paper(n + 1, n * days // papers, topics))
    liked = {0: 1.0, 1: 0.7, 2: 0.5}
    return World(made, np.stack([firsts, seconds], axis=1), liked, {0: 1.0, 1: 0.7, 3: 0.6}, 4)


def signals(world: World, days: int, seed: int = 11) -> list[Event]:
    """The reader's stars and dismissals: each on the day its paper appeared, an hour or more after it."""
    rng = np.random.default_rng(seed)
    events = []
    for n, paper in enumerate(world.papers):
        liked = world.liked if (paper.updated - START).days < days // 2 else world.liked_later
        first, second = (int(t) for t in world.topics[n])
        interest = liked.get(first, 0.0) + (0.3 * liked.get(second, 0.0) if second >= 0 else 0.0)
        at = paper.updated + timedelta(hours=1 + float(rng.random()) * 6)
        if rng.random() < 0.3 * interest or rng.random() < 0.002:
            events.append(Event(at, paper.key, "star"))
        elif first == world.disliked and rng.random() < 0.1:
            events.append(Event(at, paper.key, "dismiss"))
    return events


def quality(papers: int, days: int, eval_days: int) -> dict[str, Any]:
    made = world(papers, days)
    events = signals(made, days)
    replay = Replay(made.papers, events, standing=[])
    started = time.perf_counter()
    evaluation = replay.run(limit=eval_days, since=(START + timedelta(days=days // 3)).date())
    return {
        "papers": papers,
        "days": days,
        "stars": sum(e.kind == "star" for e in events),
        "dismissals": sum(e.kind == "dismiss" for e in events),
        "evaluated_days": evaluation.days,
        "seconds": round(time.perf_counter() - started, 1),
        "rows": [{"method": r.method, "ndcg@10": round(r.ndcg, 3), "mrr": round(r.mrr, 3)} for r in evaluation.rows()],
    }


def speed(archive: int, positives: int = 1000, candidates: int = 2000) -> dict[str, Any]:
    made = world(archive + candidates, 365, seed=13)
    liked = [p for n, p in enumerate(made.papers[:archive]) if int(made.topics[n][0]) in made.liked]
    chosen = liked[-positives:]
    now = made.papers[archive - 1].updated
    examples = [Example(p.key, p.title, paper_text(p.title, p.abstract), "starred", p.updated) for p in chosen]
    taken = {p.key for p in chosen}
    pool = [p for p in made.papers[:archive] if p.key not in taken]
    started, cpu = time.perf_counter(), time.process_time()
    background = [paper_text(p.title, p.abstract) for p in sample(pool, background_size(len(examples)))]
    model = train(examples, [], background, now)
    trained, trained_cpu = time.perf_counter() - started, time.process_time() - cpu
    day = [Candidate(p.key, paper_text(p.title, p.abstract)) for p in made.papers[archive:]]
    started, cpu = time.perf_counter(), time.process_time()
    model.score(day)
    scored, scored_cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "archive": archive,
        "positives": len(examples),
        "background": len(background),
        "terms": len(model.vectoriser.terms),
        "train_seconds": round(trained, 2),
        "train_cpu_seconds": round(trained_cpu, 2),
        "candidates": len(day),
        "score_seconds": round(scored, 3),
        "score_cpu_seconds": round(scored_cpu, 3),
    }


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            model = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), model)
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=12000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--eval-days", type=int, default=40)
    parser.add_argument("--archive", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    result = {
        "machine": machine(),
        "quality": quality(options.papers, options.days, options.eval_days),
        "speed": speed(options.archive),
    }
    if options.json:
        print(json.dumps(result))
        return
    print(f"machine: {result['machine']}")
    q = result["quality"]
    print(f"replay: {q['papers']} papers over {q['days']} days, {q['stars']} stars, {q['dismissals']} dismissals; "
          f"{q['evaluated_days']} days evaluated in {q['seconds']} s")  # fmt: skip
    print(f"{'method':<20} {'nDCG@10':>8} {'MRR':>8}")
    for row in q["rows"]:
        print(f"{row['method']:<20} {row['ndcg@10']:>8.3f} {row['mrr']:>8.3f}")
    s = result["speed"]
    print(f"train: {s['positives']} positives, {s['background']} background papers from an archive of "
          f"{s['archive']}, {s['terms']} terms: {s['train_seconds']} s")  # fmt: skip
    print(f"       ({s['train_cpu_seconds']} s of CPU)")
    print(f"score: {s['candidates']} candidates in {s['score_seconds']} s ({s['score_cpu_seconds']} s of CPU)")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    sys.exit(main())
