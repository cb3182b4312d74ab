"""BibTeX entries and CSL-JSON items of papers, read back by a real BibTeX parser and checked against the CSL-JSON
schema (``tests/data/csl-data.json``, from citation-style-language/schema, MIT licence beside it), with titles,
names and journal references that hold every character TeX treats specially."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dailypapers.model import Author, Paper
from dailypapers.render.cite import bibtex, citation_keys, csl_items, csl_json, tex_text
from dailypapers.render.names import PersonName, split_name

SCHEMA = json.loads((Path(__file__).parent / "data" / "csl-data.json").read_text(encoding="utf-8"))
PAPER = Paper(
    id="2601.08800",
    version=2,
    title="The Analytical Engine",
    abstract="Notes on the engine.",
    authors=(Author("Ada Lovelace"), Author("Charles Babbage")),
    categories=("cs.DC", "cs.PF"),
    primary_category="cs.DC",
    published=datetime(2026, 1, 13, 17, 0, tzinfo=UTC),
    updated=datetime(2026, 2, 1, 9, 0, tzinfo=UTC),
)
HOSTILE_TITLES = [
    "50% of {braces} & #hashtags_with_underscores",
    "An unbalanced } brace { and another }}",
    "Back\\slash \\emph{command} and \\input{/etc/passwd}",
    "Dollars $5 and $10, tilde ~ and caret ^",
    "A formula $\\alpha_1^{2}$ kept, $\\input{x}$ not, $a % b$ not, ${$ not",
    "A title\nwrapped by arXiv\n  over lines\r\nand tabs\there",
    "Unicode: Schrödinger, 量子计算, émigré, 🚀, Ωmega",
    "Control \x00 \x1b[31m characters\x7f",
    "Ends with a backslash \\",
    "} @misc{injected, title = {x}",
    "and and AND",
    "",
]


def paper(title: str = PAPER.title, **changes: object) -> Paper:
    return replace(PAPER, title=title, **changes)  # type: ignore[arg-type]


def outside_formulas(value: str) -> str:
    return re.sub(r"(?<!\\)\$[^$]+(?<!\\)\$", "", value)


def assert_well_formed_tex(value: str) -> None:
    """Braces balance at every point, and every character TeX treats specially outside a formula is escaped."""
    depth = 0
    for char in value:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0, value
    assert depth == 0, value
    text = outside_formulas(value)
    for special in "%&#_":
        assert re.search(rf"(?<!\\){re.escape(special)}", text) is None, (special, value)
    assert re.search(r"\\(input|write|def)\b", value) is None, value
    assert "\n" not in value and "\x00" not in value and "\x1b" not in value


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_hostile_titles_give_bibtex_a_parser_reads_back_whole(title: str) -> None:
    hostile = paper(title, journal_ref="J. Foo & Bar #3, 50% off {x", authors=(Author("Ada {Love}lace & Co_"),))
    text = bibtex([hostile, PAPER])
    entries = bibtexparser.loads(text).entries
    assert [entry["eprint"] for entry in entries] == [hostile.id, PAPER.id]  # nothing spilled into another entry
    first = entries[0]
    assert first["ENTRYTYPE"] == "article" and first["archiveprefix"] == "arXiv"
    for field in ("title", "journal", "author"):
        assert_well_formed_tex(first.get(field, ""))
    assert entries[1]["title"] == "The Analytical Engine"


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_hostile_titles_give_csl_json_that_fits_the_schema(title: str) -> None:
    items = json.loads(csl_json([paper(title, journal_ref="J. & #x", doi="10.1000/x_{y}")]))
    jsonschema.validate(items, SCHEMA)
    assert items[0]["title"] == " ".join(title.split())


def test_safe_formulas_stay_tex_and_unsafe_ones_are_text() -> None:
    assert tex_text("Kernels in $O(n^{2})$ time") == "Kernels in $O(n^{2})$ time"
    assert tex_text("$\\input{x}$") == "\\$\\textbackslash{}input\\textbraceleft{}x\\textbraceright{}\\$"
    assert tex_text("$a % b$") == "\\$a \\% b\\$"
    assert tex_text("$}$") == "\\$\\textbraceright{}\\$"
    assert tex_text("a_b & c") == "a\\_b \\& c"


def test_an_arxiv_style_entry() -> None:
    assert bibtex([PAPER]) == (
        "@misc{lovelace2026analytical,\n"
        "  title = {The Analytical Engine},\n"
        "  author = {Lovelace, Ada and Babbage, Charles},\n"
        "  year = {2026},\n"
        "  eprint = {2601.08800},\n"
        "  archivePrefix = {arXiv},\n"
        "  primaryClass = {cs.DC},\n"
        "  url = {https://arxiv.org/abs/2601.08800},\n"
        "}\n"
    )


def test_a_journal_reference_makes_an_article_and_a_doi_is_given_as_written() -> None:
    published = paper(journal_ref="Phys. Rev. Lett. 1, 2 (2026)", doi="10.1103/PhysRevLett.1.2 not-a-doi")
    entry = bibtexparser.loads(bibtex([published])).entries[0]
    assert entry["ENTRYTYPE"] == "article" and entry["journal"] == "Phys. Rev. Lett. 1, 2 (2026)"
    assert entry["doi"] == "10.1103/PhysRevLett.1.2"
    item = csl_items([published])[0]
    assert item["type"] == "article-journal" and item["container-title"] == "Phys. Rev. Lett. 1, 2 (2026)"
    assert item["DOI"] == "10.1103/PhysRevLett.1.2"
    assert "doi" not in bibtexparser.loads(bibtex([paper(doi="10.1000/{x}")])).entries[0]  # cannot be verbatim


def test_non_ascii_names_are_kept_in_utf8_and_keys_stay_ascii() -> None:
    names = (Author("Émilie du Châtelet"), Author("Sofía Kovalévskaya"))
    text = bibtex([paper("Über die Kräfte", authors=names)])
    entry = bibtexparser.loads(text).entries[0]
    assert entry["author"] == "du Châtelet, Émilie and Kovalévskaya, Sofía"
    assert entry["ID"] == "chatelet2026uber" and entry["ID"].isascii()
    assert text.encode("utf-8").decode("utf-8") == text


def test_two_papers_that_would_share_a_key_get_different_ones() -> None:
    other = replace(PAPER, id="2601.08801")
    keys = citation_keys([PAPER, other, replace(PAPER, id="2601.08802"), paper("An Analytical Engine")])
    assert keys == [
        "lovelace2026analytical",
        "lovelace2026analyticalb",
        "lovelace2026analyticalc",
        "lovelace2026analyticald",
    ]
    many = citation_keys([replace(PAPER, id=f"2601.{n:05d}") for n in range(30)])
    assert len(set(many)) == 30
    entries = bibtexparser.loads(bibtex([PAPER, other])).entries
    assert [entry["ID"] for entry in entries] == keys[:2]
    assert [item["id"] for item in csl_items([PAPER, other])] == keys[:2]


def test_a_paper_without_authors_or_title_words_still_has_a_key() -> None:
    assert citation_keys([paper("", authors=())]) == ["anon2026"]
    assert citation_keys([paper("量子计算", authors=(Author("张三"),))]) == ["anon2026"]


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Ada Lovelace", PersonName(family="Lovelace", given="Ada")),
        ("Ludwig van der Waals", PersonName(family="van der Waals", given="Ludwig")),
        ("Christopher De Sa", PersonName(family="De Sa", given="Christopher")),
        ("Martin Luther King Jr.", PersonName(family="King", given="Martin Luther", suffix="Jr.")),
        ("Jean-Pierre Serre", PersonName(family="Serre", given="Jean-Pierre")),
        ("Lovelace, Ada", PersonName(family="Lovelace", given="Ada")),
        ("Aristotle", PersonName(literal="Aristotle")),
        ("ATLAS Collaboration", PersonName(literal="ATLAS Collaboration")),
        ("张三", PersonName(literal="张三")),
        ("  Ada \n  Lovelace ", PersonName(family="Lovelace", given="Ada")),
        ("van Gogh", PersonName(family="Gogh", given="van")),  # the first word is never a particle
    ],
)
def test_names_are_split_into_family_and_given(name: str, parts: PersonName) -> None:
    assert split_name(name) == parts


def test_csl_names_dates_and_ids() -> None:
    names = (Author("Ada Lovelace"), Author("Ludwig van der Waals"), Author("ATLAS Collaboration"))
    item = csl_items([paper(authors=names)])[0]
    assert item["author"] == [
        {"family": "Lovelace", "given": "Ada"},
        {"family": "van der Waals", "given": "Ludwig"},
        {"literal": "ATLAS Collaboration"},
    ]
    assert item["issued"] == {"date-parts": [[2026, 1, 13]]}
    assert (item["type"], item["number"], item["publisher"], item["URL"]) == (
        "article",
        "2601.08800",
        "arXiv",
        "https://arxiv.org/abs/2601.08800",
    )
    jsonschema.validate([item], SCHEMA)


def test_an_author_named_and_stays_one_author() -> None:
    entry = bibtexparser.loads(
        bibtex([paper(authors=(Author("Tom and Jerry Smith"), Author("Ada Lovelace")))])
    ).entries[0]
    assert entry["author"] == "Smith, {Tom and Jerry} and Lovelace, Ada"
    assert len(re.split(r"\s+and\s+(?![^{]*\})", entry["author"])) == 2


@settings(max_examples=150, deadline=None)
@given(title=st.text(), name=st.text(min_size=1), journal=st.none() | st.text())
def test_any_text_gives_one_well_formed_entry_and_a_valid_csl_item(title: str, name: str, journal: str | None) -> None:
    random = paper(title, authors=(Author(name), Author("Ada Lovelace")), journal_ref=journal)
    entries = bibtexparser.loads(bibtex([random, PAPER])).entries
    assert [entry["eprint"] for entry in entries] == [random.id, PAPER.id]
    for field in ("title", "author", "journal"):
        assert_well_formed_tex(entries[0].get(field, ""))
    jsonschema.validate(csl_items([random]), SCHEMA)
