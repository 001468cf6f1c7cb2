"""This machine's clock against the server's, from each response's Date header.

Huawei refuses an AK/SK signature whose X-Sdk-Date is more than 15 minutes off its own clock
(`APIG.0303`, "signature expired"), and taskdeck would otherwise only say "authentication failed",
so the user doubts their keys. Comparing every response's Date header with the local clock lets the
provider's health say what is wrong before it fails, and the 0303 error say why.
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

import httpx

# Beyond this the health says so; AK/SK signatures fail past SIGNATURE_WINDOW.
WARN_SKEW = 300.0
SIGNATURE_WINDOW = 900.0
EXPIRED_SIGNATURE = "APIG.0303"


def skew_from_date(value: str | None, local: float) -> float | None:
    """Server time minus local time in seconds (positive: the local clock is behind), or None."""
    if not value:
        return None
    try:
        server = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
    return server - local


def _duration(seconds: float) -> str:
    minutes = round(abs(seconds) / 60)
    if minutes < 120:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def skew_hint(skew: float | None) -> str | None:
    """"your clock is 17 min behind the server's; AK/SK signatures fail past 15 min", or None when
    the clocks agree within WARN_SKEW (or nothing is known)."""
    if skew is None or abs(skew) <= WARN_SKEW:
        return None
    side = "behind" if skew > 0 else "ahead of"
    return (f"your clock is {_duration(skew)} {side} the server's; "
            f"AK/SK signatures fail past {SIGNATURE_WINDOW / 60:g} min")


def expired_signature_hint(skew: float | None) -> str:
    """Why an APIG.0303 happened: the measured skew when there is one, else what to check."""
    return skew_hint(skew) or (
        f"the server says the signature has expired: AK/SK signatures fail when this machine's clock is "
        f"more than {SIGNATURE_WINDOW / 60:g} min off the server's; check the clock (timedatectl, NTP)")


class ClockWatch:
    """The latest skew seen on a provider's responses (an httpx response hook)."""

    def __init__(self) -> None:
        self.skew: float | None = None
        self.server_date: str | None = None

    def observe(self, date_header: str | None, local: float | None = None) -> None:
        skew = skew_from_date(date_header, time.time() if local is None else local)
        if skew is not None:
            self.skew, self.server_date = skew, date_header

    async def hook(self, response: httpx.Response) -> None:
        self.observe(response.headers.get("date"))

    @property
    def hint(self) -> str | None:
        return skew_hint(self.skew)
