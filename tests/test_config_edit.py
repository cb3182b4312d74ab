"""Editing the config's topics from the reader (``config/edit.py``): the added table and nothing else changes,
the file is replaced atomically with its own mode, and anything that fails leaves it exactly as it was."""

from __future__ import annotations

import os
import resource
import signal
import stat
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest

from dailypapers.config import load_config
from dailypapers.config.edit import TopicExists, add_topic, remove_topic
from dailypapers.errors import ConfigError, DailyPapersError
from topics_world import CONFIG

INIT = files("dailypapers").joinpath("data/dailypapers.toml").read_text(encoding="utf-8")
ADA = '[[topics]]\nname = "Ada Lovelace"\nquery = \'au:"Ada Lovelace"\'\n'
LAYOUTS = {
    "the init template": INIT,
    "the reader's test config": CONFIG,
    "topics last, no blank line at the end": 'title = "x"  # t\n\n[[topics]]\nname = "a"\n',
    "topics packed against the next table": '[[topics]]\nname = "a"\n[[topics]]\nname = "b"\n[outputs]\nsite = false\n',
    "comments after the last topic": '[[topics]]\nname = "a"\n# name = "b"  (off)\n\n[outputs]\nsite = false\n',
}


def config_file(folder: Path, text: str, mode: int = 0o644) -> Path:
    path = folder / "dailypapers.toml"
    path.write_bytes(text.encode("utf-8"))
    path.chmod(mode)
    return path


def leftovers(folder: Path) -> list[str]:
    return sorted(name.name for name in folder.iterdir() if name.name.endswith(".tmp"))


@pytest.mark.parametrize("text", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_adding_a_topic_inserts_its_table_and_leaves_every_other_byte(tmp_path: Path, text: str) -> None:
    path = config_file(tmp_path, text)
    config = add_topic(path, "Ada Lovelace", 'au:"Ada Lovelace"')
    after = path.read_text(encoding="utf-8")
    assert after.count(ADA) == 1
    # the table, with the blank line that sets it apart from the one before it when none did: nothing else
    assert text in {after.replace(ADA + "\n", "", 1), after.replace("\n" + ADA + "\n", "", 1)}
    assert [topic.name for topic in config.topics][-1] == "Ada Lovelace"
    assert config.topics[-1].source == 'au:"Ada Lovelace"'


def test_the_added_table_sits_after_the_last_topic_with_one_blank_line_each_side(tmp_path: Path) -> None:
    path = config_file(tmp_path, CONFIG)
    add_topic(path, "Ada Lovelace", 'au:"Ada Lovelace"')
    head, tail = CONFIG.split("[outputs]")
    assert path.read_text(encoding="utf-8") == head + ADA + "\n[outputs]" + tail


def test_windows_line_endings_and_a_byte_order_mark_are_kept(tmp_path: Path) -> None:
    text = "\ufeff" + CONFIG.replace("\n", "\r\n")
    path = config_file(tmp_path, text)
    add_topic(path, "graphs", "ti:graph")
    after = path.read_bytes().decode("utf-8")
    assert after.startswith("\ufeff") and "\n" not in after.replace("\r\n", "")
    assert after == text.replace("[outputs]", "[[topics]]\r\nname = \"graphs\"\r\nquery = 'ti:graph'\r\n\r\n[outputs]")


def test_replacing_a_query_changes_that_line_only_and_needs_the_users_word(tmp_path: Path) -> None:
    path = config_file(tmp_path, CONFIG)
    with pytest.raises(TopicExists) as raised:
        add_topic(path, "compilers", "ti:compiler")
    assert raised.value.query == "abs:compiler" and path.read_text(encoding="utf-8") == CONFIG
    add_topic(path, "compilers", "ti:compiler", replace=True)
    assert path.read_text(encoding="utf-8") == CONFIG.replace("query = 'abs:compiler'", "query = 'ti:compiler'")
    add_topic(path, "everything", "", replace=True)  # an empty query: the topic by its name alone
    assert 'query = "cat:cs.DC"' not in path.read_text(encoding="utf-8")
    assert load_config(path).topics[1].query_text is None


def test_a_query_with_both_quotes_is_written_so_that_it_reads_back_the_same(tmp_path: Path) -> None:
    path = config_file(tmp_path, CONFIG)
    query = """au:"O'Brien" OR ti:"it's" """.strip()
    config = add_topic(path, "quotes", query)
    assert config.topics[-1].query_text == query


def test_removing_a_topic_takes_its_table_and_nothing_else(tmp_path: Path) -> None:
    path = config_file(tmp_path, CONFIG)
    remove_topic(path, "everything")
    table = '[[topics]]\n# every paper of the archive\nname = "everything"\nquery = "cat:cs.DC"\n\n'
    assert path.read_text(encoding="utf-8") == CONFIG.replace(table, "")
    with pytest.raises(ConfigError, match="needs|expected one or more|at least one"):
        remove_topic(path, "compilers")  # a config needs a topic: the last one stays
    assert "compilers" in path.read_text(encoding="utf-8") and leftovers(tmp_path) == []


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664])
def test_the_new_file_replaces_the_old_atomically_with_its_mode(tmp_path: Path, mode: int) -> None:
    path = config_file(tmp_path, CONFIG, mode)
    inode = path.stat().st_ino
    add_topic(path, "graphs", "ti:graph")
    assert stat.S_IMODE(path.stat().st_mode) == mode and leftovers(tmp_path) == []
    assert path.stat().st_ino != inode  # a new file renamed over the old one, not the old one rewritten


