"""A command that only reads the database never creates one: not the file, not its lock, not its folder.

``render`` on a new config used to leave an empty database (and the folder the config names for it) and then
say that the database held no run. It now says there is no database yet and which command makes one, with
exit status 1: the config is fine (that would be 2), the archive is simply not there yet.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from dailypapers.cli import cli

MINIMAL = '[[topics]]\nname = "compiler"\n'


@pytest.mark.parametrize("database", [None, "dailypapers.db", "data/papers.db", "a/b/c/archive.sqlite"])
@pytest.mark.parametrize("command", [["render"], ["search", "ti:compiler"], ["search", "--json", "cat:cs.DC"]])
def test_a_read_only_command_on_a_new_config_creates_nothing(
    tmp_path: Path, command: list[str], database: str | None
) -> None:
    path = tmp_path / "dailypapers.toml"
    path.write_text((f'database = "{database}"\n' if database else "") + MINIMAL, encoding="utf-8")
    result = CliRunner().invoke(cli, [command[0], "--config", str(path), *command[1:]], env={"DAILYPAPERS_DELAY": "0"})
    where = tmp_path / (database or "dailypapers.db")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert (
        result.stderr == f"dailypapers: error: {where}: no database yet; `dailypapers run` (or `backfill`) creates it\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dailypapers.toml"]


def test_debug_adds_the_traceback_only_on_request(tmp_path: Path) -> None:
    path = tmp_path / "dailypapers.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    plain = CliRunner().invoke(cli, ["render", "--config", str(path)])
    debug = CliRunner().invoke(cli, ["--debug", "render", "--config", str(path)])
    assert "Traceback" not in plain.stderr and "Traceback" in debug.stderr
    assert plain.exit_code == debug.exit_code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dailypapers.toml"]
