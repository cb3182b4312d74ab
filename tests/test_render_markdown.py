"""The Markdown page and the notification body.

``golden/seed_004_page.md`` is the bot's own page (``seeds/004_e598085be200c4a4.txt``), copied unchanged: it
is the specification of the page layout and is never regenerated. The notification goldens are ours; set
``DAILYPAPERS_REGEN_GOLDEN=1`` to rewrite them, then review the diff.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from dailypapers.model import Author, Digest, Listed, Paper, Section
from dailypapers.render import markdown, render_notification, render_page
from dailypapers.render._text import join_lines
from goldens import GOLDEN, check_golden

HERE = Path(__file__).parent
SEED_PAGE = GOLDEN / "seed_004_page.md"
SEED_SOURCE = "004_e598085be200c4a4"
SEED_TOPICS = ("reinforcement learning", "compiler", "performance")
SEED_DAY = date(2026, 1, 15)

SEED_ROWS = [line for line in SEED_PAGE.read_text(encoding="utf-8").splitlines() if line.startswith("| **[")]
ROW_IDS = [
    f"{index // 20}-{index % 20:02d}-{link}"
    for index, link in enumerate(re.findall(r"\]\(https://arxiv\.org/abs/([^)]+)\)", "\n".join(SEED_ROWS)))
]


# --- data ---


def _time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def paper_from_json(record: dict[str, Any]) -> Paper:
    """A ``Paper`` from one record of ``tests/data/seed_papers.json``."""
    return Paper(
        id=record["id"],
        version=int(record["version"]),
        title=record["title"],
        abstract=record["abstract"],
        authors=tuple(Author(a["name"], tuple(a.get("affiliations") or ())) for a in record["authors"]),
        categories=tuple(record["categories"]),
        primary_category=record["primary_category"],
        published=_time(record["published"]),
        updated=_time(record["updated"]),
        comment=record.get("comment"),
        journal_ref=record.get("journal_ref"),
        doi=record.get("doi"),
    )


@pytest.fixture(scope="module")
def seed_papers() -> tuple[Paper, ...]:
    """The 20 papers of the seed page, in the page's order, from ``tests/data/seed_papers.json``."""
    records = json.loads((HERE / "data" / "seed_papers.json").read_text(encoding="utf-8"))
    papers = tuple(paper_from_json(r) for r in records if (r.get("source") or "").startswith(SEED_SOURCE))
    assert len(papers) == 20
    return papers


def seed_digest(papers: tuple[Paper, ...], **changes: Any) -> Digest:
    listed = tuple(Listed(paper) for paper in papers)
    digest = Digest(
        title="Daily Papers",
        day=SEED_DAY,
        sections=tuple(Section(topic, listed) for topic in SEED_TOPICS),
    )
    return replace(digest, **changes)


def make_paper(**changes: Any) -> Paper:
    paper = Paper(
        id="2601.00001",
        version=1,
        title="A Paper",
        abstract="An abstract.",
        authors=(Author("Ada Lovelace"),),
        categories=("cs.PL", "cs.LG"),
        primary_category="cs.PL",
        published=datetime(2026, 1, 10, 12, tzinfo=UTC),
        updated=datetime(2026, 1, 10, 12, tzinfo=UTC),
    )
    return replace(paper, **changes)


def one_topic(*papers: Paper, columns: tuple[str, ...] | None = None) -> Digest:
    digest = Digest("Daily Papers", SEED_DAY, (Section("topic", tuple(Listed(p) for p in papers)),))
    return replace(digest, columns=columns) if columns else digest


def rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| **[") or line.startswith("| 20")]


def cells(row: str) -> list[str]:
    """Split a row the way GFM does: on pipes not escaped by a backslash (a ``\\\\`` is itself escaped)."""
    return re.findall(r"(?:\\.|[^|\\])+", row.strip().strip("|"))


# --- the page: byte for byte the bot's ---


def test_page_is_the_seed_page_byte_for_byte(seed_papers: tuple[Paper, ...]) -> None:
    page = render_page(seed_digest(seed_papers), max_papers=100)
    assert page.encode("utf-8") == SEED_PAGE.read_bytes()


@pytest.mark.parametrize("index", range(len(SEED_ROWS)), ids=ROW_IDS)
def test_page_row_is_the_seed_row(seed_papers: tuple[Paper, ...], index: int) -> None:
    assert len(SEED_ROWS) == 60
    page = render_page(seed_digest(seed_papers), max_papers=100)
    assert rows(page)[index] == SEED_ROWS[index]


def test_page_keeps_the_seed_lines_outside_the_tables(seed_papers: tuple[Paper, ...]) -> None:
    page = render_page(seed_digest(seed_papers), max_papers=100).splitlines()
    seed = SEED_PAGE.read_text(encoding="utf-8").splitlines()
    assert [line for line in page if not line.startswith("| **[")] == [
        line for line in seed if not line.startswith("| **[")
    ]


def test_page_header_says_max_papers_and_sections_hold_at_most_that(seed_papers: tuple[Paper, ...]) -> None:
    page = render_page(seed_digest(seed_papers), max_papers=7)
    assert "up to a maximum of 7 papers." in page
    assert len(rows(page)) == 3 * 7
    assert rows(page)[:7] == SEED_ROWS[:7]


def test_page_rejects_a_max_papers_below_one(seed_papers: tuple[Paper, ...]) -> None:
    with pytest.raises(ValueError, match="max_papers"):
        render_page(seed_digest(seed_papers), max_papers=0)


def test_note_is_a_paragraph_under_last_update(seed_papers: tuple[Paper, ...]) -> None:
    note = "arXiv announcement of Tue 24 Nov 2026: 31 new, 12 cross-lists"
    page = render_page(seed_digest(seed_papers, note=note), max_papers=100)
    assert f"Last update: 2026-01-15\n\n{note}\n\n## reinforcement learning\n" in page
    assert page.replace(f"{note}\n\n", "") == SEED_PAGE.read_text(encoding="utf-8")


def test_empty_topic_has_its_heading_and_one_line() -> None:
    digest = Digest("Daily Papers", SEED_DAY, (Section("empty", ()), Section("topic", (Listed(make_paper()),))))
    page = render_page(digest, max_papers=100)
    assert "## empty\nNo papers yet.\n\n## topic\n| **Title** |" in page
    assert page.endswith(" |\n\n")


def test_page_ends_like_the_seed_when_the_last_topic_is_empty() -> None:
    page = render_page(Digest("Daily Papers", SEED_DAY, (Section("empty", ()),)), max_papers=100)
    assert page.endswith("Last update: 2026-01-15\n\n## empty\nNo papers yet.\n\n")


# --- cells ---


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("plain text", "plain text"),
        ("a | b", r"a \| b"),
        ("||", r"\|\|"),
        ("norm $\\|x\\|_2$", r"norm $\\\|x\\\|_2$"),
        ("ends in \\", "ends in \\\\"),
        ("two\nlines\r\nand\rmore", "two lines and more"),
        ("  padded\n", "padded"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("a < b > c", "a &lt; b &gt; c"),
        ("a \\<b\\>", "a \\\\&lt;b\\\\&gt;"),
        ("R&D &amp; more", "R&D &amp; more"),
        ("$\\ell_{\\max}$ and G\u00f6del", "$\\ell_{\\max}$ and G\u00f6del"),
    ],
)
def test_escape_cell(text: str, cell: str) -> None:
    assert markdown.escape_cell(text) == cell


@pytest.mark.parametrize(
    "text",
    [
        "A | B",
        "norm $\\|x\\|_2$ and a\\<b",
        "<script>alert(1)</script> & <b>bold</b>",
        "[Re] brackets ] and a final \\",
        "line\nbreak",
    ],
)
def test_escaped_text_reads_back_as_written_in_a_gfm_renderer(text: str) -> None:
    """Parse the page as GFM (markdown-it-py, which rich brings) and get each text back, as text.

    A backslash before other punctuation (LaTeX's ``\\{``) is left as the bot leaves it, for GitHub's math.
    """
    markdown_it = pytest.importorskip("markdown_it")
    paper = make_paper(title=text, abstract=text, comment="folded because long: " + text)
    page = render_page(one_topic(paper), max_papers=5)
    shown = html.escape(join_lines(text), quote=False)
    rendered = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(page)
    assert rendered.count("<td>") == 4
    assert f'<a href="https://arxiv.org/abs/2601.00001v1">{shown}</a>' in rendered
    assert f"<td><details><summary>Show</summary><p>{shown}</p></details></td>" in rendered
    assert f"<p>folded because long: {shown}</p></details></td>" in rendered


