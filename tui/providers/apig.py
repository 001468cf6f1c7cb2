"""Huawei Cloud APIG async import/export tasks (apis.md §3)."""

from __future__ import annotations

from typing import Any

from tui.core.decode import decode_result
from tui.core.families import APIG_FAMILY
from tui.core.model import TaskRef, TaskSnapshot
from tui.core.summary import summarize
from tui.core.text import clean
from tui.providers.base import DECODE_LIMIT, as_text, coarse_progress, now
from tui.providers.errors import other_task_error, refuse_unsafe_ids
from tui.providers.huawei import HuaweiProvider

TASK_TYPES = {"import_api": "import APIs", "export_api": "export APIs"}


class ApigProvider(HuaweiProvider):
    family = APIG_FAMILY

    def task_path(self, ref: TaskRef) -> str:
        refuse_unsafe_ids(ref)
        return f"/v2/{self.project_id}/apigw/instances/{ref.instance}/async-tasks/{ref.id}"

    def snapshot_from_body(self, ref: TaskRef, data: Any, text: str) -> TaskSnapshot:
        if not isinstance(data, dict):
            raise self.wrong_shape("an async task object was expected", data)
        answered = as_text(data.get("task_id"))
        if answered and answered != ref.id:
            raise other_task_error(ref.id, answered)
        raw_state = as_text(data.get("task_status"))
        state = self.map_state(raw_state)
        task_type = as_text(data.get("task_type"))
        result_text = as_text(data.get("task_result")) if data.get("task_result") is not None else None
        result: Any = None
        if result_text:
            result = decode_result(result_text) if len(result_text) <= DECODE_LIMIT else result_text
        title = ref.label or TASK_TYPES.get(task_type, task_type) or "async task"
        return TaskSnapshot(
            ref=ref,
            state=state,
            raw_state=clean(raw_state, limit=60),
            progress=coarse_progress(state),
            title=clean(title, limit=200),
            kind=clean(task_type, limit=80),
            result_raw=result_text,
            result=result,
            summary=summarize(self.family, task_type, state.value, result),
            raw_body=text,
            fetched_at=now(),
        )

    async def list_instances(self) -> list[dict[str, Any]]:
        """Dedicated gateways of the project: [{id, name, status}]."""
        await self.ensure_project()
        found: list[dict[str, Any]] = []
        offset = 0
        while True:
            data, _ = await self.get_json(f"/v2/{self.project_id}/apigw/instances",
                                          params={"offset": offset, "limit": 100}, gone_on_404=False)
            items = data.get("instances") if isinstance(data, dict) else None
            if not isinstance(items, list):
                raise self.wrong_shape("a list of gateways was expected", data)
            for item in items:
                if isinstance(item, dict) and item.get("id"):
                    found.append({"id": clean(as_text(item.get("id"))),
                                  "name": clean(as_text(item.get("instance_name"))),
                                  "status": clean(as_text(item.get("status")))})
            total = data.get("total")
            offset += len(items)
            if not items or not isinstance(total, int) or offset >= total:
                return found
