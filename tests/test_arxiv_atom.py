"""Reading the export API's Atom answers: real captures of both services, arXiv's quirks, broken bodies.

The files under ``tests/data/atom/`` are real answers copied from arxiv-protocol.md §1.10: the user manual's
2007 example, a 2022 legacy capture, a legacy entry with a DOI (wrapped in the legacy feed element it came
in), and three 2026 captures of the new service (a paper, an error, an empty result).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from dailypapers.arxiv.atom import FeedPage, parse_feed
from dailypapers.errors import ArxivApiError, FeedError
from dailypapers.model import Author, Paper

DATA = Path(__file__).parent / "data" / "atom"
URL = "https://export.arxiv.org/api/query?id_list=2601.08800"

NAMESPACES = (
    'xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom" '
    'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"'
)
# One entry in the new service's layout; tests replace or drop single children by key.
ENTRY = {
    "id": "<id>http://arxiv.org/abs/2601.08800v2</id>",
    "title": "<title>Sparse attention for long documents</title>",
    "updated": "<updated>2026-01-20T10:00:00Z</updated>",
    "summary": "<summary>  We study sparse attention.</summary>",
    "category": '<category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>',
    "published": "<published>2026-01-13T09:30:00Z</published>",
    "primary": '<arxiv:primary_category term="cs.CL"/>',
    "author": "<author><name>Ada Lovelace</name></author>",
}


def load(name: str) -> bytes:
    return (DATA / name).read_bytes()


def feed(*entries: str, header: str = "") -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<feed {NAMESPACES}>{header}{"".join(entries)}</feed>'.encode()


def entry(drop: tuple[str, ...] = (), **children: str) -> str:
    parts = {**ENTRY, **children}
    return "<entry>" + "".join(xml for key, xml in parts.items() if key not in drop) + "</entry>"


def only_paper(data: bytes) -> Paper:
    page = parse_feed(data, URL)
    assert page.skipped == 0
    (paper,) = page.papers
    return paper


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, microsecond: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=UTC)


# --- real captures: every field ---------------------------------------------------------------------------


def test_legacy_2007_manual_example_every_field() -> None:
    """hep-ex/0307015, the user manual's example answer (§4.1): old-scheme id, -04:00 offsets, wrapped text."""
    page = parse_feed(load("legacy-2007-hep-ex-0307015.xml"), URL)
    assert page == FeedPage(
        papers=(
            Paper(
                id="hep-ex/0307015",
                version=1,
                title="Multi-Electron Production at High Transverse Momenta in ep Collisions at HERA",
                abstract=(
                    "Multi-electron production is studied at high electron transverse momentum in positron- and "
                    "electron-proton collisions using the H1 detector at HERA. The data correspond to an "
                    "integrated luminosity of 115 pb-1. Di-electron and tri-electron event yields are measured. "
                    "Cross sections are derived in a restricted phase space region dominated by photon-photon "
                    "collisions. In general good agreement is found with the Standard Model predictions. "
                    "However, for electron pair invariant masses above 100 GeV, three di-electron events and "
                    "three tri-electron events are observed, compared to Standard Model expectations of "
                    "0.30 \\pm 0.04 and 0.23 \\pm 0.04, respectively."
                ),
                authors=(Author("H1 Collaboration"),),
                categories=("hep-ex",),
                primary_category="hep-ex",
                published=utc(2003, 7, 7, 17, 46, 39),
                updated=utc(2003, 7, 7, 17, 46, 39),
                comment="23 pages, 8 figures and 4 tables",
                journal_ref="Eur.Phys.J. C31 (2003) 17-29",
            ),
        ),
        total_results=1000,
        start_index=0,
        items_per_page=1,
        skipped=0,
        feed_id="http://arxiv.org/api/cHxbiOdZaP56ODnBPIenZhzg5f8",
        feed_updated=utc(2007, 10, 8, 4, 0, 0),
    )


