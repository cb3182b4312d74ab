"""Webhook payloads (Slack, Discord, JSON) and posting them to a real local HTTP server."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from dailypapers.deliver.webhook import post_webhook
from dailypapers.errors import DeliveryError
from dailypapers.model import Author, Listed, Message, Paper, Section
from dailypapers.render._text import clip, size
from dailypapers.render.webhook import (
    DISCORD_CONTENT,
    DISCORD_DESCRIPTION,
    DISCORD_EMBEDS,
    DISCORD_TITLE,
    DISCORD_TOTAL,
    SLACK_BLOCKS,
    SLACK_HEADER,
    SLACK_SECTION,
    webhook_payload,
)
from loopback import QuietHandler, free_port, serve_http

TOKEN = "XyZsecretTOKEN0123456789"
HOSTILE = "<!channel> @everyone @here <script>alert(1)</script> [click](javascript:alert(1)) <@123> & *bold*"
PAGE = "https://ada.github.io/papers/"


# --- a webhook receiver ---


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook endpoint on loopback: answers from ``script`` in order (the last one repeats), records posts."""

    script: list[tuple[int, dict[str, str], bytes]] = field(default_factory=lambda: [(200, {}, b"ok")])
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    base: str = ""

    def url(self, path: str = f"/services/T0001/B0002/{TOKEN}") -> str:
        return f"{self.base}{path}"

    def answer(self) -> tuple[int, dict[str, str], bytes]:
        return self.script.pop(0) if len(self.script) > 1 else self.script[0]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(QuietHandler):
        def do_POST(self) -> None:
            body = self.read_body()
            state.received.append(Received(self.path, dict(self.headers.items()), body))
            time.sleep(state.delay)
            status, headers, reply = state.answer()
            self.answer(status, reply, headers)

    with serve_http(Handler) as base:
        state.base = base
        yield state


def post(url: str, payload: dict[str, Any], waits: list[float] | None = None, **options: Any) -> None:
    sleeps = waits if waits is not None else []
    post_webhook(
        url,
        payload,
        name="slack:DAILYPAPERS_SLACK_WEBHOOK",
        user_agent="dailypapers-test/1",
        sleep=sleeps.append,
        **options,
    )


# --- messages ---


def paper(number: int, title: str | None = None, authors: int = 2) -> Paper:
    when = datetime(2026, 1, 13, 18, 0, tzinfo=UTC)
    return Paper(
        id=f"2601.{number:05d}",
        version=1 + number % 2,
        title=title or f"Paper number {number} on distributed\n  systems",
        abstract=f"Abstract of paper {number}.",
        authors=tuple(Author(f"Author {number}-{index}") for index in range(authors)),
        categories=("cs.DC", "cs.LG"),
        primary_category="cs.DC",
        published=when,
        updated=when,
    )


def message(topics: dict[str, list[Listed]], limit: int = 50, link: str | None = PAGE) -> Message:
    sections = tuple(Section(topic=name, papers=tuple(papers), query=f'ti:"{name}"') for name, papers in topics.items())
    return Message("Daily Papers", date(2026, 1, 15), sections, limit=limit, note="Announced on 2026-01-14.", link=link)


def small() -> Message:
    return message(
        {
            "compilers": [Listed(paper(1), reason='ti:"compiler"'), Listed(paper(2), new_version=True)],
            "reinforcement learning": [Listed(paper(3))],
        }
    )


def hostile() -> Message:
    return message({"hostile": [Listed(paper(7, title=HOSTILE)), Listed(paper(8, title="javascript:alert(1)"))]})


def many(papers: int = 300, topics: int = 3, limit: int = 50, long: bool = False) -> Message:
    per_topic = papers // topics
    title = ("A very long title about & < > " * 40) if long else None
    return message(
        {
            f"topic {t}": [Listed(paper(t * 1000 + i, title=title, authors=40)) for i in range(per_topic)]
            for t in range(topics)
        },
        limit=limit,
    )


# --- limits ---


def slack_texts(payload: dict[str, Any]) -> list[str]:
    return [block["text"]["text"] for block in payload["blocks"] if block["type"] == "section"]


