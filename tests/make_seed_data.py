"""Rebuild ``tests/data/seed_papers.json`` from the project's seed documents.

The seeds (``../shared/seeds/``) are the documents the project started from:

* ``000_…txt`` … ``003_…txt``: four answers of arXiv's new export API (arxiv-protocol.md §1.6) whose XML tags
  were stripped, leaving only the text nodes run together. Their feed ids are
  ``base64(sha1("search_query=cat:cs.DC&id_list=&start=N&max_results=15"))`` for N = 270, 495, 120 and 15, so
  each holds 15 entries of a ``cat:cs.DC`` search, newest ``updated`` first. The header's digits read
  totalResults, startIndex, itemsPerPage (``27913`` ``270`` ``15`` in ``000``). Per entry the text reads:
  entry id (``http://arxiv.org/abs/<id>v<N>``), title, updated, summary, published, [comment],
  [journal_ref], each author's name followed by that author's affiliations, [doi].
* ``004_…txt``: the Markdown page of the "Daily Papers" bot this project replaces: three sections listing the
  same 20 papers with title, versioned link, date (the version's ``updated`` day), abstract and comment.

Reconstruction:

* ``updated`` and ``published`` are the only timestamps in an entry, so they cut title, summary and the
  tail apart exactly.
* The tail (everything after ``published``) is split by heuristics: a DOI matching ``10.NNNN/…`` at the very
  end; the comment is the shortest prefix after which the rest cuts into names and affiliations at every
  lower-case letter or period directly followed by an upper-case letter; a piece naming an institution
  (University, Institute, Lab, …) is an affiliation of the author before it. Every entry was then checked by
  eye; where the heuristics are wrong or cannot decide, ``OVERRIDES`` gives the tail explicitly, and the
  script fails when the heuristics cannot split an entry that has no override.
* Every reconstruction is checked to give back the seed text exactly when its parts are joined again.
* The text cannot tell a comment from a journal reference (both are plain text, comment first). Text before
  the first author is taken as the comment unless an override says otherwise.
* Page papers take title, abstract and comment byte for byte from the page (its ``<details>`` wrapper and
  five-character preview removed). A page paper whose version is also in an API answer is that API record
  (none is). Otherwise ``updated`` is the page's date at 00:00:00Z and ``published`` the same, unless another
  version in the API answers gives the v1 submission time (for a v1, that is its ``updated`` too); authors
  come from that other version when there is one. ``authors_known`` and ``dates_exact`` say which records
  hold placeholders. Only 2601.08082v1 (page) gains this way: the authors of 2601.08082v2 (``000``) and its
  v1 submission time.

The one assumption: categories were XML attributes and are lost. All four API answers come from a
``cat:cs.DC`` search and the page lists cs.DC papers, so every record gets ``categories = ["cs.DC"]`` and
``primary_category = "cs.DC"`` (for some papers cs.DC is really a cross-list).

Usage: ``python tests/make_seed_data.py [--seeds DIR] [--check]``; ``--check`` exits 1 when the JSON file
differs from what the seeds give.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SEEDS = HERE.parent.parent / "shared" / "seeds"
OUTPUT = HERE / "data" / "seed_papers.json"
CATEGORY = "cs.DC"

_ENTRY_ID = re.compile(r"http://arxiv\.org/abs/(\d{4}\.\d{4,5})v(\d+)")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_DOI_AT_END = re.compile(r"10\.\d{4,9}/\S+$")
_PARTICLES = {"da", "de", "del", "della", "der", "di", "dos", "du", "la", "le", "van", "von", "bin"}
_NAME_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|[.'\-])*")
_INSTITUTION = re.compile(
    r"\b(University|Universit\w+|Institute|Institut|Lab|Labs|Laboratory|College|School|Academy|Center|Centre"
    r"|Technology|Research|Inc|Corporation|Company|Hospital|Department|Dept)\b"
)

Author = tuple[str, tuple[str, ...]]


@dataclass(frozen=True)
class Tail:
    """What follows ``published`` in a stripped entry."""

    authors: tuple[Author, ...]
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None

    def text(self) -> str:
        parts = [self.comment or "", self.journal_ref or ""]
        for name, affiliations in self.authors:
            parts.append(name)
            parts.extend(affiliations)
        parts.append(self.doi or "")
        return "".join(parts)


def _plain(names: str) -> tuple[Author, ...]:
    """Authors without affiliations, from their names joined by ", "."""
    return tuple((name, ()) for name in names.split(", "))


# Entries whose tail the heuristics split wrongly or cannot split, checked by eye against the seed text.
OVERRIDES: dict[str, Tail] = {
    # The comment ends in "Mind Lab", and the text goes on "Mind Lab :Song Cao". The heuristics put the
    # group name into the comment. Whether the API sent one name "Mind Lab :Song Cao" or the two "Mind Lab :"
    # and "Song Cao" the text cannot tell; listings of the paper elsewhere read "Mind Lab: Song Cao, Vic Cao,
    # ..." and "Mind Lab, Song Cao, ...", so the group is an author of its own.
    "2605.13779v1": Tail(
        comment="27 pages. Technical report. Mind Lab",
        authors=_plain(
            "Mind Lab :, Song Cao, Vic Cao, Andrew Chen, Kaijie Chen, Cleon Cheng, Steven Chiang, "
            "Kaixuan Fan, Hera Feng, Huan Feng, Arthur Fu, Jun Gao, Hongquan Gu, Aaron Guan, Nolan Ho, "
            "Mutian Hong, Hailee Hou, Peixuan Hua, Charles Huang, Miles Jiang, Nora Jiang, Yuyi Jiang, "
            "Qiuyu Jin, Fancy Kong, Andrew Lei, Kyrie Lei, Alexy Li, Lucian Li, Ray Li, Theo Li, "
            "Zhihui Li, Jiayi Lin, Kairus Liu, Kieran Liu, Logan Liu, Xiang Liu, Irvine Lu, Maeve Luo, "
            "Runze Lv, Pony Ma, Verity Niu, Anson Qiu, Vincent Wang, Rio Yang, Maxwell Yao, Carrie Ye, "
            "Regis Ye, Wenlin Ye, Josh Ying, Danney Zeng, Yuhan Zhan, Anya Zhang, Di Zhang, "
            "Ruijia Zhang, Sueky Zhang, Ya Zhang, Wei Zhao, Ada Zhou, Changhai Zhou, Yuhua Zhou, "
            "Xinyue Zhu, Murphy Zhuang"
        ),
    ),
}


@dataclass
class Record:
    id: str
    version: int
    title: str
    abstract: str
    published: str
    updated: str
    source: str
    authors: list[dict[str, object]] = field(default_factory=list)
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    authors_known: bool = True
    dates_exact: bool = True

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "abstract": self.abstract,
            "authors": self.authors,
            "categories": [CATEGORY],
            "primary_category": CATEGORY,
            "published": self.published,
            "updated": self.updated,
            "comment": self.comment,
            "journal_ref": self.journal_ref,
            "doi": self.doi,
            "source": self.source,
            "authors_known": self.authors_known,
            "dates_exact": self.dates_exact,
        }


class SplitError(ValueError):
    """The heuristics cannot split a tail; the entry needs an override."""


# -- heuristics ------------------------------------------------------------------------------------------


def _is_name(piece: str) -> bool:
    words = piece.split(" ")
    if not 2 <= len(words) <= 6:
        return False
    for word in words:
        if word in _PARTICLES:
            continue
        if not _NAME_WORD.fullmatch(word) or not word[0].isupper():
            return False
    return True


def _is_affiliation(piece: str) -> bool:
    return bool(_INSTITUTION.search(piece)) and not any(ch.isdigit() for ch in piece)


def _cut_points(text: str) -> list[int]:
    """Positions where one name or affiliation ends and the next begins: [a-z.] directly before [A-Z]."""
    return [i for i in range(1, len(text)) if text[i].isupper() and (text[i - 1].islower() or text[i - 1] == ".")]


def _split_people(text: str) -> tuple[Author, ...] | None:
    """Cut a run of names and affiliations into authors, or None if a piece is neither."""
    bounds = [0, *_cut_points(text), len(text)]
    authors: list[tuple[str, list[str]]] = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        piece = text[start:end]
        if _is_affiliation(piece) and authors:
            authors[-1][1].append(piece)
        elif _is_name(piece):
            authors.append((piece, []))
        else:
            return None
    return tuple((name, tuple(affs)) for name, affs in authors) or None


def split_tail(text: str) -> Tail:
    """Split comment, authors with affiliations, and DOI, by the heuristics in the module docstring."""
    doi_match = _DOI_AT_END.search(text)
    doi = doi_match.group(0) if doi_match else None
    body = text[: doi_match.start()] if doi_match else text
    starts = [0] + [
        i for i in range(1, len(body)) if body[i].isupper() and not (body[i - 1].isspace() or body[i - 1].isupper())
    ]
    for start in starts:
        if start > 0 and body[start - 1] in "-'":
            continue
        authors = _split_people(body[start:])
        if authors is not None:
            return Tail(authors=authors, comment=body[:start] or None, doi=doi)
    raise SplitError(f"cannot split {text!r}")


# -- seeds -----------------------------------------------------------------------------------------------


def parse_api_text(text: str, source: str) -> list[Record]:
    """Cut one stripped API answer into records; the feed header before the first entry is skipped."""
    pieces = _ENTRY_ID.split(text)
    records = []
    for index in range(1, len(pieces), 3):
        paper_id, version, body = pieces[index], int(pieces[index + 1]), pieces[index + 2]
        stamps = list(_TIMESTAMP.finditer(body))
        if len(stamps) != 2:
            raise SplitError(f"{source}: {paper_id}v{version}: expected 2 timestamps, found {len(stamps)}")
        updated, published = stamps
        tail_text = body[published.end() :]
        key = f"{paper_id}v{version}"
        tail = OVERRIDES.get(key) or split_tail(tail_text)
        if tail.text() != tail_text:
            raise SplitError(f"{source}: {key}: the reconstruction does not give back the seed text")
        records.append(
            Record(
                id=paper_id,
                version=version,
                title=body[: updated.start()],
                abstract=body[updated.end() : published.start()],
                published=published.group(0),
                updated=updated.group(0),
                source=source,
                authors=[{"name": name, "affiliations": list(affs)} for name, affs in tail.authors],
                comment=tail.comment,
                journal_ref=tail.journal_ref,
                doi=tail.doi,
            )
        )
    return records


_ROW = re.compile(
    r"\| \*\*\[(?P<title>.*)\]\(https://arxiv\.org/abs/(?P<id>\d{4}\.\d{4,5})v(?P<version>\d+)\)\*\* "
    r"\| (?P<date>\d{4}-\d\d-\d\d) "
    r"\| <details><summary>Show</summary><p>(?P<abstract>.*?)</p></details> "
    r"\| (?P<comment>.*) \|"
)
_FOLDED = re.compile(r"<details><summary>.{5}\.\.\.</summary><p>(?P<text>.*)</p></details>")


def parse_page(text: str, source: str) -> list[Record]:
    """The distinct papers of the bot's page, in the order of its first section."""
    records: dict[str, Record] = {}
    for line in text.splitlines():
        if not line.startswith("| **["):
            continue
        row = _ROW.fullmatch(line)
        if row is None:
            raise SplitError(f"{source}: unreadable row {line[:80]!r}")
        folded = _FOLDED.fullmatch(row["comment"])
        comment = folded["text"] if folded else row["comment"]
        key = f"{row['id']}v{row['version']}"
        stamp = f"{row['date']}T00:00:00Z"
        records.setdefault(
            key,
            Record(
                id=row["id"],
                version=int(row["version"]),
                title=row["title"],
                abstract=row["abstract"],
                published=stamp,
                updated=stamp,
                source=source,
                comment=comment or None,
                authors_known=False,
                dates_exact=False,
            ),
        )
    return list(records.values())


