"""OAI-PMH for the arXiv stand-in server: ``/oai`` as oaipmh.arxiv.org answers it, from the server's papers.

It follows ``../shared/arxiv-protocol.md`` §3: the argument rules and reason texts of the new service (§3.2),
its paging (§3.3: pages of 2,500 records ordered by (datestamp, id); a token that is ``quote(urlencode(params
+ skip))``, moved to the last day a page reaches; ``<resumptionToken/>`` ending a resumed list) or, with
``style="legacy"``, export.arxiv.org/oai2's ``<id>|<offset>`` tokens with ``cursor`` and
``completeListSize``; records in ``arXivRaw`` and ``arXiv`` shaped like the examples of §3.4/§3.5; errors with
HTTP 200. The server's fault switches apply to ``/oai`` too (``server.unavailable(times, retry_after=1)``).

Where the stand-in is simpler than arXiv: it disseminates ``arXivRaw`` and ``arXiv`` only (``oai_dc`` and
``arXivOld`` answer ``cannotDisseminateFormat``); a repeated parameter cannot be seen (the server keeps the
first value); set names below the groups are the set specs themselves. Each record's datestamp is the day of
its latest version, and every version of a paper is dated: the versions the server holds by their own date,
v1 by the paper's ``published``, a version in between that it does not hold by interpolation.

    with ArxivServer(load_seed_papers()) as server:
        oai = mount_oai(server, page_size=10)
        httpx.get(oai.url, params={"verb": "ListRecords", "metadataPrefix": "arXivRaw"})
"""

from __future__ import annotations

import itertools
import random
import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, quote, unquote, urlencode

from arxiv_server import ArxivServer, load_seed_papers
from dailypapers.model import Author, Paper

__all__ = ["OaiRecord", "OaiService", "generate_records", "mount_oai", "oai_records"]

