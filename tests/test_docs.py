"""The README's references against the code: every command and option the CLI has, every config key the loader
accepts and every ``DAILYPAPERS_*`` variable the package reads is named there, so the reference cannot fall
behind the code unnoticed. The commands come from the real click tree, the keys from the tuples the loader
checks tables against, the variables from the package's source; each is its own test, so a failure names
exactly what the README lacks."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

import dailypapers
from dailypapers import config
from dailypapers.cli import cli
from dailypapers.config import ARXIV_KEYS, OUTPUTS_KEYS, SCOPE_KEYS, TOP_KEYS, TOPIC_KEYS
from dailypapers.config import arxiv as config_arxiv
from dailypapers.config import delivery as config_delivery
from dailypapers.config import summaries as config_summaries
from dailypapers.config.delivery import EMAIL_KEYS, GITHUB_KEYS, RECIPIENT_KEYS, WEBHOOK_KEYS
from dailypapers.config.summaries import SUMMARIES_KEYS

README = Path(__file__).resolve().parent.parent / "README.md"
PACKAGE = Path(dailypapers.__file__).resolve().parent
_CODE = re.compile(r"`([^`\n]+)`")

# Each table of the config by its path, as the README's rows write it: ``[email] sender``, ``[[email.recipients]]``.
TABLES: dict[str, tuple[str, ...]] = {
    "": TOP_KEYS,
    "scope": SCOPE_KEYS,
    "outputs": OUTPUTS_KEYS,
    "topics": TOPIC_KEYS,
    "arxiv": ARXIV_KEYS,
    "email": EMAIL_KEYS,
    "email.recipients": RECIPIENT_KEYS,
    "webhooks": WEBHOOK_KEYS,
    "github": GITHUB_KEYS,
    "summaries": SUMMARIES_KEYS,
}


def section(text: str, title: str) -> str:
    """The text under ``## title`` up to the next heading of the same level."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    if match is None:
        pytest.fail(f"README.md has no '## {title}' section")
    return match.group(1)


def _readme_section(title: str) -> str:
    return section(README.read_text(encoding="utf-8"), title)


# --- the CLI reference ---------------------------------------------------------------------------------------


def command_blocks(reference: str) -> dict[tuple[str, ...], str]:
    """The reference's text per command: a top-level bullet opening with ``dailypapers COMMAND …`` (with its
    nested lines) belongs to that command; the rest (the lines before the list, the exit statuses) to the
    group itself, ``()``, where the options every command shares are described."""
    blocks: dict[tuple[str, ...], str] = {(): ""}
    current: tuple[str, ...] = ()
    for line in reference.splitlines(keepends=True):
        if line.startswith("- "):
            spans = _CODE.findall(line)
            current = _command_words(spans[0]) if spans else ()
        elif line.strip() and not line[0].isspace():
            current = ()
        blocks[current] = blocks.get(current, "") + line
    return blocks


def _command_words(span: str) -> tuple[str, ...]:
    """``dailypapers backfill --from DATE`` → ``("backfill",)``: the words up to the first option or argument."""
    program, *rest = span.split()
    if program != "dailypapers":
        return ()
    words: list[str] = []
    for word in rest:
        if not re.fullmatch(r"[a-z][a-z0-9-]*", word):
            break
        words.append(word)
    return tuple(words)


def names_option(block: str, flag: str) -> bool:
    """Whether ``flag`` is written in code in ``block`` as itself (``--set`` is not named by ``--settings``)."""
    code = "\n".join(_CODE.findall(block))
    return re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", code) is not None


