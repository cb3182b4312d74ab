"""The digest reads what it shows: the category scope is decided by SQL, and reading stops at ``max_papers``.

The SQL scope (``store/scope.py``) must select exactly the versions the matcher's scope query selects
(``match/verdicts.scope_query`` + ``in_scope``), on the cases where the two could part: cross-lists, a primary
category not repeated in the list, ``math-ph`` beside ``math.*``, archives whose old papers carry no class
(``astro-ph``), a prefix that is not an archive (``mathematics``), case, and the empty scope. Then, on a real
store with thousands of old matches, a topic's section is exactly its newest ``max_papers`` papers in scope,
read whole and no more, in a number of statements that does not grow with the archive.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dailypapers.config import Config, load_config
from dailypapers.match.digest import build_digest, build_message
from dailypapers.match.verdicts import in_scope, scope_query
from dailypapers.model import Author, Paper
from dailypapers.query import Matcher, Node, Term, parse
from dailypapers.store import MatchRow, RunRecord, Store

BASE = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)

# (primary, listed categories): each a way for a scope to be decided wrongly.
TRICKY = [
    ("cs.DC", ("cs.DC",)),
    ("cs.LG", ("stat.ML",)),  # the primary is not repeated in the list
    ("hep-th", ("hep-th", "cs.DC")),  # a cross-list into cs
    ("math-ph", ("math-ph", "math.MP")),  # math-ph is not math.*, math.MP is
    ("math-ph", ("math-ph",)),
    ("math.AP", ("math.AP",)),
    ("physics.optics", ("physics.optics",)),
    ("physics.comp-ph", ("physics.comp-ph", "cond-mat.str-el")),
    ("astro-ph", ("astro-ph",)),  # an old paper of an archive that has classes today
    ("astro-ph.CO", ("astro-ph.CO", "gr-qc")),
    ("q-bio.NC", ("q-bio.NC", "q-fin.CP")),
    ("CS.dc", ("CS.dc",)),  # case
    ("mathematics.XX", ("mathematics.XX",)),  # starts like math, is not math
    ("hep-thx", ("hep-thx",)),  # starts like hep-th
    ("hep-th.XX", ("hep-th.XX",)),  # an archive term also takes its dotted names
    ("eess.SP", ("eess.SP", "cs.IT", "math.IT")),  # an alias pair
    ("nlin.CD", ("nlin.CD", "physics.comp-ph")),
    ("gr-qc", ("gr-qc",)),
]

SCOPES = [
    (),
    ("cs",),
    ("cs.DC",),
    ("math",),
    ("math-ph",),
    ("physics",),
    ("physics.optics",),
    ("hep-th",),
    ("astro-ph",),
    ("cond-mat",),
    ("q-bio",),
    ("q-fin.CP",),
    ("stat",),
    ("gr-qc", "nlin"),
    ("cs.DC", "hep-th", "math"),
]

# Scope-like queries beyond a list of categories: operators, wildcards with GLOB's own special characters,
# and a term only the matcher can decide (read by the matcher instead, with the same answer).
QUERIES = [
    "cat:cs ANDNOT cat:cs.LG",
    "NOT cat:hep-th",
    "cat:cs AND cat:stat.ML",
    "(cat:cs OR cat:math) ANDNOT cat:math-ph",
    "cat:*ph*",
    "cat:hep-th OR ti:graph",
    "cat:hep-th AND NOT ti:quantum",
]
ODD_TERMS = [Term("cat", "c?.*"), Term("cat", "[x]*"), Term("cat", "cs.d*"), Term("cat", "*")]


def paper(number: int, primary: str, categories: tuple[str, ...], version: int = 1, minutes: int = 0) -> Paper:
    moment = BASE + timedelta(minutes=minutes if minutes else number)
    return Paper(
        id=f"2501.{number:05d}",
        version=version,
        title=f"Graph scheduling {number}" if number % 3 else "Quantum graph codes",
        abstract="We study graphs.",
        authors=(Author("Ada Writer", ("Somewhere",)),),
        categories=categories,
        primary_category=primary,
        published=BASE,
        updated=moment,
    )


def tricky_papers() -> list[Paper]:
    papers = [paper(n + 1, primary, listed) for n, (primary, listed) in enumerate(TRICKY)]
    # Later versions that leave or enter the scope: the latest version's categories decide a section.
    papers.append(paper(1, "hep-th", ("hep-th",), version=2, minutes=500))
    papers.append(paper(9, "astro-ph.GA", ("astro-ph.GA",), version=2, minutes=501))
    return papers


@pytest.fixture(scope="module")
def tricky_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store.open(tmp_path_factory.mktemp("scope") / "dailypapers.db")
    with store.transaction():
        run = store.begin_run(BASE)
        store.add_versions(tricky_papers(), run)
        store.set_topic("graph", "graph", run)
        for each in tricky_papers():
            store.add_match("graph", each.id, each.version, run)
    return store


def keys_in(scope: Node | None) -> set[tuple[str, int]]:
    return {(p.id, p.version) for p in tricky_papers() if in_scope(scope, p)}


@pytest.mark.parametrize("categories", SCOPES, ids=lambda c: ",".join(c) or "everything")
def test_the_sql_scope_selects_exactly_the_versions_the_matcher_does(
    tricky_store: Store, categories: tuple[str, ...]
) -> None:
    scope = scope_query(categories)
    keys = [(p.id, p.version) for p in tricky_papers()]
    assert set(tricky_store.papers(keys, scope)) == keys_in(scope)


@pytest.mark.parametrize("categories", SCOPES, ids=lambda c: ",".join(c) or "everything")
def test_a_section_is_the_newest_latest_versions_in_scope(tricky_store: Store, categories: tuple[str, ...]) -> None:
    scope = scope_query(categories)
    latest = {p.id: p for p in sorted(tricky_papers(), key=lambda p: p.version)}
    expected = sorted((p for p in latest.values() if in_scope(scope, p)), key=lambda p: (p.updated, p.id))[::-1]
    for limit in (1, 3, 100):
        assert tricky_store.newest_matched("graph", scope, limit) == expected[:limit]


@pytest.mark.parametrize("query", QUERIES)
def test_scope_queries_with_operators_agree_with_the_matcher(tricky_store: Store, query: str) -> None:
    node = parse(query)
    keys = [(p.id, p.version) for p in tricky_papers()]
    expected = {(p.id, p.version) for p in tricky_papers() if Matcher(node).matches(p)}
    assert set(tricky_store.papers(keys, node)) == expected
    assert [p.id for p in tricky_store.newest_matched("graph", node, 100)] == [
        p.id for p in tricky_store.newest_matched("graph", None, 100) if Matcher(node).matches(p)
    ]


@pytest.mark.parametrize("term", ODD_TERMS, ids=str)
def test_wildcards_keep_globs_own_characters_literal(tmp_path: Path, term: Term) -> None:
    odd = [paper(1, "c?.x", ("c?.x",)), paper(2, "cs.x", ("cs.x",)), paper(3, "[x]y", ("[x]y",))]
    odd += [paper(4, "xy", ("xy",)), paper(5, "cs.DC", ("cs.DC",))]
    with Store.open(tmp_path / "dailypapers.db") as store:
        with store.transaction():
            store.add_versions(odd, None)
        chosen = store.papers([(p.id, p.version) for p in odd], term)
    assert set(chosen) == {(p.id, p.version) for p in odd if Matcher(term).matches(p)}


# --- the bound: a big archive with many old matches --------------------------------------------------------

IN_SCOPE = ("cs.DC", ("cs.DC", "cs.LG"))
CROSS_LISTED = ("hep-th", ("hep-th", "cs.DC"))
OUT_OF_SCOPE = [("hep-th", ("hep-th",)), ("math.AP", ("math.AP", "math-ph")), ("astro-ph.CO", ("astro-ph.CO",))]


def big_paper(number: int) -> Paper:
    """Three in five papers out of scope; a cross-list now and then; every seventh shares its minute."""
    kind = number % 5
    primary, listed = IN_SCOPE if kind == 0 else CROSS_LISTED if kind == 1 else OUT_OF_SCOPE[kind - 2]
    return paper(number, primary, listed, minutes=number - number % 7 + 1)


def big_archive(folder: Path, size: int, max_papers: int) -> tuple[Config, list[Paper], RunRecord]:
    """``size`` papers matched long ago, and a run today that matched three new ones."""
    folder.mkdir(exist_ok=True)
    config_path = folder / "dailypapers.toml"
    config_path.write_text(
        f'max_papers = {max_papers}\n[scope]\ncategories = ["cs"]\n[[topics]]\nname = "graph"\n', encoding="utf-8"
    )
    config = load_config(config_path, environ={})
    old, new = [big_paper(n) for n in range(1, size + 1)], [big_paper(n) for n in range(size + 1, size + 4)]
    with Store.open(config.database) as store:
        for papers, when in ((old, BASE), (new, BASE + timedelta(days=400))):
            with store.transaction():
                run = store.begin_run(when)
                store.add_versions(papers, run)
                store.set_topic("graph", "graph", run)
                for each in papers:
                    store.add_match("graph", each.id, 1, run)
                store.finish_run(run, when, "new")
            store.mark_published(run)
        record = store.last_successful_run()
    assert record is not None
    return config, old + new, record


def counted_digest(config: Config, record: RunRecord) -> tuple[list[str], list[str], int, int]:
    """The section's ids, the notification's ids, the versions read whole and the statements run."""
    with Store.open(config.database) as store:
        statements: list[str] = []
        store._db.set_trace_callback(statements.append)
        digest = build_digest(store, config, record)
        store._db.set_trace_callback(None)
        read = store.papers_read
    section = [listed.paper.id for listed in digest.sections[0].papers]
    new = [listed.paper.id for listed in digest.new[0].papers]
    return section, new, read, len(statements)


def newest_in_scope(papers: list[Paper], config: Config) -> list[str]:
    scope = scope_query(config.categories)
    ordered = sorted(papers, key=lambda p: (p.updated, p.id), reverse=True)
    return [p.id for p in ordered if in_scope(scope, p)][: config.max_papers]


@pytest.mark.parametrize("size", [1_000, 4_000])
def test_many_old_matches_show_exactly_max_papers_newest_in_scope_and_read_no_more(tmp_path: Path, size: int) -> None:
    config, papers, record = big_archive(tmp_path, size, max_papers=25)
    section, new, read, _ = counted_digest(config, record)
    assert section == newest_in_scope(papers, config)
    assert len(section) == 25
    assert new == newest_in_scope(papers[-3:], config) == [papers[-3].id]  # today's: a cross-list into cs
    assert read == len(section) + len(new), "only the papers shown are read whole"


def test_the_digest_costs_the_same_statements_whatever_the_archive(tmp_path: Path) -> None:
    small = counted_digest(*big_archive(tmp_path / "small", 500, max_papers=25)[::2])
    large = counted_digest(*big_archive(tmp_path / "large", 5_000, max_papers=25)[::2])
    assert small[2] == large[2] == 25 + 1  # the section, and today's one new paper in scope
    assert small[3] == large[3], "statements grow with the archive: a query per paper somewhere"


def test_a_message_reads_its_papers_a_page_at_a_time_and_keeps_their_order(tmp_path: Path) -> None:
    config, papers, record = big_archive(tmp_path, 400, max_papers=25)
    scope = scope_query(config.categories)
    matches = [MatchRow("graph", p.id, 1, record.id, False, "graph") for p in reversed(papers[:400])]
    matches.insert(7, MatchRow("unknown topic", papers[0].id, 1, record.id, False))
    counts = []
    for owed in (matches[:40], matches):
        with Store.open(config.database) as store:
            statements: list[str] = []
            digest = build_digest(store, config, record)
            store._db.set_trace_callback(statements.append)
            message = build_message(store, config, digest, owed, limit=10)
            store._db.set_trace_callback(None)
        counts.append(len(statements))
        shown = [listed.paper.id for section in message.sections for listed in section.papers]
        wanted = [m.paper_id for m in owed if m.topic == "graph"]
        assert shown == [p for p in wanted if in_scope(scope, next(x for x in papers if x.id == p))]
    assert counts[0] == counts[1], "one page of statements for 40 papers as for 400"


def store_with(folder: Path, papers: list[Paper], matched: list[Paper]) -> Store:
    store = Store.open(folder / "dailypapers.db")
    with store.transaction():
        run = store.begin_run(BASE)
        store.add_versions(papers, run)
        store.set_topic("graph", "graph", run)
        for each in matched:
            store.add_match("graph", each.id, each.version, run)
    return store


def traced_newest(store: Store, scope: Node | None, limit: int) -> tuple[list[str], list[str]]:
    statements: list[str] = []
    store._db.set_trace_callback(statements.append)
    shown = [p.id for p in store.newest_matched("graph", scope, limit)]
    store._db.set_trace_callback(None)
    return shown, statements


def test_a_common_topic_is_read_from_the_newest_papers_alone(tmp_path: Path) -> None:
    papers = [big_paper(n) for n in range(1, 3_001)]
    scope = scope_query(("cs",))
    with store_with(tmp_path, papers, papers) as store:
        shown, statements = traced_newest(store, scope, 25)
    assert (
        shown
        == [p.id for p in sorted(papers, key=lambda p: (p.updated, p.id), reverse=True) if in_scope(scope, p)][:25]
    )
    assert not any("LIMIT -1" in sql for sql in statements), "the topic's whole list was sorted"


def test_a_rare_topic_whose_newest_papers_are_out_of_scope_is_still_exact(tmp_path: Path) -> None:
    """The newest part of the archive holds too few: the topic's own list is read, newest first."""
    old = [paper(n, "cs.DC", ("cs.DC",)) for n in range(1, 51)]
    recent = [paper(n, "hep-th", ("hep-th",)) for n in range(51, 401)]
    scope = scope_query(("cs",))
    with store_with(tmp_path, old + recent, old[::3] + recent) as store:
        shown, statements = traced_newest(store, scope, 5)
        assert store.papers_read == 5
    assert shown == [p.id for p in old[::3]][::-1][:5]
    assert any("LIMIT -1" in sql for sql in statements)


