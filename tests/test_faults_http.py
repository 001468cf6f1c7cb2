"""HTTP faults: 401 (expired token, refused refresh, wrong credentials), 403, 404, 429 with and
without Retry-After, and 500/502/503 with JSON, HTML and empty bodies.

Every case runs over real HTTP against the simulator's fault injection and is checked in the
engine (health, snapshots), in the dashboard (rows, sidebar) and in the simulator's request log
(no hammering, never faster than the interval, one request per task in flight).
"""

from __future__ import annotations

import re

import httpx
import pytest
from helpers.deck import (
    deck_config,
    huawei_profile,
    row_text,
    run_app,
    smint_profile,
    until,
    wait_rows,
    wait_until,
)
from helpers.engine import min_gap, run_poller, starts_by_task

from tui.app import TaskdeckApp
from tui.core.model import HealthStatus, TaskRef
from tui.providers.errors import MAX_RETRY_AFTER, _retry_after
from tui.providers.registry import create_provider
from tui.simulator import credentials as cred
from tui.simulator.process import SimulatorProcess

INTERVAL = 1.0
GATEWAY = "35bf992dc9e9c616612e7696a6cecc1b"


def health_line(app: TaskdeckApp, provider: str) -> str:
    # The sidebar wraps it over several lines under the provider; this is the text they show.
    return app.sidebar.health_said(provider)


def status_of(app: TaskdeckApp, provider: str) -> HealthStatus | None:
    health = app.board.health.get(provider)
    return health.status if health else None


# -- error statuses and bodies on the rows ------------------------------------------------------------------

# (status, body style) -> what the row says (after "HTTP <status>").
ERROR_ROWS = {
    (403, "json"): "APIG.1005: access denied: No permissions to request this method",
    (500, "json"): "APIG.9999: server error: System error",
    (500, "html"): "server error: 500 Internal Server Error",
    (500, "empty"): "server error: empty response body",
    (502, "json"): "APIG.0201: server error: Backend unavailable",
    (502, "html"): "server error: 502 Bad Gateway",
    (502, "empty"): "server error: empty response body",
    (503, "json"): "APIG.0201: server error: Backend unavailable",
    (503, "html"): "server error: 503 Service Temporarily Unavailable",
    (503, "empty"): "server error: empty response body",
    (429, "json"): "APIG.0308: rate limited: The throttling threshold has been reached",
}


async def test_error_statuses_and_bodies_on_rows(sim_reset: SimulatorProcess) -> None:
    sim = sim_reset
    ids = [t["id"] for t in sim.create_tasks("apig", count=len(ERROR_ROWS) + 1, instance=GATEWAY,
                                             outcome="never")]
    healthy_id, faulty = ids[0], dict(zip(ERROR_ROWS, ids[1:], strict=True))
    for (status, body), task_id in faulty.items():
        sim.add_fault("status", task_id=task_id, status=status, body=body)  # on every request
    smint_id = sim.create_tasks("smint", outcome="never")[0]["id"]
    sim.add_fault("status", task_id=smint_id, status=502, body="json")
    gone = TaskRef("gw", "0" * 32, instance=GATEWAY)
    refs = {key: TaskRef("gw", task_id, instance=GATEWAY) for key, task_id in faulty.items()}
    healthy = TaskRef("gw", healthy_id, instance=GATEWAY)
    smint = TaskRef("acme", smint_id)
    app = TaskdeckApp(deck_config(
        [huawei_profile("gw", "huawei-apig", sim.base_url, interval=INTERVAL),
         smint_profile("acme", sim.base_url, interval=INTERVAL)],
        {"All": [healthy, gone, smint, *refs.values()]}))
    async with run_app(app, size=(240, 50)) as pilot:
        board = app.board
        for (status, body), ref in refs.items():
            await wait_rows(pilot, app, [ref.key], f"HTTP {status} {ERROR_ROWS[(status, body)]}")
        await wait_rows(pilot, app, [smint.key], "HTTP 502 bad_gateway: server error: Bad Gateway")
        # A 404 means the task is gone: shown as such, and not polled again; the provider is fine.
        await wait_until(pilot, lambda: "⊘ gone" in row_text(app, gone.key))
        assert "task is gone" in row_text(app, gone.key)
        # Errors keep the provider polling at its interval: the healthy task keeps being read.
        await wait_until(pilot, lambda: board.snapshots.get(healthy.key) is not None
                         and board.snapshots[healthy.key].fetched_at is not None)
        first = board.snapshots[healthy.key].fetched_at or 0.0
        await wait_until(pilot, lambda: (board.snapshots[healthy.key].fetched_at or 0.0) > first + INTERVAL)
        assert board.snapshots[healthy.key].error is None
        # The provider's health follows its last read (the healthy task's reads say "ok" in between).
        await wait_until(pilot, lambda: status_of(app, "gw") is HealthStatus.ERRORS)
        assert health_line(app, "gw").startswith("errors: ")
        # Nothing reached the rows as markup or raw HTML.
        for ref in refs.values():
            assert "<" not in row_text(app, ref.key)

    log = sim.requests()
    assert len([e for e in log if e["task_id"] == gone.id]) == 1
    assert sim.stats()["max_in_flight_per_task"] == 1
    for task_id, starts in starts_by_task(sim).items():
        assert min_gap(starts) >= INTERVAL - 0.05, task_id  # repeated errors: still never faster


