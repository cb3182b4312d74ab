"""The Porter stemmer, as Lucene's ``PorterStemFilter`` applies it.

arXiv's search service indexes titles and abstracts with Elasticsearch's ``english`` analyzer, whose last step
is Lucene's ``PorterStemFilter`` (protocol notes §1.4). That filter runs Martin Porter's own reference
implementation of M. F. Porter, "An algorithm for suffix stripping", *Program* 14(3):130-137 (1980),
https://tartarus.org/martin/PorterStemmer/. The reference implementation departs from the paper at three
points, and so does this module, so that a word stems here as it does in arXiv's index:

- words of one or two letters are left as they are;
- step 2 rewrites ``-bli`` as ``-ble`` (the paper has ``-abli`` as ``-able``);
- step 2 also rewrites ``-logi`` as ``-log``.

This is deliberately *not* the Snowball "english" (Porter2) stemmer, which differs on many words: Porter2
leaves ``gpus`` alone, Porter gives ``gpu``.

The step names follow the paper (1a, 1b, 1c, 2, 3, 4, 5a, 5b). Words are expected in lower case; any character
other than ``a e i o u`` (and ``y`` after a consonant) counts as a consonant, as in the reference code.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["stem"]

_VOWELS = frozenset("aeiou")

# Each table is searched in order and the first suffix that ends the word is the only one tried, whether or
# not its condition on the measure holds: that is how the paper picks "the longest matching suffix".
_STEP2 = (
    ("ational", "ate"),
    ("tional", "tion"),
    ("enci", "ence"),
    ("anci", "ance"),
    ("izer", "ize"),
    ("bli", "ble"),
    ("alli", "al"),
    ("entli", "ent"),
    ("eli", "e"),
    ("ousli", "ous"),
    ("ization", "ize"),
    ("ation", "ate"),
    ("ator", "ate"),
    ("alism", "al"),
    ("iveness", "ive"),
    ("fulness", "ful"),
    ("ousness", "ous"),
    ("aliti", "al"),
    ("iviti", "ive"),
    ("biliti", "ble"),
    ("logi", "log"),
)
_STEP3 = (
    ("icate", "ic"),
    ("ative", ""),
    ("alize", "al"),
    ("iciti", "ic"),
    ("ical", "ic"),
    ("ful", ""),
    ("ness", ""),
)
_STEP4 = (
    "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent",
    "ion", "ou", "ism", "ate", "iti", "ous", "ive", "ize",
)  # fmt: skip


def _shape(word: str) -> str:
    """Spell ``word`` as ``c`` (consonant) and ``v`` (vowel) letters.

    Porter 1980: a consonant is a letter other than a, e, i, o, u, and other than y preceded by a consonant.
    """
    shape: list[str] = []
    previous_consonant = False
    for index, letter in enumerate(word):
        if letter in _VOWELS:
            consonant = False
        elif letter == "y":
            consonant = index == 0 or not previous_consonant
        else:
            consonant = True
        shape.append("c" if consonant else "v")
        previous_consonant = consonant
    return "".join(shape)


def _measure(stem: str) -> int:
    """Porter's *m*: the number of vowel-consonant sequences in ``[C](VC){m}[V]``."""
    shape = _shape(stem)
    return sum(1 for index in range(len(shape) - 1) if shape[index] == "v" and shape[index + 1] == "c")


def _has_vowel(stem: str) -> bool:
    """Porter's ``*v*`` condition."""
    return "v" in _shape(stem)


def _ends_double_consonant(stem: str) -> bool:
    """Porter's ``*d`` condition: the stem ends with two equal consonants."""
    return len(stem) >= 2 and stem[-1] == stem[-2] and _shape(stem)[-1] == "c"


def _ends_cvc(stem: str) -> bool:
    """Porter's ``*o`` condition: consonant-vowel-consonant, the last not w, x or y: hop(e), but snow, box."""
    return len(stem) >= 3 and _shape(stem)[-3:] == "cvc" and stem[-1] not in "wxy"


def _step1a(word: str) -> str:
    """Plurals: sses → ss, ies → i, s → (nothing) unless ss."""
    if word.endswith("sses") or word.endswith("ies"):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _step1b(word: str) -> str:
    """Past tenses and gerunds: (m>0) eed → ee; (*v*) ed → ; (*v*) ing → ; then tidy the stem."""
    if word.endswith("eed"):
        return word[:-1] if _measure(word[:-3]) > 0 else word
    for suffix in ("ed", "ing"):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and _has_vowel(stem):
            return _tidy_step1b(stem)
    return word


def _tidy_step1b(stem: str) -> str:
    """Restore an e or undouble a consonant after step 1b removed -ed or -ing (hopp → hop, hop → hope)."""
    if stem.endswith(("at", "bl", "iz")):
        return stem + "e"
    if _ends_double_consonant(stem):
        return stem if stem[-1] in "lsz" else stem[:-1]
    if _measure(stem) == 1 and _ends_cvc(stem):
        return stem + "e"
    return stem


def _step1c(word: str) -> str:
    """(*v*) y → i: happy → happi, but sky stays."""
    if word.endswith("y") and _has_vowel(word[:-1]):
        return word[:-1] + "i"
    return word


def _replace(word: str, rules: tuple[tuple[str, str], ...]) -> str:
    """Steps 2 and 3: replace the first suffix in ``rules`` that ends the word, if the stem has m > 0."""
    for suffix, replacement in rules:
        if word.endswith(suffix):
            stem = word[: -len(suffix)]
            return stem + replacement if _measure(stem) > 0 else word
    return word


def _step4(word: str) -> str:
    """(m>1) remove -al, -ance, ... ; -ion only after s or t."""
    for suffix in _STEP4:
        if word.endswith(suffix):
            stem = word[: -len(suffix)]
            if suffix == "ion" and not stem.endswith(("s", "t")):
                return word
            return stem if _measure(stem) > 1 else word
    return word


def _step5(word: str) -> str:
    """5a: (m>1) e → ; (m=1 and not *o) e → . 5b: (m>1 and *d and *L) single letter: controll → control."""
    if word.endswith("e"):
        stem = word[:-1]
        measure = _measure(stem)
        if measure > 1 or (measure == 1 and not _ends_cvc(stem)):
            word = stem
    if word.endswith("l") and _ends_double_consonant(word) and _measure(word) > 1:
        word = word[:-1]
    return word


@lru_cache(maxsize=1 << 18)
def stem(word: str) -> str:
    """The Porter stem of a lower-case ``word``, as Lucene's ``PorterStemFilter`` computes it.

    Cached: a day of abstracts repeats a few tens of thousands of distinct words many times over.
    """
    if len(word) <= 2:
        return word
    word = _step1b(_step1a(word))
    word = _step1c(word)
    word = _replace(word, _STEP2)
    word = _replace(word, _STEP3)
    word = _step4(word)
    return _step5(word)