def test_legacy_2022_capture_every_field() -> None:
    """2101.05225, legacy service 2022: abstract wrapped at 80 columns with two leading spaces."""
    page = parse_feed(load("legacy-2022-2101.05225.xml"), URL)
    assert page == FeedPage(
        papers=(
            Paper(
                id="2101.05225",
                version=1,
                title="On consistency scores in text data with an implementation in R",
                abstract=(
                    "In this paper, we introduce a reproducible cleaning process for the text extracted from "
                    "PDFs using n-gram models. Our approach compares the originally extracted text with the "
                    "text generated from, or expected by, these models using earlier text as stimulus. To guide "
                    "this process, we introduce the notion of a consistency score, which refers to the "
                    "proportion of text that is expected by the model. This is used to monitor changes during "
                    "the cleaning process, and across different corpuses. We illustrate our process on text "
                    "from the book Jane Eyre and introduce both a Shiny application and an R package to make "
                    "our process easier for others to adopt."
                ),
                authors=(Author("Ke-Li Chiu"), Author("Rohan Alexander")),
                categories=("cs.CL",),
                primary_category="cs.CL",
                published=utc(2021, 1, 13, 17, 37, 7),
                updated=utc(2021, 1, 13, 17, 37, 7),
                comment="13 pages, 0 figures",
            ),
        ),
        total_results=1,
        start_index=0,
        items_per_page=10,
        skipped=0,
        feed_id="http://arxiv.org/api/p9UZyl2Vt0cHwPSKinDSThE23qI",
        feed_updated=utc(2022, 1, 12, 5, 0, 0),
    )


def test_legacy_entry_with_doi_and_affiliation() -> None:
    """cond-mat/0102536, legacy: DOI before comment, title and comment wrapped with a two-space indent.

    The capture shortened the abstract with "…" and replaced four authors with an XML comment; both are kept
    as they are, and the comment is not an author.
    """
    paper = only_paper(load("legacy-entry-cond-mat-0102536.xml"))
    assert paper == Paper(
        id="cond-mat/0102536",
        version=1,
        title="Impact of Electron-Electron Cusp on Configuration Interaction Energies",
        abstract=(
            "The effect of the electron-electron cusp on the convergence of configuration … factor, to within "
            "chemical accuracy, for CI calculations."
        ),
        authors=(Author("David Prendergast", ("Department of Physics",)),),
        categories=("cond-mat.str-el",),
        primary_category="cond-mat.str-el",
        published=utc(2001, 2, 28, 20, 12, 9),
        updated=utc(2001, 2, 28, 20, 12, 9),
        comment="11 pages, 6 figures, 3 tables, LaTeX209, submitted to The Journal of Chemical Physics",
        journal_ref="J. Chem. Phys. 115, 1626 (2001)",
        doi="10.1063/1.1383585",
    )


def test_new_service_capture_every_field() -> None:
    """astro-ph/0601001, new service 2026: its own element order, affiliations, escaped & and <, TeX."""
    page = parse_feed(load("new-2026-astro-ph-0601001.xml"), URL)
    assert (page.total_results, page.start_index, page.items_per_page, page.skipped) == (1, 0, 100, 0)
    assert page.feed_id == "https://arxiv.org/api/UYD++GGrMRBcNyYZKVyqJHdTM3s"
    assert page.feed_updated == utc(2026, 5, 11, 23, 51, 23)
    (paper,) = page.papers
    assert paper.id == "astro-ph/0601001"
    assert paper.version == 1
    assert paper.title == (
        "Frequency of Hot Jupiters and Very Hot Jupiters from the OGLE-III Transit Surveys Toward the Galactic "
        "Bulge and Carina"
    )
    assert paper.abstract.startswith("We derive the frequencies of hot Jupiters (HJs) with 3--5 day periods")
    assert "following Gould & Morgan (2003) by populating" in paper.abstract
    assert "spectroscopic-followup limit of V_max<17.5. Hence" in paper.abstract
    assert "(1/310)(1^{+1.39}_{-0.59}) for HJs" in paper.abstract
    assert paper.abstract.endswith("too few in the sample to map this distribution in detail.")
    assert paper.authors == (
        Author("Andrew Gould", ("Ohio State",)),
        Author("Susan Dorsher", ("Ohio State",)),
        Author("B. Scott Gaudi", ("CfA",)),
        Author("Andrzej Udalski", ("Warsaw University Observatory",)),
    )
    assert paper.categories == ("astro-ph",)
    assert paper.primary_category == "astro-ph"
    assert paper.published == paper.updated == utc(2006, 1, 2, 14, 57, 58)
    assert paper.comment == (
        "62 pages including 16 figures and 9 tables. Submitted to Acta Astronomica. Full resolution version at "
        "http://www.astronomy.ohio-state.edu/~gould/ogle_hot_jupiters.ps.gz"
    )
    assert paper.journal_ref == "ActaAstron.56:1-50,2006"
    assert paper.doi is None
    assert paper.report_no is None


