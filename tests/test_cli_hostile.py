"""Every command against hostile configs and environments: one line and an exit status, never a traceback.

Each case once reached a user as a Python traceback (or a multi-line dump); the parametrised lists below keep
them fixed. A fuzz test then builds random TOML documents from the config's real keys and checks the promise for
all of them: exit 0, 1, 2 or 75, no traceback, and nothing created by a failing ``render`` or ``search``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clock_world import api_world, feed_world, morning, publish
from dailypapers.cli import cli
from dailypapers.config import ARXIV_KEYS, OUTPUTS_KEYS, SCOPE_KEYS, TOP_KEYS, TOPIC_KEYS
from dailypapers.config.delivery import EMAIL_KEYS, GITHUB_KEYS, WEBHOOK_KEYS

CLOSED = "http://127.0.0.1:9/"  # the discard port: nothing listens, so a run that gets that far fails at once
ENV = {
    "DAILYPAPERS_DELAY": "0",
    "DAILYPAPERS_NOW": "2026-05-16T06:00:00+00:00",
    "DAILYPAPERS_API_URL": CLOSED,
    "DAILYPAPERS_RSS_URL": CLOSED,
    "DAILYPAPERS_OAI_URL": CLOSED,
}
BASE = """title = "Hostile"
[[topics]]
name = "Compilers"
query = "ti:compiler"
[outputs]
markdown = "out.md"
issue = false
[arxiv]
max_attempts = 1
"""
COMMANDS = {
    "run": ["run"],
    "render": ["render"],
    "search": ["search", "ti:compiler"],
    "backfill": ["backfill", "--from", "2026-05-01", "--category", "cs.DC"],
}


def invoke(config: Path, command: str, env: dict[str, str] | None = None, *, debug: bool = False) -> Result:
    args = [*(["--debug"] if debug else []), *COMMANDS[command][:1], "--config", str(config), *COMMANDS[command][1:]]
    return CliRunner().invoke(cli, args, env={**ENV, **(env or {})})


def assert_one_line(result: Result) -> None:
    """Exit 1 or 2 with one ``dailypapers: error:`` line, no traceback, no exception escaping to the runner."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (1, 2), (result.exit_code, result.output)
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("dailypapers: error:")]
    assert len(errors) == 1, result.stderr


def write(folder: Path, text: str | bytes) -> Path:
    config = folder / "dailypapers.toml"
    if isinstance(text, bytes):
        config.write_bytes(text)
    else:
        config.write_text(text, encoding="utf-8")
    return config


def with_top(key: str, value: str) -> str:
    """``BASE`` with one more top-level string key."""
    return f"{key} = {value!r}\n{BASE}"


HOSTILE_TEXT = {
    "inline tables nested 2000 deep": "a = " + "{b = " * 2000 + "1" + "}" * 2000 + "\n",
    "arrays nested 5000 deep": "a = " + "[" * 5000 + "]" * 5000 + "\n",
    "a database name longer than any file system allows": with_top("database", "x" * 5000),
    "a database path with a component too long": with_top("database", "y" * 300 + "/db.sqlite"),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("case", sorted(HOSTILE_TEXT))
def test_a_hostile_config_is_one_line(tmp_path: Path, case: str, command: str) -> None:
    result = invoke(write(tmp_path, HOSTILE_TEXT[case]), command)
    assert_one_line(result)


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\xff\xfe\x80", "title = 'é'\n".encode("latin-1"), BASE.encode("utf-16"), b"[[["],
    ids=["empty", "binary", "latin-1", "utf-16", "invalid"],
)
def test_an_unreadable_config_is_one_line(tmp_path: Path, content: bytes, command: str) -> None:
    assert_one_line(invoke(write(tmp_path, content), command))


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_config_that_is_a_folder_is_a_usage_error(tmp_path: Path, command: str) -> None:
    (tmp_path / "dailypapers.toml").mkdir()
    result = invoke(tmp_path / "dailypapers.toml", command)
    assert result.exit_code == 2
    assert "is a directory" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["run", "backfill"])
@pytest.mark.parametrize(
    "now",
    [
        "garbage",
        "2026-13-01",
        "0001-01-01T00:00:00+14:00",  # before year 1 in UTC: converting it overflows
        "9999-12-31T23:59:59-14:00",  # after year 9999 in UTC
        "9999-12-31T23:59:59+00:00",  # one day of slack past it overflows
        "0001-01-01T00:00:00",
        "1066-10-14T09:00:00Z",
    ],
)
def test_an_absurd_fixed_clock_is_one_line_naming_the_variable(tmp_path: Path, now: str, command: str) -> None:
    result = invoke(write(tmp_path, BASE), command, {"DAILYPAPERS_NOW": now})
    assert_one_line(result)
    assert "DAILYPAPERS_NOW" in result.stderr


@pytest.mark.parametrize("command", ["run", "backfill"])
@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DAILYPAPERS_DELAY", "nan"),
        ("DAILYPAPERS_DELAY", "1e999"),
        ("DAILYPAPERS_DELAY", "-1"),
        ("DAILYPAPERS_DELAY", "0x10"),
        ("DAILYPAPERS_API_URL", "ftp://example.org"),
        ("DAILYPAPERS_API_URL", "http://[::1"),
        ("DAILYPAPERS_API_URL", "http://example.org:99999/"),
        ("DAILYPAPERS_OAI_URL", "javascript:alert(1)"),
        ("DAILYPAPERS_RSS_URL", "http://é.example/"),
    ],
)
def test_a_bad_environment_override_is_one_line(tmp_path: Path, variable: str, value: str, command: str) -> None:
    result = invoke(write(tmp_path, BASE), command, {variable: value})
    assert_one_line(result)
    assert variable in result.stderr


