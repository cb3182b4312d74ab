"""arXiv's category taxonomy, shipped as data (``data/taxonomy.toml``): which names exist, and where they belong.

One list for the whole package (protocol notes §4.2): the config checks the categories it names against it
(``[scope]``, ``cat:`` terms, ``backfill --category``), the scope knows which archives have subject classes,
back-fill names OAI-PMH sets by group (§3.2), and the announcement feeds know the aliases (§2.2). A name arXiv
does not know would make a topic match nothing, silently, for as long as nobody looks; the check makes it an
error that suggests the nearest real names.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from importlib.resources import files
from types import MappingProxyType
from typing import Any

from dailypapers.errors import QuerySyntaxError
from dailypapers.query import located_terms

__all__ = [
    "ALIASES",
    "ARCHIVES",
    "ARCHIVES_WITH_CLASSES",
    "CATEGORIES",
    "GROUPS",
    "SUBSUMED",
    "TAXONOMY_URL",
    "canonical",
    "category_problem",
    "check_query_categories",
    "group_of",
    "oai_set",
    "scope_problem",
    "set_problem",
]

TAXONOMY_URL = "https://arxiv.org/category_taxonomy"


def _load() -> dict[str, Any]:
    return tomllib.loads(files("dailypapers").joinpath("data/taxonomy.toml").read_text(encoding="utf-8"))


_DATA = _load()
CATEGORIES: frozenset[str] = frozenset(_DATA["categories"].split())
"""Every active category (``cs.DC``; ``hep-th`` for an archive without subject classes)."""
_GROUP_OF: dict[str, str] = {archive: group for group, archives in _DATA["groups"].items() for archive in archives}
GROUPS: frozenset[str] = frozenset(_DATA["groups"])
"""The groups, which OAI-PMH set names start with: ``cs``, ``math``, ``physics``, ``q-bio`` …"""
ARCHIVES: frozenset[str] = frozenset(_GROUP_OF)
"""The active archives: ``cs``, ``math``, ``astro-ph``, ``hep-th`` …"""
ARCHIVES_WITH_CLASSES: frozenset[str] = frozenset(name.split(".")[0] for name in CATEGORIES if "." in name)
"""Archives whose papers all carry a subject class, so that ``cs`` means ``cs.*``."""
_ONE_WAY: dict[str, str] = dict(_DATA["aliases"])
ALIASES: Mapping[str, str] = MappingProxyType(_ONE_WAY | {canonical: alias for alias, canonical in _ONE_WAY.items()})
"""Both names of each aliased category, each mapped to the other (``math.IT`` ↔ ``cs.IT``)."""
SUBSUMED: Mapping[str, str] = MappingProxyType(dict(_DATA["subsumed"]))
"""Closed archives and the category each became (``cmp-lg`` → ``cs.CL``); old papers carry both names."""

# Every name a user may write, by its lower-case spelling: arXiv compares categories without regard to case.
_ONE_LINE = {ord(char): " " for char in "\t\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"}
_KNOWN: dict[str, str] = {name.lower(): name for name in CATEGORIES | ARCHIVES | SUBSUMED.keys()}


def canonical(name: str) -> str:
    """A known name as arXiv spells it (``CS.dc`` → ``cs.DC``); any other text as it is."""
    return _KNOWN.get(name.lower(), name)


def group_of(archive: str) -> str | None:
    """The group of an archive (``hep-th`` → ``physics``), a closed one's too (``cmp-lg`` → ``cs``)."""
    archive = archive.lower()
    if archive in SUBSUMED:
        archive = SUBSUMED[archive].split(".")[0]
    return _GROUP_OF.get(archive)


def oai_set(name: str) -> str | None:
    """The OAI-PMH set of an archive or category (protocol notes §3.2): ``cs.DC`` → ``cs:cs:DC``, ``hep-th`` →
    ``physics:hep-th``, ``astro-ph.EP`` → ``physics:astro-ph:EP``; None for a name that is not a scope's
    (``scope_problem``). The group is the one ``data/taxonomy.toml`` lists the archive under."""
    if scope_problem(name) is not None:
        return None
    archive, _, subject = canonical(name).partition(".")
    group = group_of(archive)
    if group is None:
        return None
    return f"{group}:{archive}:{subject}" if subject else f"{group}:{archive}"