XML_TYPE = "text/xml; charset=utf-8"
RECORDS_LIMIT = 2500
EARLIEST = date(2005, 9, 16)
LICENSE = "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
ENVELOPE = (
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
)
FORMATS = {
    "arXiv": ("http://arxiv.org/OAI/arXiv/", "https://oaipmh.arxiv.org/OAI/arXiv.xsd"),
    "arXivRaw": ("http://arxiv.org/OAI/arXivRaw/", "https://oaipmh.arxiv.org/OAI/arXivRaw.xsd"),
}
LIST_PARAMS = ("verb", "metadataPrefix", "from", "until", "set")
DESCRIPTIONS = {  # oaipmh/data/oai_errors.py
    "badArgument": "The request includes illegal arguments, is missing required arguments, includes a repeated "
    "argument, or values for arguments have an illegal syntax.",
    "badResumptionToken": "The value of the resumptionToken argument is invalid or expired.",
    "badVerb": "Value of the verb argument is not a legal OAI-PMH verb, the verb argument is missing, or the verb "
    "argument is repeated.",
    "cannotDisseminateFormat": "The metadata format identified by the value given for the metadataPrefix argument "
    "is not supported by the item or by the repository.",
    "idDoesNotExist": "The value of the identifier argument is unknown or illegal in this repository.",
    "noRecordsMatch": "The combination of the values of the from, until, set and metadataPrefix arguments results "
    "in an empty list.",
}
GROUPS = {
    "physics": "Physics",
    "math": "Mathematics",
    "cs": "Computer Science",
    "q-bio": "Quantitative Biology",
    "q-fin": "Quantitative Finance",
    "stat": "Statistics",
    "eess": "Electrical Engineering and Systems Science",
    "econ": "Economics",
}
PHYSICS_ARCHIVES = "astro-ph cond-mat gr-qc hep-ex hep-lat hep-ph hep-th math-ph nlin nucl-ex nucl-th physics quant-ph"
ARCHIVE_GROUP = {archive: "physics" for archive in PHYSICS_ARCHIVES.split()} | {
    group: group for group in GROUPS if group != "physics"
}
# arxiv-base CATEGORIES_ACTIVE minus test categories (arxiv-protocol.md §4.2), and CATEGORY_ALIASES both ways.
_CATEGORY_LIST = """
    astro-ph.CO astro-ph.EP astro-ph.GA astro-ph.HE astro-ph.IM astro-ph.SR cond-mat.dis-nn cond-mat.mes-hall
    cond-mat.mtrl-sci cond-mat.other cond-mat.quant-gas cond-mat.soft cond-mat.stat-mech cond-mat.str-el
    cond-mat.supr-con cs.AI cs.AR cs.CC cs.CE cs.CG cs.CL cs.CR cs.CV cs.CY cs.DB cs.DC cs.DL cs.DM cs.DS cs.ET
    cs.FL cs.GL cs.GR cs.GT cs.HC cs.IR cs.IT cs.LG cs.LO cs.MA cs.MM cs.MS cs.NA cs.NE cs.NI cs.OH cs.OS cs.PF
    cs.PL cs.RO cs.SC cs.SD cs.SE cs.SI cs.SY econ.EM econ.GN econ.TH eess.AS eess.IV eess.SP eess.SY gr-qc hep-ex
    hep-lat hep-ph hep-th math-ph math.AC math.AG math.AP math.AT math.CA math.CO math.CT math.CV math.DG math.DS
    math.FA math.GM math.GN math.GR math.GT math.HO math.IT math.KT math.LO math.MG math.MP math.NA math.NT math.OA
    math.OC math.PR math.QA math.RA math.RT math.SG math.SP math.ST nlin.AO nlin.CD nlin.CG nlin.PS nlin.SI nucl-ex
    nucl-th physics.acc-ph physics.ao-ph physics.app-ph physics.atm-clus physics.atom-ph physics.bio-ph
    physics.chem-ph physics.class-ph physics.comp-ph physics.data-an physics.ed-ph physics.flu-dyn physics.gen-ph
    physics.geo-ph physics.hist-ph physics.ins-det physics.med-ph physics.optics physics.plasm-ph physics.pop-ph
    physics.soc-ph physics.space-ph q-bio.BM q-bio.CB q-bio.GN q-bio.MN q-bio.NC q-bio.OT q-bio.PE q-bio.QM q-bio.SC
    q-bio.TO q-fin.CP q-fin.EC q-fin.GN q-fin.MF q-fin.PM q-fin.PR q-fin.RM q-fin.ST q-fin.TR quant-ph stat.AP
    stat.CO stat.ME stat.ML stat.OT stat.TH"""
ACTIVE_CATEGORIES = frozenset(_CATEGORY_LIST.split())
ALIASES = {
    "math.MP": "math-ph",
    "stat.TH": "math.ST",
    "math.IT": "cs.IT",
    "q-fin.EC": "econ.GN",
    "cs.SY": "eess.SY",
    "cs.NA": "math.NA",
}
PARTNERS = ALIASES | {canonical: alias for alias, canonical in ALIASES.items()}
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class OaiProblem(Exception):
    """An OAI-PMH error answer: the code, the reason after the description, the request's attributes."""

    def __init__(self, code: str, reason: str | None = None, request: Mapping[str, str] | None = None) -> None:
        super().__init__(code)
        self.code, self.reason, self.request = code, reason, dict(request or {})


@dataclass(frozen=True)
class OaiRecord:
    """One item: its latest version, the date of every version, its datestamp; or a deleted record's header."""

    paper: Paper
    versions: tuple[tuple[int, datetime], ...]
    datestamp: date
    deleted: bool = False

    @property
    def set_specs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(spec for c in _with_aliases(self.paper.categories) if (spec := set_spec(c))))


