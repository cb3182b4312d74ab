"""``dailypapers rank`` on the seed papers' real text: what is like a starred paper comes first and says so, what is
like a dismissed one comes last, a topic's matches are all listed, and ``--evaluate`` replays the stars."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dailypapers.cli import cli
from dailypapers.config import load_config
from dailypapers.model import Author, Paper
from dailypapers.query import Matcher
from dailypapers.store import Store
from signals_world import latest_papers, make_archive

NOW = "2026-05-15T09:00:00Z"
TOPICS = '[[topics]]\nname = "federated learning"\n\n[[topics]]\nname = "serving"\nquery = "ti:serving"\n'
LIKED = ("2412.15411", "2511.21431", "2603.06350")  # MoE training and serving, starred
DISLIKED = "2505.04564"  # rendezvous of mobile agents on a line, dismissed
WINDOW = ("--since", "2026-05-13", "--until", "2026-05-14")


def dailypapers(config: Path, *arguments: str, now: str = NOW) -> Result:
    command, *rest = arguments
    env = {"DAILYPAPERS_NOW": now, "DAILYPAPERS_API_URL": "http://127.0.0.1:9/api/query"}
    return CliRunner().invoke(cli, [*command.split(), "--config", str(config), *rest], env=env)


def near_duplicate(paper: Paper, new_id: str) -> Paper:
    """The paper as another group would write it: the sentences of its abstract in another order, one left out, and
    the title reworded; announced inside the window."""
    sentences = re.split(r"(?<=\.)\s+", paper.abstract)
    rewritten = " ".join(sentences[1:][::-1])
    day = datetime(2026, 5, 14, 12, tzinfo=UTC)
    title = f"Revisiting {paper.title.split(':')[0]}"
    return replace(paper, id=new_id, version=1, title=title, abstract=rewritten, published=day, updated=day,
                   authors=(Author("Another Group"),))  # fmt: skip


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = make_archive(tmp_path)
    path.write_text(TOPICS, encoding="utf-8")
    by_id = {paper.id: paper for paper in latest_papers()}
    twins = [near_duplicate(by_id[LIKED[0]], "2605.20001"), near_duplicate(by_id[DISLIKED], "2605.20002")]
    with Store.open(tmp_path / "dailypapers.db") as store, store.transaction():
        store.add_versions(twins, run=None)
        store.index_for_search(twins)
    for paper_id in LIKED:
        assert dailypapers(path, "star", paper_id).exit_code == 0
    assert dailypapers(path, "dismiss", DISLIKED).exit_code == 0
    return path


def ranked(config: Path, *options: str) -> list[dict[str, object]]:
    result = dailypapers(config, "rank", "--json", *options)
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def window_papers(config: Path) -> list[Paper]:
    with Store.open(config.parent / "dailypapers.db") as store:
        return [p for p in store.latest_papers() if date(2026, 5, 13) <= p.updated.date() <= date(2026, 5, 14)]


def test_a_starred_papers_twin_comes_first_and_a_dismissed_papers_twin_last(config: Path) -> None:
    papers = ranked(config, *WINDOW)
    assert [paper["id"] for paper in papers][0] == "2605.20001"
    assert [paper["id"] for paper in papers][-1] == "2605.20002"
    assert sorted(str(paper["id"]) for paper in papers) == sorted(paper.id for paper in window_papers(config))
    scores = [float(str(paper["score"])) for paper in papers]
    assert scores == sorted(scores, reverse=True)


def test_why_names_the_starred_paper_and_the_words_that_weighed(config: Path) -> None:
    first = ranked(config, *WINDOW, "--limit", "1")[0]
    assert set(first) >= {"id", "version", "title", "score", "why"}
    assert (
        first["version"] == 1 and first["title"] == "Revisiting Sparse Checkpointing for Fast and Reliable MoE Training"
    )
    assert first["like"] == {"id": LIKED[0], "title": "Sparse Checkpointing for Fast and Reliable MoE Training",
                             "because": "starred"}  # fmt: skip
    assert str(first["why"]).startswith(f"like {LIKED[0]} 'Sparse Checkpointing for Fast and Reliable MoE Training'")
    assert 0.6 < float(str(first["similarity"])) < 1, "a near copy, not the same text"
    words = first["words"]
    assert isinstance(words, list) and words and all(word in str(first["why"]) for word in words)
    text = dailypapers(config, "rank", *WINDOW, "--limit", "1")
    assert text.stdout.splitlines()[1].strip() == f"why: {first['why']}"


@pytest.mark.parametrize("topic", ["federated learning", "serving"])
def test_a_topics_matches_are_all_listed(config: Path, topic: str) -> None:
    query = next(t for t in load_config(config).topics if t.name == topic).query
    expected = {paper.id for paper in window_papers(config) if Matcher(query).matches(paper)}
    assert expected, "the window holds no match: the test would prove nothing"
    assert {paper["id"] for paper in ranked(config, *WINDOW, "--topic", topic)} == expected


def test_an_empty_window_says_so(config: Path) -> None:
    result = dailypapers(config, "rank", "--since", "2024-01-01", "--until", "2024-01-31")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "dailypapers: no paper in the archive was updated from 2024-01-01 to 2024-01-31\n"


def test_an_unknown_topic_is_one_line(config: Path) -> None:
    result = dailypapers(config, "rank", "--topic", "quantum")
    assert result.exit_code == 2
    assert result.stderr == (
        "dailypapers: error: command line: --topic: no topic 'quantum' in "
        f"{config.resolve()}; its topics are 'federated learning', 'serving'\n"
    )


def test_too_few_signals_says_how_many_are_needed_and_exits_0(tmp_path: Path) -> None:
    config = make_archive(tmp_path)
    dailypapers(config, "star", LIKED[0])
    result = dailypapers(config, "rank")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr.startswith("dailypapers: ranking needs at least 3 papers you like, and has 1 (1 starred, ")


def test_the_model_is_cached_until_the_signals_change(config: Path) -> None:
    cache = config.parent / "dailypapers.db.rank.npz"
    first = ranked(config, *WINDOW)
    kept = cache.read_bytes()
    assert ranked(config, *WINDOW) == first and cache.read_bytes() == kept
    dailypapers(config, "star", "2605.13708")
    ranked(config, *WINDOW)
    assert cache.read_bytes() != kept


def test_a_damaged_cache_is_trained_again(config: Path) -> None:
    first = ranked(config, *WINDOW)
    (config.parent / "dailypapers.db.rank.npz").write_bytes(b"PK\x03\x04 not a model")
    assert ranked(config, *WINDOW) == first


def test_evaluate_replays_the_stars_day_by_day_and_prints_three_rows(config: Path) -> None:
    for paper_id in ("2603.11101", "2603.12214", "2603.17435"):  # updated 18 March, starred the next day: the
        assert dailypapers(config, "star", paper_id, now="2026-03-19T10:00:00Z").exit_code == 0  # model has 3 on 15 May
    result = dailypapers(config, "rank", "--evaluate")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == ["replayed 1 day of stars", "method                nDCG@10      MRR"]
    assert [line.split("  ")[0] for line in lines[2:]] == ["model", "newest first", "arxiv-sanity-lite"]
    for line in lines[2:]:
        ndcg, mrr = (float(value) for value in line.split()[-2:])
        assert 0 <= ndcg <= 1 and 0 < mrr <= 1
    rows = [json.loads(line) for line in dailypapers(config, "rank", "--evaluate", "--json").stdout.splitlines()]
    assert [row["method"] for row in rows] == ["model", "newest first", "arxiv-sanity-lite"]
    assert all(row["days"] == 1 for row in rows)


def test_evaluate_with_too_few_stars_says_so(tmp_path: Path) -> None:
    config = make_archive(tmp_path)
    result = dailypapers(config, "rank", "--evaluate")
    assert (result.exit_code, result.stdout) == (0, "")
    assert "the evaluation needs a day with new stars and at least 3 papers you liked before it" in result.stderr


def test_papers_by_the_ranking_authors_are_positives_without_a_star(tmp_path: Path) -> None:
    """Names are compared without case or accents: ``Hanfei YU`` is the archive's ``Hanfei Yu``."""
    config = make_archive(tmp_path)
    by_id = {paper.id: paper for paper in latest_papers()}
    with Store.open(tmp_path / "dailypapers.db") as store, store.transaction():
        store.add_versions([near_duplicate(by_id["2412.15411"], "2605.20001")], run=None)
    authors = '[ranking]\nauthors = ["Swapnil Gandhi", "Hanfei YU", "Alan Edelman"]\n'
    config.write_text(TOPICS + authors, encoding="utf-8")
    first = ranked(config, *WINDOW)[0]
    assert first["id"] == "2605.20001"
    assert first["like"] == {"id": "2412.15411", "title": "Sparse Checkpointing for Fast and Reliable MoE Training",
                             "because": "by [ranking] authors"}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[ranking]\norder = "best"\n', "ranking.order: expected one of 'date', 'interest', got 'best'"),
        ("[ranking]\ntop = 1000\n", "ranking.top: expected a whole number from 0 to 100, got 1000"),
        ('[ranking]\nauthors = ["Ada", 3]\n', "ranking.authors: expected a list of strings, got ['Ada', 3]"),
        ('[ranking]\nauthors = ["---"]\n', "ranking.authors: expected author names such as 'Ada Lovelace', got '---'"),
        ("[ranking]\nauthor = []\n", "ranking.author: unknown key; did you mean 'authors'?"),
    ],
)
def test_a_bad_ranking_table_is_one_line_naming_the_key(tmp_path: Path, text: str, problem: str) -> None:
    config = make_archive(tmp_path)
    config.write_text(TOPICS + text, encoding="utf-8")
    result = dailypapers(config, "rank")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"dailypapers: error: {config.resolve()}: {problem}")


