"""The test suite's own shape: test files import shared set-ups from helper modules, never from each other.

A test file that imports another runs that file's module-level code and ties the two together, so a helper's
home would depend on which test needed it first; shared code lives in modules of its own (not named test_*).
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def imported_modules(path: Path) -> set[str]:
    """Every top-level module name ``path`` imports, at any depth of its code; through the ``tests`` folder
    (``from tests.test_daily import …``, ``from . import test_daily``), the test module's own name."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(_top(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(_top(node.module))
            if node.module == "tests":
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            found.update([_top(node.module)] if node.module else [alias.name for alias in node.names])
    return found


def _top(dotted: str) -> str:
    """The module's top-level name, or the test module's name for ``tests.test_x``."""
    first, _, rest = dotted.partition(".")
    return rest.split(".")[0] if first == "tests" and rest else first


def test_no_test_module_imports_another() -> None:
    test_modules = {path.stem for path in TESTS.glob("test_*.py")}
    offenders = {path.name: sorted(imported_modules(path) & test_modules) for path in sorted(TESTS.glob("*.py"))}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_check_sees_an_import_of_a_test_module(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom test_daily import NOW\n\ndef f():\n    import test_delivery.x\n")
    assert imported_modules(sample) == {"os", "test_daily", "test_delivery"}


def test_the_check_sees_imports_through_the_tests_folder(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from tests.test_daily import NOW\nimport tests.test_store\nfrom tests import test_cli\n"
        "from . import test_site\nfrom .test_feed import x\n"
    )
    assert imported_modules(sample) == {"test_daily", "test_store", "tests", "test_cli", "test_site", "test_feed"}
