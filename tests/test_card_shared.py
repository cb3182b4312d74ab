"""One paper card for the static site and the reader: the same archive rendered by ``dailypapers render`` (the site)
and served by the reader shows each paper with the same markup for every field both show, read from the parsed
HTML (lxml). The reader adds only its own parts (the card's id, state and ``data-paper``, the topics, the HTML and
Page links, the buttons); the site's card carries none of them."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import lxml.html
import pytest
from click.testing import CliRunner
from lxml.html import HtmlElement as Element

from dailypapers.cli import cli
from reader_server import running_reader
from reader_world import DAYS, hostile_papers, second_run_ids, seed_archive

COMMON = ("title", "authors", "meta", "comment", "journal-ref", "abstract-toggle", "reason")
READER_ONLY = {"topics", "actions"}
DAY = DAYS[1].date().isoformat()  # the latest run's


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Element, Element]]:
    """The site's page of the latest run's day and the reader's inbox, over one archive: both list the run's
    papers by topic, with the cards one level under the topic's heading."""
    config, _ = seed_archive(tmp_path_factory.mktemp("shared"))
    config.write_text(config.read_text(encoding="utf-8") + '\n[outputs]\nsite = "site/"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", "--config", str(config)])
    assert result.exit_code == 0, result.stderr
    site = lxml.html.fromstring((config.parent / "site" / "days" / f"{DAY}.html").read_bytes())
    with running_reader(config) as reader:
        inbox = lxml.html.fromstring(httpx.get(reader.url, timeout=5).content)
    yield site, inbox


def site_card(day: Element, topic: str, paper_id: str) -> Element:
    """The site's card of a paper under a topic of a day's page: the ``li.paper`` whose title links to its
    abstract page, in the section headed by the topic."""
    found = [
        card
        for section in day.iter("section")
        if heading(section.find("h2")) == topic
        for card in section.iter("li")
        if card.find_class("title")[0].find(".//a").get("href").rsplit("/abs/", 1)[1].rsplit("v", 1)[0] == paper_id
    ]
    assert len(found) == 1, paper_id
    return found[0]


def heading(h2: Element) -> str:
    """A topic's name in its heading (its link's text on the site, the heading's text in the reader)."""
    link = h2.find("a")
    return str((link if link is not None else h2).text).strip()


def reader_card(inbox: Element, paper_id: str) -> tuple[str, Element]:
    """The reader's card of a paper and the topic it is listed under (its "Matched: …" is that topic's)."""
    found = inbox.xpath(".//li[@data-paper=$paper]", paper=paper_id)
    assert len(found) == 1, paper_id
    return heading(found[0].xpath("ancestor::section[1]/h2")[0]), found[0]


def part(card: Element, name: str) -> bytes | None:
    """The markup of a card's part (its element with that class), or None when the card has none."""
    found = card.find_class(name)
    return lxml.html.tostring(found[0]) if found else None


def links(card: Element) -> list[tuple[str | None, str]]:
    return [(link.get("href"), link.text_content()) for link in card.find_class("links")[0].iter("a")]


SHOWN = [*second_run_ids()[:3], *(paper.id for paper in hostile_papers())]


@pytest.mark.parametrize("paper_id", SHOWN)
def test_the_reader_and_the_site_show_a_paper_with_the_same_markup(
    pages: tuple[Element, Element], paper_id: str
) -> None:
    site, inbox = pages
    topic, in_reader = reader_card(inbox, paper_id)
    on_site = site_card(site, topic, paper_id)
    for name in COMMON:
        assert part(in_reader, name) == part(on_site, name), name
    assert part(on_site, "title") is not None and part(on_site, "abstract-toggle") is not None
    shared = [child.get("class") for child in in_reader if child.get("class") not in READER_ONLY]
    assert shared == [child.get("class") for child in on_site]


@pytest.mark.parametrize("paper_id", SHOWN)
def test_the_reader_adds_its_parts_and_the_site_has_none(pages: tuple[Element, Element], paper_id: str) -> None:
    site, inbox = pages
    topic, in_reader = reader_card(inbox, paper_id)
    on_site = site_card(site, topic, paper_id)
    abs_url, pdf_url = (href for href, _ in links(on_site)[:2])
    assert abs_url is not None
    extra = [(abs_url.replace("/abs/", "/html/", 1), "HTML"), (f"/papers/{paper_id}", "Page")]
    assert links(in_reader) == [*links(on_site)[:2], *extra, *links(on_site)[2:]]
    assert pdf_url == abs_url.replace("/abs/", "/pdf/", 1)
    assert in_reader.get("id") == "p-" + paper_id.replace(".", "-") and in_reader.get("class").startswith("paper")
    assert in_reader.find_class("topics") and list(in_reader.find_class("actions")[0].iter("button"))
    assert dict(on_site.attrib) == {"class": "paper"}
    assert not on_site.find_class("topics") and not on_site.find_class("actions") and on_site.find(".//form") is None
