"""Realistic synthetic arXiv papers, as many as wanted, streamed, the same for the same seed.

Text is drawn from the seed papers (``tests/data/seed_papers.json``, read directly so that benchmarks do not
import the tests): their words as written (``GPUs``, ``(FL),``, ``state-of-the-art``) ranked by frequency,
followed by about 40,000 rarer made-up words (the head of one seed word and the tail of another), drawn with
Zipf-Mandelbrot weights (rank + 2.7)^-1.05 so that a few words are everywhere and most are rare; one unit in
four is a two- to four-word run from the seeds, so real phrases ("federated learning", "large language
models") recur. Authors are recombined from the seeds' first and last names, with a few accented and TeX
spellings. Each paper has 1-20 authors, 1-4 categories from 40 real ones across 14 archives, 1-5 versions
(later ones updated days to months apart, with a changed sentence and sometimes a changed title), a comment,
and sometimes a journal reference, a DOI or a report number. First versions are spread from 2005 to 2026,
denser towards the end as arXiv grew; ids follow the scheme of their month (``hep-th/0601003`` before April
2007, ``0704.0001``, ``1501.50001``). New-scheme numbers start at 50,001 from 2015 on, above any real
paper's number in the seeds, so synthetic papers can share an archive with them.

    for paper in synthetic_papers(1_000_000, seed=1):   # each paper's versions in order, oldest paper first
        ...
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

from dailypapers.model import Author, Paper

SEED_PAPERS = Path(__file__).resolve().parent.parent / "tests" / "data" / "seed_papers.json"
START = datetime(2005, 1, 1, tzinfo=UTC)
END = datetime(2026, 5, 1, tzinfo=UTC)
TAIL_WORDS = 40_000

# (category, weight): roughly arXiv's mix, across archives with and without subject classes.
CATEGORIES = [
    ("cs.LG", 30), ("cs.CV", 22), ("cs.CL", 18), ("cs.AI", 16), ("stat.ML", 10), ("cs.DC", 6), ("cs.CR", 5),
    ("cs.RO", 5), ("cs.SE", 4), ("cs.NI", 3), ("cs.PF", 1), ("cs.DS", 3), ("cs.IT", 3), ("math.IT", 3),
    ("math.OC", 5), ("math.PR", 4), ("math.CO", 4), ("math.AP", 3), ("math.NA", 3), ("quant-ph", 14),
    ("hep-th", 9), ("hep-ph", 9), ("hep-ex", 3), ("gr-qc", 5), ("astro-ph.CO", 5), ("astro-ph.GA", 5),
    ("astro-ph.HE", 3), ("cond-mat.mes-hall", 5), ("cond-mat.str-el", 4), ("cond-mat.stat-mech", 4),
    ("cond-mat.mtrl-sci", 5), ("physics.optics", 4), ("physics.flu-dyn", 3), ("nucl-th", 3), ("eess.SP", 5),
    ("eess.IV", 4), ("q-bio.NC", 2), ("q-fin.ST", 1), ("econ.EM", 1), ("stat.ME", 3),
]  # fmt: skip
OLD_ARCHIVES = {"cs", "math", "quant-ph", "hep-th", "hep-ph", "hep-ex", "gr-qc", "astro-ph", "cond-mat",
                "physics", "nucl-th", "q-bio", "q-fin", "stat"}  # fmt: skip
INSTITUTIONS = [
    "Tsinghua University", "MIT", "Stanford University", "ETH Zürich", "University of Oxford", "CNRS",
    "Max Planck Institute for Physics", "Université Paris-Saclay", "Peking University", "CERN",
    "University of Tokyo", "Universidad de São Paulo", "KTH Royal Institute of Technology", "EPFL",
]  # fmt: skip
JOURNALS = ["Phys. Rev. D", "Phys. Rev. Lett.", "JHEP", "Nature Commun.", "IEEE Trans. Parallel Distrib. Syst.",
            "J. Mach. Learn. Res.", "Astrophys. J.", "Commun. Math. Phys."]  # fmt: skip
# Spellings the matcher folds: accents, TeX accents, letters NFKD keeps.
SPECIAL_NAMES = ["Jérémie", "Müller", "Schr\\\"oder", "Ørsted", "Łukasz", "Gödel", "Núñez", "Erdős", "Dvořák",
                 "Bjørn", "Çelik", "O'Brien", "Ranchal-Pedrosa", "de la Cruz", "van der Waals"]  # fmt: skip
SPECIAL_WORDS = ["Schr\\\"odinger", "Schrödinger", "Erdős–Rényi", "GPU's", "LLMs'", "Bob's", "naïve",
                 "state-of-the-art", "non-Abelian", "Møller", "Poincaré", "$\\mathcal{O}(n\\log n)$"]  # fmt: skip
_VERSION_WEIGHTS = list(accumulate([55, 28, 10, 5, 2]))
_AUTHOR_WEIGHTS = list(accumulate([8, 14, 16, 15, 12, 9, 7, 5, 3, 2, 1.5, 1.2, 1, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.3]))
_CATEGORY_WEIGHTS = list(accumulate(weight for _, weight in CATEGORIES))
_WORD = re.compile(r"[A-Za-z]{4,}")
_NAME = re.compile(r"[^\W\d_][\w.'-]*")


@dataclass(frozen=True)
class Vocabulary:
    """What papers are written with, all from the seed papers."""

    units: list[str]  # words by rank, then phrases
    cum_weights: list[float]
    first_names: list[str]
    last_names: list[str]

    @property
    def words(self) -> list[str]:
        """Single words by rank: frequent first, the made-up rare ones last."""
        return [unit for unit in self.units if " " not in unit]


def load_vocabulary(path: Path = SEED_PAPERS) -> Vocabulary:
    """The vocabulary of the seed papers, extended with rare made-up words; the same on every call."""
    seeds = json.loads(path.read_text(encoding="utf-8"))
    sentences = [_surface(p["title"]) for p in seeds] + [
        _surface(s) for p in seeds for s in re.split(r"(?<=\.)\s+", p["abstract"])
    ]
    counts = Counter(word for sentence in sentences for word in sentence)
    ranked = sorted(counts, key=lambda word: (-counts[word], word))
    words = ranked + SPECIAL_WORDS + _made_up(sorted({w.lower() for w in ranked if _WORD.fullmatch(w)}))
    phrases = Counter(
        " ".join(sentence[i : i + n]) for sentence in sentences for n in (2, 3, 4) for i in range(len(sentence) - n)
    )
    common = sorted((p for p, c in phrases.items() if c >= 2), key=lambda p: (-phrases[p], p))
    word_weights = [(rank + 2.7) ** -1.05 for rank in range(len(words))]
    phrase_total = sum(word_weights) / 3  # one unit in four is a phrase
    phrase_weights = [(rank + 2.7) ** -1.05 for rank in range(len(common))]
    scale = phrase_total / sum(phrase_weights)
    weights = word_weights + [w * scale for w in phrase_weights]
    names = [[part for part in a["name"].split() if _NAME.fullmatch(part)] for p in seeds for a in p["authors"]]
    return Vocabulary(
        units=words + common,
        cum_weights=list(accumulate(weights)),
        first_names=sorted({n[0] for n in names if len(n) > 1}) + SPECIAL_NAMES[:6],
        last_names=sorted({n[-1] for n in names if len(n) > 1}) + SPECIAL_NAMES,
    )


def _made_up(alphabetic: list[str]) -> list[str]:
    """Rare words: the head of one seed word and the tail of another (``schedformer``), in a fixed order."""
    rng = random.Random(20260511)
    made: set[str] = set()
    while len(made) < TAIL_WORDS:
        made.add(rng.choice(alphabetic)[: rng.randint(3, 6)] + rng.choice(alphabetic)[-rng.randint(3, 6) :])
    tail = sorted(made - set(alphabetic))
    rng.shuffle(tail)
    return tail


def _surface(text: str) -> list[str]:
    """Words as written, without the full stop that ends a sentence."""
    return [word.rstrip(".") for word in text.split() if word.rstrip(".")]


def synthetic_papers(count: int, seed: int = 1, start: datetime = START, end: datetime = END) -> Iterator[Paper]:
    """Every version of ``count`` papers: papers in order of first submission, each paper's versions in order."""
    vocabulary = load_vocabulary()
    rng = random.Random(seed)
    numbers: Counter[str] = Counter()
    span = (end - start).total_seconds()
    for index in range(count):
        # arXiv's yearly submissions grew about linearly, so the first-submission time goes as a square root
        published = start + timedelta(seconds=int(span * ((index + rng.random()) / count) ** 0.5))
        yield from _versions(rng, vocabulary, _new_id(rng, published, numbers), published)


