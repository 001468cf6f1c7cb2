"""What the headless commands add to taskdeck's memory: `status` and `wait` record what they read in
the history store, and `wait --notify` sends a desktop notification when it ends.

Why here and not in each command: both open the store the same way (a store that cannot be used
is reported once and the command goes on without it) and write off their event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping

from tui.commands.selection import say
from tui.core.headless import task_name
from tui.core.model import TaskSnapshot
from tui.core.notify import Event, Note, Notifier, compose, notify_mode, run_quietly, tty_writer
from tui.core.paths import resolve_paths
from tui.core.providers_config import load_providers
from tui.core.store import Store


def open_history(command: str) -> Store | None:
    """The history store, or None (said on stderr) when it cannot be opened at all."""
    try:
        store = Store.open(str(resolve_paths().history))
    except Exception as exc:  # noqa: BLE001 - remembering is never worth failing the command
        say(command, f"the history store cannot be used: {exc}")
        return None
    if store.notice:
        say(command, store.notice)
    return store


def record(command: str, snapshots: Iterable[TaskSnapshot]) -> None:
    """Write one reading of the tasks (`taskdeck status`)."""
    store = open_history(command)
    if store is None:
        return
    try:
        store.record(list(snapshots))
    except Exception as exc:  # noqa: BLE001
        say(command, f"could not write the history store: {exc}")
    finally:
        store.close()


class HistoryWriter:
    """Snapshots gathered on the event loop, written in batches on a worker thread (`taskdeck wait`)."""

    def __init__(self, command: str) -> None:
        self._command = command
        self._store = open_history(command)
        self._pending: list[TaskSnapshot] = []

    def add(self, snapshot: TaskSnapshot) -> None:
        if self._store is not None:
            self._pending.append(snapshot)

    async def flush(self) -> None:
        if self._store is None or not self._pending:
            return
        batch, self._pending = self._pending, []
        try:
            await asyncio.to_thread(self._store.record, batch)
        except Exception as exc:  # noqa: BLE001
            say(self._command, f"could not write the history store; no more history this run: {exc}")
            self._store.close()
            self._store = None

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def outcome_note(outcome: str, snapshots: Iterable[TaskSnapshot], unfinished: int) -> Note | None:
    """The note `wait --notify` sends: the outcome of every task, or what was still running at the timeout."""
    finished = [s for s in snapshots if s.finished]
    if outcome == "timeout":
        total = len(finished) + unfinished
        return Note("taskdeck wait: timed out", f"{unfinished} of {total} task(s) not finished")
    events = [Event("gone" if s.gone else s.state.value, task_name(s.ref), s.summary) for s in finished]
    return compose(events)


def send_note(command: str, note: Note | None, ui: Mapping[str, object] | None = None) -> str:
    """Send `note` by the route `[ui] notify` picks ("off" there still sends: --notify asked for it)."""
    if ui is None:
        providers, _ = load_providers(resolve_paths().providers)
        ui = providers.ui
    mode, warning = notify_mode(ui)
    if warning:
        say(command, warning)
    # The command ends right after: the system's tool runs before it does, not in a thread that dies with it.
    return Notifier("auto" if mode == "off" else mode, write=tty_writer(), run=run_quietly).send(note)
