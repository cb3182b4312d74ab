"""The scope and arXiv's groups come from one list (``data/taxonomy.toml``): the scope query, the OAI-PMH set a
back-fill asks for, and the set names the command line accepts all agree on it."""

from __future__ import annotations

import pytest

from dailypapers.arxiv.taxonomy import (
    ARCHIVES,
    ARCHIVES_WITH_CLASSES,
    CATEGORIES,
    SUBSUMED,
    group_of,
    oai_set,
    set_problem,
)
from dailypapers.errors import ConfigError
from dailypapers.match.verdicts import scope_query
from dailypapers.pipeline.backfill import set_for_category
from dailypapers.query import format_query


@pytest.mark.parametrize("name", sorted(CATEGORIES | ARCHIVES))
def test_every_scope_name_has_the_set_the_taxonomy_accepts(name: str) -> None:
    spec = oai_set(name)
    assert spec is not None
    assert set_problem(spec) is None
    assert spec.split(":")[0] == group_of(name.split(".")[0])
    assert set_for_category(name) == spec


@pytest.mark.parametrize(
    ("name", "spec"),
    [
        ("CS.dc", "cs:cs:DC"),
        ("quant-ph", "physics:quant-ph"),
        ("nlin.CD", "physics:nlin:CD"),
        ("q-fin.ST", "q-fin:q-fin:ST"),
        ("econ", "econ:econ"),
        ("eess.SP", "eess:eess:SP"),
    ],
)
def test_a_name_in_any_spelling_names_its_set(name: str, spec: str) -> None:
    assert oai_set(name) == spec


@pytest.mark.parametrize("name", ["cs.*", "cmp-lg", "chao-dyn", "cs.XX", "physics:hep-th", "", "hep"])
def test_a_name_that_is_no_scope_has_no_set(name: str) -> None:
    assert oai_set(name) is None
    with pytest.raises(ConfigError):
        set_for_category(name)


def test_closed_archives_are_no_scope_but_keep_their_group() -> None:
    for closed, became in SUBSUMED.items():
        assert oai_set(closed) is None
        assert group_of(closed) == group_of(became.split(".")[0])


@pytest.mark.parametrize("archive", sorted(ARCHIVES))
def test_the_scope_takes_in_an_archive_with_its_subject_classes(archive: str) -> None:
    wanted = f"cat:{archive}.*" if archive in ARCHIVES_WITH_CLASSES else f"cat:{archive}"
    scope = scope_query((archive,))
    assert scope is not None
    assert format_query(scope) == wanted