def test_debug_still_shows_the_traceback_of_an_error(tmp_path: Path) -> None:
    result = invoke(write(tmp_path, with_top("database", "x" * 5000)), "run", debug=True)
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "the name is too long for the file system" in result.stderr.splitlines()[-1]


def test_the_installed_command_says_one_line_for_a_deeply_nested_config(tmp_path: Path) -> None:
    """The real entry point, in its own process: the last resort and the TOML depth check hold there too."""
    config = write(tmp_path, "a = " + "[" * 5000 + "]" * 5000 + "\n")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
    done = subprocess.run(
        [sys.executable, "-m", "dailypapers", "run", "--config", str(config)],
        capture_output=True,
        text=True,
        env={**environment, **ENV},
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        f"dailypapers: error: {config}: not valid TOML here: arrays or tables nested too deeply"
    ]


# --- fuzzing: random documents from the real keys ----------------------------------------------------------

_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
_SCALARS: st.SearchStrategy[Any] = st.one_of(
    _TEXT,
    st.sampled_from(["", " ", "ti:compiler", "cat:cs.DC", "cat:CS.dc", "x and", "and", "计算机", "🚀", "\u202e"]),
    st.sampled_from(["http://127.0.0.1:9/", "ftp://x", "a@b.org", "Europe/Berlin", "slack", "json", "starttls"]),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.times(),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
)
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3), max_leaves=6)
_TABLES = {
    "scope": SCOPE_KEYS,
    "outputs": OUTPUTS_KEYS,
    "arxiv": ARXIV_KEYS,
    "email": EMAIL_KEYS,
    "github": GITHUB_KEYS,
}
# The keys the loader itself accepts, so that a key added to the config is fuzzed too.
_KEYS: dict[str, tuple[str, ...]] = {
    "": tuple(key for key in TOP_KEYS if key not in {*_TABLES, "topics", "webhooks"}),
    **_TABLES,
}


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(value), repr(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    escaped = "".join(ch if ch.isprintable() and ch not in '"\\' else f"\\U{ord(ch):08x}" for ch in value)
    return f'"{escaped}"'


@st.composite
def configs(draw: st.DrawFn) -> str:
    """A TOML document: each table of the config with a random subset of its keys, random values."""
    lines: list[str] = []
    for table, keys in _KEYS.items():
        chosen = draw(st.lists(st.sampled_from(keys), unique=True, max_size=3))
        if table == "arxiv" or (table and (chosen or draw(st.booleans()))):
            lines.append(f"[{table}]")
        lines += [f"{key} = {_toml(draw(_VALUES))}" for key in chosen]
        if table == "arxiv":  # one quick attempt at the closed port when the config gets that far
            lines += [f"{key} = {value}" for key, value in (("max_attempts", 1), ("max_wait", 0)) if key not in chosen]
    if draw(st.booleans()):  # half the documents have a valid topic, so the checks after the topics run too
        lines += ["[[topics]]", 'name = "Compilers"']
    for header, keys in (("[[topics]]", TOPIC_KEYS), ("[[webhooks]]", WEBHOOK_KEYS)):
        for _ in range(draw(st.integers(0, 2))):
            lines.append(header)
            lines += [f"{key} = {_toml(draw(_VALUES))}" for key in draw(st.lists(st.sampled_from(keys), unique=True))]
    return "\n".join(lines) + "\n"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=configs(), command=st.sampled_from(["render", "search", "run"]))
