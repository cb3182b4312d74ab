"""Back-fill ingest: records/s (parse + store + match) and peak memory for a large OAI-PMH harvest.

A separate process serves ``ListRecords`` in the ``arXivRaw`` format on 127.0.0.1, 2,500 records a page (the
new service's page size), generated on the fly from ``synthetic.py``; the measured process runs the real
``dailypapers backfill`` code path (HTTP client, streaming parser, SQLite store, topic matching, checkpoints)
with the politeness delay set to 0. The resident memory is sampled after every page: a flat line means memory
does not grow with the number of records.

    python benchmarks/bench_backfill.py [--records 1000000] [--keep]
"""

from __future__ import annotations

import argparse
import multiprocessing
import platform
import queue
import resource
import sqlite3
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import groupby
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_papers  # noqa: E402

from dailypapers.config import load_config  # noqa: E402
from dailypapers.model import Paper  # noqa: E402
from dailypapers.pipeline.backfill import Harvest, backfill  # noqa: E402
from dailypapers.pipeline.context import Environment, HarvestUpdate, Update  # noqa: E402

PAGE = 2500
OAI = "http://www.openarchives.org/OAI/2.0/"


def _record(versions: list[Paper]) -> str:
    latest = versions[-1]
    dated = "".join(
        f'<version version="v{p.version}"><date>{format_datetime(p.updated, usegmt=True)}</date>'
        f"<size>100kb</size></version>"
        for p in versions
    )
    optional = "".join(
        f"<{tag}>{escape(value)}</{tag}>"
        for tag, value in (
            ("comments", latest.comment),
            ("report-no", latest.report_no),
            ("journal-ref", latest.journal_ref),
            ("doi", latest.doi),
        )
        if value
    )
    authors = escape(", ".join(a.name for a in latest.authors))
    return (
        f"<record><header><identifier>oai:arXiv.org:{latest.id}</identifier>"
        f"<datestamp>{latest.updated.date().isoformat()}</datestamp><setSpec>cs</setSpec></header>"
        f'<metadata><arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/"><id>{latest.id}</id>'
        f"<submitter>{authors.split(',')[0]}</submitter>{dated}<title>{escape(latest.title)}</title>"
        f"<authors>{authors}</authors><categories>{' '.join(latest.categories)}</categories>{optional}"
        f"<license>http://arxiv.org/licenses/nonexclusive-distrib/1.0/</license>"
        f"<abstract>  {escape(latest.abstract)}\n</abstract></arXivRaw></metadata></record>"
    )


def _pages(count: int) -> object:
    papers = synthetic_papers(count, seed=3)
    records = (list(versions) for _, versions in groupby(papers, key=lambda p: p.id))
    while True:
        page = [record for _, record in zip(range(PAGE), records, strict=False)]
        yield page


def _bodies(count: int, ready: queue.Queue[tuple[list[list[Paper]], int]]) -> None:
    """Build pages ahead of the requests (in the server's process), so the client never waits for them."""
    sent = 0
    for page in _pages(count):  # type: ignore[attr-defined]
        sent += len(page)
        ready.put((page, sent))
        if sent >= count or len(page) < PAGE:
            return