# -- 429 -----------------------------------------------------------------------------------------------------


async def test_429_without_retry_after_retries_at_the_interval(sim_reset: SimulatorProcess) -> None:
    sim = sim_reset
    ids = [t["id"] for t in sim.create_tasks("apig", count=8, instance=GATEWAY, outcome="never")]
    sim.add_fault("status", family="apig", status=429, body="json")  # no Retry-After, every request
    provider = create_provider(huawei_profile("gw", "huawei-apig", sim.base_url, interval=INTERVAL))
    refs = [TaskRef("gw", i, instance=GATEWAY) for i in ids]
    async with run_poller({"gw": provider}, refs) as (_, rec):
        await until(lambda: sum(1 for s in rec.snapshots if s.error and s.error.status == 429) >= 2 * len(refs))
        assert rec.status("gw") is HealthStatus.ERRORS
        error = rec.latest[refs[0].key].error
        assert error is not None and error.message.startswith("rate limited")
    for starts in starts_by_task(sim).values():
        assert len(starts) >= 2 and min_gap(starts) >= INTERVAL - 0.05  # no faster retries, no burst
    assert sim.stats()["max_in_flight_per_task"] == 1


IN_FLIGHT_GRACE = 0.1


@pytest.mark.parametrize("value", ["2", "Wed, 21 Oct 2015 07:28:00 GMT"])
async def test_429_with_retry_after_holds_the_provider(sim_reset: SimulatorProcess, value: str) -> None:
    sim = sim_reset
    ids = [t["id"] for t in sim.create_tasks("apig", count=4, instance=GATEWAY, outcome="never")]
    sim.add_fault("status", family="apig", status=429, retry_after=value, count=1)
    provider = create_provider(huawei_profile("gw", "huawei-apig", sim.base_url, interval=INTERVAL))
    refs = [TaskRef("gw", i, instance=GATEWAY) for i in ids]
    async with run_poller({"gw": provider}, refs) as (_, rec):
        await until(lambda: len([s for s in rec.snapshots if s.error is None]) >= 2 * len(refs))
    log = sim.requests(family="apig")
    limited = next(e for e in log if e["status"] == 429)
    # A request already on its way when the 429 arrived cannot be held back; allow it a moment.
    after = [e["start"] for e in log if e["start"] > limited["end"] + IN_FLIGHT_GRACE]
    hold = 2.0 if value == "2" else 0.0  # a date in the past: no hold beyond the interval
    assert min(after) - limited["end"] >= hold - 0.05
    assert sim.stats()["max_in_flight_per_task"] == 1


@pytest.mark.parametrize(("value", "expected"), [
    ("7", 7.0), ("0", 0.0), ("-5", 0.0), ("1e400", MAX_RETRY_AFTER), ("inf", MAX_RETRY_AFTER),
    ("99999999999", MAX_RETRY_AFTER), ("Wed, 21 Oct 9999 07:28:00 GMT", MAX_RETRY_AFTER),
    ("nan", None), ("soon", None), ("Mon, 99 Foo 2015", None), ("", None),
])
def test_hostile_retry_after_is_bounded(value: str, expected: float | None) -> None:
    assert _retry_after(httpx.Response(429, headers={"Retry-After": value})) == expected


# -- 401 and the auth flow --------------------------------------------------------------------------------------

AUTH_FAILED = re.compile(r"authentication failed since \d\d:\d\d:\d\d, retrying every 1 s")


def oauth_profile(sim: SimulatorProcess, name: str = "oauth") -> object:
    return smint_profile(name, sim.base_url, interval=INTERVAL, auth={
        "type": "oauth-refresh", "token_url": f"{sim.base_url}/connect/token", "client_id": cred.SMINT_CLIENT_ID,
        "client_secret": cred.SMINT_CLIENT_SECRET, "refresh_token": cred.SMINT_REFRESH_TOKEN})


