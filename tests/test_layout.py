"""The package's architecture, read from its source with ``ast``: the rules that keep the tree in flow order.

- Imports point down the flow only: a folder (or a module at the package root) imports from a lower level or
  from itself, never from a later stage. render and deliver are siblings: neither imports the other.
- One door each: only ``store/`` imports ``sqlite3``, holds SQL or reads the store's connection (``.db``), only
  ``http/`` imports ``httpx`` or ``httpcore``, only ``deliver/`` imports ``smtplib``, only the face (``cli``,
  ``ui``) ``click``, only ``serve/`` Starlette and uvicorn.
- Modules of at most 400 lines, functions of at most 40.

Each rule holds with no exception: a breach fails with the list of what breaks it. Nothing here imports the
product: the rules are about its text, and a module that cannot be imported is still checked. That test files do
not import each other is ``test_suite_shape.py``'s rule.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "dailypapers"

# --- the levels of the flow -------------------------------------------------------------------------------------

# A unit is a folder of the package or a module at its root; ``__init__`` is the root package (``__version__``).
LEVELS: dict[str, int] = {
    # 0: the vocabulary every stage shares, and the tools built on it
    "__init__": 0,
    "errors": 0,
    "model": 0,
    "files": 0,
    "redact": 0,
    "http": 0,
    # 1: the query language; 2: arXiv's knowledge and clients, which take plain values and never the config;
    # 3: the config, which checks category names against arXiv's taxonomy
    "query": 1,
    "arxiv": 2,
    "config": 3,
    # 4 to 7: the stages in flow order, then the runs that compose them
    "store": 4,
    "summarise": 4,  # the model client: plain papers in, summaries out; the pipeline caches them in the store
    "match": 5,
    "render": 6,
    "deliver": 6,
    "rank": 6,  # the ranking orders what match selected; render and deliver never need it, the runs do
    "pipeline": 7,
    # 8: the reader, a web app over the store (never fetching: it does not import http)
    "serve": 8,
    # 9: the face
    "cli": 9,
    "cli_summarise": 9,
    "cli_rank": 9,
    "ui": 9,
    "__main__": 9,
}
# Units of one level that may import each other: the core below everything, and the face.
GROUPS: tuple[frozenset[str], ...] = (
    frozenset({"__init__", "errors", "model"}),
    frozenset({"cli", "cli_rank", "cli_summarise", "ui", "__main__"}),
)
CORE = GROUPS[0]
# Units held to a narrower set than their level allows: render never touches the store, the network or the config;
# the network door knows nothing of papers.
ONLY: dict[str, frozenset[str]] = {
    "render": frozenset({"model", "errors", "files"}),
    "http": frozenset({"errors", "__init__"}),
}


def allowed(importer: str, imported: str) -> bool:
    """Whether unit ``importer`` may import from unit ``imported``."""
    if importer == imported:
        return True
    if importer in ONLY:
        return imported in ONLY[importer]
    if imported in CORE or any({importer, imported} <= group for group in GROUPS):
        return True
    return LEVELS[imported] < LEVELS[importer]


# --- reading the package ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Module:
    name: str  # dotted, without the package: "store.fts"; the root package is "__init__"
    path: Path
    tree: ast.Module

    @property
    def unit(self) -> str:
        return self.name.split(".")[0]

    @property
    def package(self) -> str:
        """The package a relative import starts from: the module itself for an ``__init__``."""
        if self.path.name == "__init__.py":
            return "" if self.name == "__init__" else self.name
        return self.name.rpartition(".")[0]


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


@cache
def modules(root: Path = PACKAGE) -> dict[str, Module]:
    found = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        found[module_name(path, root)] = Module(module_name(path, root), path, tree)
    return found


def _target(dotted: str, known: dict[str, Module]) -> str | None:
    """The package module ``dailypapers.…`` names, or None for another package's."""
    if dotted == "dailypapers":
        return "__init__"
    if not dotted.startswith("dailypapers."):
        return None
    name = dotted.removeprefix("dailypapers.")
    while name not in known and "." in name:  # a name imported from a module, or a module not in the tree
        name = name.rpartition(".")[0]
    return name if name in known else "__init__"  # ``from dailypapers import __version__``