def test_error_feed_raises_arxivs_message() -> None:
    """id_list=abc, new service 2026 (HTTP 400): the single entry titled "Error" carries arXiv's message."""
    with pytest.raises(ArxivApiError) as caught:
        parse_feed(load("new-2026-error-id-abc.xml"), URL)
    assert isinstance(caught.value, FeedError)
    assert caught.value.message == "arXiv API error: incorrect id format for abc"
    assert caught.value.url == URL
    assert str(caught.value) == f"{URL}: arXiv API error: incorrect id format for abc"


def test_empty_result() -> None:
    """id_list=0000.0000, new service 2026: no entries; itemsPerPage is max_results as asked, not 0."""
    page = parse_feed(load("new-2026-empty-0000.0000.xml"), URL)
    assert page == FeedPage(
        papers=(),
        total_results=0,
        start_index=0,
        items_per_page=100,
        skipped=0,
        feed_id="https://arxiv.org/api/oqaUC9OB2SccftmJHZqrxySXrao",
        feed_updated=utc(2026, 4, 12, 22, 9, 26),
    )


# --- arXiv's quirks --------------------------------------------------------------------------------------


def test_unversioned_entry_id_takes_the_version_from_the_abstract_link() -> None:
    """hep-ex/0307015: the manual's 2007 example has an entry <id> without a version.

    Its <link rel="alternate"> says v1 (published == updated agrees), so that version is used.
    """
    unversioned = entry(
        id="<id>http://arxiv.org/abs/hep-ex/0307015</id>",
        link='<link href="https://arxiv.org/abs/hep-ex/0307015v3" rel="alternate" type="text/html"/>',
    )
    assert only_paper(feed(unversioned)).version == 3
    assert only_paper(load("legacy-2007-hep-ex-0307015.xml")).version == 1


def test_unversioned_entry_id_without_a_link_is_version_1() -> None:
    """hep-ex/0307015 again, its links removed: with nothing to say otherwise, the paper's first version."""
    paper = only_paper(feed(entry(id="<id>http://arxiv.org/abs/hep-ex/0307015</id>")))
    assert (paper.id, paper.version) == ("hep-ex/0307015", 1)


def test_legacy_eastern_offsets_become_utc() -> None:
    """hep-ex/0307015: the 2007 example wrote US Eastern times (-04:00); Paper holds UTC."""
    paper = only_paper(load("legacy-2007-hep-ex-0307015.xml"))
    assert paper.published == utc(2003, 7, 7, 17, 46, 39)
    assert paper.published.tzinfo is UTC