def test_escape_link_text_escapes_brackets() -> None:
    assert markdown.escape_link_text("[Re] A | B") == r"\[Re\] A \| B"


def test_a_pipe_in_paper_text_does_not_add_a_column() -> None:
    paper = make_paper(title="A | B", abstract="x | y \\| z", comment="1 | 2", authors=(Author("P | Q"),))
    page = render_page(one_topic(paper, columns=("Title", "Abstract", "Comment", "Authors")), max_papers=5)
    (row,) = rows(page)
    assert len(cells(row)) == 4
    assert cells(row)[0] == r" **[A \| B](https://arxiv.org/abs/2601.00001v1)** "


@pytest.mark.parametrize("field", ["title", "abstract", "comment"])
def test_script_in_paper_text_is_shown_not_run(field: str) -> None:
    paper = make_paper(**{field: "<script>alert(1)</script> and <b>bold</b>"})
    page = render_page(one_topic(paper), max_papers=5)
    (row,) = rows(page)
    assert "<script" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; and &lt;b&gt;bold&lt;/b&gt;" in row or "&lt;scr..." in row


def test_long_comment_is_folded_behind_its_first_five_characters() -> None:
    page = render_page(one_topic(make_paper(comment="<script>alert(1)</script>")), max_papers=5)
    assert rows(page)[0].endswith(
        " | <details><summary>&lt;scri...</summary><p>&lt;script&gt;alert(1)&lt;/script&gt;</p></details> |"
    )


@pytest.mark.parametrize(
    ("comment", "cell"),
    [
        (None, ""),
        ("", ""),
        ("19 pages, 21 figures", "19 pages, 21 figures"),
        (
            "19 pages, 21 figures.",
            "<details><summary>19 pa...</summary><p>19 pages, 21 figures.</p></details>",
        ),
        (
            "This work is submitted",
            "<details><summary>This ...</summary><p>This work is submitted</p></details>",
        ),
        ("accepted\nat ICSE", "accepted at ICSE"),
    ],
)
def test_comment_cell(comment: str | None, cell: str) -> None:
    assert markdown.comment_cell(comment) == cell
    (row,) = rows(render_page(one_topic(make_paper(comment=comment)), max_papers=5))
    assert row.endswith(f"</details> | {cell} |")


@pytest.mark.parametrize(
    ("updated", "day"),
    [
        (datetime(2026, 1, 13, 23, 30, tzinfo=timezone(timedelta(hours=-5))), "2026-01-14"),
        (datetime(2026, 1, 14, 7, 0, tzinfo=timezone(timedelta(hours=8))), "2026-01-13"),
        (datetime(2026, 1, 13, 23, 59), "2026-01-13"),
    ],
)
def test_date_is_the_utc_day_of_the_update(updated: datetime, day: str) -> None:
    (row,) = rows(render_page(one_topic(make_paper(updated=updated), columns=("Date",)), max_papers=5))
    assert row == f"| {day} |"


# --- columns ---


def test_columns_authors_categories_pdf() -> None:
    four = tuple(Author(name) for name in ("Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"))
    papers = (
        make_paper(id="2601.00001", version=2, authors=four, categories=("cs.LG", "cs.PL"), primary_category="cs.PL"),
        make_paper(id="2601.00002", authors=four[:3], categories=("cs.PL",), primary_category="cs.PL"),
    )
    page = render_page(one_topic(*papers, columns=("Title", "Authors", "Categories", "PDF")), max_papers=5)
    assert "| **Title** | **Authors** | **Categories** | **PDF** |\n| --- | --- | --- | --- |\n" in page
    assert rows(page) == [
        "| **[A Paper](https://arxiv.org/abs/2601.00001v2)** "
        "| Ada Lovelace, Alan Turing, Grace Hopper et al. | cs.PL, cs.LG "
        "| [PDF](https://arxiv.org/pdf/2601.00001v2) |",
        "| **[A Paper](https://arxiv.org/abs/2601.00002v1)** | Ada Lovelace, Alan Turing, Grace Hopper "
        "| cs.PL | [PDF](https://arxiv.org/pdf/2601.00002v1) |",
    ]


def test_columns_in_any_order() -> None:
    page = render_page(one_topic(make_paper(comment="short"), columns=("Date", "Comment", "Title")), max_papers=5)
    assert "\n| **Date** | **Comment** | **Title** |\n| --- | --- | --- |\n" in page
    assert "\n| 2026-01-10 | short | **[A Paper](https://arxiv.org/abs/2601.00001v1)** |\n" in page


