"""Turn a paper's text into the words that queries are matched against, once per paper.

Titles and abstracts (and comments, journal references, report numbers) are analysed the way arXiv's index
analyses ``title.english`` and ``abstract.english`` with Elasticsearch's ``english`` analyzer (protocol notes
§1.4): words split as Lucene's standard tokenizer splits them, by Unicode's word-boundary rules
(``wordbreak.py``: ``understanding.However``, ``e.g``, ``1,000`` and ``x_1`` are one word each,
``state-of-the-art`` is four); a possessive ``'s`` (or ``’s``) at the end of a word dropped, as Lucene's
``EnglishPossessiveFilter`` does; lower case; then Porter stems (``porter.py``). Two deliberate differences
keep local matching simple and predictable:

- Stop words are kept, in documents and in queries. arXiv drops them, so there ``"learning to rank"`` also
  matches "learning for rank"; here the phrase's ``to`` must be there too. A bare stop word such as
  ``abs:the`` matches almost everything instead of nothing.
- Accents are folded away (NFKD, then combining marks dropped, plus a few letters NFKD keeps, such as ``ø``),
  and common TeX accents (``Schr\\"odinger``, ``{\\'e}``) are resolved first, so ``schrodinger`` matches all
  three spellings. arXiv folds accents only in author names. Words are found before they are folded, so a
  character that folds into letters (``™``, ``²``) does not join the word next to it.

Author names get the same folding, but are split at every character that is not a letter or digit (arXiv's
``author_folding`` analyzer splits at spaces, and ``au:del_maestro`` means ``au:"del maestro"``), with no
stemming and no possessive rule. A query's words go through the same functions, so both sides always agree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from dailypapers.model import Paper
from dailypapers.query.porter import stem
from dailypapers.query.wordbreak import spans, tokens

__all__ = ["Document", "Words", "analyse", "fold", "split_query_words", "split_words"]

_TEX_ACCENT = re.compile(r"\{?\\(?:[\"'`^~=.]|[uvHcdbkr](?![A-Za-z]))\s*\{?([A-Za-z])\}?\}?")
_TEX_LETTER = re.compile(r"\{?\\(aa|AA|ae|AE|oe|OE|ss|o|O|l|L|i|j)(?![A-Za-z])\s*\}?")
# Latin letters that NFKD does not decompose, folded as ICU folding (arXiv's author analyzer) folds them.
_LETTERS = str.maketrans(
    {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "æ": "ae", "Æ": "AE"}
    | {"œ": "oe", "Œ": "OE", "þ": "th", "Þ": "TH", "ı": "i"}
)
_APOSTROPHES = "'\u2019\uff07"
_NAME_WORD = re.compile(r"[^\W_]+")
_NAME_QUERY_WORD = re.compile(r"([^\W_]+)(\*?)")
_TEXT_FIELDS = {"ti": "title", "abs": "abstract", "co": "comment", "jr": "journal_ref", "rn": "report_no"}


def fold(text: str) -> str:
    """``text`` in lower case without accents: ``Jérémie`` and ``J\\'er\\'emie`` both become ``jeremie``."""
    return _fold_plain(_resolve_tex(text))


def _resolve_tex(text: str) -> str:
    if "\\" in text:
        return _TEX_LETTER.sub(r"\1", _TEX_ACCENT.sub(r"\1", text))
    return text


def _fold_plain(text: str) -> str:
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    return decomposed.translate(_WITHOUT_MARKS).casefold()


class _Marks(dict[int, int | None]):
    """A ``str.translate`` table that drops combining marks, filled in as characters are met."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.combining(chr(code)) else code
        self[code] = value
        return value


_WITHOUT_MARKS = _Marks()


def split_words(text: str, possessive: bool = True) -> list[str]:
    """The folded words of ``text``, split by Unicode's word-boundary rules, without a final possessive ``'s``.

    With ``possessive=False``, the words of an author's name: runs of letters and digits.
    """
    if not possessive:
        return _NAME_WORD.findall(fold(text))
    if "\\" in text:
        text = _resolve_tex(text)
    if text.isascii():
        lowered = text.lower()
        found = tokens(lowered)
        return [_drop_possessive(word) for word in found] if "'s" in lowered else found
    return [word for word in (_fold_plain(_drop_possessive(token)) for token in tokens(text)) if word]


def split_query_words(text: str, possessive: bool = True) -> list[tuple[str, bool]]:
    """Like ``split_words``, each word paired with whether a ``*`` follows it: ``mae*`` is a prefix."""
    if not possessive:
        return [(word, bool(star)) for word, star in _NAME_QUERY_WORD.findall(fold(text))]
    text = _resolve_tex(text)
    pairs = ((_fold_plain(_drop_possessive(text[start:end])), text[end : end + 1] == "*") for start, end in spans(text))
    return [(word, star) for word, star in pairs if word]


def _drop_possessive(token: str) -> str:
    """Lucene's ``EnglishPossessiveFilter``: ``'s`` (or ``’s``, ``＇s``) at the very end of a word goes."""
    if len(token) > 2 and token[-1] in "sS" and token[-2] in _APOSTROPHES:
        return token[:-2]
    return token


@dataclass(frozen=True, slots=True)
class Words:
    """One field's words in order, their stems in order (for phrases), and the set of stems (for words)."""

    tokens: tuple[str, ...]
    stems: tuple[str, ...]
    stem_set: frozenset[str]

    @classmethod
    def of_text(cls, text: str | None) -> Words:
        tokens = tuple(split_words(text)) if text else ()
        stems = tuple(map(stem, tokens))
        return cls(tokens, stems, frozenset(stems))

    @classmethod
    def of_name(cls, name: str) -> Words:
        """An author name: folded words, not stemmed (``Hopkins`` must not match ``au:hopkin``)."""
        tokens = tuple(split_words(name, possessive=False))
        return cls(tokens, tokens, frozenset(tokens))


class Document:
    """A paper analysed for matching. Each field is analysed on first use and kept, so however many topics
    look at a paper, its abstract is split and stemmed once, and a field no topic names is never analysed.
    """

    __slots__ = ("paper", "_texts", "_authors", "_categories")

    def __init__(self, paper: Paper) -> None:
        self.paper = paper
        self._texts: dict[str, Words] = {}
        self._authors: tuple[Words, ...] | None = None
        self._categories: frozenset[str] | None = None

    def text(self, field: str) -> Words:
        """The words of a text field: ``ti``, ``abs``, ``co``, ``jr`` or ``rn``."""
        words = self._texts.get(field)
        if words is None:
            words = self._texts[field] = Words.of_text(getattr(self.paper, _TEXT_FIELDS[field]))
        return words

    @property
    def authors(self) -> tuple[Words, ...]:
        """Each author's name separately, so a phrase cannot run from one author into the next."""
        if self._authors is None:
            self._authors = tuple(Words.of_name(author.name) for author in self.paper.authors)
        return self._authors

    @property
    def categories(self) -> frozenset[str]:
        """The primary and every cross-listed category, in lower case."""
        if self._categories is None:
            listed = (self.paper.primary_category, *self.paper.categories)
            self._categories = frozenset(category.lower() for category in listed)
        return self._categories


def analyse(paper: Paper) -> Document:
    """The ``Document`` to evaluate queries on: analyse a paper once, then match it against every topic."""
    return Document(paper)
