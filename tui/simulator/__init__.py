"""A loopback HTTP server that speaks the Smint.io, Huawei DMS and Huawei APIG task APIs (and IAM tokens).

It knows only the wire formats in apis.md; it imports nothing from tui.core or tui.providers.
Task state is a pure function of a seeded plan and a simulated clock (real time + an offset).

Run it: ``python -m tui.simulator --port 0`` or ``taskdeck simulator --port 8765``; it prints
``taskdeck simulator listening on http://127.0.0.1:PORT``. From Python: ``SimulatorProcess`` (child
process, process.py) or ``await start_simulator(...)`` (in this event loop, server.py).
Demo credentials: ``tui.simulator.credentials``.

API endpoints
-------------
- ``GET  /frontend/v1/backgroundTasks/{uuid}``                      Smint task (Bearer)
- ``POST /connect/token``                                           Smint OAuth refresh_token grant (form)
- ``GET  /v2/{project_id}/instances?engine=&offset=&limit=``        DMS instances
- ``GET  /v2/{project_id}/instances/{instance_id}/tasks?offset|start=&limit=&begin_time=&end_time=``
- ``GET  /v2/{project_id}/instances/{instance_id}/tasks/{task_id}`` DMS task
- ``GET  /v2/{project_id}/instances/{instance_id}/tasks/{task_id}/progress`` (Kafka, RocketMQ; dms_extras.py)
- ``GET  /v2/{project_id}/instances/{instance_id}/scheduled-tasks?start=&limit=``  scheduled tasks
- ``GET  /v2/{project_id}/apigw/instances?offset=&limit=``          APIG gateways
- ``GET  /v2/{project_id}/apigw/instances/{instance_id}/async-tasks/{task_id}``
- ``POST /v3/auth/tokens``                                          IAM password token (201 + X-Subject-Token)
- ``GET  /v3/projects?name=``                                       IAM projects (AK/SK or X-Auth-Token; iam.py)
- ``GET  /.well-known/openid-configuration``, ``GET /connect/authorize``  OIDC discovery and a login that
  approves at once; ``/connect/token`` also takes the code grant (PKCE) and rotates its refresh tokens (oidc.py)
DMS and APIG accept ``X-Auth-Token`` or an ``SDK-HMAC-SHA256`` signature (X-Sdk-Date within 15 min of the
simulated wall clock, else 401 APIG.0303). DMS list paging is a 0-based index; ``task_count`` is the total
as a string; newest tasks first; ``limit`` defaults to 10 and is capped at 50.
Error codes follow the documented shapes; DMS.00404022 / DMS.00400000 are in the documented format only.

Admin API (JSON in, JSON out; never logged, never faulted; a bad body gives 400 {"error": "..."})
---------------------------------------------------------------------------------------------------
- ``GET /_sim/health`` -> {ok, scenario, seed, tasks, now, offset, wall}
- ``POST /_sim/reset`` {scenario?: demo|empty|bulk, seed?, count?} -> tasks, clock, auth, faults, log all reset
- ``GET /_sim/scenario`` -> {scenario, seed, project_id, instances: [{family, id, name, engine?, paging?}],
  tasks: [{family, id, engine?, instance?, label?}]}
- ``GET /_sim/tasks?family=`` -> {tasks: [plan descriptions]}
- ``POST /_sim/tasks`` {family, count?, instance?, engine?, plan: {id?|ids?, label, name, wait, run,
  outcome: succeed|fail|cancel|delete|never, steps, failed_steps, result, error, result_size, params,
  user_name, user_id, ago, overrides: {field: any value}, body_overrides: {...}, remove: [field]}} -> 201 {tasks}
  (``overrides`` go into the task object, ``body_overrides`` into the top-level body; an unknown instance id
  is created on the fly)
- ``POST /_sim/instances`` {family: dms|apig, id?, engine?, name?, status?, paging?: offset|start|both|strict}
  creates or updates; paging "offset" or "start" honours that name and ignores the other (the first page
  again), "both" honours either, "strict" honours ``offset`` and answers 400 to any unknown query parameter
- ``POST /_sim/projects`` {name, id} adds an IAM project (a region with none or several can be played)
- ``GET|POST /_sim/clock`` {advance: seconds} -> {now, offset, wall}
- ``GET|POST /_sim/auth`` {smint?, dms?, apig?, enabled?: bool, token_lifetime?: seconds|null,
  expire_issued?: true} -> {smint, dms, apig, token_lifetime, issued_smint, issued_huawei}
- ``POST /_sim/faults`` {kind, task_id?, path? (substring), family?, method?, count? (null: until cleared),
  seconds?, status?, body?: json|html|empty|text, retry_after?, raw_body?|raw_body_b64?, content_type?,
  headers?, rst?} -> 201 {id, ...}. Kinds: latency (seconds, then the normal answer), status (e.g. 429 with
  or without retry_after, 500/502/503 with json/html/empty bodies), html200, truncated, invalid_json,
  invalid_utf8, raw (status/body/content_type of your choice), reset (drop the connection mid-response;
  rst: true for a TCP RST). ``GET /_sim/faults``, ``DELETE /_sim/faults`` (all), ``DELETE /_sim/faults/{id}``.
- ``GET /_sim/requests?task_id=&family=&since=&limit=`` -> {requests: [{seq, method, path, family, task_id,
  start, end, status}], last_seq} (start/end: time.monotonic() of the server); ``DELETE`` clears log and stats
- ``GET /_sim/stats?task_id=`` -> {total_requests, in_flight, max_in_flight, max_in_flight_per_task,
  max_in_flight_task, by_status, by_family, tasks_seen, log_size, log_capacity, task?}; ``DELETE`` resets
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .process import SimulatorProcess
    from .server import RunningSimulator, start_simulator

__all__ = ["RunningSimulator", "SimulatorProcess", "start_simulator"]


def __getattr__(name: str) -> Any:
    # Lazy, so `tui.simulator.credentials` can be imported without starting aiohttp.
    if name == "SimulatorProcess":
        from .process import SimulatorProcess

        return SimulatorProcess
    if name in ("start_simulator", "RunningSimulator"):
        from . import server

        return getattr(server, name)
    raise AttributeError(name)
