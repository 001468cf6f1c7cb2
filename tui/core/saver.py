"""A debounced background saver: many `schedule()` calls, one write, off the caller's thread.

The first `schedule()` after a write sets a deadline `delay` seconds away; calls before
the deadline are folded into that one write (so a burst of edits never delays saving
for longer than `delay`). The write runs in a daemon worker thread. `flush()` writes
now, in the caller's thread, and is what a dashboard calls on quit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class DebouncedSaver(Generic[T]):
    def __init__(
        self,
        save: Callable[[], T],
        *,
        delay: float = 0.5,
        on_result: Callable[[T | None, BaseException | None], None] | None = None,
        name: str = "taskdeck-saver",
    ) -> None:
        self._save = save
        self.delay = delay
        self.on_result = on_result
        self._name = name
        self._cond = threading.Condition()
        self._pending = False
        self._deadline = 0.0
        self._running = False  # a save is in progress (worker or flush)
        self._closed = False
        self._thread: threading.Thread | None = None
        self.saves = 0  # completed save calls, for tests and diagnostics
        self.last_error: BaseException | None = None

    @property
    def pending(self) -> bool:
        with self._cond:
            return self._pending

    def schedule(self) -> None:
        """Ask for a save within `delay` seconds. Cheap; safe from any thread."""
        with self._cond:
            if self._closed:
                return
            if not self._pending:
                self._pending = True
                self._deadline = time.monotonic() + self.delay
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name=self._name, daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def _run(self) -> tuple[T | None, BaseException | None]:
        try:
            result: T | None = self._save()
            error: BaseException | None = None
        except Exception as exc:  # reported through on_result / last_error
            result, error = None, exc
        with self._cond:
            self._running = False
            self.saves += 1
            self.last_error = error
            self._cond.notify_all()
        return result, error

    def _work(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._closed:
                        return
                    if self._pending and not self._running:
                        remaining = self._deadline - time.monotonic()
                        if remaining <= 0:
                            break
                        self._cond.wait(remaining)
                    else:
                        self._cond.wait()
                self._pending = False
                self._running = True
            result, error = self._run()
            if self.on_result is not None:
                self.on_result(result, error)

    def _wait_idle(self, deadline: float | None) -> bool:
        while self._running:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            self._cond.wait(remaining)
        return True

    def flush(self, timeout: float | None = 30.0) -> T | None:
        """Write now if a save is pending (after any save in progress); re-raises its error.

        Returns the save's result, or None when nothing was pending.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            if not self._wait_idle(deadline):
                raise TimeoutError("a save in progress did not finish in time")
            if not self._pending:
                return None
            self._pending = False
            self._running = True
        result, error = self._run()
        if error is not None:
            raise error
        return result

    def wait_idle(self, timeout: float | None = 30.0) -> bool:
        """Wait until no save is pending or running (the worker did its job). For tests and shutdown."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._pending or self._running:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def close(self, timeout: float | None = 30.0) -> T | None:
        """Flush, then stop the worker thread."""
        try:
            return self.flush(timeout)
        finally:
            with self._cond:
                self._closed = True
                self._cond.notify_all()
            thread = self._thread
            if thread is not None and thread is not threading.current_thread():
                thread.join(timeout)
