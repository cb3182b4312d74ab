"""Properties over generated input: the query language, the three feed parsers and the config loader take any
text or bytes, and either succeed or raise their documented error. Nothing else escapes them.

Inputs come from hypothesis: query strings drawn from an alphabet weighted toward the syntax, query trees,
real arXiv captures (``tests/data``) damaged byte by byte or element by element, and config files built from
real keys, near-miss keys and values of every TOML type. Each test sets ``max_examples`` so that the file runs
in a few seconds.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from dailypapers.arxiv.announce import Announcement, parse_announcement
from dailypapers.arxiv.atom import FeedPage, parse_feed
from dailypapers.arxiv.oai import OaiPage, parse_page
from dailypapers.config import Config, load_config
from dailypapers.errors import ConfigError, FeedError, QuerySyntaxError
from dailypapers.model import split_id
from dailypapers.query import And, AndNot, Node, Not, Or, Term, format_query, parse

DATA = Path(__file__).resolve().parent / "data"

# --- the query language ---------------------------------------------------------------------------------

FIELD_PREFIXES = (
    "ti:", "au:", "abs:", "co:", "jr:", "cat:", "rn:", "id:", "all:", "doi:", "title:", "TI:", "Abs:",
    "foo:", "submittedDate:", "lastUpdatedDate:",
)  # fmt: skip
OPERATORS = ("AND", "OR", "ANDNOT", "NOT", "AND NOT", "and", "or", "Not")
WORDS = (
    "graph", "neural", "cs.DC", "cs.*", "del_maestro", "del_mae*", "x", "2601.00001v2", "10.1103/X.1", "model's",
    "Schrödinger", "e\u0301", "中文", "🙂", "\\", "-", "_", "*", "'", "'s", "\x00",
)  # fmt: skip
PUNCTUATION = ("(", ")", '"', ":", " ", " ", " ", "  ", "\t", "\n", "\r\n", "\u00a0")
# Whitespace that str.splitlines() breaks on besides CR and LF: see test_a_line_break_keeps_the_caret_in_place.
LINE_BREAKING_SPACE = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")
PIECES = FIELD_PREFIXES + OPERATORS + WORDS + PUNCTUATION


def query_texts(pieces: tuple[str, ...] = PIECES + LINE_BREAKING_SPACE) -> st.SearchStrategy[str]:
    """Strings made mostly of the syntax's own pieces, with some arbitrary text between them."""
    piece = st.one_of(st.sampled_from(pieces), st.text(max_size=3))
    return st.lists(piece, max_size=24).map("".join)


def is_tree(node: object) -> bool:
    match node:
        case Term():
            return True
        case And(operands=operands) | Or(operands=operands):
            return len(operands) >= 2 and all(map(is_tree, operands))
        case AndNot(left=left, right=right):
            return is_tree(left) and is_tree(right)
        case Not(operand=operand):
            return is_tree(operand)
    return False


@settings(max_examples=800, deadline=None)
@given(query_texts())
@example("")
@example('ti:"unterminated')
@example("(" * 80 + "a" + ")" * 80)
@example("ANDNOT " * 80 + "a")
def test_any_text_parses_to_a_tree_or_fails_inside_the_text(text: str) -> None:
    try:
        tree = parse(text)
    except QuerySyntaxError as err:
        assert len(err.source) == len(text), "the error keeps the query, position for position"
        assert 0 <= err.start <= len(text)
        assert err.start < err.end <= max(len(text), err.start + 1)
        assert err.message and f"at column {err.start + 1}" in str(err)
        return
    assert is_tree(tree)


@settings(max_examples=400, deadline=None)
@given(query_texts(PIECES))
def test_a_syntax_error_shows_the_query_on_one_line_with_the_caret_under_the_span(text: str) -> None:
    try:
        parse(text)
    except QuerySyntaxError as err:
        _, shown, caret = str(err).split("\n")
        assert shown == "  " + err.source
        assert caret == "  " + " " * err.start + "^" * (err.end - err.start)
        assert "\r" not in str(err) and "\t" not in shown