def discord_texts(payload: dict[str, Any]) -> list[str]:
    return [payload["content"], *(embed["description"] for embed in payload["embeds"])]


def more_counts(texts: list[str]) -> int:
    return sum(int(count) for text in texts for count in re.findall(r"and (\d+) more", text))


def check_slack(payload: dict[str, Any]) -> None:
    assert len(payload["blocks"]) <= SLACK_BLOCKS
    header = payload["blocks"][0]
    assert header["type"] == "header" and size(header["text"]["text"]) <= SLACK_HEADER
    for text in slack_texts(payload):
        assert size(text) <= SLACK_SECTION


def check_discord(payload: dict[str, Any]) -> None:
    assert size(payload["content"]) <= DISCORD_CONTENT
    assert len(payload["embeds"]) <= DISCORD_EMBEDS
    total = 0
    for embed in payload["embeds"]:
        assert size(embed["title"]) <= DISCORD_TITLE
        assert size(embed["description"]) <= DISCORD_DESCRIPTION
        total += size(embed["title"]) + size(embed["description"])
    assert total <= DISCORD_TOTAL
    assert payload["allowed_mentions"] == {"parse": []}


@pytest.mark.parametrize("limit", [50, 300])
@pytest.mark.parametrize("long", [False, True])
@pytest.mark.parametrize("topics", [1, 3, 15, 60])
def test_300_papers_stay_within_limits_and_every_paper_is_shown_or_counted(limit: int, long: bool, topics: int) -> None:
    msg = many(papers=300, topics=topics, limit=limit, long=long)
    listings = sum(len(section.papers) for section in msg.sections)

    slack = webhook_payload("slack", msg)
    check_slack(slack)
    shown = sum(text.count("<https://arxiv.org/abs/") for text in slack_texts(slack))
    assert shown > 0
    assert shown + more_counts(slack_texts(slack)) == listings

    discord = webhook_payload("discord", msg)
    check_discord(discord)
    shown = sum(text.count("](https://arxiv.org/abs/") for text in discord_texts(discord))
    assert shown > 0
    assert shown + more_counts(discord_texts(discord)) == listings

    data = webhook_payload("json", msg)
    for topic, section in zip(data["topics"], msg.sections, strict=True):
        assert len(topic["papers"]) == min(limit, len(section.papers))
        assert len(topic["papers"]) + topic["more"] == len(section.papers)


def test_the_limit_per_topic_says_and_n_more_with_the_page_link() -> None:
    msg = many(papers=30, topics=1, limit=10)
    slack = "\n".join(slack_texts(webhook_payload("slack", msg)))
    assert slack.count("<https://arxiv.org/abs/") == 10
    assert f"…and 20 more: <{PAGE}|see the page>" in slack
    discord = webhook_payload("discord", msg)["embeds"][0]["description"]
    assert discord.count("](https://arxiv.org/abs/") == 10
    assert discord.endswith(f"…and 20 more: [see the page]({PAGE})")
    data = webhook_payload("json", msg)
    assert data["topics"][0]["more"] == 20 and data["link"] == PAGE


def test_without_a_link_and_n_more_stands_alone() -> None:
    msg = message({"t": [Listed(paper(i)) for i in range(5)]}, limit=2, link=None)
    assert slack_texts(webhook_payload("slack", msg))[-1].endswith("…and 3 more")
    assert webhook_payload("discord", msg)["embeds"][0]["description"].endswith("…and 3 more")


def test_fifteen_topics_on_discord_end_with_a_more_topics_embed() -> None:
    embeds = webhook_payload("discord", many(papers=30, topics=15))["embeds"]
    assert len(embeds) == DISCORD_EMBEDS
    assert embeds[-1]["title"] == "More topics"
    assert embeds[-1]["description"].startswith(f"…and 12 more on 6 other topics: [see the page]({PAGE}):\ntopic 9 (2)")


def test_clip_counts_utf16_units() -> None:
    assert size("𝒪(n)") == 5
    assert clip("abcdef", 4) == "abc…"
    assert clip("𝒪𝒪𝒪", 4) == "𝒪…"
    assert clip("short", 10) == "short"


