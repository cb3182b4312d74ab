"""Category names are checked against arXiv's taxonomy: in [scope], in cat: terms, in backfill --category.

A category arXiv does not have makes a topic match nothing, and nobody notices for weeks; each is an error
that puts the nearest real names in front of the user.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from dailypapers.arxiv.taxonomy import (
    ALIASES,
    ARCHIVES,
    ARCHIVES_WITH_CLASSES,
    CATEGORIES,
    GROUPS,
    SUBSUMED,
    category_problem,
    group_of,
)
from dailypapers.cli import cli
from dailypapers.config import load_config
from dailypapers.errors import ConfigError
from dailypapers.match.verdicts import scope_query
from dailypapers.pipeline.backfill import set_for_category

MINIMAL = '[[topics]]\nname = "compiler"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "dailypapers.toml"
    path.write_text(text, encoding="utf-8")
    return path


def config_error(tmp_path: Path, text: str) -> tuple[Path, str]:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    return path.resolve(), str(caught.value)


def test_the_shipped_taxonomy_is_arxivs() -> None:
    assert len(CATEGORIES) == 155
    assert {"cs.DC", "math.NA", "hep-th", "quant-ph", "econ.GN", "eess.SY", "q-fin.EC"} <= CATEGORIES
    assert sorted(GROUPS) == ["cs", "econ", "eess", "math", "physics", "q-bio", "q-fin", "stat"]
    assert {"astro-ph", "cond-mat", "gr-qc", "nlin", "math-ph", "physics", "quant-ph", "econ", "eess"} <= ARCHIVES
    assert sorted(ARCHIVES_WITH_CLASSES) == [
        "astro-ph", "cond-mat", "cs", "econ", "eess", "math", "nlin", "physics", "q-bio", "q-fin", "stat"
    ]  # fmt: skip
    for alias, canonical in [
        ("math.IT", "cs.IT"), ("cs.SY", "eess.SY"), ("math.MP", "math-ph"), ("q-fin.EC", "econ.GN"),
        ("cs.NA", "math.NA"), ("stat.TH", "math.ST"),
    ]:  # fmt: skip
        assert ALIASES[alias] == canonical and ALIASES[canonical] == alias
    assert SUBSUMED["cmp-lg"] == "cs.CL" and SUBSUMED["chao-dyn"] == "nlin.CD" and len(SUBSUMED) == 18
    assert [group_of(a) for a in ("hep-th", "cs", "math-ph", "nlin", "q-bio", "cmp-lg", "funct-an", "xx")] == [
        "physics", "cs", "physics", "physics", "q-bio", "cs", "math", None
    ]  # fmt: skip


@pytest.mark.parametrize(
    "name",
    [
        *sorted(CATEGORIES),
        *sorted(ARCHIVES),
        *sorted(SUBSUMED),
        "cs.dc",
        "CS.DC",
        "Math.na",
        "cs.*",
        "q-fin.*",
        "astro-ph.*",
        "cs.A*",
        "*.LG",
        "*",
        "hep-*",
    ],
)
def test_every_real_name_and_pattern_is_known(name: str) -> None:
    assert category_problem(name) is None


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("cs.ML", "unknown arXiv category 'cs.ML' (did you mean 'stat.ML', 'cs.PL' or 'cs.MS'?)"),
        ("cs.XY", "unknown arXiv category 'cs.XY' (did you mean 'cs.SY', 'cs.CY' or 'cs.SI'?)"),
        ("hepth", "unknown arXiv category 'hepth' (did you mean 'hep-th', 'hep-ph' or 'hep-lat'?)"),
        ("quantum", "unknown arXiv category 'quantum' (did you mean 'quant-ph'?)"),
        (".LG", "unknown arXiv category '.LG' (did you mean 'cs.LG'?)"),
        ("cs.", "unknown arXiv category 'cs.' (did you mean 'cs', 'cs.SY' or 'cs.SI'?)"),
        ("cs.DC ", "unknown arXiv category 'cs.DC ' (did you mean 'cs.DC', 'cs.SD' or 'cs.SC'?)"),
        (
            "biology",
            "unknown arXiv category 'biology' (the categories are listed at https://arxiv.org/category_taxonomy)",
        ),
        ("cs.Z*", "'cs.Z*' matches no arXiv category (did you mean 'cs.SY', 'cs.SI' or 'cs.SE'?)"),
        (
            "grp_cs",
            "unknown arXiv category 'grp_cs' (the categories are listed at https://arxiv.org/category_taxonomy)",
        ),
    ],
)
def test_an_unknown_name_suggests_the_nearest(name: str, message: str) -> None:
    assert category_problem(name) == message


@pytest.mark.parametrize(
    ("categories", "message"),
    [
        ('["cs.ML"]', "unknown arXiv category 'cs.ML' (did you mean 'stat.ML', 'cs.PL' or 'cs.MS'?)"),
        ('["cs.DC", "hepth"]', "unknown arXiv category 'hepth' (did you mean 'hep-th', 'hep-ph' or 'hep-lat'?)"),
        ('["cs.*"]', "'cs.*': name archives or categories here, without '*' ('cs' is the whole archive)"),
        ('["cmp-lg"]', "'cmp-lg' is a closed archive, now the category 'cs.CL': write that"),
        ('[""]', "unknown arXiv category '' (the categories are listed at https://arxiv.org/category_taxonomy)"),
        ('["cs DC"]', "unknown arXiv category 'cs DC' (did you mean 'cs.DC', 'cs.SD' or 'cs.SC'?)"),
        ('["cs:cs:DC"]', "unknown arXiv category 'cs:cs:DC' (did you mean 'cs.SD', 'cs.SC' or 'cs.DC'?)"),
        ('["cs+math"]', "unknown arXiv category 'cs+math' (did you mean 'math' or 'cs.MA'?)"),
    ],
)
def test_an_unknown_scope_category_is_an_error(tmp_path: Path, categories: str, message: str) -> None:
    path, error = config_error(tmp_path, f"[scope]\ncategories = {categories}\n" + MINIMAL)
    assert error == f"{path}: scope.categories: {message}"


def test_the_scope_takes_archives_categories_and_aliases(tmp_path: Path) -> None:
    text = '[scope]\ncategories = ["cs", "hep-th", "math.IT", "q-fin", "stat.ML"]\n' + MINIMAL
    config = load_config(write(tmp_path, text), environ={})
    assert config.categories == ("cs", "hep-th", "math.IT", "q-fin", "stat.ML")
    assert str(scope_query(config.categories)) != ""


@pytest.mark.parametrize(
    ("query", "message", "caret"),
    [
        (
            "abs:GPU AND cat:cs.XY",
            "unknown arXiv category 'cs.XY' (did you mean 'cs.SY', 'cs.CY' or 'cs.SI'?) at column 17",
            "                ^^^^^",
        ),
        (
            '(ti:x OR abs:y) ANDNOT cat:"cs.ML"',
            "unknown arXiv category 'cs.ML' (did you mean 'stat.ML', 'cs.PL' or 'cs.MS'?) at column 28",
            "                           ^^^^^^^",
        ),
        (
            "cat:(cs.LG hep-thh)",
            "unknown arXiv category 'hep-thh' (did you mean 'hep-th', 'hep-ph' or 'hep-lat'?) at column 12",
            "           ^^^^^^^",
        ),
        (
            "ti:x AND cat:cs.Q*",
            "'cs.Q*' matches no arXiv category (did you mean 'cs.SY', 'cs.SI' or 'cs.SE'?) at column 14",
            "             ^^^^^",
        ),
        (
            "ti:x AND\ncat:quantum",
            "unknown arXiv category 'quantum' (did you mean 'quant-ph'?) at column 14",
            "             ^^^^^^^",
        ),
    ],
)
def test_an_unknown_category_in_a_query_points_at_it(tmp_path: Path, query: str, message: str, caret: str) -> None:
    text = '[[topics]]\nname = "gpus"\nquery = """' + query + '"""\n'
    path, error = config_error(tmp_path, text)
    lines = error.splitlines()
    assert lines[0] == f"{path}: topics[0].query: topic 'gpus': {message}"
    assert lines[1:] == ["  " + query.replace("\n", " "), "  " + caret]


@pytest.mark.parametrize(
    "query",
    [
        "cat:cs.DC",
        "cat:cs.*",
        "cat:cs",
        "cat:astro-ph",
        "cat:hep-th OR cat:math.IT",
        'cat:"q-fin.EC"',
        "cat:CS.dc",
        "cat:chao-dyn",
        "all:cs.ML",  # the category table is for cat: terms only
        "ti:cs.XY",
    ],
)
def test_known_categories_and_other_fields_pass(tmp_path: Path, query: str) -> None:
    config = load_config(write(tmp_path, f"[[topics]]\nname = 't'\nquery = '''{query}'''\n"), environ={})
    assert config.topics[0].query_text == query


def test_the_cli_reports_an_unknown_category_in_one_line_and_a_caret(tmp_path: Path) -> None:
    path = write(tmp_path, '[[topics]]\nname = "gpus"\nquery = "abs:GPU AND cat:cs.XY"\n')
    result = CliRunner().invoke(cli, ["run", "--config", str(path)], env={"DAILYPAPERS_DELAY": "0"})
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"dailypapers: error: {path.resolve()}: topics[0].query: topic 'gpus': unknown arXiv category 'cs.XY' "
        "(did you mean 'cs.SY', 'cs.CY' or 'cs.SI'?) at column 17",
        "  abs:GPU AND cat:cs.XY",
        "                  ^^^^^",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dailypapers.toml"]


def test_search_checks_its_categories_too(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    result = CliRunner().invoke(cli, ["search", "--config", str(path), "cat:cs.XY"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "dailypapers: error: unknown arXiv category 'cs.XY' (did you mean 'cs.SY', 'cs.CY' or 'cs.SI'?) at column 5"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dailypapers.toml"]


@pytest.mark.parametrize(
    ("category", "message"),
    [
        ("cs.ML", "--category: unknown arXiv category 'cs.ML' (did you mean 'stat.ML', 'cs.PL' or 'cs.MS'?)"),
        ("cs.*", "--category: 'cs.*': name archives or categories here, without '*' ('cs' is the whole archive)"),
        ("cmp-lg", "--category: 'cmp-lg' is a closed archive, now the category 'cs.CL': write that"),
    ],
)
def test_backfill_checks_its_category(category: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        set_for_category(category)
    assert str(caught.value) == f"command line: {message}"


@pytest.mark.parametrize(
    ("category", "set_spec"),
    [("cs.DC", "cs:cs:DC"), ("hep-th", "physics:hep-th"), ("math-ph", "physics:math-ph"),
     ("nlin.CD", "physics:nlin:CD"), ("q-bio.NC", "q-bio:q-bio:NC"), ("econ.GN", "econ:econ:GN"),
     ("eess.SP", "eess:eess:SP"), ("math", "math:math")],
)  # fmt: skip
def test_backfill_names_the_set_by_the_taxonomys_group(category: str, set_spec: str) -> None:
    assert set_for_category(category) == set_spec


def test_backfill_with_an_unknown_category_asks_nothing_and_exits_2(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + '[arxiv]\noai_url = "http://127.0.0.1:9/oai"\n')
    args = ["backfill", "--config", str(path), "--from", "2026-05-01", "--category", "cs.ML"]
    result = CliRunner().invoke(cli, args, env={"DAILYPAPERS_DELAY": "0"})
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and "did you mean 'stat.ML'" in result.stderr


GROUP_FIRST = "sets start with a group, one of cs, econ, eess, math, physics, q-bio, q-fin, stat"
SET_FORM = "expected group:archive[:SUBJECT], such as 'physics:hep-th' or 'cs:cs:DC'"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("cs:cs:XY", "'cs:cs:XY': unknown arXiv category 'cs.XY' (did you mean 'cs.SY', 'cs.CY' or 'cs.SI'?)"),
        ("nlin", f"'nlin': {GROUP_FIRST}"),
        ("cs.DC", f"'cs.DC': {GROUP_FIRST}"),
        ("cs:math", f"'cs:math': {SET_FORM}"),
        ("cs:cs:DC:x", f"'cs:cs:DC:x': {SET_FORM}"),
        ("cs:cmp-lg", f"'cs:cmp-lg': {SET_FORM}"),
    ],
)
def test_backfill_checks_its_set_before_any_request(tmp_path: Path, spec: str, message: str) -> None:
    path = write(tmp_path, MINIMAL + '[arxiv]\noai_url = "http://127.0.0.1:9/oai"\n')
    args = ["backfill", "--config", str(path), "--from", "2026-05-01", "--set", spec]
    result = CliRunner().invoke(cli, args, env={"DAILYPAPERS_DELAY": "0"})
    assert result.exit_code == 2
    assert result.stderr == f"dailypapers: error: command line: --set: unknown arXiv set {message}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dailypapers.toml"]


@pytest.mark.parametrize(
    "spec", ["cs", "cs:cs:DC", "physics:hep-th", "physics:astro-ph:EP", "physics:nlin", "math:math:IT"]
)
def test_real_sets_pass(spec: str) -> None:
    from dailypapers.arxiv.taxonomy import set_problem

    assert set_problem(spec) is None
