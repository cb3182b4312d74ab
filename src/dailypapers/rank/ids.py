"""The arXiv id a library entry names, wherever a reference manager put it.

Zotero, Mendeley, JabRef and Google Scholar each write a preprint's id somewhere else: BibTeX's ``eprint`` (with
``archivePrefix = {arXiv}``), the ``url`` (``https://arxiv.org/abs/2301.00001v2``), the ``note``
(``arXiv:2301.00001 [cs.LG]``), the ``journal`` (``arXiv preprint arXiv:2301.00001``, or Semantic Scholar's
``ArXiv, abs/2301.00001``), the DOI arXiv registers for every paper since 2022 (``10.48550/arXiv.2301.00001``),
CSL-JSON's ``number``. Both id schemes are read (https://info.arxiv.org/help/arxiv_identifier.html): ``2301.00001``
and the old ``hep-th/9901001``, with or without a version. The fields are tried in the order given, so a precise
field wins over a loose one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dailypapers.model import split_id

_NEW = r"\d{4}\.\d{4,5}(?:v[1-9]\d*)?"
_OLD = r"[a-z]+(?:-[a-z]{2,})?(?:\.[A-Z]{2})?/\d{7}(?:v[1-9]\d*)?"
# An id in free text needs a sign that it is arXiv's: the word, its address, or its DOI prefix; a bare
# ``2301.00001`` in a note could be a page range or a report number.
_IN_TEXT = re.compile(
    rf"(?:arxiv\.org/(?:abs|pdf|html)/|arxiv[\s.,:/]*(?:preprint\s*(?:arxiv)?[\s.:/]*)?(?:abs/)?|10\.48550/arxiv\.)"
    rf"(?P<id>{_NEW}|{_OLD})",
    re.IGNORECASE,
)
_WHOLE = re.compile(rf"\s*(?:arxiv:\s*)?(?P<id>{_NEW}|{_OLD})\s*(?:\[[\w.-]+\])?\s*", re.IGNORECASE)


def arxiv_id(fields: Iterable[tuple[str, str]]) -> tuple[str, int | None] | None:
    """The first arXiv id (id, version or None) among ``fields`` (name, text): an ``eprint``-like field may hold
    the id alone; any other field must say it is arXiv's. None when no field names one."""
    for name, text in fields:
        found = _whole(text) if name in {"eprint", "number", "archive_location"} else None
        found = found or _in_text(text)
        if found is not None:
            return found
    return None


def _whole(text: str) -> tuple[str, int | None] | None:
    match = _WHOLE.fullmatch(text)
    return _split(match.group("id")) if match else None


def _in_text(text: str) -> tuple[str, int | None] | None:
    match = _IN_TEXT.search(text)
    return _split(match.group("id")) if match else None


def _split(text: str) -> tuple[str, int | None] | None:
    try:
        return split_id(text)
    except ValueError:
        return None
