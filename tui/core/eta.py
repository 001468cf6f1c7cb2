"""When will a running task finish? An estimate from its recent progress, or none.

Why a fit and not the last two points: percentages arrive in steps (a task jumps
from 40 to 45 and sits there for a minute), so the slope between two neighbouring
readings swings from zero to wild. A Theil–Sen line (the median of the slopes
between every pair of samples of the last few minutes) follows the trend and
ignores a few odd readings. No estimate is better than a wild one, so there is
none while the task is too young (too few samples, too short a span), when the
progress has stalled, when the readings are stale, or when the answer would be
days away.

No textual/rich imports here; times are epoch seconds, progress in percent.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from statistics import median

from tui.core.model import TaskSnapshot, TaskState

WINDOW = 300.0  # seconds of samples the fit uses
MIN_SAMPLES = 4
MIN_SPAN = 30.0  # the samples must cover at least this long
STALL = 90.0  # no progress for this long (and a quarter of the window at least): stalled
STALE = 180.0  # the newest sample is older than this: no estimate
MAX_ETA = 3 * 86400.0  # an answer further away than this is not an estimate
MAX_PAIRS_SAMPLES = 40  # the fit looks at most this many samples (evenly thinned): O(n²) pairs


def _thin(samples: Sequence[tuple[float, float]], limit: int) -> list[tuple[float, float]]:
    if len(samples) <= limit:
        return list(samples)
    step = (len(samples) - 1) / (limit - 1)
    return [samples[round(i * step)] for i in range(limit)]


def estimate(samples: Sequence[tuple[float, float]], now: float) -> float | None:
    """Seconds from `now` until the progress reaches 100 %, from (time, percent) samples; None if unsure."""
    recent = [s for s in samples if now - WINDOW <= s[0] <= now]
    if len(recent) < MIN_SAMPLES or recent[-1][0] - recent[0][0] < MIN_SPAN:
        return None
    last_time, last_value = recent[-1]
    if now - last_time > STALE:
        return None
    moved_at = next((t for t, v in reversed(recent) if v != last_value), None)
    stalled_for = now - (moved_at if moved_at is not None else recent[0][0])
    if stalled_for > max(STALL, WINDOW / 4) or (moved_at is None and stalled_for >= MIN_SPAN):
        return None
    points = _thin(recent, MAX_PAIRS_SAMPLES)
    slopes = [(v2 - v1) / (t2 - t1) for i, (t1, v1) in enumerate(points) for t2, v2 in points[i + 1:] if t2 > t1]
    if not slopes:
        return None
    slope = median(slopes)
    if slope <= 0:
        return None
    intercept = median(v - slope * t for t, v in points)
    remaining = (100.0 - intercept) / slope - now
    if remaining > MAX_ETA:
        return None
    return max(0.0, remaining)


class EtaBook:
    """Progress samples of running tasks, by task key; fed with every snapshot, asked for estimates."""

    def __init__(self, window: float = WINDOW) -> None:
        self._window = window
        self._samples: dict[str, deque[tuple[float, float]]] = {}

    def observe(self, snapshot: TaskSnapshot, now: float | None = None) -> None:
        key = snapshot.ref.key
        if snapshot.state is not TaskState.RUNNING or snapshot.progress is None or snapshot.remembered:
            if snapshot.finished or snapshot.state is not TaskState.RUNNING:
                self._samples.pop(key, None)
            return
        at = snapshot.fetched_at if snapshot.fetched_at is not None else now
        if at is None:
            return
        samples = self._samples.setdefault(key, deque())
        if samples and at <= samples[-1][0]:
            return  # the same reading again (a coalesced batch, a failed poll keeping old data)
        if samples and snapshot.progress < samples[-1][1]:
            samples.clear()  # the task restarted its count: old samples describe another run
        samples.append((at, float(snapshot.progress)))
        while samples and samples[0][0] < at - self._window:
            samples.popleft()

    def forget(self, key: str) -> None:
        self._samples.pop(key, None)

    def eta(self, key: str, now: float) -> float | None:
        samples = self._samples.get(key)
        return None if not samples else estimate(samples, now)


def eta_text(seconds: float | None) -> str:
    """`~40s`, `~12m`, `~2h05m`, `~1d04h`; "" without an estimate."""
    if seconds is None:
        return ""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"~{seconds}s" if seconds else "soon"
    minutes = (seconds + 30) // 60
    if minutes < 60:
        return f"~{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"~{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"~{days}d{hours:02d}h"