def _absolute(module: Module, node: ast.ImportFrom) -> str:
    """The dotted module an ``ImportFrom`` reads from, relative imports resolved."""
    if node.level == 0:
        return node.module or ""
    parts = ["dailypapers", *filter(None, module.package.split("."))]
    base = parts[: len(parts) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def imported_names(module: Module) -> Iterator[str]:
    """Every dotted name the module imports, anywhere in its code (also under ``TYPE_CHECKING`` or in a
    function): ``from a import b`` gives ``a.b``, and ``importlib.import_module("a")`` or ``__import__("a")``
    gives ``a``."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, node)
            yield from (f"{base}.{alias.name}" if base else alias.name for alias in node.names)
        elif isinstance(node, ast.Call) and _dynamic_import(node):
            argument = node.args[0]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                yield argument.value


def _dynamic_import(node: ast.Call) -> bool:
    function = node.func
    name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", None)
    return name in {"import_module", "__import__"} and bool(node.args)


def package_imports(module: Module, known: dict[str, Module]) -> set[str]:
    """The package's modules this one imports (itself left out)."""
    targets = {_target(name, known) for name in imported_names(module)}
    return {target for target in targets if target is not None and target != module.name}


def breaches(known: dict[str, Module]) -> set[tuple[str, str]]:
    found = set()
    for module in known.values():
        for target in package_imports(module, known):
            if not allowed(module.unit, target.split(".")[0]):
                found.add((module.name, target))
    return found


def _none(found: set[T], what: str) -> None:
    assert not found, f"{what}, not allowed: {sorted(map(str, found))}"


# --- imports point down the flow --------------------------------------------------------------------------------


def test_every_unit_of_the_package_has_a_level() -> None:
    units = {module.unit for module in modules().values()}
    assert units - set(LEVELS) == set(), "a new folder or root module: give it a level in LEVELS"


def test_imports_point_down_the_flow() -> None:
    _none(breaches(modules()), "imports against the flow")


def test_render_and_deliver_are_siblings() -> None:
    """Neither imports the other: deliver sends what the run rendered."""
    for importer, imported in (("render", "deliver"), ("deliver", "render")):
        assert not allowed(importer, imported)


@pytest.mark.parametrize(
    ("importer", "imported", "verdict"),
    [
        ("pipeline", "store", True),
        ("store", "pipeline", False),
        ("store", "match", False),
        ("match", "store", True),
        ("arxiv", "store", False),
        ("arxiv", "config", False),
        ("config", "arxiv", True),
        ("query", "config", False),
        ("config", "query", True),
        ("render", "model", True),
        ("render", "store", False),
        ("render", "query", False),
        ("render", "http", False),
        ("deliver", "http", True),
        ("deliver", "render", False),
        ("http", "errors", True),
        ("http", "__init__", True),
        ("http", "model", False),
        ("files", "errors", True),
        ("files", "redact", False),
        ("cli", "ui", True),
        ("__main__", "cli", True),
        ("ui", "pipeline", True),
        ("pipeline", "cli", False),
        ("model", "errors", True),
        ("errors", "query", False),
    ],
)
def test_the_rule_on_each_pair(importer: str, imported: str, verdict: bool) -> None:
    assert allowed(importer, imported) is verdict


def _tree(tmp_path: Path, files: dict[str, str]) -> dict[str, Module]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return modules(tmp_path)


def test_the_reader_sees_every_way_of_importing(tmp_path: Path) -> None:
    known = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "model.py": "",
            "render/__init__.py": "",
            "render/site.py": "from . import markdown\nfrom ..store import fts\n",
            "render/markdown.py": "import dailypapers.deliver.email as mail\n",
            "render/feed.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from dailypapers.store import Store\n"
                "def f():\n    from dailypapers import pipeline\n"
                "    importlib.import_module('dailypapers.http')\n    __import__('dailypapers.config')\n"
            ),
            "render/email.py": "from dailypapers.model import Paper\nfrom dailypapers import __version__\n",
            "store/__init__.py": "",
            "store/fts.py": "",
            "deliver/__init__.py": "",
            "deliver/email.py": "",
            "pipeline/__init__.py": "",
            "http/__init__.py": "",
            "config/__init__.py": "",
        },
    )
    assert breaches(known) == {
        ("render.site", "store.fts"),
        ("render.markdown", "deliver.email"),
        ("render.feed", "store"),
        ("render.feed", "pipeline"),
        ("render.feed", "http"),
        ("render.feed", "config"),
        ("render.email", "__init__"),
    }


def test_a_breach_names_what_breaks_the_rule() -> None:
    with pytest.raises(AssertionError, match=r"imports, not allowed: \[\"\('a', 'b'\)\"\]"):
        _none({("a", "b")}, "imports")
    _none(set(), "imports")


