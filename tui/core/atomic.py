"""Crash-safe file replacement and a cross-process lock.

`atomic_write` writes a temp file in the target's folder, fsyncs it, keeps the
previous version as `<name>.bak` (a hard link to the old inode, so the backup is
itself whole), then `os.replace`s the target and fsyncs the folder. A writer
killed at any moment leaves the old file or the new one, never a mix.

`file_lock` serialises read-merge-write cycles of several processes with
`fcntl.flock` on a sidecar `<name>.lock` file; the kernel drops the lock when a
holder dies, so a killed writer never wedges the others.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tui.core.paths import ensure_dir

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no cross-process lock
    fcntl = None  # type: ignore[assignment]

FILE_MODE = 0o600
TEMP_SUFFIX = ".tmp"


class LockTimeout(OSError):
    """Another process held the lock for longer than we were willing to wait."""


@dataclass(frozen=True, slots=True)
class FileStamp:
    """What a file looked like when read: used to tell if someone else changed it."""

    mtime_ns: int
    size: int
    sha256: str


def stamp_of(data: bytes, st: os.stat_result) -> FileStamp:
    return FileStamp(st.st_mtime_ns, st.st_size, hashlib.sha256(data).hexdigest())


def read_with_stamp(path: Path) -> tuple[bytes, FileStamp] | None:
    """The file's bytes and stamp, or None if it does not exist."""
    try:
        with open(path, "rb") as handle:
            st = os.fstat(handle.fileno())
            data = handle.read()
    except FileNotFoundError:
        return None
    return data, stamp_of(data, st)


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms that cannot open directories
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some filesystems refuse fsync on a directory
        pass
    finally:
        os.close(fd)


def _make_backup(path: Path) -> None:
    """Point `<name>.bak` at the current version of `path` (which must exist)."""
    bak = backup_path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=_temp_prefix(bak), suffix=TEMP_SUFFIX, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        os.unlink(tmp)
        try:
            # The target is only ever replaced, never written in place, so a hard link
            # to its inode is a whole, unchanging copy of the previous version.
            os.link(path, tmp)
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                return
            shutil.copy2(path, tmp)
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
        os.replace(tmp, bak)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def atomic_write(path: Path, data: bytes, *, backup: bool = True, mode: int | None = None) -> bool:
    """Replace `path` with `data` atomically. Returns False if the content was already `data`.

    A new file gets `mode` (default 0600); an existing file keeps its permission bits
    unless `mode` is given. The folder is created (0700) if missing.
    """
    directory = path.parent
    ensure_dir(directory)
    try:
        st: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        st = None
    if st is not None:
        with contextlib.suppress(OSError), open(path, "rb") as handle:
            if handle.read() == data:
                return False

    fd, tmp_name = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=TEMP_SUFFIX, dir=directory)
    tmp = Path(tmp_name)
    try:
        target_mode = mode if mode is not None else (stat.S_IMODE(st.st_mode) if st else FILE_MODE)
        os.fchmod(fd, target_mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if backup and st is not None:
            _make_backup(path)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(directory)
    return True


def remove_stale_temps(path: Path) -> int:
    """Delete temp files left by writers that died mid-save. Call only while holding `file_lock(path)`."""
    removed = 0
    if not path.parent.is_dir():
        return 0
    # ".name.*.tmp" also matches the backup's temps (".name.bak.*.tmp").
    for leftover in path.parent.glob(f"{glob_escape(_temp_prefix(path))}*{TEMP_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
            removed += 1
    return removed


def glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


@contextlib.contextmanager
def file_lock(path: Path, timeout: float = 10.0) -> Iterator[None]:
    """Hold an exclusive lock on `<path>.lock` (created 0600) for the duration of the block."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    ensure_dir(path.parent)
    fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        deadline = time.monotonic() + timeout
        delay = 0.001
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(
                        errno.EAGAIN,
                        f"another taskdeck process has held {lock_path(path)} for over {timeout:g} s",
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