@pytest.mark.parametrize("space", LINE_BREAKING_SPACE)
def test_a_line_break_keeps_the_caret_in_place(space: str) -> None:
    """``ti:graph AND<VT>`` is a syntax error whose message must still be three lines: the caret under 'AND'."""
    with pytest.raises(QuerySyntaxError) as caught:
        parse(f"ti:graph AND{space}")
    assert str(caught.value).splitlines() == [
        "expected a term after 'AND' at column 10",
        f"  ti:graph AND{space}".replace(space, " "),
        "           ^^^",
    ]


# Round trips

TREE_FIELDS = ("ti", "au", "abs", "co", "jr", "cat", "rn", "id", "all", "doi")
_UNQUOTED = st.characters(blacklist_categories=["Cs"], blacklist_characters='()"_')
_QUOTED = st.characters(blacklist_categories=["Cs"], blacklist_characters='"')
WORD = st.one_of(
    st.sampled_from(("graph", "GPU", "cs.*", "x*", "2601.00001", "and", "AND", "NOT", "ti:x", "é", "a_b")),
    st.text(_UNQUOTED, min_size=1, max_size=6),
).filter(lambda word: word == "".join(word.split()))


@st.composite
def terms(draw: st.DrawFn) -> Term:
    """A Term as the documented invariants allow: a phrase's words are joined by single spaces.

    An unquoted author word holds no ``_``: see test_an_author_word_with_an_underscore_round_trips.
    """
    field = draw(st.sampled_from(TREE_FIELDS))
    if draw(st.booleans()):
        words = draw(st.lists(st.text(_QUOTED, min_size=1, max_size=6), min_size=1, max_size=3))
        phrase = " ".join(" ".join(words).split())
        if phrase:
            return Term(field, phrase, phrase=True)
    word = draw(WORD)
    if field == "au":
        word = word.replace("_", "-")
    return Term(field, word)


def trees(depth: int = 3) -> st.SearchStrategy[Node]:
    if depth == 0:
        return terms()
    inner = trees(depth - 1)
    operands = st.lists(inner, min_size=2, max_size=3).map(tuple)
    return st.one_of(
        terms(),
        operands.map(And),
        operands.map(Or),
        st.builds(AndNot, inner, inner),
        inner.map(Not),
    )


@settings(max_examples=400, deadline=None)
@given(trees())
def test_a_printed_tree_parses_back_to_the_same_tree(tree: Node) -> None:
    text = format_query(tree)
    assert parse(text) == tree, text


@settings(max_examples=600, deadline=None)
@given(query_texts())
def test_a_parsed_query_prints_to_text_that_parses_to_the_same_tree(text: str) -> None:
    try:
        tree = parse(text)
    except QuerySyntaxError:
        return
    printed = format_query(tree)
    assert parse(printed) == tree, printed
    assert format_query(parse(printed)) == printed, "the canonical text is a fixed point"


def test_an_author_word_with_an_underscore_is_the_phrase_it_means() -> None:
    """``au:del_maestro`` is arXiv's way to write the phrase "del maestro": a tree cannot hold it as a word,
    because printing it would give back a phrase."""
    with pytest.raises(ValueError, match="make it one"):
        Term("au", "del_maestro")
    tree = Term("au", "del maestro", phrase=True)
    assert parse("au:del_maestro") == tree == parse(format_query(tree))


# --- damaged feeds --------------------------------------------------------------------------------------

