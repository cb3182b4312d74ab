"""Atomic file output: a reader sees the old file or the new one, never half of one.

Each output is first written to a temporary file in the same folder (so the rename stays on one file system),
flushed to disk, and then renamed over the old file with ``os.replace``, which POSIX makes atomic.

- The temporary file is created with mode 0666 less the umask, as any new file (0644 under umask 022), so
  the published file is readable as the user's other files are; ``mkstemp`` would leave it 0600.
- An output that is a symbolic link is written through to the file it points to: the temporary file goes
  next to the link's target and is renamed over it, so the link stays a link.
- Staging checks the destination too (a folder where the file should go, a folder that cannot be written,
  a full disk, a file where a folder should be), so that every problem shows before a run commits, and only
  renames, which need nothing more than staging did, follow the commit.

Every ``OSError`` becomes an ``OutputError``: one line naming the path, what went wrong and what to do.
"""

from __future__ import annotations

import errno
import fcntl
import glob
import os
import platform
import re
import struct
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from dailypapers.errors import OutputError

_ATTEMPTS = 100  # names to try for a temporary file before giving up

# What to do, by errno: the advice that ends the one line a user sees.
_ADVICE = {
    errno.ENOSPC: "no space left on the device; free some space and run again",
    errno.EDQUOT: "the disk quota is exhausted; free some space and run again",
    errno.EFBIG: "the file is larger than this process may write (ulimit -f); raise the limit and run again",
    errno.EROFS: "{folder} is on a read-only file system; mount it read-write, or choose another path in the config",
    errno.EACCES: "permission denied in {folder}; make it writable for this user, or choose another path",
    errno.EPERM: "not permitted in {folder} (immutable?); make it writable, or choose another path in the config",
    errno.ENOTDIR: "a part of the path is a file, not a folder; move that file away, or choose another path",
    errno.EEXIST: "a file stands where a folder should be; move it away, or choose another path in the config",
    errno.EISDIR: "this is a folder, and a file should go there; move it away, or choose another path",
    errno.ELOOP: "too many symbolic links (a loop?); fix the link, or choose another path in the config",
    errno.ENAMETOOLONG: "the name is too long for the file system; choose a shorter path in the config",
    errno.EIO: "an input/output error; check the disk, then run again",
    errno.ENOENT: "a folder on the way does not exist or was removed; check the path in the config",
}


def advice(err: OSError) -> str:
    """What went wrong and what to do, in one line, for an ``OSError`` met while writing."""
    named = err.filename
    folder = Path(os.fsdecode(named)).parent if isinstance(named, str | bytes | os.PathLike) else "the folder"
    text = _ADVICE.get(err.errno or 0, f"{err.strerror or err}; check the path and run again")
    return text.format(folder=folder)


def target(path: Path) -> Path:
    """The file ``path`` names in the end: a symbolic link is followed, so writing goes through to its target."""
    return Path(os.path.realpath(path))


class Leftovers:
    """The temporary files killed runs left in the folders of one batch of outputs, found with one listing of
    each folder: a listing for each file staged would cost time growing with the square of a folder's files
    (a site's day pages)."""

    def __init__(self) -> None:
        self._folders: dict[Path, dict[str, list[Path]]] = {}

    def of(self, destination: Path) -> list[Path]:
        """The leftovers of ``destination``, from the listing of its folder taken when it was first asked for."""
        found = self._folders.get(destination.parent)
        if found is None:
            found = self._folders[destination.parent] = _leftovers_in(destination.parent)
        return found.pop(destination.name, [])


def _leftovers_in(folder: Path) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    with os.scandir(folder) as entries:
        for entry in entries:
            named = _TEMPORARY.fullmatch(entry.name)
            if named:
                found.setdefault(named[1], []).append(folder / entry.name)
    return found


_TEMPORARY = re.compile(r"\.(.+)\.[^.]*\.tmp", re.DOTALL)  # what _write_new names: .<name>.<random>.tmp