def complete_from_api(page: Record, api: list[Record]) -> None:
    """Fill a page paper's placeholders from what the API answers know about other versions of it."""
    versions = [r for r in api if r.id == page.id]
    if not versions:
        return
    # every version's <published> is the v1 submission time, which is also v1's <updated>
    page.published = versions[0].published
    if page.version == 1:
        page.updated, page.dates_exact = page.published, True
    page.authors, page.authors_known = versions[0].authors, True


def build(seeds: Path) -> list[dict[str, object]]:
    files = sorted(seeds.glob("[0-9][0-9][0-9]_*.txt"))
    api_files, page_files = files[:4], files[4:]
    if len(api_files) != 4 or len(page_files) != 1:
        raise SystemExit(f"{seeds}: expected 000–003 API answers and the 004 page")
    api: list[Record] = []
    for path in api_files:
        api.extend(parse_api_text(path.read_text(encoding="utf-8"), path.name))
    stale = OVERRIDES.keys() - {f"{r.id}v{r.version}" for r in api}
    if stale:
        raise SystemExit(f"overrides for entries not in the seeds: {', '.join(sorted(stale))}")
    page = parse_page(page_files[0].read_text(encoding="utf-8"), page_files[0].name)
    known = {(r.id, r.version) for r in api}
    page = [r for r in page if (r.id, r.version) not in known]
    for record in page:
        complete_from_api(record, api)
    return [r.as_json() for r in [*api, *page]]


def render(records: list[dict[str, object]]) -> str:
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help="folder of the seed documents")
    parser.add_argument("--check", action="store_true", help="only check that the JSON file is up to date")
    args = parser.parse_args(argv)
    text = render(build(args.seeds))
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is out of date; run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    records = json.loads(text)
    page = sum(1 for r in records if r["source"].startswith("004"))
    print(
        f"wrote {len(records)} records ({len(records) - page} API entries, {page} page papers, "
        f"overrides: {len(OVERRIDES)}) to {OUTPUT}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
