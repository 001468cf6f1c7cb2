"""What the DMS API offers beyond the task itself (apis.md §2.4–2.5), read into plain values.

- A running task's progress (`…/tasks/{id}/progress`, Kafka and RocketMQ): a percentage and steps whose
  state field is really spelled `statue` (SDK `step_detail.py`). `remain_time` has no documented unit,
  so it is kept (in `extra`) but not shown as a time.
- An instance's scheduled tasks (`…/scheduled-tasks`): jobs shaped like background tasks plus
  `schedule_at`, shown as "scheduled for …".
"""

from __future__ import annotations

from typing import Any

from tui.core.model import Steps
from tui.providers.base import as_count, as_int, as_text, clamp_progress

__all__ = ["STEP_DONE", "STEP_FAILED", "progress_from_body", "scheduled_items"]

STEP_DONE = "COMPLETED"
STEP_FAILED = "FAILED"


def progress_from_body(data: Any) -> tuple[float | None, Steps | None, int | None]:
    """(percentage 0..100, steps done/failed/total, remain_time as the server sent it) of a progress answer."""
    if not isinstance(data, dict):
        return None, None, None
    percent = clamp_progress(data.get("progress_percentage"))
    steps: Steps | None = None
    step_list = data.get("step_list")
    if isinstance(step_list, list) and step_list:
        states = [as_text(s.get("statue")).upper() for s in step_list if isinstance(s, dict)]
        steps = Steps(done=states.count(STEP_DONE), failed=states.count(STEP_FAILED), total=len(states))
    return percent, steps, as_count(data.get("remain_time"))


def scheduled_items(data: Any) -> tuple[list[dict[str, Any]], int | None]:
    """(job objects, job_count) of a scheduled-tasks answer; ([], None) for anything else."""
    if not isinstance(data, dict) or not isinstance(data.get("jobs"), list):
        return [], None
    jobs = [j for j in data["jobs"] if isinstance(j, dict) and j.get("id")]
    return jobs, as_int(data.get("job_count"))
