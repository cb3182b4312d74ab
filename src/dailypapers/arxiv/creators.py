"""Authors as arXiv's announcement feeds write them (``<dc:creator>``), and the feeds' whitespace rule.

The OAI-PMH records write authors another way (``oai_records.split_authors``).
"""

from __future__ import annotations

import re

_XML_SPACE = re.compile(r"[ \t\r\n]+")


def split_creators(text: str) -> tuple[tuple[str, str], ...]:
    """``<dc:creator>`` as (name, affiliations) pairs.

    arXiv writes each author as ``Forenames Keyname[ Suffix][ (aff1, aff2)]`` and joins them with ", "
    (arxiv-feed ``ArxivEntryExtension``); a name never holds a comma or a parenthesis (arxiv-base
    ``split_authors`` splits on them), so the text splits at the commas outside parentheses. The affiliations
    are returned as written between the parentheses. Unbalanced parentheses fall back to a plain split.
    """
    parts = _split_outside_parentheses(clean(text))
    pairs: list[tuple[str, str]] = []
    for part in parts:
        name, affiliation = part, ""
        if part.endswith(")"):
            opening = _matching_open(part)
            if opening > 0:
                name, affiliation = part[:opening].strip(), part[opening + 1 : -1].strip()
        if name:
            pairs.append((name, affiliation))
    return tuple(pairs)


def clean(text: str) -> str:
    """Each run of XML whitespace one space, the ends stripped; every other character as written."""
    return _XML_SPACE.sub(" ", text).strip(" ")


def _split_outside_parentheses(text: str) -> list[str]:
    parts: list[str] = []
    depth, start = 0, 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return [part.strip() for part in text.split(", ")]
        elif char == "," and depth == 0:
            parts.append(text[start:index].strip())
            start = index + 1
    if depth != 0:
        return [part.strip() for part in text.split(", ")]
    parts.append(text[start:].strip())
    return [part for part in parts if part]


def _matching_open(part: str) -> int:
    """The index of the "(" that the final ")" of ``part`` closes, or -1."""
    depth = 0
    for index in range(len(part) - 1, -1, -1):
        if part[index] == ")":
            depth += 1
        elif part[index] == "(":
            depth -= 1
            if depth == 0:
                return index
    return -1