# --- one door each: the database, the network, mail -------------------------------------------------------------

DOORS: dict[str, frozenset[str]] = {
    "sqlite3": frozenset({"store"}),
    "httpx": frozenset({"http"}),
    "httpcore": frozenset({"http"}),
    "smtplib": frozenset({"deliver"}),
    "click": frozenset(
        {"cli", "cli_rank", "cli_summarise", "ui"}
    ),  # options are the face's: a stage raises its own errors
    "starlette": frozenset({"serve"}),
    "uvicorn": frozenset({"serve"}),
}

# SQL as it starts a statement; a word alone (an English "Update the config") is not enough.
SQL = re.compile(
    r"\s*(SELECT\s.*?\bFROM\s|SELECT\s+(\d|\?|'|\w+\()|INSERT\s+(OR\s+\w+\s+)?INTO\s|REPLACE\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s"
    r"|CREATE\s+(TEMP(ORARY)?\s+|UNIQUE\s+|VIRTUAL\s+)?(TABLE|INDEX|VIEW|TRIGGER)\s|ALTER\s+TABLE\s"
    r"|DROP\s+(TABLE|INDEX|VIEW|TRIGGER)\s|PRAGMA\s+\w)",
    re.IGNORECASE | re.DOTALL,
)


def door_breaches(known: dict[str, Module]) -> set[tuple[str, str]]:
    """(module, library) for each library behind a door imported outside its folder."""
    found = set()
    for module in known.values():
        for name in imported_names(module):
            door = DOORS.get(name.split(".")[0])
            if door is not None and module.unit not in door:
                found.add((module.name, name.split(".")[0]))
    return found


