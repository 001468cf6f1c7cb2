"""The simulated clock: real monotonic time plus an offset that the admin API can advance.

`skew` sets the server's wall clock apart from the machine's (seconds, either sign), as on a client
whose clock is wrong: Huawei checks AK/SK signature dates against it and every response's Date
header shows it. Unlike `advance`, it does not move the tasks along.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime


class SimClock:
    """Seconds since the scenario started, mapped onto wall-clock time for timestamps."""

    def __init__(self, skew: float = 0.0) -> None:
        self._mono0 = time.monotonic()
        self.wall0 = time.time()
        self.offset = 0.0
        self.base_skew = skew  # what a reset returns to (the --clock-skew option)
        self.skew = skew

    def reset(self) -> None:
        self._mono0 = time.monotonic()
        self.wall0 = time.time()
        self.offset = 0.0
        self.skew = self.base_skew

    def now(self) -> float:
        """Simulated seconds since the scenario was (re)seeded."""
        return time.monotonic() - self._mono0 + self.offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self.offset += seconds

    def wall(self, t: float | None = None) -> float:
        """Epoch seconds of simulated time `t` (default: now)."""
        return self.wall0 + self.skew + (self.now() if t is None else t)

    def server_time(self) -> float:
        """The server's wall clock for the Date header: real time plus the skew (not the advances,
        which stand for time passing for the tasks, not for a wrong clock)."""
        return time.time() + self.skew


def iso_ms(epoch: float) -> str:
    """`2020-06-15T08:55:53.606Z` (DMS style)."""
    dt = datetime.fromtimestamp(epoch, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def iso_us(epoch: float) -> str:
    """`2020-01-04T09:05:22.701000Z` (IAM style)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
