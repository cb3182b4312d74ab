"""A paper's TL;DR under its title in every output: the site and the reader's card, email (both parts), Slack,
Discord and JSON webhooks, Atom feeds, and the page, notification and GitHub issue as the optional ``TL;DR``
column. Without a summary each output is what it was, byte for byte; a hostile summary is escaped exactly like
paper text. The outputs are rendered from digests and messages built here and read back with real parsers
(lxml for HTML and XML, ``json`` for payloads)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
from lxml.etree import _Element as Element

from dailypapers.config import load_config
from dailypapers.errors import ConfigError
from dailypapers.model import Author, Digest, Listed, Message, Paper, Section, Summary
from dailypapers.render import render_notification, render_page
from dailypapers.render.email import render_email
from dailypapers.render.feed import ALL, render_feeds
from dailypapers.render.github import github_issue
from dailypapers.render.site import render_site
from dailypapers.render.webhook import webhook_payload
from dailypapers.serve.cards import card
from dailypapers.serve.reader import templates

MOMENT = datetime(2026, 5, 14, 18, 0, tzinfo=UTC)
GOOD = Summary(
    tldr="Ring pipelining makes\n  all-reduce $O(\\log n)$ deep & twice as fast.",
    problem="Slow all-reduce",
    method="Ring pipelining",
    result="2x faster",
)
ONLY_TLDR = Summary("A compiler pass that removes dead stores.")
HOSTILE_TLDR = (
    '<script>alert(1)</script> "><img src=x onerror=alert(2)> @channel <!here> <!channel> <@U123> @everyone '
    "a | b\nnext line [click](javascript:alert(3)) $\\frac{1}{2}$ & &#64;team #12"
)
HOSTILE = Summary(HOSTILE_TLDR, problem="x | y", method="<b>bold</b>", result="@here")
ATOM = "{http://www.w3.org/2005/Atom}"
XHTML = "{http://www.w3.org/1999/xhtml}"
SUMMARY_DIV = re.compile(r'<div class="summary">\n.*?</div>\n', re.DOTALL)


def paper(number: int, title: str = "Fast collectives") -> Paper:
    return Paper(
        id=f"2605.{number:05d}",
        version=1,
        title=f"{title} {number}",
        abstract=f"Abstract of paper {number}.",
        authors=(Author("Ada Lovelace"), Author("Alan Turing")),
        categories=("cs.DC",),
        primary_category="cs.DC",
        published=MOMENT,
        updated=MOMENT,
    )


def listings(*summaries: Summary | None) -> tuple[Listed, ...]:
    return tuple(Listed(paper(number + 1), summary=summary) for number, summary in enumerate(summaries))


def without_summaries(papers: tuple[Listed, ...]) -> tuple[Listed, ...]:
    return tuple(replace(listed, summary=None) for listed in papers)


def digest(papers: tuple[Listed, ...], columns: tuple[str, ...] = ("Title", "Date", "Abstract", "Comment")) -> Digest:
    section = Section("collectives", papers, query="abs:all-reduce")
    return Digest("Daily Papers", date(2026, 5, 15), (section,), new=(section,), columns=columns)


def message(papers: tuple[Listed, ...]) -> Message:
    section = Section("collectives", papers, query="abs:all-reduce")
    return Message("Daily Papers", date(2026, 5, 15), (section,), link="https://ada.github.io/papers/")


SUMMARISED = listings(GOOD, None, ONLY_TLDR)


# --- the site and the reader ---


def classed(element: Element, name: str) -> list[Element]:
    """The elements of class ``name`` inside ``element``."""
    found = element.xpath(f'.//*[contains(concat(" ", normalize-space(@class), " "), " {name} ")]')
    assert isinstance(found, list)
    return [item for item in found if isinstance(item, Element)]


def text_of(element: Element, name: str) -> str:
    """The text of the first element of class ``name`` inside ``element``."""
    return "".join(str(text) for text in classed(element, name)[0].itertext())


def site_cards(papers: tuple[Listed, ...]) -> list[Element]:
    page = render_site(digest(papers))["topics/collectives.html"]
    assert isinstance(page, str)
    return classed(lxml.html.fromstring(page), "paper")


def reader_card(listed: Listed) -> Element:
    """The reader's card of ``listed`` (``serve/cards.card``), as its ``_card.html.j2`` renders it."""
    page = templates().from_string('{% from "_card.html.j2" import card with context %}{{ card(shown, 2) }}')
    shown = card(listed, ("collectives",), None)
    return lxml.html.fromstring(page.render(shown=shown, token="t", here="/"))


