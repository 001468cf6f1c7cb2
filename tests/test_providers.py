"""Providers over real HTTP against the simulator, on both transports."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from tui.core.config import ProviderConfig
from tui.core.model import TaskRef, TaskState
from tui.demo import closed_port
from tui.providers.base import Provider
from tui.providers.errors import ProviderError
from tui.providers.registry import create_provider
from tui.simulator import credentials as cred
from tui.simulator.process import SimulatorProcess

KAFKA = "cd613e30-d8f1-4adf-91b7-584a2265b1f5"
GATEWAY = "35bf992dc9e9c616612e7696a6cecc1b"
BIND_IP = "8abfa7b272adc5b40172b73130065ae7"
APIG_IMPORT_OK = "d9ce8c9eede54b3f841ec324fe0bfdc2"
APIG_IMPORT_FAILED = "f01d2772ea4944408fa544c8ae5a9999"
APIG_PROCESSING = "4dfbf6acaacf4c41a8b3c50daa90d3dc"
APIG_EXPORT = "d6e8834b6f0f4711a2fa5345e5b60833"

TRANSPORTS = ["aiohttp", "httpx"]


def smint_config(sim: SimulatorProcess, transport: str, **auth: str) -> ProviderConfig:
    return ProviderConfig(name="acme", kind="smint", base_url=f"{sim.base_url}/frontend/v1",
                          transport=transport, auth=auth or {"type": "bearer", "token": cred.SMINT_TOKEN})


def huawei_config(sim: SimulatorProcess, kind: str, transport: str, **auth: str) -> ProviderConfig:
    return ProviderConfig(name=kind, kind=kind, base_url=sim.base_url, project_id=cred.PROJECT_ID,
                          transport=transport,
                          auth=auth or {"type": "aksk", "access_key": cred.ACCESS_KEY, "secret_key": cred.SECRET_KEY})


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def make(sim_reset: SimulatorProcess) -> AsyncIterator[Callable[[ProviderConfig], Provider]]:
    made: list[Provider] = []

    def build(config: ProviderConfig) -> Provider:
        provider = create_provider(config)
        made.append(provider)
        return provider

    yield build
    for provider in made:
        await provider.aclose()


def smint_ids(sim: SimulatorProcess) -> dict[str, str]:
    return {t["label"]: t["id"] for t in sim.scenario_info()["tasks"] if t["family"] == "smint"}


async def test_smint_states_progress_and_download(sim_reset: SimulatorProcess, make, transport: str) -> None:
    provider = make(smint_config(sim_reset, transport))
    ids = smint_ids(sim_reset)
    running = await provider.fetch(TaskRef("acme", ids["bulk tagging"]))
    assert running.state in (TaskState.RUNNING, TaskState.PENDING)
    sim_reset.advance(3600 * 24)
    later = await provider.fetch(TaskRef("acme", ids["bulk tagging"]))
    assert later.state.is_terminal
    done = await provider.fetch(TaskRef("acme", ids["asset download (zip)"]))
    assert done.state is TaskState.SUCCEEDED and done.raw_state == "completed"
    assert done.summary.startswith("download ready: https://")
    quoted = await provider.fetch(TaskRef("acme", ids["collections (quoted JSON)"]))
    assert isinstance(quoted.result, dict)  # JSON wrapped in single quotes is unwrapped
    failed = await provider.fetch(TaskRef("acme", ids["failed import"]))
    assert failed.state is TaskState.FAILED


async def test_smint_unknown_task_is_gone(sim_reset: SimulatorProcess, make, transport: str) -> None:
    provider = make(smint_config(sim_reset, transport))
    with pytest.raises(ProviderError) as info:
        await provider.fetch(TaskRef("acme", "00000000-0000-4000-8000-000000000000"))
    assert info.value.gone and info.value.status == 404
    assert "gone" in info.value.message


async def test_smint_wrong_token_is_an_auth_error_without_the_token(sim_reset, make, transport: str) -> None:
    provider = make(smint_config(sim_reset, transport, type="bearer", token="not-the-right-token"))
    with pytest.raises(ProviderError) as info:
        await provider.fetch(TaskRef("acme", smint_ids(sim_reset)["read assets"]))
    assert info.value.status == 401 and info.value.auth
    assert "not-the-right-token" not in str(info.value)


async def test_smint_oauth_refresh(sim_reset: SimulatorProcess, make, transport: str) -> None:
    provider = make(smint_config(sim_reset, transport, type="oauth-refresh",
                                 token_url=f"{sim_reset.base_url}/connect/token",
                                 client_id=cred.SMINT_CLIENT_ID, client_secret=cred.SMINT_CLIENT_SECRET,
                                 refresh_token=cred.SMINT_REFRESH_TOKEN))
    task = TaskRef("acme", smint_ids(sim_reset)["read assets"])
    assert (await provider.fetch(task)).error is None
    sim_reset.set_auth(expire_issued=True)  # the cached access token is now refused: refresh once on 401
    assert (await provider.fetch(task)).fetched_at is not None


async def test_dms_documented_task(sim_reset: SimulatorProcess, make, transport: str) -> None:
    provider = make(huawei_config(sim_reset, "huawei-dms", transport, type="token", token=cred.HW_TOKEN))
    sim_reset.advance(3600 * 24)
    snap = await provider.fetch(TaskRef("huawei-dms", BIND_IP, instance=KAFKA))
    assert snap.state is TaskState.SUCCEEDED and snap.raw_state == "SUCCESS"
    assert snap.kind == "bindInstancePublicIp"
    assert snap.result["public_ip_address"] == "100.93.2.18"  # params is a JSON string, decoded
    assert snap.summary.startswith("bindInstancePublicIp · public_ip_address=100.93.2.18")
    assert snap.created and snap.updated


@pytest.mark.parametrize("auth", ["token", "iam-password"])
async def test_dms_token_auths(sim_reset: SimulatorProcess, make, auth: str) -> None:
    spec = ({"type": "token", "token": cred.HW_TOKEN} if auth == "token" else
            {"type": "iam-password", "iam_url": sim_reset.base_url, "domain": cred.IAM_DOMAIN,
             "user": cred.IAM_USER, "password": cred.IAM_PASSWORD, "project_id": cred.PROJECT_ID})
    provider = make(huawei_config(sim_reset, "huawei-dms", "aiohttp", **spec))
    sim_reset.advance(3600 * 24)
    snap = await provider.fetch(TaskRef("huawei-dms", BIND_IP, instance=KAFKA))
    assert snap.state is TaskState.SUCCEEDED


async def test_dms_list_pages_and_falls_back_to_start(sim_reset: SimulatorProcess, make, transport: str) -> None:
    sim_reset.create_tasks("dms", count=120, instance="feedfacefeedfacefeedfacefeedface", engine="kafka")
    provider = make(huawei_config(sim_reset, "huawei-dms", transport))
    listed = await provider.list_tasks("feedfacefeedfacefeedfacefeedface")
    assert len(listed) == 120 and len({s.ref.key for s in listed}) == 120
    sim_reset.set_instance(family="dms", id="feedfacefeedfacefeedfacefeedface", paging="start")
    relisted = await provider.list_tasks("feedfacefeedfacefeedfacefeedface")
    assert len(relisted) == 120
    assert provider.paging_param == "start"  # type: ignore[attr-defined]


async def test_dms_list_instances(sim_reset: SimulatorProcess, make, transport: str) -> None:
    provider = make(huawei_config(sim_reset, "huawei-dms", transport))
    kafka = await provider.list_instances("kafka")  # type: ignore[attr-defined]
    assert KAFKA in {i["id"] for i in kafka}
    assert all(i["engine"] == "kafka" for i in kafka)


async def test_apig_documented_examples(sim_reset: SimulatorProcess, make, transport: str) -> None:
    provider = make(huawei_config(sim_reset, "huawei-apig", transport, type="token", token=cred.HW_TOKEN))

    async def get(task_id: str):
        return await provider.fetch(TaskRef("huawei-apig", task_id, instance=GATEWAY))

    ok = await get(APIG_IMPORT_OK)
    assert ok.state is TaskState.SUCCEEDED and ok.summary == "1 created, 0 failed · group 9100ae30…"
    failed = await get(APIG_IMPORT_FAILED)
    assert failed.state is TaskState.FAILED
    assert failed.summary == "APIG.3201: The API group name already exists"
    processing = await get(APIG_PROCESSING)
    assert processing.state is TaskState.RUNNING and processing.result_raw == ""
    sim_reset.advance(3600 * 24)
    export = await get(APIG_EXPORT)
    assert export.summary.startswith("test8 (swagger 2.0) · ")
    assert export.summary.endswith("test8-RELEASE-all-2023-07-11-19:54:22.json")
    assert isinstance(export.result["Comment"], dict)  # the Swagger document is a structure
    assert export.result["Comment"]["swagger"] == "2.0"


async def test_apig_unknown_task_is_gone_with_documented_code(sim_reset, make, transport: str) -> None:
    provider = make(huawei_config(sim_reset, "huawei-apig", transport))
    with pytest.raises(ProviderError) as info:
        await provider.fetch(TaskRef("huawei-apig", "0" * 32, instance=GATEWAY))
    assert info.value.gone and info.value.code == "APIG.3093"


async def test_apig_list_gateways(sim_reset: SimulatorProcess, make) -> None:
    provider = make(huawei_config(sim_reset, "huawei-apig", "aiohttp"))
    gateways = await provider.list_instances()  # type: ignore[attr-defined]
    assert GATEWAY in {g["id"] for g in gateways}


async def test_wrong_aksk_signature_is_refused(sim_reset: SimulatorProcess, make, transport: str) -> None:
    provider = make(huawei_config(sim_reset, "huawei-apig", transport, type="aksk",
                                  access_key=cred.ACCESS_KEY, secret_key="WRONG" + cred.SECRET_KEY))
    with pytest.raises(ProviderError) as info:
        await provider.fetch(TaskRef("huawei-apig", APIG_EXPORT, instance=GATEWAY))
    assert info.value.status == 401
    assert "WRONG" not in str(info.value)


@pytest.mark.parametrize(
    ("fault", "expect"),
    [
        ({"kind": "status", "status": 500, "body": "html"}, "server error"),
        ({"kind": "status", "status": 503, "body": "empty"}, "empty response body"),
        ({"kind": "status", "status": 502, "body": "json"}, "server error"),
        ({"kind": "html200"}, "HTML page"),
        ({"kind": "invalid_json"}, "invalid JSON"),
        ({"kind": "truncated"}, "JSON"),
        ({"kind": "status", "status": 429, "retry_after": 7}, "rate limited"),
        ({"kind": "reset"}, "connection dropped"),
    ],
)
async def test_faults_become_clear_provider_errors(sim_reset: SimulatorProcess, make, transport: str,
                                                   fault: dict, expect: str) -> None:
    provider = make(huawei_config(sim_reset, "huawei-apig", transport))
    sim_reset.add_fault(task_id=APIG_EXPORT, **fault)
    with pytest.raises(ProviderError) as info:
        await provider.fetch(TaskRef("huawei-apig", APIG_EXPORT, instance=GATEWAY))
    assert expect in info.value.message
    assert "\x1b" not in info.value.message and "<" not in info.value.message
    if fault.get("retry_after"):
        assert info.value.retry_after == 7


async def test_connection_refused(make, transport: str) -> None:
    config = ProviderConfig(name="dead", kind="smint", base_url=f"http://127.0.0.1:{closed_port()}/frontend/v1",
                            transport=transport, auth={"type": "none"})
    provider = make(config)
    with pytest.raises(ProviderError) as info:
        await provider.fetch(TaskRef("dead", "00000000-0000-4000-8000-000000000000"))
    assert info.value.network and info.value.code in ("refused", "connect")


async def test_unresolvable_host(make, transport: str) -> None:
    config = ProviderConfig(name="dns", kind="smint", base_url="http://no-such-host.invalid/frontend/v1",
                            transport=transport, auth={"type": "none"}, timeout_connect=3)
    provider = make(config)
    with pytest.raises(ProviderError) as info:
        await provider.fetch(TaskRef("dns", "00000000-0000-4000-8000-000000000000"))
    assert info.value.network