def test_acm_and_msc_terms_are_dropped() -> None:
    """cs/9901002v1: the user manual (§3.3.2.2) shows its ACM class I.2.6 sent as a third <category>."""
    categories = "".join(
        f'<category term="{term}" scheme="http://arxiv.org/schemas/atom"/>'
        for term in ("cs.LG", "cs.AI", "I.2.6", "68T05")
    )
    paper = only_paper(
        feed(
            entry(
                id="<id>http://arxiv.org/abs/cs/9901002v1</id>",
                primary='<arxiv:primary_category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>',
                category=categories,
            )
        )
    )
    assert paper.categories == ("cs.LG", "cs.AI")
    assert paper.primary_category == "cs.LG"


@pytest.mark.parametrize(
    "terms, primary, expected",
    [
        (["hep-th", "gr-qc", "hep-th", "gr-qc"], "hep-th", ("hep-th", "gr-qc")),
        (["math.CO", "cs.DM"], "cs.DM", ("cs.DM", "math.CO")),
        (["stat.ML", "cs.LG"], None, ("stat.ML", "cs.LG")),
        (["I.2.6", "q-fin.ST", "math-ph"], None, ("q-fin.ST", "math-ph")),
        (["physics.acc-ph", "cond-mat.quant-gas", "astro-ph.CO"], "nlin.AO", None),
    ],
)
def test_categories_primary_first_each_once(
    terms: list[str], primary: str | None, expected: tuple[str, ...] | None
) -> None:
    """Primary first, then the rest in feed order without repeats; without <arxiv:primary_category>, the first."""
    categories = "".join(f'<category term="{term}"/>' for term in terms)
    children = {"category": categories}
    if primary is not None:
        children["primary"] = f'<arxiv:primary_category term="{primary}"/>'
    paper = only_paper(feed(entry(drop=() if primary else ("primary",), **children)))
    if expected is None:
        assert primary is not None
        expected = (primary, *terms)
    assert paper.categories == expected
    assert paper.primary_category == paper.categories[0]


def test_entry_without_any_category_keeps_an_empty_primary() -> None:
    paper = only_paper(feed(entry(drop=("category", "primary"))))
    assert (paper.categories, paper.primary_category) == ((), "")


def test_title_zero_is_a_title() -> None:
    """2104.12255v1 is titled "0"; a falsy-looking title must not read as missing (arxiv.py#71)."""
    paper = only_paper(feed(entry(id="<id>http://arxiv.org/abs/2104.12255v1</id>", title="<title>0</title>")))
    assert paper.title == "0"


def test_title_omitted_by_the_api_skips_the_entry() -> None:
    """2104.12255v1: the legacy API once sent no <title> at all for it (arxiv.py#71); skipped, not a crash."""
    page = parse_feed(feed(entry(id="<id>http://arxiv.org/abs/2104.12255v1</id>", drop=("title",)), entry()))
    assert page.skipped == 1
    assert [paper.id for paper in page.papers] == ["2601.08800"]


def test_element_order_does_not_matter() -> None:
    """astro-ph/0601001: legacy and new services order entry children differently (arxiv-protocol §1.6).

    Only the order among authors (and among categories) means something; everything else is turned around.
    """
    tree = etree.fromstring(load("new-2026-astro-ph-0601001.xml"))
    entry_element = tree.find("{http://www.w3.org/2005/Atom}entry")
    assert entry_element is not None
    ordered = ("{http://www.w3.org/2005/Atom}author", "{http://www.w3.org/2005/Atom}category")
    kept = [child for child in entry_element if child.tag in ordered]
    entry_element[:] = [*reversed([child for child in entry_element if child.tag not in ordered]), *kept]
    tree[:] = list(reversed(tree))
    reversed_page = parse_feed(etree.tostring(tree))
    assert reversed_page == parse_feed(load("new-2026-astro-ph-0601001.xml"))


def test_several_dois_keep_the_first() -> None:
    """The new service may emit several <arxiv:doi> with their links (arxiv-search atom_extensions)."""
    dois = (
        "<arxiv:doi>10.5121/vlsic.2012.3205</arxiv:doi>"
        '<link rel="related" href="https://doi.org/10.5121/vlsic.2012.3205" title="doi"/>'
        "<arxiv:doi>10.1000/second</arxiv:doi>"
    )
    paper = only_paper(feed(entry(doi=dois)))
    assert paper.doi == "10.5121/vlsic.2012.3205"


