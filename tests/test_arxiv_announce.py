"""Announcement feeds: real captures parsed to exact fields, and the test server's feeds fetched through ``Http``."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest

from arxiv_server import ArxivServer, load_seed_papers
from dailypapers.arxiv.announce import (
    AnnouncedItem,
    Announcement,
    AnnouncementFeedError,
    feed_url,
    fetch_announcement,
    parse_announcement,
    split_creators,
)
from dailypapers.arxiv.calendar import due_announcement
from dailypapers.errors import FeedError, FetchError
from dailypapers.http import Http
from dailypapers.model import Paper
from feed_server import ACTIVE_ARCHIVES, FeedService, mount_feeds

FEEDS = Path(__file__).resolve().parent / "data" / "feeds"
SUNDAY = FEEDS / "rss-cs-2025-04-27-sunday-empty.xml"
RSS_2203 = FEEDS / "rss-cs.AI-2025-09-18-with-2203.01250v3.xml"
ATOM_2203 = FEEDS / "atom-math.OC-spec-2203.01250v3.xml"
ZERO = {"new": 0, "cross": 0, "replace": 0, "replace-cross": 0}

ABSTRACT_2203 = (
    r"We consider first order local minimization problems of the form $\min \int_{\mathbb{R}^N}f(u,\nabla u)$ "
    r"under a mass constraint $\int_{\mathbb{R}^N}u=m$. We prove that the minimal energy function $H(m)$ is always "
    r"concave, and that relevant rescalings of the energy, depending on a small parameter $\varepsilon$, "
    r"$\Gamma$-converge towards the $H$-mass, defined for atomic measures $\sum_i m_i\delta_{x_i}$ as "
    r"$\sum_i H(m_i)$. We also consider Lagrangians depending on $\varepsilon$, as well as space-inhomogeneous "
    r"Lagrangians and $H$-masses. Our result holds under mild assumptions on $f$, and covers in particular "
    r"$\alpha$-masses in any dimension $N\geq 2$ for exponents $\alpha$ above a critical threshold, and all "
    r"concave $H$-masses in dimension $N=1$. Our result yields in particular the concentration of Cahn-Hilliard "
    r"fluids into droplets, and is related to the approximation of branched transport by elliptic energies."
)
ITEM_2203 = AnnouncedItem(
    id="2203.01250",
    version=3,
    announce_type="replace-cross",
    title="Mass concentration in rescaled first order integral functionals",
    abstract=ABSTRACT_2203,
    authors=("Antonin Monteil", "Paul Pegon"),
    categories=("math.AP", "math.OC"),
    affiliations=("", ""),
    doi="10.5802/jep.257",
    journal_ref=r"Journal de l'\'Ecole polytechnique - Math\'ematiques, Tome 11 (2024), pp. 431-472",
    rights="http://creativecommons.org/licenses/by/4.0/",
)

TUESDAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # Tue 24 Nov 2026, 10:00 Eastern
SEEDS = {paper.versioned_id: paper for paper in load_seed_papers()}


def seed(versioned_id: str, *categories: str) -> Paper:
    """A seed paper; every seed is in cs.DC alone, so cross-lists are made by giving other categories."""
    paper = SEEDS[versioned_id]
    return replace(paper, categories=categories, primary_category=categories[0]) if categories else paper


# -- real captures -----------------------------------------------------------------------------------------------


def test_empty_sunday_feed_2025_04_27() -> None:
    """A real Sunday feed of ``cs``: every channel element, no item; its date is the Sunday itself."""
    feed = parse_announcement(SUNDAY.read_bytes(), "https://rss.arxiv.org/rss/cs")
    assert feed == Announcement(
        day=date(2025, 4, 27),
        built=datetime(2025, 4, 27, 4, 0, tzinfo=UTC),
        items=(),
        categories=("cs",),
        url="https://rss.arxiv.org/rss/cs",
    )
    assert feed.empty
    assert feed.counts() == {"cs": ZERO}


def test_rss_item_2203_01250v3_replace_cross() -> None:
    """2203.01250v3, the item of arXiv's RSS specification: a replacement whose primary (math.AP) is outside the
    feed, hence ``replace-cross``; TeX, backslashes and the space before the description's newline survive."""
    feed = parse_announcement(RSS_2203.read_bytes())
    assert feed.items == (ITEM_2203,)
    assert feed.day == date(2025, 9, 18)  # the channel's pubDate wins over the item's (2024-08-23)
    assert feed.built == datetime(2025, 9, 18, 4, 0, 2, tzinfo=UTC)
    assert feed.categories == ("cs.AI",)
    assert feed.skipped == 0
    assert ITEM_2203.versioned_id == "2203.01250v3"
    # The two halves of the example come from different feeds: the item is in neither cs.AI nor its archive.
    assert feed.counts() == {"cs.AI": ZERO}


