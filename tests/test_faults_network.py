"""Network faults: refused, unresolvable, TLS, read timeout, reset mid-body, a very slow server.

Each case is first classified at the provider (one request, a clear message, `network` set); then
one dashboard run has every case at once, next to a healthy provider, and checks the rows, the
sidebar, that the healthy provider keeps going, the polling discipline from the simulator's request
log, and that every provider recovers by itself once its fault goes away.
"""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from helpers.deck import (
    deck_config,
    huawei_profile,
    record_notifications,
    run_app,
    smint_profile,
    wait_rows,
    wait_until,
)
from helpers.engine import min_gap, starts_by_task
from helpers.loopback import LoopbackServer, smint_body
from helpers.tls import Certs, have_openssl, make_certs

from tui.app import TaskdeckApp
from tui.core.config import ProviderConfig
from tui.core.model import HealthStatus, TaskRef
from tui.demo import closed_port
from tui.providers.base import Provider
from tui.providers.errors import ProviderError
from tui.providers.registry import create_provider
from tui.simulator.process import SimulatorProcess

TRANSPORTS = ["aiohttp", "httpx"]
TASK = "0f8e2d4c-1b3a-4c5d-9e6f-7a8b9c0d1e2f"
FLAKY_HOST = "flaky-dns.taskdeck.test"
GATEWAY = "35bf992dc9e9c616612e7696a6cecc1b"


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    if not have_openssl():
        pytest.skip("the openssl command is not installed: no certificates for the TLS tests")
    return make_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture
async def make() -> AsyncIterator[Callable[[ProviderConfig], Provider]]:
    made: list[Provider] = []

    def build(config: ProviderConfig) -> Provider:
        made.append(create_provider(config))
        return made[-1]

    yield build
    for provider in made:
        await provider.aclose()