def oai_records(papers: Iterable[Paper]) -> list[OaiRecord]:
    """The OAI items for ``papers`` (any versions of any papers), ordered by (datestamp, id) as arXiv orders."""
    by_id: dict[str, dict[int, Paper]] = {}
    for paper in papers:
        by_id.setdefault(paper.id, {})[paper.version] = paper
    records = [_record(versions) for versions in by_id.values()]
    return sorted(records, key=lambda r: (r.datestamp, r.paper.id))


def _record(known: dict[int, Paper]) -> OaiRecord:
    latest = known[max(known)]
    start, end = latest.published, latest.updated
    dates: list[tuple[int, datetime]] = []
    for number in range(1, latest.version + 1):
        if number in known:
            moment = known[number].updated if number > 1 else known[number].published
        else:
            moment = start + (end - start) * (number - 1) / max(1, latest.version - 1)
        dates.append((number, moment.replace(microsecond=0)))
    return OaiRecord(latest, tuple(dates), latest.updated.astimezone(UTC).date())


def set_spec(category: str) -> str | None:
    """``cs.DC`` → ``cs:cs:DC``, ``hep-th`` → ``physics:hep-th`` (oaipmh's ``make_set_str``)."""
    archive, _, subject = category.partition(".")
    group = ARCHIVE_GROUP.get(archive)
    if group is None:
        return None
    return f"{group}:{archive}:{subject}" if subject else f"{group}:{archive}"


def _with_aliases(categories: Iterable[str]) -> list[str]:
    found = list(categories)
    return found + [PARTNERS[c] for c in found if c in PARTNERS and PARTNERS[c] not in found]


def _check_set(spec: str) -> None:
    """oaipmh's ``_parse_set``: a group, ``group:archive`` or ``group:archive:SUBJ`` that exists and is active."""
    parts = spec.split(":")
    if len(parts) > 3:
        raise OaiProblem("badArgument", "Set has too many levels")
    group, archive, subject = (parts + ["", ""])[:3]
    if len(parts) == 1:
        exists = group in GROUPS
    else:
        exists = ARCHIVE_GROUP.get(archive) == group and (
            len(parts) == 2 or f"{archive}.{subject}" in ACTIVE_CATEGORIES
        )
    if not exists:
        raise OaiProblem("badArgument", "Set does not exist")


# -- the service -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Query:
    verb: str
    prefix: str
    start: date
    end: date
    set_spec: str | None
    params: dict[str, str]  # what a new-style token carries