# --- hostile text ---


def test_slack_escapes_paper_text_so_it_cannot_mention_or_link() -> None:
    payload = webhook_payload("slack", hostile())
    text = "\n".join(slack_texts(payload))
    assert "<!channel>" not in text and "<script>" not in text and "<@123>" not in text
    assert "&lt;!channel&gt;" in text and "&lt;script&gt;" in text and "&amp; *bold*" in text
    for target in re.findall(r"<([^|>]*)[|>]", text):
        assert target.startswith(("https://arxiv.org/abs/", PAGE)), target
    assert all(block["text"].get("verbatim") is True for block in payload["blocks"] if block["type"] == "section")


def test_discord_escapes_markdown_and_allows_no_mentions() -> None:
    payload = webhook_payload("discord", hostile())
    assert payload["allowed_mentions"] == {"parse": []}
    description = payload["embeds"][0]["description"]
    assert "@everyone" not in description.replace("\\@everyone", "")
    assert "<script>" not in description and "<@123>" not in description
    assert "javascript:" not in description
    assert r"\[click\]\(javascript\:alert\(1\)\)" in description
    unescaped_links = re.findall(r"(?<!\\)\]\((?!https://arxiv\.org/abs/|" + re.escape(PAGE) + r")", description)
    assert unescaped_links == []


def test_json_keeps_the_text_as_data() -> None:
    data = webhook_payload("json", hostile())
    assert data["topics"][0]["papers"][0]["title"] == HOSTILE
    assert json.loads(json.dumps(data)) == data


def test_json_structure() -> None:
    data = webhook_payload("json", small())
    assert set(data) == {"title", "day", "count", "note", "link", "topics"}
    assert (data["title"], data["day"], data["count"], data["link"]) == ("Daily Papers", "2026-01-15", 3, PAGE)
    first = data["topics"][0]
    assert (first["topic"], first["query"], first["more"]) == ("compilers", 'ti:"compilers"', 0)
    assert first["papers"][0] == {
        "id": "2601.00001",
        "version": 2,
        "title": "Paper number 1 on distributed systems",
        "authors": ["Author 1-0", "Author 1-1"],
        "categories": ["cs.DC", "cs.LG"],
        "updated": "2026-01-13T18:00:00+00:00",
        "abs_url": "https://arxiv.org/abs/2601.00001v2",
        "pdf_url": "https://arxiv.org/pdf/2601.00001v2",
        "new_version": False,
        "reason": 'ti:"compiler"',
        "abstract": "Abstract of paper 1.",
        "summary": None,
    }
    assert first["papers"][1]["new_version"] is True


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown webhook kind 'teams'"):
        webhook_payload("teams", small())


# --- posting ---


@pytest.mark.parametrize("kind", ["slack", "discord", "json"])
def test_each_kind_reaches_the_server_as_json(receiver: Receiver, kind: str) -> None:
    payload = webhook_payload(kind, small())
    post(receiver.url(), payload)
    (request,) = receiver.received
    assert request.json() == payload
    assert request.path == f"/services/T0001/B0002/{TOKEN}"
    assert request.headers["User-Agent"] == "dailypapers-test/1"
    assert request.headers["Content-Type"].startswith("application/json")


def test_503_then_success_is_retried(receiver: Receiver) -> None:
    """503 says the server did not act on the message, so sending it again cannot post it twice."""
    receiver.script = [(503, {}, b"busy"), (200, {}, b"ok")]
    waits: list[float] = []
    post(receiver.url(), {"text": "hi"}, waits)
    assert len(receiver.received) == 2
    assert waits == [1.0]


@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_server_error_is_not_sent_again_in_the_same_run(receiver: Receiver, status: int) -> None:
    """A 5xx other than 503 may come after the message was posted: at most one repeat, on the next run."""
    receiver.script = [(status, {}, b"oops"), (200, {}, b"ok")]
    waits: list[float] = []
    with pytest.raises(DeliveryError, match=rf"HTTP {status} \("):
        post(receiver.url(), {"text": "hi"}, waits)
    assert len(receiver.received) == 1 and waits == []


