"""DMS beyond the task itself (apis.md §2.4–2.5): a running task's progress, an instance's scheduled tasks.

- ``GET …/tasks/{task_id}/progress`` (Kafka and RocketMQ only): ``{progress_percentage, remain_time,
  step_list: [{name, statue, start_time, end_time}]}``, the field really spelled ``statue``, times in epoch
  ms. The docs say progress exists only during capacity expansion: other tasks get 400, a RabbitMQ
  instance 404 (its API has no such path).
- ``GET …/scheduled-tasks?start=&limit=&begin_time=&end_time=``: ``{job_count, jobs: [{id, name, user_name,
  user_id, params, status, created_at, updated_at, schedule_at}]}``; the demo instances have a few jobs.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .bodies import dumps, huawei_error, json_response
from .clock import iso_ms
from .huawei import gate, query_int
from .plans import FAILED, RUNNING, SUCCEEDED, WAITING, Instance, Plan, phase_at

if TYPE_CHECKING:
    from .clock import SimClock
    from .state import SimState

FAMILY = "dms"
# Task names whose progress the API reports: capacity expansion.
PROGRESS_NAMES = frozenset({"extendInstance"})
PROGRESS_ENGINES = frozenset({"kafka", "rocketmq"})
STEPS = ("pre_check", "disk_expansion", "broker_restart", "post_check")
NOT_FOUND = "DMS.00404022"
NO_PROGRESS = "DMS.00400091"
# Scheduled jobs of the demo instances, by instance name: (task name, hours from now, status, params).
SCHEDULED: dict[str, list[tuple[str, float, str, str]]] = {
    "kafka-orders": [
        ("restartInstance", 26.0, "CREATED", "{}"),
        ("extendInstance", 72.0, "CREATED", '{"new_storage_space":900}'),
        ("modifyInstanceConfigs", -48.0, "SUCCESS", '{"num.partitions":"6"}'),
    ],
    "rabbitmq-billing": [("restartInstance", 6.0, "CREATED", "{}"), ("restartInstance", -30.0, "CANCELLED", "{}")],
}


def progress_body(plan: Plan, clock: SimClock) -> dict[str, Any]:
    phase, fraction, since = phase_at(plan, clock.now())
    start_ms = int(clock.wall(plan.created + plan.wait) * 1000)
    step_ms = int(plan.run * 1000 / len(STEPS))
    current = min(int(fraction * len(STEPS)), len(STEPS) - 1)
    steps = []
    for n, name in enumerate(STEPS):
        if phase == SUCCEEDED or n < current:
            statue = "COMPLETED"
        elif n == current and phase == FAILED:
            statue = "FAILED"
        elif n == current and phase == RUNNING:
            statue = "IN_PROGRESS"
        else:
            statue = "WAITING"
        began = start_ms + n * step_ms if statue != "WAITING" else None
        ended = start_ms + (n + 1) * step_ms if statue in ("COMPLETED", "FAILED") else None
        steps.append({"name": name, "statue": statue, "start_time": began, "end_time": ended})
    remain = 0 if phase not in (WAITING, RUNNING) else int((1 - fraction) * plan.run * 1000)
    return {"progress_percentage": int(round(fraction * 100)), "remain_time": remain, "step_list": steps}


def scheduled_jobs(inst: Instance, clock: SimClock) -> list[dict[str, Any]]:
    jobs = []
    now = clock.wall()
    for n, (name, hours, status, params) in enumerate(SCHEDULED.get(inst.name, [])):
        job_id = hashlib.sha256(f"{inst.id}/job/{n}".encode()).hexdigest()[:32]
        at = now + hours * 3600
        created = min(now, at) - 86400
        jobs.append({"id": job_id, "name": name, "user_name": "paas_dms", "user_id": "3df5acbc24a54fadb62a043c9000a307",
                     "params": params, "status": status, "created_at": iso_ms(created),
                     "updated_at": iso_ms(created if status == "CREATED" else min(now, at)),
                     "schedule_at": iso_ms(at)})
    return jobs


def routes(state: SimState) -> list[tuple[str, str, str, Any]]:
    tasks = state.tasks["dms"]
    clock = state.clock

    async def show_progress(request: web.Request) -> web.StreamResponse:
        denied = await gate(state, FAMILY, request)
        if denied is not None:
            return denied
        mi = request.match_info
        inst = state.instances.get(mi["instance_id"])
        if inst is None or inst.family != FAMILY:
            return huawei_error(404, NOT_FOUND, "The instance does not exist.")
        if inst.engine not in PROGRESS_ENGINES:
            return huawei_error(404, "APIG.0101", "The API does not exist or has not been published in the environment")
        plan = tasks.get(mi["task_id"])
        if plan is None or plan.instance != inst.id:
            return huawei_error(404, NOT_FOUND, f"The background task {mi['task_id']} does not exist.")
        if plan.name not in PROGRESS_NAMES:
            return huawei_error(400, NO_PROGRESS, "The progress can be queried only during capacity expansion.")
        return json_response(200, dumps(progress_body(plan, clock)))

    async def list_scheduled(request: web.Request) -> web.StreamResponse:
        denied = await gate(state, FAMILY, request)
        if denied is not None:
            return denied
        inst = state.instances.get(request.match_info["instance_id"])
        if inst is None or inst.family != FAMILY:
            return huawei_error(404, NOT_FOUND, "The instance does not exist.")
        start = query_int(request, "start", 0)
        limit = query_int(request, "limit", 10)
        if start is None or start < 0 or limit is None or limit < 1:
            return huawei_error(400, "DMS.00400000", "Invalid request parameter: start or limit")
        jobs = scheduled_jobs(inst, clock)
        return json_response(200, dumps({"job_count": len(jobs), "jobs": jobs[start:start + min(limit, 50)]}))

    base = "/v2/{project_id}/instances/{instance_id}"
    return [
        ("GET", base + "/tasks/{task_id}/progress", FAMILY, show_progress),
        ("GET", base + "/scheduled-tasks", FAMILY, list_scheduled),
    ]
