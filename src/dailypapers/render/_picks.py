"""A message's top picks (``model.Pick``) as every renderer words them: the heading and the one-line reason.

The words are chosen once, here; each output cuts and escapes them by its own rules, exactly as paper text (the
reason quotes the title of a starred or library paper, which is as untrusted as any title).
"""

from __future__ import annotations

from dailypapers.model import Interest
from dailypapers.render._text import one_line

PICKS = "Top picks"
NO_REASON = "No word in common with your signals"


def why_line(interest: Interest) -> str:
    """``Like ‘Sparse Checkpointing …’ (starred) · words: checkpointing, moe``, on one line."""
    parts = []
    if interest.like_title is not None:
        because = f" ({one_line(interest.like_because)})" if interest.like_because else ""
        parts.append(f"Like ‘{one_line(interest.like_title)}’{because}")
    if interest.words:
        parts.append(f"words: {', '.join(one_line(word) for word in interest.words)}")
    line = " · ".join(parts)
    return line[:1].upper() + line[1:] if line else NO_REASON