def _commands(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            if not sub.hidden:
                yield from _commands(sub, (*path, name))


def _options(path: tuple[str, ...], command: click.Command) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every flag of every visible option. ``-h``/``--help`` is the same for every command, so it is
    expected once, with the group's options."""
    options = [param for param in command.params if isinstance(param, click.Option) and not param.hidden]
    help_option = command.get_help_option(click.Context(command, **command.context_settings)) if not path else None
    if help_option is not None:
        options.append(help_option)
    for option in options:
        for flag in (*option.opts, *option.secondary_opts):
            yield path, flag


COMMANDS = [path for path, _ in _commands(cli) if path]
OPTIONS = [option for path, command in _commands(cli) for option in _options(path, command)]


def _label(path: tuple[str, ...]) -> str:
    return " ".join(("dailypapers", *path))


@pytest.mark.parametrize("path", COMMANDS, ids=_label)
def test_the_cli_reference_describes_every_command(path: tuple[str, ...]) -> None:
    blocks = command_blocks(_readme_section("CLI reference"))
    assert path in blocks, f"the CLI reference has no bullet opening with `{_label(path)} …`"


@pytest.mark.parametrize(("path", "flag"), OPTIONS, ids=[f"{_label(path)} {flag}" for path, flag in OPTIONS])
def test_the_cli_reference_names_every_option(path: tuple[str, ...], flag: str) -> None:
    block = command_blocks(_readme_section("CLI reference")).get(path, "")
    where = f"the bullet of `{_label(path)}`" if path else "the lines before the list of commands"
    assert names_option(block, flag), f"{flag} is not named in code in {where} of the CLI reference"


def test_the_walk_sees_the_whole_cli() -> None:
    """The tree walked is the real one: a walk that found nothing would make the tests above vacuous."""
    assert {"init", "run", "render", "backfill", "search"} <= {path[0] for path in COMMANDS}
    assert {((), "--debug"), ((), "--version"), ((), "--help"), (("run",), "--dry-run"), (("init",), "--install")} <= (
        set(OPTIONS)
    )


def test_an_option_named_only_under_another_command_is_missing() -> None:
    reference = (
        "Every command takes `--config FILE`.\n\n"
        "- `dailypapers run [--json] [--settings]` runs.\n"
        "  - `--json` prints JSON.\n"
        "- `dailypapers search QUERY` searches; --limit in prose does not count.\n"
        "\nExit statuses: `--json`\n"
    )
    blocks = command_blocks(reference)
    assert set(blocks) == {(), ("run",), ("search",)}
    assert names_option(blocks[("run",)], "--json")
    assert not names_option(blocks[("search",)], "--json")
    assert not names_option(blocks[("search",)], "--limit")
    assert not names_option(blocks[("run",)], "--set")
    assert names_option(blocks[()], "--config") and names_option(blocks[()], "--json")


# --- the config reference ------------------------------------------------------------------------------------

_TABLE_PREFIX = re.compile(r"\[\[?([a-z_.]+)\]\]?\s*(.*)")


def documented_keys(reference: str) -> set[tuple[str, str]]:
    """``(table, key)`` for every key in the first column of the reference's table. A code span ``[email]
    sender`` sets the table for the spans after it in the same cell (``[email] username_env``,
    ``password_env``), and names the table itself as a key of its parent (``[[email.recipients]] address``
    names ``recipients`` in ``email``)."""
    named: set[tuple[str, str]] = set()
    for line in reference.splitlines():
        if not line.startswith("| `"):
            continue
        table = ""
        for span in _CODE.findall(line.split("|")[1]):
            prefixed = _TABLE_PREFIX.fullmatch(span)
            if prefixed is not None:
                table, span = prefixed.group(1), prefixed.group(2)
                parent, _, last = table.rpartition(".")
                named.add((parent, last))
            if span:
                named.add((table, span))
    return named


KEYS = [(table, key) for table, keys in TABLES.items() for key in keys]


def _key_label(table: str, key: str) -> str:
    return f"[{table}] {key}" if table else key


@pytest.mark.parametrize(("table", "key"), KEYS, ids=[_key_label(table, key) for table, key in KEYS])
def test_the_config_reference_names_every_key(table: str, key: str) -> None:
    named = documented_keys(_readme_section("Config reference"))
    assert (table, key) in named, f"`{_key_label(table, key)}` has no row in the config reference"


def test_every_table_the_loader_checks_is_walked() -> None:
    """A new ``*_KEYS`` tuple in the config modules must be added to ``TABLES``, or its keys go unchecked."""
    walked = {id(keys) for keys in TABLES.values()}
    for module in (config, config_arxiv, config_delivery, config_summaries):
        for name, value in vars(module).items():
            if name.endswith("_KEYS"):
                assert id(value) in walked, f"{module.__name__}.{name} is not in TABLES"


def test_a_key_in_another_table_or_in_prose_is_missing() -> None:
    reference = (
        "| key | default | meaning |\n| --- | --- | --- |\n"
        "| `title` | `x` | the heading; also `timeout` |\n"
        "| `[email] username_env`, `password_env` | none | logins |\n"
        "| `[[email.recipients]] address` | required | one |\n"
        "The `[arxiv] delay` in prose.\n"
    )
    named = documented_keys(reference)
    assert named == {("", "title"), ("", "email"), ("email", "username_env"), ("email", "password_env")} | {
        ("email", "recipients"),
        ("email.recipients", "address"),
    }


# --- environment variables -----------------------------------------------------------------------------------


_VARIABLE = re.compile(r"DAILYPAPERS_[A-Z0-9_]+")


def environment_variables() -> set[str]:
    """Every string in the package's code that is a whole ``DAILYPAPERS_*`` name: the variables it reads."""
    found: set[str] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and _VARIABLE.fullmatch(node.value):
                found.add(node.value)
    return found


VARIABLES = sorted(environment_variables())


@pytest.mark.parametrize("name", VARIABLES)
def test_the_references_name_every_environment_variable(name: str) -> None:
    text = README.read_text(encoding="utf-8")
    references = section(text, "Config reference") + section(text, "CLI reference")
    assert f"`{name}`" in references, f"{name} is read by the package but not named in the README's references"


def test_the_scan_finds_the_variables_read_today() -> None:
    assert {"DAILYPAPERS_NOW", "DAILYPAPERS_DELAY", "DAILYPAPERS_API_URL", "DAILYPAPERS_GITHUB_REPO"} <= set(VARIABLES)
