"""Where words begin and end: Lucene's ``StandardTokenizer``, the first step of arXiv's ``english`` analyzer.

arXiv's search (Elasticsearch) splits titles and abstracts with Lucene's standard tokenizer, which follows the
word-boundary rules of Unicode Standard Annex #29 (https://www.unicode.org/reports/tr29/) and keeps only the
segments that hold a letter, a digit, an ideograph or an emoji. It does not split at every punctuation mark:

- letters joined by ``.``, ``:`` or an apostrophe with nothing around it stay one word (WB6, WB7):
  ``understanding.However``, ``e.g`` (the last dot has no letter after it), ``don't``, ``O'Neil``;
- digits joined by ``,``, ``.`` or ``;`` stay one number (WB11, WB12): ``1,000``, ``3.5``;
- letters and digits next to each other are one word (WB9, WB10): ``GPT4``, ``3D``;
- ``_`` (ExtendNumLet) joins whatever it touches (WB13a, WB13b): ``x_1``;
- hyphens, slashes, ``@``, brackets and spaces always split: ``state-of-the-art`` is four words;
- combining marks, format characters and the zero-width joiner belong to the character before them (WB4);
- each Chinese ideograph and each hiragana is a word of its own, a run of katakana is one word, a run of
  Thai, Lao, Khmer or Myanmar (which UAX #29 leaves to a dictionary) is one word, and an emoji sequence
  (with its modifiers, ZWJ joins, keycaps and flag pairs) is one word;
- a word longer than 255 UTF-16 units is cut into pieces of 255, as Lucene's ``maxTokenLength`` does.

The rules are Lucene's grammar (``StandardTokenizerImpl.jflex``) written as a regular expression over a string
of character classes: each character of the text is replaced by one code for its class (``_CLASSES``: an ASCII
letter, digit, ``_ . , ; : '`` stands for itself, other characters for their class), so that text of ASCII
alone is matched as it is, and the grammar runs on the standard library's ``re``. A character's class comes
from Unicode's own ``Word_Break``, ``Line_Break``, ``Script`` and emoji properties, as the ``regex`` module
knows them (the standard library has none of these properties); it is looked up once per distinct character.
Lucene picks the longest match at each position; the grammar below is arranged so that a greedy match is the
longest one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import regex

__all__ = ["MAX_TOKEN", "spans", "tokens"]

MAX_TOKEN = 255
"""Lucene's default ``maxTokenLength``, in UTF-16 code units: a longer word is cut into pieces this long."""

# Codes of the classes that have no ASCII member (an ASCII letter, digit, ``_ . , ; : ' " # *`` is its own code).
_HEBREW, _KATAKANA, _EXTEND, _ZWJ, _KEYCAP, _MODIFIER, _COMPLEX_MARK = "\x01\x02\x03\x04\x06\x07\x08"
_COMPLEX, _IDEOGRAPH, _EMOJI, _FLAG, _OTHER = "\x0e\x0f\x10\x11 "
_PROPERTIES = (  # the first that holds gives the code; the order settles characters with two roles
    (r"\u200d", _ZWJ),
    (r"\u20e3", _KEYCAP),
    (r"\p{Emoji_Modifier}", _MODIFIER),
    (r"[\p{WB=Extend}\p{WB=Format}]", None),  # _COMPLEX_MARK or _EXTEND
    (r"\p{WB=Hebrew_Letter}", _HEBREW),
    (r"\p{WB=ALetter}", "a"),
    (r"[\p{WB=Numeric}[\p{Block=Halfwidth_and_Fullwidth_Forms}&&\p{Nd}]]", "0"),
    (r"\p{WB=Katakana}", _KATAKANA),
    (r"\p{WB=ExtendNumLet}", "_"),
    (r"\p{WB=MidLetter}", ":"),
    (r"\p{WB=MidNum}", ","),
    (r"\p{WB=MidNumLet}", "."),
    (r"\p{WB=Single_Quote}", "'"),
    (r"\p{WB=Double_Quote}", '"'),
    (r"\p{LB=Complex_Context}", _COMPLEX),
    (r"[\p{Script=Han}\p{Script=Hiragana}]", _IDEOGRAPH),
    (r"\p{WB=Regional_Indicator}", _FLAG),
    (r"[\p{Extended_Pictographic}[\p{Emoji}--[\p{WB=Regional_Indicator}0-9#*\u00a9\u00ae\u2122\u3030\u303d]]]", _EMOJI),
)
_COMPILED = tuple((regex.compile(rf"(?V1){pattern}"), code) for pattern, code in _PROPERTIES)
_IS_COMPLEX = regex.compile(r"\p{LB=Complex_Context}")


def _code(character: str) -> str:
    """The class code of one character (not ASCII)."""
    for pattern, code in _COMPILED:
        if pattern.match(character):
            if code is None:
                return _COMPLEX_MARK if _IS_COMPLEX.match(character) else _EXTEND
            return code
    return _OTHER