class OaiService:
    """The ``/oai`` route of one server, with its switches.

    ``page_size`` (records per ``ListRecords`` or ``ListIdentifiers`` page) and ``style`` (``"new"`` or
    ``"legacy"`` tokens) may be changed between requests; ``expire_tokens()`` makes every later token (or the
    next ``times``) ``badResumptionToken``; ``fail_after(n)`` answers n more requests and then 503 to every
    request until ``server.clear_faults()``; ``delete(id, on)`` turns a record into a deleted one; ``damaged``
    adds that many records with missing fields (no identifier, no metadata) to each ``ListRecords`` page;
    ``stuck = "repeat"`` answers a resumed list with its page again and the very token it was asked with, and
    ``stuck = "empty"`` with a page of no record and a new token, for ever (a list that does not move on).
    ``requests`` counts the requests the route answered (faulted ones are not).
    """

    def __init__(self, server: ArxivServer, records: Iterable[Paper] | None, page_size: int, style: str) -> None:
        if style not in ("new", "legacy"):
            raise ValueError(f"style must be 'new' or 'legacy', not {style!r}")
        self.server = server
        self.papers = None if records is None else list(records)
        self.page_size = page_size
        self.style = style
        self.expired = False
        self._expiring: int | None = None  # tokens left to refuse; None: every one while ``expired``
        self.damaged = 0
        self.stuck: str | None = None
        self._empty_tokens = 0
        self.requests = 0
        self.deleted: dict[str, date] = {}
        self._fail_at: tuple[int, int | str | None] | None = None
        self._lists: dict[str, dict[str, str]] = {}  # legacy token ids → the list's arguments

    @property
    def url(self) -> str:
        return self.server.base + "/oai"

    def expire_tokens(self, times: int | None = None) -> None:
        if times is not None and times < 1:
            raise ValueError("times must be at least 1, or None for every token")
        self.expired, self._expiring = True, times

    def fail_after(self, n_requests: int, *, retry_after: int | str | None = None) -> None:
        self._fail_at = (self.requests + n_requests, retry_after)
        self._maybe_fail()

    def delete(self, paper_id: str, on: date) -> None:
        self.deleted[paper_id] = on

    def records(self) -> list[OaiRecord]:
        papers = self.server.papers if self.papers is None else self.papers
        records = [
            OaiRecord(r.paper, r.versions, self.deleted[r.paper.id], True) if r.paper.id in self.deleted else r
            for r in oai_records(papers)
        ]
        return sorted(records, key=lambda r: (r.datestamp, r.paper.id))

    def __call__(self, path: str, params: dict[str, str]) -> tuple[int, bytes, str, dict[str, str]]:
        self.requests += 1
        try:
            body = self._answer(params)
        except OaiProblem as problem:
            body = self._envelope(problem.request, _error_xml(problem))
        self._maybe_fail()
        return 200, body, XML_TYPE, {}

    def _maybe_fail(self) -> None:
        if self._fail_at is not None and self.requests >= self._fail_at[0]:
            self.server.unavailable(None, retry_after=self._fail_at[1])
            self._fail_at = None

    def _answer(self, params: dict[str, str]) -> bytes:
        verb = params.get("verb", "")
        if verb in ("ListRecords", "ListIdentifiers"):
            return self._list(params)
        if verb == "GetRecord":
            return self._get_record(params)
        if verb in ("Identify", "ListSets", "ListMetadataFormats"):
            if set(params) != {"verb"}:
                raise OaiProblem("badArgument", f"No other parameters allowed for {verb}")
            return self._envelope({"verb": verb}, _INFO[verb](self.url))
        raise OaiProblem("badVerb", "Invalid verb provided")

    def _envelope(self, request: Mapping[str, str], inner: str) -> bytes:
        attributes = "".join(f' {name}="{_attr(value)}"' for name, value in request.items())
        head = f"<responseDate>{self.server.now().astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}</responseDate>"
        xml = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n{ENVELOPE}\n  {head}\n  <request{attributes}>{self.url}</request>'
        )
        return f"{xml}\n{inner}\n</OAI-PMH>\n".encode()

    # ListRecords / ListIdentifiers

    def _list(self, params: dict[str, str]) -> bytes:
        request, skip = dict(params), 0
        if "resumptionToken" in params:
            if set(params) != {"verb", "resumptionToken"}:
                raise OaiProblem("badArgument", "No other paramters allowed with resumptionToken")
            if self.stuck == "empty":
                self._empty_tokens += 1
                token = f"    <resumptionToken>empty-{self._empty_tokens}</resumptionToken>\n"
                return self._envelope(request, f"  <{params['verb']}>\n{token}  </{params['verb']}>")
            params, skip = self._resume(params["verb"], params["resumptionToken"])
        query = self._query(params)
        chosen = [r for r in self.records() if query.start <= r.datestamp <= query.end and _in_set(r, query.set_spec)]
        page = chosen[skip : skip + self.page_size]
        if not page:
            raise OaiProblem("noRecordsMatch", request=request)
        items = [_header(r, 4) if query.verb == "ListIdentifiers" else _record_xml(r, query.prefix) for r in page]
        if query.verb == "ListRecords":
            items += [_damaged_record(page[-1].datestamp)] * self.damaged
        more = chosen[skip + self.page_size] if len(chosen) > skip + self.page_size else None
        token = self._token(query, page, skip, more, len(chosen), resumed="resumptionToken" in request)
        if self.stuck == "repeat" and "resumptionToken" in request:
            token = f"    <resumptionToken>{_text(request['resumptionToken'])}</resumptionToken>\n"
        return self._envelope(request, f"  <{query.verb}>\n{''.join(items)}{token}  </{query.verb}>")

    def _resume(self, verb: str, token: str) -> tuple[dict[str, str], int]:
        if self.expired:
            if self._expiring is not None:
                self._expiring -= 1
                self.expired = self._expiring > 0
            raise OaiProblem("badResumptionToken", "Token expired.")
        params, skip = _decode_legacy(token, self._lists) if self.style == "legacy" else _decode_new(token)
        if params.get("verb") != verb:
            raise OaiProblem("badResumptionToken", "token from different verb", {"verb": verb})
        return params, skip

    def _query(self, params: dict[str, str]) -> _Query:
        """oaipmh's ``list_data``: the checks in its order, with its reason texts."""
        if "metadataPrefix" not in params:
            raise OaiProblem("badArgument", "metadataPrefix required.")
        if set(params) - set(LIST_PARAMS):
            raise OaiProblem("badArgument", f"Unallowed parameter. Allowed parameters: {', '.join(LIST_PARAMS)}")
        prefix = params["metadataPrefix"]
        if prefix not in FORMATS:
            request = {"verb": params["verb"]}
            raise OaiProblem("cannotDisseminateFormat", "Did not recognize requested format", request)
        start = _date(params.get("from"), "from") or EARLIEST
        end = _date(params.get("until"), "until") or self.server.now().astimezone(UTC).date()
        if params.get("set"):
            _check_set(params["set"])
        if start > end:
            raise OaiProblem("badArgument", "until date must be greater than or equal to from date")
        if start < EARLIEST and self.style == "new":
            raise OaiProblem("badArgument", "start date too early")
        if end > self.server.now().astimezone(UTC).date() + timedelta(days=1):
            raise OaiProblem("badArgument", "until date too late")
        kept = {name: params[name] for name in LIST_PARAMS if params.get(name)}
        return _Query(params["verb"], prefix, start, end, params.get("set") or None, kept)

    def _token(
        self, query: _Query, page: list[OaiRecord], skip: int, more: OaiRecord | None, total: int, resumed: bool
    ) -> str:
        if self.style == "legacy":
            return self._legacy_token(query, skip, len(page), total, resumed)
        if more is None:
            return "    <resumptionToken/>\n" if resumed else ""
        if page[0].datestamp == more.datestamp:  # the whole page is one day: skip further into it
            params, next_skip = query.params, skip + len(page)
        else:  # resume from the next record's day, skipping the records of that day already sent
            params = query.params | {"from": f"{more.datestamp:%Y-%m-%d}"}
            next_skip = sum(1 for r in page if r.datestamp == more.datestamp)
        expires = datetime.combine(self.server.now().astimezone(UTC).date() + timedelta(days=1), datetime.min.time())
        token = quote(urlencode({**params, "skip": next_skip}))
        return f'    <resumptionToken expirationDate="{expires:%Y-%m-%dT%H:%M:%SZ}">{token}</resumptionToken>\n'

    def _legacy_token(self, query: _Query, cursor: int, shown: int, total: int, resumed: bool) -> str:
        """export.arxiv.org/oai2's ``<id>|<offset>``: the offset is 1-based, as its ``…|1001`` tokens suggest."""
        attributes = f'cursor="{cursor}" completeListSize="{total}"'
        if cursor + shown >= total:
            return f"    <resumptionToken {attributes}/>\n" if resumed else ""
        list_id = str(6960524 + len(self._lists))
        self._lists[list_id] = query.params
        return f"    <resumptionToken {attributes}>{list_id}|{cursor + shown + 1}</resumptionToken>\n"

    def _get_record(self, params: dict[str, str]) -> bytes:
        if set(params) != {"verb", "identifier", "metadataPrefix"}:
            raise OaiProblem("badArgument", "Parameters provided did not match expected.")
        identifier = params["identifier"]
        if not identifier.startswith("oai:arXiv.org:"):
            raise OaiProblem("idDoesNotExist", "All identifiers start with: oai:arXiv.org:")
        if params["metadataPrefix"] not in FORMATS:
            raise OaiProblem("cannotDisseminateFormat", "Did not recognize requested format")
        found = [r for r in self.records() if f"oai:arXiv.org:{r.paper.id}" == identifier]
        if not found:
            raise OaiProblem("idDoesNotExist", "Nothing found for this id")
        record = _record_xml(found[0], params["metadataPrefix"])
        return self._envelope(params, f"  <GetRecord>\n{record}  </GetRecord>")