def test_report_number_when_present() -> None:
    paper = only_paper(feed(entry(report_no="<arxiv:report_no>CERN-TH-2026-001</arxiv:report_no>")))
    assert paper.report_no == "CERN-TH-2026-001"


def test_affiliations_all_kept_in_order() -> None:
    """The new service may give an author several <arxiv:affiliation>; empty ones say nothing and are dropped."""
    author = (
        "<author><name>Grace Hopper</name><arxiv:affiliation>Yale</arxiv:affiliation>"
        "<arxiv:affiliation> </arxiv:affiliation><arxiv:affiliation>US Navy</arxiv:affiliation></author>"
        "<author><name> </name></author><author><name>Alan Turing</name></author>"
    )
    paper = only_paper(feed(entry(author=author)))
    assert paper.authors == (Author("Grace Hopper", ("Yale", "US Navy")), Author("Alan Turing"))


def test_a_paper_titled_error_is_not_an_error_feed() -> None:
    """Only an entry whose <id> is not a paper's is arXiv's error entry (user manual §3.4)."""
    page = parse_feed(feed(entry(title="<title>Error</title>")))
    assert [paper.title for paper in page.papers] == ["Error"]


def test_legacy_error_feed() -> None:
    """start=foo, legacy service 2020 (arxiv-search#257): same shape, http ids, message in <summary>."""
    legacy = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        '<title type="html">ArXiv Query: search_query=all:electron&amp;id_list=&amp;start=foo</title>'
        "<entry><id>http://arxiv.org/api/errors#start_must_be_an_integer</id><title>Error</title>"
        "<summary>start must be an integer</summary><updated>2020-01-17T00:00:00-05:00</updated>"
        "<author><name>arXiv api core</name></author></entry></feed>"
    )
    with pytest.raises(ArxivApiError, match=r"^arXiv API error: start must be an integer$"):
        parse_feed(legacy.encode())


# --- whitespace ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, shown",
    [
        (
            "Impact of Electron-Electron Cusp\n  on Configuration Interaction Energies",
            "Impact of Electron-Electron Cusp on Configuration Interaction Energies",
        ),
        ("  We derive the frequencies", "We derive the frequencies"),
        ("  line one\nline two\n", "line one line two"),
        ("tabs\tand\r\nCRLF\r\n", "tabs and CRLF"),
        ("two  spaces   inside", "two spaces inside"),
        ("$\\mathbb{F}_2$ and $O(n \\log n)$", "$\\mathbb{F}_2$ and $O(n \\log n)$"),
        ("no\u00a0break\u2009kept", "no\u00a0break\u2009kept"),
        ("already clean", "already clean"),
    ],
)
def test_whitespace_is_normalised_as_a_reader_sees_it(raw: str, shown: str) -> None:
    """Legacy wrapping (newline + two-space indent) and the new service's leading spaces both read as one space."""
    escaped = raw.replace("\r", "&#13;")
    paper = only_paper(feed(entry(title=f"<title>{escaped}</title>", summary=f"<summary>{escaped}</summary>")))
    assert paper.title == shown
    assert paper.abstract == shown


def test_names_affiliations_and_comments_are_normalised() -> None:
    author = (
        "<author><name>\n  Ada\n  Lovelace </name><arxiv:affiliation> Analytical\n Engines</arxiv:affiliation></author>"
    )
    comment = "<arxiv:comment>11 pages, submitted to The Journal of\n  Chemical Physics</arxiv:comment>"
    paper = only_paper(feed(entry(author=author, comment=comment)))
    assert paper.authors == (Author("Ada Lovelace", ("Analytical Engines",)),)
    assert paper.comment == "11 pages, submitted to The Journal of Chemical Physics"


