"""The simulator as the official Huawei Cloud SDK sees it, over real HTTP on 127.0.0.1.

The SDK's own clients (Kafka, RabbitMQ, RocketMQ, APIG) call every endpoint taskdeck uses, with AK/SK
and with token auth; every body the simulator sends must fit the SDK's models (same field names, same
JSON types), and every error must reach the SDK as its own exception with error_code, error_msg and
request_id. taskdeck reads the same answers and must agree.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from huaweicloudsdkapig.v2 import ApigClient, ListInstancesV2Request, ShowAsyncTaskResultRequest
from huaweicloudsdkapig.v2 import model as apig_model
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, ServerResponseException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdkkafka.v2 import KafkaClient
from huaweicloudsdkkafka.v2 import ListBackgroundTasksRequest as KafkaListTasks
from huaweicloudsdkkafka.v2 import ListInstancesRequest as KafkaListInstances
from huaweicloudsdkkafka.v2 import ShowBackgroundTaskRequest as KafkaShowTask
from huaweicloudsdkkafka.v2 import model as kafka_model
from huaweicloudsdkrabbitmq.v2 import ListBackgroundTasksRequest as RabbitListTasks
from huaweicloudsdkrabbitmq.v2 import ListInstancesDetailsRequest as RabbitListInstances
from huaweicloudsdkrabbitmq.v2 import RabbitMQClient
from huaweicloudsdkrabbitmq.v2 import ShowBackgroundTaskRequest as RabbitShowTask
from huaweicloudsdkrabbitmq.v2 import model as rabbit_model
from huaweicloudsdkrocketmq.v2 import ListBackgroundTasksRequest as RocketListTasks
from huaweicloudsdkrocketmq.v2 import ListInstancesRequest as RocketListInstances
from huaweicloudsdkrocketmq.v2 import RocketMQClient
from huaweicloudsdkrocketmq.v2 import ShowBackgroundTaskRequest as RocketShowTask
from huaweicloudsdkrocketmq.v2 import model as rocket_model

from tui.core.config import ProviderConfig
from tui.core.model import TaskRef
from tui.providers.base import Provider
from tui.providers.errors import ProviderError
from tui.providers.registry import create_provider
from tui.simulator import credentials as cred
from tui.simulator.process import SimulatorProcess

OTHER_PROJECT = "ffffffffffffffffffffffffffffffff"
ENGINES = {
    "kafka": (KafkaClient, kafka_model, KafkaListInstances, KafkaListTasks, KafkaShowTask),
    "rabbitmq": (RabbitMQClient, rabbit_model, RabbitListInstances, RabbitListTasks, RabbitShowTask),
    "rocketmq": (RocketMQClient, rocket_model, RocketListInstances, RocketListTasks, RocketShowTask),
}
AUTHS = ["aksk", "token"]


class TokenCredentials(BasicCredentials):
    """The SDK has no X-Auth-Token credential type: this one sends the token instead of a signature."""

    def __init__(self, token: str, project_id: str) -> None:
        super().__init__("unused", "unused", project_id)
        self._token = token

    def sign_request(self, request: Any) -> Any:
        request.header_params["X-Auth-Token"] = self._token
        Signer.process_request_uri(request)
        return request


def sdk_client(client_type: Any, sim: SimulatorProcess, auth: str, *, project: str = cred.PROJECT_ID,
               ak: str = cred.ACCESS_KEY, sk: str = cred.SECRET_KEY) -> Any:
    config = HttpConfig.get_default_config()
    config.timeout = (5, 15)
    client = (client_type.new_builder().with_http_config(config)
              .with_credentials(BasicCredentials(ak, sk, project)).with_endpoints([sim.base_url]).build())
    if auth == "token":
        client.with_credentials(TokenCredentials(cred.HW_TOKEN, project))
    return client


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The SDK (requests) honours proxy variables; the simulator is on loopback."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    yield


def instance_of(sim: SimulatorProcess, engine: str) -> str:
    return next(i["id"] for i in sim.scenario_info()["instances"] if i.get("engine") == engine)


def raw(sim: SimulatorProcess, path: str, **params: Any) -> Any:
    response = httpx.get(f"{sim.base_url}{path}", params=params, headers={"X-Auth-Token": cred.HW_TOKEN})
    assert response.status_code == 200, response.text
    return response.json()


_JSON_TYPES = {"str": str, "int": int, "bool": bool, "float": (int, float), "object": object}


def check_model(data: Any, type_name: str, models: Any, where: str = "body") -> None:
    """Every field the simulator sends is a field of the SDK's model, with the model's JSON type."""
    if type_name.startswith("list["):
        assert isinstance(data, list), f"{where}: a list was expected, got {data!r}"
        for n, item in enumerate(data):
            check_model(item, type_name[5:-1], models, f"{where}[{n}]")
        return
    if type_name in _JSON_TYPES:
        expected = _JSON_TYPES[type_name]
        assert isinstance(data, expected) and not (type_name == "int" and isinstance(data, bool)), (
            f"{where}: the SDK model says {type_name}, the simulator sent {data!r}")
        return
    klass = getattr(models, type_name)
    assert isinstance(data, dict), f"{where}: an object was expected for {type_name}"
    by_json_name = {json_name: attr for attr, json_name in klass.attribute_map.items()}
    for key, value in data.items():
        assert key in by_json_name, f"{where}: {key!r} is not a field of the SDK's {type_name}"
        if value is not None:
            check_model(value, klass.openapi_types[by_json_name[key]], models, f"{where}.{key}")


def huawei_provider(sim: SimulatorProcess, kind: str, auth: str) -> Provider:
    spec = ({"type": "aksk", "access_key": cred.ACCESS_KEY, "secret_key": cred.SECRET_KEY} if auth == "aksk"
            else {"type": "token", "token": cred.HW_TOKEN})
    return create_provider(ProviderConfig(name=kind, kind=kind, base_url=sim.base_url, project_id=cred.PROJECT_ID,
                                          auth=spec))


def taskdeck_read(sim: SimulatorProcess, kind: str, call: Any) -> Any:
    async def run() -> Any:
        provider = huawei_provider(sim, kind, "aksk")
        try:
            return await call(provider)
        except ProviderError as exc:
            return exc
        finally:
            await provider.aclose()

    return asyncio.run(run())


# --- DMS: instances, task list (paging, time window), one task ------------------------------------------------


@pytest.mark.parametrize("auth", AUTHS)
@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_sdk_lists_instances_and_pages_tasks(sim_reset: SimulatorProcess, engine: str, auth: str) -> None:
    client_type, models, list_instances, list_tasks, show_task = ENGINES[engine]
    client = sdk_client(client_type, sim_reset, auth)
    instance = instance_of(sim_reset, engine)
    sim_reset.create_tasks("dms", count=6, instance=instance, engine=engine)

    listed = client.list_instances_details(list_instances(engine=engine)) if engine == "rabbitmq" else (
        client.list_instances(list_instances(engine=engine)))
    assert instance in [i.instance_id for i in listed.instances]
    response_type = "ListInstancesDetailsResponse" if engine == "rabbitmq" else "ListInstancesResponse"
    check_model(raw(sim_reset, f"/v2/{cred.PROJECT_ID}/instances", engine=engine), response_type, models)

    # Page with the SDK's own parameter (`start`) and a small page size.
    seen: list[str] = []
    start = 0
    while True:
        page = client.list_background_tasks(list_tasks(instance_id=instance, start=start, limit=4))
        total = int(page.task_count)  # a string in the SDK's model
        seen += [t.id for t in page.tasks]
        start += len(page.tasks)
        if not page.tasks or start >= total:
            break
    assert len(seen) == len(set(seen)) == total > 4
    path = f"/v2/{cred.PROJECT_ID}/instances/{instance}/tasks"
    check_model(raw(sim_reset, path, start=0, limit=50), "ListBackgroundTasksResponse", models)

    # taskdeck lists the same tasks.
    listing = taskdeck_read(sim_reset, "huawei-dms", lambda p: p.list_tasks(instance))
    assert sorted(s.ref.id for s in listing) == sorted(seen)

    # One task, through ShowBackgroundTask, agrees with the list and with taskdeck.
    first = client.show_background_task(show_task(instance_id=instance, task_id=seen[0]))
    assert [t.id for t in first.tasks] == [seen[0]]
    assert first.task_count == "1"
    check_model(raw(sim_reset, f"{path}/{seen[0]}"), "ShowBackgroundTaskResponse", models)
    ours = taskdeck_read(sim_reset, "huawei-dms", lambda p: p.fetch(TaskRef("huawei-dms", seen[0], instance)))
    assert ours.raw_state == first.tasks[0].status and ours.kind == first.tasks[0].name


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_sdk_time_window(sim_reset: SimulatorProcess, engine: str) -> None:
    """begin_time/end_time (YYYYMMDDHHmmss, UTC) select the tasks created in the window."""
    client_type, _, _, list_tasks, _ = ENGINES[engine]
    client = sdk_client(client_type, sim_reset, "aksk")
    instance = instance_of(sim_reset, engine)
    everything = client.list_background_tasks(list_tasks(instance_id=instance, start=0, limit=50)).tasks
    created = sorted(t.created_at for t in everything)
    middle = created[len(created) // 2]  # 2026-11-29T10:11:12.345Z -> 20261129101112
    stamp = middle[:19].replace("-", "").replace("T", "").replace(":", "")
    later = client.list_background_tasks(list_tasks(instance_id=instance, start=0, limit=50, begin_time=stamp))
    earlier = client.list_background_tasks(list_tasks(instance_id=instance, start=0, limit=50, end_time=stamp))
    assert {t.id for t in later.tasks} == {t.id for t in everything if t.created_at[:19] >= middle[:19]}
    # Whether a task created within the end second counts is not documented: both are accepted.
    assert ({t.id for t in everything if t.created_at[:19] < middle[:19]} <= {t.id for t in earlier.tasks}
            <= {t.id for t in everything if t.created_at[:19] <= middle[:19]})
    assert int(later.task_count) == len(later.tasks) and int(earlier.task_count) == len(earlier.tasks)


# --- APIG: gateways, async task --------------------------------------------------------------------------------


@pytest.mark.parametrize("auth", AUTHS)
def test_sdk_apig_gateways_and_async_task(sim_reset: SimulatorProcess, auth: str) -> None:
    client = sdk_client(ApigClient, sim_reset, auth)
    gateways = client.list_instances_v2(ListInstancesV2Request(limit=10))
    gateway = next(i for i in sim_reset.scenario_info()["instances"] if i["family"] == "apig")["id"]
    assert gateway in [g.id for g in gateways.instances] and gateways.total == len(gateways.instances)
    check_model(raw(sim_reset, f"/v2/{cred.PROJECT_ID}/apigw/instances"), "ListInstancesV2Response", apig_model)
    task_ids = [t["id"] for t in sim_reset.scenario_info()["tasks"] if t["family"] == "apig"]
    for task_id in task_ids:
        answer = client.show_async_task_result(ShowAsyncTaskResultRequest(instance_id=gateway, task_id=task_id))
        assert answer.task_id == task_id and answer.task_status in ("waiting", "processing", "succeed", "failed")
        path = f"/v2/{cred.PROJECT_ID}/apigw/instances/{gateway}/async-tasks/{task_id}"
        check_model(raw(sim_reset, path), "ShowAsyncTaskResultResponse", apig_model)
        ours = taskdeck_read(sim_reset, "huawei-apig", lambda p, t=task_id: p.fetch(TaskRef("huawei-apig", t, gateway)))
        assert ours.raw_state == answer.task_status


# --- errors reach the SDK as its exceptions, with a request id; taskdeck keeps the same facts ----------------


def sdk_error(call: Any) -> ClientRequestException | ServerResponseException:
    with pytest.raises((ClientRequestException, ServerResponseException)) as caught:
        call()
    error = caught.value
    assert error.request_id, "every error carries X-Request-Id"
    assert error.error_code and error.error_msg is not None  # "" for an empty body: the SDK's response.text
    return error


def test_sdk_errors_carry_code_message_and_request_id(sim_reset: SimulatorProcess) -> None:
    instance = instance_of(sim_reset, "kafka")
    task = raw(sim_reset, f"/v2/{cred.PROJECT_ID}/instances/{instance}/tasks", limit=1)["tasks"][0]["id"]

    def show(client: Any, task_id: str = task, inst: str = instance) -> Any:
        return client.show_background_task(KafkaShowTask(instance_id=inst, task_id=task_id))

    wrong_ak = sdk_error(lambda: show(sdk_client(KafkaClient, sim_reset, "aksk", ak="NOSUCHKEY")))
    assert (wrong_ak.status_code, wrong_ak.error_code) == (401, "APIG.0301")
    wrong_sk = sdk_error(lambda: show(sdk_client(KafkaClient, sim_reset, "aksk", sk="not-the-secret")))
    assert (wrong_sk.status_code, wrong_sk.error_code) == (401, "APIG.0301")
    other_project = sdk_error(lambda: show(sdk_client(KafkaClient, sim_reset, "aksk", project=OTHER_PROJECT)))
    assert (other_project.status_code, other_project.error_code) == (403, "APIG.1005")
    client = sdk_client(KafkaClient, sim_reset, "aksk")
    missing_task = sdk_error(lambda: show(client, "0" * 32))
    assert (missing_task.status_code, missing_task.error_code) == (404, "DMS.00404022")
    missing_instance = sdk_error(lambda: show(client, inst="00000000-0000-0000-0000-000000000000"))
    assert missing_instance.status_code == 404 and "instance" in missing_instance.error_msg
    # An X-Sdk-Date more than 15 minutes away from the server's clock.
    sim_reset.advance(3600)
    expired = sdk_error(lambda: show(client))
    assert (expired.status_code, expired.error_code) == (401, "APIG.0303")
    sim_reset.reset()


@pytest.mark.parametrize("body", ["json", "html", "empty"])
@pytest.mark.parametrize("status", [500, 502, 503])
def test_injected_5xx_reach_sdk_and_taskdeck_with_request_id(sim_reset: SimulatorProcess, status: int,
                                                             body: str) -> None:
    gateway = next(i for i in sim_reset.scenario_info()["instances"] if i["family"] == "apig")["id"]
    task_id = next(t["id"] for t in sim_reset.scenario_info()["tasks"] if t["family"] == "apig")
    client = sdk_client(ApigClient, sim_reset, "aksk")
    sim_reset.add_fault("status", task_id=task_id, status=status, body=body, count=1)
    error = sdk_error(lambda: client.show_async_task_result(
        ShowAsyncTaskResultRequest(instance_id=gateway, task_id=task_id)))
    assert isinstance(error, ServerResponseException) and error.status_code == status
    if body != "json":
        assert error.error_code == str(status)  # the SDK's fallback when the body has no code
    if body != "empty":
        assert error.error_msg

    sim_reset.add_fault("status", task_id=task_id, status=status, body=body, count=1)
    ours = taskdeck_read(sim_reset, "huawei-apig", lambda p: p.fetch(TaskRef("huawei-apig", task_id, gateway)))
    assert isinstance(ours, ProviderError) and ours.status == status
    assert ours.request_id and len(ours.request_id) == 32
    assert ours.to_task_error().request_id == ours.request_id
    if body == "json":
        assert ours.code == error.error_code


def test_taskdeck_keeps_request_id_of_refusals(sim_reset: SimulatorProcess) -> None:
    """The same refusals through taskdeck: code as the SDK reads it, and a request id."""
    instance = instance_of(sim_reset, "kafka")

    async def read(project: str, task_id: str, auth: dict[str, str]) -> ProviderError:
        provider = create_provider(ProviderConfig(name="k", kind="huawei-dms", base_url=sim_reset.base_url,
                                                  project_id=project, auth=auth))
        try:
            with pytest.raises(ProviderError) as caught:
                await provider.fetch(TaskRef("k", task_id, instance))
            return caught.value
        finally:
            await provider.aclose()

    aksk = {"type": "aksk", "access_key": cred.ACCESS_KEY, "secret_key": cred.SECRET_KEY}
    cases = [
        (cred.PROJECT_ID, "0" * 32, aksk, 404, "DMS.00404022"),
        (OTHER_PROJECT, "0" * 32, aksk, 403, "APIG.1005"),
        (cred.PROJECT_ID, "0" * 32, {**aksk, "secret_key": "a-wrong-secret-key-for-this-test"}, 401, "APIG.0301"),
        (cred.PROJECT_ID, "0" * 32, {"type": "token", "token": "expired"}, 401, "APIG.1002"),
    ]
    for project, task_id, auth, status, code in cases:
        error = asyncio.run(read(project, task_id, auth))
        assert (error.status, error.code) == (status, code)
        assert error.request_id and error.to_task_error().as_dict()["request_id"] == error.request_id
        assert f"(request id {error.request_id})" in str(error.to_task_error())