def _new_id(rng: random.Random, published: datetime, numbers: Counter[str]) -> tuple[str, str]:
    """(id, primary category); the id follows the scheme in use when the paper was first submitted."""
    primary = rng.choices(CATEGORIES, cum_weights=_CATEGORY_WEIGHTS)[0][0]
    month = published.strftime("%y%m")
    if published < datetime(2007, 4, 1, tzinfo=UTC):
        archive = primary.split(".")[0]
        archive = archive if archive in OLD_ARCHIVES else "cs"
        numbers[archive + month] += 1
        return f"{archive}/{month}{numbers[archive + month]:03d}", primary
    numbers[month] += 1
    if published < datetime(2015, 1, 1, tzinfo=UTC):
        return f"{month}.{numbers[month]:04d}", primary
    return f"{month}.{50_000 + numbers[month]:05d}", primary


def _versions(
    rng: random.Random, vocabulary: Vocabulary, ident: tuple[str, str], published: datetime
) -> Iterator[Paper]:
    paper_id, primary = ident
    others = {c for c, _ in rng.choices(CATEGORIES, cum_weights=_CATEGORY_WEIGHTS, k=rng.randint(0, 3))}
    categories = (primary, *sorted(others - {primary}))
    sentences = [_sentence(rng, vocabulary) for _ in range(rng.randint(5, 11))]
    paper = Paper(
        id=paper_id,
        version=1,
        title=_title(rng, vocabulary),
        abstract=" ".join(sentences),
        authors=tuple(_author(rng, vocabulary) for _ in range(_pick(rng, _AUTHOR_WEIGHTS))),
        categories=categories,
        primary_category=primary,
        published=published,
        updated=published,
        comment=f"{rng.randint(4, 60)} pages, {rng.randint(1, 20)} figures" if rng.random() < 0.6 else None,
        journal_ref=f"{rng.choice(JOURNALS)} {rng.randint(1, 120)}, {rng.randint(1, 9999)} ({published.year + 1})"
        if rng.random() < 0.15
        else None,
        doi=f"10.{rng.randint(1000, 9999)}/{paper_id.replace('/', '.')}.{rng.randint(1, 99)}"
        if rng.random() < 0.2
        else None,
        report_no=f"CERN-TH-{published.year}-{rng.randint(1, 300):03d}" if rng.random() < 0.03 else None,
    )
    yield paper
    for version in range(2, _pick(rng, _VERSION_WEIGHTS) + 1):
        sentences[rng.randrange(len(sentences))] = _sentence(rng, vocabulary)
        paper = replace(
            paper,
            version=version,
            title=_title(rng, vocabulary) if rng.random() < 0.1 else paper.title,
            abstract=" ".join(sentences),
            updated=paper.updated + timedelta(days=rng.randint(1, 200), seconds=rng.randint(0, 86_399)),
            comment=f"v{version}: {rng.randint(4, 60)} pages; revised after review",
        )
        yield paper


def _pick(rng: random.Random, cum_weights: Sequence[float]) -> int:
    """1 + an index drawn with these cumulative weights."""
    return rng.choices(range(1, len(cum_weights) + 1), cum_weights=cum_weights)[0]


def _sentence(rng: random.Random, vocabulary: Vocabulary) -> str:
    text = " ".join(rng.choices(vocabulary.units, cum_weights=vocabulary.cum_weights, k=rng.randint(9, 26)))
    return text[0].upper() + text[1:] + "."


def _title(rng: random.Random, vocabulary: Vocabulary) -> str:
    units = rng.choices(vocabulary.units, cum_weights=vocabulary.cum_weights, k=rng.randint(3, 9))
    return " ".join(word[0].upper() + word[1:] if len(word) > 3 else word for word in " ".join(units).split())


def _author(rng: random.Random, vocabulary: Vocabulary) -> Author:
    first = rng.choice(vocabulary.first_names)
    middle = f" {rng.choice('ABCDEFGHJKLMNPRSTVW')}." if rng.random() < 0.15 else ""
    name = f"{first}{middle} {rng.choice(vocabulary.last_names)}"
    return Author(name, (rng.choice(INSTITUTIONS),) if rng.random() < 0.3 else ())
