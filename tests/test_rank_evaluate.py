"""The replay's measures, on orders whose scores can be worked out by hand: nDCG@10 with binary relevance (the
gain of a relevant paper at rank r is 1 / log2(r + 1), over the best possible), and the reciprocal rank of the
first relevant paper."""

from __future__ import annotations

import math

import pytest

from dailypapers.rank.evaluate import ndcg, reciprocal_rank


@pytest.mark.parametrize(
    ("ranked", "relevant", "expected_ndcg", "expected_rr"),
    [
        ("abc", "a", 1.0, 1.0),
        ("bac", "a", 1 / math.log2(3), 0.5),
        ("abc", "ab", 1.0, 1.0),
        ("cab", "ab", (1 / math.log2(3) + 1 / math.log2(4)) / (1 + 1 / math.log2(3)), 0.5),
        ("bcdefghijka", "a", 0.0, 1 / 11),  # past the tenth: no gain, but still a first relevant paper
        ("abc", "x", 0.0, 0.0),
    ],
)
def test_the_measures(ranked: str, relevant: str, expected_ndcg: float, expected_rr: float) -> None:
    assert ndcg(list(ranked), set(relevant)) == pytest.approx(expected_ndcg)
    assert reciprocal_rank(list(ranked), set(relevant)) == pytest.approx(expected_rr)