class _Classes(dict[int, str]):
    """A ``str.translate`` table from characters to class codes, filled in as characters are met."""

    def __missing__(self, code: int) -> str:
        value = self[code] = _code(chr(code))
        return value


_ASCII_KEPT = frozenset("_.,;:'\"#*")
_CLASSES = _Classes(
    {code: chr(code) if chr(code).isalnum() or chr(code) in _ASCII_KEPT else _OTHER for code in range(0x80)}
)

_X = "[\\x03\\x04\\x06\\x07\\x08]*"  # WB4: extend, format and ZWJ characters belong to the one before
# Lucene's grammar reads a Hebrew letter with a following ``'``, or two Hebrew letters joined by ``"``, as one
# unit (WB7a, WB7b, WB7c), which no mid-letter may follow; it is tried first, as it is never the shorter match.
_HEBREW_UNIT = f"\\x01{_X}(?:'{_X}|\"{_X}\\x01{_X})"
_LETTER = f"[A-Za-z\\x01]{_X}"
_LETTERS = f"(?:{_HEBREW_UNIT}|{_LETTER}(?:[:.']{_X}{_LETTER})*)"  # WB5, WB6, WB7
_NUMBER = f"[0-9]{_X}(?:(?:[,;.']{_X})?[0-9]{_X})*"  # WB8, WB11, WB12
_KATAKANAS = f"(?:\\x02{_X})+"  # WB13
_UNIT = f"(?:{_KATAKANAS}|(?:{_NUMBER}|{_LETTERS})+)"  # WB9, WB10: letters and numbers side by side
_OTHERS = (  # Lucene's other token types; each ends where its own rule does
    f"|(?:[\\x10\\x07]{_X})(?:(?<=\\x04)[\\x10\\x07]{_X})*"  # emoji: ZWJ sequences, modifiers, tags
    f"|[#*]{_X}\\x06{_X}|\\x11{_X}\\x11{_X}"  # keycaps (a digit's keycap is a number already), flags
    f"|(?:[\\x0e\\x08]{_X})+|\\x0f{_X}"  # South East Asian runs; one ideograph or hiragana
)
_FULL = re.compile(f"(?:_{_X})*{_UNIT}(?:(?:_{_X})+{_UNIT})*(?:_{_X})*{_OTHERS}")  # WB13a, WB13b: ``_`` joins
# The same grammar where every character is an ASCII letter, digit, mid-letter or mid-number, or stands for
# one (as in most text): runs of letters, digits and ``_``, joined by a mid-letter between letters or a
# mid-number between digits. Without ``_`` in the text, a run needs no check that it holds a letter or digit.
_JOINS = "(?:[:.',;](?<=[A-Za-z][:.'])(?=[A-Za-z])[A-Za-z0-9_]+|[,;.'](?<=[0-9][,;.'])(?=[0-9])[A-Za-z0-9_]+)*"
_PLAIN = re.compile(f"[A-Za-z0-9]+{_JOINS}")
_PLAIN_WITH_UNDERSCORE = re.compile(f"_*[A-Za-z0-9][A-Za-z0-9_]*{_JOINS}")
_NOT_PLAIN = re.compile("[\\x01-\\x11]")
_LONG = MAX_TOKEN // 2  # a word with more characters than this may be too long in UTF-16


def _codes(text: str) -> tuple[str, re.Pattern[str]]:
    """The class codes of ``text``, and the fastest pattern that reads them exactly."""
    codes = text.translate(_CLASSES)
    if _NOT_PLAIN.search(codes):
        return codes, _FULL
    return codes, (_PLAIN_WITH_UNDERSCORE if "_" in codes else _PLAIN)


def tokens(text: str) -> list[str]:
    """The words of ``text`` as Lucene's standard tokenizer emits them, unchanged (case and accents kept)."""
    if text.isascii():  # the plain patterns read ASCII text as it is: its other characters are never in a word
        found: list[str] = (_PLAIN_WITH_UNDERSCORE if "_" in text else _PLAIN).findall(text)
    else:
        codes, pattern = _codes(text)
        found = [text[match.start() : match.end()] for match in pattern.finditer(codes)]
    if len(text) > _LONG and found and max(map(len, found)) > _LONG:
        return [text[start:end] for start, end in spans(text)]
    return found


def spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each word of ``text``, in order; what ``tokens`` returns is ``text[start:end]``."""
    codes, pattern = _codes(text)
    position = 0
    while (match := pattern.search(codes, position)) is not None:
        start, end = match.span()
        end = _cut(text, start, end)
        yield start, end
        position = end


def _cut(text: str, start: int, end: int) -> int:
    """Where Lucene ends a word that runs from ``start`` to ``end``: after at most 255 UTF-16 units."""
    if end - start <= _LONG:
        return end
    units = 0
    for index in range(start, end):
        units += 2 if ord(text[index]) > 0xFFFF else 1
        if units > MAX_TOKEN:
            return index
    return end
