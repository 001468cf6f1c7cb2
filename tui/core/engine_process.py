"""Run the poller in its own process and stream coalesced snapshots to the UI process.

Why: HTTP costs ~0.5-0.7 ms of CPU per request, and a thread in the UI process
shares the GIL with the UI. At ~1,000 requests/s that is most of a core, taken in
slices of up to the interpreter's switch interval from the UI's event loop. In a
child process the polling has a core of its own; the UI process only unpickles
the results.

`EngineProcess` has the public interface of `tui.core.engine.Engine`: add, remove,
follow, unfollow, refresh, pause, resume, set_interval, take, run, stop,
wait_ready, paused, and the `notify` callback (called from the reader thread once
when results start waiting). `run()` blocks: call it in a worker thread, as with
`Engine`; it starts the child (multiprocessing "spawn"), reads its batches until the
child stops, and returns.

Wire protocol (two one-way pipes, pickled tuples):
    UI -> child:  ("add", refs) ("remove", keys) ("follow", provider, instance)
                  ("unfollow", provider, instance) ("refresh", keys | None) ("pause",)
                  ("resume",) ("set_interval", provider, seconds) ("stop",)
    child -> UI:  ("ready",) ("batch", Batch) ("error", message) ("stopped",)
The child coalesces results per task for `SEND_EVERY` seconds before sending, so
the UI receives at most ~10 messages a second whatever the request rate, and it
runs at a lower priority (`CHILD_NICE`) so that the UI wins a busy CPU. When the
UI process goes away its pipe closes and the child stops.

`sources_factory` must be picklable (a module-level function or a
`functools.partial` of one): it runs in the child, which builds its own providers
and HTTP clients. `create_engine` picks the engine kind (argument, else the
`TASKDECK_ENGINE` environment variable: "thread" or "process").
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import pickle
import queue
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from multiprocessing.connection import Connection
from typing import Any, Protocol

from tui.core.engine import Batch, Engine, _CollectingSink, open_recorder
from tui.core.engine_commands import Command, EngineCommands, apply_command
from tui.core.model import TaskRef, TaskSnapshot
from tui.core.poll_parts import close_sources
from tui.core.poller import Poller
from tui.core.store import MEMORY_PREFIX

ENGINE_ENV = "TASKDECK_ENGINE"
ENGINE_KINDS = ("thread", "process")
# The default since the UI process's CPU was measured at ~1,000 updates/s (bench/bench_latency.py): with
# the poller in a thread of the UI process, its HTTP work (~0.6 ms of CPU a request) shares the UI's
# core and GIL; in a child process the UI process keeps well under half a core (README, Performance).
DEFAULT_ENGINE = "process"
SEND_EVERY = 0.1  # seconds the child coalesces results before sending them
# The child's scheduling priority relative to the UI (Unix): polling is background work,
# so on a busy machine the UI process gets the CPU first.
CHILD_NICE = 5
CHECK_EVERY = 0.5  # seconds between looks at run()'s should_stop


class EngineLike(Protocol):
    """What the dashboard needs from an engine (both kinds provide it)."""

    paused: bool

    def run(self, should_stop: Callable[[], bool] | None = None) -> None: ...
    def stop(self) -> None: ...
    def wait_ready(self, timeout: float = 10.0) -> bool: ...
    def add(self, refs: Iterable[TaskRef]) -> None: ...
    def remove(self, keys: Iterable[str]) -> None: ...
    def follow(self, provider: str, instance: str, since: str | None = None) -> None: ...
    def unfollow(self, provider: str, instance: str) -> None: ...
    def refresh(self, keys: Iterable[str] | None = None) -> None: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def set_interval(self, provider: str, seconds: float) -> None: ...
    def take(self) -> Batch: ...


class EngineProcessError(RuntimeError):
    """The child could not start polling (e.g. the sources factory raised)."""


def picklable(obj: object) -> bool:
    try:
        pickle.dumps(obj)
    except Exception:  # noqa: BLE001 - any failure means "cannot cross a process boundary"
        return False
    return True


def engine_kind(kind: str | None = None) -> str:
    """The engine kind to use: `kind`, else $TASKDECK_ENGINE, else the default."""
    chosen = (kind or os.environ.get(ENGINE_ENV, "") or DEFAULT_ENGINE).strip().lower()
    if chosen not in ENGINE_KINDS:
        raise ValueError(f"{ENGINE_ENV} must be one of {', '.join(ENGINE_KINDS)}, not {chosen!r}")
    return chosen


def create_engine(sources_factory: Callable[[], Mapping[str, Any]], notify: Callable[[], None] = lambda: None,
                  kind: str | None = None, *, store: str | None = None,
                  remembered: Callable[[], Mapping[str, TaskSnapshot] | None] | None = None) -> Engine | EngineProcess:
    """An engine of the chosen kind (see `engine_kind`).

    A factory that cannot be pickled (a lambda, a closure) cannot reach a child
    process; the thread engine is used for it whatever the kind. So is a store in
    memory (`--demo`): it lives in one process, and the dashboard reads the timeline
    from the store the engine writes. `remembered` hands the thread engine what the
    session has read from the store (a child reads it itself).
    """
    in_memory = store is not None and store.startswith(MEMORY_PREFIX)
    if engine_kind(kind) == "process" and picklable(sources_factory) and not in_memory:
        return EngineProcess(sources_factory, notify=notify, store=store)
    return Engine(sources_factory, notify=notify, store=store, remembered=remembered)


_TRACKER_LOCK = threading.Lock()


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with its stderr on /dev/null.

    Spawning a child needs the tracker, and the tracker inherits `sys.stderr`'s file
    descriptor. Inside a Textual app `sys.stderr` is a capture object whose `fileno()`
    is -1, which makes the spawn fail; and a real stderr is the user's terminal,
    where the tracker must not write. A no-op once the tracker runs.
    """
    from multiprocessing import resource_tracker

    with _TRACKER_LOCK:
        saved = sys.stderr
        with open(os.devnull, "w") as devnull:
            sys.stderr = devnull
            try:
                resource_tracker.ensure_running()
            finally:
                sys.stderr = saved