Parser = Callable[[bytes, str | None], object]
PARSERS: dict[str, tuple[Parser, type]] = {
    "atom": (parse_feed, FeedPage),
    "feeds": (parse_announcement, Announcement),
    "oai": (parse_page, OaiPage),
}
CAPTURES = {kind: sorted((DATA / kind).glob("*.xml")) for kind in PARSERS}
INSERTED = (
    b"<", b"&", b"&amp;", b"&#0;", b"&#x1;", b"&#xFFFF;", b"&#99999999;", b"&nbsp;", b"&undefined;", b"]]>",
    b"<!--", b"-->", b"<![CDATA[", b"</", b"/>", b'"', b"'", b"\x00", b"\x01", b"\x08", b"\x1b", b"\x7f",
    b"\r\n", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"<?xml version='1.0'?>",
    b"<!DOCTYPE feed [<!ENTITY e SYSTEM 'http://127.0.0.1:9/'>]>", b"&e;",
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>', b"&b;",
)  # fmt: skip
# Values an element's text or an attribute may be set to: dates, ids, numbers and announce types that are
# wrong in every way a reader meets. Dates at the edge of datetime's range are in EDGE_DATES instead.
VALUES = (
    "", " ", "\n", "0", "-1", "99999999999999999999999", "1e9", "NaN", "2026-13-45T99:99:99Z",
    "2026-02-30", "2026-05-15", "2026-05-15T00:00:00", "Mon, 32 Dec 2026 00:00:00 GMT",
    "Tue, 24 Nov 2026 00:00:00 -0500", "Tue, 24 Nov 2026", "http://arxiv.org/abs/2601.00001v0",
    "http://arxiv.org/abs/2601.00001v99999999999999999999", "oai:arXiv.org:2601.00001", "oai:arXiv.org:",
    "arXiv:2601.00001v2", "2601.00001v1", "hep-th/9901001", "math.CA/0611800v2", "v1", "v0", "v-1", "cs.DC",
    "cs.DC cs.PF", "new", "cross", "replace", "replace-cross", "absonly", "weird", "Error",
    "arXiv:2203.01250v3 Announce Type: new \nAbstract: x", "Announce Type: \nAbstract:", "a (b", "a ) b",
    "A, B, C (D, E", ",,,", "(", ")", "é", "\u2028", "x" * 3000,
)  # fmt: skip
_XML_TEXT = st.characters(blacklist_categories=("Cs", "Cc"))


def _byte_mutation(draw: st.DrawFn, data: bytearray) -> None:
    size = len(data)
    start = draw(st.integers(0, size))
    end = draw(st.integers(start, min(size, start + 80)))
    operation = draw(st.sampled_from(("truncate", "flip", "delete", "duplicate", "insert", "replace")))
    if operation == "truncate":
        del data[start:]
    elif operation == "flip" and start < size:
        data[start] ^= 1 << draw(st.integers(0, 7))
    elif operation == "delete":
        del data[start:end]
    elif operation == "duplicate":
        data[start:start] = data[start:end] * draw(st.integers(1, 3))
    elif operation == "insert":
        data[start:start] = draw(st.sampled_from(INSERTED))
    elif operation == "replace":
        data[start:end] = draw(st.binary(max_size=8))


def _element_mutation(draw: st.DrawFn, root: etree._Element) -> None:
    elements = list(root.iter(etree.Element))
    element = draw(st.sampled_from(elements))
    parent = element.getparent()
    operation = draw(st.sampled_from(("text", "text", "attribute", "remove", "duplicate", "empty", "adopt")))
    value = draw(st.one_of(st.sampled_from(VALUES), st.text(_XML_TEXT, max_size=12)))
    if operation == "text":
        element.text = value
    elif operation == "attribute" and element.attrib:
        element.set(draw(st.sampled_from(sorted(element.attrib))), value)
    elif operation == "remove" and parent is not None:
        parent.remove(element)
    elif operation == "duplicate" and parent is not None:
        element.addnext(copy.deepcopy(element))
    elif operation == "empty":
        element[:] = []
    elif operation == "adopt":
        other = draw(st.sampled_from(elements))
        if other is not element:
            element.append(copy.deepcopy(other))


@st.composite
def damaged(draw: st.DrawFn, kind: str) -> bytes:
    """A real capture, damaged byte by byte (usually no longer XML) or element by element (still XML)."""
    original = draw(st.sampled_from(CAPTURES[kind])).read_bytes()
    if draw(st.booleans()):
        data = bytearray(original)
        for _ in range(draw(st.integers(1, 4))):
            _byte_mutation(draw, data)
        return bytes(data)
    root = etree.fromstring(original)
    for _ in range(draw(st.integers(1, 5))):
        _element_mutation(draw, root)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def is_utc(moment: datetime | None) -> bool:
    return moment is None or (moment.tzinfo is not None and moment.utcoffset() == timedelta(0))


