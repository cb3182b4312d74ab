"""Any topic name works: Chinese, Japanese, emoji, accents, names that differ only in case or punctuation.

Two Chinese names both became the file name ``topic`` and the run refused them. Now every topic gets a file
name of its own, lower case ASCII (so a case-insensitive disk cannot merge two), stable from run to run and
under added topics: the readable slug where it says it all, a short hash of the name where it does not. The
page, the site and the feeds show the name as written.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from markupsafe import escape

from arxiv_server import ArxivServer, load_seed_papers
from dailypapers.cli import cli
from dailypapers.config import load_config
from dailypapers.errors import ConfigError
from dailypapers.model import Digest, Listed, Section, topic_stem, topic_stems
from dailypapers.render.feed import render_feeds
from dailypapers.render.site import render_site

NOW = "2026-05-16T06:00:00+00:00"
STEM = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("GPU kernels", "gpu-kernels"),  # every ASCII name keeps the file name it always had
        ("gpu-kernels!", "gpu-kernels"),
        ("Inférence \"LLM\" <fast> & 'co'", "inference-llm-fast-co"),  # accents fold without loss
        ("Réseaux de neurones", "reseaux-de-neurones"),
        ("«Deep» learning — now", "deep-learning-now"),
        ("topic", "topic"),
        ("量子计算", "topic-83b0d92d"),
        ("量子信息", "topic-416f9c4f"),
        ("機械学習 ML", "ml-2dd82cce"),
        ("🚀", "topic-ebbc0b28"),
        ("Straße", "strae-58a3778c"),
        ("α-helix", "helix-253d01b9"),
        ("!!!", "topic-e84c538e"),
        ("all", "all-5ef5ef03"),  # all.xml is the feed of every topic
        ("CON", "con-a3dbc4b6"),  # Windows refuses con.*, nul.*, com1.* ...
        ("x" * 81, "x" * 80 + "-4d1f7bb8"),
    ],
)
def test_a_topic_stem_is_its_slug_or_its_slug_and_a_hash(name: str, stem: str) -> None:
    assert topic_stem(name) == stem


def test_names_sharing_a_slug_keep_the_first_its_plain_name() -> None:
    names = ["GPU kernels", "gpu-kernels!", "GPU  Kernels", "量子计算", "量子信息", "C", "c", "C++"]
    assert topic_stems(names) == {
        "GPU kernels": "gpu-kernels",
        "gpu-kernels!": "gpu-kernels-ff5e0786",
        "GPU  Kernels": "gpu-kernels-747f76fe",
        "量子计算": "topic-83b0d92d",
        "量子信息": "topic-416f9c4f",
        "C": "c",
        "c": "c-2e7d2c03",
        "C++": "c-f1deb75f",
    }


# Names a config accepts: any text on one line (no control characters), not only spaces; XML 1.0 refuses
# unassigned code points and surrogates, which TOML files cannot carry either.
NAMES = (
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Cn", "Zl", "Zp")), min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)
NAME_LISTS = st.lists(NAMES, min_size=1, max_size=8, unique_by=lambda name: unicodedata.normalize("NFC", name))


@given(NAME_LISTS)
@settings(max_examples=300, deadline=None)
def test_every_topic_gets_its_own_stable_lower_case_file_name(names: list[str]) -> None:
    stems = topic_stems(names)
    assert list(stems) == names
    assert len({stem.casefold() for stem in stems.values()}) == len(names)  # never two alike, in any case
    for name, stem in stems.items():
        assert STEM.fullmatch(stem) and stem != "all" and len(stem) <= 100, (name, stem)
    for cut in range(1, len(names)):  # adding topics never renames the files of the earlier ones
        assert topic_stems(names[:cut]) == {name: stems[name] for name in names[:cut]}
    assert topic_stems(names) == stems


def paper_digest(names: list[str]) -> Digest:
    paper = load_seed_papers()[0]
    sections = tuple(Section(name, (Listed(paper),), query="ti:x") for name in names)
    return Digest("Daily Papers", date(2026, 5, 16), sections, generated=datetime(2026, 5, 16, tzinfo=UTC))


def one_line(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip()


@given(NAME_LISTS)
@settings(max_examples=60, deadline=None)
def test_the_site_and_the_feeds_work_for_any_names(names: list[str]) -> None:
    stems = topic_stems(names)
    digest = paper_digest(names)
    feeds = render_feeds(digest)
    assert list(feeds) == [f"{stems[name]}.xml" for name in names] + ["all.xml"]
    for name in names:
        feed = etree.fromstring(feeds[f"{stems[name]}.xml"].encode("utf-8"))
        assert feed.findtext(f"{ATOM}title") == f"Daily Papers: {one_line(name)}"
        assert len(feed.findall(f"{ATOM}entry")) == 1
    site = render_site(digest)
    for name in names:
        page = site[f"topics/{stems[name]}.html"]
        assert f"<h1>{escape(name)}</h1>" in page
        assert f'href="topics/{stems[name]}.html"' in site["index.html"]


@given(NAME_LISTS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_config_takes_any_names(tmp_path: Path, names: list[str]) -> None:
    text = "".join(f"[[topics]]\nname = {json.dumps(name, ensure_ascii=False)}\nquery = 'ti:x'\n" for name in names)
    path = tmp_path / "dailypapers.toml"
    path.write_text(text, encoding="utf-8")
    assert [topic.name for topic in load_config(path, environ={}).topics] == names


@pytest.mark.parametrize(
    ("topics", "message"),
    [
        ('name = "a\\nb"', "topics[1].name: expected one line of text without control characters, got 'a\\nb'"),
        ('name = "a\\u0000b"', "topics[1].name: expected one line of text without control characters, got 'a\\x00b'"),
        ('name = "a\\u2028b"', "topics[1].name: expected one line of text without control characters, got 'a\\u2028b'"),
        ('name = "量子计算"', "topics[1].name: topic '量子计算' is defined twice"),
        ('name = "Cafe\\u0301"', "topics[1].name: topic 'Cafe\u0301' is defined twice"),  # the same letters, NFD
        ('name = "🚀"', "topics[1].name: topic '🚀' has no word to search for; give it a query"),
        ('name = "   "', "topics[1].name: every topic needs a non-empty name"),
    ],
)
def test_what_a_name_cannot_be(tmp_path: Path, topics: str, message: str) -> None:
    path = tmp_path / "dailypapers.toml"
    first = '[[topics]]\nname = "量子计算"\n' if "量子" in topics else '[[topics]]\nname = "Café"\n'
    path.write_text(first + "[[topics]]\n" + topics + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert str(caught.value) == f"{path.resolve()}: {message}"


TOPICS = {
    "量子计算": "abs:quantum",
    "量子信息": "abs:GPU",
    "機械学習": "abs:learning",
    "🚀 Rockets": "abs:scheduling",
    "GPU": "abs:GPU",
    "gpu": "ti:GPU",
    "G.P.U.": "abs:kernel",
    "Café": "abs:cache",
    "Cafe": "ti:cache",
    "All": "abs:memory",
}


def test_a_run_publishes_every_topic_under_its_own_files(tmp_path: Path) -> None:
    path = tmp_path / "dailypapers.toml"
    topics = "".join(
        f"[[topics]]\nname = {json.dumps(name, ensure_ascii=False)}\nquery = '{query}'\n"
        for name, query in TOPICS.items()
    )
    env = {"DAILYPAPERS_DELAY": "0", "DAILYPAPERS_NOW": NOW}
    with ArxivServer(load_seed_papers()) as server:
        outputs = '[outputs]\nsite = "site/"\nfeeds = "feeds/"\n'
        path.write_text(topics + outputs + f'[arxiv]\napi_url = "{server.url}"\n', encoding="utf-8")
        result = CliRunner().invoke(cli, ["run", "--json", "--config", str(path)], env=env)
    assert result.exit_code == 0, result.stderr
    assert set(json.loads(result.stdout)["new"]) <= set(TOPICS)
    feeds = sorted(p.name for p in (tmp_path / "feeds").iterdir())
    pages = sorted(p.name for p in (tmp_path / "site" / "topics").iterdir())
    assert len(feeds) == len(TOPICS) + 1 and len(pages) == len(TOPICS)
    assert len({name.casefold() for name in feeds}) == len(feeds)
    assert {"gpu.xml", "cafe.xml", "all.xml"} <= set(feeds)
    page = (tmp_path / "README.md").read_text(encoding="utf-8")
    for name in TOPICS:
        assert f"\n## {name}\n" in page
    stems = topic_stems(TOPICS)
    titles = {
        name: etree.parse(str(tmp_path / "feeds" / f"{stems[name]}.xml")).findtext(f"{ATOM}title") for name in TOPICS
    }
    assert titles == {name: f"Daily Papers: {name}" for name in TOPICS}
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and p.suffix in (".xml", ".html", ".md")}
    again = CliRunner().invoke(cli, ["render", "--config", str(path)], env=env)
    assert again.exit_code == 0, again.stderr
    assert {p: p.read_bytes() for p in before} == before  # the same names, the same bytes, on every render