def test_empty_optional_fields_read_as_absent() -> None:
    paper = only_paper(feed(entry(comment="<arxiv:comment> </arxiv:comment>", doi="<arxiv:doi/>")))
    assert (paper.comment, paper.doi, paper.journal_ref) == (None, None, None)


# --- identifiers and timestamps --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry_id, paper_id, version",
    [
        ("http://arxiv.org/abs/2601.08800v2", "2601.08800", 2),
        ("http://arxiv.org/abs/0704.0001v1", "0704.0001", 1),
        ("http://arxiv.org/abs/hep-th/9901001v12", "hep-th/9901001", 12),
        ("http://arxiv.org/abs/math.CA/0611800v2", "math/0611800", 2),
        ("https://arxiv.org/abs/2601.08800v3", "2601.08800", 3),
        ("  http://arxiv.org/abs/2601.08800v2\n", "2601.08800", 2),
    ],
)
def test_entry_ids_of_both_schemes(entry_id: str, paper_id: str, version: int) -> None:
    paper = only_paper(feed(entry(id=f"<id>{entry_id}</id>")))
    assert (paper.id, paper.version) == (paper_id, version)


@pytest.mark.parametrize(
    "text, moment",
    [
        ("2026-01-13T09:30:00Z", utc(2026, 1, 13, 9, 30)),
        ("2003-07-07T13:46:39-04:00", utc(2003, 7, 7, 17, 46, 39)),
        ("2026-01-13T09:30:00+00:00", utc(2026, 1, 13, 9, 30)),
        ("2026-01-13T11:30:00.250+02:00", utc(2026, 1, 13, 9, 30, 0, 250000)),
        ("2026-01-13T09:30:00", utc(2026, 1, 13, 9, 30)),
        (" 2026-01-13T09:30:00Z\n", utc(2026, 1, 13, 9, 30)),
    ],
)
def test_timestamps_are_aware_utc(text: str, moment: datetime) -> None:
    """RFC 3339 date-times (RFC 4287 §3.3) with Z or an offset; one without an offset is read as UTC."""
    paper = only_paper(feed(entry(published=f"<published>{text}</published>", updated=f"<updated>{text}</updated>")))
    assert paper.published == paper.updated == moment
    offset = paper.published.utcoffset()
    assert offset is not None and offset.total_seconds() == 0


@pytest.mark.parametrize("missing", ["published", "updated"])
def test_one_timestamp_stands_for_both(missing: str) -> None:
    """For a first version the two are the same instant, so either one alone is enough to keep the paper."""
    paper = only_paper(feed(entry(drop=(missing,))))
    assert paper.published == paper.updated


# --- damaged entries are skipped and counted ------------------------------------------------------------


@pytest.mark.parametrize(
    "damaged",
    [
        entry(drop=("id",)),
        entry(id="<id>http://arxiv.org/abs/not-an-id</id>"),
        entry(id="<id></id>"),
        entry(drop=("title",)),
        entry(title="<title>  \n </title>"),
        entry(drop=("published", "updated")),
        entry(published="<published>yesterday</published>", updated="<updated>2026-13-45T99:00:00Z</updated>"),
        entry(drop=("updated",), published="<published>0001-01-01T00:00:00+01:00</published>"),
        "<entry/>",
    ],
    ids=[
        "no id",
        "bad id",
        "empty id",
        "no title",
        "blank title",
        "no timestamps",
        "bad timestamps",
        "year 0",
        "empty",
    ],
)
def test_damaged_entries_are_skipped_and_counted(damaged: str, caplog: pytest.LogCaptureFixture) -> None:
    page = parse_feed(feed(entry(), damaged, damaged, entry(id="<id>http://arxiv.org/abs/2601.00001v1</id>")))
    assert page.skipped == 2
    assert [paper.id for paper in page.papers] == ["2601.08800", "2601.00001"]
    assert sum("skipped a feed entry" in record.getMessage() for record in caplog.records) == 2
    assert all(record.levelno == logging.WARNING for record in caplog.records)