async def test_expired_token_refresh_once_then_auth_failed_then_back(sim_reset: SimulatorProcess) -> None:
    sim = sim_reset
    ids = [t["id"] for t in sim.create_tasks("smint", count=5, outcome="never")]
    refs = [TaskRef("oauth", i) for i in ids]
    app = TaskdeckApp(deck_config([oauth_profile(sim)], {"Auth": refs}))  # type: ignore[list-item]
    async with run_app(app) as pilot:
        board = app.board
        await wait_until(pilot, lambda: all(board.snapshots.get(r.key) and board.snapshots[r.key].fetched_at
                                            for r in refs), what="every task read")
        # 1. The access token expires: one refresh through the auth flow, and on it goes.
        seq = sim.requests()[-1]["seq"] if sim.requests() else 0
        sim.set_auth(expire_issued=True)
        await wait_until(pilot, lambda: any(e["path"] == "/connect/token" and e["status"] == 200
                                            for e in sim.requests(since=seq)), what="a token refresh")
        await wait_until(pilot, lambda: len([e for e in sim.requests(since=seq) if e["status"] == 200
                                             and e["task_id"]]) >= len(refs), what="reads with the new token")
        after_refresh = sim.requests(since=seq)
        assert len([e for e in after_refresh if e["path"] == "/connect/token"]) == 1
        assert all(board.snapshots[r.key].error is None for r in refs)
        assert status_of(app, "oauth") is HealthStatus.OK

        # 2. Expired again, and now the refresh is refused: "authentication failed", and no hammering.
        sim.add_fault("status", path="/connect/token", status=400, body="json")
        sim.set_auth(expire_issued=True)
        await wait_until(pilot, lambda: status_of(app, "oauth") is HealthStatus.AUTH_FAILED)
        await wait_rows(pilot, app, [r.key for r in refs], "authentication failed: token refresh failed: HTTP 400")
        assert AUTH_FAILED.search(health_line(app, "oauth")), health_line(app, "oauth")
        failed_at = sim.requests()[-1]["seq"]
        await wait_until(pilot, lambda: len(sim.requests(since=failed_at)) >= 3, what="three probes")
        down = sim.requests(since=failed_at)
        # One probe per interval for the whole provider (not one per task): each probe is a single
        # token request, which is refused, so no API request goes out at all.
        assert all(e["path"] == "/connect/token" for e in down), down
        assert min_gap([e["start"] for e in down]) >= INTERVAL - 0.05, down

        # 3. The token endpoint works again: back by itself.
        sim.clear_faults()
        await wait_until(pilot, lambda: status_of(app, "oauth") is HealthStatus.OK)
        await wait_until(pilot, lambda: all(board.snapshots[r.key].error is None for r in refs))
        assert health_line(app, "oauth") == "ok"
    assert sim.stats()["max_in_flight_per_task"] == 1


async def test_refused_credentials_stop_hammering(sim_reset: SimulatorProcess) -> None:
    """Wrong static token, wrong IAM password, wrong AK/SK: AUTH_FAILED, one probe per interval."""
    sim = sim_reset
    smint_ids = [t["id"] for t in sim.create_tasks("smint", count=4, outcome="never")]
    apig_ids = [t["id"] for t in sim.create_tasks("apig", count=4, instance=GATEWAY, outcome="never")]
    dms_ids = [t["id"] for t in sim.create_tasks("dms", count=4, instance="e" * 32, engine="kafka",
                                                  outcome="never")]
    profiles = [
        smint_profile("bearer", sim.base_url, interval=INTERVAL, auth={"type": "bearer", "token": "wrong-token"}),
        huawei_profile("iam", "huawei-apig", sim.base_url, interval=INTERVAL, auth={
            "type": "iam-password", "iam_url": sim.base_url, "domain": cred.IAM_DOMAIN, "user": cred.IAM_USER,
            "password": "wrong-password", "project_id": cred.PROJECT_ID}),
        huawei_profile("aksk", "huawei-dms", sim.base_url, interval=INTERVAL, auth={
            "type": "aksk", "access_key": cred.ACCESS_KEY, "secret_key": "WRONG" + cred.SECRET_KEY}),
    ]
    refs = {"bearer": [TaskRef("bearer", i) for i in smint_ids],
            "iam": [TaskRef("iam", i, instance=GATEWAY) for i in apig_ids],
            "aksk": [TaskRef("aksk", i, instance="e" * 32) for i in dms_ids]}
    expected = {"bearer": "HTTP 401 authentication failed: A valid bearer token is required",
                "iam": "authentication failed: IAM token request failed: HTTP 401",
                "aksk": "HTTP 401 APIG.0301: authentication failed: Incorrect IAM authentication information"}
    app = TaskdeckApp(deck_config(profiles, {"All": [r for group in refs.values() for r in group]}))
    async with run_app(app, size=(240, 50)) as pilot:
        for name in refs:
            await wait_rows(pilot, app, [r.key for r in refs[name]], expected[name])
            assert status_of(app, name) is HealthStatus.AUTH_FAILED
            assert AUTH_FAILED.search(health_line(app, name)), health_line(app, name)
        start = sim.requests()[-1]["seq"]

        def probes() -> dict[str, list[float]]:
            window = sim.requests(since=start)
            return {"bearer": [e["start"] for e in window if e["family"] == "smint"],
                    "iam": [e["start"] for e in window if e["path"] == "/v3/auth/tokens"],
                    "aksk": [e["start"] for e in window if e["family"] == "dms"]}

        await wait_until(pilot, lambda: all(len(v) >= 3 for v in probes().values()), what="three probes each")
        window = sim.requests(since=start)
    # While refused, each provider sends one probe per interval (not one request per task).
    for name, starts in probes().items():
        assert min_gap(starts) >= INTERVAL - 0.05, name
    # The IAM provider never reaches the API with a token it does not have.
    assert not [e for e in window if e["family"] == "apig"]
