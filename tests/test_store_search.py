"""Searching the archive: exactly the matcher's papers, newest first, whatever the query.

The archive is the seed papers, 2,000 synthetic ones (``benchmarks/synthetic.py``) whose later versions are
stored and indexed after their first ones (so papers are re-keyed), and a few papers written for the
analysis' corner cases. The expected answer is always computed with the matcher over the whole archive.
"""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arxiv_server import load_seed_papers
from dailypapers.errors import StoreError
from dailypapers.model import Author, Paper
from dailypapers.query import And, AndNot, Node, Not, Or, Term, analyse, evaluate, parse
from dailypapers.store import Store, fts
from dailypapers.store.search import compile_candidates, search, search_papers

_SYNTHETIC = Path(__file__).resolve().parent.parent / "benchmarks" / "synthetic.py"
_spec = importlib.util.spec_from_file_location("synthetic", _SYNTHETIC)
assert _spec is not None and _spec.loader is not None
synthetic = sys.modules["synthetic"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(synthetic)

TIE = datetime(2025, 3, 4, 10, 20, 30, tzinfo=UTC)


# --- Until the store applies fts.FTS_MIGRATION and calls fts.index_paper itself: delete these two then. ----


def open_store(path: Path) -> Store:
    store = Store.open(path)
    if store._db.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_index'").fetchone() is None:
        store._db.executescript(fts.FTS_MIGRATION)
    return store


def add(store: Store, papers: Iterable[Paper]) -> None:
    with store.transaction():
        for paper in store.add_versions(papers, run=None):
            fts.index_paper(store._db, paper)


# ----------------------------------------------------------------------------------------------------------


def edge_paper(paper_id: str, updated: datetime = TIE, **fields: object) -> Paper:
    values: dict[str, object] = {
        "id": paper_id,
        "version": 1,
        "title": "A title",
        "abstract": "An abstract.",
        "authors": (Author("Ada Lovelace"),),
        "categories": ("cs.LG",),
        "primary_category": "cs.LG",
        "published": updated - timedelta(days=3),
        "updated": updated,
    } | fields
    return Paper(**values)  # type: ignore[arg-type]


EDGE_PAPERS = [
    edge_paper(
        "2501.00001",
        title="Bob's GPUs and the GPU's cache: graph-neural-networks for Schr\\\"odinger equations",
        abstract="A naïve Møller Æther state-of-the-art Schrödinger solver; O(n log n) on GPUs. Bob’s model.",
        authors=(Author("Jérémie Decouchant"), Author("J\\'er\\'emie Martin"), Author("Adrian Del Maestro")),
        categories=("hep-th", "math-ph", "math.MP"),
        primary_category="hep-th",
        comment="12 pages; code at https://github.com/x/y",
        journal_ref="Phys. Rev. D 109, 012345 (2024)",
        report_no="CERN-TH-2024-001",
        doi="10.1103/PhysRevD.109.012345",
    ),
    edge_paper("2501.00002", title="Maestro del caching", authors=(Author("Søren Kierkegaard"), Author("Mind Lab :"))),
    edge_paper(
        "2501.00003",
        title="Tied second, cross-listed",
        categories=("astro-ph.CO", "cs.DC"),
        primary_category="astro-ph.CO",
    ),
    edge_paper("2501.00004", title="Tied second, no authors", authors=()),
    edge_paper("2501.00005", updated=TIE + timedelta(seconds=5), title="Same minute, later second"),
    edge_paper(
        "hep-th/9901001",
        updated=TIE - timedelta(seconds=1),
        version=2,
        title="An old-scheme id",
        categories=("hep-th",),
        primary_category="hep-th",
        doi="10.1016/S0550-3213(99)00001-X",
    ),
    edge_paper(
        "2501.00006",
        title="A big archive of weird categories",
        categories=("CS.Weird", "astro-ph"),
        primary_category="CS.Weird",
    ),
]


def every_version() -> list[Paper]:
    return load_seed_papers() + list(synthetic.synthetic_papers(2000, seed=7)) + EDGE_PAPERS


def newest_first(papers: Iterable[Paper]) -> list[Paper]:
    latest: dict[str, Paper] = {}
    for paper in papers:
        if paper.id not in latest or paper.version > latest[paper.id].version:
            latest[paper.id] = paper
    return sorted(latest.values(), key=lambda paper: (paper.updated, paper.id), reverse=True)


class Archive:
    def __init__(self, store: Store, papers: list[Paper]) -> None:
        self.store = store
        self.papers = newest_first(papers)
        self.documents = [analyse(paper) for paper in self.papers]

    def expected(self, node: Node, limit: int) -> list[tuple[str, int]]:
        found = [(d.paper.id, d.paper.version) for d in self.documents if evaluate(node, d)]
        return found[:limit]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """First versions are stored and indexed before later ones, so many papers are re-keyed."""
    papers = every_version()
    store = open_store(tmp_path_factory.mktemp("search") / "papers.db")
    add(store, [paper for paper in papers if paper.version == 1])
    for later in range(2, 6):
        add(store, [paper for paper in papers if paper.version == later])
    yield Archive(store, papers)
    store.close()


QUERIES = [
    "graph", "abs:GPUs", "ti:gpu", "ti:GPU's", "ti:bob", 'ti:"bob gpus"', 'abs:"bob model"', "abs:bob's",
    "ti:schrodinger", "abs:schrodinger", 'ti:"schrodinger equation"', "abs:state-of-the-art",
    'abs:"state of the art"', "ti:graph-neural", 'ti:"neural networks"', "abs:naive", "abs:moller",
    "abs:aether", 'ti:"large language models"', 'abs:"language model"', "abs:quant*", 'abs:"large langu*"',
    'abs:"langu* model"', "ti:sched*", "co:pages", "co:github", "jr:phys", 'jr:"phys rev d"',
    "rn:cern-th-2024-001", "rn:cern*", "cat:cs.DC", "cat:CS.dc", "cat:cs", "cat:astro-ph", "cat:astro-ph.*",
    "cat:*.co", "cat:math*", "cat:cs.weird", "cat:cs.w*", "cat:hep-th ANDNOT cat:math-ph", "au:decouchant",
    "au:jeremie", "au:del_maestro", "au:del_mae*", "au:maestro_del", "au:wang AND au:li", "au:wang-li",
    "au:sor*", "au:soren", "au:lab", "au:decouchant_jeremie", "ti:bob ANDNOT au:decouchant_jeremie",
    "id:hep-th/9901001", "id:hep-th/9901001v2", "id:hep-th/9901001v1",
    "id:2601.08082v1", "id:2601.08082", "id:2501.*", "id:*v3", "id:hep-*/99*", "id:*.0000*",
    "doi:10.1103/physrevd.109.012345", "doi:10.1103*", "doi:*(99)*", "all:hep-th", "all:decouchant",
    "all:2501.00001", "all:quant*", "abs:learning ANDNOT cat:cs.LG", "ANDNOT cat:cs", "ANDNOT au:wang*",
    "(ti:graph OR abs:network) AND (cat:cs.LG OR cat:stat.ML) ANDNOT au:wang",
    "((abs:cache AND abs:latency) OR ti:serverless) ANDNOT (co:pages OR jr:phys)",
    "abs:model ANDNOT (abs:data ANDNOT abs:the)", "ti:tied OR ti:minute", "ti:*", "abs:the", 'abs:"the the"',
    "learning NOT model", "abs:data ANDNOT abs:the", "id:*", "cat:*", "ANDNOT id:2*", "au:(wang li) ANDNOT ti:a*",
    "wang_li", "all:li_wang*", "all:_", "$D_{\\rm",
]  # fmt: skip


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("limit", [20, 10_000])
def test_search_returns_exactly_what_the_matcher_selects(archive: Archive, query: str, limit: int) -> None:
    node = parse(query)
    assert search(archive.store._db, node, limit=limit) == archive.expected(node, limit)


def test_the_query_table_is_not_trivial(archive: Archive) -> None:
    """Most queries find something, and some find few: the table tests selection, not only emptiness."""
    counts = [len(archive.expected(parse(query), 10_000)) for query in QUERIES]
    assert sum(1 for count in counts if count > 0) >= 0.85 * len(QUERIES)
    assert sum(1 for count in counts if 0 < count < 20) >= 10


def test_ties_are_broken_by_id_descending(archive: Archive) -> None:
    """Papers updated in the same second, and in the same minute, come out exactly as the matcher sorts them."""
    hits = search(archive.store._db, parse("id:2501.0000* OR id:hep-th/9901001"))
    assert hits == [
        ("2501.00005", 1),  # a few seconds later, in the same minute
        ("2501.00006", 1),  # the same second: by id, descending
        ("2501.00004", 1),
        ("2501.00003", 1),
        ("2501.00002", 1),
        ("2501.00001", 1),
        ("hep-th/9901001", 2),  # a second earlier, still the same minute
    ]


def test_search_papers_returns_the_stored_latest_versions(archive: Archive) -> None:
    node = parse("abs:model")
    papers = search_papers(archive.store._db, node, limit=5)
    assert [(p.id, p.version) for p in papers] == archive.expected(node, 5)
    assert papers == [archive.store.latest(paper.id) for paper in papers]


# --- random queries from the archive's own words -------------------------------------------------------------


def _vocabulary() -> dict[str, list[str]]:
    papers = newest_first(every_version())
    words = sorted({w.strip('()"') for p in papers[::7] for w in (p.title + " " + p.abstract).split()} - {""})
    phrases = sorted({" ".join(p.abstract.replace('"', "").split()[i : i + 3]) for p in papers[::11] for i in (0, 5)})
    names = sorted({part for p in papers[::5] for a in p.authors for part in a.name.split() if '"' not in part})
    return {
        "words": [w for w in words if w and not set(w) & set('()"')],
        "phrases": [p for p in phrases if p.strip()],
        "names": names,
        "categories": sorted({c for p in papers for c in p.categories}),
        "ids": sorted({p.id for p in papers[::13]}),
    }


VOCABULARY = _vocabulary()


@st.composite
def terms(draw: st.DrawFn) -> Term:
    kind = draw(st.sampled_from(["word", "prefix", "phrase", "author", "category", "id", "doi"]))
    field = draw(st.sampled_from(["ti", "abs", "co", "jr", "rn", "all"]))
    if kind == "word":
        return Term(field, draw(st.sampled_from(VOCABULARY["words"])))
    if kind == "prefix":
        word = draw(st.sampled_from(VOCABULARY["words"]))
        return Term(field, word[: draw(st.integers(1, max(1, len(word))))] + "*")
    if kind == "phrase":
        phrase = draw(st.sampled_from(VOCABULARY["phrases"]))
        return Term(field, phrase + draw(st.sampled_from(["", "*"])), phrase=True)
    if kind == "author":
        names = draw(st.lists(st.sampled_from(VOCABULARY["names"]), min_size=1, max_size=2))
        star = draw(st.sampled_from(["", "*"]))
        # arXiv reads au:a_b as the phrase "a b", so a name with "_" is written as one (Term refuses it bare).
        must_quote = len(names) > 1 or any("_" in name for name in names)
        return Term("au", " ".join(names) + star, phrase=draw(st.booleans()) or must_quote)
    if kind == "category":
        category = draw(st.sampled_from(VOCABULARY["categories"]))
        form = draw(st.sampled_from(["whole", "archive", "wildcard", "suffix"]))
        text = {"whole": category, "archive": category.split(".")[0], "wildcard": category.split(".")[0] + "*",
                "suffix": "*" + category[-2:]}[form]  # fmt: skip
        return Term("cat", text.replace(" ", ""))
    paper_id = draw(st.sampled_from(VOCABULARY["ids"]))
    cut = draw(st.integers(2, len(paper_id)))
    if kind == "id":
        forms = [paper_id, paper_id + "v1", paper_id[:cut] + "*", "*" + paper_id[cut:]]
        return Term("id", draw(st.sampled_from(forms)))
    return Term("doi", "10." + draw(st.sampled_from(["1103", "4525", "1016"])) + draw(st.sampled_from(["*", "/*"])))


def trees() -> st.SearchStrategy[Node]:
    return st.recursive(
        terms(),
        lambda children: st.one_of(
            st.builds(And, st.lists(children, min_size=2, max_size=3).map(tuple)),
            st.builds(Or, st.lists(children, min_size=2, max_size=3).map(tuple)),
            st.builds(AndNot, children, children),
            st.builds(Not, children),
        ),
        max_leaves=6,
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(node=trees(), limit=st.sampled_from([1, 7, 50, 10_000]))
def test_random_queries_return_exactly_what_the_matcher_selects(archive: Archive, node: Node, limit: int) -> None:
    assert search(archive.store._db, node, limit=limit) == archive.expected(node, limit)


# --- the index itself ----------------------------------------------------------------------------------------


def vocabulary_of(db: sqlite3.Connection) -> list[tuple[str, str, int, int]]:
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocabulary USING fts5vocab(main, search_index, col)")
    return db.execute("SELECT term, col, doc, cnt FROM temp.search_vocabulary ORDER BY term, col").fetchall()


def test_re_keyed_papers_leave_the_index_as_a_fresh_build_would(tmp_path: Path) -> None:
    """Deleting from a contentless table needs the exact old values; a wrong one would leave stray tokens."""
    papers = list(synthetic.synthetic_papers(300, seed=3))
    with open_store(tmp_path / "incremental.db") as store:
        for version in range(1, 6):
            add(store, [paper for paper in papers if paper.version == version])
        add(store, papers)  # again: nothing changes
        incremental = vocabulary_of(store._db)
    with open_store(tmp_path / "fresh.db") as store:
        add(store, papers)
        assert vocabulary_of(store._db) == incremental
        with store.transaction():
            assert fts.rebuild(store._db) == len({paper.id for paper in papers})
        assert vocabulary_of(store._db) == incremental


def test_an_older_version_arriving_later_changes_nothing(tmp_path: Path) -> None:
    first, second = EDGE_PAPERS[0], replace(EDGE_PAPERS[0], version=2, title="Revised", updated=TIE + timedelta(days=9))
    with open_store(tmp_path / "papers.db") as store:
        add(store, [second])
        before = vocabulary_of(store._db)
        add(store, [first])
        assert vocabulary_of(store._db) == before
        assert search(store._db, parse("ti:revised")) == [(first.id, 2)]
        assert search(store._db, parse("ti:bob")) == []


def test_a_removed_paper_is_not_found_and_can_be_indexed_again(tmp_path: Path) -> None:
    with open_store(tmp_path / "papers.db") as store:
        add(store, EDGE_PAPERS)
        with store.transaction():
            fts.remove_paper(store._db, "2501.00001")
        assert fts.index_problem(store._db) == "some papers are not in the search index yet; index them"
        with store.transaction():
            assert fts.index_pending(store._db) == 1
        assert search(store._db, parse("abs:moller")) == [("2501.00001", 1)]


def test_papers_stored_without_the_index_are_a_clear_error_until_indexed(tmp_path: Path) -> None:
    with open_store(tmp_path / "papers.db") as store:
        with store.transaction():
            store.add_versions(EDGE_PAPERS, run=None)
        with pytest.raises(StoreError, match="some papers are not in the search index yet"):
            search(store._db, parse("abs:moller"))
        with store.transaction():
            assert fts.index_pending(store._db) == len(EDGE_PAPERS)
        assert search(store._db, parse("abs:moller")) == [("2501.00001", 1)]


def test_an_index_built_by_another_analysis_must_be_rebuilt(tmp_path: Path) -> None:
    with open_store(tmp_path / "papers.db") as store:
        add(store, EDGE_PAPERS)
        store.set_state("search_analysis", "0")
        with pytest.raises(StoreError, match="built by another version of dailypapers; rebuild it"):
            search(store._db, parse("abs:moller"))
        with store.transaction():
            fts.rebuild(store._db)
        assert search(store._db, parse("abs:moller")) == [("2501.00001", 1)]


def test_indexing_a_paper_that_is_not_stored_is_an_error(tmp_path: Path) -> None:
    with open_store(tmp_path / "papers.db") as store, pytest.raises(StoreError, match="2501.00001.*not stored"):
        fts.index_paper(store._db, EDGE_PAPERS[0])


def test_indexed_words_are_the_matchers_words() -> None:
    """Stems, not raw text: TeX accents, possessives and folded letters are resolved before FTS5 sees them."""
    title, abstract, *_, words, authors, categories, ids, doi = fts._row(EDGE_PAPERS[0])
    assert title.split()[:8] == ["bob", "gpu", "and", "the", "gpu", "cach", "graph", "neural"]
    assert "schroding" in title.split() and "schroding" in abstract.split()
    assert {"naiv", "moller", "aether"} <= set(abstract.split())
    assert "networks" in words.split() and "gpus" in words.split() and "graph" not in words.split()
    assert authors == "jeremie decouchant ¦ jeremie martin ¦ adrian del maestro"
    assert categories.split() == ["all", "6865702d7468", "6d6174682d7068", "6d6174682e6d70", "x6d617468"]
    assert ids == "2501.00001 2501.00001v1"
    assert doi == "10.1103/physrevd.109.012345"


# --- what the compiler emits ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expression", "exact"),
    [
        ('ti:"Bob\'s GPUs"', 'title : ("bob" + "gpu")', True),
        ("abs:graph-neural", 'abstract : ("graph" AND "neural")', True),
        ("cat:cs.DC", 'categories : ("63732e6463")', True),
        ("cat:cs", 'categories : ("6373" OR "x6373")', True),
        ("au:del_mae*", 'authors : ("del" + "mae" *)', True),
        ("au:del-maestro", 'authors : ("del" AND "maestro")', False),
        ("ti:quant*", '((title : "quant" *) OR (words : "quant" *))', False),
        ("ti:llm ANDNOT cat:cs.CL", '(title : ("llm")) NOT (categories : ("63732e636c"))', True),
        ("ti:llm ANDNOT ti:quant*", 'title : ("llm")', False),
        ("ANDNOT ti:llm", '(categories : "all") NOT (title : ("llm"))', True),
        ("ti:llm OR id:*", None, False),
        ("ti:*", "", True),
        ("id:2401.12345v2", 'ids : ("2401" + "12345v2")', False),
        ("doi:*physrevd.1*", '(doi : ("1" *))', False),
    ],
)
def test_compiled_candidates(query: str, expression: str | None, exact: bool) -> None:
    compiled = compile_candidates(parse(query), lambda: ["cs.dc", "cs.cl"])
    assert (compiled.expression, compiled.exact) == (expression, exact)


def test_all_searches_the_fields_the_matcher_searches() -> None:
    from dailypapers.query import terms
    from dailypapers.store import search as search_module

    assert search_module._ALL_FIELDS == terms._ALL_FIELDS
