"""The topic query language: parsing, errors, printing, API compilation, and local matching on papers."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest

from dailypapers.errors import QuerySyntaxError
from dailypapers.model import Author, Paper
from dailypapers.query import (
    And,
    AndNot,
    Matcher,
    Node,
    Not,
    Or,
    Term,
    analyse,
    evaluate,
    explain,
    format_query,
    matches,
    parse,
    to_api_query,
    topic_query,
)

WHEN = datetime(2026, 1, 5, 19, 0, tzinfo=UTC)


def make_paper(
    title: str = "A title",
    abstract: str = "An abstract.",
    authors: tuple[str, ...] = ("Ada Lovelace",),
    categories: tuple[str, ...] = ("cs.LG",),
    comment: str | None = None,
    journal_ref: str | None = None,
    report_no: str | None = None,
    doi: str | None = None,
    id: str = "2601.00001",
    version: int = 1,
) -> Paper:
    """A paper with only what a test sets; ``categories`` lists the primary category first."""
    return Paper(
        id=id,
        version=version,
        title=title,
        abstract=abstract,
        authors=tuple(Author(name) for name in authors),
        categories=categories,
        primary_category=categories[0],
        published=WHEN,
        updated=WHEN,
        comment=comment,
        journal_ref=journal_ref,
        doi=doi,
        report_no=report_no,
    )


def all_(text: str) -> Term:
    return Term("all", text)


# Parsing: query → canonical text

CANONICAL = [
    ("graph", "all:graph"),
    ("ti:graph", "ti:graph"),
    ("title:graph", "ti:graph"),
    ("TI:Graph", "ti:Graph"),
    ('ti:"graph   neural network"', 'ti:"graph neural network"'),
    ('"quantum criticality"', 'all:"quantum criticality"'),
    ("ti:graph neural", "ti:graph OR all:neural"),
    ("ti:(graph neural)", "ti:graph OR ti:neural"),
    ('ti:(graph "neural net" au:smith)', 'ti:graph OR ti:"neural net" OR au:smith'),
    ("ti:(a (b c))", "ti:a OR (ti:b OR ti:c)"),
    ("abs:(a AND b)", "abs:a AND abs:b"),
    ("au:del_maestro", 'au:"del maestro"'),
    ("au:(del_maestro)", 'au:"del maestro"'),
    ("au:del_mae*", 'au:"del mae*"'),
    ("a and b", "all:a OR all:and OR all:b"),
    ("a AND b OR c", "all:a AND all:b OR all:c"),
    ("a OR b AND c", "all:a OR all:b AND all:c"),
    ("a b AND c", "all:a OR all:b AND all:c"),
    ("(a OR b) AND c", "(all:a OR all:b) AND all:c"),
    ("a AND b AND c", "all:a AND all:b AND all:c"),
    ("(a AND b) AND c", "(all:a AND all:b) AND all:c"),
    ("a OR (b OR c)", "all:a OR (all:b OR all:c)"),
    ("a ANDNOT b ANDNOT c", "all:a ANDNOT all:b ANDNOT all:c"),
    ("a ANDNOT (b ANDNOT c)", "all:a ANDNOT (all:b ANDNOT all:c)"),
    ("a ANDNOT b AND c", "all:a ANDNOT all:b AND all:c"),
    ("a AND (b ANDNOT c)", "all:a AND (all:b ANDNOT all:c)"),
    ("a AND NOT b", "all:a ANDNOT all:b"),
    ("a NOT b", "all:a ANDNOT all:b"),
    ("ANDNOT a", "ANDNOT all:a"),
    ("NOT a", "ANDNOT all:a"),
    ("ANDNOT a OR b", "(ANDNOT all:a) OR all:b"),
    ("ANDNOT (a OR b)", "ANDNOT (all:a OR all:b)"),
    ("((a))", "all:a"),
    ("cat:cs.*", "cat:cs.*"),
    ('cat:"cs.LG"', 'cat:"cs.LG"'),
    ("id:2601.00001v2", "id:2601.00001v2"),
    ("doi:10.1103/PhysRevLett.130.1", "doi:10.1103/PhysRevLett.130.1"),
    ("ti:x\nAND\tabs:y", "ti:x AND abs:y"),
    ("ti:au:x", "ti:au:x"),
    ("au:del_maestro ANDNOT (ti:checkerboard OR ti:Pyrochlore)",
     'au:"del maestro" ANDNOT (ti:checkerboard OR ti:Pyrochlore)'),
    ('au:del_maestro AND ti:"quantum criticality"', 'au:"del maestro" AND ti:"quantum criticality"'),
]  # fmt: skip


@pytest.mark.parametrize(("query", "canonical"), CANONICAL)
def test_canonical_text(query: str, canonical: str) -> None:
    assert format_query(parse(query)) == canonical


@pytest.mark.parametrize(("query", "canonical"), CANONICAL)
def test_canonical_text_parses_to_the_same_tree(query: str, canonical: str) -> None:
    assert parse(canonical) == parse(query)


TREES = [
    ("a OR b AND c", Or((all_("a"), And((all_("b"), all_("c")))))),
    ("a ANDNOT b AND c", And((AndNot(all_("a"), all_("b")), all_("c")))),
    ("a AND b AND c", And((all_("a"), all_("b"), all_("c")))),
    ("ANDNOT a AND b", And((Not(all_("a")), all_("b")))),
    ("ti:graph neural", Or((Term("ti", "graph"), all_("neural")))),
    ("ti:(a and b)", Or((Term("ti", "a"), Term("ti", "and"), Term("ti", "b")))),
    ("au:del_maestro", Term("au", "del maestro", phrase=True)),
    ('ti:"graph"', Term("ti", "graph", phrase=True)),
]


@pytest.mark.parametrize(("query", "tree"), TREES)
def test_tree(query: str, tree: Node) -> None:
    assert parse(query) == tree


# Syntax errors: exact message and span

ERRORS = [
    ("", "empty query", 0, 1),
    ("   ", "empty query", 0, 3),
    ("(a", "unbalanced '('", 0, 1),
    ("a OR (b AND c", "unbalanced '('", 5, 6),
    ("(", "unbalanced '('", 0, 1),
    ("a)", "unexpected ')'", 1, 2),
    (")", "unexpected ')'", 0, 1),
    ("a AND", "expected a term after 'AND'", 2, 5),
    ("AND a", "expected a term before 'AND'", 0, 3),
    ("a AND AND b", "expected a term after 'AND'", 2, 5),
    ("a OR", "expected a term after 'OR'", 2, 4),
    ("OR a", "expected a term before 'OR'", 0, 2),
    ("a OR OR b", "expected a term after 'OR'", 2, 4),
    ("ANDNOT", "expected a term after 'ANDNOT'", 0, 6),
    ("a ANDNOT", "expected a term after 'ANDNOT'", 2, 8),
    ("a AND NOT", "expected a term after 'AND NOT'", 2, 9),
    ("(a AND)", "expected a term after 'AND'", 3, 6),
    ("( AND a)", "expected a term before 'AND'", 2, 5),
    ("()", "empty parentheses", 0, 2),
    ("ti:()", "empty parentheses", 3, 5),
    ('"graph neural', "unterminated quote", 0, 13),
    ('ti:"graph', "unterminated quote", 3, 9),
    ("ti:", "expected a term after 'ti:'", 0, 3),
    ("ti: graph", "expected a term after 'ti:'", 0, 3),
    ("a AND au:", "expected a term after 'au:'", 6, 9),
    ("foo:bar", "unknown field 'foo'; use one of ti, au, abs, co, jr, cat, rn, id, all", 0, 3),
    ("ti:x OR Foo:(y)", "unknown field 'Foo'; use one of ti, au, abs, co, jr, cat, rn, id, all", 8, 11),
    ('ti:""', "empty phrase", 3, 5),
    ('"  "', "empty phrase", 0, 4),
    ("au:_", "expected a name, not only '_'", 3, 4),
    ("submittedDate:[202301010600 TO 202401010600]",
     "field 'submittedDate' is not supported in topic queries; every run already selects new papers", 0, 13),
    ("(" * 70 + "a" + ")" * 70, "query nested too deeply", 64, 65),
    ("ANDNOT " * 70 + "a", "query nested too deeply", 448, 454),
]  # fmt: skip


@pytest.mark.parametrize(("query", "message", "start", "end"), ERRORS)
def test_syntax_error(query: str, message: str, start: int, end: int) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query)
    assert (caught.value.message, caught.value.start, caught.value.end) == (message, start, end)


def test_syntax_error_shows_a_caret_under_the_span() -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse("a AND AND b")
    assert str(caught.value) == "expected a term after 'AND' at column 3\n  a AND AND b\n    ^^^"


def test_syntax_error_in_a_multiline_query_is_shown_on_one_line() -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse("ti:graph AND\n(abs:x")
    assert str(caught.value).splitlines()[1:] == ["  ti:graph AND (abs:x", "               ^"]


# Round trips: print → parse gives the same tree, for hand-built, random and fuzzed queries

WORDS = ["graph", "neural", "del maestro", "GPU", "cs.*", "2601.00001", "x*", "and"]


def random_tree(rng: random.Random, depth: int = 0) -> Node:
    """A random tree over every node type; texts with spaces become phrases."""
    choice = rng.randrange(6) if depth < 4 else 0
    if choice <= 1:
        text = rng.choice(WORDS)
        field = rng.choice(["ti", "abs", "au", "cat", "id", "all", "co"])
        return Term(field, text, phrase=" " in text or rng.random() < 0.3)
    if choice == 2:
        return And(tuple(random_tree(rng, depth + 1) for _ in range(rng.randint(2, 3))))
    if choice == 3:
        return Or(tuple(random_tree(rng, depth + 1) for _ in range(rng.randint(2, 3))))
    if choice == 4:
        return AndNot(random_tree(rng, depth + 1), random_tree(rng, depth + 1))
    return Not(random_tree(rng, depth + 1))


def test_random_trees_round_trip() -> None:
    rng = random.Random(20260105)
    for _ in range(500):
        tree = random_tree(rng)
        assert parse(format_query(tree)) == tree, format_query(tree)


SAMPLE_PAPERS = [
    make_paper(title="Graph neural networks on GPUs", authors=("Adrian Del Maestro",), categories=("cs.LG",)),
    make_paper(title="Neural graph and x-rays", abstract="We use a GPU.", categories=("math.OC", "cs.DS")),
    make_paper(title="Nothing", abstract="and more", id="2601.00002", categories=("hep-th",)),
]


def test_api_query_means_the_same_as_the_tree() -> None:
    """The API text parses back (our grammar is a superset of arXiv's) to a query with the same matches."""
    rng = random.Random(7)
    documents = [analyse(paper) for paper in SAMPLE_PAPERS]
    for _ in range(300):
        tree = random_tree(rng)
        compiled = parse(to_api_query(tree))
        assert [evaluate(compiled, d) for d in documents] == [evaluate(tree, d) for d in documents]


def test_fuzzed_queries_parse_or_fail_cleanly() -> None:
    """Any string either parses to a tree that round-trips, or raises QuerySyntaxError inside the query."""
    rng = random.Random(11)
    pieces = ["a", "b", " ", "(", ")", '"', "ti:", "au:", "x_y", "AND", "OR", "ANDNOT", "NOT", "*", ":", "é"]
    for _ in range(3000):
        query = "".join(rng.choice(pieces) + rng.choice(["", " "]) for _ in range(rng.randint(0, 10)))
        try:
            tree = parse(query)
        except QuerySyntaxError as err:
            assert 0 <= err.start < err.end <= max(len(query), 1), query
            continue
        assert parse(format_query(tree)) == tree, query


def test_term_refuses_text_that_cannot_be_printed() -> None:
    with pytest.raises(ValueError):
        Term("ti", "two words")
    with pytest.raises(ValueError):
        Term("ti", 'say "hi"', phrase=True)
    with pytest.raises(ValueError):
        Term("foo", "x")
    with pytest.raises(ValueError):
        Or((Term("ti", "x"),))


# Compiling to the arXiv API

API = [
    ("au:del_maestro AND ti:checkerboard", '(au:"del maestro" AND ti:checkerboard)'),
    ("a OR b AND c", "(all:a OR (all:b AND all:c))"),
    ("a ANDNOT b AND c", "((all:a ANDNOT all:b) AND all:c)"),
    ("cat:cs.* ANDNOT cat:cs.CV", "(cat:cs.* ANDNOT cat:cs.CV)"),
    ("ANDNOT ti:y AND ti:x", "(ti:x ANDNOT ti:y)"),
    ("ti:x AND ti:z AND NOT ti:y", "((ti:x AND ti:z) ANDNOT ti:y)"),
    ("ANDNOT a AND ANDNOT b", "(ANDNOT (all:a OR all:b))"),
    ("ANDNOT a", "(ANDNOT all:a)"),
    ("au:del_mae*", "au:del_mae*"),
    ('cat:"cs.LG"', "cat:cs.LG"),
    ('ti:"graph neural network"', 'ti:"graph neural network"'),
    ("ti:graph", "ti:graph"),
]


@pytest.mark.parametrize(("query", "api"), API)
def test_api_query(query: str, api: str) -> None:
    assert to_api_query(parse(query)) == api


# Topics given by name or by query


def test_topic_by_name_searches_title_and_abstract_for_the_phrase() -> None:
    node = topic_query("graph neural networks", None)
    assert format_query(node) == 'ti:"graph neural networks" OR abs:"graph neural networks"'
    assert to_api_query(node) == '(ti:"graph neural networks" OR abs:"graph neural networks")'


def test_topic_by_name_drops_quotes_from_the_name() -> None:
    assert topic_query('the "best"  model', None) == parse('ti:"the best model" OR abs:"the best model"')


def test_topic_with_query_parses_the_query() -> None:
    assert topic_query("GNN", "ti:graph") == Term("ti", "graph")


def test_topic_syntax_error_names_the_topic() -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        topic_query("GNN", "ti:(graph")
    assert caught.value.topic == "GNN"
    assert str(caught.value).startswith("topic 'GNN': unbalanced '(' at column 4\n")


def test_topic_without_name_or_query_is_an_error() -> None:
    with pytest.raises(QuerySyntaxError, match="a topic needs a name or a query"):
        topic_query(' " ', None)


# Matching papers locally

RL_FAR_APART = (
    "We study reinforcement of concrete beams. Separately, and with no link to the above, we report on "
    "machine learning."
)

MATCHING = [
    # title and abstract: analysis as arXiv's English analyzer
    ('ti:"graph neural network"', {"title": "Graph Neural Networks for X"}, True),
    ('ti:"graph neural network"', {"title": "Scaling graph-neural-networks"}, True),
    ('ti:"graph neural network"', {"title": "Neural graph networks"}, False),
    ('ti:"graph neural network"', {"title": "Graph networks, neural and otherwise"}, False),
    ('ti:"graph neural network"', {"abstract": "Graph neural networks."}, False),
    ("abs:GPU", {"abstract": "We train on GPUs."}, True),
    ("abs:gpus", {"abstract": "We train on one GPU."}, True),
    ("abs:model", {"abstract": "We measure the model's accuracy."}, True),
    ("abs:model", {"abstract": "We measure the model’s accuracy."}, True),
    ("abs:model's", {"abstract": "A model."}, True),
    ('ti:"pineapple"', {"title": "Pineapples"}, True),
    ('abs:"reinforcement learning"', {"abstract": RL_FAR_APART}, False),
    ("abs:reinforcement AND abs:learning", {"abstract": RL_FAR_APART}, True),
    ('ti:"reinforcement learning"', {"title": "Deep Reinforcement-Learning Agents"}, True),
    ('ti:"reinforcement learning"', {"title": "Reinforcement Learned Policies"}, True),
    ('abs:"graph neural network"', {"abstract": "A graph. Neural networks follow."}, True),
    ("ti:graph-neural", {"title": "Neural models of a graph"}, True),
    ("ti:graph-neural", {"title": "A graph"}, False),
    ('ti:"learning to rank"', {"title": "Learning to Rank"}, True),
    ('ti:"learning to rank"', {"title": "Learning for Rank"}, False),
    ("ti:schrodinger", {"title": 'The Schr\\"odinger equation'}, True),
    ("ti:schrodinger", {"title": 'The Schr{\\"o}dinger equation'}, True),
    ("ti:schrödinger", {"title": "The Schrodinger equation"}, True),
    ("ti:quant*", {"title": "Quantization of networks"}, True),
    ("ti:quant*", {"title": "Quarks"}, False),
    ('ti:"graph neur*"', {"title": "Graph neurons"}, True),
    ("abs:mathbb", {"abstract": "Codes over $\\mathbb{F}_2$ and $\\{0,1\\}^n$."}, True),
    ('abs:"F 2"', {"abstract": "Codes over $\\mathbb{F}_2$."}, False),  # ``_`` joins: ``_2`` is one word
    ("abs:F_2", {"abstract": "Codes over $F_2$."}, True),
    ("ti:and", {"title": "Salt and pepper"}, True),
    ("ti:and", {"title": "Salt, pepper"}, False),
    ("ti:graph quantum", {"title": "Quantum walks"}, True),
    # operators
    ("abs:GPU ANDNOT ti:quantum", {"abstract": "On GPUs.", "title": "Quantum circuits"}, False),
    ("abs:GPU ANDNOT ti:quantum", {"abstract": "On GPUs.", "title": "Circuits"}, True),
    ("ANDNOT ti:quantum", {"title": "Circuits"}, True),
    ("ANDNOT ti:quantum", {"title": "Quantum circuits"}, False),
    ("ti:circuits OR ti:quantum AND ti:walks", {"title": "Circuits"}, True),
    ("(ti:circuits OR ti:quantum) AND ti:walks", {"title": "Circuits"}, False),
    # categories: primary and cross-lists, wildcards, archives
    ("cat:cs.*", {"categories": ("math.OC", "cs.LG")}, True),
    ("cat:cs.*", {"categories": ("math.OC", "stat.ML")}, False),
    ("cat:cs", {"categories": ("math.OC", "cs.AI")}, True),
    ("cat:CS.lg", {"categories": ("cs.LG",)}, True),
    ("cat:stat.ML", {"categories": ("cs.LG", "stat.ML")}, True),
    ("cat:cs.LG", {"categories": ("cs.LGX",)}, False),
    ("cat:astro-ph", {"categories": ("astro-ph.CO",)}, True),
    ("cat:astro-ph", {"categories": ("astro-ph",)}, True),
    ("cat:math", {"categories": ("math-ph",)}, False),
    ("cat:hep-th", {"categories": ("hep-th", "gr-qc")}, True),
    ("cat:q-fin.*", {"categories": ("econ.GN", "q-fin.EC")}, True),
    ("cat:*", {"categories": ("hep-th",)}, True),
    # authors: folded, no stemming, phrases within one name, prefix wildcards
    ("au:jeremie", {"authors": ("Jérémie Decouchant",)}, True),
    ("au:Jérémie", {"authors": ("Jeremie Decouchant",)}, True),
    ("au:jeremie", {"authors": ("J\\'er\\'emie Decouchant",)}, True),
    ("au:lukasz", {"authors": ("Łukasz Kaiser",)}, True),
    ("au:smith", {"authors": ("Ann Smith", "Bo Li")}, True),
    ("au:smith", {"authors": ("John Smithson",)}, False),
    ("au:smith*", {"authors": ("John Smithson",)}, True),
    ("au:hopkin", {"authors": ("Ann Hopkins",)}, False),
    ("au:del_maestro", {"authors": ("Adrian Del Maestro",)}, True),
    ("au:del_maestro", {"authors": ("Adrian Del", "Maestro Rossi")}, False),
    ('au:"maestro del"', {"authors": ("Adrian Del Maestro",)}, False),
    ("au:del_mae*", {"authors": ("Adrian Del Maestro",)}, True),
    ("au:jean-pierre", {"authors": ("Pierre Jean",)}, True),
    ("au:jean-pierre", {"authors": ("Jean Dupont", "Pierre Roux")}, False),
    # the other fields
    ('co:"accepted at NeurIPS"', {"comment": "Accepted at NeurIPS 2025"}, True),
    ("co:neurips", {}, False),
    ('jr:"Phys. Rev. Lett."', {"journal_ref": "Phys. Rev. Lett. 130, 1 (2023)"}, True),
    ("rn:CERN-TH-2023-001", {"report_no": "CERN-TH-2023-001"}, True),
    ("doi:10.1103/*", {"doi": "10.1103/PhysRevLett.130.1"}, True),
    ("doi:10.1103/physrevlett.130.1", {"doi": "10.1103/PhysRevLett.130.1"}, True),
    ("doi:10.1103/*", {}, False),
    ("id:2601.00001", {"version": 3}, True),
    ("id:2601.00001v1", {}, True),
    ("id:2601.00001v2", {}, False),
    ("id:arXiv:2601.00001", {}, True),
    ("id:2601.00002", {}, False),
    ("id:2601.*", {}, True),
    ("id:hep-th/9901001", {"id": "hep-th/9901001"}, True),
    ("id:notanid", {}, False),
    # all: any one field
    ("all:lovelace", {}, True),
    ("all:cs.LG", {"categories": ("cs.LG",)}, True),
    ("all:2601.00001", {}, True),
    ("all:gpu", {"comment": "Code for GPUs"}, True),
    ("gpu", {}, False),
    # terms without words match nothing
    ("ti:*", {"title": "Anything"}, False),
    ("ti:-", {"title": "A - B"}, False),
]


@pytest.mark.parametrize(("query", "fields", "expected"), MATCHING)
def test_matches(query: str, fields: dict[str, Any], expected: bool) -> None:
    paper = make_paper(**fields)
    assert matches(parse(query), paper) is expected
    assert Matcher(parse(query))(analyse(paper)) is expected


def test_matching_survives_odd_text() -> None:
    odd = "$$\\\\{}{}'''’s \\\" \\' \\c \x00 \u200b ﬁ 𝔽₂ " + "y" * 10_000 + " '" * 100
    paper = make_paper(title=odd, abstract=odd, authors=(odd, ""), comment=odd, report_no=odd)
    for query in ["ti:fi", 'abs:"f 2"', "au:y*", "all:x", "co:s", 'rn:"y y"', "ti:2"]:
        assert isinstance(matches(parse(query), paper), bool)
    assert matches(parse("ti:fi"), paper)


def test_a_document_analyses_each_field_once() -> None:
    document = analyse(make_paper(title="Graph-Neural Networks", abstract="The model's GPUs."))
    assert document.text("ti") is document.text("ti")
    assert document.text("ti").tokens == ("graph", "neural", "networks")
    assert document.text("ti").stems == ("graph", "neural", "network")
    assert document.text("abs").stems == ("the", "model", "gpu")
    assert document.authors[0].tokens == ("ada", "lovelace")
    assert document.categories == frozenset({"cs.lg"})


# Why a paper matched

EXPLAIN = [
    ("reinforcement learning", {"title": "Reinforcement Learning at Scale"}, 'ti:"reinforcement learning"'),
    ("reinforcement learning", {"abstract": "We use RL (reinforcement learning)."},
     'abs:"reinforcement learning"'),
    ("Reinforcement Learning", {"title": "RL", "abstract": "Reinforcement learning."},
     'abs:"Reinforcement Learning"'),
    ("reinforcement learning", {"title": "Reinforcement learning", "abstract": "Reinforcement learning."},
     'ti:"reinforcement learning" OR abs:"reinforcement learning"'),
    ("reinforcement learning", {"title": "Learning"}, None),
]  # fmt: skip


@pytest.mark.parametrize(("name", "fields", "reason"), EXPLAIN)
def test_explain_topic_by_name(name: str, fields: dict[str, Any], reason: str | None) -> None:
    paper = make_paper(**fields)
    assert explain(topic_query(name, None), analyse(paper)) == reason


EXPLAIN_QUERY = [
    ("abs:GPU ANDNOT ti:quantum", "abs:GPU"),
    ("cat:cs.LG AND (ti:graph OR ti:quantum)", "cat:cs.LG AND ti:graph"),
    ("ti:graph AND (ANDNOT ti:quantum)", "ti:graph"),
    ("ANDNOT ti:quantum", "ANDNOT ti:quantum"),
    ("ti:(graph gpu neural)", "ti:graph OR ti:gpu"),
    ("ti:quantum", None),
]


@pytest.mark.parametrize(("query", "reason"), EXPLAIN_QUERY)
def test_explain_query(query: str, reason: str | None) -> None:
    document = analyse(make_paper(title="Graph methods on GPUs", abstract="Fast on a GPU."))
    assert explain(parse(query), document) == reason
    assert Matcher(parse(query)).explain(document) == reason


def test_matcher_agrees_with_evaluate() -> None:
    rng = random.Random(3)
    documents = [analyse(paper) for paper in SAMPLE_PAPERS]
    for _ in range(200):
        tree = random_tree(rng)
        matcher = Matcher(tree)
        for document in documents:
            assert matcher(document) is evaluate(tree, document)
            assert (explain(tree, document) is not None) is matcher(document)


@pytest.mark.parametrize("query", ["del_maestro", "all:del_maestro", "all:del_mae*", "au:del_maestro"])
def test_an_all_term_with_an_underscore_finds_the_author_as_arxiv_does(query: str) -> None:
    """arXiv reads ``del_maestro`` under ``au`` as the phrase "del maestro"; ``all`` searches ``au`` too. Such a
    term once ended the run with an internal error."""
    by = make_paper(authors=("Adrian Del Maestro",))
    assert evaluate(parse(query), analyse(by))
    assert not evaluate(parse(query), analyse(make_paper(authors=("Maestro Del",))))


def test_an_all_term_of_underscores_alone_names_no_author() -> None:
    assert not evaluate(parse("all:_"), analyse(make_paper(authors=("Ada Lovelace",))))
