"""`taskdeck wait [selection] [--timeout SECONDS] [--fail-fast] [--json]`: block until every selected task has finished.

Tasks are polled by the engine's Poller, at each provider's interval (no backoff, Retry-After
honoured). One line is printed per state change (with `--json`, one JSON object: the `status`
record plus `"event": "change"`, and a last `"event": "summary"` object). When stdout is a
terminal, a progress bar below the lines shows how far along the tasks are.

Exit codes: 0 every task succeeded, 1 one failed, was cancelled or is gone (also when the timeout
came while others still ran: a failure already seen wins), 3 every task seen succeeded but the listing
of a followed instance came back short (a `warnings` entry in the JSON), 124 timeout, 2 usage or config
error, 130 interrupted (Ctrl+C). `--fail-fast` stops at the first failure.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tui.commands.remember import HistoryWriter, outcome_note, send_note
from tui.commands.selection import (
    CommandError,
    Selection,
    add_selection_arguments,
    engine_stopped,
    report,
    resolve_selection,
    say,
)
from tui.commands.status import close_sources, open_sources, silence_stdout
from tui.commands.wait_display import COMMAND, Display, outcome_of
from tui.core.eta import EtaBook
from tui.core.headless import error_text, safe, task_name
from tui.core.model import (
    HealthStatus,
    Listing,
    PartialListing,
    ProviderHealth,
    TaskError,
    TaskRef,
    TaskSnapshot,
    TaskState,
)
from tui.core.poller import Poller
from tui.core.watchlists import FollowedInstance

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_TIMEOUT, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 0, 1, 2, 124, 130, 141
# Every task seen succeeded, but a followed instance could not be listed in full: some were not seen.
EXIT_PARTIAL = 3
# The progress bar is redrawn this often (seconds).
TICK = 0.25
_DOWN = (HealthStatus.UNREACHABLE, HealthStatus.AUTH_FAILED)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"the timeout must be a positive number of seconds, not {text!r}")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    add_selection_arguments(parser)
    parser.add_argument("--timeout", metavar="SECONDS", type=_seconds, help="give up after this long (exit 124)")
    parser.add_argument("--fail-fast", action="store_true",
                        help="stop at the first task that failed, was cancelled or is gone (exit 1)")
    parser.add_argument("--json", action="store_true", help="one JSON object per state change instead of lines")
    parser.add_argument("--notify", action="store_true",
                        help="send a desktop notification when it ends ([ui] notify in providers.toml picks how)")
    parser.epilog = ("exit status: 0 all succeeded, 1 some failed, were cancelled or are gone (even if others "
                     "had not finished at the timeout), 3 all seen succeeded but a followed instance could not be "
                     "listed in full, 124 timeout, 2 usage or config error, 130 interrupted")


def _signature(snapshot: TaskSnapshot) -> tuple[Any, ...]:
    """What makes a new line: the state (and the API's word for it), whether it is gone, the error."""
    error = snapshot.error
    return (snapshot.state, snapshot.raw_state, snapshot.gone,
            None if error is None else (error.status, error.code, error.message))


# --- tracking -------------------------------------------------------------------------------------------------


@dataclass
class _Listed:
    """A followed instance: listed at least once yet? the last listing error shown."""

    done: bool = False
    error: TaskError | None = None


class Tracker:
    """The Poller's sink: keeps the newest snapshot of each task, prints changes, knows when all are done."""

    def __init__(self, selection: Selection, display: Display, *, fail_fast: bool = False) -> None:
        self.display = display
        self.fail_fast = fail_fast
        self.order: list[str] = [ref.key for ref in selection.refs]
        self.expected: set[str] = set(self.order)
        self.latest: dict[str, TaskSnapshot] = {}
        self.signatures: dict[str, tuple[Any, ...]] = {}
        self.listings: dict[FollowedInstance, _Listed] = {f: _Listed() for f in selection.follows}
        # Followed instances whose last listing came back short.
        self.partial: dict[FollowedInstance, PartialListing] = {}
        self.down: set[str] = set()
        self.etas = EtaBook()
        self.history: HistoryWriter | None = None
        self.done = asyncio.Event()
        # An error while printing (a closed pipe) ends the run; the Poller would only lose a worker.
        self.failure: BaseException | None = None

    def _guard(self, handler: Callable[[Any], None], value: Any) -> None:
        if self.failure is not None:
            return
        try:
            handler(value)
        except Exception as exc:  # noqa: BLE001 - re-raised by the command once the engine has stopped
            self.failure = exc
            self.done.set()

    # Sink
    def snapshot(self, snapshot: TaskSnapshot) -> None:
        self._guard(self._snapshot, snapshot)

    def health(self, health: ProviderHealth) -> None:
        self._guard(self._health, health)

    def discovered(self, refs: list[TaskRef]) -> None:
        pass  # their snapshots arrive through snapshot()

    def _snapshot(self, snapshot: TaskSnapshot) -> None:
        key = snapshot.ref.key
        if key not in self.expected and snapshot.extra.get("scheduled"):
            return  # a job an instance has scheduled (maybe days ahead) is not a task to wait for
        if key not in self.expected:
            self.expected.add(key)
            self.order.append(key)
        self.latest[key] = snapshot
        self.etas.observe(snapshot)
        if self.history is not None:
            self.history.add(snapshot)
        signature = _signature(snapshot)
        if self.signatures.get(key) != signature:
            self.signatures[key] = signature
            self.display.change(snapshot, self.warnings_of(snapshot))
        self.check()

    def _health(self, health: ProviderHealth) -> None:
        name = safe(health.provider)
        if health.status in _DOWN and health.provider not in self.down:
            self.down.add(health.provider)
            self.display.notice(f"provider '{name}': {health.status.value}: {error_text(health.last_error)}; "
                                "retrying every interval")
        elif health.status is HealthStatus.OK and health.provider in self.down:
            self.down.discard(health.provider)
            self.display.notice(f"provider '{name}' answers again")

    # Followed instances: the Poller hands each listing to its sink before the tasks' snapshots.
    def listed(self, listing: Listing) -> None:
        self._guard(self._listed, listing)

    def warnings_of(self, snapshot: TaskSnapshot) -> list[PartialListing]:
        ref = snapshot.ref
        return [p for p in self.partial.values() if p.provider == ref.provider and p.instance == ref.instance]

    def _listed(self, listing: Listing) -> None:
        followed = FollowedInstance(listing.provider, listing.instance)
        state = self.listings.setdefault(followed, _Listed())
        if listing.error is not None:
            if state.error is None or state.error.message != listing.error.message:
                self.display.notice(f"could not list the tasks of {safe(followed.provider)} instance "
                                    f"{safe(followed.instance)}: {error_text(listing.error)}")
            state.error = listing.error
            return
        state.done, state.error = True, None
        if listing.partial is None:
            self.partial.pop(followed, None)
        elif self.partial.get(followed) != listing.partial:
            self.partial[followed] = listing.partial
            self.display.notice(safe(listing.partial.message))
        for key in listing.keys:  # the Poller reports each one next
            if key not in self.expected:
                self.expected.add(key)
                self.order.append(key)
        self.check()

    def check(self) -> None:
        if self.done.is_set():
            return
        if self.fail_fast and self.any_failed():
            self.done.set()
            return
        if not all(state.done for state in self.listings.values()):
            return
        if all(key in self.latest and self.latest[key].finished for key in self.expected):
            self.done.set()

    # Results
    def snapshots(self) -> list[TaskSnapshot]:
        return [self.latest[key] for key in self.order if key in self.latest]

    def unfinished(self) -> list[str]:
        return [key for key in self.order if key not in self.latest or not self.latest[key].finished]

    def counts(self) -> dict[str, int]:
        counts = {"succeeded": 0, "failed": 0, "cancelled": 0, "gone": 0, "unfinished": 0}
        for key in self.order:
            snap = self.latest.get(key)
            outcome = "unfinished" if snap is None or not snap.finished else outcome_of(snap)
            counts[outcome] += 1
        return counts

    def any_failed(self) -> bool:
        """A task finished without succeeding (failed, cancelled or gone)."""
        return any(s.finished and (s.gone or s.state is not TaskState.SUCCEEDED) for s in self.latest.values())

    def eta(self, now: float) -> float | None:
        """When the last task with a percentage should finish; None unless each such task has an estimate."""
        estimates = [self.etas.eta(s.ref.key, now) for s in self.latest.values()
                     if not s.finished and s.progress is not None]
        if not estimates or any(e is None for e in estimates):
            return None
        return max(e for e in estimates if e is not None)

    def all_succeeded(self) -> bool:
        return all(s.state is TaskState.SUCCEEDED and not s.gone for s in self.latest.values())


# --- running --------------------------------------------------------------------------------------------------


async def _wait(selection: Selection, display: Display, timeout: float | None,
                fail_fast: bool = False) -> tuple[str, Tracker]:
    """Poll until every task has finished; returns ("done" | "timeout" | "interrupted", tracker).

    With fail_fast, "done" also comes as soon as one task has failed.
    """
    sources = open_sources(selection)
    tracker = Tracker(selection, display, fail_fast=fail_fast)
    history = tracker.history = HistoryWriter(COMMAND)
    poller = Poller(sources, tracker)
    loop = asyncio.get_running_loop()
    interrupted = asyncio.Event()

    def on_sigint() -> None:
        interrupted.set()
        # A second Ctrl+C, should closing hang, interrupts the usual way.
        loop.remove_signal_handler(signal.SIGINT)

    try:
        loop.add_signal_handler(signal.SIGINT, on_sigint)
        handled = True
    except (NotImplementedError, RuntimeError, ValueError):
        handled = False  # KeyboardInterrupt then ends the run (see `run`)

    poller.add(selection.refs)
    for f in selection.follows:
        poller.follow(f.provider, f.instance, f.since)
    running = asyncio.create_task(poller.run())
    waiters = [asyncio.create_task(tracker.done.wait()), asyncio.create_task(interrupted.wait())]
    deadline = None if timeout is None else loop.time() + timeout
    tracker.check()  # nothing selected at all (an empty followed instance is only known after listing)
    try:
        while True:
            left = None if deadline is None else deadline - loop.time()
            wait_for = TICK  # the bar is redrawn and the history written at each tick
            if left is not None and wait_for is not None:
                wait_for = min(wait_for, left)
            if left is not None and left <= 0:
                result = "timeout"
                break
            await asyncio.wait(waiters, timeout=wait_for, return_when=asyncio.FIRST_COMPLETED)
            if interrupted.is_set():
                result = "interrupted"
                break
            if tracker.done.is_set():
                result = "done"
                break
            display.draw_bar(tracker.snapshots(), len(tracker.expected), tracker.eta(time.time()))
            await history.flush()
    finally:
        for waiter in waiters:
            waiter.cancel()
        poller.stop()
        try:
            await asyncio.wait_for(running, 5)
        except (TimeoutError, asyncio.CancelledError):
            pass
        await close_sources(sources)
        await history.flush()
        history.close()
        if handled:
            loop.remove_signal_handler(signal.SIGINT)
    if tracker.failure is not None:
        raise tracker.failure
    return result, tracker


def _finish(result: str, tracker: Tracker, display: Display, timeout: float | None) -> int:
    elapsed = time.monotonic() - display.started
    counts = tracker.counts()
    unfinished = tracker.unfinished()
    warnings = list(tracker.partial.values())
    if result == "done" and not unfinished:
        succeeded = tracker.all_succeeded()
        code = EXIT_FAILED if not succeeded else EXIT_PARTIAL if warnings else EXIT_OK
        display.summary("succeeded" if succeeded else "failed", code, counts, elapsed, warnings)
        if succeeded and warnings:
            display.notice("every task seen succeeded, but not every task could be listed: "
                           + "; ".join(safe(w.message) for w in warnings))
        return code
    if result == "done" or (result == "timeout" and tracker.any_failed()):
        # Stopped at a failure (--fail-fast), or the timeout came after one: the failure is the news.
        code = EXIT_FAILED
        display.summary("failed", code, counts, elapsed, warnings)
        head = "stopped at the first failure" if result == "done" else f"timed out after {timeout:g} s"
    else:
        code = EXIT_TIMEOUT if result == "timeout" else EXIT_INTERRUPTED
        display.summary(result, code, counts, elapsed, warnings)
        head = f"timed out after {timeout:g} s" if result == "timeout" else "interrupted"
    total = len(tracker.order)
    lines = [f"{head}; {len(unfinished)} of {total} task(s) not finished"]
    for key in unfinished[:20]:
        snap = tracker.latest.get(key)
        if snap is not None:
            lines.append(f"  {task_name(snap.ref)}  {outcome_of(snap)}")
    if len(unfinished) > 20:
        lines.append(f"  … and {len(unfinished) - 20} more")
    display.notice("\n".join(lines))
    return code


def run(args: argparse.Namespace) -> int:
    display: Display | None = None
    try:
        selection = resolve_selection(args, COMMAND)
        for warning in selection.warnings:
            say(COMMAND, warning.describe())
        display = Display(selection, as_json=args.json, out=sys.stdout, bar=sys.stdout.isatty())
        result, tracker = asyncio.run(_wait(selection, display, args.timeout, args.fail_fast))
        code = _finish(result, tracker, display, args.timeout)
        if args.notify and result != "interrupted":
            send_note(COMMAND, outcome_note(result, tracker.snapshots(), len(tracker.unfinished())))
        return code
    except CommandError as exc:
        return report(COMMAND, exc)
    except KeyboardInterrupt:
        if display is not None:
            display.notice("interrupted")
        else:
            say(COMMAND, "interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # noqa: BLE001 - the engine died: a message and exit 2, not a traceback
        return engine_stopped(COMMAND, exc)
