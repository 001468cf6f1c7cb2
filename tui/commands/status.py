"""`taskdeck status [selection] [--json]`: poll every selected task once and print its state.

Selection (see selection.py): `--watchlist NAME` (default: every saved list), `PROVIDER [--instance I]
ID...`, or `--follow-instance PROVIDER I`. Prints a table, or with `--json` one JSON object per task.

Exit codes: 0 every task was read, 3 some could not be read (network, auth, task gone) or the listing of a
followed instance came back short ("listed 50 of 120"; a `warnings` entry in each JSON record), 2 a usage or
config error (unknown provider or list, malformed id, unusable profile such as a missing secret),
130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tui.commands.remember import record
from tui.commands.selection import (
    CommandError,
    Selection,
    add_selection_arguments,
    engine_stopped,
    report,
    resolve_selection,
    say,
)
from tui.core.headless import error_text, json_line, progress_text, safe, task_record
from tui.core.model import Listing, PartialListing, ProviderHealth, TaskError, TaskRef, TaskSnapshot
from tui.core.poll_parts import close_sources
from tui.core.poller import Poller
from tui.core.watchlists import FollowedInstance

EXIT_OK, EXIT_UNREAD, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 0, 3, 2, 130, 141
COMMAND = "status"


def configure(parser: argparse.ArgumentParser) -> None:
    add_selection_arguments(parser)
    parser.add_argument("--json", action="store_true", help="one JSON object per task instead of a table")
    parser.epilog = ("exit status: 0 all tasks read, 3 some could not be read or a listing is partial, "
                     "2 usage or config error")


def open_sources(selection: Selection) -> dict[str, Any]:
    """The providers the selection uses; a CommandError if a profile cannot be used (e.g. a missing secret)."""
    from tui.sources import BrokenSource, build_sources

    sources = build_sources(selection.providers.values())
    broken = [s for s in sources.values() if isinstance(s, BrokenSource)]
    if broken:
        lines = "\n".join(f"  provider '{s.name}': {s.reason}" for s in broken)
        raise CommandError(f"provider profile(s) not usable; fix them first:\n{lines}")
    return sources



class NullSink:
    def snapshot(self, snapshot: TaskSnapshot) -> None:
        pass

    def health(self, health: ProviderHealth) -> None:
        pass

    def discovered(self, refs: list[TaskRef]) -> None:
        pass

    def listed(self, listing: Listing) -> None:
        pass


@dataclass
class Readings:
    snapshots: list[TaskSnapshot] = field(default_factory=list)
    # Followed instances whose task list could not be read.
    unlisted: list[tuple[FollowedInstance, TaskError]] = field(default_factory=list)
    # Followed instances whose task list came back short of the server's task_count.
    partial: list[PartialListing] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.unlisted and not self.partial and all(s.error is None for s in self.snapshots)

    def warnings_of(self, snapshot: TaskSnapshot) -> list[PartialListing]:
        ref = snapshot.ref
        return [p for p in self.partial if p.provider == ref.provider and p.instance == ref.instance]


async def read_once(selection: Selection, sources: Mapping[str, Any]) -> Readings:
    """Every selected task once, concurrently (within each provider's limit); each followed instance listed once."""
    poller = Poller(sources, NullSink())
    listings = (poller.list_once(f.provider, f.instance, f.since) for f in selection.follows)
    explicit, listed = await asyncio.gather(poller.read_all(selection.refs),
                                            asyncio.gather(*listings))
    readings = Readings(snapshots=explicit)
    seen = {ref.key for ref in selection.refs}
    for followed, outcome in zip(selection.follows, listed, strict=True):
        if isinstance(outcome, TaskError):
            readings.unlisted.append((followed, outcome))
            continue
        if outcome.partial is not None:
            readings.partial.append(outcome.partial)
        for snapshot in (*outcome, *outcome.scheduled):
            if snapshot.ref.key not in seen:
                seen.add(snapshot.ref.key)
                readings.snapshots.append(snapshot)
    return readings


async def _read(selection: Selection) -> Readings:
    sources = open_sources(selection)
    try:
        return await read_once(selection, sources)
    finally:
        await close_sources(sources)


# --- output ----------------------------------------------------------------------------------------------------

COLUMNS = ("PROVIDER", "INSTANCE", "ID", "STATE", "PROGRESS", "TITLE", "SUMMARY", "ERROR")
# Columns that give up width, in this order, when the table is wider than the terminal.
_SHRINKABLE = ("SUMMARY", "ERROR", "TITLE")
_MIN_WIDTH = 12


def table_rows(snapshots: Iterable[TaskSnapshot]) -> list[dict[str, str]]:
    rows = []
    for snap in snapshots:
        state = snap.state.value
        if snap.gone:
            state += " (gone)"
        rows.append({
            "PROVIDER": safe(snap.ref.provider),
            "INSTANCE": safe(snap.ref.instance or ""),
            "ID": safe(snap.ref.id),
            "STATE": state,
            "PROGRESS": progress_text(snap),
            "TITLE": safe(snap.title),
            "SUMMARY": safe(snap.summary),
            "ERROR": error_text(snap.error),
        })
    return rows


def render_table(rows: Sequence[dict[str, str]], width: int | None = None) -> list[str]:
    """Aligned columns; empty INSTANCE/PROGRESS/SUMMARY/ERROR columns are left out. With `width`, long
    cells are cut so each line fits."""
    columns = [c for c in COLUMNS
               if c not in ("INSTANCE", "PROGRESS", "SUMMARY", "ERROR") or any(row[c] for row in rows)]
    widths = {c: max([len(c), *(len(row[c]) for row in rows)]) for c in columns}
    if width is not None:
        excess = sum(widths.values()) + 2 * (len(columns) - 1) - width
        for column in _SHRINKABLE:
            if excess <= 0 or column not in widths:
                continue
            give = min(excess, max(0, widths[column] - _MIN_WIDTH))
            widths[column] -= give
            excess -= give

    def cell(column: str, text: str) -> str:
        size = widths[column]
        if len(text) > size:
            text = text[: max(size - 1, 0)] + "…"
        return text.ljust(size)

    lines = ["  ".join(cell(c, c) for c in columns).rstrip()]
    lines += ["  ".join(cell(c, row[c]) for c in columns).rstrip() for row in rows]
    return lines


def print_readings(readings: Readings, selection: Selection, as_json: bool) -> None:
    if as_json:
        for snap in readings.snapshots:
            print(json_line(task_record(snap, selection.kind_of(snap.ref.provider), readings.warnings_of(snap))))
    else:
        width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
        if readings.snapshots:
            print("\n".join(render_table(table_rows(readings.snapshots), width)))
        elif not readings.unlisted:
            print("no tasks")
    sys.stdout.flush()
    for followed, error in readings.unlisted:
        say(COMMAND, f"could not list the tasks of {safe(followed.provider)} instance "
                     f"{safe(followed.instance)}: {error_text(error)}")
    for partial in readings.partial:
        say(COMMAND, safe(partial.message))
    unread = sum(1 for s in readings.snapshots if s.error is not None)
    if unread:
        say(COMMAND, f"{unread} of {len(readings.snapshots)} task(s) could not be read")


def silence_stdout() -> None:
    """After a broken pipe (`taskdeck status | head -1`): no more output, no error at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def run(args: argparse.Namespace) -> int:
    try:
        selection = resolve_selection(args, COMMAND)
        for warning in selection.warnings:
            say(COMMAND, warning.describe())
        readings = asyncio.run(_read(selection))
        print_readings(readings, selection, args.json)
        record(COMMAND, readings.snapshots)
    except CommandError as exc:
        return report(COMMAND, exc)
    except KeyboardInterrupt:
        say(COMMAND, "interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # noqa: BLE001 - the engine died: a message and exit 2, not a traceback
        return engine_stopped(COMMAND, exc)
    return EXIT_OK if readings.complete else EXIT_UNREAD
