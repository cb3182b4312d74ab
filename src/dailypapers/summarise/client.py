"""Asking the endpoint, one paper at a time, through the one HTTP door.

The key goes in ``Authorization: Bearer …`` and nowhere else: no reason this module words holds the URL's
answer body or a header, only the status or the door's own words, so nothing the server echoes reaches a log.
The door holds the retry policy for POSTs (``Http.post_json``): a request is sent again only when it surely did
not arrive (no connection, or 429/503 with a wait within ``MAX_WAIT``); a timeout after sending, a 500, or a
longer wait ends the asking for this run (``Asked.stop``), so a slow or failing endpoint costs at most one
deadline, and the papers left without a summary are asked for by the next run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from dailypapers.config.summaries import SummarySettings
from dailypapers.errors import FetchError, UnconfirmedError
from dailypapers.http import Http, status_phrase
from dailypapers.model import Paper, Summary
from dailypapers.summarise.answer import completion, read_summary
from dailypapers.summarise.prompt import request_body

MAX_ATTEMPTS = 3
MAX_WAIT = 30.0
"""The longest ``Retry-After`` honoured within a run; a longer one leaves the rest for the next run."""
ANSWER_BYTES = 1 << 20


@dataclass(frozen=True)
class Asked:
    """What one request came to: a ``summary``, or why there is none (``problem``); ``stop`` when the endpoint
    itself failed, so the rest of the run asks no more; the tokens the answer says it used."""

    summary: Summary | None
    tokens: int = 0
    problem: str | None = None
    stop: bool = False


class Summariser:
    """One endpoint, one model, one key (or none): ``ask(paper)`` per paper; close it when done."""

    def __init__(
        self,
        settings: SummarySettings,
        key: str | None,
        *,
        user_agent: str,
        log: Callable[[str], None] = lambda message: None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self._headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.http = Http(
            user_agent=user_agent,
            delay=0.0,
            timeout=settings.timeout,
            max_attempts=MAX_ATTEMPTS,
            max_wait=MAX_WAIT,
            max_bytes=ANSWER_BYTES,
            backoff=1.0,
            log=log,
            sleep=sleep,
        )

    def __enter__(self) -> Summariser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def ask(self, paper: Paper) -> Asked:
        settings = self.settings
        body = request_body(
            paper.title,
            paper.abstract,
            model=settings.model,
            language=settings.language,
            max_tokens=settings.max_tokens,
        )
        try:
            answer = self.http.post_json(settings.endpoint, body, self._headers)
        except UnconfirmedError as err:
            return Asked(None, problem=f"no complete answer from the endpoint: {_first(err.reason)}", stop=True)
        except FetchError as err:
            return Asked(None, problem=f"the endpoint could not be reached: {_first(err.reason)}", stop=True)
        if not 200 <= answer.status < 300:
            phrase = status_phrase(answer.status)
            return Asked(None, problem=f"the endpoint answered {answer.status} ({phrase})", stop=True)
        content, tokens = completion(answer.body)
        summary = read_summary(content, f"{paper.title}\n{paper.abstract}") if content is not None else None
        if summary is None:
            return Asked(None, tokens, problem="the model's answer held no readable summary")
        return Asked(summary, tokens)


def _first(reason: str) -> str:
    """The door's reason up to its first ``;`` (what follows is advice meant for deliveries)."""
    return reason.split(";", 1)[0]
