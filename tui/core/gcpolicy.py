"""Python's garbage collector in the UI process: keep each full collection short.

Why: a full (generation 2) collection walks every container object the process
holds and blocks the event loop meanwhile. With 10,000 watched tasks that is about
100,000 objects (Textual's widgets, styles and caches, the modules, a row and a
snapshot per task) and 60-180 ms on this project's VM, several times a minute:
every key pressed then waits for it (bench/bench_latency.py, `gc2_max`).

What `GcPolicy` does (the collector itself is unchanged):
- `hold()`, before the config is read: no automatic collection during start-up.
  Nearly everything allocated then lives as long as the app (modules, Textual's
  styles, 10,000 refs, snapshots and rows), so each full collection walked a
  growing heap to free next to nothing: one took 100 ms in the middle of the
  first frame.
- `after_load()`: once the first rows are on screen, collect once and freeze
  (`gc.freeze`): what is alive then is left out of every later collection. It
  also ends the hold.
- after each automatic full collection, its survivors are frozen too, so the next
  one walks only what was promoted since (a few thousand objects) instead of
  every task's row and snapshot again.
- Frozen objects are still freed by reference counting as usual; only garbage in
  reference cycles among them has to wait. `maintain()` unfreezes and collects
  everything: due every MAINTAIN_EVERY seconds, and run by `tick()` once no key
  was pressed for IDLE seconds (or when it is overdue by far, OVERDUE).
- The youngest generation's threshold is raised (YOUNG_THRESHOLD): fewer, still
  short, young collections, so fewer short-lived objects are promoted at all.

Measured (10k tasks, ~500-1,000 updates/s, process engine, 60 s): no automatic full
collection at all, where Python's defaults ran one every ~8 s (up to ~480 ms each on
a loaded VM); the frozen set shrank as replaced rows were freed; the sweep then
freed ~2,500 objects of cyclic garbage and took ~100 ms of CPU.

No textual import: the dashboard calls `after_load()`, then `tick()` about once a
second and `input_seen()` on input.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

YOUNG_THRESHOLD = 5_000  # Python's default is 700
MAINTAIN_EVERY = 600.0  # s between full collections of everything, frozen objects included
IDLE = 5.0  # s without input before such a collection may run
OVERDUE = 3_600.0  # s: then it runs even while keys keep coming


def hold() -> None:
    """No automatic collection until `GcPolicy.after_load` (or `uninstall`): start-up allocates
    what lives as long as the app. The dashboard calls after_load within about a second of its
    mount, whatever the watch list holds; the `taskdeck` command ends the hold on exit too."""
    gc.disable()


class GcPolicy:
    """Freeze what survives, collect everything now and then when nobody is typing."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._installed = False
        self._last_input = clock()
        self._maintained = clock()
        self._saved_threshold: tuple[int, int, int] | None = None
        self.maintenance_ms: list[float] = []  # how long each `maintain()` took
        self.swept: list[int] = []  # how many unreachable objects each `maintain()` freed
        self.refreezes = 0

    @property
    def installed(self) -> bool:
        return self._installed

    def after_load(self) -> None:
        """The initial load is done: collect once, freeze, and freeze survivors from now on."""
        if self._installed:
            return
        self._installed = True
        gc.enable()  # the end of `hold()`
        self._saved_threshold = gc.get_threshold()
        _, middle, old = self._saved_threshold
        gc.set_threshold(max(YOUNG_THRESHOLD, self._saved_threshold[0]), middle, old)
        gc.collect()
        gc.freeze()
        gc.callbacks.append(self._on_gc)
        self._maintained = self._clock()

    def uninstall(self) -> None:
        """Back to Python's defaults (everything unfrozen). For tests and shutdown."""
        gc.enable()
        if not self._installed:
            return
        self._installed = False
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        gc.unfreeze()
        if self._saved_threshold is not None:
            gc.set_threshold(*self._saved_threshold)

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        # After a full collection its survivors are long-lived: leave them out of the next one.
        if phase == "stop" and info.get("generation") == 2:
            gc.freeze()
            self.refreezes += 1

    def input_seen(self) -> None:
        self._last_input = self._clock()

    def tick(self) -> bool:
        """Run `maintain()` if it is due and nobody typed for a while (or it is long overdue)."""
        if not self._installed:
            return False
        now = self._clock()
        since = now - self._maintained
        if since >= OVERDUE or (since >= MAINTAIN_EVERY and now - self._last_input >= IDLE):
            self.maintain()
            return True
        return False

    def maintain(self) -> float:
        """Collect everything, frozen objects included, then freeze the survivors again. Returns ms."""
        t0 = time.perf_counter()
        if self._installed:
            gc.callbacks.remove(self._on_gc)  # this collection's survivors are frozen below anyway
        try:
            gc.unfreeze()
            self.swept.append(gc.collect())
            gc.freeze()
        finally:
            if self._installed:
                gc.callbacks.append(self._on_gc)
        self._maintained = self._clock()
        ms = (time.perf_counter() - t0) * 1000
        self.maintenance_ms.append(ms)
        return ms
