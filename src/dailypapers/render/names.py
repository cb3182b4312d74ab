"""Authors' names as citation managers want them: family and given, from the single string arXiv sends.

arXiv's metadata writes each author as one string, given names first (``Ada Lovelace``). BibTeX and CSL-JSON
want the family name apart; guessing it wrongly files a paper under the wrong name in the reader's library.
The rule here is the one BibTeX itself applies to "First von Last" names, made a little wiser:

- the last word is the family name, with the particles before it (``van der``, ``de``, ``von``, ``al``), which
  stay part of it (``Ludwig van der Waals`` → family ``van der Waals``), the first word never being one;
- a trailing ``Jr.``, ``Sr.``, ``II``, ``III`` or ``IV`` is a suffix;
- a name with a comma is already "Family, Given";
- a name of one word, or a group's (``ATLAS Collaboration``), is kept whole as a literal.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "dei", "degli", "di", "da", "dal", "das", "dos", "du"}
    | {"le", "la", "les", "ter", "ten", "bin", "ibn", "al", "el", "zu", "vom"}
)
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_GROUPS = frozenset({"collaboration", "collaborations", "consortium", "team", "group", "collective", "project"})


@dataclass(frozen=True)
class PersonName:
    """One author's name in parts; ``literal`` alone for a name that has no family/given split."""

    family: str = ""
    given: str = ""
    suffix: str = ""
    literal: str = ""


def split_name(name: str) -> PersonName:
    """``name`` as family, given and suffix (or a literal): see the module's rule."""
    words = name.split()
    if "," in name:
        family, _, given = name.partition(",")
        if family.strip() and given.strip():
            return PersonName(family=" ".join(family.split()), given=" ".join(given.split()))
    if len(words) < 2 or any(word.lower() in _GROUPS for word in words):
        return PersonName(literal=" ".join(words))
    suffix = ""
    if len(words) > 2 and words[-1].lower() in _SUFFIXES:
        suffix = words.pop()
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in _PARTICLES:
        start -= 1
    return PersonName(family=" ".join(words[start:]), given=" ".join(words[:start]), suffix=suffix)


def ascii_word(text: str) -> str:
    """``text`` folded to lower-case ASCII letters and digits (accents dropped): a part of a citation key."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return "".join(char for char in folded if char.isalnum())
