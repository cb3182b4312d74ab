"""The model: a logistic regression over tf-idf words, plus how close each paper is to what was starred.

Positives are the starred papers, the library and the papers by the ``[ranking] authors``, each weighted by how
recent its signal is (half weight after ``HALF_LIFE_DAYS``); negatives are the dismissed papers and a random
sample of the archive (``background``: most papers are not for a given reader). A logistic regression
(scikit-learn) learns which words matter; it generalises, but a paper almost equal to a starred one must come
first even if its words are rare, and one almost equal to a dismissed one last. So a paper's score is the
regression's probability, plus twice what its cosine similarity to the closest positive exceeds ``TWIN`` (a near
copy), less the same for the closest dismissed paper.

Every score has a reason a person can check (``Reason``): the positive it is most like, and the words that
weighed most for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from scipy.sparse import csr_matrix

from dailypapers.rank.features import Vectoriser, spelling, terms, with_bigrams, words

HALF_LIFE_DAYS = 180.0
MIN_WEIGHT = 0.1  # an old star still counts a little: interests drift, they rarely vanish
# The logistic regression's C, chosen on benchmarks/bench_rank.py's replay: strong regularisation, because a reader
# gives tens of positives, not thousands (from 0.3 to 16 the replay's nDCG@10 drops by a tenth).
REGULARISATION = 0.01
MIN_POSITIVES = 3  # fewer, and a ranking would be the echo of one or two papers
TWIN = 0.6  # a cosine similarity above which a paper is a near copy of another (related ones reach 0.5)
WHY_WORDS = 3


@dataclass(frozen=True)
class Example:
    """A paper the model learns from: ``key`` is its arXiv id (or the library entry's name), ``reason`` what made
    it one ("starred", "in your library", "by Ada Lovelace", "dismissed"), ``at`` when."""

    key: str
    title: str
    text: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class Candidate:
    key: str
    text: str


@dataclass(frozen=True)
class Reason:
    """Why a paper scored as it did: the positive it is most like (None if it shares no word with any) and how
    much, and the words that weighed most for it."""

    like: Example | None
    similarity: float
    words: tuple[str, ...]

    def line(self) -> str:
        parts = []
        if self.like is not None:
            parts.append(f"like {self.like.key} {self.like.title!r} ({self.like.reason}, {self.similarity:.0%})")
        if self.words:
            parts.append(f"words: {', '.join(self.words)}")
        return "; ".join(parts) or "no word in common with your signals"


@dataclass(frozen=True)
class Scored:
    key: str
    score: float
    reason: Reason


def recency(at: datetime, now: datetime) -> float:
    """A signal's weight: 1 now, halved every ``HALF_LIFE_DAYS``, never under ``MIN_WEIGHT``."""
    days = max((now - at).total_seconds() / 86400, 0.0)
    return float(max(0.5 ** (days / HALF_LIFE_DAYS), MIN_WEIGHT))


@dataclass(frozen=True)
class Model:
    vectoriser: Vectoriser
    coef: np.ndarray
    intercept: float
    positives: tuple[Example, ...]
    positive_rows: csr_matrix
    dismissed_rows: csr_matrix

    def score(self, candidates: Sequence[Candidate]) -> list[Scored]:
        """Each candidate's score and reason, in the order given."""
        if not candidates:
            return []
        analysed = [words(candidate.text) for candidate in candidates]
        rows = self.vectoriser.transform([with_bigrams(stems) for _, stems in analysed])
        decision = rows @ self.coef + self.intercept
        probability = 1.0 / (1.0 + np.exp(-decision))
        near, nearest = _closest(rows, self.positive_rows)
        away, _ = _closest(rows, self.dismissed_rows)
        scores = probability + 2 * (np.maximum(near - TWIN, 0) - np.maximum(away - TWIN, 0))
        return [
            Scored(candidate.key, float(scores[n]), self._reason(rows, n, analysed[n], float(near[n]), int(nearest[n])))
            for n, candidate in enumerate(candidates)
        ]

    def liked_level(self, quantile: float) -> float:
        """The ``quantile`` of the regression's probabilities for the positives themselves: how high the model
        scores the papers it learnt from, a bar for a paper to be as liked (0.5, the balanced boundary, without
        positives)."""
        if self.positive_rows.shape[0] == 0:
            return 0.5
        decision = self.positive_rows @ self.coef + self.intercept
        return float(np.quantile(1.0 / (1.0 + np.exp(-decision)), quantile))

    def _reason(
        self, rows: csr_matrix, n: int, analysed: tuple[list[str], list[str]], similarity: float, nearest: int
    ) -> Reason:
        like = self.positives[nearest] if similarity > 0 else None
        indices = rows.indices[rows.indptr[n] : rows.indptr[n + 1]]
        weights = rows.data[rows.indptr[n] : rows.indptr[n + 1]] * self.coef[indices]
        order = np.argsort(-weights, kind="stable")[:WHY_WORDS]
        tokens, stems = analysed
        named = tuple(spelling(self.vectoriser.terms[indices[k]], tokens, stems) for k in order if weights[k] > 0)
        return Reason(like, round(similarity, 4), named)


def _closest(rows: csr_matrix, others: csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the largest cosine similarity to a row of ``others`` (0 if there is none) and which."""
    if others.shape[0] == 0:
        return np.zeros(rows.shape[0], dtype=np.float32), np.zeros(rows.shape[0], dtype=np.int64)
    similarity = (rows @ others.T).toarray()
    return similarity.max(axis=1), similarity.argmax(axis=1)


def train(
    positives: Sequence[Example], dismissed: Sequence[Example], background: Sequence[str], now: datetime
) -> Model:
    """The model of these signals at ``now``; ``background`` holds the texts of the archive's sample."""
    from sklearn.linear_model import LogisticRegression

    documents = [terms(example.text) for example in (*positives, *dismissed)]
    documents += [terms(text) for text in background]
    vectoriser, rows = Vectoriser.fit_transform(documents, archive=len(background))
    labels = np.array([1] * len(positives) + [0] * (len(documents) - len(positives)))
    weights = [recency(example.at, now) for example in (*positives, *dismissed)] + [1.0] * len(background)
    regression = LogisticRegression(C=REGULARISATION, class_weight="balanced", solver="liblinear", max_iter=1000)
    regression.fit(rows, labels, sample_weight=np.array(weights))
    split = len(positives)
    return Model(
        vectoriser=vectoriser,
        coef=regression.coef_[0].astype(np.float32),
        intercept=float(regression.intercept_[0]),
        positives=tuple(positives),
        positive_rows=rows[:split],
        dismissed_rows=rows[split : split + len(dismissed)] if dismissed else csr_matrix((0, rows.shape[1])),
    )


def is_trainable(positives: int, background: int) -> bool:
    """Whether a model can learn: enough positives, and something to tell them from."""
    return positives >= MIN_POSITIVES and background > 0
