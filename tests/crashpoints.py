"""Kill a Python process with SIGKILL at a named point of its run, with no hook in the code under test.

A test starts the process with ``PYTHONPATH`` naming a folder that holds a copy of this file as
``sitecustomize.py`` (``sitecustomize_folder``). Python's ``site`` module imports it at start-up; when the
environment names a point (``CRASHPOINT``), it installs a profile function (``sys.setprofile`` and
``threading.setprofile``; ``sys.monitoring`` needs Python 3.12) that counts the events of that point. On the
N-th one it writes a report (``CRASHPOINT_REPORT``: the point and the stack at that moment, as JSON) and sends
SIGKILL to its own process: no ``finally``, ``atexit`` or ``__exit__`` runs, as when the kernel's OOM killer
or a scheduler's timeout stops a run. (Unlike a power cut, what the process had handed to the kernel is kept.)

A point is ``module:qualname``, then optionally ``@call`` (the default) or ``@return``, and ``#N``:

- ``dailypapers.files:publish``: the first call, before the function's first line runs;
- ``dailypapers.store:Store.add_versions#3``: the third call;
- ``dailypapers.deliver.email:SmtpSession.send@return``: when the first call returns (or raises), before
  the caller sees the result;
- ``os:replace#2``: a function written in C (a module attribute, compared by identity): its second call.

A generator function, such as the one under a ``@contextmanager``, has a call event each time it is resumed
and a return event each time it yields: ``Store.transaction@return#2`` is the end of the first transaction,
right after its ``COMMIT``. The report's stack tells a test in which caller the point was met.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

POINT = "CRASHPOINT"
REPORT = "CRASHPOINT_REPORT"


def sitecustomize_folder(folder: Path) -> Path:
    """Write this file into ``folder`` as ``sitecustomize.py``; put ``folder`` on the child's PYTHONPATH."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(Path(__file__).read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def parse_point(point: str) -> tuple[str, str, bool, int]:
    """``module:qualname[@call|@return][#N]`` as (module, qualname, at return, N)."""
    where, _, nth = point.partition("#")
    where, _, event = where.partition("@")
    module, _, qualname = where.partition(":")
    if not module or not qualname or event not in ("", "call", "return") or not (nth or "1").isdigit():
        raise ValueError(f"not a crash point: {point!r} (module:qualname[@call|@return][#N])")
    return module, qualname, event == "return", int(nth or 1)


def _resolve(module_name: str, qualname: str) -> Any:
    """The code object of a Python function, or the C function itself; None until its module is loaded."""
    target: Any = sys.modules.get(module_name)
    if target is None:
        return None
    for part in qualname.split("."):
        target = getattr(target, part, None)
        if target is None:  # the module is still being imported
            return None
    while hasattr(target, "__wrapped__"):  # functools.wraps, as under @contextmanager
        target = target.__wrapped__
    return getattr(target, "__code__", target)


def _stack(frame: FrameType | None) -> list[str]:
    names = []
    while frame is not None:
        names.append(f"{frame.f_globals.get('__name__', '?')}:{frame.f_code.co_qualname}")
        frame = frame.f_back
    return names


def profiler(point: str, report: Path) -> Callable[[FrameType, str, Any], None]:
    module_name, qualname, at_return, nth = parse_point(point)
    python_event = "return" if at_return else "call"
    c_events = ("c_return", "c_exception") if at_return else ("c_call",)
    target: list[Any] = [None]
    seen = [0]

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == python_event:
            subject: Any = frame.f_code
        elif event in c_events:
            subject = arg
        else:
            return
        if target[0] is None:
            target[0] = _resolve(module_name, qualname)
            if target[0] is None:
                return
        if subject is not target[0]:
            return
        seen[0] += 1
        if seen[0] == nth:
            text = json.dumps({"point": point, "event": event, "count": seen[0], "stack": _stack(frame)})
            with open(report, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.kill(os.getpid(), signal.SIGKILL)

    return profile


def install_from_environment() -> None:
    point = os.environ.get(POINT)
    if not point:
        return
    profile = profiler(point, Path(os.environ[REPORT]))
    threading.setprofile(profile)
    sys.setprofile(profile)


if __name__ == "sitecustomize":
    install_from_environment()