def test_a_symbolic_link_stays_a_link_and_its_target_is_edited(tmp_path: Path) -> None:
    real = config_file(tmp_path, CONFIG)
    (tmp_path / "elsewhere").mkdir()
    link = tmp_path / "elsewhere" / "dailypapers.toml"
    link.symlink_to(real)
    add_topic(link, "graphs", "ti:graph")
    assert link.is_symlink() and "graphs" in real.read_text(encoding="utf-8")


@pytest.fixture()
def small_file_limit() -> Iterator[None]:
    """Files this process writes may not grow beyond 600 bytes (``ulimit -f``): a write that fails for real."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of the signal that ends the process
    resource.setrlimit(resource.RLIMIT_FSIZE, (600, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def test_a_write_that_fails_leaves_the_file_as_it_was(tmp_path: Path, small_file_limit: None) -> None:
    text = CONFIG + "# padding to 590 bytes\n" * ((590 - len(CONFIG)) // 23)
    assert len(text) < 600
    path = config_file(tmp_path, text)
    with pytest.raises(DailyPapersError, match="larger than this process may write"):
        add_topic(path, "graphs", "ti:graph")
    assert path.read_text(encoding="utf-8") == text and leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("name", "query", "message"),
    [
        ("bad", "ti:(graph", "unbalanced '\\('"),
        ("bad", "cat:cs.XY", "cs.XY"),
        ("", "ti:graph", "needs a name"),
        ("two\nlines", "ti:graph", "needs a name"),
        ("Compilers\u0301", "ti:x", None),  # a different name (a combining accent): added, not confused
    ],
)
def test_a_topic_the_config_would_refuse_is_never_written(
    tmp_path: Path, name: str, query: str, message: str | None
) -> None:
    path = config_file(tmp_path, CONFIG)
    if message is None:
        add_topic(path, name, query)
        assert load_config(path).topics[-1].name == name
        return
    with pytest.raises(ConfigError, match=message):
        add_topic(path, name, query)
    assert path.read_text(encoding="utf-8") == CONFIG and leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('title = "x"\ntopics = [{name = "a"}, {name = "b"}]\n', "not written as \\[\\[topics\\]\\] tables"),
        ('[[topics]]\nname = "a"\n\n[outputs]\nsite = false\n\n[[topics]]\nname = "b"\n', "split by other tables"),
    ],
    ids=["inline tables", "split topics"],
)
def test_a_config_the_reader_cannot_edit_safely_is_refused_untouched(tmp_path: Path, text: str, message: str) -> None:
    path = config_file(tmp_path, text)
    load_config(path)  # a valid config all the same
    with pytest.raises(ConfigError, match=message):
        add_topic(path, "graphs", "ti:graph")
    assert path.read_text(encoding="utf-8") == text and leftovers(tmp_path) == []


def test_a_file_changed_by_hand_after_it_was_read_is_not_overwritten(tmp_path: Path) -> None:
    """Only a config that loads is published: a config broken meanwhile by an editor stays the editor's."""
    path = config_file(tmp_path, CONFIG + "unknown_key = 1\n")
    with pytest.raises(ConfigError, match="unknown_key: unknown key"):
        add_topic(path, "graphs", "ti:graph")
    assert path.read_text(encoding="utf-8").endswith("unknown_key = 1\n") and os.listdir(tmp_path) == [path.name]