def test_a_random_config_never_makes_a_traceback(
    tmp_path_factory: pytest.TempPathFactory, text: str, command: str
) -> None:
    tomllib.loads(text)  # the generator writes valid TOML: what is tested is the config's checks
    folder = tmp_path_factory.mktemp("fuzz")
    config = write(folder, text)
    result = invoke(config, command)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1, 2, 75), result.output
    assert "Traceback" not in result.output
    if command != "run" and result.exit_code != 0:
        assert sorted(path.name for path in folder.iterdir()) == ["dailypapers.toml"], "a failing command made files"


# --- secrets pasted where their variable's name belongs ----------------------------------------------------

_EMAIL = '[email]\nsmtp_host = "localhost"\nsender = "a@example.org"\nrecipients = [{address = "b@example.org"}]\n'
SECRET = "hunter2-Xq9!/tok"


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
@pytest.mark.parametrize(
    "table",
    [
        '[[webhooks]]\nkind = "slack"\nurl_env = "https://hooks.example.org/services/T0/B0/{s}"\n',
        '[[webhooks]]\nkind = "json"\nurl_env = ["{s}"]\n',
        _EMAIL + 'username_env = "ada"\npassword_env = "{s}"\n',
        _EMAIL + 'username_env = "{s} "\npassword_env = "P"\n',
        _EMAIL + 'username_env = "U"\npassword_env = {{value = "{s}"}}\n',
    ],
    ids=["url as url_env", "url_env a list", "password as password_env", "login with a space", "a table"],
)
def test_a_secret_written_where_its_variable_name_belongs_is_never_shown(
    tmp_path: Path, table: str, debug: bool
) -> None:
    config = write(tmp_path, BASE + table.replace("{s}", SECRET).replace("{{", "{").replace("}}", "}"))
    for command in ("render", "run", "search"):
        result = invoke(config, command, debug=debug)
        assert result.exit_code == 2, result.output
        assert "environment variable" in result.stderr
        assert "hunter2" not in result.output
        assert "Xq9" not in result.output


# --- init into places it cannot write ------------------------------------------------------------------------


def _under_a_file(tmp_path: Path) -> tuple[Path, bool]:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    return tmp_path / "file" / "sub", False


def _config_is_a_folder(tmp_path: Path) -> tuple[Path, bool]:
    (tmp_path / "w" / "dailypapers.toml").mkdir(parents=True)
    return tmp_path / "w", True


def _name_too_long(tmp_path: Path) -> tuple[Path, bool]:
    return tmp_path / ("z" * 300), False


def _workflow_is_a_folder(tmp_path: Path) -> tuple[Path, bool]:
    (tmp_path / "w" / ".github" / "workflows" / "dailypapers.yml").mkdir(parents=True)
    return tmp_path / "w", True


@pytest.mark.parametrize("where", [_under_a_file, _config_is_a_folder, _name_too_long, _workflow_is_a_folder])
def test_init_where_it_cannot_write_is_one_line_naming_the_path(tmp_path: Path, where: Any) -> None:
    directory, force = where(tmp_path)
    result = CliRunner().invoke(cli, ["init", str(directory), *(["--force"] if force else [])])
    assert_one_line(result)
    assert result.exit_code == 1
    assert "cannot write" in result.stderr
    assert str(directory)[:40] in result.stderr
    assert not list(tmp_path.rglob("*.tmp")), "no temporary file is left behind"
    assert not [path for path in tmp_path.rglob("*") if path.is_file() and path.name != "file"], "nothing written"


# --- absurd values planted in the database -------------------------------------------------------------------

