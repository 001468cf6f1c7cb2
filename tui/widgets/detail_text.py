"""The detail pane's text, without Textual: the body's lines, sizes and times as the pane shows them,
and the bytes and file name `e` saves. Kept apart from the widget so it can be built in a thread and
tested without an app."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tui.core.decode import export_document, to_pretty_json
from tui.core.model import TaskSnapshot
from tui.core.text import clean

__all__ = [
    "MAX_CHARS",
    "MAX_LINES",
    "SYNC_LIMIT",
    "Body",
    "build_body",
    "default_name",
    "estimated_size",
    "export_bytes",
    "fmt_epoch",
    "fmt_server_time",
    "fmt_size",
    "same_body",
]

MAX_CHARS = 200_000  # shown at most; `e` saves everything
MAX_LINES = 5_000
SYNC_LIMIT = 32_000  # bodies up to this size are formatted right away, larger ones in a thread


@dataclass(frozen=True, slots=True)
class Body:
    lines: list[str]
    highlight: bool
    truncated: bool
    size: int | None  # characters of the whole text, when known


def fmt_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def fmt_epoch(t: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t)) if t else "–"


def fmt_server_time(value: str | None) -> str:
    """A server's time (ISO 8601, or epoch seconds/milliseconds) in the pane's one format: local
    `YYYY-MM-DD HH:MM:SS`. A value that is neither is shown as it came."""
    if not value:
        return ""
    text = value.strip()
    try:
        if text.isdigit():
            number = int(text)
            return fmt_epoch(number / 1000 if number > 10**11 else number)
        return fmt_epoch(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())
    except (ValueError, OverflowError, OSError):
        return clean(text, limit=40)


def _pretty_raw(text: str) -> str:
    """The raw body indented when it is JSON (what the server sent, only laid out); else as it is."""
    try:
        return to_pretty_json(json.loads(text), max_chars=MAX_CHARS + 1)[0]
    except (ValueError, RecursionError):
        return text


def build_body(snapshot: TaskSnapshot, raw: bool) -> Body:
    """The lines to show for a snapshot: cleaned, at most MAX_CHARS / MAX_LINES. Thread-safe."""
    highlight = True
    size: int | None
    if raw:
        text = snapshot.raw_body or ""
        size = len(text)
        if not text:
            text, highlight = "(no response body yet)", False
        elif len(text) <= MAX_CHARS:
            text = _pretty_raw(text)
        truncated = len(text) > MAX_CHARS
        text = text[:MAX_CHARS]
    else:
        result = snapshot.result
        size = len(snapshot.result_raw) if snapshot.result_raw is not None else None
        if result is None:
            text, highlight, truncated = "(no result yet)", False, False
        elif isinstance(result, str):
            size = len(result)
            text, highlight, truncated = result[:MAX_CHARS], False, len(result) > MAX_CHARS
        else:
            text, truncated = to_pretty_json(result, max_chars=MAX_CHARS)
    lines = clean(text, multiline=True).split("\n")
    if len(lines) > MAX_LINES:
        lines, truncated = lines[:MAX_LINES], True
    return Body(lines, highlight, truncated, size)


def estimated_size(snapshot: TaskSnapshot, raw: bool) -> int:
    if raw:
        return len(snapshot.raw_body or "")
    if snapshot.result is None:
        return 0
    if isinstance(snapshot.result, str):
        return len(snapshot.result)
    if snapshot.result_raw is not None:
        return len(snapshot.result_raw)
    return SYNC_LIMIT + 1  # unknown: assume large


def same_body(a: TaskSnapshot, b: TaskSnapshot, raw: bool) -> bool:
    if raw:
        return a.raw_body == b.raw_body
    if a.result is b.result:
        return True
    return a.result_raw is not None and a.result_raw == b.result_raw and type(a.result) is type(b.result)


def export_bytes(result: Any) -> bytes:
    """What `e` writes: an APIG export's document itself, else the whole result as JSON."""
    found = export_document(result)
    value = found[1] if found is not None else result
    if isinstance(value, str):
        return value.encode("utf-8")
    return (to_pretty_json(value)[0] + "\n").encode("utf-8")


def _safe_name(name: str) -> str:
    """A file name every OS accepts: no path separators, no ':' (Windows refuses it, macOS shows '/'),
    none of Windows' other reserved characters, no control characters."""
    name = name.replace(":", "-")
    name = "".join("_" if c in '/\\<>"|?*' or ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 else c for c in name)
    return name.strip().lstrip(".")[:200] or "result"


def default_name(snapshot: TaskSnapshot) -> str:
    """The file name `e` suggests: the APIG export's own name, else `<task id>.json`."""
    found = export_document(snapshot.result)
    if found is not None:
        return _safe_name(found[0])
    suffix = ".txt" if isinstance(snapshot.result, str) else ".json"
    return _safe_name(snapshot.ref.id) + suffix
