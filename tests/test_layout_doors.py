"""The transports and the redactor stay below the stages that use them: what each module imports, read from its
source. ``deliver/`` sends what ``render/`` built (the value types live in ``model.py``), takes settings types
from ``config.delivery`` at most, and opens no HTTP client of its own; ``redact.py`` needs only the standard
library, so any stage can blank secrets."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import dailypapers

PACKAGE = Path(dailypapers.__file__).resolve().parent
DELIVER = sorted((PACKAGE / "deliver").glob("*.py"))


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth of its code (a function-level import counts too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


# What a transport may use: its own folder, the door to the network, the values and errors, the redactor, and
# the settings types of the delivery tables (plain values are preferred).
BELOW = ("dailypapers.deliver", "dailypapers.http", "dailypapers.model", "dailypapers.errors", "dailypapers.redact")
SETTINGS = "dailypapers.config.delivery"


@pytest.mark.parametrize("path", DELIVER, ids=lambda path: path.name)
def test_a_transport_imports_no_stage_above_it(path: Path) -> None:
    ours = {name for name in imported(path) if name.startswith("dailypapers.")}
    assert {name for name in ours if not name.startswith(BELOW) and name != SETTINGS} == set()


@pytest.mark.parametrize("path", DELIVER, ids=lambda path: path.name)
def test_a_transport_reaches_the_network_only_through_the_door(path: Path) -> None:
    assert not {"httpx", "httpcore", "urllib.request", "requests"} & imported(path)


def test_the_redactor_needs_only_the_standard_library() -> None:
    outside = {name for name in imported(PACKAGE / "redact.py") if name.split(".")[0] not in sys.stdlib_module_names}
    assert outside == set()