class FlakyResolver:
    """Makes FLAKY_HOST unresolvable (as the system resolver reports it) until `up` is set;
    then it resolves to 127.0.0.1. Every other name goes to the real resolver."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.up = False
        self.lookups = 0

    def __call__(self, host: Any, *args: Any, **kwargs: Any) -> Any:
        if host in (FLAKY_HOST, FLAKY_HOST.encode()):
            self.lookups += 1
            if not self.up:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            host = "127.0.0.1"
        return self.real(host, *args, **kwargs)


@pytest.fixture
def flaky_dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[FlakyResolver]:
    resolver = FlakyResolver(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    # The fake resolver exists in this process only: a dashboard's engine must poll from here too.
    monkeypatch.setenv("TASKDECK_ENGINE", "thread")
    yield resolver


async def fetch_error(provider: Provider, task_id: str = TASK) -> ProviderError:
    with pytest.raises(ProviderError) as info:
        await provider.fetch(TaskRef(provider.name, task_id))
    return info.value


# -- one request, one clear error ---------------------------------------------------------------------


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_refused(make, transport: str) -> None:
    provider = make(smint_profile("p", f"http://127.0.0.1:{closed_port()}", transport=transport))
    error = await fetch_error(provider)
    assert error.network and error.code in ("refused", "connect")
    assert "connection refused" in error.message or "could not connect" in error.message


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_unresolvable_host_then_resolvable(make, transport: str, flaky_dns: FlakyResolver) -> None:
    with LoopbackServer(smint_body()) as server:
        provider = make(smint_profile("p", f"http://{FLAKY_HOST}:{server.port}", transport=transport))
        error = await fetch_error(provider)
        assert error.network and error.code == "dns" and error.message == "host name could not be resolved"
        flaky_dns.up = True
        snap = await provider.fetch(TaskRef("p", TASK))
        assert snap.progress == 42 and flaky_dns.lookups >= 2


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_tls_self_signed_is_refused_and_ca_bundle_fixes_it(make, transport: str, certs: Certs) -> None:
    with LoopbackServer(smint_body(), ssl_context=certs.server_context()) as server:
        # Verification is on by default: a private CA is not trusted.
        plain = make(smint_profile("p", server.url, transport=transport))
        error = await fetch_error(plain)
        assert error.network and error.code == "tls"
        assert error.message.startswith("TLS: certificate not trusted (") and "ca_bundle" in error.message
        # ca_bundle naming another CA still fails: the bundle adds trust, it does not switch checks off.
        wrong = make(smint_profile("p", server.url, transport=transport, ca_bundle=str(certs.self_signed_cert)))
        assert (await fetch_error(wrong)).code == "tls"
        # The right CA: it works.
        right = make(smint_profile("p", server.url, transport=transport, ca_bundle=str(certs.ca_cert)))
        snap = await right.fetch(TaskRef("p", TASK))
        assert snap.progress == 42 and snap.error is None


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_tls_ca_bundle_still_checks_the_host_name(make, transport: str, certs: Certs,
                                                        flaky_dns: FlakyResolver) -> None:
    flaky_dns.up = True  # FLAKY_HOST resolves to 127.0.0.1, but the certificate does not name it
    with LoopbackServer(smint_body(), ssl_context=certs.server_context()) as server:
        url = server.url.replace("127.0.0.1", FLAKY_HOST)
        provider = make(smint_profile("p", url, transport=transport, ca_bundle=str(certs.ca_cert)))
        error = await fetch_error(provider)
        assert error.network and error.code == "tls" and flaky_dns.lookups >= 1


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_read_timeout(make, transport: str, sim_reset: SimulatorProcess) -> None:
    task = sim_reset.create_tasks("smint", outcome="never")[0]["id"]
    sim_reset.add_fault("latency", task_id=task, seconds=3, count=1)
    provider = make(smint_profile("p", sim_reset.base_url, transport=transport, timeout_read=0.3))
    error = await fetch_error(provider, task)
    assert error.network and error.code == "timeout"
    assert error.message == "server did not answer in time (read timeout)"


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("rst", [False, True])
async def test_reset_mid_body(make, transport: str, rst: bool, sim_reset: SimulatorProcess) -> None:
    task = sim_reset.create_tasks("smint", outcome="never")[0]["id"]
    sim_reset.add_fault("reset", task_id=task, rst=rst, count=1)
    provider = make(smint_profile("p", sim_reset.base_url, transport=transport))
    error = await fetch_error(provider, task)
    assert error.network and error.code == "reset"
    assert error.message == "connection dropped before the response was complete"
    assert (await provider.fetch(TaskRef("p", task))).error is None  # the next request is fine


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_reset_mid_body_loopback(make, transport: str) -> None:
    with LoopbackServer(smint_body(result_string="x" * 50_000), mode="reset") as server:
        provider = make(smint_profile("p", server.url, transport=transport))
        error = await fetch_error(provider)
        assert error.network and error.code == "reset"


# -- every network fault at once, in the dashboard ----------------------------------------------------------

INTERVAL = 1.0
DOWN_MESSAGES = {
    "refused": "connection refused",
    "dns": "host name could not be resolved",
    "tls": "TLS: certificate not trusted (",
    "timeout": "server did not answer in time (read timeout)",
    "reset": "connection dropped before the response was complete",
}
UNREACHABLE = re.compile(r"unreachable since \d\d:\d\d:\d\d, retrying every 1 s")


def health_line(app: TaskdeckApp, provider: str) -> str:
    """The sidebar line under a provider's node (its health)."""
    # The sidebar wraps it over several lines under the provider; this is the text they show.
    return app.sidebar.health_said(provider)