def check_result(kind: str, result: object) -> None:
    """What a parser returns holds typed records: arXiv ids that split back, aware UTC datetimes."""
    expected = PARSERS[kind][1]
    assert isinstance(result, expected)
    if isinstance(result, Announcement):
        assert is_utc(result.built)
        for item in result.items:
            assert split_id(item.versioned_id) == (item.id, item.version)
        return
    assert isinstance(result, FeedPage | OaiPage)
    for paper in result.papers:
        assert split_id(paper.versioned_id) == (paper.id, paper.version)
        assert is_utc(paper.published) and is_utc(paper.updated)


# Captures that record an error answer, or a format the readers refuse (oai_dc carries no versions).
REFUSED = {"new-2026-error-id-abc.xml", "new-2026-error-badArgument.xml", "legacy-2024-oai_dc-ListRecords.xml"}


@pytest.mark.parametrize("kind", sorted(PARSERS))
def test_every_capture_parses_as_it_is(kind: str) -> None:
    """The starting points are good: each capture reads as papers, or as the error it records."""
    parser = PARSERS[kind][0]
    for path in CAPTURES[kind]:
        try:
            result = parser(path.read_bytes(), str(path))
        except FeedError:
            assert path.name in REFUSED, path.name
            continue
        assert path.name not in REFUSED, path.name
        check_result(kind, result)


@pytest.mark.parametrize("kind", sorted(PARSERS))
def test_a_damaged_feed_gives_papers_or_the_documented_error(kind: str) -> None:
    parser = PARSERS[kind][0]

    @settings(max_examples=350, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(damaged(kind))
    def check(data: bytes) -> None:
        try:
            result = parser(data, "http://127.0.0.1:9/feed")
        except FeedError as err:
            assert str(err).startswith("http://127.0.0.1:9/feed: ")
            return
        check_result(kind, result)

    check()


# Dates that leave datetime's range once moved to UTC or to New York: every reader must take them as
# unreadable dates, as the Atom reader of the export API does.
EDGE_DATES = [
    pytest.param(
        "oai",
        "new-2026-error-badArgument.xml",
        "{http://www.openarchives.org/OAI/2.0/}responseDate",
        "0001-01-01T00:00:00+14:00",
        id="oai-responseDate",
    ),
    pytest.param(
        "oai",
        "legacy-2013-arXivRaw-1304.4214.xml",
        "{http://arxiv.org/OAI/arXivRaw/}date",
        "Fri, 31 Dec 9999 23:59:59 -2359",
        id="oai-arXivRaw-version-date",
    ),
    pytest.param(
        "feeds",
        "rss-cs.AI-2025-09-18-with-2203.01250v3.xml",
        "pubDate",
        "Fri, 31 Dec 9999 23:59:59 -2359",
        id="rss-pubDate",
    ),
    pytest.param(
        "feeds",
        "atom-math.OC-spec-2203.01250v3.xml",
        "{http://www.w3.org/2005/Atom}published",
        "0001-01-01",
        id="atom-feed-published",
    ),
    pytest.param(
        "feeds",
        "atom-math.OC-spec-2203.01250v3.xml",
        "{http://www.w3.org/2005/Atom}updated",
        "9999-12-31T23:59:59-23:59",
        id="atom-feed-updated",
    ),
    pytest.param(
        "atom",
        "legacy-2022-2101.05225.xml",
        "{http://www.w3.org/2005/Atom}published",
        "9999-12-31T23:59:59-23:59",
        id="export-api-published",
    ),
]


@pytest.mark.parametrize(("kind", "capture", "tag", "value"), EDGE_DATES)
def test_a_date_at_the_edge_of_the_calendar_is_an_unreadable_date(
    kind: str, capture: str, tag: str, value: str
) -> None:
    root = etree.fromstring((DATA / kind / capture).read_bytes())
    elements = list(root.iter(tag))
    assert elements, f"{capture} has no {tag}"
    for element in elements:
        element.text = value
    data = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    try:
        result = PARSERS[kind][0](data, None)
    except FeedError:
        return
    check_result(kind, result)


# --- config files ---------------------------------------------------------------------------------------

BASE_CONFIG: dict[str, Any] = {
    "title": "Daily Papers",
    "timezone": "Europe/Berlin",
    "max_papers": 10,
    "columns": ["Title", "Date", "Authors"],
    "contact": "ada@example.org",
    "database": "papers.db",
    "link": "https://ada.github.io/papers/",
    "scope": {"categories": ["cs.DC", "cs"]},
    "topics": [{"name": "compiler", "query": "ti:compiler", "announce": ["new", "cross"]}, {"name": "performance"}],
    "outputs": {"markdown": "README.md", "issue": "issue.md", "site": "site/", "feeds": "feeds/", "issue_limit": 5},
    "arxiv": {
        "api_url": "http://127.0.0.1:9/api/query",
        "rss_url": "http://127.0.0.1:9",
        "oai_url": "http://127.0.0.1:9/oai",
        "holidays": ["2026-12-24"],
        "delay": 0,
        "timeout": 5.5,
        "max_attempts": 2,
        "max_wait": 1,
        "page_size": 100,
        "lookback_days": 1,
        "max_pages": 2,
    },
    "email": {
        "smtp_host": "127.0.0.1",
        "smtp_port": 2525,
        "security": "none",
        "sender": "Daily Papers <papers@example.org>",
        "username_env": "SMTP_USER",
        "password_env": "SMTP_PASSWORD",
        "ca_file": "ca.pem",
        "send_empty": False,
        "max_per_message": 5,
        "timeout": 5,
        "recipients": [{"address": "ada@example.org"}, {"address": "grace@example.org", "topics": ["compiler"]}],
    },
    "webhooks": [
        {"kind": "slack", "url_env": "SLACK_URL", "topics": ["performance"], "send_empty": True, "max_attempts": 1},
        {"url_env": "JSON_URL", "timeout": 3, "max_per_message": 2},
    ],
}
KEYS = sorted(
    {"name", "query", "announce", "categories", "address", "topics", "kind", "url_env", "recipients"}
    | {key for table in BASE_CONFIG.values() if isinstance(table, dict) for key in table}
    | set(BASE_CONFIG)
)
# A folder of the time zone database ("America") and a name too long for a file are left to
# test_an_unknown_time_zone_is_a_config_error, where they are expected failures.
CONFIG_TEXTS = (
    "", " ", "UTC", "Europe/Berlin", "zone.tab", "x" * 100, "Europe/Berlin ", "../etc/passwd", "cs.DC", "cs", "a b",
    "a:b", "ti:graph AND", "ti:(", 'ti:"x', "new", "weird", "https://x.org/", "javascript:alert(1)", "ftp://x",
    "ada@example.org", "a@b@c", "Daily <p@x.org>", "p@x.org\r\nBcc: eve@x.org", "SMTP_PASSWORD", "1BAD",
    "starttls", "ssl", "none", "slack", "discord", "json", "Abstract", "PDF", "2026-12-24", "2026-02-30", "all",
    "All", "README.md", "site/", "/abs/path", "../up", "compiler", "performance",
)  # fmt: skip
TEXTS = st.one_of(st.sampled_from(CONFIG_TEXTS), st.text(max_size=8))
SCALARS = st.one_of(
    TEXTS,
    st.integers(-3, 70_000),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
)
VALUES_ANY = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=3),
    max_leaves=8,
)