def test_site_card_shows_the_tldr_and_its_facets_right_under_the_title() -> None:
    first, second, third = site_cards(SUMMARISED)
    title, block = list(first)[:2]
    assert title.get("class") == "title" and block.get("class") == "summary"
    assert text_of(block, "tldr") == "TL;DR: Ring pipelining makes all-reduce $O(\\log n)$ deep & twice as fast."
    assert text_of(block, "facets") == "Problem: Slow all-reduce · Method: Ring pipelining · Result: 2x faster"
    assert classed(second, "summary") == []
    assert text_of(third, "tldr") == "TL;DR: A compiler pass that removes dead stores."
    assert classed(third, "facets") == []


def test_site_without_summaries_is_byte_for_byte_the_site_minus_the_summary_blocks() -> None:
    plain = render_site(digest(without_summaries(SUMMARISED)))
    summarised = render_site(digest(SUMMARISED))
    assert plain.keys() == summarised.keys()
    changed = [path for path in plain if plain[path] != summarised[path]]
    assert changed == ["topics/collectives.html"]
    text = summarised["topics/collectives.html"]
    assert isinstance(text, str) and len(SUMMARY_DIV.findall(text)) == 2
    assert SUMMARY_DIV.sub("", text) == plain["topics/collectives.html"]


def test_site_shows_a_hostile_summary_as_text_and_runs_nothing() -> None:
    page = render_site(digest(listings(HOSTILE)))["topics/collectives.html"]
    assert isinstance(page, str)
    tree = lxml.html.fromstring(page)
    assert all(script.get("src") for script in tree.iter("script")), "only the site's own scripts"
    assert not tree.xpath("//img | //*[@onerror] | //b")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in page
    assert text_of(tree, "tldr") == "TL;DR: " + " ".join(HOSTILE_TLDR.split())
    assert text_of(tree, "facets") == "Problem: x | y · Method: <b>bold</b> · Result: @here"


def test_reader_card_shows_the_summary_of_its_listing() -> None:
    tree = reader_card(Listed(paper(1), summary=HOSTILE))
    title, block = list(tree)[:2]
    assert title.get("class") == "title" and block.get("class") == "summary"
    assert text_of(block, "tldr") == "TL;DR: " + " ".join(HOSTILE_TLDR.split())
    assert not tree.xpath("//script | //img | //b")
    assert classed(reader_card(Listed(paper(1))), "summary") == []


# --- email ---


def test_email_shows_the_tldr_under_the_title_in_both_parts() -> None:
    body = render_email(message(SUMMARISED))
    assert (
        "* Fast collectives 1\n"
        "  TL;DR: Ring pipelining makes all-reduce $O(\\log n)$ deep & twice as fast.\n"
        "  Problem: Slow all-reduce · Method: Ring pipelining · Result: 2x faster\n"
        "  Ada Lovelace, Alan Turing\n"
    ) in body.text
    assert "* Fast collectives 3\n  TL;DR: A compiler pass that removes dead stores.\n  Ada Lovelace" in body.text
    assert "* Fast collectives 2\n  Ada Lovelace" in body.text
    paragraphs = ["".join(str(text) for text in p.itertext()) for p in lxml.html.fromstring(body.html).iter("p")]
    tldrs = [text for text in paragraphs if text.startswith("TL;DR:")]
    assert [" ".join(text.split()) for text in tldrs] == [
        "TL;DR: Ring pipelining makes all-reduce $O(\\log n)$ deep & twice as fast. "
        "Problem: Slow all-reduce · Method: Ring pipelining · Result: 2x faster",
        "TL;DR: A compiler pass that removes dead stores.",
    ]


def test_email_without_summaries_is_the_email_minus_the_summary_lines() -> None:
    plain = render_email(message(without_summaries(SUMMARISED)))
    summarised = render_email(message(SUMMARISED))
    assert plain.subject == summarised.subject
    kept = [line for line in summarised.text.splitlines() if not line.startswith(("  TL;DR:", "  Problem:"))]
    assert "\n".join(kept) + "\n" == plain.text
    html = re.sub(r'<p style="[^"]*border-left[^"]*"><strong>TL;DR:</strong>.*?</p>\n', "", summarised.html, flags=re.S)
    assert html == plain.html


def test_email_escapes_a_hostile_summary_and_keeps_it_on_its_lines() -> None:
    body = render_email(message(listings(HOSTILE)))
    tree = lxml.html.fromstring(body.html)
    assert not tree.xpath("//script | //img | //b | //*[@onerror]")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body.html
    lines = body.text.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith("  TL;DR:"))
    assert lines[start + 1].startswith("    ")  # the wrapped sentence is indented: no line of its own begins
    assert " ".join(" ".join(lines[start : start + 4]).split()).startswith("TL;DR: " + " ".join(HOSTILE_TLDR.split()))


