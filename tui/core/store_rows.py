"""How a snapshot is kept in the history store's `tasks` table, and read back.

Results are kept as JSON text (secret values blanked, as in `taskdeck status --json`) up
to `RESULT_CAP` characters; a longer one is cut and comes back as text ending in `CUT_MARK`,
so nobody mistakes a cut document for a whole one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from tui.core.headless import scrub
from tui.core.model import Steps, TaskError, TaskRef, TaskSnapshot, TaskState

# A result is kept up to this many characters of its JSON text; longer ones are cut and marked.
RESULT_CAP = 1_000_000
CUT_MARK = "\n… [cut by taskdeck: the result was longer than 1 MB]"

COLUMNS = ("key", "provider", "instance", "id", "label", "state", "raw_state", "progress", "steps_done",
            "steps_failed", "steps_total", "title", "kind", "summary", "created", "updated", "result",
            "result_cut", "fetched_at", "gone_since")


# The whole `tasks` table as one JSON document, made by SQLite in one step. Why: fetching
# 10,000 rows one by one gives the GIL away and back at every row, and while the UI thread
# is busy starting the app each hand-back waits for its switch interval: the read took
# 0.6-0.9 s instead of 0.07 s. REAL columns travel as 17-digit text (SQLite's JSON writes 15
# digits), so they come back exactly as stored.
_REAL_COLUMNS = frozenset({"progress", "fetched_at", "gone_since"})
_REAL_AT = tuple(i for i, c in enumerate(COLUMNS) if c in _REAL_COLUMNS)
LOAD_AS_JSON = "SELECT json_group_array(json_array({})) FROM tasks".format(", ".join(
    f"iif({c} IS NULL, NULL, printf('%!.17g', {c}))" if c in _REAL_COLUMNS else c for c in COLUMNS))


def rows_from_json(text: str | None) -> list[list[Any]]:
    """The rows of LOAD_AS_JSON's document, shaped as a SELECT of COLUMNS gives them."""
    rows: list[list[Any]] = json.loads(text) if text else []
    for row in rows:
        for i in _REAL_AT:
            if row[i] is not None:
                row[i] = float(row[i])
    return rows


def _result_text(result: Any) -> tuple[str | None, bool]:
    if result is None:
        return None, False
    try:
        text = json.dumps(scrub(result), ensure_ascii=False, separators=(",", ":"), default=str)
    except (TypeError, ValueError, RecursionError):
        text = json.dumps(str(result))
    if len(text) > RESULT_CAP:
        return text[:RESULT_CAP], True
    return text, False


def _result_value(text: str | None, cut: bool) -> Any:
    if text is None:
        return None
    if cut:
        return text + CUT_MARK
    try:
        return json.loads(text)
    except ValueError:
        return text


def to_row(snap: TaskSnapshot, at: float) -> tuple[Any, ...]:
    ref = snap.ref
    steps = snap.steps
    result, cut = _result_text(snap.result)
    return (ref.key, ref.provider, ref.instance, ref.id, ref.label, snap.state.value, snap.raw_state,
            snap.progress, steps.done if steps else None, steps.failed if steps else None,
            steps.total if steps else None, snap.title, snap.kind, snap.summary, snap.created, snap.updated,
            result, int(cut), snap.fetched_at or at, None)


def _state(value: str) -> TaskState:
    try:
        return TaskState(value)
    except ValueError:
        return TaskState.UNKNOWN


_NOT_DECODED = object()


def decode_results(rows: Sequence[Sequence[Any]]) -> list[Any]:
    """The results of many rows, decoded in one json.loads call: 10,000 calls cost more than their
    parsing. Safe because every stored text was written by `to_row` as one JSON document (cut ones are
    not JSON and are handled alone); row by row if the batch does not parse all the same."""
    values: list[Any] = [None] * len(rows)
    whole: list[int] = []
    for i, row in enumerate(rows):
        if row[16] is None:
            continue
        if row[17]:
            values[i] = _result_value(row[16], True)
        else:
            whole.append(i)
    if whole:
        try:
            decoded = json.loads("[" + ",".join(rows[i][16] for i in whole) + "]")
        except ValueError:
            decoded = None
        if isinstance(decoded, list) and len(decoded) == len(whole):
            for i, value in zip(whole, decoded, strict=True):
                values[i] = value
        else:
            for i in whole:
                values[i] = _result_value(rows[i][16], False)
    return values


def from_row(row: Sequence[Any], result_value: Any = _NOT_DECODED) -> TaskSnapshot:
    """A remembered snapshot from a `tasks` row (`result_value`: its result, if decoded already)."""
    (_key, provider, instance, task_id, label, state, raw_state, progress, done, failed, total, title, kind,
     summary, created, updated, result, cut, fetched_at, gone_since) = row
    if result_value is _NOT_DECODED:
        result_value = _result_value(result, bool(cut))
    steps = Steps(done, failed or 0, total) if done is not None and total is not None else None
    snap = TaskSnapshot(
        ref=TaskRef(provider=provider, id=task_id, instance=instance, label=label),
        state=_state(state), raw_state=raw_state or "", progress=progress, steps=steps, title=title or "",
        kind=kind or "", created=created, updated=updated, result_raw=result,
        result=result_value, summary=summary or "", fetched_at=fetched_at,
        remembered=True, gone_since=gone_since)
    if gone_since is not None:
        snap = replace(snap, error=TaskError(message="gone from the server", code="gone", gone=True))
    return snap
