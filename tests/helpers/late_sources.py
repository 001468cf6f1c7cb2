"""A sources factory for the engine's child that returns only once a file exists: a child that is busy
starting and reads no command meanwhile, as a real one is while it imports and opens the store."""

from __future__ import annotations

import os
import time
from typing import Any


def sources_after(flag: str, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while not os.path.exists(flag):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{flag} did not appear within {timeout} s")
        time.sleep(0.01)
    return {}