def stage(path: Path, text: str | bytes, leftovers: Leftovers | None = None) -> Path:
    """Write ``text`` (as UTF-8; bytes, such as the site's fonts, as they are) next to ``path`` (or its link's
    target) under a temporary name and return that name.

    A temporary file of ``path`` left by a process that was killed before renaming it is removed first, so it
    is never published with a site or a commit. Only one run writes at a time (the database lock), so no other
    writer's file can be removed. A caller staging many files passes one ``Leftovers`` for all of them.
    """
    destination = target(path)
    try:
        _refuse_folder(destination)
        destination.parent.mkdir(parents=True, exist_ok=True)
        if leftovers is None:
            found = list(destination.parent.glob(f".{glob.escape(destination.name)}.*.tmp"))
        else:
            found = leftovers.of(destination)
        for leftover in found:
            leftover.unlink(missing_ok=True)
        return _write_new(destination, text)
    except OSError as err:
        raise OutputError(path, f"cannot write: {advice(err)}") from None


def _refuse_folder(destination: Path) -> None:
    """``os.replace`` cannot put a file where a folder is, nor over an immutable or append-only file: say so
    now, not after the commit."""
    if destination.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(destination))
    if destination.is_file() and _flags(destination) & (_IMMUTABLE | _APPEND_ONLY):
        # Named as if inside the file, so that the advice says "not permitted in <the file> (immutable?)".
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM), str(destination / "x"))


_IMMUTABLE, _APPEND_ONLY = 0x10, 0x20  # FS_IMMUTABLE_FL, FS_APPEND_FL (chattr +i, +a) in linux/fs.h
# FS_IOC_GETFLAGS = _IOR('f', 1, long) in the generic ioctl encoding (x86 and ARM); elsewhere no flags are read.
_GETFLAGS = 0x80086601 if sys.platform == "linux" and platform.machine() in ("x86_64", "aarch64") else None


def _flags(path: Path) -> int:
    """A Linux file's attribute flags (``lsattr``), or 0 where they cannot be read."""
    if _GETFLAGS is None:
        return 0
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return 0
    try:
        value: int = struct.unpack("l", fcntl.ioctl(handle, _GETFLAGS, struct.pack("l", 0)))[0]
    except OSError:
        return 0
    finally:
        os.close(handle)
    return value


def _write_new(destination: Path, text: str | bytes) -> Path:
    """A new file holding ``text``, flushed to disk, with the mode the umask gives a new file."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(_ATTEMPTS):
        name = destination.with_name(f".{destination.name}.{os.urandom(4).hex()}.tmp")
        try:
            handle = os.open(name, flags, 0o666)
        except FileExistsError:
            continue
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            name.unlink(missing_ok=True)
            raise
        return name
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(destination.parent))


def publish(staged: Mapping[Path, Path]) -> None:
    """Rename every staged file over its destination (through a symbolic link, to the link's target)."""
    for destination, temporary in staged.items():
        try:
            os.replace(temporary, target(destination))
        except OSError as err:
            raise OutputError(destination, f"cannot replace: {advice(err)}") from None


def discard(staged: Mapping[Path, Path]) -> None:
    for temporary in staged.values():
        temporary.unlink(missing_ok=True)


def write_atomic(path: Path, text: str) -> None:
    publish({path: stage(path, text)})


def check_writable(path: Path, folder: bool = False) -> None:
    """Fail now, before any request, if ``path`` (a file, or with ``folder`` a folder) cannot be written.

    The nearest folder on the way that exists must be a folder in which a file can be created: a probe file
    is created there and removed. Nothing is created that stays; a missing folder is made only when staging.
    """
    destination = target(path)
    try:
        if destination.exists() and destination.is_dir() != folder:
            code = errno.ENOTDIR if folder else errno.EISDIR
            raise OSError(code, os.strerror(code), str(destination))
        if not folder:
            _refuse_folder(destination)
        existing = destination if folder and destination.is_dir() else destination.parent
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(existing))
        _write_new(existing / ".dailypapers-probe", "").unlink()
    except OSError as err:
        raise OutputError(path, f"cannot be written: {advice(err)}") from None


@contextmanager
def file_errors() -> Iterator[None]:
    """Any other ``OSError`` about a file on the way (a recording, say) is one line naming the path too.

    An ``OSError`` that names no file (a socket's) is left alone: it is not a disk problem.
    """
    try:
        yield
    except OSError as err:
        if err.filename is None:
            raise
        raise OutputError(os.fsdecode(err.filename), advice(err)) from None