def mount_oai(
    server: ArxivServer, records: Iterable[Paper] | None = None, *, page_size: int = RECORDS_LIMIT, style: str = "new"
) -> OaiService:
    """Answer OAI-PMH at ``server.base + "/oai"`` from ``records`` (any versions), by default ``server.papers``
    as they are at each request."""
    service = OaiService(server, records, page_size, style)
    server.mount("/oai", service)
    return service


def _decode_new(token: str) -> tuple[dict[str, str], int]:
    """oaipmh's ``ResToken.from_token``: every failure has the same reason."""
    params = {key: values[0] for key, values in parse_qs(unquote(token)).items()}
    skip = params.pop("skip", "")
    if not skip.isdigit():
        raise OaiProblem("badResumptionToken", "Token decoding failed or format is invalid.")
    return params, int(skip)


def _decode_legacy(token: str, lists: dict[str, dict[str, str]]) -> tuple[dict[str, str], int]:
    list_id, _, offset = token.partition("|")
    if list_id not in lists or not offset.isdigit() or int(offset) < 1:
        raise OaiProblem("badResumptionToken")
    return lists[list_id], int(offset) - 1


def _date(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        if not DATE.fullmatch(text):
            raise ValueError(text)
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise OaiProblem("badArgument", f"{name} date format must be YYYY-MM-DD") from None


def _in_set(record: OaiRecord, spec: str | None) -> bool:
    return spec is None or any(s == spec or s.startswith(spec + ":") for s in record.set_specs)


# -- XML -------------------------------------------------------------------------------------------------


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _attr(value: str) -> str:
    return _text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def _error_xml(problem: OaiProblem) -> str:
    reason = f" Reason: {problem.reason}" if problem.reason else ""
    return f'  <error code="{problem.code}">{_text(DESCRIPTIONS[problem.code] + reason)}</error>'


def _damaged_record(datestamp: date) -> str:
    """A record with missing fields: a header without an identifier, and no metadata."""
    return f"    <record>\n      <header><datestamp>{datestamp:%Y-%m-%d}</datestamp></header>\n    </record>\n"


def _header(record: OaiRecord, indent: int = 6) -> str:
    status = ' status="deleted"' if record.deleted else ""
    specs = "".join(f"<setSpec>{spec}</setSpec>" for spec in record.set_specs)
    return (
        f"{' ' * indent}<header{status}><identifier>oai:arXiv.org:{record.paper.id}</identifier>"
        f"<datestamp>{record.datestamp:%Y-%m-%d}</datestamp>{specs}</header>\n"
    )


def _record_xml(record: OaiRecord, prefix: str) -> str:
    if record.deleted:
        return f"    <record>\n{_header(record)}    </record>\n"
    namespace, schema = FORMATS[prefix]
    fields = _raw_fields(record) if prefix == "arXivRaw" else _arxiv_fields(record)
    head = f'<{prefix} xmlns="{namespace}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    location = f' xsi:schemaLocation="{namespace} {schema}">'
    body = "".join(f"          {line}\n" for line in fields)
    metadata = f"      <metadata>\n        {head}{location}\n{body}        </{prefix}>\n      </metadata>\n"
    return f"    <record>\n{_header(record)}{metadata}    </record>\n"


def _raw_fields(record: OaiRecord) -> list[str]:
    """arXivRaw (§3.4): the version history, then the current metadata with the raw author string."""
    paper = record.paper
    lines = [f"<id>{paper.id}</id>", f"<submitter>{_text(paper.authors[0].name if paper.authors else '')}</submitter>"]
    for number, moment in record.versions:
        size = (len(paper.abstract) * 9 + number * 1531) // 1024 + 1
        stamp = moment.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
        lines.append(f'<version version="v{number}"><date>{stamp}</date><size>{size}kb</size></version>')
    lines += [f"<title>{_text(_wrapped(paper.title))}</title>", f"<authors>{_text(_raw_authors(paper))}</authors>"]
    lines.append(f"<categories>{' '.join(paper.categories)}</categories>")
    return lines + _common_fields(paper)


def _arxiv_fields(record: OaiRecord) -> list[str]:
    """arXiv (§3.4): days only, parsed authors (with affiliations, which the schema allows)."""
    paper = record.paper
    lines = [f"<id>{paper.id}</id>", f"<created>{paper.published:%Y-%m-%d}</created>"]
    if paper.updated.date() != paper.published.date():
        lines.append(f"<updated>{paper.updated:%Y-%m-%d}</updated>")
    lines += ["<authors>", *(f"  {_author_xml(a)}" for a in paper.authors), "</authors>"]
    lines += [f"<title>{_text(paper.title)}</title>", f"<categories>{' '.join(paper.categories)}</categories>"]
    return lines + _common_fields(paper)


def _common_fields(paper: Paper) -> list[str]:
    optional = (("comments", paper.comment), ("report-no", paper.report_no), ("journal-ref", paper.journal_ref))
    lines = [f"<{name}>{_text(value)}</{name}>" for name, value in optional if value]
    if paper.doi:
        lines.append(f"<doi>{_text(paper.doi)}</doi>")
    abstract = "\n  ".join(_wrapped(part) for part in paper.abstract.split("\n") if part.strip())
    return [*lines, f"<license>{LICENSE}</license>", f"<abstract>  {_text(abstract)}</abstract>"]


def _wrapped(text: str) -> str:
    """Wrapped at 80 columns with a two-space indent, as submitters' text is stored and shown."""
    return textwrap.fill(text, width=80, subsequent_indent="  ", break_on_hyphens=False, break_long_words=False)


def _raw_authors(paper: Paper) -> str:
    names = [author.name for author in paper.authors]
    return "".join(names) if len(names) < 2 else f"{', '.join(names[:-1])} and {names[-1]}"


def _author_xml(author: Author) -> str:
    words = author.name.split(" ")
    suffix = words.pop() if len(words) > 2 and words[-1] in ("Jr.", "Jr", "Sr.", "II", "III", "IV") else ""
    parts = [f"<keyname>{_text(words[-1])}</keyname>"]
    if len(words) > 1:
        parts.append(f"<forenames>{_text(' '.join(words[:-1]))}</forenames>")
    if suffix:
        parts.append(f"<suffix>{suffix}</suffix>")
    parts += [f"<affiliation>{_text(a)}</affiliation>" for a in author.affiliations]
    return f"<author>{''.join(parts)}</author>"


def _identify(url: str) -> str:
    return (
        f"  <Identify><repositoryName>arXiv</repositoryName><baseURL>{url}</baseURL>"
        "<protocolVersion>2.0</protocolVersion><adminEmail>help@arxiv.org</adminEmail>"
        "<earliestDatestamp>2005-09-16</earliestDatestamp><deletedRecord>persistent</deletedRecord>"
        "<granularity>YYYY-MM-DD</granularity></Identify>"
    )


def _list_sets(url: str) -> str:
    """Groups, then archives, then categories (oaipmh's ``create_set_list``), never paged."""
    specs = [(group, name) for group, name in GROUPS.items()]
    specs += [(f"{group}:{archive}", archive) for archive, group in ARCHIVE_GROUP.items()]
    specs += [(spec, category) for category in sorted(ACTIVE_CATEGORIES) if (spec := set_spec(category))]
    sets = "".join(f"<set><setSpec>{spec}</setSpec><setName>{_text(name)}</setName></set>" for spec, name in specs)
    return f"  <ListSets>{sets}</ListSets>"


def _list_formats(url: str) -> str:
    formats = "".join(
        f"<metadataFormat><metadataPrefix>{prefix}</metadataPrefix><schema>{schema}</schema>"
        f"<metadataNamespace>{namespace}</metadataNamespace></metadataFormat>"
        for prefix, (namespace, schema) in FORMATS.items()
    )
    return f"  <ListMetadataFormats>{formats}</ListMetadataFormats>"


_INFO = {"Identify": _identify, "ListSets": _list_sets, "ListMetadataFormats": _list_formats}


# -- synthetic records -----------------------------------------------------------------------------------

CS_CATEGORIES = ("cs.AI", "cs.CL", "cs.CR", "cs.CV", "cs.DB", "cs.DC", "cs.DS", "cs.IR", "cs.LG", "cs.NI", "cs.OS")


def generate_records(n: int, start_date: date, *, seed: int = 0) -> list[Paper]:
    """``n`` papers (their latest versions), ids ``2601.00001`` on in order of submission, submitted over
    about ``n / 25`` days from ``start_date``, with 1–3 versions a few days apart, 1–3 cs categories, and
    titles, abstracts and authors drawn from the seed papers."""
    rng = random.Random(seed)
    words, names = _vocabulary()
    base = datetime(start_date.year, start_date.month, start_date.day, tzinfo=UTC)
    seconds = max(1, n // 25) * 86_400
    moments = sorted(base + timedelta(seconds=rng.randrange(seconds)) for _ in range(n))
    return [_synthetic(rng, f"2601.{i:05d}", moment, words, names) for i, moment in enumerate(moments, start=1)]


def _synthetic(rng: random.Random, paper_id: str, published: datetime, words: list[str], names: list[str]) -> Paper:
    version = rng.choice((1, 1, 1, 2, 2, 3))
    gaps = [timedelta(days=rng.randint(1, 9), seconds=rng.randrange(86_400)) for _ in range(version - 1)]
    updated = published + sum(gaps, timedelta())
    categories = tuple(rng.sample(CS_CATEGORIES, rng.choice((1, 1, 2, 3))))
    title = " ".join(rng.choice(words) for _ in range(rng.randint(5, 12))).capitalize()
    sentences = (" ".join(rng.choice(words) for _ in range(rng.randint(10, 22))) for _ in range(rng.randint(4, 8)))
    return Paper(
        id=paper_id,
        version=version,
        title=title,
        abstract=" ".join(sentence.capitalize() + "." for sentence in sentences),
        authors=tuple(Author(name) for name in rng.sample(names, rng.randint(1, 6))),
        categories=categories,
        primary_category=categories[0],
        published=published,
        updated=updated,
        comment=f"{rng.randint(4, 40)} pages, {rng.randint(1, 12)} figures" if rng.random() < 0.5 else None,
        journal_ref=f"Proc. EuroSys {published.year}" if rng.random() < 0.1 else None,
        doi=f"10.1145/{rng.randint(3_500_000, 3_800_000)}" if rng.random() < 0.15 else None,
    )


def _vocabulary() -> tuple[list[str], list[str]]:
    seeds = load_seed_papers()
    text = " ".join(itertools.chain.from_iterable((p.title, p.abstract) for p in seeds))
    words = sorted({w.lower() for w in re.findall(r"[A-Za-z][a-z]{2,}", text)})
    names = sorted({a.name for p in seeds for a in p.authors})
    return words, names
