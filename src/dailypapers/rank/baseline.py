"""arxiv-sanity-lite's recipe, the ranking to beat: tf-idf over 1–2-grams and a linear SVM per tag.

As its ``compute.py`` and ``serve.py`` do it (https://github.com/karpathy/arxiv-sanity-lite): scikit-learn's
``TfidfVectorizer`` (English stop words, ``[a-zA-Z_][a-zA-Z0-9_]+`` tokens, 1–2-grams, at most 20,000 features,
sublinear tf, ``max_df=0.1``, ``min_df=5``) over ``title | abstract``, fitted once on the whole archive; then
``LinearSVC(C=0.01, class_weight="balanced")`` with the tagged papers as positives and every other paper as a
negative, and papers ordered by its decision value. On an archive too small for ``min_df=5`` and ``max_df=0.1``
together (fewer than 50 papers) the two bounds are relaxed to what the archive allows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.sparse import csr_matrix


class SanityRecipe:
    """The vectors of an archive (``texts``, in a fixed order) and the SVM trained on a subset of its rows."""

    def __init__(self, texts: Sequence[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        count = len(texts)
        min_df, max_df = (5, 0.1) if count * 0.1 >= 5 else (1, 1.0)
        vectoriser = TfidfVectorizer(
            input="content",
            encoding="utf-8",
            decode_error="replace",
            strip_accents="unicode",
            lowercase=True,
            analyzer="word",
            stop_words="english",
            token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b",
            ngram_range=(1, 2),
            max_features=20000,
            norm="l2",
            use_idf=True,
            smooth_idf=True,
            sublinear_tf=True,
            max_df=max_df,
            min_df=min_df,
        )
        self.rows: csr_matrix = vectoriser.fit_transform(texts)

    def scores(self, training: Sequence[int], positives: Sequence[int], candidates: Sequence[int]) -> np.ndarray:
        """The SVM's decision value for each candidate row, trained on the ``training`` rows, of which
        ``positives`` are the tagged ones; zeros when the training rows hold a single class."""
        from sklearn.svm import LinearSVC

        labels = np.isin(np.asarray(training), np.asarray(positives)).astype(int)
        if labels.min() == labels.max():
            return np.zeros(len(candidates))
        svm = LinearSVC(C=0.01, class_weight="balanced", max_iter=10000, tol=1e-6)
        svm.fit(self.rows[np.asarray(training)], labels)
        return np.asarray(svm.decision_function(self.rows[np.asarray(candidates)]))


def sanity_text(title: str, abstract: str) -> str:
    return f"{title} | {abstract}"
