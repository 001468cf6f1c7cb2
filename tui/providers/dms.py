"""Huawei Cloud DMS (Kafka, RabbitMQ, RocketMQ) instance background tasks (apis.md §2)."""

from __future__ import annotations

from typing import Any

from tui.core.decode import decode_nested
from tui.core.families import DMS_FAMILY
from tui.core.model import PartialListing, TaskListing, TaskRef, TaskSnapshot
from tui.core.summary import summarize
from tui.core.text import clean
from tui.providers.base import DECODE_LIMIT, as_count, as_int, as_text, coarse_progress, log, now
from tui.providers.errors import ProviderError, other_task_error, refuse_unsafe_ids
from tui.providers.huawei import HuaweiProvider

PAGE_SIZE = 50
MAX_PAGES = 200


class DmsProvider(HuaweiProvider):
    family = DMS_FAMILY
    # Current docs name the paging parameter `offset`, older ones and the SDK `start`
    # (apis.md §2.3). Try `offset`; fall back to `start` once a server rejects it.
    paging_param = "offset"

    def _tasks_path(self, instance: str | None) -> str:
        return f"/v2/{self.project_id}/instances/{instance}/tasks"

    def task_path(self, ref: TaskRef) -> str:
        refuse_unsafe_ids(ref)
        return f"{self._tasks_path(ref.instance)}/{ref.id}"

    def snapshot_from_body(self, ref: TaskRef, data: Any, text: str) -> TaskSnapshot:
        tasks = data.get("tasks") if isinstance(data, dict) else None
        if not isinstance(tasks, list):
            raise self.wrong_shape("an object with a list of tasks was expected", data)
        item = next((t for t in tasks if isinstance(t, dict) and as_text(t.get("id")) == ref.id), None)
        if item is None:
            if not tasks:
                raise ProviderError("task is gone (the server returned no task with this id)",
                                    status=200, code="empty", gone=True)
            if not isinstance(tasks[0], dict):
                raise self.wrong_shape("task entries must be objects", tasks[0])
            raise other_task_error(ref.id, as_text(tasks[0].get("id")))
        return self._snapshot(ref, item, text)

    def _snapshot(self, ref: TaskRef, item: dict[str, Any], text: str) -> TaskSnapshot:
        raw_state = as_text(item.get("status"))
        state = self.map_state(raw_state)
        name = as_text(item.get("name"))
        params_text = item.get("params")
        params: Any = params_text
        if isinstance(params_text, str) and len(params_text) <= DECODE_LIMIT:
            params = decode_nested(params_text)
        return TaskSnapshot(
            ref=ref,
            state=state,
            raw_state=clean(raw_state, limit=60),
            progress=coarse_progress(state),
            title=clean(ref.label or name or "background task", limit=200),
            kind=clean(name, limit=80),
            created=clean(as_text(item.get("created_at")), limit=40) or None,
            updated=clean(as_text(item.get("updated_at")), limit=40) or None,
            result_raw=params_text if isinstance(params_text, str) else None,
            result=params,
            summary=summarize(self.family, name, state.value, params, params=params),
            raw_body=text,
            fetched_at=now(),
            extra={"user_name": clean(as_text(item.get("user_name")), limit=80)},
        )

    async def list_tasks(self, instance: str, *, begin_time: str | None = None,
                         end_time: str | None = None) -> TaskListing:
        """Every background task of an instance, across pages, never cut short silently.

        Pages are read until the ids seen reach `task_count` (the total, a string). Current docs name
        the paging parameter `offset`, older ones and the SDK `start` (apis.md §2.3), and a server may
        ignore the one it does not know and answer the first page again: a page that brings nothing
        new while more remain (or a 400) is asked again with the other name, and the name that works
        is kept for the next listings. Still short: the listing says so (`partial`).
        """
        await self.ensure_project()
        snapshots: list[TaskSnapshot] = []
        seen: set[str] = set()
        position = 0
        total: int | None = None
        switched = False
        for _ in range(MAX_PAGES):
            params: dict[str, Any] = {"limit": PAGE_SIZE}
            if position:
                params[self.paging_param] = position
            if begin_time:
                params["begin_time"] = begin_time
            if end_time:
                params["end_time"] = end_time
            try:
                data, _ = await self.get_json(self._tasks_path(instance), params=params, gone_on_404=False)
            except ProviderError as exc:
                if position and exc.status == 400 and not switched:
                    self._switch_paging()
                    switched = True
                    continue
                raise
            tasks = data.get("tasks") if isinstance(data, dict) else None
            if not isinstance(tasks, list):
                raise self.wrong_shape("an object with a list of tasks was expected", data)
            new = 0
            for item in tasks:
                if not isinstance(item, dict) or not item.get("id"):
                    continue
                task_id = as_text(item.get("id"))
                if task_id in seen:
                    continue
                seen.add(task_id)
                new += 1
                ref = TaskRef(provider=self.name, id=task_id, instance=instance)
                snapshots.append(self._snapshot(ref, item, ""))
            total = as_count(data.get("task_count"))
            if total is None or len(seen) >= total or not tasks:
                break
            if new == 0 and position:
                # The server ignored the paging parameter and answered an earlier page again.
                if switched:
                    self._switch_paging()  # neither name works: keep the one configured first
                    break
                self._switch_paging()
                switched = True
                continue  # the same position, asked with the other name
            if new and switched:
                switched = False  # the other name works: it is kept (self.paging_param)
            position += len(tasks)
        partial = None
        if total is not None and len(seen) < total:
            partial = PartialListing(self.name, instance, len(seen), total)
            log.info("%s: %s", self.name, partial.message)
        return TaskListing(tuple(snapshots), partial)

    def _switch_paging(self) -> None:
        self.paging_param = "start" if self.paging_param == "offset" else "offset"

    async def list_instances(self, engine: str | None = None) -> list[dict[str, Any]]:
        """Instances of the project: [{id, name, engine, status}]."""
        await self.ensure_project()
        found: list[dict[str, Any]] = []
        offset = 0
        for _ in range(MAX_PAGES):
            params: dict[str, Any] = {"offset": offset, "limit": PAGE_SIZE}
            if engine:
                params["engine"] = engine
            data, _ = await self.get_json(f"/v2/{self.project_id}/instances",
                                          params=params, gone_on_404=False)
            items = data.get("instances") if isinstance(data, dict) else None
            if not isinstance(items, list):
                raise self.wrong_shape("a list of instances was expected", data)
            for item in items:
                if isinstance(item, dict) and item.get("instance_id"):
                    found.append({key: clean(as_text(item.get(src))) for key, src in
                                  (("id", "instance_id"), ("name", "name"), ("engine", "engine"),
                                   ("status", "status"))})
            offset += len(items)
            total = as_int(data.get("instance_num"))
            if not items or total is None or offset >= total:
                break
        return found
