"""Top picks: with enough stars, email and webhooks lead with the papers most like what the reader stars, each
with why; without, every message is what it always was. A real SQLite archive of the seed papers' real text, a
real SMTP server and a real webhook receiver on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from arxiv_server import load_seed_papers
from daily_world import Arxiv
from dailypapers.model import Author, Interest, Listed, Message, Paper, Pick, Section
from dailypapers.render.email import render_email
from dailypapers.render.webhook import webhook_payload
from loopback import Mailbox, WebhookReceiver, smtp_server, webhook_receiver
from ranked_world import LIKED, TWIN, configure, delivery, seed, two_days

LIKED_TITLE = seed(LIKED[2]).title


@pytest.fixture
def targets() -> Iterator[tuple[Mailbox, int, WebhookReceiver]]:
    """A mailbox on a loopback SMTP server (and its port), and a JSON webhook receiver."""
    box = Mailbox()
    with smtp_server(box) as port, webhook_receiver("/hooks/picks") as hooks:
        yield box, port, hooks


@pytest.fixture
def arxiv() -> Iterator[Arxiv]:
    with Arxiv(load_seed_papers()) as server:
        yield server


def parts(message: EmailMessage) -> tuple[str, str, str]:
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None
    lines = (part.get_content().replace("\r\n", "\n") for part in (text, html))
    return (str(message["Subject"]), *lines)


def test_email_and_json_webhook_lead_with_the_picks_the_starred_papers_twin_first(
    tmp_path: Path, arxiv: Arxiv, targets: tuple[Mailbox, int, WebhookReceiver]
) -> None:
    box, port, hooks = targets
    config = configure(tmp_path, arxiv, delivery(port))
    two_days(config, arxiv, hooks.url)
    first_mail, second_mail = box.to("ada@example.org")
    assert "Top picks" not in parts(first_mail)[1], "nothing starred on day one: no picks"
    assert "picks" not in hooks.bodies[0]

    _, text, html = parts(second_mail)
    head, _, topics = text.partition("Top picks\n=========\n")
    assert topics and "Query:" not in head, "the picks come before the first topic"
    first = topics.strip().split("\n\n")[0]
    assert first.startswith("1. Revisiting head parallelism for attention serving performance\n")
    assert f"Why: Like ‘{LIKED_TITLE}’ (starred)" in " ".join(first.split())
    assert "Topic: performance" in first and f"arXiv: https://arxiv.org/abs/{TWIN}v1" in first
    assert html.index("Top picks") < html.index("Query:") and html.count("<li ") == 2

    picks = hooks.bodies[1]["picks"]
    assert [pick["id"] for pick in picks] == [TWIN, "2511.16964"], "the gossip paper shares no word: not picked"
    assert set(picks[0]) >= {"id", "version", "title", "score", "why"}
    assert picks[0]["why"].startswith(f"Like ‘{LIKED_TITLE}’ (starred) · words: ")
    scores = [pick["score"] for pick in picks]
    assert scores == sorted(scores, reverse=True)
    sent = {paper["id"] for topic in hooks.bodies[1]["topics"] for paper in topic["papers"]}
    assert {pick["id"] for pick in picks} <= sent, "picks come from the papers sent to that target"


@pytest.mark.parametrize(
    ("liked", "ranking"),
    [
        (LIKED[:2], '[ranking]\ntop = 10\norder = "interest"\n'),  # too few stars: no model
        (LIKED, "[ranking]\ntop = 0\n"),  # a model, but no picks asked for and date order
    ],
)
def test_without_a_model_or_picks_every_output_is_as_without_a_ranking(
    tmp_path: Path, targets: tuple[Mailbox, int, WebhookReceiver], liked: tuple[str, ...], ranking: str
) -> None:
    box, port, hooks = targets
    plain, ranked = tmp_path / "plain", tmp_path / "ranked"
    for folder, table, stars in ((plain, "", ()), (ranked, ranking, liked)):
        folder.mkdir()
        with Arxiv(load_seed_papers()) as arxiv:
            two_days(configure(folder, arxiv, delivery(port, table)), arxiv, hooks.url, liked=stars)
    mails = box.to("ada@example.org")
    assert [parts(mail) for mail in mails[:2]] == [parts(mail) for mail in mails[2:]]
    assert hooks.bodies[:2] == hooks.bodies[2:]
    outputs = ["README.md", "issue.md", *(f"feeds/{p.name}" for p in (plain / "feeds").iterdir())]
    assert {name: (ranked / name).read_bytes() for name in outputs} == {
        name: (plain / name).read_bytes() for name in outputs
    }
    assert not (ranked / "dailypapers.db.rank.npz").exists() or ranking.endswith("top = 0\n")


def test_a_dry_run_writes_its_picks_to_the_outbox_and_caches_no_model(
    tmp_path: Path, arxiv: Arxiv, targets: tuple[Mailbox, int, WebhookReceiver]
) -> None:
    box, port, hooks = targets
    config = configure(tmp_path, arxiv, delivery(port))
    cache = tmp_path / "dailypapers.db.rank.npz"
    two_days(config, arxiv, hooks.url, dry_run=True)
    assert not cache.exists(), "a dry run leaves nothing behind but its outbox"
    payload = json.loads(next((tmp_path / "outbox").glob("run-*-json*.json")).read_text(encoding="utf-8"))
    assert payload["picks"][0]["id"] == TWIN
    assert len(box.messages) == 1, "day one only: the dry run sent nothing"


HOSTILE = '<script>alert(1)</script> <!channel> @everyone [click](https://evil.example) & "q" \\alpha'


def hostile_message() -> Message:
    moment = datetime(2026, 5, 16, tzinfo=UTC)
    paper = Paper("2605.30001", 1, "A paper", "An abstract.", (Author("Ada"),), ("cs.DC",), "cs.DC", moment, moment)
    interest = Interest(0.9, "2605.00001", HOSTILE, "starred", ("<b>bold</b>", "@here"))
    listed = Listed(paper)
    return Message("Daily Papers", date(2026, 5, 16), (Section("performance", (listed,)),),
                   picks=(Pick(listed, ("performance",), interest),))  # fmt: skip


def test_a_hostile_reason_is_escaped_like_paper_text_in_every_message() -> None:
    message = hostile_message()
    body = render_email(message)
    assert "<script>" not in body.html and "&lt;script&gt;alert(1)&lt;/script&gt;" in body.html
    assert "&lt;b&gt;bold&lt;/b&gt;" in body.html and "<b>bold" not in body.html
    assert "<script>alert(1)</script>" in body.text, "the plain text part shows the text as it is"
    slack = json.dumps(webhook_payload("slack", message))
    assert "<!channel>" not in slack and "&lt;!channel&gt;" in slack and "<script>" not in slack
    discord = webhook_payload("discord", message)
    picks = discord["embeds"][0]
    assert picks["title"] == "Top picks" and "\\@everyone" in picks["description"]
    assert "\\[click\\]\\(https\\:" in picks["description"] and "\\@here" in picks["description"]
    assert discord["allowed_mentions"] == {"parse": []}
    why = webhook_payload("json", message)["picks"][0]["why"]
    assert why == f"Like ‘{HOSTILE}’ (starred) · words: <b>bold</b>, @here", "JSON carries the text as it is"


def test_a_hundred_long_picks_keep_every_receivers_limits() -> None:
    """``top = 100`` with titles and reasons as long as they come: the picks are cut, never the message."""
    moment = datetime(2026, 5, 16, tzinfo=UTC)
    long = "Sparse " * 200
    papers = [
        Paper(f"2605.{30000 + n}", 1, long, "An abstract.", (Author("Ada"),), ("cs.DC",), "cs.DC", moment, moment)
        for n in range(100)
    ]
    sections = tuple(Section(f"topic {t}", tuple(Listed(p) for p in papers[t::12])) for t in range(12))
    interest = Interest(0.9, "2605.00001", long, "starred", ("sparse",) * 3)
    picks = tuple(Pick(Listed(paper), ("topic 0",), interest) for paper in papers)
    message = Message("Daily Papers", date(2026, 5, 16), sections, picks=picks)
    slack = webhook_payload("slack", message)
    assert len(slack["blocks"]) <= 50 and all(len(b["text"]["text"]) <= 3000 for b in slack["blocks"])
    assert slack["blocks"][2]["text"]["text"].startswith("*Top picks*\n1. <https://arxiv.org/abs/2605.30000v1|")
    discord = webhook_payload("discord", message)
    embeds = discord["embeds"]
    assert len(embeds) <= 10 and embeds[0]["title"] == "Top picks"
    assert sum(len(e["title"]) + len(e["description"]) for e in embeds) <= 6000
    assert all(len(e["description"]) <= 4096 for e in embeds)
    assert len(webhook_payload("json", message)["picks"]) == 100
    body = render_email(message)
    assert body.text.count("Why: Like") == 100
