"""Each command loads only what it uses: ``search`` and ``--help`` start without the network, XML, template and
terminal-table libraries that a daily run needs.

Each command runs in a fresh interpreter, as a user starts it, through a probe that runs the real CLI and then
writes the names of the modules it had loaded. The archive searched is the example's, filled by one replayed run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dailypapers import cli
from dailypapers.config import DEFAULT_CONFIG

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples"
# What a daily run needs and a search does not: HTTP, XML, templates, Markdown, mail.
NETWORK_AND_RENDERING = ("httpx", "h11", "lxml", "jinja2", "markdown_it", "smtplib")
PROBE = """
import json, sys
report = sys.argv[1]
sys.argv = ["dailypapers", *sys.argv[2:]]
from dailypapers.cli import main
try:
    main()
finally:
    with open(report, "w") as out:
        json.dump(sorted(sys.modules), out)
"""


def environment() -> dict[str, str]:
    variables = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
    return variables | {"DAILYPAPERS_DELAY": "0"}


def loaded(tmp_path: Path, *arguments: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``dailypapers ARGUMENTS`` in a fresh interpreter: its result, and the modules it had loaded."""
    report = tmp_path / "modules.json"
    report.unlink(missing_ok=True)
    command = [sys.executable, "-c", PROBE, str(report), *arguments]
    result = subprocess.run(command, capture_output=True, text=True, env=environment(), timeout=120, check=False)
    return result, set(json.loads(report.read_text(encoding="utf-8")))


def roots(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example config, its archive filled by one run replayed from ``examples/replay`` (no network)."""
    folder = tmp_path_factory.mktemp("example")
    shutil.copy(EXAMPLE / "dailypapers.toml", folder / "dailypapers.toml")
    config = folder / "dailypapers.toml"
    command = [sys.executable, "-m", "dailypapers", "run", "--config", str(config), "--replay", str(EXAMPLE / "replay")]
    done = subprocess.run(command, capture_output=True, text=True, env=environment(), timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return config


def test_search_json_loads_no_network_rendering_or_terminal_library(example: Path, tmp_path: Path) -> None:
    result, modules = loaded(tmp_path, "search", "--config", str(example), "--json", "abs:performance")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 20  # it did search: the newest 20 of the example's papers
    assert roots(modules) & {*NETWORK_AND_RENDERING, "rich"} == set()
    assert not {"dailypapers.http", "dailypapers.render", "dailypapers.deliver", "dailypapers.ui.rich"} & modules
    assert not any(name.startswith(("dailypapers.arxiv.atom", "dailypapers.pipeline.daily")) for name in modules)


def test_search_draws_its_table_without_the_network_or_rendering(example: Path, tmp_path: Path) -> None:
    result, modules = loaded(tmp_path, "search", "--config", str(example), "ti:compiler")
    assert result.returncode == 0, result.stderr
    assert "papers for ti:compiler" in result.stdout or "paper for ti:compiler" in result.stdout
    assert "rich.table" in modules  # the table is drawn with rich, loaded for it alone
    assert roots(modules) & set(NETWORK_AND_RENDERING) == set()
    assert "rich.progress" not in modules


@pytest.mark.parametrize("arguments", [("--help",), ("--version",), ("run", "--help"), ("backfill", "--help")])
def test_help_and_version_load_neither_the_config_nor_any_stage(tmp_path: Path, arguments: tuple[str, ...]) -> None:
    result, modules = loaded(tmp_path, *arguments)
    assert result.returncode == 0, result.stderr
    assert roots(modules) & {*NETWORK_AND_RENDERING, "rich", "regex", "sqlite3", "tomllib"} == set()
    stages = {"config", "query", "store", "match", "arxiv", "render", "deliver", "http", "redact"}
    assert {name.split(".")[1] for name in modules if name.startswith("dailypapers.")} & stages == set()


def test_a_search_that_fails_early_still_says_why(tmp_path: Path) -> None:
    """Loading late changes no message: a config that does not exist is still one line and exit 2."""
    result, modules = loaded(tmp_path, "search", "--config", str(tmp_path / "missing.toml"), "ti:x")
    assert result.returncode == 2
    assert result.stderr.startswith("dailypapers: error: ") and "missing.toml" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert roots(modules) & set(NETWORK_AND_RENDERING) == set()


def test_the_default_config_name_is_the_config_packages() -> None:
    """cli.py names the default config itself, so that ``--help`` need not load the config package."""
    assert cli.DEFAULT_CONFIG == DEFAULT_CONFIG


def test_stars_json_loads_no_network_xml_or_terminal_library(example: Path, tmp_path: Path) -> None:
    """Exporting the stars for Zotero reads the database and renders CSL-JSON, nothing more."""
    search = ["search", "--config", str(example), "--json", "--limit", "2", "cat:cs.DC"]
    listed = subprocess.run(
        [sys.executable, "-m", "dailypapers", *search], capture_output=True, text=True, env=environment(), timeout=120
    )
    ids = [json.loads(line)["id"] for line in listed.stdout.splitlines()]
    star = [sys.executable, "-m", "dailypapers", "star", "--config", str(example), *ids]
    assert subprocess.run(star, capture_output=True, text=True, env=environment(), timeout=120).returncode == 0
    result, modules = loaded(tmp_path, "stars", "--config", str(example), "--json")
    assert result.returncode == 0, result.stderr
    assert sorted(item["number"] for item in json.loads(result.stdout)) == sorted(ids)
    assert roots(modules) & {"httpx", "h11", "lxml", "markdown_it", "smtplib", "rich"} == set()
    assert not {"dailypapers.http", "dailypapers.deliver", "dailypapers.arxiv.atom", "dailypapers.pipeline.daily"} & (
        modules
    )


def test_a_daily_run_with_nothing_to_rank_loads_no_model_library(tmp_path: Path) -> None:
    """The ranking's libraries (scikit-learn, SciPy, NumPy: about a second to import) load only for a run with a
    star, a library or `[ranking] authors` to learn from; the example has none."""
    config = tmp_path / "dailypapers.toml"
    shutil.copy(EXAMPLE / "dailypapers.toml", config)
    result, modules = loaded(tmp_path, "run", "--config", str(config), "--replay", str(EXAMPLE / "replay"))
    assert result.returncode == 0, result.stderr
    assert roots(modules) & {"sklearn", "scipy", "numpy"} == set()
    assert not any(name.startswith(("dailypapers.rank", "dailypapers.pipeline.rank")) for name in modules)