# --- webhooks ---


def test_slack_and_discord_put_the_tldr_under_the_paper_line() -> None:
    slack = "\n".join(block["text"]["text"] for block in webhook_payload("slack", message(SUMMARISED))["blocks"][1:])
    assert (
        "— Ada Lovelace, Alan Turing\n"
        "    TL;DR: Ring pipelining makes all-reduce $O(\\log n)$ deep &amp; twice as fast.\n"
        "    Problem: Slow all-reduce · Method: Ring pipelining · Result: 2x faster\n• <"
    ) in slack
    discord = webhook_payload("discord", message(SUMMARISED))["embeds"][0]["description"]
    assert (
        "— Ada Lovelace, Alan Turing\n"
        "    TL;DR\\: Ring pipelining makes all-reduce $O\\(\\\\log n\\)$ deep & twice as fast.\n"
        "    Problem\\: Slow all-reduce · Method\\: Ring pipelining · Result\\: 2x faster\n• ["
    ) in discord
    assert discord.count("TL;DR") == 2


def test_chat_payloads_without_summaries_are_the_payloads_minus_the_summary_lines() -> None:
    def stripped(text: str) -> str:
        return "\n".join(line for line in text.split("\n") if not line.startswith(("    TL;DR", "    Problem")))

    plain = webhook_payload("slack", message(without_summaries(SUMMARISED)))
    summarised = webhook_payload("slack", message(SUMMARISED))
    for block in summarised["blocks"][1:]:
        block["text"]["text"] = stripped(block["text"]["text"])
    assert summarised == plain
    plain = webhook_payload("discord", message(without_summaries(SUMMARISED)))
    summarised = webhook_payload("discord", message(SUMMARISED))
    for embed in summarised["embeds"]:
        embed["description"] = stripped(embed["description"])
    assert summarised == plain


def test_slack_escapes_a_hostile_summary_like_paper_text() -> None:
    payload = webhook_payload("slack", message(listings(HOSTILE)))
    text = "\n".join(block["text"]["text"] for block in payload["blocks"])
    assert "<!here>" not in text and "<!channel>" not in text and "<@U123>" not in text and "<script>" not in text
    assert "&lt;!here&gt; &lt;!channel&gt; &lt;@U123&gt;" in text
    assert "a | b next line" in text  # one line: the newline cannot start a line of its own
    for target in re.findall(r"<([^|>]*)[|>]", text):
        assert target.startswith(("https://arxiv.org/abs/", "https://ada.github.io/papers/")), target


def test_discord_escapes_a_hostile_summary_and_mentions_nobody() -> None:
    payload = webhook_payload("discord", message(listings(HOSTILE)))
    assert payload["allowed_mentions"] == {"parse": []}
    description = payload["embeds"][0]["description"]
    for raw in ("@everyone", "@channel", "@here", "<@U123>", "<script>", "](javascript"):
        assert raw not in description.replace("\\@", "\\"), raw
    assert r"\[click\]\(javascript\:alert\(3\)\)" in description
    assert r"a \| b next line" in description


def test_json_carries_the_summary_as_data() -> None:
    papers = webhook_payload("json", message((*SUMMARISED, *listings(HOSTILE))))["topics"][0]["papers"]
    assert papers[0]["summary"] == {
        "tldr": "Ring pipelining makes all-reduce $O(\\log n)$ deep & twice as fast.",
        "problem": "Slow all-reduce",
        "method": "Ring pipelining",
        "result": "2x faster",
    }
    assert papers[1]["summary"] is None
    assert papers[2]["summary"] == {
        "tldr": "A compiler pass that removes dead stores.",
        "problem": None,
        "method": None,
        "result": None,
    }
    assert papers[3]["summary"]["tldr"] == " ".join(HOSTILE_TLDR.split())
    assert json.loads(json.dumps(papers)) == papers


# --- feeds ---


def feed_paragraphs(papers: tuple[Listed, ...]) -> list[list[str]]:
    root = lxml.etree.fromstring(render_feeds(digest(papers))[ALL].encode())
    return [
        ["".join(str(text) for text in p.itertext()) for p in entry.iter(f"{XHTML}p")]
        for entry in sorted(root.iter(f"{ATOM}entry"), key=lambda entry: entry.findtext(f"{ATOM}id") or "")
    ]


def test_feed_entries_open_with_the_tldr_after_the_topic() -> None:
    first, second, third = feed_paragraphs(SUMMARISED)
    assert first[1:4] == [
        "TL;DR: Ring pipelining makes all-reduce $O(\\log n)$ deep & twice as fast.",
        "Problem: Slow all-reduce · Method: Ring pipelining · Result: 2x faster",
        "Abstract of paper 1.",
    ]
    assert second[1] == "Abstract of paper 2."
    assert third[1:3] == ["TL;DR: A compiler pass that removes dead stores.", "Abstract of paper 3."]


