"""The admin API under /_sim/ (see the package docstring for the paths and bodies)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from . import samples
from .clock import iso_ms
from .plans import DMS_ENGINES, FAMILIES, OUTCOMES, PAGING_MODES, Instance, Plan
from .state import SimState

_DEFAULTS: dict[str, dict[str, Any]] = {
    "smint": {"name": "initiateAssetsDownloadForAssetsAsync", "result": samples.DOWNLOAD_URL_RESULT,
              "error": samples.SMINT_ERROR_RESULT, "steps": 10},
    "dms": {"name": "restartInstance", "params": "{}"},
    "apig": {"name": "export_api", "result": samples.EXPORT_RESULT, "error": samples.IMPORT_FAILED_RESULT},
}
_PLAN_FIELDS = {"id", "ids", "label", "name", "wait", "run", "outcome", "steps", "failed_steps", "result", "error",
                "result_size", "params", "user_name", "user_id", "ago", "overrides", "body_overrides", "remove"}


class AdminError(Exception):
    pass


def _ok(obj: Any, status: int = 200) -> web.Response:
    return web.json_response(obj, status=status)


async def _body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise AdminError(f"invalid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise AdminError("the body must be a JSON object")
    return data


def _number(spec: dict[str, Any], name: str, default: float) -> float:
    value = spec.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise AdminError(f"{name} must be a number >= 0")
    return float(value)


def _blob(size: int) -> str:
    """A JSON document of about `size` characters."""
    return json.dumps({"blob": "x" * max(size - 12, 0)})


def _instance_for(state: SimState, family: str, spec: dict[str, Any]) -> Instance | None:
    if family == "smint":
        return None
    wanted, engine = spec.get("instance"), spec.get("engine")
    if engine is not None and engine not in DMS_ENGINES:
        raise AdminError(f"engine must be one of {', '.join(DMS_ENGINES)}")
    if wanted is not None:
        inst = state.instances.get(wanted)
        if inst is None:
            inst = Instance(family, wanted, f"{family}-{wanted[:8]}", engine=(engine or "kafka") if family == "dms"
                            else None, engine_version="3.x" if family == "dms" else "")
            state.add_instance(inst)
        elif inst.family != family:
            raise AdminError(f"instance {wanted} is not a {family} instance")
        return inst
    for inst in state.instances.values():
        if inst.family == family and (engine is None or inst.engine == engine):
            return inst
    raise AdminError(f"no {family} instance; pass 'instance' to create one")


def create_plans(state: SimState, spec: dict[str, Any]) -> list[Plan]:
    family = spec.get("family")
    if family not in FAMILIES:
        raise AdminError(f"family must be one of {', '.join(FAMILIES)}")
    plan_spec = dict(spec.get("plan") or {})
    for key in ("overrides", "body_overrides", "remove"):
        if key in spec:
            plan_spec[key] = spec[key]
    unknown = set(plan_spec) - _PLAN_FIELDS
    if unknown:
        raise AdminError(f"unknown plan fields: {', '.join(sorted(unknown))}")
    count = spec.get("count", 1)
    ids = plan_spec.get("ids") or ([plan_spec["id"]] if "id" in plan_spec else None)
    if ids is not None:
        if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
            raise AdminError("ids must be a list of non-empty strings")
        count = len(ids)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 1_000_000:
        raise AdminError("count must be an integer from 1 to 1000000")
    outcome = plan_spec.get("outcome", "succeed")
    if outcome not in OUTCOMES:
        raise AdminError(f"outcome must be one of {', '.join(OUTCOMES)}")
    for key in ("overrides", "body_overrides"):
        if not isinstance(plan_spec.get(key, {}), dict):
            raise AdminError(f"{key} must be an object")
    remove = plan_spec.get("remove", [])
    if not isinstance(remove, list):
        raise AdminError("remove must be a list of keys")
    defaults = _DEFAULTS[family]
    steps = plan_spec.get("steps", defaults.get("steps", 1))
    failed_steps = plan_spec.get("failed_steps", 1)
    for name, value in (("steps", steps), ("failed_steps", failed_steps)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise AdminError(f"{name} must be an integer >= 0")
    result = plan_spec.get("result", defaults.get("result"))
    if "result_size" in plan_spec:
        result = _blob(int(plan_spec["result_size"]))
    inst = _instance_for(state, family, spec)
    now = state.clock.now()
    created = now - _number(plan_spec, "ago", 0.0)
    wait, run = _number(plan_spec, "wait", 0.0), _number(plan_spec, "run", 30.0)
    plans = []
    for n in range(count):
        if ids is not None:
            task_id = ids[n]
        else:
            task_id = state.ids.uuid() if family == "smint" else state.ids.hex32()
        plan = Plan(
            family, task_id, instance=inst.id if inst else None, engine=inst.engine if inst else None,
            name=plan_spec.get("name", defaults["name"]), label=plan_spec.get("label"), created=created,
            wait=wait, run=run, outcome=outcome, steps=steps, failed_steps=failed_steps, result=result,
            error=plan_spec.get("error", defaults.get("error")), params=plan_spec.get("params", "{}"),
            overrides=dict(plan_spec.get("overrides", {})), body_overrides=dict(plan_spec.get("body_overrides", {})),
            remove=[str(k) for k in remove],
        )
        for key in ("user_name", "user_id"):
            if key in plan_spec:
                setattr(plan, key, plan_spec[key])
        state.add_plan(plan)
        plans.append(plan)
    return plans


def _clock(state: SimState) -> dict[str, Any]:
    now = state.clock.now()
    return {"now": now, "offset": state.clock.offset, "skew": state.clock.skew,
            "wall": iso_ms(state.clock.wall(now))}


def routes(state: SimState) -> list[tuple[str, str, Any]]:
    async def health(request: web.Request) -> web.Response:
        return _ok({"ok": True, "scenario": state.scenario, "seed": state.seed, "tasks": len(state.order),
                    **_clock(state)})

    async def reset(request: web.Request) -> web.Response:
        spec = await _body(request)
        count = spec.get("count")
        try:
            state.reset(spec.get("scenario", state.scenario), int(spec.get("seed", state.seed)),
                        int(count) if count is not None else None)
        except (ValueError, TypeError) as exc:
            raise AdminError(str(exc)) from exc
        return _ok({"ok": True, "scenario": state.scenario, "seed": state.seed, "tasks": len(state.order)})

    async def scenario(request: web.Request) -> web.Response:
        return _ok(state.summary())

    async def list_plans(request: web.Request) -> web.Response:
        family = request.query.get("family")
        return _ok({"tasks": [p.describe() for p in state.order if family is None or p.family == family]})

    async def create_tasks(request: web.Request) -> web.Response:
        plans = create_plans(state, await _body(request))
        return _ok({"tasks": [p.summary() for p in plans]}, status=201)

    async def upsert_instance(request: web.Request) -> web.Response:
        spec = await _body(request)
        family = spec.get("family", "dms")
        if family not in ("dms", "apig"):
            raise AdminError("family must be dms or apig")
        inst = _instance_for(state, family, {"instance": spec.get("id"), "engine": spec.get("engine")}) \
            if spec.get("id") else None
        if inst is None:
            inst = Instance(family, state.ids.uuid() if family == "dms" else state.ids.hex32(), "",
                            engine=spec.get("engine", "kafka") if family == "dms" else None)
            inst.name = f"{family}-{inst.id[:8]}"
            state.add_instance(inst)
        if "paging" in spec:
            if spec["paging"] not in PAGING_MODES:
                raise AdminError("paging must be " + ", ".join(PAGING_MODES[:-1]) + " or " + PAGING_MODES[-1])
            inst.paging = spec["paging"]
        for key in ("name", "status", "engine_version"):
            if key in spec:
                setattr(inst, key, str(spec[key]))
        return _ok(inst.summary())

    async def clock(request: web.Request) -> web.Response:
        if request.method == "POST":
            spec = await _body(request)
            try:
                state.clock.advance(float(spec.get("advance", 0)))
                if "skew" in spec:
                    state.clock.skew = float(spec["skew"])
            except (ValueError, TypeError) as exc:
                raise AdminError(f"clock: {exc}") from exc
        return _ok(_clock(state))

    async def auth(request: web.Request) -> web.Response:
        if request.method == "POST":
            spec = await _body(request)
            for family in state.auth.enabled:
                if family in spec:
                    state.auth.enabled[family] = bool(spec[family])
            if "enabled" in spec:
                for family in state.auth.enabled:
                    state.auth.enabled[family] = bool(spec["enabled"])
            if "token_lifetime" in spec:
                life = spec["token_lifetime"]
                state.auth.token_lifetime = None if life is None else _number(spec, "token_lifetime", 0)
            if spec.get("expire_issued"):
                state.auth.expire_issued()
        return _ok(state.auth.describe())

    async def faults(request: web.Request) -> web.Response:
        if request.method == "POST":
            try:
                fault = state.faults.add(await _body(request))
            except (ValueError, TypeError) as exc:
                raise AdminError(str(exc)) from exc
            return _ok(fault.describe(), status=201)
        if request.method == "DELETE":
            state.faults.clear()
        return _ok({"faults": [f.describe() for f in state.faults.faults]})

    async def delete_fault(request: web.Request) -> web.Response:
        try:
            fault_id = int(request.match_info["fault_id"])
        except ValueError as exc:
            raise AdminError("fault id must be an integer") from exc
        return _ok({"removed": state.faults.remove(fault_id)})

    async def requests(request: web.Request) -> web.Response:
        if request.method == "DELETE":
            state.log.reset()
            return _ok({"ok": True})
        q = request.query
        try:
            since, limit = int(q.get("since", 0)), int(q["limit"]) if "limit" in q else None
        except ValueError as exc:
            raise AdminError("since and limit must be integers") from exc
        rows = state.log.select(task_id=q.get("task_id"), family=q.get("family"), since=since, limit=limit)
        return _ok({"requests": rows, "last_seq": state.log.seq})

    async def stats(request: web.Request) -> web.Response:
        if request.method == "DELETE":
            state.log.reset()
        return _ok(state.log.stats(request.query.get("task_id")))

    return [
        ("GET", "/_sim/health", health),
        ("POST", "/_sim/reset", reset),
        ("GET", "/_sim/scenario", scenario),
        ("GET", "/_sim/tasks", list_plans),
        ("POST", "/_sim/tasks", create_tasks),
        ("POST", "/_sim/instances", upsert_instance),
        ("GET", "/_sim/clock", clock),
        ("POST", "/_sim/clock", clock),
        ("GET", "/_sim/auth", auth),
        ("POST", "/_sim/auth", auth),
        ("GET", "/_sim/faults", faults),
        ("POST", "/_sim/faults", faults),
        ("DELETE", "/_sim/faults", faults),
        ("DELETE", "/_sim/faults/{fault_id}", delete_fault),
        ("GET", "/_sim/requests", requests),
        ("DELETE", "/_sim/requests", requests),
        ("GET", "/_sim/stats", stats),
        ("DELETE", "/_sim/stats", stats),
    ]


def wrap(handler: Any) -> Any:
    """Admin errors become 400 {"error": "..."}."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except AdminError as exc:
            return _ok({"error": str(exc)}, status=400)

    return wrapped
