"""Atomic file output: a reader sees the old file or the new one, never half of one.

Each output is first written to a temporary file in the same folder (so the rename stays on one file system),
flushed to disk, and then renamed over the old file with ``os.replace``, which POSIX makes atomic.
"""

from __future__ import annotations

import glob
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path


def stage(path: Path, text: str) -> Path:
    """Write ``text`` next to ``path`` under a temporary name and return that name.

    A temporary file of ``path`` left by a process that was killed before renaming it is removed first, so it
    is never published with a site or a commit. Only one run writes at a time (the database lock), so no other
    writer's file can be removed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        leftover.unlink(missing_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def publish(staged: Mapping[Path, Path]) -> None:
    """Rename every staged file over its destination."""
    for destination, temporary in staged.items():
        os.replace(temporary, destination)


def discard(staged: Mapping[Path, Path]) -> None:
    for temporary in staged.values():
        temporary.unlink(missing_ok=True)


def write_atomic(path: Path, text: str) -> None:
    publish({path: stage(path, text)})
