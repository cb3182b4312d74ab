"""Atom feeds, read back by a real feed reader (feedparser) and by lxml, from real arXiv metadata.

The digests hold the 80 real cs.DC papers of ``tests/data/seed_papers.json``. ``golden/feed_*.xml`` are ours;
set ``DAILYPAPERS_REGEN_GOLDEN=1`` to rewrite them, then review the diff.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import feedparser
import pytest
from lxml import etree

from arxiv_server import load_seed_papers
from dailypapers.model import Author, Digest, Listed, Paper, Section
from dailypapers.query import Matcher, analyse, format_query, topic_query
from dailypapers.render.feed import ALL, ARXIV_SCHEME, entry_id, feed_url, render_feeds
from goldens import check_golden

HERE = Path(__file__).parent

ATOM = "{http://www.w3.org/2005/Atom}"
XHTML = "{http://www.w3.org/1999/xhtml}"
DAY = date(2026, 3, 19)
GENERATED = datetime(2026, 3, 19, 6, 12, 30, tzinfo=UTC)
LINK = "https://ada.github.io/papers/"
HOSTILE_TOPIC = "Inférence \"LLM\" <fast> & 'co'"
# XML 1.0 forbids these (https://www.w3.org/TR/xml/#charsets); DEL and C1 controls are discouraged.
CONTROLS = "\x00\x01\x07\x08\x0b\x0c\x1b\x1f\x7f\x85\ud800\ufffe"
FORBIDDEN = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# --- data ---


def latest_papers() -> dict[str, Paper]:
    """The seed papers by id, each at its latest version."""
    latest: dict[str, Paper] = {}
    for paper in load_seed_papers():
        if paper.id not in latest or paper.version > latest[paper.id].version:
            latest[paper.id] = paper
    return latest


def matched_section(topic: str, papers: Iterable[Paper], max_papers: int) -> Section:
    """A topic's section as the program makes it: the topic's query matched locally, newest ``max_papers``."""
    node = topic_query(topic, None)
    matcher = Matcher(node)
    hits = [(paper, matcher.explain(analyse(paper))) for paper in papers]
    listed = sorted((Listed(p, reason=why) for p, why in hits if why), key=lambda x: x.paper.updated, reverse=True)
    return Section(topic, tuple(listed[:max_papers]), query=format_query(node))


def matched_digest(topics: Sequence[str], max_papers: int = 10, **changes: Any) -> Digest:
    papers = list(latest_papers().values())
    sections = tuple(matched_section(topic, papers, max_papers) for topic in topics)
    return replace(Digest("Daily Papers", DAY, sections, generated=GENERATED, link=LINK), **changes)


def golden_digest() -> Digest:
    """Fixed by hand (ids and reasons written out), so that only the renderer can change the golden files."""
    papers = latest_papers()
    gpu = Section(
        "GPU",
        (
            Listed(papers["2601.08082"], new_version=True, reason='abs:"GPU"'),
            Listed(papers["2603.18383"], reason='abs:"GPU"'),
            Listed(papers["2412.15411"], reason='abs:"GPU"'),
        ),
        query='ti:"GPU" OR abs:"GPU"',
    )
    llm = Section(
        HOSTILE_TOPIC,
        (
            Listed(papers["2412.15411"], reason='abs:"large language models"'),
            Listed(papers["2505.01821"], reason='abs:"large language models"'),
        ),
        query='abs:"large language models"',
    )
    generated = datetime(2026, 3, 19, 7, 12, 30, tzinfo=timezone(timedelta(hours=1)))
    return Digest("Daily Papers", DAY, (gpu, llm), generated=generated, link=LINK)


def hostile_paper() -> Paper:
    script = "<script>alert(1)</script>"
    return Paper(
        id="2603.99999",
        version=1,
        title=f"{script} ]]> & &amp; {CONTROLS}end",
        abstract=f"First {script} & ]]>\nsecond line{CONTROLS}.",
        authors=(Author(f"<b>Eve</b> & Mallory{CONTROLS}"), Author("\x00")),
        categories=("cs.DC", "<x>&\x01"),
        primary_category="cs.DC",
        published=datetime(2026, 3, 19, 1, tzinfo=UTC),
        updated=datetime(2026, 3, 19, 1, tzinfo=UTC),
        comment=f'javascript:alert(1) <a href="javascript:alert(1)">click</a> {CONTROLS}',
        journal_ref=f"J. {script}",
        doi='10.1/x"><script>',
    )


def parse(text: str) -> Any:
    """The feed as a real feed reader sees it; it must see no error at all."""
    parsed = feedparser.parse(text.encode("utf-8"))
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def tree(text: str) -> etree._Element:
    return etree.fromstring(text.encode("utf-8"))


def ids(text: str) -> list[str]:
    return [str(entry.findtext(f"{ATOM}id")) for entry in tree(text).iter(f"{ATOM}entry")]


# --- what a feed reader sees ---


@pytest.fixture(scope="module")
def digest() -> Digest:
    return matched_digest(("GPU", "federated learning", "consensus", "large language models"))


def test_one_feed_per_topic_and_all(digest: Digest) -> None:
    feeds = render_feeds(digest)
    assert list(feeds) == ["gpu.xml", "federated-learning.xml", "consensus.xml", "large-language-models.xml", ALL]


def test_topic_feed_has_exactly_the_section_newest_first(digest: Digest) -> None:
    feeds = render_feeds(digest)
    for section in digest.sections:
        parsed = parse(feeds[f"{section.slug}.xml"])
        assert parsed.feed.title == f"Daily Papers: {section.topic}"
        assert parsed.feed.subtitle == f"arXiv papers matching {section.query}"
        assert [entry.id for entry in parsed.entries] == [entry_id(listed.paper) for listed in section.papers]
        assert len(parsed.entries) == len(section.papers) > 0
        for entry, listed in zip(parsed.entries, section.papers, strict=True):
            check_entry(entry, listed.paper)
            assert entry.tags[-1].term == section.topic
            assert f"(matched {listed.reason})" in entry.content[0].value


def check_entry(entry: Any, paper: Paper) -> None:
    """What a reader shows of one paper: title, links, dates, authors, categories, abstract."""
    assert entry.id == f"https://arxiv.org/abs/{paper.id}"
    assert entry.title == " ".join(paper.title.split())
    assert entry.link == paper.abs_url
    pdf = [link for link in entry.links if link.get("type") == "application/pdf"]
    assert [(link.rel, link.href) for link in pdf] == [("related", paper.pdf_url)]
    assert entry.updated_parsed[:6] == paper.updated.astimezone(UTC).timetuple()[:6]
    assert entry.published_parsed[:6] == paper.published.astimezone(UTC).timetuple()[:6]
    # Some seed papers come without authors (their seed row had none); the feed's author stands in (§4.1.1).
    assert [author.name for author in entry.get("authors", [])] == [author.name for author in paper.authors]
    assert entry.tags[0].term == paper.primary_category and entry.tags[0].scheme == ARXIV_SCHEME
    assert entry.summary == "\n".join(line.strip() for line in paper.abstract.splitlines() if line.strip())
    if paper.comment:
        assert f"Comment: {' '.join(paper.comment.split())}" in entry.content[0].value


def test_feed_head(digest: Digest) -> None:
    parsed = parse(render_feeds(digest)["gpu.xml"])
    assert parsed.feed.id == "https://ada.github.io/papers/feeds/gpu.xml"
    assert parsed.feed.updated == "2026-03-19T06:12:30Z"
    assert parsed.feed.author == "Daily Papers"
    assert parsed.feed.generator == "dailypapers"
    links = {link.rel: (link.href, link.type) for link in parsed.feed.links}
    assert links == {
        "self": ("https://ada.github.io/papers/feeds/gpu.xml", "application/atom+xml"),
        "alternate": (LINK, "text/html"),
    }


def test_all_holds_each_paper_once_newest_first_with_its_topics(digest: Digest) -> None:
    parsed = parse(render_feeds(digest)[ALL])
    listed = {listed.paper.id: listed.paper for section in digest.sections for listed in section.papers}
    assert parsed.feed.title == "Daily Papers"
    assert sorted(entry.id for entry in parsed.entries) == sorted(entry_id(paper) for paper in listed.values())
    assert len(parsed.entries) == len(listed) < sum(len(section.papers) for section in digest.sections)
    updated = [entry.updated for entry in parsed.entries]
    assert updated == sorted(updated, reverse=True)
    for entry in parsed.entries:
        paper = listed[entry.id.rsplit("/", 1)[1]]
        check_entry(entry, paper)
        topics = [s.topic for s in digest.sections if any(x.paper.id == paper.id for x in s.papers)]
        assert [tag.term for tag in entry.tags[1:]] == topics
        assert entry.content[0].value.count("Topic: ") == len(topics)
    assert any(len(entry.tags) > 2 for entry in parsed.entries)


def test_structure_is_atom(digest: Digest) -> None:
    """RFC 4287 §4.1.1-§4.1.2: the elements a feed and each entry must have, once, and unique entry ids."""
    for name, text in render_feeds(digest).items():
        assert text.startswith("<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">")
        root = tree(text)
        assert root.tag == f"{ATOM}feed" and root.nsmap == {None: ATOM[1:-1]}
        for tag in ("id", "title", "updated", "author", "generator"):
            assert len(root.findall(f"{ATOM}{tag}")) == 1, (name, tag)
        entries = root.findall(f"{ATOM}entry")
        assert len({entry.findtext(f"{ATOM}id") for entry in entries}) == len(entries)
        for entry in entries:
            for tag in ("id", "title", "updated", "published", "summary", "content"):
                assert len(entry.findall(f"{ATOM}{tag}")) == 1, (name, tag)
            alternate = [link for link in entry.findall(f"{ATOM}link") if link.get("rel") == "alternate"]
            assert len(alternate) == 1
            content = entry.find(f"{ATOM}content")
            assert content is not None
            (div,) = content
            assert div.tag == f"{XHTML}div"


def test_new_version_and_doi_are_in_the_content() -> None:
    feeds = render_feeds(golden_digest())
    entries = parse(feeds["gpu.xml"]).entries
    assert ">arXiv:2601.08082v2</a> (new version)" in entries[0].content[0].value
    assert "(new version)" not in entries[1].content[0].value
    doi = parse(feeds["inference-llm-fast-co.xml"]).entries[1]
    assert ("related", "https://doi.org/10.1109/COMST.2026.3669216") in [(x.rel, x.href) for x in doi.links]


# --- ids that do not move ---


def test_entry_ids_survive_new_days_and_new_versions() -> None:
    """2601.08082 has two real versions: listed as v1 on one day and v2 the next, it is one entry updated."""
    versions = sorted((p for p in load_seed_papers() if p.id == "2601.08082"), key=lambda p: p.version)
    assert [p.version for p in versions] == [1, 2]
    first = Digest("Daily Papers", date(2026, 1, 13), (Section("GPU", (Listed(versions[0]),)),), generated=GENERATED)
    second = Digest(
        "Daily Papers",
        date(2026, 3, 19),
        (Section("inference", ()), Section("GPU", (Listed(versions[1], new_version=True),))),
        generated=GENERATED + timedelta(days=65),
    )
    before, after = render_feeds(first), render_feeds(second)
    for name in ("gpu.xml", ALL):
        old, new = parse(before[name]), parse(after[name])
        assert old.feed.id == new.feed.id
        assert [entry.id for entry in old.entries] == [entry.id for entry in new.entries]
        assert old.entries[0].id == "https://arxiv.org/abs/2601.08082"
        assert old.entries[0].updated < new.entries[0].updated
        assert (old.entries[0].link, new.entries[0].link) == (versions[0].abs_url, versions[1].abs_url)


def test_feed_id_without_a_link_is_a_stable_uuid(digest: Digest) -> None:
    one = render_feeds(replace(digest, link=None))
    other = render_feeds(replace(digest, link=None, day=date(2026, 3, 20), generated=None))
    for name in one:
        parsed = parse(one[name])
        assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", parsed.feed.id)
        assert parsed.feed.id == parse(other[name]).feed.id
        assert not parsed.feed.get("links")
    assert len({parse(text).feed.id for text in one.values()}) == len(one)


@pytest.mark.parametrize(
    ("link", "url"),
    [
        ("https://ada.github.io/papers/", "https://ada.github.io/papers/feeds/gpu.xml"),
        ("https://ada.github.io/papers", "https://ada.github.io/papers/feeds/gpu.xml"),
        ("https://ada.github.io/papers/index.html", "https://ada.github.io/papers/feeds/gpu.xml"),
        ("https://ada.github.io", "https://ada.github.io/feeds/gpu.xml"),
        ("https://example.org/a/b/?q=1", "https://example.org/a/b/feeds/gpu.xml"),
    ],
)
def test_feed_url(link: str, url: str) -> None:
    assert feed_url(link, "gpu.xml") == url


# --- dates ---


def test_updated_is_when_the_run_finished_in_utc() -> None:
    assert "<updated>2026-03-19T06:12:30Z</updated>\n  <author>" in render_feeds(golden_digest())[ALL]


def test_updated_without_a_run_time_is_the_newest_entry_then_the_day(digest: Digest) -> None:
    feeds = render_feeds(replace(digest, generated=None, sections=(*digest.sections, Section("empty", ()))))
    newest = max(listed.paper.updated for section in digest.sections for listed in section.papers)
    assert parse(feeds[ALL]).feed.updated == newest.strftime("%Y-%m-%dT%H:%M:%SZ")
    empty = parse(feeds["empty.xml"])
    assert empty.feed.updated == "2026-03-19T00:00:00Z" and empty.entries == []


# --- hostile text ---


def hostile_digest() -> Digest:
    paper = hostile_paper()
    section = Section(HOSTILE_TOPIC + CONTROLS, (Listed(paper, reason=f'ti:"<script>"{CONTROLS}'),), query="ti:<x>")
    return Digest(f"Papers <b>&</b>{CONTROLS}", DAY, (section,), generated=GENERATED, link=LINK + "?a=1&b=<2>")


def test_hostile_text_is_escaped_stripped_and_parseable() -> None:
    feeds = render_feeds(hostile_digest())
    assert list(feeds) == ["inference-llm-fast-co.xml", ALL]
    for text in feeds.values():
        hrefs = [str(element.get("href")) for element in tree(text).iter() if element.get("href") is not None]
        assert hrefs and all(href.startswith("https://") for href in hrefs)
        assert FORBIDDEN.search(text) is None
        for markup in ("<script", "<b>&", "<b>Eve", "<x>", '<a href="javascript'):
            assert markup not in text
        assert "]]>" not in text
        parsed = parse(text)
        (entry,) = parsed.entries
        assert parsed.feed.title.startswith("Papers <b>&</b>")
        assert entry.title == "<script>alert(1)</script> ]]> & &amp; end"
        assert [author.name for author in entry.authors] == ["<b>Eve</b> & Mallory"]
        assert [tag.term for tag in entry.tags] == ["cs.DC", "<x>&", HOSTILE_TOPIC]
        assert entry.summary == "First <script>alert(1)</script> & ]]>\nsecond line."


def test_hostile_content_is_text_inside_the_xhtml() -> None:
    """Read the XHTML content with lxml: every piece of paper text is text; the only links are arXiv's and DOI's."""
    root = tree(render_feeds(hostile_digest())[ALL])
    div = root.find(f"{ATOM}entry/{ATOM}content/{XHTML}div")
    assert div is not None
    assert {element.tag for element in div.iter()} == {f"{XHTML}{tag}" for tag in ("div", "p", "a", "b")}
    hrefs = [str(a.get("href")) for a in div.iter(f"{XHTML}a")]
    assert hrefs == [
        "https://arxiv.org/abs/2603.99999v1",
        "https://arxiv.org/pdf/2603.99999v1",
    ], "a DOI that is not of the form 10.NNNN/... is shown, never linked"
    lines = ["".join(map(str, p.itertext())) for p in div]
    assert lines[0] == f'Topic: {HOSTILE_TOPIC} (matched ti:"<script>")'
    assert lines[1:3] == ["First <script>alert(1)</script> & ]]>", "second line."]
    assert 'Comment: javascript:alert(1) <a href="javascript:alert(1)">click</a>' in lines
    assert "Journal reference: J. <script>alert(1)</script>" in lines


def test_a_paper_without_authors_is_valid_under_the_feed_author() -> None:
    """2601.08800's seed row names no author: RFC 4287 §4.1.1 then wants an author on the feed."""
    paper = latest_papers()["2601.08800"]
    assert paper.authors == ()
    text = render_feeds(Digest("Daily Papers", DAY, (Section("x", (Listed(paper),)),)))["x.xml"]
    assert tree(text).findall(f"{ATOM}entry/{ATOM}author") == []
    parsed = parse(text)
    assert parsed.feed.author == "Daily Papers"
    check_entry(parsed.entries[0], paper)


