"""Huawei Cloud APIG (dedicated gateway): gateways list and async task results."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import credentials as cred
from .bodies import apply_overrides, dumps, huawei_error, json_response
from .huawei import gate, query_int
from .plans import RUNNING, SUCCEEDED, WAITING, Instance, Plan, phase_at

if TYPE_CHECKING:
    from .clock import SimClock
    from .state import SimState

FAMILY = "apig"


def task_body(plan: Plan, now: float) -> bytes:
    """ShowAsyncTaskResult body, cached per phase; task_result is "" until the task ends."""
    phase, _, _ = phase_at(plan, now)
    if plan.cache_key == phase:
        return plan.cache_body
    if phase == WAITING:
        status, result = "waiting", ""
    elif phase == RUNNING:
        status, result = "processing", ""
    elif phase == SUCCEEDED:
        status, result = "succeed", plan.result or ""
    else:
        status, result = "failed", plan.error or ""
    obj = apply_overrides(plan, {
        "task_id": plan.id,
        "task_status": status,
        "task_type": plan.name,
        "task_result": result,
    })
    if plan.body_overrides:
        obj.update(plan.body_overrides)
    plan.cache_key, plan.cache_obj, plan.cache_body = phase, obj, dumps(obj)
    return plan.cache_body


def instance_item(inst: Instance, clock: SimClock) -> dict[str, Any]:
    return {
        "id": inst.id,
        "project_id": cred.PROJECT_ID,
        "instance_name": inst.name,
        "status": inst.status,
        "instance_status": 6,
        "type": "apig",
        "spec": "BASIC",
        "create_time": int(clock.wall(inst.created) * 1000),
        "enterprise_project_id": "0",
        "eip_address": None,
        "charging_mode": 0,
        "cbc_metadata": "",
        "loadbalancer_provider": "elb",
    }


def routes(state: SimState) -> list[tuple[str, str, str, Any]]:
    tasks = state.tasks["apig"]
    clock = state.clock

    async def show_task(request: web.Request) -> web.StreamResponse:
        denied = await gate(state, FAMILY, request)
        if denied is not None:
            return denied
        mi = request.match_info
        task_id = mi["task_id"]
        plan = tasks.get(task_id)
        if plan is None or plan.instance != mi["instance_id"]:
            inst = state.instances.get(mi["instance_id"])
            if inst is None or inst.family != FAMILY:
                return huawei_error(404, "APIG.3030", "The instance does not exist")
            return huawei_error(404, "APIG.3093", f"The asynchronous task {task_id} does not exist")
        return json_response(200, task_body(plan, clock.now()))

    async def list_instances(request: web.Request) -> web.StreamResponse:
        denied = await gate(state, FAMILY, request)
        if denied is not None:
            return denied
        q = request.query
        offset = query_int(request, "offset", 0)
        limit = query_int(request, "limit", 20)
        if offset is None or offset < 0:
            return huawei_error(400, "APIG.2012", "Invalid parameter value,parameterName:offset")
        if limit is None:
            return huawei_error(400, "APIG.2012", "Invalid parameter value,parameterName:limit")
        limit = 20 if limit <= 0 else min(limit, 500)
        found = [
            i for i in state.instances.values()
            if i.family == FAMILY
            and (not q.get("instance_id") or i.id == q["instance_id"])
            and (not q.get("instance_name") or q["instance_name"] in i.name)
            and (not q.get("status") or i.status == q["status"])
        ]
        page = [instance_item(i, clock) for i in found[offset:offset + limit]]
        return json_response(200, dumps({"size": len(page), "total": len(found), "instances": page}))

    base = "/v2/{project_id}/apigw/instances"
    return [
        ("GET", base, FAMILY, list_instances),
        ("GET", base + "/{instance_id}/async-tasks/{task_id}", FAMILY, show_task),
    ]