def _serve(count: int, port_queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    ready: queue.Queue[tuple[list[list[Paper]], int]] = queue.Queue(maxsize=3)
    threading.Thread(target=_bodies, args=(count, ready), daemon=True).start()
    state = {"sent": 0}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            params = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            page, state["sent"] = ready.get()
            last = state["sent"] >= count or len(page) < PAGE
            token = "" if last else f"<resumptionToken>page-{state['sent']}</resumptionToken>"
            token = "<resumptionToken/>" if last and "resumptionToken" in params else token
            body = (
                f'<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="{OAI}">'
                f"<responseDate>{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}</responseDate>"
                f'<request verb="ListRecords">http://127.0.0.1/oai</request><ListRecords>'
                + "".join(_record(r) for r in page)
                + f"{token}</ListRecords></OAI-PMH>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_queue.put(server.server_address[1])
    server.serve_forever()


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def stages(count: int, config_path: Path, folder: Path) -> dict[str, float]:
    """Records/s of each stage on its own, in this process: parse a page, store it, match it."""
    from dailypapers.arxiv.oai import parse_page
    from dailypapers.match.verdicts import Verdicts
    from dailypapers.store import Store

    config = load_config(config_path, environ={})
    spent = {"parse": 0.0, "store": 0.0, "match": 0.0}
    done = 0
    with Store.open(folder / "stages.db") as store:
        for page in _pages(count):  # type: ignore[attr-defined]
            if not page:
                break
            body = (
                f'<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="{OAI}"><responseDate>2026-01-01T00:00:00Z'
                '</responseDate><request verb="ListRecords">x</request><ListRecords>'
                + "".join(_record(r) for r in page)
                + "<resumptionToken>x</resumptionToken></ListRecords></OAI-PMH>"
            ).encode()
            clock = time.perf_counter()
            parsed = parse_page(body)
            spent["parse"] += time.perf_counter() - clock
            clock = time.perf_counter()
            with store.transaction():
                store.add_versions(parsed.papers, None)
            spent["store"] += time.perf_counter() - clock
            clock = time.perf_counter()
            verdicts = Verdicts(config.topics, None)
            for paper in parsed.papers:
                verdicts.of(paper)
            spent["match"] += time.perf_counter() - clock
            done += len(parsed.papers)
            if done >= count:
                break
    return {stage: done / seconds for stage, seconds in spent.items()} | {
        "parse + store": done / (spent["parse"] + spent["store"])
    }


class _MemorySamples:
    """The harvest's progress reports, used to sample the resident set every 100,000 records."""

    def __init__(self) -> None:
        self.samples: list[tuple[int, float]] = []

    def __call__(self, label: str) -> Update:
        return lambda done, total: None

    def harvest(self, label: str) -> HarvestUpdate:
        return self.sample

    def sample(self, records: int, fraction: float, reached: date | None) -> None:
        if not self.samples or records - self.samples[-1][0] >= 100_000:
            self.samples.append((records, _rss_mib()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="keep the archive at this path (for the search benchmark)")
    args = parser.parse_args()
    ports: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    server = multiprocessing.Process(target=_serve, args=(args.records, ports), daemon=True)
    server.start()
    port = ports.get(timeout=30)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep.parent if args.keep else Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        database = args.keep or folder / "dailypapers.db"
        config_path = folder / "bench.toml"
        config_path.write_text(
            f'database = "{database.name}"\n[arxiv]\noai_url = "http://127.0.0.1:{port}/oai"\ndelay = 0\n'
            '[[topics]]\nname = "federated learning"\n[[topics]]\nname = "compiler"\n'
            '[[topics]]\nname = "gpu"\nquery = "abs:GPU AND cat:cs.*"\n',
            encoding="utf-8",
        )
        config = load_config(config_path, environ={})
        memory = _MemorySamples()
        started = time.perf_counter()
        summary = backfill(Environment(config, progress=memory), Harvest(date(2005, 1, 1), None, None))
        seconds = time.perf_counter() - started
        samples = [*memory.samples, (summary.records, _rss_mib())]
        with sqlite3.connect(database) as db:
            versions = db.execute("SELECT COUNT(*) FROM versions").fetchone()[0]
        rates = stages(min(args.records, 100_000), config_path, folder)
    server.terminate()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"machine: {platform.processor() or platform.machine()}, {multiprocessing.cpu_count()} cores, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {datetime.now(UTC):%Y-%m-%d}"
    )
    print(
        f"back-fill of {summary.records:,} records ({versions:,} versions) in {summary.pages} pages: "
        f"{seconds:,.1f} s, {summary.records / seconds:,.0f} records/s (parse + store + match + checkpoint)"
    )
    print(
        "each stage alone, in one process (100,000 records): "
        + ", ".join(f"{stage} {rate:,.0f} records/s" for stage, rate in rates.items())
    )
    print(f"peak resident memory {peak:,.0f} MiB; resident memory by records harvested:")
    for records, rss in samples:
        print(f"  {records:>9,}  {rss:7.0f} MiB")


if __name__ == "__main__":
    main()