async def test_dashboard_every_network_fault_at_once_then_recovery(
        sim_reset: SimulatorProcess, certs: Certs, flaky_dns: FlakyResolver) -> None:
    sim = sim_reset
    ok_ids = [t["id"] for t in sim.create_tasks("smint", count=2, outcome="never")]
    dns_id = sim.create_tasks("smint", outcome="never")[0]["id"]
    slow_id = sim.create_tasks("smint", outcome="never")[0]["id"]
    timeout_ids = [t["id"] for t in sim.create_tasks("apig", count=3, instance=GATEWAY, outcome="never")]
    reset_ids = [t["id"] for t in sim.create_tasks("dms", count=3, instance="d" * 32, engine="kafka",
                                                    outcome="never")]
    sim.add_fault("latency", task_id=slow_id, seconds=10, count=1)  # one answer takes 10 s
    # Longer than timeout_read below, shorter than timeout_read + interval: the server has
    # finished with a request the client gave up on before the next one of that task comes.
    sim.add_fault("latency", family="apig", seconds=0.9)
    sim.add_fault("reset", family="dms")
    dead_port = closed_port()
    tls = LoopbackServer(smint_body(), ssl_context=certs.server_context(self_signed=True)).start()
    revived: LoopbackServer | None = None
    profiles = [
        smint_profile("ok", sim.base_url, interval=INTERVAL),
        smint_profile("slow", sim.base_url, interval=INTERVAL),
        smint_profile("refused", f"http://127.0.0.1:{dead_port}", interval=INTERVAL),
        smint_profile("dns", f"http://{FLAKY_HOST}:{sim.port}", interval=INTERVAL),
        smint_profile("tls", tls.url, interval=INTERVAL, ca_bundle=str(certs.ca_cert)),
        huawei_profile("timeout", "huawei-apig", sim.base_url, interval=INTERVAL, timeout_read=0.5),
        huawei_profile("reset", "huawei-dms", sim.base_url, interval=INTERVAL),
    ]
    refs = {
        "ok": [TaskRef("ok", i) for i in ok_ids],
        "slow": [TaskRef("slow", slow_id)],
        "refused": [TaskRef("refused", TASK)],
        "dns": [TaskRef("dns", dns_id)],
        "tls": [TaskRef("tls", TASK)],
        "timeout": [TaskRef("timeout", i, instance=GATEWAY) for i in timeout_ids],
        "reset": [TaskRef("reset", i, instance="d" * 32) for i in reset_ids],
    }
    app = TaskdeckApp(deck_config(profiles, {"All": [r for group in refs.values() for r in group]}))
    notes = record_notifications(app)
    try:
        async with run_app(app, size=(220, 50)) as pilot:
            board = app.board

            def status(name: str) -> HealthStatus | None:
                health = board.health.get(name)
                return health.status if health else None

            # Each broken provider is marked unreachable, on its rows and on its sidebar node.
            await wait_until(pilot, lambda: all(status(n) is HealthStatus.UNREACHABLE for n in DOWN_MESSAGES),
                             timeout=20, what="every broken provider unreachable")
            for name, message in DOWN_MESSAGES.items():
                await wait_rows(pilot, app, [r.key for r in refs[name]], message)
                assert UNREACHABLE.search(health_line(app, name)), (name, health_line(app, name))
            assert len([m for _, t, m in notes if t == "Provider down"]) == len(DOWN_MESSAGES)

            # Meanwhile the healthy provider keeps being read, every interval.
            await wait_until(pilot, lambda: all(board.snapshots.get(r.key) and board.snapshots[r.key].fetched_at
                                                for r in refs["ok"]), what="the healthy provider read")
            first = {r.key: board.snapshots[r.key].fetched_at for r in refs["ok"]}
            await wait_until(pilot, lambda: all((board.snapshots[k].fetched_at or 0) > (first[k] or 0) + INTERVAL
                                                for k in first), what="fresh reads of the healthy provider")
            assert status("ok") is HealthStatus.OK
            assert all(board.snapshots[k].error is None for k in first)
            # The slow server holds one request; nothing piles up behind it.
            slow = sim.stats(slow_id)["task"]
            assert slow["requests"] == 1 and slow["in_flight"] == 1
            down_log = sim.requests()

            # The faults go away; every provider comes back by itself.
            revived = LoopbackServer(smint_body(), port=dead_port).start()
            flaky_dns.up = True
            tls.reload_cert(str(certs.server_cert), str(certs.server_key))
            sim.clear_faults()
            await wait_until(pilot, lambda: all(status(n) is HealthStatus.OK for n in refs), timeout=20,
                             what="every provider healthy again")
            await wait_until(pilot, lambda: all(board.snapshots[r.key].error is None and
                                                board.snapshots[r.key].fetched_at is not None
                                                for group in refs.values() for r in group),
                             timeout=20, what="every row read without error (the slow one too)")
            for name in refs:
                assert health_line(app, name) == "ok"
            assert len([m for _, t, m in notes if t == "Provider back"]) == len(DOWN_MESSAGES)
            assert board.snapshots[refs["slow"][0].key].progress is not None
    finally:
        tls.stop()
        if revived is not None:
            revived.stop()

    # Polling discipline, from the simulator's log: never faster than the interval per task, never two
    # requests of one task at once, and one probe per interval while a provider is down.
    stats = sim.stats()
    assert stats["max_in_flight_per_task"] == 1, stats["max_in_flight_task"]
    for task_id, starts in starts_by_task(sim).items():
        assert min_gap(starts) >= INTERVAL - 0.05, task_id
    for family in ("apig", "dms"):
        starts = sorted(e["start"] for e in down_log if e["family"] == family)
        # After the first round (one request per task), one probe per interval for the whole provider.
        probes = starts[3:]
        if len(probes) >= 2:
            assert len(probes) <= (probes[-1] - probes[0]) / INTERVAL + 2, (family, len(probes))
        assert min_gap(probes) >= INTERVAL - 0.05, family
    assert tls.max_in_flight <= 1 and (revived is None or revived.max_in_flight <= 1)