# --- file names ---


@pytest.mark.parametrize(
    ("names", "files"),
    [
        (("GPU", "All"), ["gpu.xml", "all-a52ace42.xml"]),
        (("GPU kernels", "gpu-kernels!"), ["gpu-kernels.xml", "gpu-kernels-ff5e0786.xml"]),
    ],
)
def test_topics_that_would_share_a_file_name_each_get_a_feed(names: tuple[str, str], files: list[str]) -> None:
    digest = Digest("Daily Papers", DAY, tuple(Section(name, ()) for name in names))
    feeds = render_feeds(digest)
    assert list(feeds) == [*files, "all.xml"]
    assert [parse(feeds[name]).feed.title for name in files] == [f"Daily Papers: {name}" for name in names]


# --- determinism and golden files ---


def test_rendering_is_a_pure_function(digest: Digest) -> None:
    first = render_feeds(digest)
    assert render_feeds(matched_digest(("GPU", "federated learning", "consensus", "large language models"))) == first
    assert all(text.encode("utf-8").decode("utf-8") == text for text in first.values())


def test_golden_topic_feed() -> None:
    check_golden("feed_gpu.xml", render_feeds(golden_digest())["gpu.xml"])


def test_golden_all_feed() -> None:
    check_golden("feed_all.xml", render_feeds(golden_digest())[ALL])