@pytest.mark.parametrize("columns", [("Title", "Votes"), ("title",), ()])
def test_unknown_columns_are_refused(columns: tuple[str, ...]) -> None:
    digest = replace(one_topic(make_paper()), columns=columns)
    with pytest.raises(ValueError, match="columns"):
        render_page(digest, max_papers=5)


# --- the notification ---


def new_digest(papers: tuple[Paper, ...], **changes: Any) -> Digest:
    """Three new papers on one topic (the second a new version), one on another, none on the third."""
    new = (
        Section(SEED_TOPICS[0], (Listed(papers[0]), Listed(papers[1], new_version=True), Listed(papers[2]))),
        Section(SEED_TOPICS[1], (Listed(papers[5]),)),
        Section(SEED_TOPICS[2], ()),
    )
    return seed_digest(papers, new=new, **changes)


def test_notification_with_new_papers(seed_papers: tuple[Paper, ...]) -> None:
    text = render_notification(new_digest(seed_papers), page_url="https://github.com/ada/papers")
    assert text.startswith(
        "---\ntitle: 4 New Papers - January 15, 2026\nlabels: documentation\n---\n"
        "**Please check the [page](https://github.com/ada/papers) for a better reading experience"
    )
    assert "## performance" not in text
    assert "(https://arxiv.org/abs/2503.04971v2)** *(new version v2)* | 2026-01-13 |" in text
    assert text.count("new version") == 1
    check_golden("notification_new.md", text)


def test_notification_without_page_url_points_to_the_readme(seed_papers: tuple[Paper, ...]) -> None:
    text = render_notification(new_digest(seed_papers))
    readme = "**Please check the README for a better reading experience and more papers.**"
    assert text.splitlines()[4] == readme
    check_golden("notification_new_readme.md", text)


def test_notification_counts_a_paper_new_on_two_topics_once(seed_papers: tuple[Paper, ...]) -> None:
    same = Listed(seed_papers[0])
    digest = seed_digest(seed_papers, new=(Section("a", (same,)), Section("b", (same,))))
    text = render_notification(digest)
    assert text.startswith("---\ntitle: 1 New Paper - January 15, 2026\n")
    assert "## a\n" in text and "## b\n" in text


def test_page_does_not_mark_new_versions(seed_papers: tuple[Paper, ...]) -> None:
    digest = new_digest(seed_papers)
    digest = replace(digest, sections=digest.new)
    assert "new version" not in render_page(digest, max_papers=100)


@pytest.mark.parametrize(
    ("quiet", "line"),
    [
        (None, "No new papers since the last run.\n"),
        ("No announcement on Saturday 17 January 2026.", "No announcement on Saturday 17 January 2026.\n"),
        ("Stale feed:\nrun again later.", "Stale feed: run again later.\n"),
    ],
)
def test_notification_is_one_line_when_nothing_is_new(
    seed_papers: tuple[Paper, ...], quiet: str | None, line: str
) -> None:
    empty = (Section(SEED_TOPICS[0], ()), Section(SEED_TOPICS[1], ()))
    text = render_notification(seed_digest(seed_papers, new=empty, quiet=quiet), page_url="https://x.test")
    assert text == line
    assert render_notification(seed_digest(seed_papers, quiet=quiet)) == line


def test_notification_nothing_new_golden(seed_papers: tuple[Paper, ...]) -> None:
    check_golden("notification_nothing_new.md", render_notification(seed_digest(seed_papers)))


def test_long_date_is_the_same_in_every_locale() -> None:
    assert markdown.long_date(date(2026, 1, 5)) == "January 05, 2026"
    assert markdown.long_date(date(2026, 12, 24)) == "December 24, 2026"


# --- determinism ---


def test_rendering_is_a_pure_function(seed_papers: tuple[Paper, ...]) -> None:
    digest = new_digest(seed_papers, note="a note")
    first = (render_page(digest, max_papers=100), render_notification(digest, page_url="https://x.test"))
    markdown.markdown_template.cache_clear()
    again = (render_page(digest, max_papers=100), render_notification(digest, page_url="https://x.test"))
    assert first == again
    assert digest == new_digest(seed_papers, note="a note")