# What a run derives from upstream (the watermark, covered days): ignored and repaired, the next papers arrive.
HARMLESS = {
    "watermark an integer": "UPDATE state SET value = 12345 WHERE key = 'api_watermark'",
    "watermark a blob": "UPDATE state SET value = x'00ff' WHERE key = 'api_watermark'",
    "watermark a huge real": "UPDATE state SET value = 1e308 WHERE key = 'api_watermark'",
    "watermark in year 9999": "UPDATE state SET value = '9999-12-31T23:59:59+00:00' WHERE key = 'api_watermark'",
    "watermark before year 1 in UTC": (
        "UPDATE state SET value = '0001-01-01T00:00:00-14:00' WHERE key = 'api_watermark'"
    ),
    "watermark with a NUL": "UPDATE state SET value = '2026-01-01' || char(0) WHERE key = 'api_watermark'",
    "a covered day an integer": "UPDATE announcements SET day = 20260515",
    "a covered day a blob": "UPDATE announcements SET day = x'ff'",
    "a covered day in year 9999": "UPDATE announcements SET day = '9999-12-31'",
}
# Rows changed by hand: one line that says so, never a traceback.
CORRUPT = {
    "a run started at garbage": "UPDATE runs SET started = 'garbage', finished = 'x'",
    "a run started at an integer": "UPDATE runs SET started = 5, finished = NULL",
    "a run in year 9999": "UPDATE runs SET started = '9999-12-31T23:59:59-14:00'",
    "a version updated at garbage": "UPDATE versions SET updated = 'garbage', published = '9999-99-99'",
    "a version past year 9999 in UTC": "UPDATE versions SET updated = '9999-12-31T23:59:59-14:00'",
    "a version updated at an integer": "UPDATE versions SET updated = 7",
}


def _planted_world(tmp_path: Path, statement: str) -> tuple[Any, Any]:
    world = feed_world(tmp_path) if "announcements" in statement else api_world(tmp_path)
    first, second = date(2026, 5, 18), date(2026, 5, 19)
    publish(world, first, "2605.1")
    world.run(morning(first))
    world.sql(statement)
    later = publish(world, second, "2605.2")
    world.clock = morning(second)
    return world, later


@pytest.mark.parametrize("case", sorted(HARMLESS))
def test_an_absurd_stored_state_is_ignored_and_the_next_papers_arrive(tmp_path: Path, case: str) -> None:
    world, later = _planted_world(tmp_path, HARMLESS[case])
    with world:
        env = {
            "DAILYPAPERS_NOW": world.clock.isoformat(),
            "DAILYPAPERS_API_URL": world.server.url,
            "DAILYPAPERS_RSS_URL": world.server.base,
        }
        ran = CliRunner().invoke(cli, ["run", "--config", str(world.config_path)], env={**ENV, **env})
        assert ran.exit_code == 0, ran.output
        assert "Traceback" not in ran.output
        assert {p.versioned_id for p in later if "ompiler" in p.title} <= world.notification()
        for command in ("render", "search"):
            assert invoke(world.config_path, command, env).exit_code == 0


@pytest.mark.parametrize("command", ["run", "render", "search"])
@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_a_corrupt_stored_time_is_one_line_saying_so(tmp_path: Path, case: str, command: str) -> None:
    world, _ = _planted_world(tmp_path, CORRUPT[case])
    with world:
        env = {
            "DAILYPAPERS_NOW": world.clock.isoformat(),
            "DAILYPAPERS_API_URL": world.server.url,
            "DAILYPAPERS_RSS_URL": world.server.base,
        }
        result = invoke(world.config_path, command, env)
    if result.exit_code == 0:  # a command that never reads the changed row has nothing to say about it
        assert "Traceback" not in result.output
        return
    assert_one_line(result)
    assert "the database holds a time that cannot be read" in result.stderr
    assert "internal error" not in result.stderr


@pytest.mark.parametrize("debug", [False, True])
def test_an_error_nothing_foresaw_is_one_line_and_a_traceback_only_with_debug(tmp_path: Path, debug: bool) -> None:
    """The last resort: a row changed by hand in a way no check reads (a version that is not a number)."""
    world, _ = _planted_world(tmp_path, "UPDATE matches SET version = 'x'")
    with world:
        result = invoke(world.config_path, "render", {"DAILYPAPERS_NOW": world.clock.isoformat()}, debug=debug)
    assert result.exit_code == 1
    last = result.stderr.splitlines()[-1]
    assert last.startswith("dailypapers: error: internal error: ") and "--debug" in last
    assert ("Traceback (most recent call last)" in result.stderr) == debug
    if not debug:
        assert_one_line(result)


# --- warnings and query errors pass the redactor too --------------------------------------------------------

TOKEN = "Zt7kQw9xLm2Rb5Vn"
HOOK = f"https://hooks.example.org/services/T0/B0/{TOKEN}"
_HOOKED = '[[webhooks]]\nkind = "slack"\nurl_env = "DAILYPAPERS_HOOK"\n'