def test_feeds_without_summaries_are_the_feeds_minus_the_summary_paragraphs() -> None:
    plain = render_feeds(digest(without_summaries(SUMMARISED)))
    summarised = render_feeds(digest(SUMMARISED))
    for name, text in summarised.items():
        stripped = re.sub(r"\s*<p>(<b>TL;DR:</b>|Problem:)[^\n]*</p>", "", text)
        assert stripped == plain[name], name


def test_feed_keeps_a_hostile_summary_as_text() -> None:
    root = lxml.etree.fromstring(render_feeds(digest(listings(HOSTILE)))[ALL].encode())
    tags = {element.tag for element in root.iter(f"{XHTML}*")}
    assert tags == {f"{XHTML}div", f"{XHTML}p", f"{XHTML}a", f"{XHTML}b"}
    assert [len(root.findall(f".//{XHTML}b")), len(root.findall(f".//{XHTML}a"))] == [2, 2]  # topic, TL;DR; links
    (first,) = feed_paragraphs(listings(HOSTILE))
    assert first[1] == "TL;DR: " + " ".join(HOSTILE_TLDR.split())


# --- the page, the notification and the GitHub issue ---


def tldr_cells(markdown: str) -> list[str]:
    rows = [line for line in markdown.splitlines() if line.startswith("| **[")]
    return [re.split(r"(?<!\\)\|", row)[2].strip() for row in rows]


def test_the_page_shows_a_tldr_column_when_asked() -> None:
    page = render_page(digest(SUMMARISED, columns=("Title", "TL;DR")), max_papers=10)
    assert "| **Title** | **TL;DR** |\n| --- | --- |\n" in page
    assert tldr_cells(page) == [
        "Ring pipelining makes all-reduce $O(\\log n)$ deep & twice as fast. <details><summary>More</summary>"
        "<p>Problem: Slow all-reduce · Method: Ring pipelining · Result: 2x faster</p></details>",
        "",
        "A compiler pass that removes dead stores.",
    ]


def test_the_default_page_has_no_tldr_even_with_summaries() -> None:
    assert render_page(digest(SUMMARISED), max_papers=10) == render_page(
        digest(without_summaries(SUMMARISED)), max_papers=10
    )


def test_a_hostile_summary_cannot_break_the_table() -> None:
    page = render_page(digest(listings(HOSTILE), columns=("Title", "TL;DR")), max_papers=10)
    row = next(line for line in page.splitlines() if line.startswith("| **["))
    assert len(re.findall(r"(?<!\\)\|", row)) == 3  # one line, three cell borders: nothing split the row
    (cell,) = tldr_cells(page)
    assert cell.startswith('&lt;script&gt;alert(1)&lt;/script&gt; "&gt;&lt;img src=x onerror=alert(2)&gt;')
    assert "a \\| b next line [click]\\(javascript:alert(3))" in cell
    assert "<p>Problem: x \\| y · Method: &lt;b&gt;bold&lt;/b&gt; · Result: @here</p>" in cell


def test_the_notification_and_the_issue_show_the_column_and_mention_nobody() -> None:
    notification = render_notification(digest(listings(HOSTILE, GOOD), columns=("Title", "TL;DR")))
    assert tldr_cells(notification)[1].startswith("Ring pipelining makes all-reduce")
    issue = github_issue(message(listings(HOSTILE, GOOD)), ("Title", "TL;DR")).body
    hostile, good = tldr_cells(issue)
    assert good.startswith("Ring pipelining makes all-reduce $O(\\log n)$ deep &amp; twice as fast.")
    assert re.findall(r"(?<!&)[@#](?!&#8203;)", hostile) == []  # every @ and # but an entity's is made inert
    assert "@&#8203;channel" in hostile and "&amp;#&#8203;64;team #&#8203;12" in hostile
    assert "Result: @&#8203;here" in hostile


def test_config_accepts_the_tldr_column(tmp_path: Path) -> None:
    path = tmp_path / "dailypapers.toml"
    path.write_text('columns = ["Title", "TL;DR"]\n[[topics]]\nname = "compiler"\n', encoding="utf-8")
    assert load_config(path, environ={}).columns == ("Title", "TL;DR")
    path.write_text('columns = ["Title", "TLDR"]\n[[topics]]\nname = "compiler"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown column 'TLDR'; expected some of .*PDF, TL;DR"):
        load_config(path, environ={})