def test_429_waits_as_long_as_retry_after_says(receiver: Receiver) -> None:
    receiver.script = [(429, {"Retry-After": "1"}, b"slow down"), (204, {}, b"")]
    waits: list[float] = []
    post(receiver.url(), {"text": "hi"}, waits)
    assert waits == [1.0]
    assert len(receiver.received) == 2


def test_retry_after_as_an_http_date_beyond_max_wait_ends_the_attempts(receiver: Receiver) -> None:
    """A wait past max_wait is not cut short: the server asked for it, so the next run sends the message."""
    later = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    receiver.script = [(503, {"Retry-After": later}, b""), (200, {}, b"ok")]
    waits: list[float] = []
    with pytest.raises(DeliveryError, match=r"HTTP 503 .*asks to wait 3,[56]\d\d s, more than max_wait \(7 s\)"):
        post(receiver.url(), {"text": "hi"}, waits, max_wait=7.0)
    assert waits == [] and len(receiver.received) == 1


def test_retry_after_as_an_http_date_within_max_wait_is_waited(receiver: Receiver) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=5), usegmt=True)
    receiver.script = [(503, {"Retry-After": later}, b""), (200, {}, b"ok")]
    waits: list[float] = []
    post(receiver.url(), {"text": "hi"}, waits, max_wait=7.0)
    assert len(waits) == 1 and 3.0 <= waits[0] <= 5.0 and len(receiver.received) == 2


def test_backoff_grows_exponentially(receiver: Receiver) -> None:
    receiver.script = [(503, {}, b"")]
    waits: list[float] = []
    with pytest.raises(DeliveryError):
        post(receiver.url(), {"text": "hi"}, waits, max_attempts=4)
    assert waits == [1.0, 2.0, 4.0]


def test_a_server_that_keeps_failing_gives_up_without_showing_the_url(receiver: Receiver) -> None:
    receiver.script = [(429, {}, f"error at /services/T0001/B0002/{TOKEN}".encode())]
    with pytest.raises(DeliveryError) as caught:
        post(receiver.url(), {"text": "hi"}, max_attempts=3)
    assert len(receiver.received) == 3
    text = str(caught.value)
    assert "slack:DAILYPAPERS_SLACK_WEBHOOK" in text and "HTTP 429" in text and "3 attempts" in text
    assert TOKEN not in text and "127.0.0.1" not in text and "/services/" not in text
    assert (caught.value.channel, caught.value.recipient) == ("webhook", "slack:DAILYPAPERS_SLACK_WEBHOOK")


def test_a_client_error_fails_at_once_and_quotes_the_answer(receiver: Receiver) -> None:
    receiver.script = [(400, {}, b"invalid_blocks")]
    waits: list[float] = []
    with pytest.raises(DeliveryError, match=r"HTTP 400 \(Bad Request\): invalid_blocks") as caught:
        post(receiver.url(), {"text": "hi"}, waits)
    assert len(receiver.received) == 1 and waits == []
    assert TOKEN not in str(caught.value)


def test_connection_refused_is_a_delivery_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/api/webhooks/123/{TOKEN}"
    waits: list[float] = []
    with pytest.raises(DeliveryError, match="connection failed") as caught:
        post(url, {"content": "hi"}, waits, max_attempts=2)
    assert waits == [1.0]
    assert TOKEN not in str(caught.value) and url not in str(caught.value)


def test_a_slow_answer_times_out_and_is_not_sent_again(receiver: Receiver) -> None:
    """The server has the message and answers after the timeout: a second POST would post it twice."""
    receiver.delay = 1.0
    with pytest.raises(DeliveryError, match=r"no complete answer within 0\.3 s; it may have arrived") as caught:
        post(receiver.url(), {"text": "hi"}, max_attempts=2, timeout=0.3)
    assert len(receiver.received) == 1
    assert TOKEN not in str(caught.value) and "127.0.0.1" not in str(caught.value)


def test_an_invalid_url_fails_at_once_without_showing_it() -> None:
    with pytest.raises(DeliveryError, match="not a valid http") as caught:
        post(f"ftp://example.org/{TOKEN}", {"text": "hi"})
    assert TOKEN not in str(caught.value)