def near_misses(key: str) -> st.SearchStrategy[str]:
    """Spellings of ``key`` that a user might type: case, plural, separator, a missing or extra letter."""
    return st.sampled_from(
        (
            key.upper(), key.capitalize(), key[:-1], key + "s", key + "_", key.replace("_", "-"),
            key.replace("_", ""), " " + key, key[1:] + key[0], key + "\u00e9",
        )
    )  # fmt: skip


def tables(
    data: dict[str, Any], path: tuple[str | int, ...] = ()
) -> list[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """Every table of ``data`` with its path: the top, [scope], [[topics]] entries, [[email.recipients]] …"""
    found: list[tuple[tuple[str | int, ...], dict[str, Any]]] = [(path, data)]
    for key, value in data.items():
        if isinstance(value, dict):
            found += tables(value, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    found += tables(item, (*path, key, index))
    return found


@st.composite
def config_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A working config with a few tables left out and a few keys set, deleted or misspelled at any depth."""
    data = copy.deepcopy(BASE_CONFIG)
    for key in draw(st.lists(st.sampled_from(sorted(BASE_CONFIG)), max_size=5, unique=True)):
        del data[key]
    for _ in range(draw(st.integers(0, 3))):
        _, table = draw(st.sampled_from(tables(data)))
        operation = draw(st.sampled_from(("set", "set", "delete", "misspell")))
        if operation == "set":
            key = draw(st.sampled_from(sorted(table) or KEYS) | st.sampled_from(KEYS))
            table[key] = draw(VALUES_ANY)
        elif operation == "delete" and table:
            del table[draw(st.sampled_from(sorted(table)))]
        elif operation == "misspell" and table:
            key = draw(st.sampled_from(sorted(table)))
            table[draw(near_misses(key))] = table.pop(key)
    return data


_TOML_ESCAPES = re.compile(r'[\x00-\x1f\x7f"\\]')


def toml_string(text: str) -> str:
    return '"' + _TOML_ESCAPES.sub(lambda match: f"\\u{ord(match.group()):04x}", text) + '"'


def toml_value(value: Any) -> str:
    """``value`` as TOML 1.0: inline tables and arrays, so any key at any depth can be written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(map(toml_value, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_string(key)} = {toml_value(item)}" for key, item in value.items()) + "}"
    raise TypeError(f"no TOML for {value!r}")


def toml_document(data: dict[str, Any]) -> str:
    return "".join(f"{toml_string(key)} = {toml_value(value)}\n" for key, value in data.items())


def key_path(key: str) -> list[str | int]:
    """``topics[0].query`` → ``["topics", 0, "query"]`` (the generated keys hold no dot or bracket)."""
    path: list[str | int] = []
    for part in key.split("."):
        name, *indexes = re.split(r"\[(\d+)\]", part)
        path.append(name)
        path += [int(index) for index in indexes if index]
    return path


def resolves(data: Any, path: list[str | int]) -> bool:
    for step in path:
        listed = isinstance(step, int) and isinstance(data, list) and step < len(data)
        if not listed and not (isinstance(step, str) and isinstance(data, dict) and step in data):
            return False
        data = data[step]
    return True


def check_config_error(err: ConfigError, path: Path, data: dict[str, Any] | None) -> None:
    """The message names the file first and, when it is about a key, that key, which is in the file or is
    a key the file lacks in a table that is there."""
    assert err.file in (str(path), str(path.resolve()))
    message = str(err)
    assert message.startswith(f"{err.file}: ")
    if err.key is None:
        return
    assert message.startswith(f"{err.file}: {err.key}: ")
    if data is None:
        return
    steps = key_path(err.key)
    if err.message.startswith("unknown key"):
        assert resolves(data, steps), err.key
    else:
        assert resolves(data, steps[:-1]), err.key


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(config_documents())
@example(BASE_CONFIG)
@example({"topics": [{"name": "x"}], "timezone": "Etc/UTC"})
def test_a_config_file_loads_or_fails_naming_the_file_and_the_key(tmp_path: Path, data: dict[str, Any]) -> None:
    path = tmp_path / "dailypapers.toml"
    path.write_text(toml_document(data), encoding="utf-8")
    try:
        config = load_config(path, environ={})
    except ConfigError as err:
        check_config_error(err, path, data)
        return
    assert isinstance(config, Config) and config.topics


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)))
@example(b"\xff\xfe[[topics]]")
@example(b'[[topics]]\nname = "x"\n[[topics]]\nname = "x"')
@example(b"topics = 1\ntopics = 2")
def test_any_bytes_load_or_fail_naming_the_file(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "dailypapers.toml"
    path.write_bytes(raw)
    try:
        load_config(path, environ={})
    except ConfigError as err:
        check_config_error(err, path, None)


@pytest.mark.parametrize(
    "zone",
    [
        "America",
        "x" * 300,
        "Europe/Berlin ",
        "../etc/passwd",
        "zone.tab",
    ],
    ids=["a-folder-of-zones", "a-name-too-long-for-a-file", "a-trailing-space", "a-path", "a-data-file"],
)
def test_an_unknown_time_zone_is_a_config_error(tmp_path: Path, zone: str) -> None:
    """``timezone = "America"`` names a folder of the time zone database, not a zone."""
    path = tmp_path / "dailypapers.toml"
    path.write_text(toml_document({"timezone": zone, "topics": [{"name": "x"}]}), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert caught.value.key == "timezone"
