"""ETA from recent progress (tui.core.eta): a fit over the last minutes, and nothing when unsure."""

from __future__ import annotations

import math
import random

from tui.core.eta import MIN_SPAN, STALE, EtaBook, estimate, eta_text
from tui.core.model import TaskRef, TaskSnapshot, TaskState

T0 = 1_790_000_000.0


def stepped(rate: float, every: float, step: float, until: float) -> list[tuple[float, float]]:
    """Readings every `every` s of a task advancing `rate` %/s, reported in jumps of `step` %."""
    return [(T0 + t, math.floor(rate * t / step) * step) for t in range(0, int(until) + 1, int(every))]


def test_stepped_progress_gives_an_estimate_near_the_truth() -> None:
    # 0.1 %/s reported in 5 % jumps every 5 s: 1,000 s in all; after 200 s, 800 s are left
    samples = stepped(0.1, 5, 5.0, 200)
    now = samples[-1][0]
    eta = estimate(samples, now)
    assert eta is not None and abs(eta - 800) < 0.15 * 800
    # the last two readings alone would say "never" (no change) or 20 s (a jump); the fit says neither
    last_two = (samples[-1][1] - samples[-2][1]) / 5
    assert last_two in (0.0, 1.0)


def test_noisy_readings_and_one_wild_reading_do_not_throw_it() -> None:
    rng = random.Random(5)
    samples = [(T0 + t, 0.2 * t + rng.uniform(-1.5, 1.5)) for t in range(0, 181, 3)]
    samples = sorted(samples)
    samples[-5] = (samples[-5][0], 95.0)  # one wild reading
    now = samples[-1][0]
    eta = estimate(samples, now)
    truth = (100 - 0.2 * 180) / 0.2
    assert eta is not None and abs(eta - truth) < 0.15 * truth


def test_nothing_while_too_young() -> None:
    assert estimate([(T0, 10.0), (T0 + 5, 20.0), (T0 + 10, 30.0)], T0 + 10) is None  # three samples
    short = [(T0 + t, 10.0 + t) for t in range(0, int(MIN_SPAN) - 5, 2)]
    assert estimate(short, short[-1][0]) is None  # span under MIN_SPAN


def test_nothing_when_stalled_or_stale() -> None:
    rising = [(T0 + t, 0.2 * t) for t in range(0, 121, 5)]
    flat = [(T0 + t, rising[-1][1]) for t in range(125, 300, 5)]
    samples = rising + flat
    assert estimate(rising, rising[-1][0]) is not None
    assert estimate(samples, samples[-1][0]) is None
    assert estimate(rising, rising[-1][0] + STALE + 1) is None
    going_back = [(T0 + t, 50 - 0.1 * t) for t in range(0, 121, 5)]
    assert estimate(going_back, going_back[-1][0]) is None


def test_nothing_when_days_away() -> None:
    slow = [(T0 + t, 1 + 0.00001 * t) for t in range(0, 300, 5)]
    assert estimate(slow, slow[-1][0]) is None


def test_book_follows_running_tasks_and_forgets_finished_ones() -> None:
    book = EtaBook()
    ref = TaskRef("acme", "t")
    for t in range(0, 121, 5):
        book.observe(TaskSnapshot(ref=ref, state=TaskState.RUNNING, progress=0.5 * t, fetched_at=T0 + t))
    # a failed poll repeats the last reading: ignored
    book.observe(TaskSnapshot(ref=ref, state=TaskState.RUNNING, progress=60.0, fetched_at=T0 + 120))
    eta = book.eta(ref.key, T0 + 120)
    assert eta is not None and abs(eta - 80) < 12
    book.observe(TaskSnapshot(ref=ref, state=TaskState.SUCCEEDED, progress=100.0, fetched_at=T0 + 200))
    assert book.eta(ref.key, T0 + 200) is None
    # remembered readings from an earlier run are not samples of this one
    book.observe(TaskSnapshot(ref=ref, state=TaskState.RUNNING, progress=10.0, fetched_at=T0, remembered=True))
    assert book.eta(ref.key, T0 + 10) is None


def test_eta_text() -> None:
    assert [eta_text(s) for s in (None, 0, 42, 61, 3599, 3600 + 5 * 60, 26 * 3600)] == [
        "", "soon", "~42s", "~1m", "~1h00m", "~1h05m", "~1d02h"]
