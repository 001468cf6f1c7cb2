"""Changed rows on their way to the table, handed over a time slice at a time (no textual).

Why: the dashboard used to build and apply every changed row of a batch in one go.
At ~1,000 updates/s that is a few hundred rows (tens of ms) per flush, and a key that
arrived meanwhile waited for all of it. The screen now queues the changed keys here and
asks for one slice at a time: rows are built until SLICE_BUDGET seconds are spent (or
`max_rows` are built), the screen applies them, yields so input is handled and a frame
painted, and asks for the next slice.

Order: the rows on screen come first, then the others in the order they changed, so
what the user cannot see is settled last. A row is always built from the newest
snapshot when its turn comes, so a task that changes again while waiting is drawn
once, with its newest data, and never overwritten by an older one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

SLICE_BUDGET = 0.008  # s of row building per slice; applying the rows adds ~1-2 ms

R = TypeVar("R")


class RowPacer(Generic[R]):
    """Keys waiting for their rows to be built and applied, in the order they should be."""

    def __init__(self, budget: float = SLICE_BUDGET, max_rows: int | None = None,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.budget = budget
        self.max_rows = max_rows
        self._clock = clock
        self._pending: dict[str, None] = {}  # insertion-ordered set

    def __len__(self) -> int:
        return len(self._pending)

    def __bool__(self) -> bool:
        return bool(self._pending)

    def __contains__(self, key: object) -> bool:
        return key in self._pending

    def add(self, keys: Iterable[str]) -> None:
        """These rows changed (a key already waiting keeps its place)."""
        self._pending.update(dict.fromkeys(keys))

    def discard(self, keys: Iterable[str]) -> None:
        """These rows were drawn (or removed) another way: nothing left to do for them."""
        pending = self._pending
        for key in keys:
            pending.pop(key, None)

    def clear(self) -> None:
        self._pending.clear()

    def take(self, first: Iterable[str], build: Callable[[str], R | None]) -> dict[str, R]:
        """Build the next slice of rows: the waiting keys among `first` (the rows on screen), then
        the rest in order, until the budget or `max_rows` is spent. `build` may return None for
        a key that no longer has a row to draw; that key is dropped."""
        pending = self._pending
        if not pending:
            return {}
        deadline = self._clock() + self.budget
        limit = self.max_rows if self.max_rows is not None else len(pending)
        out: dict[str, R] = {}
        order = [key for key in first if key in pending]
        order_iter = iter(order)
        checked = 0
        for source in (order_iter, iter(list(pending))):
            for key in source:
                if key not in pending:
                    continue
                del pending[key]
                row = build(key)
                if row is not None:
                    out[key] = row
                checked += 1
                # reading the clock costs little next to building a row, but not nothing
                if len(out) >= limit or (checked % 8 == 0 and self._clock() >= deadline):
                    return out
        return out
