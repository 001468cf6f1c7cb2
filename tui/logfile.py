"""`--log-file PATH`: a redacted debug log for bug reports."""

from __future__ import annotations

import logging
import os

from tui.core.secrets import RedactingFilter

LOGGER = "taskdeck"


def setup_log_file(path: str, level: int = logging.DEBUG) -> logging.Handler:
    """Send taskdeck's (and httpx's) log records to `path`, secrets redacted, file mode 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    handler = logging.StreamHandler(os.fdopen(fd, "a", encoding="utf-8"))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    for name in (LOGGER, "httpx", "httpcore", "aiohttp"):
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.addHandler(handler)
    return handler