def test_atom_twin_of_2203_01250v3() -> None:
    """The Atom specification's elements for the same item give the same record; the date is the entry's
    ``published`` in Eastern time, the build time the feed's ``updated`` in UTC."""
    feed = parse_announcement(ATOM_2203.read_bytes())
    assert feed.items == (ITEM_2203,)
    assert feed.day == date(2024, 8, 23)
    assert feed.built == datetime(2024, 2, 23, 16, 8, 30, 941605, tzinfo=UTC)
    assert feed.categories == ("math.OC",)
    assert feed.counts() == {"math.OC": ZERO | {"replace-cross": 1}}


# -- the pieces --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        ("Antonin Monteil, Paul Pegon", (("Antonin Monteil", ""), ("Paul Pegon", ""))),
        ("Jane Doe (MIT, CSAIL), John Smith", (("Jane Doe", "MIT, CSAIL"), ("John Smith", ""))),
        (
            "Ada Lovelace Jr (University of California, Berkeley), Alan Turing (NPL)",
            (("Ada Lovelace Jr", "University of California, Berkeley"), ("Alan Turing", "NPL")),
        ),
        # A collaboration has no forenames: arXiv writes a leading space.
        (" ATLAS Collaboration, Jane Doe", (("ATLAS Collaboration", ""), ("Jane Doe", ""))),
        ("A. Author (Lab (North), Uni)", (("A. Author", "Lab (North), Uni"),)),
        ("Jane\n  Doe,\tJohn Smith", (("Jane Doe", ""), ("John Smith", ""))),
        ("A. Author (unclosed, B. Author", (("A. Author (unclosed", ""), ("B. Author", ""))),
        ("", ()),
    ],
)
def test_split_creators(text: str, pairs: tuple[tuple[str, str], ...]) -> None:
    assert split_creators(text) == pairs


def test_feed_url() -> None:
    assert feed_url("https://rss.arxiv.org", ["cs.DC", "cs.PF"]) == "https://rss.arxiv.org/rss/cs.DC+cs.PF"
    assert feed_url("https://rss.arxiv.org/", ["math"], "atom") == "https://rss.arxiv.org/atom/math"
    refused: list[tuple[list[str], str]] = [([], "rss"), (["cs", ""], "rss"), (["cs+math"], "rss"), (["cs"], "rdf")]
    for categories, kind in refused:
        with pytest.raises(ValueError):
            feed_url("https://rss.arxiv.org", categories, kind)


def item(announce_type: str, *categories: str) -> AnnouncedItem:
    return AnnouncedItem("2611.00001", 1, announce_type, "T", "A", ("X",), categories)


@pytest.mark.parametrize(
    ("announced", "requested", "expected"),
    [
        (item("new", "cs.DC"), "cs.DC", "new"),
        (item("new", "cs.PF", "cs.DC"), "cs.DC", "cross"),
        (item("new", "cs.PF", "cs.DC"), "cs", "new"),
        (item("new", "cs.PF", "cs.DC"), "math", None),
        (item("replace", "math.AP", "cs.DC"), "cs.DC", "replace-cross"),
        (item("replace", "math.AP", "cs.DC"), "math", "replace"),
        (item("cross", "math.AP", "cs.DC"), "cs.DC", "cross"),
        (item("replace-cross", "math.AP", "cs.DC"), "cs", "replace-cross"),
        # Aliases: math-ph is listed in math through math.MP, cs.SY in eess through eess.SY.
        (item("new", "math-ph"), "math", "new"),
        (item("new", "cs.SY"), "eess.SY", "new"),
        # An archive covers its categories only: cs does not cover cs-like prefixes of other archives.
        (item("new", "math-ph"), "math-ph", "new"),
        (item("new", "math.CO"), "math-ph", None),
    ],
)
def test_type_for_a_requested_category(announced: AnnouncedItem, requested: str, expected: str | None) -> None:
    assert announced.type_for(requested) == expected


# -- damaged bodies ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty response body"),
        (b"  \n", "empty response body"),
        (b"Rate exceeded", "not XML"),
        (RSS_2203.read_bytes()[:1500], "malformed or truncated feed"),
        (b"<html><body>down</body></html>", "not an RSS 2.0 or Atom feed: the root element is <html>"),
        (b'<feed xmlns="http://example.org/"/>', "not an RSS 2.0 or Atom feed"),
        (b'<rss version="2.0"/>', "without <channel>"),
    ],
)
def test_malformed_feeds_raise_feed_error(body: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message) as raised:
        parse_announcement(body, "https://rss.arxiv.org/rss/cs")
    assert raised.value.url == "https://rss.arxiv.org/rss/cs"
    assert not isinstance(raised.value, AnnouncementFeedError)


