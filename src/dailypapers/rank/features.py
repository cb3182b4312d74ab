"""A paper's title and abstract as weighted words: the topics' analysis, bigrams, tf-idf.

Words are made exactly as the topics' queries see them (``query/analysis.py``: Unicode word breaks, TeX accents
resolved, folded, Porter stems), so that "learning", "Learning" and "learned" weigh as one word here as they match
as one there. English stop words are left out (scikit-learn's list), then each pair of neighbouring words is a
bigram too: "learning to rank" gives ``learn``, ``rank`` and ``learn rank``. The title counts twice, as a reader
weighs it.

The vectoriser is ours, not scikit-learn's ``TfidfVectorizer``: its state is a list of terms and an array of
weights, which the model's cache stores as plain arrays (``cache.py``) instead of a pickled object, and it counts
terms with array operations rather than one Python call per word. The weighting is the usual one (scikit-learn's
with ``sublinear_tf``): ``1 + log(tf)`` times a smoothed idf, each row scaled to unit length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from dailypapers.query.analysis import split_words
from dailypapers.query.porter import stem

MAX_TERMS = 200_000  # the most frequent terms kept: enough for 100,000 abstracts, bounded for a million
# As arxiv-sanity-lite prunes (``max_df=0.1``, ``min_df=5``), a little less: chosen on the benchmark's replay.
MAX_SHARE = 0.1  # a term in more than this share of the archive says little about any paper
MIN_DOCS = 3  # a term in fewer papers than this is noise the regression would learn by heart
_STOP = frozenset(ENGLISH_STOP_WORDS)


def paper_text(title: str, abstract: str) -> str:
    """What the model reads of a paper: the title twice, then the abstract."""
    return f"{title}\n{title}\n{abstract}"


def words(text: str) -> tuple[list[str], list[str]]:
    """The words of ``text`` as written (folded) and their stems, stop words and numbers left out."""
    tokens = [token for token in split_words(text) if len(token) > 1 and token not in _STOP and not token.isdigit()]
    return tokens, [stem(token) for token in tokens]


def terms(text: str) -> list[str]:
    """The terms of ``text``: the stems of its words, and each pair of neighbours as a bigram."""
    return with_bigrams(words(text)[1])


def with_bigrams(stems: list[str]) -> list[str]:
    return stems + [f"{first} {second}" for first, second in zip(stems, stems[1:], strict=False)]


def spelling(term: str, tokens: list[str], stems: list[str]) -> str:
    """How the paper writes ``term`` (a stem or two): ``learn rank`` as ``learning rank``."""
    parts = term.split(" ")
    for start in range(len(stems) - len(parts) + 1):
        if stems[start : start + len(parts)] == parts:
            return " ".join(tokens[start : start + len(parts)])
    return term


@dataclass(frozen=True)
class Vectoriser:
    """Terms and their idf, fitted on a set of papers."""

    terms: tuple[str, ...]
    idf: np.ndarray

    @classmethod
    def fit_transform(cls, documents: Sequence[list[str]], archive: int = 0) -> tuple[Vectoriser, csr_matrix]:
        """The vectoriser fitted on ``documents``, and their rows. The last ``archive`` documents are a sample of
        the archive: a term in more than ``MAX_SHARE`` of them is too common to tell papers apart (the reader's
        own papers do not count, or a narrow interest would lose its own words), and a term in fewer than
        ``MIN_DOCS`` documents in all is left out too."""
        index: dict[str, int] = {}
        columns = [index.setdefault(term, len(index)) for document in documents for term in document]
        counts = _counts(documents, columns, len(index))
        frequency = np.bincount(counts.indices, minlength=len(index))
        sample = counts[len(documents) - archive :] if archive else counts
        spread = np.bincount(sample.indices, minlength=len(index))
        dropped = (spread > MAX_SHARE * sample.shape[0]) | (frequency < MIN_DOCS)
        ranked = np.argsort(np.where(dropped, 1, -frequency), kind="stable")
        keep = np.sort(ranked[: min(MAX_TERMS, int((~dropped).sum()))])
        counts = counts[:, keep]
        names = list(index)
        idf = np.log((1 + len(documents)) / (1 + frequency[keep])).astype(np.float32) + 1
        vectoriser = cls(tuple(names[n] for n in keep), idf)
        return vectoriser, vectoriser._weigh(counts)

    def index(self) -> dict[str, int]:
        return {term: number for number, term in enumerate(self.terms)}

    def transform(self, documents: Sequence[list[str]], index: dict[str, int] | None = None) -> csr_matrix:
        """One row per document: ``(1 + log tf) · idf``, unit length; terms not fitted are left out."""
        index = self.index() if index is None else index
        kept = [[column for term in document if (column := index.get(term)) is not None] for document in documents]
        return self._weigh(_counts(kept, [column for row in kept for column in row], len(self.terms)))

    def _weigh(self, counts: csr_matrix) -> csr_matrix:
        from sklearn.preprocessing import normalize

        weights = counts.astype(np.float32)
        weights.data = (1 + np.log(weights.data)) * self.idf[weights.indices]
        return normalize(weights, copy=False)


def _counts(documents: Sequence[Sequence[object]], columns: list[int], width: int) -> csr_matrix:
    """How often each column occurs in each document (``columns``: every document's, one after another)."""
    lengths = np.fromiter((len(document) for document in documents), dtype=np.int64, count=len(documents))
    rows = np.repeat(np.arange(len(documents)), lengths)
    data = np.ones(len(columns), dtype=np.float32)
    counts = csr_matrix((data, (rows, np.asarray(columns, dtype=np.int64))), shape=(len(documents), width))
    counts.sum_duplicates()
    return counts
