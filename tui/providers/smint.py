"""Smint.io background tasks: `GET {base_url}/backgroundTasks/{uuid}` (apis.md §1)."""

from __future__ import annotations

from typing import Any

from tui.core.decode import decode_result
from tui.core.families import SMINT_FAMILY
from tui.core.model import Steps, TaskRef, TaskSnapshot
from tui.core.summary import summarize
from tui.core.text import clean
from tui.providers.base import DECODE_LIMIT, Provider, as_count, as_text, clamp_progress, now


class SmintProvider(Provider):
    family = SMINT_FAMILY

    def task_path(self, ref: TaskRef) -> str:
        return f"/backgroundTasks/{ref.id}"

    def snapshot_from_body(self, ref: TaskRef, data: Any, text: str) -> TaskSnapshot:
        if not isinstance(data, dict):
            raise self.wrong_shape("a background task object was expected", data)
        raw_state = as_text(data.get("state"))
        state = self.map_state(raw_state)
        total = as_count(data.get("total_steps"))
        done = as_count(data.get("succeeded_steps")) or 0
        failed = as_count(data.get("failed_steps")) or 0
        steps = Steps(done=done, failed=failed, total=total) if total else None
        progress = clamp_progress(data.get("finished_percentage"))
        result_raw = data.get("result_string")
        result_text = as_text(result_raw) if result_raw is not None else None
        result: Any = None
        if result_text:
            result = decode_result(result_text) if len(result_text) <= DECODE_LIMIT else result_text
        summary = summarize(self.family, "", state.value, result,
                            steps=(done, failed, total) if total else None)
        return TaskSnapshot(
            ref=ref,
            state=state,
            raw_state=clean(raw_state, limit=60),
            progress=progress,
            steps=steps,
            title=clean(ref.label or "background task", limit=200),
            kind="",
            result_raw=result_text,
            result=result,
            summary=summary,
            raw_body=text,
            fetched_at=now(),
        )
