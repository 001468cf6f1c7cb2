"""Snapshots as scripts see them: the JSON record of `taskdeck status`/`wait`, and one-line texts.

No textual/rich imports here. Every text that came from a server or a config file goes through
`safe()` (secrets blanked, control characters made visible); results keep their content, with only
registered secret values blanked, so an exported document can be saved as it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from tui.core.model import PartialListing, TaskError, TaskRef, TaskSnapshot
from tui.core.secrets import redact, redact_values
from tui.core.summary_formats import failed_parts
from tui.core.text import clean

__all__ = ["error_text", "json_line", "progress_text", "safe", "scrub", "task_name", "task_record"]

# Nesting beyond this is left as it is by `scrub` (decoded results are far shallower).
_MAX_DEPTH = 200


def safe(text: object, limit: int | None = None) -> str:
    """One line of text fit for a terminal or a log: secrets blanked, controls made visible."""
    if text is None:
        return ""
    return clean(redact(text if isinstance(text, str) else str(text)), limit=limit)


def scrub(value: Any, _depth: int = 0) -> Any:
    """A copy of a decoded result with every registered secret value blanked in its strings."""
    if isinstance(value, str):
        return redact_values(value)
    if _depth >= _MAX_DEPTH:
        return value
    if isinstance(value, dict):
        return {redact_values(k) if isinstance(k, str) else k: scrub(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v, _depth + 1) for v in value]
    return value


def error_record(error: TaskError | None) -> dict[str, Any] | None:
    if error is None:
        return None
    return {"status": error.status, "code": safe(error.code) if error.code else None, "message": safe(error.message),
            "hint": safe(error.hint) if error.hint else None,
            "request_id": safe(error.request_id) if error.request_id else None}


def task_record(snapshot: TaskSnapshot, kind: str, warnings: Iterable[PartialListing] = ()) -> dict[str, Any]:
    """The JSON object of one task: provider, kind (the profile's), ids, state, result, error.

    `title` is the task's type or name as its API says it ("export_api", "bindInstancePublicIp");
    Smint.io tasks have none, so theirs is the label or "background task".
    """
    ref = snapshot.ref
    steps = snapshot.steps
    return {
        "provider": ref.provider,
        "kind": kind,
        "instance": ref.instance,
        "id": ref.id,
        "label": ref.label,
        "state": snapshot.state.value,
        "raw_state": safe(snapshot.raw_state) or None,
        "progress": snapshot.progress,
        "steps": None if steps is None else {"done": steps.done, "failed": steps.failed, "total": steps.total},
        # Parts that failed (an APIG import's failures, failed steps): a "succeeded" task with failures > 0
        # succeeded with failures. `state` keeps its six words, so scripts testing it keep working.
        "failures": failed_parts(snapshot.result, steps),
        "title": safe(snapshot.kind or snapshot.title) or None,
        "summary": safe(snapshot.summary) or None,
        "result": scrub(snapshot.result),
        "error": error_record(snapshot.error),
        # Facts about how the task was found that a script must not miss: the listing of its
        # instance came back short (`kind` "partial-listing"; the command then exits 3).
        "warnings": [w.as_dict() for w in warnings],
    }


def json_line(record: dict[str, Any]) -> str:
    """One JSON object on one line, ASCII only (nothing in it can act on a terminal)."""
    return json.dumps(record, ensure_ascii=True, separators=(",", ":"), default=str)


def task_name(ref: TaskRef) -> str:
    """`provider instance/id "label"`, made safe for a terminal."""
    text = f"{safe(ref.provider)} "
    if ref.instance:
        text += f"{safe(ref.instance)}/"
    text += safe(ref.id)
    if ref.label:
        text += f' "{safe(ref.label, limit=80)}"'
    return text


def progress_text(snapshot: TaskSnapshot) -> str:
    """`45%`, `3/10 steps`, `45% 3/10 steps (1 failed)`, or "" when nothing is known."""
    parts = []
    if snapshot.progress is not None:
        parts.append(f"{snapshot.progress:.0f}%")
    steps = snapshot.steps
    if steps is not None:
        text = f"{steps.done}/{steps.total} steps"
        if steps.failed:
            text += f" ({steps.failed} failed)"
        parts.append(text)
    return " ".join(parts)


def error_text(error: TaskError | None, limit: int | None = None) -> str:
    return "" if error is None else safe(str(error), limit=limit)
