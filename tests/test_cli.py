"""The real command, run as a user runs it: exit statuses, one-line errors, JSON, init, render, replay."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from arxiv_server import ArxivServer, load_seed_papers
from feed_server import mount_feeds

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-05-16T06:00:00+00:00"


def dailypapers(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
    environment.update({"DAILYPAPERS_DELAY": "0", "DAILYPAPERS_NOW": NOW, **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "dailypapers", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=120,
    )


def init_config(folder: Path, server: ArxivServer) -> Path:
    result = dailypapers("init", str(folder))
    assert result.returncode == 0, result.stderr
    config = folder / "dailypapers.toml"
    mount_feeds(server)
    urls = f'api_url = "{server.url}"\nrss_url = "{server.base}"'
    text = config.read_text(encoding="utf-8").replace("# delay = 3", urls)
    config.write_text(text, encoding="utf-8")
    return config


def test_init_writes_a_commented_config_and_refuses_to_overwrite_it(tmp_path: Path) -> None:
    result = dailypapers("init", str(tmp_path))
    assert result.returncode == 0
    text = (tmp_path / "dailypapers.toml").read_text(encoding="utf-8")
    assert text.count("\n#") > 10
    again = dailypapers("init", str(tmp_path))
    assert again.returncode == 2
    assert "dailypapers.toml" in again.stderr and "use --force to overwrite" in again.stderr


def test_run_writes_the_page_and_prints_a_summary(tmp_path: Path) -> None:
    with ArxivServer(load_seed_papers()) as server:
        config = init_config(tmp_path, server)
        result = dailypapers("run", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("new: ")
    assert "arXiv returned 1 entries for 'reinforcement learning'; 1 match the topic" in result.stderr
    assert (tmp_path / "README.md").read_text(encoding="utf-8").startswith("# Daily Papers\n")
    assert (tmp_path / ".github" / "ISSUE_TEMPLATE.md").exists()


def test_run_json_summarises_the_run(tmp_path: Path) -> None:
    # The server's clock is the run's: a feed dated by the wall clock would be months ahead of the run.
    with ArxivServer(load_seed_papers(), now=lambda: datetime.fromisoformat(NOW)) as server:
        config = init_config(tmp_path, server)
        first = json.loads(dailypapers("run", "--json", "--config", str(config)).stdout)
        second = dailypapers("run", "--json", "--config", str(config))
    assert first["outcome"] == "new"
    assert first["requests"] == 4  # the announcement feed (a Saturday: empty) and one search per topic
    assert first["new"] == {"compiler": 6, "performance": 37, "reinforcement learning": 1}
    assert first["day"] == "2026-05-16"
    assert second.returncode == 0
    assert json.loads(second.stdout)["outcome"] == "no-announcement"


def test_a_source_that_fails_exits_1_with_one_line(tmp_path: Path) -> None:
    with ArxivServer(load_seed_papers()) as server:
        config = init_config(tmp_path, server)
        server.unavailable(times=None)
        result = dailypapers("run", "--config", str(config))
        url = server.base + "/rss/cs.DC"
    assert result.returncode == 1
    assert (
        result.stderr.splitlines()[-1] == f"dailypapers: error: {url}: HTTP 503 (Service Unavailable) after 4 attempts"
    )
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "README.md").exists()


def test_a_wrong_config_key_exits_2_naming_the_key_and_the_file(tmp_path: Path) -> None:
    config = tmp_path / "dailypapers.toml"
    config.write_text('[[topics]]\nname = "compiler"\nquerry = "ti:compiler"\n', encoding="utf-8")
    result = dailypapers("run", "--config", str(config))
    assert result.returncode == 2
    assert f"{config.resolve()}: topics[0].querry: unknown key" in result.stderr
    assert not (tmp_path / "dailypapers.db").exists()


def test_a_malformed_query_exits_2_showing_the_position(tmp_path: Path) -> None:
    config = tmp_path / "dailypapers.toml"
    config.write_text('[[topics]]\nname = "gnn"\nquery = "ti:graph AND"\n', encoding="utf-8")
    result = dailypapers("run", "--config", str(config))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert "topics[0].query: topic 'gnn': expected a term after 'AND'" in lines[0]
    assert lines[1:] == ["  ti:graph AND", "           ^^^"]


def test_render_rewrites_outputs_without_network(tmp_path: Path) -> None:
    with ArxivServer(load_seed_papers()) as server:
        config = init_config(tmp_path, server)
        assert dailypapers("run", "--config", str(config)).returncode == 0
    page = (tmp_path / "README.md").read_bytes()
    (tmp_path / "README.md").unlink()
    result = dailypapers("render", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "README.md").read_bytes() == page


def test_render_without_a_run_says_what_to_do(tmp_path: Path) -> None:
    config = tmp_path / "dailypapers.toml"
    config.write_text('[[topics]]\nname = "compiler"\n', encoding="utf-8")
    result = dailypapers("render", "--config", str(config))
    assert result.returncode == 1
    assert "no database yet; `dailypapers run` (or `backfill`) creates it" in result.stderr


def test_the_quick_start_example_runs_offline_from_its_replay(tmp_path: Path) -> None:
    """The README's first command: the example config, answered by the shipped recording."""
    example = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", example, ignore=shutil.ignore_patterns("output"))
    env = {
        "DAILYPAPERS_API_URL": "http://127.0.0.1:9/api/query",
        "DAILYPAPERS_RSS_URL": "http://127.0.0.1:9",
        "DAILYPAPERS_NOW": "",
    }
    args = ("run", "--config", str(example / "dailypapers.toml"), "--replay", str(example / "replay"))
    first = dailypapers(*args, env=env)
    assert first.returncode == 0, first.stderr
    page = (example / "output" / "README.md").read_text(encoding="utf-8")
    assert "Last update: 2026-05-15\n" in page
    assert "arXiv announcement of Fri 15 May 2026: 3 new, 7 replacements." in page
    assert re.search(r"## compiler\n\| \*\*Title\*\*", page)
    second = dailypapers(*args, env=env)
    assert second.returncode == 0, second.stderr
    assert (example / "output" / "README.md").read_text(encoding="utf-8") == page
    notification = (example / "output" / "ISSUE_TEMPLATE.md").read_text(encoding="utf-8")
    assert notification == "No new papers since the last run (2026-05-15).\n"


@pytest.mark.parametrize("command", ["init", "run", "render", "backfill", "search"])
def test_every_command_is_documented_in_the_readme(command: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"dailypapers {command}" in readme
    help_text = dailypapers(command, "--help").stdout
    for option in re.findall(r"(--[a-z-]+)", help_text):
        if option != "--help":
            assert option in readme, f"{command} {option} is not in the README"