def _docstrings(tree: ast.Module) -> set[int]:
    """The ids of the docstring nodes of the module, its classes and functions."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def strings(tree: ast.Module) -> Iterator[str]:
    """The module's string constants but docstrings; an f-string as one text, each replacement field as ``x``."""
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip.update(id(part) for part in node.values)
            yield "".join(str(part.value) if isinstance(part, ast.Constant) else "x" for part in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.value


def sql_strings(module: Module) -> list[str]:
    """The strings of the module that open with an SQL statement, by their first line."""
    return [text.strip().splitlines()[0] for text in strings(module.tree) if SQL.match(text)]


def test_only_the_store_imports_sqlite_only_http_the_http_client_only_deliver_smtplib() -> None:
    assert door_breaches(modules()) == set()


def test_no_sql_outside_the_store() -> None:
    found = {module.name: sql_strings(module) for module in modules().values() if module.unit != "store"}
    assert {name: strings for name, strings in found.items() if strings} == {}


# The store's connection is its attribute ``db``: read outside store/, the connection has left the door.
CONNECTION_ATTRIBUTES = {"db", "_db"}


def connection_users(known: dict[str, Module]) -> set[str]:
    """The modules outside store/ that read a ``.db`` attribute: the store's connection, handed out."""
    return {
        module.name
        for module in known.values()
        if module.unit != "store"
        for node in ast.walk(module.tree)
        if isinstance(node, ast.Attribute) and node.attr in CONNECTION_ATTRIBUTES
    }


def test_no_database_connection_outside_the_store() -> None:
    _none(connection_users(modules()), "the store's connection used outside store/")


def test_the_connection_check_sees_the_attribute(tmp_path: Path) -> None:
    known = _tree(
        tmp_path,
        {
            "pipeline/search.py": "def f(store):\n    return search(store.db, 1)\n",
            "pipeline/daily.py": "x = self.store._db.execute\n",
            "pipeline/ok.py": "database = config.database\nname = 'store.db'\n",
            "store/__init__.py": "self.db = connect()\n",
        },
    )
    assert connection_users(known) == {"pipeline.search", "pipeline.daily"}


def test_the_store_holds_sql_so_the_check_can_see_it() -> None:
    assert sql_strings(modules()["store"]), "the check finds no SQL even in the store: it has gone blind"


def test_the_door_check_sees_every_way_in(tmp_path: Path) -> None:
    known = _tree(
        tmp_path,
        {
            "pipeline/__init__.py": "import sqlite3 as db\n",
            "pipeline/a.py": "from httpcore import Request\n",
            "pipeline/b.py": "def f():\n    import smtplib\n",
            "pipeline/c.py": "importlib.import_module('httpx')\n",
            "store/__init__.py": "import sqlite3\n",
            "http/__init__.py": "import httpx\n",
            "deliver/email.py": "from smtplib import SMTP\n",
            "render/x.py": "import sqlite3.dbapi2\n",
        },
    )
    assert door_breaches(known) == {
        ("pipeline", "sqlite3"),
        ("pipeline.a", "httpcore"),
        ("pipeline.b", "smtplib"),
        ("pipeline.c", "httpx"),
        ("render.x", "sqlite3"),
    }


@pytest.mark.parametrize(
    "text",
    [
        'q = "SELECT id FROM papers"',
        "q = '''\n    select id\n    from papers'''",
        'q = f"SELECT {columns} FROM papers"',
        'q = "INSERT INTO runs VALUES (?)"',
        'q = "INSERT OR IGNORE INTO runs VALUES (?)"',
        'q = "REPLACE INTO runs VALUES (?)"',
        'q = "UPDATE runs SET state = ?"',
        'q = "DELETE FROM matches WHERE topic = ?"',
        'q = "CREATE TABLE t (x)"',
        'q = "CREATE VIRTUAL TABLE t USING fts5(x)"',
        'q = "create unique index i on t (x)"',
        'q = "ALTER TABLE t ADD COLUMN y"',
        'q = "DROP TABLE t"',
        'q = "PRAGMA user_version"',
        'def f():\n    """Doc."""\n    return db.execute("pragma foreign_keys = ON")',
    ],
)
def test_the_sql_check_sees_sql(tmp_path: Path, text: str) -> None:
    (tmp_path / "x.py").write_text(text, encoding="utf-8")
    assert sql_strings(modules(tmp_path)["x"])


@pytest.mark.parametrize(
    "text",
    [
        '"""SELECT id FROM papers: a module docstring may quote SQL."""',
        'def f():\n    """DELETE FROM matches is what this does."""',
        'class C:\n    """PRAGMA user_version is read here."""',
        'message = "Update the config and run again"',
        'message = "Select a topic"',
        'message = "delete the file, then create table stakes"',
        'message = "Created table of contents"',
        'label = "pragmatic"',
    ],
)
def test_the_sql_check_leaves_prose_and_docstrings_alone(tmp_path: Path, text: str) -> None:
    (tmp_path / "x.py").write_text(text, encoding="utf-8")
    assert sql_strings(modules(tmp_path)["x"]) == []


# --- small modules, small functions ------------------------------------------------------------------------------

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 40


def long_modules(known: dict[str, Module]) -> set[str]:
    return {
        name
        for name, module in known.items()
        if len(module.path.read_text(encoding="utf-8").splitlines()) > MAX_MODULE_LINES
    }


def functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function with its qualified name (``Store.add``, ``outer.inner``), methods and nested ones too."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield prefix + node.name, node
            yield from functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.ClassDef):
            yield from functions(node, f"{prefix}{node.name}.")
        else:
            yield from functions(node, prefix)


def function_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """From ``def`` to the last line of the body, docstring included, decorators not."""
    return (node.end_lineno or node.lineno) - node.lineno + 1


def long_functions(known: dict[str, Module]) -> set[str]:
    return {
        f"{name}:{qualified}"
        for name, module in known.items()
        for qualified, node in functions(module.tree)
        if function_lines(node) > MAX_FUNCTION_LINES
    }


def test_modules_stay_small() -> None:
    _none(long_modules(modules()), f"modules over {MAX_MODULE_LINES} lines")


def test_functions_stay_small() -> None:
    _none(long_functions(modules()), f"functions over {MAX_FUNCTION_LINES} lines")


def test_the_size_check_sees_methods_nested_functions_and_branches(tmp_path: Path) -> None:
    body = "".join(f"    x = {n}\n" for n in range(MAX_FUNCTION_LINES))  # with the def: one line too many
    text = (
        f"def top():\n{body}"
        f"class C:\n    def method(self):\n    {body.replace(chr(10) + '    ', chr(10) + '        ')}"
        f"def outer():\n    def inner():\n    {body.replace(chr(10) + '    ', chr(10) + '        ')}"
        f"if True:\n    async def branch():\n    {body.replace(chr(10) + '    ', chr(10) + '        ')}"
        "def short():\n    pass\n"
    )
    (tmp_path / "x.py").write_text(text, encoding="utf-8")
    assert long_functions(modules(tmp_path)) == {"x:top", "x:C.method", "x:outer", "x:outer.inner", "x:branch"}
    assert long_modules(modules(tmp_path)) == set()