def test_ties_at_the_edge_of_the_newest_papers_are_ordered_by_id_as_ever(tmp_path: Path) -> None:
    """Sixty papers of the same second, stored highest id first: the newest part cannot tell which comes first."""
    papers = [paper(n, "cs.DC", ("cs.DC",), minutes=5) for n in range(60, 0, -1)]
    matched = [p for p in papers if int(p.id[-2:]) % 2 == 0]
    with store_with(tmp_path, papers, matched) as store:
        for limit in (1, 2, 7):
            shown, _ = traced_newest(store, scope_query(("cs.DC",)), limit)
            assert shown == sorted((p.id for p in matched), reverse=True)[:limit]
        assert store.newest_matched("graph", None, 0) == []


def test_a_message_decides_the_scope_on_the_version_it_lists(tmp_path: Path) -> None:
    """A version's own categories decide, not the latest's; a paper owed under two topics is listed under both."""
    config_path = tmp_path / "dailypapers.toml"
    config_path.write_text(
        '[scope]\ncategories = ["cs"]\n[[topics]]\nname = "graph"\n[[topics]]\nname = "quantum"\n', encoding="utf-8"
    )
    config = load_config(config_path, environ={})
    first, moved = paper(3, "cs.DC", ("cs.DC",)), paper(3, "hep-th", ("hep-th",), version=2, minutes=90)
    back = paper(6, "hep-th", ("hep-th",))
    later = paper(6, "hep-th", ("hep-th", "cs.DC"), version=2, minutes=91)
    with store_with(tmp_path, [first, moved, back, later], []) as store:
        owed = [
            MatchRow("quantum", later.id, 2, 1, True, "quantum"),
            MatchRow("graph", moved.id, 2, 1, True, "graph"),
            MatchRow("graph", first.id, 1, 1, False, "graph"),
            MatchRow("graph", back.id, 1, 1, False, "graph"),
            MatchRow("graph", later.id, 2, 1, True, "graph"),
        ]
        record = RunRecord(1, BASE, BASE, "new", 0, True, 0, 0, 0, 0, 0, None)
        digest = build_digest(store, config, record)
        message = build_message(store, config, digest, owed, limit=10)
    listed = {s.topic: [(item.paper.id, item.paper.version) for item in s.papers] for s in message.sections}
    assert listed == {"graph": [(first.id, 1), (later.id, 2)], "quantum": [(later.id, 2)]}