# -- the UI side ---------------------------------------------------------------------------------


class EngineProcess(EngineCommands):
    """Thread-safe handle on a Poller running in a child process."""

    def __init__(self, sources_factory: Callable[[], Mapping[str, Any]],
                 notify: Callable[[], None] = lambda: None, *, start_method: str = "spawn",
                 send_every: float = SEND_EVERY, store: str | None = None, nice: int = CHILD_NICE) -> None:
        if not picklable(sources_factory):
            raise TypeError("EngineProcess needs a picklable sources_factory (a module-level function or a "
                            "functools.partial of one), not a lambda or closure")
        self._factory = sources_factory
        self._context: Any = multiprocessing.get_context(start_method)
        self._send_every = send_every
        self._nice = nice  # added to the child's niceness (CHILD_NICE)
        self._store = store  # a file location: a memory store would live in the child only
        self._lock = threading.Lock()  # guards _commands, _stopped
        self._inbox = _CollectingSink(notify)  # batches from the child, merged until the UI takes them
        # Commands wait here for the sender thread: a caller (the UI thread) never blocks on a pipe the
        # child is not reading yet (10,000 tasks to add are ~600 kB; the pipe holds 64 kB). None ends it.
        self._outbox: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        self._commands: Connection | None = None
        self._stopped = False
        self._ready = threading.Event()
        self._process: multiprocessing.process.BaseProcess | None = None
        self.error: str | None = None

    # -- lifecycle --------------------------------------------------------------

    def run(self, should_stop: Callable[[], bool] | None = None) -> None:
        """Blocking: start the child and relay its batches until it stops. Call it in a worker thread.

        As with `Engine.run`, the engine also stops once `should_stop()` turns true
        (checked every `CHECK_EVERY` seconds; a thread worker cannot be cancelled from outside).
        """
        with self._lock:
            if self._stopped:
                return
        _start_resource_tracker()
        commands_r, commands_w = self._context.Pipe(duplex=False)
        data_r, data_w = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=_child_main, args=(self._factory, commands_r, data_w, self._send_every, self._store, self._nice),
            name="taskdeck-engine", daemon=True)
        process.start()
        # the child holds its own copies of these ends; closing ours lets EOF reach the reader
        commands_r.close()
        data_w.close()
        self._process = process
        with self._lock:
            self._commands = commands_w
        sender = threading.Thread(target=self._sender, args=(commands_w,), name="taskdeck-engine-send", daemon=True)
        sender.start()
        try:
            self._read(data_r, should_stop)
        finally:
            with self._lock:
                self._commands = None
                self._stopped = True
            self._outbox.put(None)
            sender.join(5.0)
            commands_w.close()
            data_r.close()
            process.join(5.0)
            if process.is_alive():
                process.terminate()
                process.join(5.0)
            self._ready.set()  # nobody waits forever on an engine that has ended
        if self.error is not None:
            raise EngineProcessError(self.error)

    def _read(self, conn: Connection, should_stop: Callable[[], bool] | None) -> None:
        asked = False
        while True:
            try:
                if should_stop is not None and not conn.poll(CHECK_EVERY):
                    if not asked and should_stop():
                        asked = True
                        self.stop()
                    continue
                message = conn.recv()
            except (EOFError, OSError):
                return
            kind = message[0]
            if kind == "batch":
                self._inbox.merge(message[1])
            elif kind == "ready":
                self._ready.set()
            elif kind == "error":
                self.error = str(message[1])
            elif kind == "stopped":
                return

    def wait_ready(self, timeout: float = 10.0) -> bool:
        return self._ready.wait(timeout)

    def stop(self) -> None:
        with self._lock:
            if self._stopped:
                return
            if self._commands is None:  # not started: run() will return at once
                self._stopped = True
                return
        self._send(("stop",))

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs."""
        process = self._process
        return process.pid if process is not None and process.is_alive() else None

    # -- control (any thread) ---------------------------------------------------

    def _send(self, message: tuple[Any, ...]) -> None:
        with self._lock:
            if self._stopped:
                return
        self._outbox.put(message)  # sent once the child runs, in order

    def _sender(self, conn: Connection) -> None:
        """The sender thread: write queued commands to the child until None (or the child has gone)."""
        while (message := self._outbox.get()) is not None:
            try:
                conn.send(message)
            except (OSError, ValueError):
                return  # the child has gone: the engine has stopped

    def _command(self, command: Command) -> None:
        self._send(command)

    def take(self) -> Batch:
        """Everything new since the last call (UI thread)."""
        return self._inbox.take()


# -- the child side --------------------------------------------------------------------------------


def _child_main(factory: Callable[[], Mapping[str, Any]], commands: Connection, data: Connection,
                send_every: float, store: str | None = None, nice: int = CHILD_NICE) -> None:
    # The child inherited the UI's stdout and stderr, which may be the user's terminal
    # under a full-screen app: nothing may be written there. Errors go back over the pipe.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    if nice and hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(nice)
    try:
        asyncio.run(_child(factory, commands, data, send_every, store))
    except Exception as exc:  # noqa: BLE001 - reported to the UI, which raises it from run()
        with contextlib.suppress(OSError, ValueError):
            data.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        with contextlib.suppress(OSError, ValueError):
            data.send(("stopped",))
        data.close()
        commands.close()


async def _child(factory: Callable[[], Mapping[str, Any]], commands: Connection, data: Connection,
                 send_every: float, store: str | None = None) -> None:
    loop = asyncio.get_running_loop()
    waiting = asyncio.Event()
    # Called on the loop's thread, or on the store's writer thread when there is a store.
    def wake() -> None:
        loop.call_soon_threadsafe(waiting.set)

    sink = _CollectingSink(wake)
    sources = dict(factory())
    recorder = open_recorder(store, sink)
    poller = Poller(sources, recorder or sink, memory=recorder)

    def on_command() -> None:
        # Read every message already in the pipe; EOF means the UI process has gone.
        try:
            while commands.poll():
                apply_command(poller, commands.recv())
        except (EOFError, OSError):
            loop.remove_reader(commands.fileno())
            poller.stop()

    async def sender() -> None:
        while True:
            await waiting.wait()
            await asyncio.sleep(send_every)  # let results of this window gather
            waiting.clear()
            batch = sink.take()
            if batch:
                data.send(("batch", batch))

    loop.add_reader(commands.fileno(), on_command)
    # Messages already waiting are applied once `poller.run()` has started (a "stop"
    # applied before it would be forgotten when run() begins).
    loop.call_soon(on_command)
    data.send(("ready",))
    send_task = asyncio.create_task(sender())
    try:
        await poller.run()
    finally:
        with contextlib.suppress(ValueError, OSError):
            loop.remove_reader(commands.fileno())
        send_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await send_task
        if recorder is not None:
            await asyncio.to_thread(recorder.close)
        batch = sink.take()
        if batch:
            with contextlib.suppress(OSError, ValueError):
                data.send(("batch", batch))
        await close_sources(sources)
