"""The background: a random sample of the archive the model takes as negatives.

Most papers in a reader's archive are not for them, so a sample of it teaches the model what ordinary looks like.
The sample is seeded, so that the same archive and signals always give the same model and the same order.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

SEED = 20261207
MIN_BACKGROUND = 3000
MAX_BACKGROUND = 5000
PER_POSITIVE = 4


def background_size(positives: int) -> int:
    """How many archive papers to sample for this many positives: four each, from 3,000 to 5,000 (fewer made the
    benchmark's replay worse)."""
    return min(max(PER_POSITIVE * positives, MIN_BACKGROUND), MAX_BACKGROUND)


def sample(items: Sequence[T], size: int, seed: int = SEED) -> list[T]:
    """``size`` of ``items`` (all of them if fewer), the same ones for the same items and seed."""
    return random.Random(seed).sample(list(items), min(size, len(items)))
