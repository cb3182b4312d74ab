"""The text rules every renderer shares, in one place: folding lines, dropping what a format forbids, cutting.

Paper text arrives as arXiv wrote it: titles and names wrapped with a newline and two spaces, now and then a
control character, and no limit on length. Each output needs some of it as one line, some of it fit for XML,
some of it cut. Which output takes which rule is its own choice (the Markdown page keeps the bot's spacing, an
email header allows no control character); the rules themselves are written once, here. Escaping is not: each
format escapes by its own reader's rules, in its own module.
"""

from __future__ import annotations

import re

_LINE_BREAKS = re.compile(r"\r\n|\r|\n")
_CONTROLS = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")  # includes every character str.splitlines() splits on
# XML 1.0 forbids C0 controls but tab and line breaks, lone surrogates, U+FFFE and U+FFFF
# (https://www.w3.org/TR/xml/#charsets); DEL and the C1 controls are discouraged (§2.2) and dropped too.
_NOT_XML = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def one_line(text: str) -> str:
    """Every run of white space as one space, trimmed: a title, a name or a category as arXiv should have sent it."""
    return " ".join(text.split())


def join_lines(text: str) -> str:
    """The lines of ``text`` joined with a space each and trimmed, other spacing kept as written (the page the
    "Daily Papers" bot writes does exactly this, and the Markdown page matches it byte for byte)."""
    return _LINE_BREAKS.sub(" ", text).strip()


def plain_line(text: str | None) -> str:
    """One line with no control character: every run of white space and control characters as one space, so
    that text cannot add a line to a header (an email's subject)."""
    return _CONTROLS.sub(" ", text or "").strip()


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids or discourages, with ``\\n`` for every line break."""
    return _LINE_BREAKS.sub("\n", _NOT_XML.sub("", text))


def xml_line(text: str) -> str:
    """``xml_text`` folded to one line."""
    return one_line(xml_text(text))


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with `` …`` when something was cut."""
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    cut = head.rsplit(" ", 1)[0] if " " in head else text[:limit]
    return cut.rstrip(" ,;:") + " …"


def size(text: str) -> int:
    """The length of ``text`` in UTF-16 code units, as JavaScript (Slack, Discord, GitHub) counts it: an emoji
    or 𝒪 counts 2."""
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-16 code units, ending in "…" when cut."""
    if size(text) <= limit:
        return text
    kept, used = [], 1
    for char in text:
        used += size(char)
        if used > limit:
            break
        kept.append(char)
    return "".join(kept) + "…"


def plural(count: int, noun: str) -> str:
    """``1 new paper``, ``2 new papers``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
