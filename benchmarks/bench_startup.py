"""What each command costs before it does its work: wall-clock time and peak memory of the whole process.

Each command runs in a fresh interpreter, as a user starts it, on the example config (``examples/``) copied to a
temporary folder whose archive the example replay fills first (``run --replay``: no network). The time is the
wall clock from the start of the process to its exit, the best of ``--rounds`` (and the CPU time of that start,
which a busy machine disturbs less); the peak memory is the
process's own ``VmHWM`` (``/proc/self/status``), read by the process itself as it exits (see
``measurements.py``: ``ru_maxrss`` of a child carries its parent's peak over the fork). ``modules`` is how many
modules the command had imported by then, and ``heavy`` which of the big third-party libraries among them.

    python benchmarks/bench_startup.py [--rounds 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples"
HEAVY = ("jinja2", "httpx", "lxml", "rich", "markdown_it", "aiosmtpd")

# Runs the command in this process, then reports its own peak memory and modules into the file named by argv[1].
_PROBE = """
import atexit, json, sys
report, heavy_names = sys.argv[1], set(sys.argv[2].split(','))
def done():
    hwm = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:'))
    heavy = sorted({name.split('.')[0] for name in sys.modules} & heavy_names)
    with open(report, 'w') as out:
        json.dump({'peak_kib': hwm, 'modules': len(sys.modules), 'heavy': heavy}, out)
atexit.register(done)
sys.argv = ['dailypapers', *sys.argv[3:]]
from dailypapers.cli import main
main()
"""


def commands(folder: Path) -> dict[str, list[str]]:
    """The commands measured, on the copied example config."""
    config = ["--config", str(folder / "dailypapers.toml")]
    return {
        "--help": ["--help"],
        "--version": ["--version"],
        "search": ["search", *config, "abs:performance"],
        "search --json": ["search", *config, "--json", "ti:compiler"],
        "render": ["render", *config],
        "run (covered)": ["run", *config, "--replay", str(EXAMPLE / "replay")],
        "backfill --help": ["backfill", "--help"],
        "init": ["init", str(folder / "init"), "--force"],
    }


def prepare(folder: Path) -> None:
    """The example config and its archive, filled by one replayed run."""
    shutil.copy(EXAMPLE / "dailypapers.toml", folder / "dailypapers.toml")
    arguments = ["run", "--config", str(folder / "dailypapers.toml"), "--replay", str(EXAMPLE / "replay")]
    subprocess.run([sys.executable, "-m", "dailypapers", *arguments], check=True, capture_output=True)


def measure(arguments: list[str], report: Path) -> dict[str, Any]:
    """One start of ``dailypapers ARGUMENTS`` in a fresh interpreter: seconds, peak memory, modules."""
    probe = [sys.executable, "-c", _PROBE, str(report), ",".join(HEAVY), *arguments]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(probe, capture_output=True, check=False, env=os.environ | {"DAILYPAPERS_DELAY": "0"})
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return result | {"seconds": seconds, "cpu_seconds": cpu, "exit": done.returncode}


def bench(rounds: int) -> dict[str, dict[str, Any]]:
    """Each command's best time over ``rounds`` starts, with the peak memory and modules of that start."""
    with tempfile.TemporaryDirectory(prefix="dailypapers-startup-") as scratch:
        folder = Path(scratch)
        prepare(folder)
        results: dict[str, dict[str, Any]] = {}
        for name, arguments in commands(folder).items():
            starts = [measure(arguments, folder / "report.json") for _ in range(rounds)]
            best = min(starts, key=lambda start: start["seconds"])
            median = statistics.median(start["seconds"] for start in starts)
            results[name] = best | {"median_seconds": median, "peak_mib": best["peak_kib"] / 1024}
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = bench(args.rounds)
    if args.json:
        print(json.dumps(results, sort_keys=True))
        return
    head = f"{'command':<16} {'best s':>7} {'median s':>9} {'CPU s':>6} {'peak MiB':>9} {'modules':>8} {'exit':>5}"
    print(f"{head}  heavy libraries")
    for name, result in results.items():
        heavy = ", ".join(result["heavy"]) or "-"
        print(
            f"{name:<16} {result['seconds']:>7.3f} {result['median_seconds']:>9.3f} {result['cpu_seconds']:>6.3f} "
            f"{result['peak_mib']:>9.1f} {result['modules']:>8} {result['exit']:>5}  {heavy}"
        )


if __name__ == "__main__":
    main()