def test_external_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
        "<rss><channel><title>&x; updates on arXiv.org</title></channel></rss>"
    ).encode()
    feed = parse_announcement(body)
    assert "TOP-SECRET" not in repr(feed)


def rss_with(items: str) -> bytes:
    head, tail = SUNDAY.read_bytes().split(b"  </channel>")
    return head + items.encode() + b"  </channel>" + tail


def test_a_damaged_item_is_skipped_and_counted(caplog: pytest.LogCaptureFixture) -> None:
    body = rss_with(
        "<item><title>No identifier anywhere</title><description>Abstract: text</description>"
        "<arxiv:announce_type>new</arxiv:announce_type></item>"
        "<item><title>No type</title><guid>oai:arXiv.org:2611.00002v1</guid></item>"
        "<item><title>  Kept,\n  with its type from the description </title>"
        "<link>https://arxiv.org/abs/2611.00003</link>"
        "<description>arXiv:2611.00003v2 Announce Type: replace \nAbstract:  Two\n  lines.</description>"
        "<category>cs.DC</category></item>"
    )
    with caplog.at_level(logging.WARNING, logger="dailypapers.arxiv.announce"):
        feed = parse_announcement(body)
    assert feed.skipped == 2
    assert [(i.versioned_id, i.announce_type, i.title, i.abstract) for i in feed.items] == [
        ("2611.00003v2", "replace", "Kept, with its type from the description", "Two lines.")
    ]
    assert "no arXiv identifier" in caplog.text
    assert "2611.00002: no announce type" in caplog.text
    assert feed.counts() == {"cs": ZERO | {"replace": 1}}


# -- the test server's feeds -------------------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[ArxivServer]:
    with ArxivServer(now=lambda: NOW) as running:
        yield running
    assert running.errors == []


@pytest.fixture
def feeds(server: ArxivServer) -> FeedService:
    service = mount_feeds(server)
    service.announce(
        date(2026, 11, 23),
        [(seed("2603.18383v1"), "new"), (seed("2603.12214v2"), "replace")],
    )
    service.announce(
        TUESDAY,
        [
            (seed("2603.17456v1"), "new"),  # cs.DC, with affiliations
            (seed("2603.17614v1", "cs.PF", "cs.DC"), "new"),
            (seed("2603.17435v1", "cs.LG", "cs.DC"), "new"),
            (seed("2603.01179v2"), "replace"),
            (seed("2603.06170v2", "cs.PF", "cs.DC"), "replace"),
            (seed("2505.01821v5", "math.OC", "cs.DC"), "replace"),  # has a DOI
            (seed("2412.15411v5"), "cross"),
        ],
    )
    service.today = TUESDAY
    return service


def fetch(server: ArxivServer, categories: list[str], kind: str = "rss") -> Announcement:
    with Http(user_agent="t", delay=0) as http:
        return fetch_announcement(http, server.base, categories, kind)


def summary(feed: Announcement) -> list[tuple[str, str]]:
    return [(i.versioned_id, i.announce_type) for i in feed.items]


def test_plus_joined_request_types_order_and_counts(server: ArxivServer, feeds: FeedService) -> None:
    """cs.DC+cs.PF: the cs.PF papers are new/replace, the cs.LG paper a cross-list; order new, cross, replace,
    replace-cross, each by id descending; counts per category as each category's own feed has them."""
    feed = fetch(server, ["cs.DC", "cs.PF"])
    assert server.requests[-1].path == "/rss/cs.DC+cs.PF"
    assert feed.categories == ("cs.DC", "cs.PF")
    assert feed.day == TUESDAY
    assert summary(feed) == [
        ("2603.17614v1", "new"),
        ("2603.17456v1", "new"),
        ("2603.17435v1", "cross"),
        ("2412.15411v5", "cross"),
        ("2603.06170v2", "replace"),
        ("2603.01179v2", "replace"),
        ("2505.01821v5", "replace-cross"),
    ]
    assert feed.counts() == {
        "cs.DC": {"new": 1, "cross": 3, "replace": 1, "replace-cross": 2},
        "cs.PF": {"new": 1, "cross": 0, "replace": 1, "replace-cross": 0},
    }
    # The counts of a combined feed are those of the separate feeds.
    for category in ("cs.DC", "cs.PF"):
        assert fetch(server, [category]).counts() == {category: feed.counts()[category]}


