"""Many topics at once: each compiled once, with the same verdicts and reasons as each topic tested on its own.

A run holds one ``Matcher`` per topic (``match.verdicts.matcher_for``) instead of compiling through
``evaluate``'s bounded cache, which 500 topics would churn. Churn or not, the answers must be the ones a
single topic evaluated by itself gives.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace

import pytest

from arxiv_server import load_seed_papers
from dailypapers.config import Topic
from dailypapers.match.verdicts import Documents, Verdicts, explanation, in_scope, matcher_for, scope_query
from dailypapers.model import Paper
from dailypapers.query import Matcher, analyse, evaluate, explain, parse, topic_query

SHAPES = (
    "{w}",
    'abs:"{w} {w}"',
    "ti:{w} AND abs:{w}",
    "abs:{w} OR abs:{w} OR ti:{w}",
    "abs:{w} ANDNOT cat:cs.LG",
    "cat:cs.* AND (abs:{w} OR abs:{w})",
    "ti:{p}*",
    "au:{a} OR au:{a}",
    "all:{w} ANDNOT (cat:hep-th OR abs:{w})",
    "ANDNOT abs:{w}",
    "(abs:{w} AND NOT ti:{w}) OR cat:cs.DC",
)


def _vocabulary(papers: list[Paper]) -> dict[str, list[str]]:
    words = sorted({w.lower() for p in papers for w in re.findall(r"[A-Za-z]{4,}", p.title + " " + p.abstract)})
    names = sorted({n.split()[-1] for p in papers for a in p.authors for n in [a.name] if n.split()[-1].isalpha()})
    return {"w": words, "p": [word[:4] for word in words], "a": names}


def many_topics(count: int, papers: list[Paper], seed: int = 7) -> list[Topic]:
    """``count`` topics of every shape in the papers' own words, so that many of them match something."""
    pools, rng = _vocabulary(papers), random.Random(seed)
    topics = []
    for n in range(count):
        source = re.sub(r"\{(\w)\}", lambda slot: rng.choice(pools[slot[1]]), SHAPES[n % len(SHAPES)])
        name = source if n % len(SHAPES) == 0 else f"topic {n}"
        text = None if name == source else source
        topics.append(Topic(name=name, query_text=text, query=topic_query(name, text)))
    return topics


PAPERS = load_seed_papers()
TOPICS = many_topics(500, PAPERS)


def test_five_hundred_topics_give_the_verdicts_of_each_topic_alone() -> None:
    scope = scope_query(("cs",))
    verdicts = Verdicts(TOPICS, scope, Documents())
    matched = 0
    for paper in PAPERS:
        document = analyse(paper)
        wanted_scope = scope is None or evaluate(scope, document)
        wanted = frozenset(t.name for t in TOPICS if wanted_scope and evaluate(t.query, analyse(paper)))
        assert verdicts.of(paper) == (wanted_scope, wanted), paper.versioned_id
        assert verdicts.hits(paper, TOPICS) == frozenset(t.name for t in TOPICS if evaluate(t.query, document))
        matched += len(wanted)
    assert matched > len(PAPERS)  # the topics are not vacuous: most papers match several


def test_without_a_scope_every_paper_is_judged_on_its_topics_alone() -> None:
    verdicts = Verdicts(TOPICS[:50], scope_query(()), Documents())
    for paper in PAPERS[:40]:
        wanted = frozenset(t.name for t in TOPICS[:50] if evaluate(t.query, analyse(paper)))
        assert verdicts.of(paper) == (True, wanted)
        assert verdicts.in_scope_primary(paper)


def test_a_compiled_topic_explains_a_match_as_explain_does() -> None:
    for topic in TOPICS[:200]:
        matcher = Matcher(topic.query)
        for paper in PAPERS[::7]:
            document = analyse(paper)
            assert matcher.explain(document) == explain(topic.query, document)
            assert explanation(topic, paper) == explain(topic.query, document)


def test_each_topic_is_compiled_once_while_its_config_lives() -> None:
    assert all(matcher_for(topic) is matcher_for(topic) for topic in TOPICS)


def test_the_scope_is_built_once_per_list_of_categories() -> None:
    assert scope_query(("cs", "hep-th")) is scope_query(("cs", "hep-th"))
    assert scope_query(("cs", "hep-th")) == parse("cat:cs.* OR cat:hep-th")
    assert scope_query(()) is None


@pytest.mark.parametrize(
    ("categories", "primary", "listed", "inside", "primary_inside"),
    [
        (("cs",), "cs.DC", ("cs.DC",), True, True),
        (("cs",), "math.OC", ("math.OC", "cs.LG"), True, False),
        (("hep-th",), "hep-th", ("hep-th",), True, True),
        (("hep-th",), "hep-ph", ("hep-ph",), False, False),
        (("cs.DC", "math"), "math.NA", ("math.NA", "cs.NA"), True, True),
        (("astro-ph",), "astro-ph.CO", ("astro-ph.CO",), True, True),
    ],
)
def test_the_scope_holds_an_archive_and_its_classes(
    categories: tuple[str, ...], primary: str, listed: tuple[str, ...], inside: bool, primary_inside: bool
) -> None:
    paper = replace(PAPERS[0], primary_category=primary, categories=listed)
    scope = scope_query(categories)
    assert in_scope(scope, paper) is inside
    verdicts = Verdicts(TOPICS[:5], scope, Documents())
    assert verdicts.of(paper)[0] is inside
    assert verdicts.in_scope_primary(paper) is primary_inside


def test_a_changed_text_under_the_same_version_is_judged_anew() -> None:
    """A version first known from the announcement feed (no comment) and then from the export API is the same
    (id, version) with other text: its analysis is not reused for the other text."""
    topic = Topic(name="t", query_text="co:appendix", query=parse("co:appendix"))
    documents = Documents()
    verdicts = Verdicts([topic], None, documents)
    bare = replace(PAPERS[0], comment=None)
    full = replace(PAPERS[0], comment="With an appendix")
    assert verdicts.hits(bare, [topic]) == frozenset()
    assert verdicts.hits(full, [topic]) == frozenset({"t"})
    assert documents.of(full) is documents.of(full)  # kept: it matched
    assert documents.of(bare) is not documents.of(bare)  # never kept: it did not


def test_topics_the_verdicts_never_held_are_tested_not_assumed() -> None:
    held, other = TOPICS[:3], TOPICS[3:40]
    verdicts = Verdicts(held, None, Documents())
    for paper in PAPERS[:30]:
        verdicts.of(paper)
        wanted = frozenset(t.name for t in other if evaluate(t.query, analyse(paper)))
        assert verdicts.hits(paper, other) == wanted