JOURNAL_PAPERS = """
@article{kairouz2021,
  title = {Advances and Open Problems in Federated Learning},
  journal = {Foundations and Trends in Machine Learning},
  abstract = {Federated learning is a machine learning setting where many clients collaboratively train a model
  under the orchestration of a central server, while keeping the training data decentralized.},
}
@article{mcmahan2017,
  title = {Communication-Efficient Learning of Deep Networks from Decentralized Data},
  journal = {AISTATS},
  abstract = {We advocate federated learning: the training data stays on the clients' devices, and a shared model
  is learned by aggregating locally computed updates from the clients.},
}
@article{bonawitz2017,
  title = {Practical Secure Aggregation for Privacy-Preserving Machine Learning},
  journal = {CCS},
  abstract = {Secure aggregation lets a server compute the sum of the clients' model updates in federated learning
  without learning any client's individual update.},
}
"""


def test_journal_papers_of_the_library_count_through_their_title_and_abstract(tmp_path: Path) -> None:
    config = make_archive(tmp_path)
    library = tmp_path / "mine.bib"
    library.write_text(JOURNAL_PAPERS, encoding="utf-8")
    added = dailypapers(config, "library add", str(library))
    assert added.exit_code == 0 and "3 entries, 0 with an arXiv id" in added.stdout
    first = ranked(config, *WINDOW)[0]
    assert first["id"] == "2605.13708"  # DisAgg: secure aggregation in federated learning
    assert first["like"] == {"id": "mine.bib:14", "title": "Practical Secure Aggregation for Privacy-Preserving "
                             "Machine Learning", "because": "in your library"}  # fmt: skip


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--since", "2026-05-14", "--until", "2026-05-13"), "--until is before --since"),
        (("--limit", "0"), "Invalid value for '--limit'"),
        (("--since", "14/05/2026"), "Invalid value for '--since'"),
    ],
)
def test_bad_options_are_usage_errors(config: Path, options: tuple[str, ...], message: str) -> None:
    result = dailypapers(config, "rank", *options)
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""


def test_an_archive_too_small_to_learn_from_says_so_and_exits_0(tmp_path: Path) -> None:
    """Three stars in an archive of three papers: nothing to tell them from, so a line saying what to do."""
    liked = [paper for paper in latest_papers() if paper.id in LIKED]
    with Store.open(tmp_path / "dailypapers.db") as store, store.transaction():
        store.add_versions(liked, run=None)
    config = tmp_path / "dailypapers.toml"
    config.write_text(TOPICS, encoding="utf-8")
    for paper_id in LIKED:
        assert dailypapers(config, "star", paper_id).exit_code == 0
    result = dailypapers(config, "rank", "--since", "2000-01-01")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr.startswith("dailypapers: the ") and "`dailypapers backfill --from DATE`" in result.stderr
    assert "Traceback" not in result.stderr and result.exception is None