def test_archive_request_lists_all_its_categories(server: ArxivServer, feeds: FeedService) -> None:
    feed = fetch(server, ["cs"])
    assert ("2603.17435v1", "new") in summary(feed)  # primary cs.LG is in cs
    assert ("2505.01821v5", "replace-cross") in summary(feed)  # primary math.OC is not
    assert summary(fetch(server, ["math"])) == [("2505.01821v5", "replace")]


def test_rss_and_atom_of_the_same_day_agree(server: ArxivServer, feeds: FeedService) -> None:
    rss = fetch(server, ["cs.DC", "cs.PF"])
    atom = fetch(server, ["cs.DC", "cs.PF"], "atom")
    assert atom.items == rss.items
    assert (atom.day, atom.categories, atom.counts()) == (rss.day, rss.categories, rss.counts())
    assert atom.built is not None and rss.built == atom.built.replace(microsecond=0)
    assert rss.built == datetime(2026, 11, 24, 5, 0, 2, tzinfo=UTC)  # just after midnight EST


def test_items_carry_the_seed_metadata(server: ArxivServer, feeds: FeedService) -> None:
    """2603.17456v1 has an affiliation per author; 2505.01821v5 a DOI; the abstracts keep their line breaks in
    the seed data, which the feed reader collapses."""
    items = {i.id: i for i in fetch(server, ["cs.DC"]).items}
    paper = SEEDS["2603.17456v1"]
    got = items["2603.17456"]
    assert got.title == paper.title
    assert got.abstract == " ".join(paper.abstract.split())
    assert got.authors == tuple(a.name for a in paper.authors)
    assert got.affiliations == tuple(", ".join(a.affiliations) for a in paper.authors)
    assert got.categories == ("cs.DC",)
    assert got.rights == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert (got.doi, got.journal_ref) == (None, None)
    assert items["2505.01821"].doi == SEEDS["2505.01821v5"].doi
    assert items["2505.01821"].categories == ("math.OC", "cs.DC")


def test_left_out_absonly_and_late_replacements(server: ArxivServer, feeds: FeedService) -> None:
    feeds.announce(
        TUESDAY,
        [
            (replace(seed("2603.01179v2"), version=6), "replace"),
            (seed("2603.17456v1"), "absonly"),
            (seed("2412.15411v5"), "replace"),  # version 5: still listed
            (seed("2603.18383v1"), "cross"),
            (seed("2603.18383v1"), "new"),  # one listing per paper, new first
        ],
    )
    assert summary(fetch(server, ["cs.DC"])) == [("2603.18383v1", "new"), ("2412.15411v5", "replace")]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_holiday_and_weekend_feeds_are_empty_but_dated(server: ArxivServer, feeds: FeedService, kind: str) -> None:
    """Thanksgiving, Thu 26 Nov 2026, and Sunday 29 Nov: HTTP 200, every channel element, no item."""
    for day, pub_date in ((date(2026, 11, 26), "Thu, 26 Nov 2026"), (date(2026, 11, 29), "Sun, 29 Nov 2026")):
        feeds.today = day
        feed = fetch(server, ["cs.DC"], kind)
        assert (feed.day, feed.empty, feed.skipped, feed.categories) == (day, True, 0, ("cs.DC",))
        assert feed.counts() == {"cs.DC": ZERO}
        body = httpx.get(f"{server.base}/{kind}/cs.DC").text
        if kind == "rss":
            assert f"<pubDate>{pub_date} 00:00:00 -0500</pubDate>" in body
            assert "<skipDays>" in body and "<item>" not in body
        else:
            assert "<subtitle>cs.DC updates on the arXiv.org e-print archive.</subtitle>" in body
            assert "<entry>" not in body


def test_stale_feed_keeps_the_previous_announcement(server: ArxivServer, feeds: FeedService) -> None:
    feeds.stale()
    feed = fetch(server, ["cs.DC"])
    assert feed.day == date(2026, 11, 23)
    assert summary(feed) == [("2603.18383v1", "new"), ("2603.12214v2", "replace")]
    assert feed.day != due_announcement(NOW)  # how a run tells a stale feed
    feeds.fresh()
    assert fetch(server, ["cs.DC"]).day == TUESDAY == due_announcement(NOW)


def test_served_day_follows_the_server_clock(feeds: FeedService) -> None:
    feeds.today = None
    assert feeds.today == TUESDAY
    feeds.server.now = lambda: datetime(2026, 11, 24, 4, 59, 59, tzinfo=UTC)  # 23:59:59 EST on Monday
    assert feeds.today == date(2026, 11, 23)


