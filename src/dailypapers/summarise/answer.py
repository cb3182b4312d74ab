"""Reading a model's answer: the chat completion's content as a ``Summary``, repaired or dropped, never trusted.

Models asked for JSON still wrap it in a fenced block, put a sentence before it, leave a trailing comma, and
copy LaTeX from the abstract without doubling its backslashes (``"$\\alpha$"`` is no JSON escape at all, and
``"$\\beta$"`` is a backspace followed by ``eta``). Each of these is repaired; what still does not read as an
object with a ``tldr`` string is dropped, and the caller counts it. A backslash before a run of letters is a
JSON escape only when it is not LaTeX: when the abstract or title holds the same command, or it is a common
one, it is kept verbatim. What is kept is text on one line, cut to a length a listing can show.
"""

from __future__ import annotations

import json
import re
from typing import Any

from dailypapers.model import Summary
from dailypapers.summarise.prompt import FIELDS

TLDR_CHARS = 300
PART_CHARS = 200
CONTENT_CHARS = 20_000
"""The most of an answer's content that is read: a one-line summary is a few hundred characters."""
_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)
_BACKSLASH = re.compile(r"\\(?:([\"\\/])|(u[0-9A-Fa-f]{4})|([A-Za-z]+)|(.)|$)", re.DOTALL)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
_SPACE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# LaTeX commands that start like a JSON escape (\b \f \n \r \t): kept verbatim even when the abstract lacks them.
_LATEX = frozenset(
    [
        "nabla",
        "neq",
        "ne",
        "nu",
        "not",
        "notin",
        "newline",
        "norm",
        "rho",
        "right",
        "rightarrow",
        "rangle",
        "rm",
        "rfloor",
        "rceil",
        "theta",
        "tau",
        "times",
        "text",
        "textbf",
        "textit",
        "texttt",
        "tilde",
        "to",
        "top",
        "tanh",
        "tfrac",
        "triangle",
        "tr",
    ]
)


def completion(body: bytes) -> tuple[str | None, int]:
    """The content of ``choices[0].message`` and the tokens the answer says it used (0 when it does not say)."""
    try:
        data = json.loads(body.decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return None, 0
    if not isinstance(data, dict):
        return None, 0
    return _content(data), _tokens(data.get("usage"))


def _content(data: dict[str, Any]) -> str | None:
    choices = data.get("choices")
    first = choices[0] if isinstance(choices, list) and choices else None
    message = first.get("message") if isinstance(first, dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    return content if isinstance(content, str) else None


def _tokens(usage: object) -> int:
    if not isinstance(usage, dict):
        return 0
    total = _count(usage.get("total_tokens"))
    if total is not None:
        return total
    return sum(_count(usage.get(part)) or 0 for part in ("prompt_tokens", "completion_tokens"))


def _count(value: object) -> int | None:
    """A token count an answer may give: a whole number, not a bool, not absurd."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**9 else None


def read_summary(content: str, source: str = "") -> Summary | None:
    """The summary in ``content``, repaired as needed; None when there is none to be had. ``source`` is the
    paper's title and abstract, whose LaTeX commands tell a copied ``\\nabla`` from a newline."""
    found = _object(content[:CONTENT_CHARS], source)
    if found is None:
        return None
    tldr = _clean(found.get("tldr"), TLDR_CHARS)
    if tldr is None:
        return None
    problem, method, result = (_clean(found.get(field), PART_CHARS) for field in FIELDS[1:])
    return Summary(tldr=tldr, problem=problem, method=method, result=result)


def _object(content: str, source: str) -> dict[str, Any] | None:
    text = content.strip()
    fenced = _FENCE.search(text)
    if fenced is not None:
        text = fenced.group(1)
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        return None
    text = _latex_escaped(text[start : end + 1], source)
    for attempt in (text, _TRAILING_COMMA.sub(r"\1", text)):
        try:
            value = json.loads(attempt)
        except (ValueError, RecursionError):
            continue
        return value if isinstance(value, dict) else None
    return None


def _latex_escaped(text: str, source: str) -> str:
    """``text`` with each backslash that starts no JSON escape, or starts a LaTeX command, doubled."""

    def one(match: re.Match[str]) -> str:
        kept, unicode, word = match.group(1), match.group(2), match.group(3)
        if kept is not None or unicode is not None:
            return match.group()
        if word is not None and word[0] in "bfnrt" and not _is_latex(word, source):
            return match.group()
        return "\\" + match.group()

    return _BACKSLASH.sub(one, text)


def _is_latex(word: str, source: str) -> bool:
    return word[0] in "bf" and len(word) > 1 or word in _LATEX or f"\\{word}" in source


def _clean(value: object, limit: int) -> str | None:
    """Text on one line without control characters, at most ``limit`` characters (cut at a word); None when
    ``value`` is no text or holds none."""
    if not isinstance(value, str):
        return None
    text = _SPACE.sub(" ", value).strip()
    if not text:
        return None
    if len(text) > limit:
        cut = text[: limit - 1]
        text = (cut.rsplit(" ", 1)[0] if " " in cut[limit // 2 :] else cut).rstrip() + "…"
    return text
