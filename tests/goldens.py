"""Golden files: the expected bytes of a renderer's output, kept in ``tests/golden/``.

``DAILYPAPERS_REGEN_GOLDEN=1 pytest`` rewrites them (each rewriting test is skipped, saying so); review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("DAILYPAPERS_REGEN_GOLDEN") == "1"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGEN:
        path.write_text(text, encoding="utf-8", newline="")
        pytest.skip(f"regenerated tests/golden/{name}: review the diff")
    if not path.exists():
        pytest.fail(f"{path} is missing; create it with DAILYPAPERS_REGEN_GOLDEN=1 and review it")
    assert text == path.read_bytes().decode("utf-8")