def test_headers(server: ArxivServer, feeds: FeedService) -> None:
    rss = httpx.get(f"{server.base}/rss/cs.DC")
    atom = httpx.get(f"{server.base}/atom/cs.DC")
    assert rss.headers["content-type"] == "application/rss+xml"
    assert atom.headers["content-type"] == "application/atom+xml"
    for response in (rss, atom):
        assert response.headers["etag"] == hashlib.sha256(response.content).hexdigest()
        assert response.headers["cache-control"] == "max-age=50400"  # 10:00 EST → midnight: 14 hours
    help_text = httpx.get(f"{server.base}/rss/")
    assert (help_text.status_code, help_text.headers["content-type"]) == (200, "text/plain; charset=utf-8")


def test_lower_case_subject_class_is_accepted(server: ArxivServer, feeds: FeedService) -> None:
    feed = fetch(server, ["cs.dc"])
    assert feed.categories == ("cs.DC",)
    assert len(feed.items) == 7  # every paper of the day has cs.DC


VALID_ARCHIVES = ", ".join(ACTIVE_ARCHIVES)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("xx", f"Bad archive 'xx'. Valid archive names are: {VALID_ARCHIVES}."),
        ("cs.DC+XX.AI", f"Bad archive 'xx'. Valid archive names are: {VALID_ARCHIVES}."),
        ("cs.XX", "Bad subject class 'XX'. Valid subject classes for the archive 'cs' are: cs.AI, cs.AR, cs.CC"),
        ("cs.AI.x", "Bad archive/subject class structure 'cs.AI.x'. Valid names include an archive, possibly"),
        ("cs++math", "Invalid archive specification 'cs++math'. Correct format is one or more archive names"),
        ("cs.DC?version=1.0", "Unsupported feed version 'RSS 1.0' requested. Valid options are: RSS 2.0, Atom 1.0."),
    ],
)
@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_error_feeds(server: ArxivServer, feeds: FeedService, query: str, message: str, kind: str) -> None:
    response = httpx.get(f"{server.base}/{kind}/{query}")
    if kind == "atom" and "version" in query:
        assert response.status_code == 200  # only the RSS route reads ?version=
        return
    assert response.status_code == 400
    with pytest.raises(AnnouncementFeedError) as raised:
        parse_announcement(response.content, str(response.url))
    assert raised.value.arxiv_message.startswith(message)
    assert raised.value.query == f"http://rss.arxiv.org/{kind}/{query.split('?')[0]}"
    assert str(raised.value).startswith(f"{response.url}: arXiv feed error: {message}")


def test_error_feed_is_not_retried(server: ArxivServer, feeds: FeedService) -> None:
    with pytest.raises(AnnouncementFeedError, match="Bad archive 'xx'"):
        fetch(server, ["cs", "xx"])
    assert len(server.requests) == 1


def test_truncated_answer_is_retried(server: ArxivServer, feeds: FeedService) -> None:
    server.truncated(times=1)
    feed = fetch(server, ["cs.DC"])
    assert len(feed.items) == 7  # every paper of the day has cs.DC
    assert len(server.requests) == 2


def test_unavailable_then_served(server: ArxivServer, feeds: FeedService) -> None:
    server.unavailable(times=2, retry_after=0)
    assert fetch(server, ["cs.DC"], "atom").day == TUESDAY
    assert len(server.requests) == 3


def test_always_truncated_ends_in_fetch_error(server: ArxivServer, feeds: FeedService) -> None:
    server.truncated(times=None)
    with pytest.raises(FetchError, match="unreadable feed"):
        fetch(server, ["cs.DC"])
    assert len(server.requests) == 4


def test_error_status_with_a_page_is_a_feed_error(server: ArxivServer, feeds: FeedService) -> None:
    server.html_error(times=1, status=404)
    with pytest.raises(FeedError, match="HTTP 404"):
        fetch(server, ["cs.DC"])
    assert len(server.requests) == 1


def test_a_refused_feed_is_arxivs_error_feed_then_the_feed_again(server: ArxivServer, feeds: FeedService) -> None:
    feeds.refuse("Bad subject class 'DC'.")
    with pytest.raises(AnnouncementFeedError, match="Bad subject class 'DC'"):
        fetch(server, ["cs.DC"])
    assert fetch(server, ["cs.DC"]).day == TUESDAY


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_damaged_items_are_served_after_the_others(server: ArxivServer, feeds: FeedService, kind: str) -> None:
    feeds.damaged = 2
    feed = fetch(server, ["cs.DC"], kind)
    assert (len(feed.items), feed.skipped, feed.day) == (7, 2, TUESDAY)
