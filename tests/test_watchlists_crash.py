"""Real processes: a writer SIGKILLed mid-save leaves a whole file; two writers at once lose nothing."""

from __future__ import annotations

import collections
import functools
import inspect
import os
import random
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tui.core.atomic import backup_path
from tui.core.model import TaskRef
from tui.core.watchlists import WatchList, WatchlistsFile, dumps, parse_watchlists

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")

KILLS = 40
TASKS_PER_VERSION = 2000  # about 170 KB of TOML per version


def version_tasks(k: int, n: int) -> list[TaskRef]:
    """The tasks of version k: every version is different and recognisable from its list name."""
    return [TaskRef("acme", f"{k:08d}-{i:05d}", label=f"täsk {i} of version {k} ✓") for i in range(n)]


# A pre-imported parent that forks writer children on request, so each kill costs milliseconds
# instead of an interpreter start. Each child loops forever: load, replace the list, save.
# Commands: "spawn K" / "aim K" (a writer starting at version K; "aim" also prints "writing"
# whenever a save creates its temp file), "once K" (save version K and exit), "reap PID".
ZYGOTE = (
    "import os, sys\n"
    "from pathlib import Path\n"
    "from tui.core.model import TaskRef\n"
    "from tui.core.watchstore import WatchStore\n"
    + inspect.getsource(version_tasks)
    + textwrap.dedent(
        """
        path, n = Path(sys.argv[1]), int(sys.argv[2])

        def announce_writes():
            # Say when a save starts writing its temp file, so a kill can be aimed at the write.
            import tempfile
            real = tempfile.mkstemp
            def mkstemp(*args, **kwargs):
                print("writing", flush=True)
                return real(*args, **kwargs)
            tempfile.mkstemp = mkstemp

        def write(k, forever):
            store = WatchStore.open(path, autosave=False)
            print("loaded", flush=True)
            while True:
                for name in store.names:
                    store.delete_list(name)
                store.add_tasks(f"v{k}", version_tasks(k, n))
                store.save()
                if not forever:
                    os._exit(0)
                k += 1

        print("ready", flush=True)
        for line in sys.stdin:
            command, arg = line.split()
            if command in ("spawn", "aim", "once"):
                pid = os.fork()
                if pid == 0:
                    try:
                        if command == "aim":
                            announce_writes()
                        write(int(arg), forever=command != "once")
                    finally:
                        os._exit(3)
                print(pid, flush=True)
            elif command == "reap":
                _, status = os.waitpid(int(arg), 0)
                print(os.WTERMSIG(status) if os.WIFSIGNALED(status) else -os.WEXITSTATUS(status), flush=True)
        """
    )
)


def serialise(k: int, n: int) -> bytes:
    return dumps(WatchlistsFile(lists=[WatchList(f"v{k}", tasks=version_tasks(k, n))])).encode("utf-8")


# Versions are numbered from 10_000_000 up, so every number has 8 digits and the bytes of version k
# are the bytes of version MARK with the number swapped: comparing a file against them is cheap.
MARK = 12_345_678


@functools.cache
def template(n: int) -> bytes:
    data = serialise(MARK, n)
    for k in (10_000_000, 87_654_321):
        doc, problems = parse_watchlists(serialise(k, n).decode("utf-8"))
        assert problems == [] and doc.lists[0].tasks == version_tasks(k, n) and doc.lists[0].name == f"v{k}"
        assert data.replace(str(MARK).encode(), str(k).encode()) == serialise(k, n)
    return data


def expected_bytes(k: int, n: int) -> bytes:
    """What a save of version k writes (checked above to parse back to exactly version k)."""
    assert 10_000_000 <= k < 100_000_000
    return template(n).replace(str(MARK).encode(), str(k).encode())


def check_whole(data: bytes | None, n: int) -> int | None:
    """Assert `data` (a file's content) is one complete version, byte for byte; return its number."""
    if data is None:
        return None
    match = re.search(rb'name = "v(\d+)"', data[:200])
    if match is None or data != expected_bytes(int(match.group(1)), n):
        _, problems = parse_watchlists(data.decode("utf-8", errors="replace"))
        pytest.fail(f"not a whole version ({len(data)} bytes): {[str(p) for p in problems]}")
    return int(match.group(1))


def read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


