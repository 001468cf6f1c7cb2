"""`since` on a followed instance: how far back its task list reaches.

An instance with years of history should not be paged through in full at every interval: with
`since = "7d"` (or a date), the DMS list is asked with `begin_time`, which the API takes as
`YYYYMMDDHHmmss`. The docs do not say which zone; taskdeck sends UTC, as the SDK's examples do.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

__all__ = ["begin_time", "since_problem", "since_start"]

_AGO = re.compile(r"^\s*(\d{1,6})\s*([mhdw])\s*$")
_UNIT = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
BEGIN_TIME_FORMAT = "%Y%m%d%H%M%S"
EXAMPLES = '"7d", "12h", "2w" or a date such as "2026-11-01" or "2026-11-01T08:00:00Z"'


def since_start(since: str, now: float) -> datetime | None:
    """The moment `since` names (UTC), or None when it is not a duration or a date."""
    ago = _AGO.match(since)
    if ago:
        return datetime.fromtimestamp(now, UTC) - timedelta(**{_UNIT[ago.group(2)]: int(ago.group(1))})
    try:
        moment = datetime.fromisoformat(since.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def since_problem(since: object) -> str | None:
    """What is wrong with a `since` value, or None."""
    if not isinstance(since, str) or since_start(since, 0.0) is None:
        return f"'since' must be a duration or a date ({EXAMPLES}), not {since!r}"
    return None


def begin_time(since: str | None, now: float) -> str | None:
    """The `begin_time` query value for `since` at epoch `now`: UTC, YYYYMMDDHHmmss (None: no window)."""
    if not since:
        return None
    moment = since_start(since, now)
    return None if moment is None else moment.strftime(BEGIN_TIME_FORMAT)