def test_a_query_warning_quoting_a_secret_is_redacted(tmp_path: Path) -> None:
    text = BASE.replace('query = "ti:compiler"', f'query = "ti:{TOKEN} and abs:gpu"') + _HOOKED
    result = invoke(write(tmp_path, text), "render", {"DAILYPAPERS_HOOK": HOOK})
    assert "warning" in result.stderr
    assert TOKEN not in result.output


@pytest.mark.parametrize("query", [f"ti:{TOKEN} AND (", f'abs:"{TOKEN}', f"{TOKEN} and gpu"])
def test_a_search_query_quoting_a_secret_is_redacted_in_its_error_or_warning(tmp_path: Path, query: str) -> None:
    config = write(tmp_path, BASE + _HOOKED)
    result = CliRunner().invoke(cli, ["search", "--config", str(config), query], env={**ENV, "DAILYPAPERS_HOOK": HOOK})
    assert result.stderr.startswith("dailypapers: "), result.stderr
    assert TOKEN not in result.output


def test_run_json_reports_a_failure_before_the_run_as_its_failure_object(tmp_path: Path) -> None:
    config = write(tmp_path, with_top("database", "x" * 5000))
    result = CliRunner().invoke(cli, ["run", "--json", "--config", str(config)], env=ENV)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    failure = json.loads(result.stdout)
    assert failure["outcome"] == "failed"
    assert "the name is too long for the file system" in failure["message"]


# --- a replay folder that is damaged or not one -------------------------------------------------------------

REPLAYS: dict[str, dict[str, str | bytes | None]] = {
    "answer not JSON": {"answer-0001.json": "{not json"},
    "answer a list": {"answer-0001.json": "[1, 2]"},
    "answer without a key": {"answer-0001.json": '{"url": "u", "status": 200, "headers": {}, "body": ""}'},
    "body not base64": {
        "answer-0001.json": '{"key": "k", "url": "u", "status": 200, "headers": {}, "body": "@@not base64@@"}'
    },
    "status not a number": {"answer-0001.json": '{"key": "k", "url": "u", "status": "ok", "headers": {}, "body": ""}'},
    "answer not UTF-8": {"answer-0001.json": b"\xff\xfe\x00"},
    "recording a list": {"recording.json": "[]"},
    "recording's time a number": {"recording.json": '{"now": 5}'},
    "recording's time garbage": {"recording.json": '{"now": "yesterday"}'},
    "answer a folder": {"answer-0001.json": None},
}


@pytest.mark.parametrize("case", sorted(REPLAYS))
def test_a_damaged_replay_folder_is_one_line_naming_the_file(tmp_path: Path, case: str) -> None:
    folder = tmp_path / "replay"
    folder.mkdir()
    for name, content in REPLAYS[case].items():
        if content is None:
            (folder / name).mkdir()
        elif isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            (folder / name).write_text(content, encoding="utf-8")
    config = write(tmp_path, BASE)
    env = {key: value for key, value in ENV.items() if key != "DAILYPAPERS_NOW"}
    result = CliRunner().invoke(cli, ["run", "--config", str(config), "--replay", str(folder)], env=env)
    assert_one_line(result)
    assert "internal error" not in result.stderr
    assert "replay" in result.stderr or "recording.json" in result.stderr


# --- a config that is no regular file, or far too large -----------------------------------------------------


def _fifo(tmp_path: Path) -> Path:
    os.mkfifo(tmp_path / "fifo.toml")  # nobody writes: reading it would wait for ever
    return tmp_path / "fifo.toml"


def _endless(tmp_path: Path) -> Path:
    return Path("/dev/zero")


def _huge(tmp_path: Path) -> Path:
    return write(tmp_path, BASE + "#" * (2 << 20) + "\n")


def _loop(tmp_path: Path) -> Path:
    (tmp_path / "dailypapers.toml").symlink_to(tmp_path / "dailypapers.toml")
    return tmp_path / "dailypapers.toml"


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("make", [_fifo, _endless, _huge, _loop])
def test_a_config_that_cannot_be_a_config_is_one_line_at_once(tmp_path: Path, make: Any, command: str) -> None:
    config = make(tmp_path)
    assert_one_line(invoke(config, command))


def test_a_config_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    """Windows' Notepad starts a UTF-8 file with U+FEFF; TOML would call that an invalid statement at 1:1."""
    config = write(tmp_path, "\ufeff" + BASE)
    result = invoke(config, "render")
    assert result.exit_code == 1, result.output
    assert "no database yet" in result.stderr, "the config was read: the missing database is the next problem"