class Zygote:
    """Talks to the ZYGOTE process. Its children's words ("loaded", "writing") share its stdout."""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", ZYGOTE, str(path), str(TASKS_PER_VERSION)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.heard: collections.Counter[str] = collections.Counter()
        assert self._line() == "ready"

    def _line(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line, "the zygote died"
        return line.strip()

    def ask(self, command: str) -> int:
        """Send a command; return the number it answers (a pid, or a reaped child's signal/status)."""
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        while True:
            line = self._line()
            if line.lstrip("-").isdigit():
                return int(line)
            self.heard[line] += 1

    def wait_for(self, word: str) -> None:
        while not self.heard[word]:
            line = self._line()
            assert not line.lstrip("-").isdigit(), line
            self.heard[line] += 1
        self.heard[word] -= 1

    def spawn(self, command: str) -> int:
        pid = self.ask(command)
        self.wait_for("loaded")
        return pid

    def kill(self, pid: int) -> int:
        os.kill(pid, signal.SIGKILL)
        status = self.ask(f"reap {pid}")
        self.heard.clear()  # whatever the dead child said is stale now
        return status

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def test_sigkill_mid_save_leaves_old_or_new_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "config" / "watchlists.toml"
    rng = random.Random(20240611)
    template(TASKS_PER_VERSION)
    zygote = Zygote(path)
    try:
        seen: set[int] = set()
        mid_write = {"spawn": 0, "aim": 0}
        snapshots: list[tuple[bytes | None, bytes | None]] = []
        started = time.monotonic()
        for iteration in range(KILLS):
            # Even iterations: a random moment in the save loop (the merge, the serialisation, the
            # write, the fsync, the backup link or the replace). Odd ones: a moment just after a
            # save started writing its temp file.
            mode = "spawn" if iteration % 2 == 0 else "aim"
            pid = zygote.spawn(f"{mode} {(iteration + 10) * 1_000_000}")
            if mode == "aim":
                zygote.wait_for("writing")
                kill_at = time.monotonic() + rng.uniform(0.0, 0.005)
            else:
                kill_at = time.monotonic() + rng.uniform(0.0, 0.3)
            while snapshots and time.monotonic() < kill_at - 0.05:  # check the last snapshot meanwhile
                current, backup = snapshots.pop()
                version = check_whole(current, TASKS_PER_VERSION)
                if version is not None:
                    seen.add(version)
                check_whole(backup, TASKS_PER_VERSION)
            time.sleep(max(0.0, kill_at - time.monotonic()))
            # SIGKILL, not a crash of the writer (which would exit with status 3).
            assert zygote.kill(pid) == signal.SIGKILL
            snapshots.append((read(path), read(backup_path(path))))
            mid_write[mode] += any(p.name.endswith(".tmp") for p in path.parent.iterdir())
        for current, backup in snapshots:
            version = check_whole(current, TASKS_PER_VERSION)
            if version is not None:
                seen.add(version)
            check_whole(backup, TASKS_PER_VERSION)
        elapsed = time.monotonic() - started
        print(f"\n{KILLS} kills in {elapsed:.1f} s; {len(seen)} distinct versions seen; a temp file was left "
              f"behind by {mid_write['spawn']} random and {mid_write['aim']} aimed kills")
        assert len(seen) > 1  # the writers did make progress between kills

        # The next writer to save finds the file whole and cleans up what the killed ones left.
        final = (KILLS + 10) * 1_000_000
        pid = zygote.spawn(f"once {final}")
        assert zygote.ask(f"reap {pid}") == 0
        assert check_whole(read(path), TASKS_PER_VERSION) == final
        assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []
    finally:
        zygote.close()


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from tui.core.model import TaskRef
    from tui.core.watchstore import WatchStore

    path, who, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    store = WatchStore.open(path, autosave=False)
    print("ready", flush=True)
    sys.stdin.readline()  # start together
    for i in range(count):
        store.add_tasks("Shared", [TaskRef("acme", f"{who}-{i}")])
        store.add_tasks(f"Only {who}", [TaskRef("acme", f"{who}-{i}")])
        store.save()
    """
)


def test_two_processes_adding_tasks_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "config" / "watchlists.toml"
    count = 100
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), who, str(count)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for who in ("a", "b")
    ]
    try:
        for writer in writers:
            assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        for writer in writers:
            assert writer.stdin is not None
            writer.stdin.write("go\n")
            writer.stdin.flush()
        for writer in writers:
            writer.communicate(timeout=120)
            assert writer.returncode == 0
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
    doc, problems = parse_watchlists(path.read_text(), path)
    assert problems == []
    assert isinstance(doc, WatchlistsFile)
    shared = {t.id for t in doc.get("Shared").tasks}  # type: ignore[union-attr]
    assert shared == {f"{who}-{i}" for who in "ab" for i in range(count)}
    for who in "ab":
        assert [t.id for t in doc.get(f"Only {who}").tasks] == [f"{who}-{i}" for i in range(count)]  # type: ignore[union-attr]
