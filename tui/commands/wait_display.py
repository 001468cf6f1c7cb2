"""What `taskdeck wait` prints: a line (or JSON object) per state change, a progress bar, a summary.

Split from tui.commands.wait, which tracks the tasks and decides when the wait is over.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TextIO

from tui.commands.selection import Selection, say
from tui.core.eta import eta_text
from tui.core.headless import error_text, json_line, progress_text, safe, task_name, task_record
from tui.core.model import PartialListing, TaskSnapshot
from tui.core.text import span

COMMAND = "wait"


def outcome_of(snapshot: TaskSnapshot) -> str:
    """succeeded, failed, cancelled, gone; or the state of a task that has not finished."""
    return "gone" if snapshot.gone else snapshot.state.value


def _clock() -> str:
    return time.strftime("%H:%M:%S")


class Display:
    """Plain lines (and a live bar on a terminal), or JSON lines."""

    def __init__(self, selection: Selection, *, as_json: bool, out: TextIO, bar: bool) -> None:
        self.selection = selection
        self.as_json = as_json
        self.out = out
        self.bar = bar and not as_json
        self.bar_shown = False
        self.started = time.monotonic()
        self.bar_chars = "█░" if "utf" in (getattr(out, "encoding", "") or "").lower() else "#-"

    def _write(self, line: str) -> None:
        self._clear_bar()
        self.out.write(line + "\n")
        self.out.flush()

    def _clear_bar(self) -> None:
        if self.bar_shown:
            self.out.write("\r\x1b[K")
            self.bar_shown = False

    def change(self, snapshot: TaskSnapshot, warnings: Iterable[PartialListing] = ()) -> None:
        if self.as_json:
            record = task_record(snapshot, self.selection.kind_of(snapshot.ref.provider), warnings)
            self._write(json_line({"event": "change", **record}))
            return
        parts = [_clock(), task_name(snapshot.ref), outcome_of(snapshot)]
        if snapshot.raw_state and snapshot.raw_state != snapshot.state.value:
            parts[-1] += f" ({safe(snapshot.raw_state)})"
        if not snapshot.state.is_terminal:
            parts.append(progress_text(snapshot))
        title, summary = safe(snapshot.kind or snapshot.title), safe(snapshot.summary, limit=200)
        parts += [summary] if title and summary.startswith(title) else [title, summary]
        if snapshot.error is not None:
            parts.append(f"error: {error_text(snapshot.error, limit=300)}")
        self._write("  ".join(p for p in parts if p))

    def notice(self, message: str) -> None:
        """A message about the run (not about one task) on stderr."""
        self._clear_bar()
        self.out.flush()
        say(COMMAND, message)

    def draw_bar(self, snapshots: list[TaskSnapshot], expected: int, eta: float | None = None) -> None:
        if not self.bar:
            return
        import shutil

        total = max(expected, len(snapshots))
        finished = sum(1 for s in snapshots if s.finished)
        done = sum(1.0 if s.finished else (s.progress or 0.0) / 100.0 for s in snapshots)
        fraction = done / total if total else 1.0
        text = f" {finished}/{total} finished · {span(time.monotonic() - self.started)}"
        if eta is not None:
            text += f" · ETA {eta_text(eta)}"
        width = shutil.get_terminal_size().columns
        size = max(10, min(40, width - len(text) - 3))
        filled = round(fraction * size)
        full, empty = self.bar_chars[0], self.bar_chars[1]
        line = f"[{full * filled}{empty * (size - filled)}]{text}"
        self.out.write("\r\x1b[K" + line[: max(width - 1, 1)])
        self.out.flush()
        self.bar_shown = True

    def summary(self, outcome: str, code: int, counts: dict[str, int], elapsed: float,
                warnings: Iterable[PartialListing] = ()) -> None:
        if self.as_json:
            self._write(json_line({"event": "summary", "outcome": outcome, "exit_code": code,
                                   "tasks": sum(counts.values()), **counts, "elapsed": round(elapsed, 3),
                                   "warnings": [w.as_dict() for w in warnings]}))
            return
        self._clear_bar()
        self.out.flush()
        if outcome in ("succeeded", "failed"):
            shown = ", ".join(f"{n} {name}" for name, n in counts.items() if n) or "no tasks"
            self._write(f"done in {span(elapsed)}: {shown}")
