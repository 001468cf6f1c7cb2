"""Huawei Cloud DMS (Kafka, RabbitMQ, RocketMQ): instances, background task list and background task."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import credentials as cred
from .bodies import apply_overrides, dumps, huawei_error, json_response
from .clock import iso_ms
from .huawei import gate, query_int
from .plans import CANCELLED, DELETED, FAILED, RUNNING, SUCCEEDED, WAITING, Instance, Plan, phase_at

if TYPE_CHECKING:
    from .clock import SimClock
    from .state import SimState

FAMILY = "dms"
STATUS = {WAITING: "CREATED", RUNNING: "EXECUTING", SUCCEEDED: "SUCCESS", FAILED: "FAILED",
          CANCELLED: "CANCELLED", DELETED: "DELETED"}
DEFAULT_LIMIT = 10
MAX_LIMIT = 50
NOT_FOUND = "DMS.00404022"
BAD_PARAM = "DMS.00400000"
# What the current docs list for ListBackgroundTasks (a "strict" instance refuses anything else).
LIST_PARAMS = frozenset({"offset", "limit", "begin_time", "end_time"})


def task_item(plan: Plan, clock: SimClock) -> tuple[dict[str, Any], bytes]:
    """(task object, ShowBackgroundTask body), cached per phase."""
    phase, _, since = phase_at(plan, clock.now())
    if plan.cache_key == phase:
        return plan.cache_obj, plan.cache_body
    item = apply_overrides(plan, {
        "id": plan.id,
        "name": plan.name,
        "user_name": plan.user_name,
        "user_id": plan.user_id,
        "params": plan.params,
        "status": STATUS[phase],
        "created_at": iso_ms(clock.wall(plan.created)),
        "updated_at": iso_ms(clock.wall(since)),
    })
    body: dict[str, Any] = {"task_count": "1", "tasks": [item]}
    if plan.body_overrides:
        body.update(plan.body_overrides)
    plan.cache_key, plan.cache_obj, plan.cache_body = phase, item, dumps(body)
    return item, plan.cache_body


def instance_item(inst: Instance, clock: SimClock) -> dict[str, Any]:
    # Kafka and RabbitMQ answer with `ShowInstanceResp` (connect_address, port); RocketMQ with
    # `InstanceDetail`, which has neither but names its name servers and brokers (SDK 3.1.219 models).
    if inst.engine == "rocketmq":
        address: dict[str, Any] = {"namesrv_address": "192.168.0.10:8100,192.168.0.11:8100",
                                   "broker_address": "192.168.0.10:10100,192.168.0.11:10100"}
    else:
        address = {"connect_address": "192.168.0.10,192.168.0.11,192.168.0.12",
                   "port": 5672 if inst.engine == "rabbitmq" else 9092}
    return {
        "name": inst.name,
        "engine": inst.engine,
        "engine_version": inst.engine_version,
        "specification": "c6.2u4g.cluster",
        "storage_space": 300,
        "used_storage_space": 12,
        **address,
        "status": inst.status,
        "instance_id": inst.id,
        "resource_spec_code": f"dms.instance.{inst.engine}.cluster",
        "charging_mode": 1,
        "vpc_id": "1e93f86e-13af-46c8-97d6-d40fa62b76c2",
        "vpc_name": "vpc-sim",
        "created_at": str(int(clock.wall(inst.created) * 1000)),
        "user_id": cred.PROJECT_ID[:16] + "0" * 16,
        "user_name": "sim-user",
        "type": "cluster",
        "enterprise_project_id": "0",
    }


def _parse_time(value: str) -> float | None:
    try:
        return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return None


def _bad(name: str) -> web.Response:
    return huawei_error(400, BAD_PARAM, f"Invalid request parameter: {name}")


def routes(state: SimState) -> list[tuple[str, str, str, Any]]:
    tasks = state.tasks["dms"]
    clock = state.clock

    async def show_task(request: web.Request) -> web.StreamResponse:
        denied = await gate(state, FAMILY, request)
        if denied is not None:
            return denied
        mi = request.match_info
        plan = tasks.get(mi["task_id"])
        if plan is None or plan.instance != mi["instance_id"]:
            if mi["instance_id"] not in state.instances:
                return huawei_error(404, NOT_FOUND, "The instance does not exist.")
            return huawei_error(404, NOT_FOUND, f"The background task {mi['task_id']} does not exist.")
        return json_response(200, task_item(plan, clock)[1])

    async def list_tasks(request: web.Request) -> web.StreamResponse:
        denied = await gate(state, FAMILY, request)
        if denied is not None:
            return denied
        inst = state.instances.get(request.match_info["instance_id"])
        if inst is None or inst.family != FAMILY:
            return huawei_error(404, NOT_FOUND, "The instance does not exist.")
        q = request.query
        if inst.paging == "strict":
            unknown = sorted(set(q) - LIST_PARAMS)
            if unknown:
                return _bad(unknown[0])
        known = ("offset",) if inst.paging == "strict" else ("offset", "start") if inst.paging == "both" else (
            inst.paging,)
        # A name the instance does not know is ignored (the first page), as servers ignore unknown parameters.
        first_name = next((n for n in known if n in q), known[0])
        first = query_int(request, first_name, 0)
        limit = query_int(request, "limit", DEFAULT_LIMIT)
        if first is None or first < 0:
            return _bad(first_name)
        if limit is None or limit < 1:
            return _bad("limit")
        limit = min(limit, MAX_LIMIT)
        window = []
        for name in ("begin_time", "end_time"):
            raw = q.get(name)
            bound = _parse_time(raw) if raw else None
            if raw and bound is None:
                return _bad(name)
            window.append(bound)
        begin, end = window
        now = clock.now()
        selected = []
        for plan in state.dms_tasks(inst.id):
            if plan.created > now:
                continue
            created = clock.wall(plan.created)
            if (begin is not None and created < begin) or (end is not None and created > end):
                continue
            selected.append(plan)
        selected.sort(key=lambda p: -p.created)
        page = [task_item(p, clock)[0] for p in selected[first:first + limit]]
        return json_response(200, dumps({"task_count": str(len(selected)), "tasks": page}))

    async def list_instances(request: web.Request) -> web.StreamResponse:
        denied = await gate(state, FAMILY, request)
        if denied is not None:
            return denied
        q = request.query
        engine = q.get("engine")
        if engine == "reliability":
            engine = "rocketmq"
        offset = query_int(request, "offset", 0)
        limit = query_int(request, "limit", DEFAULT_LIMIT)
        if offset is None or offset < 0:
            return _bad("offset")
        if limit is None or not 1 <= limit <= MAX_LIMIT:
            return _bad("limit")
        found = [
            i for i in state.instances.values()
            if i.family == FAMILY
            and (not engine or i.engine == engine)
            and (not q.get("name") or (i.name == q["name"] if q.get("exact_match_name") == "true"
                                       else q["name"] in i.name))
            and (not q.get("instance_id") or i.id == q["instance_id"])
            and (not q.get("status") or i.status == q["status"])
        ]
        page = [instance_item(i, clock) for i in found[offset:offset + limit]]
        return json_response(200, dumps({"instances": page, "instance_num": len(found)}))

    base = "/v2/{project_id}/instances"
    return [
        ("GET", base, FAMILY, list_instances),
        ("GET", base + "/{instance_id}/tasks", FAMILY, list_tasks),
        ("GET", base + "/{instance_id}/tasks/{task_id}", FAMILY, show_task),
    ]
