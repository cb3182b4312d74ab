"""A paper's summary (``model.Summary``) as every renderer words it: ``TL;DR: <one sentence>`` and, when the model
gave them, a compact line ``Problem: … · Method: … · Result: …``.

The words and their order are chosen once, here; each output folds, cuts and escapes the text by its own rules,
exactly as it does paper text (a summary is model text, as untrusted as a title).
"""

from __future__ import annotations

from dailypapers.model import Summary
from dailypapers.render._text import one_line

TLDR = "TL;DR"
FACET_SEPARATOR = " · "


def tldr_text(summary: Summary | None) -> str | None:
    """The summary's one sentence on one line, or ``None`` when there is no summary or it is blank."""
    return (one_line(summary.tldr) or None) if summary is not None else None


def facets(summary: Summary | None) -> tuple[tuple[str, str], ...]:
    """``(label, text)`` for the problem, the method and the result the model gave, each on one line; blank
    ones are left out. Without a TL;DR there is nothing to show them under, so there are none."""
    if summary is None or tldr_text(summary) is None:
        return ()
    parts = (("Problem", summary.problem), ("Method", summary.method), ("Result", summary.result))
    return tuple((label, one_line(text)) for label, text in parts if text and one_line(text))


def facets_line(summary: Summary | None) -> str | None:
    """``Problem: … · Method: … · Result: …`` with the parts present, or ``None`` when there are none."""
    shown = facets(summary)
    return FACET_SEPARATOR.join(f"{label}: {text}" for label, text in shown) or None