def test_header_counts_absent_or_not_numbers() -> None:
    header = "<opensearch:totalResults>many</opensearch:totalResults><opensearch:startIndex> 5 </opensearch:startIndex>"
    page = parse_feed(feed(entry(), header=header))
    assert (page.total_results, page.start_index, page.items_per_page) == (None, 5, None)
    assert (page.feed_id, page.feed_updated) == (None, None)


# --- damaged feeds are errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, message",
    [
        (b"", "empty response body, expected an Atom feed"),
        (b"  \r\n", "empty response body, expected an Atom feed"),
        (b"Rate exceeded.", "not XML, expected an Atom feed; the body begins 'Rate exceeded.'"),
        (b'{"error": "busy"}', 'not XML, expected an Atom feed; the body begins \'{"error": "busy"}\''),
        (
            b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>"
            b"<body><p>Try later<br></body></html>",
            "an HTML page, not an Atom feed (Opening and ending tag mismatch: br line 2 and body, line 2, column 87)",
        ),
        (
            load("new-2026-astro-ph-0601001.xml")[:1500],
            "malformed or truncated Atom feed: Premature end of data in tag summary line 16, line 16, column 353",
        ),
        (
            b'<html xmlns="http://www.w3.org/1999/xhtml"><body>Service Unavailable</body></html>',
            "not an Atom feed: the root element is <html> in namespace 'http://www.w3.org/1999/xhtml'",
        ),
        (b'<rss version="2.0"><channel/></rss>', "not an Atom feed: the root element is <rss> in no namespace"),
        (b"<feed><entry/></feed>", "not an Atom feed: the root element is <feed> in no namespace"),
    ],
    ids=["empty", "blank", "rate exceeded", "json", "html", "truncated", "xhtml", "rss", "no namespace"],
)
def test_damaged_feeds_raise_one_line_feed_errors(body: bytes, message: str) -> None:
    """Bodies seen instead of a feed: ropensci/aRxiv#66 (empty, 2025-11-13), ronpay/arxiv-rss-feed-generator#5
    (plain-text "Rate exceeded", 2026-03), HTML error pages from a proxy, and a connection cut mid-page."""
    with pytest.raises(FeedError) as caught:
        parse_feed(body, URL)
    assert not isinstance(caught.value, ArxivApiError)
    assert caught.value.message == message
    assert str(caught.value) == f"{URL}: {message}"
    assert "\n" not in str(caught.value)


def test_error_without_url_names_no_url() -> None:
    with pytest.raises(FeedError) as caught:
        parse_feed(b"Rate exceeded.")
    assert str(caught.value) == "not XML, expected an Atom feed; the body begins 'Rate exceeded.'"
    assert caught.value.url is None


# --- untrusted input ------------------------------------------------------------------------------------


def test_external_entities_are_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    doctype = f'<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    body = feed(entry(title="<title>Leak &xxe; here</title>")).replace(b"<feed ", doctype.encode() + b"<feed ", 1)
    page = parse_feed(body)
    assert all("TOP SECRET" not in paper.title for paper in page.papers)


def test_entity_expansion_bomb_is_refused_or_left_unexpanded() -> None:
    """A billion-laughs body is either refused by libxml2 (amplification limit) or read without expanding."""
    levels = "".join(f'<!ENTITY e{n} "{f"&e{n - 1};" * 10}">' for n in range(1, 10))
    doctype = f'<!DOCTYPE feed [<!ENTITY e0 "boom">{levels}]>'
    body = feed(entry(summary="<summary>&e9;</summary>")).replace(b"<feed ", doctype.encode() + b"<feed ", 1)
    started = time.perf_counter()
    try:
        page = parse_feed(body)
    except FeedError as error:
        assert "entity" in error.message
    else:
        assert all(len(paper.abstract) < 100 for paper in page.papers)
    assert time.perf_counter() - started < 1