def category_problem(name: str) -> str | None:
    """What is wrong with a category, archive or ``*`` pattern (``cs.*``), or None when arXiv knows it.

    A pattern is fine when it takes in at least one real name. The message suggests the closest names.
    """
    lowered = name.lower()
    if "*" in lowered:
        if any(_wildcard_match(lowered, known) for known in _KNOWN):
            return None
        return f"{name!r} matches no arXiv category {_did_you_mean(lowered.replace('*', ''))}"
    if lowered in _KNOWN:
        return None
    return f"unknown arXiv category {name!r} {_did_you_mean(lowered)}"


def scope_problem(name: str) -> str | None:
    """What is wrong with a ``[scope]`` entry or a back-fill's category, or None. The scope also names
    announcement feeds (protocol notes §2.1) and a category names an OAI-PMH set (§3.2): both take archives and
    categories only, so no ``*``, and a closed archive by the category it became."""
    if "*" in name:
        archive = name.split(".")[0].rstrip("*") or "cs"
        return f"{name!r}: name archives or categories here, without '*' ({archive!r} is the whole archive)"
    if name.lower() in SUBSUMED:
        return f"{name!r} is a closed archive, now the category {SUBSUMED[name.lower()]!r}: write that"
    return category_problem(name)


def set_problem(spec: str) -> str | None:
    """What is wrong with an OAI-PMH set name (``cs``, ``physics:hep-th``, ``cs:cs:DC``; protocol notes §3.2)."""
    group, *rest = spec.split(":")
    if group not in GROUPS:
        return f"unknown arXiv set {spec!r}: sets start with a group, one of {', '.join(sorted(GROUPS))}"
    if not rest:
        return None
    archive, *subject = rest
    if len(subject) > 1 or group_of(archive) != group or archive in SUBSUMED:
        return f"unknown arXiv set {spec!r}: expected group:archive[:SUBJECT], such as 'physics:hep-th' or 'cs:cs:DC'"
    if subject and (problem := category_problem(f"{archive}.{subject[0]}")) is not None:
        return f"unknown arXiv set {spec!r}: {problem}"
    return None


def check_query_categories(source: str) -> None:
    """Raise QuerySyntaxError, pointing at the name, for the first ``cat:`` term arXiv has no category for."""
    for located in located_terms(source):
        if located.term.field == "cat":
            problem = category_problem(located.term.text)
            if problem is not None:
                raise QuerySyntaxError(source.translate(_ONE_LINE), located.start, located.end, problem)


def _wildcard_match(pattern: str, name: str) -> bool:
    """``*`` as any run of characters, as arXiv's ``cat:`` search reads it (protocol notes §1.4)."""
    first, *rest = pattern.split("*")
    if not name.startswith(first):
        return False
    position = len(first)
    for index, piece in enumerate(rest):
        if index == len(rest) - 1:
            return name.endswith(piece) and len(name) - len(piece) >= position
        found = name.find(piece, position)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def _did_you_mean(lowered: str) -> str:
    """``(did you mean 'stat.ML' or 'cs.LG'?)``: the same subject class in another archive first, then the
    names closest in spelling; where to find the list when nothing is close."""
    archive, dot, subject = lowered.partition(".")
    moved = sorted(known for known in _KNOWN if dot and subject and known.endswith("." + subject))
    close = difflib.get_close_matches(lowered, list(_KNOWN), n=3, cutoff=0.6)
    names = [_KNOWN[known] for known in dict.fromkeys(moved + close)][:3]
    if not names:
        return f"(the categories are listed at {TAXONOMY_URL})"
    quoted = [repr(name) for name in names]
    listed = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
    return f"(did you mean {listed}?)"
