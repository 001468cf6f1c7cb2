"""Huawei Cloud DMS (Kafka, RabbitMQ, RocketMQ) instance background tasks (apis.md §2)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from tui.core.decode import decode_nested
from tui.core.families import DMS_FAMILY
from tui.core.model import PartialListing, TaskListing, TaskRef, TaskSnapshot, TaskState
from tui.core.summary import summarize
from tui.core.text import clean
from tui.providers.base import DECODE_LIMIT, as_count, as_int, as_text, coarse_progress, log, now
from tui.providers.dms_extras import progress_from_body, scheduled_items
from tui.providers.errors import ProviderError, other_task_error, refuse_unsafe_ids
from tui.providers.huawei import HuaweiProvider

PAGE_SIZE = 50
MAX_PAGES = 200


class DmsProvider(HuaweiProvider):
    family = DMS_FAMILY
    # Current docs name the paging parameter `offset`, older ones and the SDK `start`
    # (apis.md §2.3). Try `offset`; fall back to `start` once a server rejects it.
    paging_param = "offset"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (instance, task name) whose progress the server refuses (4xx: only capacity expansion has
        # one, and RabbitMQ none at all; the same name may have one on a Kafka instance), and
        # instances without scheduled tasks: not asked again.
        self.no_progress: set[tuple[str, str]] = set()
        self.no_schedule: set[str] = set()

    async def fetch(self, ref: TaskRef) -> TaskSnapshot:
        return await self._with_progress(await super().fetch(ref))

    async def _with_progress(self, snapshot: TaskSnapshot) -> TaskSnapshot:
        """A running task with its progress (percentage, steps), read once per poll; a 4xx there means
        "no progress for this task name", remembered, never an error; other failures leave it out."""
        name = (snapshot.ref.instance or "", snapshot.kind)
        if snapshot.state is not TaskState.RUNNING or name in self.no_progress:
            return snapshot
        try:
            data, _ = await self.get_json(f"{self.task_path(snapshot.ref)}/progress", gone_on_404=False)
        except ProviderError as exc:
            if exc.status is not None and 400 <= exc.status < 500 and exc.status not in (401, 429):
                self.no_progress.add(name)
                log.debug("%s: no progress for tasks named %r on %s (HTTP %s)", self.name, name[1], name[0],
                          exc.status)
            return snapshot
        percent, steps, remain = progress_from_body(data)
        return replace(snapshot, progress=percent if percent is not None else snapshot.progress,
                       steps=steps or snapshot.steps, extra={**snapshot.extra, "remain_time": remain})

    async def _scheduled(self, instance: str, begin_time: str | None) -> list[TaskSnapshot]:
        """The instance's scheduled tasks, "scheduled for …" (apis.md §2.5). Not part of task_count."""
        if instance in self.no_schedule:
            return []
        found: list[TaskSnapshot] = []
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            params: dict[str, Any] = {"start": len(seen), "limit": PAGE_SIZE}
            if begin_time:
                params["begin_time"] = begin_time
            try:
                data, _ = await self.get_json(f"/v2/{self.project_id}/instances/{instance}/scheduled-tasks",
                                              params=params, gone_on_404=False)
            except ProviderError as exc:
                if exc.status is not None and 400 <= exc.status < 500 and exc.status not in (401, 429):
                    self.no_schedule.add(instance)
                return found
            jobs, count = scheduled_items(data)
            new = [j for j in jobs if as_text(j.get("id")) not in seen]
            for job in new:
                job_id = as_text(job.get("id"))
                seen.add(job_id)
                snapshot = self._snapshot(TaskRef(provider=self.name, id=job_id, instance=instance), job, "")
                at = clean(as_text(job.get("schedule_at")), limit=40)
                found.append(replace(snapshot, summary=f"scheduled for {at}" if at else snapshot.summary,
                                     extra={**snapshot.extra, "schedule_at": at or None, "scheduled": True}))
            if not new or count is None or len(seen) >= count:
                return found
        return found

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
        running = [s for s in snapshots if s.state is TaskState.RUNNING]
        if running:
            with_progress = dict(zip([s.ref.key for s in running],
                                     await asyncio.gather(*map(self._with_progress, running)), strict=True))
            snapshots = [with_progress.get(s.ref.key, s) for s in snapshots]
        scheduled = [s for s in await self._scheduled(instance, begin_time) if s.ref.id not in seen]
        return TaskListing(tuple(snapshots), partial, tuple(scheduled))

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
