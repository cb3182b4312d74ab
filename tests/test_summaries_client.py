"""The summary client against a real loopback endpoint: what is sent, and every way an answer can go wrong."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from arxiv_server import load_seed_papers
from dailypapers.config.summaries import SummarySettings
from dailypapers.model import Paper, Summary
from dailypapers.summarise import Asked, Summariser, read_summary
from dailypapers.summarise.answer import TLDR_CHARS
from model_server import ModelServer, Reply, model_server, tldr_of

KEY = "sk-test-0123456789abcdef"
TEX = r"We bound the $\alpha$-divergence by $\frac{1}{2}\nabla f$ and $\beta \to \theta$ with \textbf{no} loss."


def paper(title: str = "Sparse Collectives on $\\mathbb{R}^n$", abstract: str = TEX) -> Paper:
    return replace(load_seed_papers()[0], title=title, abstract=abstract)


def ask(server: ModelServer, target: Paper | None = None, timeout: float = 5.0) -> tuple[Asked, list[float]]:
    waits: list[float] = []
    settings = SummarySettings(base_url=server.url, model="tiny-model", api_key_env="KEY", timeout=timeout)
    with Summariser(settings, KEY, user_agent="dailypapers-test", sleep=waits.append) as summariser:
        return summariser.ask(target or paper()), waits


def test_a_good_answer_is_a_summary_and_the_request_is_what_the_readme_says() -> None:
    with model_server() as server:
        asked, _ = ask(server)
    assert asked.summary == Summary(tldr_of(paper().title), "a problem", "a method", "wins")
    assert asked.tokens == 120
    (request,) = server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    body = request.body
    assert body["model"] == "tiny-model" and body["max_tokens"] == 300
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"]["required"] == ["tldr"]
    assert body["messages"][0]["role"] == "system" and "English" in body["messages"][0]["content"]
    assert body["messages"][1]["content"] == f"Title: {paper().title}\n\nAbstract: {TEX}"  # LaTeX verbatim


def test_429_with_retry_after_is_waited_for_and_asked_again() -> None:
    with model_server([Reply(429, headers={"Retry-After": "2"}, body=b"slow down")]) as server:
        asked, waits = ask(server)
    assert asked.summary is not None
    assert waits == [2.0] and len(server.requests) == 2


def test_429_asking_for_a_longer_wait_than_the_run_allows_stops_asking() -> None:
    with model_server(default=lambda request: Reply(429, headers={"Retry-After": "3600"}, body=b"{}")) as server:
        asked, waits = ask(server)
    assert asked.summary is None and asked.stop
    assert "429" in str(asked.problem) and waits == [] and len(server.requests) == 1


def test_a_500_is_not_sent_again_in_the_same_run() -> None:
    with model_server(default=lambda request: Reply(500, body=b"oops")) as server:
        asked, _ = ask(server)
    assert asked.summary is None and asked.stop
    assert asked.problem == "the endpoint answered 500 (Internal Server Error)"
    assert len(server.requests) == 1


def test_a_timeout_stops_asking_and_is_not_repeated() -> None:
    with model_server(default=lambda request: Reply(delay=1.5)) as server:
        asked, _ = ask(server, timeout=0.3)
    assert asked.summary is None and asked.stop
    assert "no complete answer" in str(asked.problem) and len(server.requests) == 1


def test_an_unreachable_endpoint_is_a_problem_not_an_error() -> None:
    with model_server() as server:
        url = server.url
    settings = SummarySettings(base_url=url, model="m", timeout=1)
    with Summariser(settings, None, user_agent="t", sleep=lambda s: None) as summariser:
        asked = summariser.ask(paper())
    assert asked.summary is None and asked.stop and "could not be reached" in str(asked.problem)


@pytest.mark.parametrize(
    "content",
    ["Sure! Here is a summary of the paper.", "{not json at all", '["tldr", "a list"]', '{"tldr": 42}', "{}"],
)
def test_an_answer_without_a_readable_summary_is_dropped_and_asking_goes_on(content: str) -> None:
    with model_server([Reply(content=content)]) as server:
        asked, _ = ask(server)
    assert asked.summary is None and not asked.stop
    assert asked.problem == "the model's answer held no readable summary"


def test_a_body_that_is_no_chat_completion_is_dropped() -> None:
    with model_server([Reply(body=b"<html>gateway</html>")]) as server:
        asked, _ = ask(server)
    assert asked.summary is None and not asked.stop


# --- repairs ------------------------------------------------------------------------------------------------

GOOD = Summary("Bounds things.", "p", "m", "r")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"tldr": "Bounds things.", "problem": "p", "method": "m", "result": "r"}', GOOD),
        ('```json\n{"tldr": "Bounds things.", "problem": "p", "method": "m", "result": "r"}\n```', GOOD),
        ('Here you go:\n{"tldr": "Bounds things.", "problem": "p", "method": "m", "result": "r"} Hope it helps!', GOOD),
        ('{"tldr": "Bounds things.", "problem": "p", "method": "m", "result": "r",}', GOOD),
        ('{"tldr": "Bounds things."}', Summary("Bounds things.")),
        ('{"tldr": "Bounds things.", "problem": null, "method": 3, "result": "  "}', Summary("Bounds things.")),
        ('{"tldr": "Bounds\\nthings.\\t"}', Summary("Bounds things.")),
        ('{"problem": "p", "method": "m"}', None),
        ('{"tldr": ""}', None),
        ("", None),
    ],
)
def test_common_breakages_are_repaired_or_dropped(content: str, expected: Summary | None) -> None:
    assert read_summary(content) == expected


def test_latex_backslashes_that_break_json_survive_verbatim() -> None:
    raw = r'{"tldr": "Bounds the $\alpha$-divergence by $\frac{1}{2}\nabla f$, $\beta \to \theta$, \textbf{no} loss."}'
    with pytest.raises(ValueError):
        json.loads(raw)
    with model_server([Reply(content=raw)]) as server:
        asked, _ = ask(server)
    expected = r"Bounds the $\alpha$-divergence by $\frac{1}{2}\nabla f$, $\beta \to \theta$, \textbf{no} loss."
    assert asked.summary == Summary(expected)


def test_a_latex_command_the_abstract_uses_is_told_from_a_newline() -> None:
    raw = r'{"tldr": "Uses \nicefrac{1}{2} and \rotatebox,\nthen more."}'
    source = r"We use \nicefrac{1}{2} and \rotatebox."
    assert read_summary(raw, source) == Summary(r"Uses \nicefrac{1}{2} and \rotatebox, then more.")


def test_a_tldr_is_one_line_and_cut_to_a_length_a_listing_can_show() -> None:
    long = " ".join(["word"] * 200)
    summary = read_summary(json.dumps({"tldr": f"first\u2028{long}\r\n", "method": long}))
    assert summary is not None
    assert len(summary.tldr) <= TLDR_CHARS and summary.tldr.endswith("…") and "\n" not in summary.tldr
    assert summary.tldr.startswith("first word")
    assert summary.method is not None and len(summary.method) <= 200


def test_deeply_nested_or_huge_answers_do_not_crash() -> None:
    assert read_summary("{" * 100_000) is None
    assert read_summary('{"tldr": "' + "[" * 50_000 + '"}') is None  # past what an answer may hold
