"""The API simulator over real HTTP: documented bodies, errors, auth, paging, clock, faults, log and stats."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import httpx
import pytest

from tui.simulator import credentials as cred
from tui.simulator import scenario, signing
from tui.simulator.process import SimulatorError, SimulatorProcess
from tui.simulator.server import start_simulator

P = cred.PROJECT_ID
SMINT_AUTH = {"Authorization": f"Bearer {cred.SMINT_TOKEN}"}
HW_AUTH = {"X-Auth-Token": cred.HW_TOKEN}
BIND_IP = "8abfa7b272adc5b40172b73130065ae7"
APIG_IMPORT_OK = "d9ce8c9eede54b3f841ec324fe0bfdc2"
APIG_IMPORT_FAILED = "f01d2772ea4944408fa544c8ae5a9999"
APIG_PROCESSING = "4dfbf6acaacf4c41a8b3c50daa90d3dc"
APIG_EXPORT = "d6e8834b6f0f4711a2fa5345e5b60833"


@pytest.fixture
def client(sim_reset: SimulatorProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim_reset.base_url, trust_env=False, timeout=10) as c:
        yield c


@pytest.fixture
def info(sim_reset: SimulatorProcess) -> dict[str, Any]:
    return sim_reset.scenario_info()


def by_label(info: dict[str, Any], label: str) -> dict[str, Any]:
    return next(t for t in info["tasks"] if t.get("label") == label)


def instance(info: dict[str, Any], name: str) -> str:
    return next(i["id"] for i in info["instances"] if i["name"] == name)


def smint(client: httpx.Client, uuid: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return client.get(f"/frontend/v1/backgroundTasks/{uuid}", headers=SMINT_AUTH if headers is None else headers)


def dms_task(client: httpx.Client, inst: str, task: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return client.get(f"/v2/{P}/instances/{inst}/tasks/{task}", headers=HW_AUTH if headers is None else headers)


def apig_task(client: httpx.Client, inst: str, task: str, headers: dict[str, str] | None = None) -> httpx.Response:
    path = f"/v2/{P}/apigw/instances/{inst}/async-tasks/{task}"
    return client.get(path, headers=HW_AUTH if headers is None else headers)


# --- an AK/SK signer written from apis.md section 4.2, independent of the server's code --------------------

def sign_request(method: str, url: str, headers: dict[str, str], body: bytes = b"",
                 ak: str = cred.ACCESS_KEY, sk: str = cred.SECRET_KEY, unsigned: bool = False) -> dict[str, str]:
    parts = urlsplit(url)
    uri = "/".join(quote(seg, safe="~") for seg in unquote(parts.path).split("/"))
    uri += "" if uri.endswith("/") else "/"
    pairs = sorted((quote(k, safe="~"), quote(v, safe="~")) for k, v in parse_qsl(parts.query, True))
    query = "&".join(f"{k}={v}" for k, v in pairs)
    lower = {k.lower(): v.strip() for k, v in headers.items()}
    lower["host"] = parts.netloc
    names = sorted(lower)
    canonical = "\n".join([
        method, uri, query, "".join(f"{n}:{lower[n]}\n" for n in names), ";".join(names),
        "UNSIGNED-PAYLOAD" if unsigned else hashlib.sha256(body).hexdigest(),
    ])
    to_sign = f"SDK-HMAC-SHA256\n{lower['x-sdk-date']}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    sig = hmac.new(sk.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    return {**headers, "Authorization": f"SDK-HMAC-SHA256 Access={ak}, SignedHeaders={';'.join(names)}, "
                                        f"Signature={sig}"}


def sdk_date(delta: float = 0.0) -> str:
    return (datetime.now(UTC) + timedelta(seconds=delta)).strftime("%Y%m%dT%H%M%SZ")


# --- signing test vectors against the server's canonicalisation ------------------------------------------

def test_signing_vector_a_official_doc() -> None:
    headers = {"Content-Type": "application/json", "Host": "service.region.example.com",
               "X-Sdk-Date": "20191115T033655Z"}
    canonical = signing.canonical_request(
        "GET", "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
        [("marker", "13551d6b-755d-4757-b956-536f674975c0"), ("limit", "2")],
        headers, ["content-type", "host", "x-sdk-date"], signing.EMPTY_BODY_SHA256,
    )
    assert canonical == (
        "GET\n/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/\nlimit=2&marker=13551d6b-755d-4757-b956-536f674975c0\n"
        "content-type:application/json\nhost:service.region.example.com\nx-sdk-date:20191115T033655Z\n\n"
        "content-type;host;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert hashlib.sha256(canonical.encode()).hexdigest() == (
        "b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a")
    sts = signing.string_to_sign("20191115T033655Z", canonical)
    assert signing.signature("MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc", sts) == (
        "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe")
    parsed = signing.parse_authorization(
        "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, "
        "Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe")
    assert parsed == ("QTWAOYTTINDUT2QVKYUC", ["content-type", "host", "x-sdk-date"],
                      "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe")


@pytest.mark.parametrize(("method", "body", "expected"), [
    ("GET", b"", "cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842"),
    ("POST", b'{"name":"test","id":1}', "436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f"),
])
def test_signing_vectors_b_c_sdk(method: str, body: bytes, expected: str) -> None:
    headers = {"X-Sdk-Date": "20200608T023900Z", "TEST_UNDERSCORE": "TEST_VALUE",
               "Host": "service.endpoint.myhuaweicloud.com"}
    canonical = signing.canonical_request(method, "/resources", [("size", "1")], headers, ["host", "x-sdk-date"],
                                          signing.body_sha256(body))
    if method == "GET":
        assert canonical == ("GET\n/resources/\nsize=1\nhost:service.endpoint.myhuaweicloud.com\n"
                             "x-sdk-date:20200608T023900Z\n\nhost;x-sdk-date\n" + signing.EMPTY_BODY_SHA256)
    assert signing.signature("SecretKey", signing.string_to_sign("20200608T023900Z", canonical)) == expected


def test_signing_canonical_query_sdk_vector() -> None:
    pairs = [("limit", "1"), ("enable", "true"), ("test", "一 (&=?!#%.*)"), ("path", "/tmp/123"),
             ("multi", "3"), ("multi", "1"), ("multi", "2")]
    assert signing.canonical_query(pairs) == (
        "enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123"
        "&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29")
    assert signing.canonical_query([]) == ""
    assert signing.canonical_uri("/a b/c%2Fd") == "/a%20b/c/d/"
    assert signing.parse_sdk_date("20191115T033655Z") == datetime(2019, 11, 15, 3, 36, 55, tzinfo=UTC).timestamp()
    assert signing.parse_sdk_date("yesterday") is None


# --- scenario and determinism ----------------------------------------------------------------------------

def test_health_and_demo_scenario(sim_reset: SimulatorProcess, info: dict[str, Any]) -> None:
    health = sim_reset.health()
    assert health["ok"] and health["scenario"] == "demo" and health["seed"] == 1
    assert info["project_id"] == P
    families = [t["family"] for t in info["tasks"]]
    assert families.count("smint") >= 18 and families.count("dms") >= 18 and families.count("apig") >= 14
    ids = {t["id"] for t in info["tasks"]}
    assert {BIND_IP, "8abfa7b372160bfd0172165864064079", "8abfa7b372160bfd017216560af83e6e",
            APIG_IMPORT_OK, APIG_IMPORT_FAILED, APIG_PROCESSING, APIG_EXPORT} <= ids
    engines = {i.get("engine") for i in info["instances"]}
    assert {"kafka", "rabbitmq", None} <= engines
    for t in info["tasks"]:
        if t["family"] != "smint":
            assert t["instance"] in {i["id"] for i in info["instances"]}
    assert all(t["engine"] in ("kafka", "rabbitmq", "rocketmq") for t in info["tasks"] if t["family"] == "dms")


def test_same_seed_same_tasks(sim_reset: SimulatorProcess, info: dict[str, Any]) -> None:
    sim_reset.reset("demo", 2)
    other = sim_reset.scenario_info()
    sim_reset.reset("demo", 1)
    assert sim_reset.scenario_info() == info
    assert other["tasks"] != info["tasks"]
    assert BIND_IP in {t["id"] for t in other["tasks"]}  # documented ids stay
    a = scenario.build("bulk", 5, 50)
    b = scenario.build("bulk", 5, 50)
    assert [p.summary() for p in a.plans] == [p.summary() for p in b.plans] and len(a.plans) == 50


def test_empty_and_bulk_scenarios(sim_reset: SimulatorProcess) -> None:
    sim_reset.reset("empty")
    empty = sim_reset.scenario_info()
    assert empty["tasks"] == [] and len(empty["instances"]) >= 3
    sim_reset.reset("bulk", count=300)
    bulk = sim_reset.scenario_info()
    assert len(bulk["tasks"]) == 300
    assert {t["family"] for t in bulk["tasks"]} == {"smint", "dms", "apig"}
    assert "error" in json.dumps(_admin_error(sim_reset, "/_sim/reset", {"scenario": "nope"}))


def _admin_error(sim: SimulatorProcess, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = httpx.post(sim.base_url + path, json=body, trust_env=False)
    assert r.status_code == 400
    return r.json()


# --- Smint ---------------------------------------------------------------------------------------------------

def test_smint_task_progresses_with_clock(sim_reset: SimulatorProcess, client: httpx.Client,
                                          info: dict[str, Any]) -> None:
    uuid = by_label(info, "asset download (zip)")["id"]  # waits 2 s, runs 25 s, 12 steps
    r = smint(client, uuid)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"uuid", "state", "finished_percentage", "total_steps", "succeeded_steps", "failed_steps",
                         "result_string"}
    assert body["uuid"] == uuid and body["state"] in ("created", "in_progress") and body["total_steps"] == 12
    sim_reset.advance(14)
    mid = smint(client, uuid).json()
    assert mid["state"] == "in_progress" and 0 < mid["finished_percentage"] < 100
    assert 0 < mid["succeeded_steps"] < 12 and mid["result_string"] is None
    sim_reset.advance(20)
    done = smint(client, uuid).json()
    assert done["state"] == "completed" and done["finished_percentage"] == 100 and done["succeeded_steps"] == 12
    assert json.loads(done["result_string"])["assetDownloadUrl"]["url"].startswith("https://")


def test_smint_created_immediate_quoted_and_error(sim_reset: SimulatorProcess, client: httpx.Client,
                                                  info: dict[str, Any]) -> None:
    queued = smint(client, by_label(info, "queued export")["id"]).json()
    assert queued["state"] == "created" and queued["finished_percentage"] == 0
    immediate = smint(client, by_label(info, "feature support (immediate)")["id"]).json()
    assert immediate["state"] == "completed" and json.loads(immediate["result_string"])["isRandomAccessSupported"]
    sim_reset.advance(15)
    quoted = smint(client, by_label(info, "collections (quoted JSON)")["id"]).json()
    assert quoted["state"] == "completed"
    assert quoted["result_string"].startswith("'{") and quoted["result_string"].endswith("}'")
    assert "collections" in json.loads(quoted["result_string"][1:-1])
    sim_reset.advance(30)
    failed = smint(client, by_label(info, "renditions batch")["id"]).json()
    assert failed["state"] == "error" and failed["failed_steps"] > 0
    assert failed["succeeded_steps"] + failed["failed_steps"] == failed["total_steps"]
    never = smint(client, by_label(info, "stuck metadata sync")["id"])
    sim_reset.advance(100_000)
    assert never.json()["state"] == smint(client, by_label(info, "stuck metadata sync")["id"]).json()["state"] == \
        "in_progress"


def test_smint_errors_and_auth(client: httpx.Client, info: dict[str, Any]) -> None:
    missing = smint(client, "00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    body = missing.json()
    assert set(body) == {"error_code", "error_message", "error_details"}
    assert body["error_details"] == {"uuid": "00000000-0000-0000-0000-000000000000", "name": "BackgroundTask"}
    uuid = info["tasks"][0]["id"]
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": cred.SMINT_TOKEN}):
        r = smint(client, uuid, headers)
        assert r.status_code == 401 and set(r.json()) == {"error_code", "error_message", "error_details"}


def test_smint_oauth_refresh_and_expiry(sim_reset: SimulatorProcess, client: httpx.Client,
                                        info: dict[str, Any]) -> None:
    form = {"grant_type": "refresh_token", "refresh_token": cred.SMINT_REFRESH_TOKEN,
            "client_id": cred.SMINT_CLIENT_ID, "client_secret": cred.SMINT_CLIENT_SECRET}
    r = client.post("/connect/token", data=form)
    assert r.status_code == 200
    tok = r.json()
    assert tok["token_type"] == "Bearer" and tok["expires_in"] == 3600 and tok["refresh_token"]
    uuid = info["tasks"][0]["id"]
    bearer = {"Authorization": f"Bearer {tok['access_token']}"}
    assert smint(client, uuid, bearer).status_code == 200
    sim_reset.set_auth(expire_issued=True)
    assert smint(client, uuid, bearer).status_code == 401
    assert smint(client, uuid).status_code == 200  # the static token keeps working
    sim_reset.set_auth(token_lifetime=10)
    short = client.post("/connect/token", data=form).json()
    assert short["expires_in"] == 10
    bearer = {"Authorization": f"Bearer {short['access_token']}"}
    assert smint(client, uuid, bearer).status_code == 200
    sim_reset.advance(11)
    assert smint(client, uuid, bearer).status_code == 401
    assert client.post("/connect/token", data={**form, "client_secret": "x"}).json() == {"error": "invalid_client"}
    assert client.post("/connect/token", data={**form, "refresh_token": "x"}).json() == {"error": "invalid_grant"}
    bad = client.post("/connect/token", data={**form, "grant_type": "password"})
    assert bad.status_code == 400 and bad.json()["error"] == "unsupported_grant_type"
    basic = base64.b64encode(f"{cred.SMINT_CLIENT_ID}:{cred.SMINT_CLIENT_SECRET}".encode()).decode()
    r = client.post("/connect/token", data={"grant_type": "refresh_token", "refresh_token": cred.SMINT_REFRESH_TOKEN},
                    headers={"Authorization": f"Basic {basic}"})
    assert r.status_code == 200


# --- DMS -----------------------------------------------------------------------------------------------------

def test_dms_documented_task(sim_reset: SimulatorProcess, client: httpx.Client, info: dict[str, Any]) -> None:
    kafka = instance(info, "kafka-orders")
    r = dms_task(client, kafka, BIND_IP)
    assert r.status_code == 200
    body = r.json()
    assert body["task_count"] == "1" and len(body["tasks"]) == 1
    task = body["tasks"][0]
    assert set(task) == {"id", "name", "user_name", "user_id", "params", "status", "created_at", "updated_at"}
    assert task["name"] == "bindInstancePublicIp" and task["user_name"] == "paas_dms"
    assert json.loads(task["params"])["public_ip_address"] == "100.93.2.18"
    assert task["status"] == "EXECUTING"
    assert datetime.strptime(task["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    sim_reset.advance(30)
    done = dms_task(client, kafka, BIND_IP).json()["tasks"][0]
    assert done["status"] == "SUCCESS" and done["updated_at"] > done["created_at"]
    statuses = set()
    sim_reset.advance(7200)
    for t in info["tasks"]:
        if t["family"] == "dms":
            statuses.add(dms_task(client, t["instance"], t["id"]).json()["tasks"][0]["status"])
    assert {"SUCCESS", "FAILED", "CANCELLED", "DELETED", "EXECUTING"} <= statuses


def test_dms_not_found_and_auth(client: httpx.Client, info: dict[str, Any]) -> None:
    kafka = instance(info, "kafka-orders")
    r = dms_task(client, kafka, "0" * 32)
    assert r.status_code == 404 and r.json()["error_code"].startswith("DMS.") and r.json()["error_msg"]
    assert dms_task(client, "no-such-instance", BIND_IP).status_code == 404
    assert dms_task(client, instance(info, "rabbitmq-billing"), BIND_IP).status_code == 404
    for headers in ({}, {"X-Auth-Token": "nope"}):
        denied = dms_task(client, kafka, BIND_IP, headers)
        assert denied.status_code == 401 and denied.json()["error_code"] == "APIG.1002"
    assert client.get(f"/v2/{'f' * 32}/instances/{kafka}/tasks/{BIND_IP}", headers=HW_AUTH).status_code == 403


def test_dms_instances_list(client: httpx.Client, info: dict[str, Any]) -> None:
    r = client.get(f"/v2/{P}/instances", params={"engine": "kafka"}, headers=HW_AUTH)
    body = r.json()
    assert body["instance_num"] == 1 and body["instances"][0]["instance_id"] == instance(info, "kafka-orders")
    assert {"instance_id", "name", "engine", "engine_version", "status"} <= set(body["instances"][0])
    all_ = client.get(f"/v2/{P}/instances", headers=HW_AUTH).json()
    assert all_["instance_num"] == 3
    page = client.get(f"/v2/{P}/instances", params={"offset": 1, "limit": 1}, headers=HW_AUTH).json()
    assert page["instance_num"] == 3 and len(page["instances"]) == 1
    assert page["instances"][0]["instance_id"] == all_["instances"][1]["instance_id"]
    assert client.get(f"/v2/{P}/instances", params={"limit": 0}, headers=HW_AUTH).status_code == 400


def test_dms_task_list_paging(sim_reset: SimulatorProcess, client: httpx.Client, info: dict[str, Any]) -> None:
    kafka = instance(info, "kafka-orders")
    path = f"/v2/{P}/instances/{kafka}/tasks"
    total = sum(1 for t in info["tasks"] if t.get("instance") == kafka)
    everything = client.get(path, params={"limit": 50}, headers=HW_AUTH).json()
    assert everything["task_count"] == str(total) and len(everything["tasks"]) == total
    default = client.get(path, headers=HW_AUTH).json()
    assert default["task_count"] == str(total) and len(default["tasks"]) == min(total, 10)
    ids = [t["id"] for t in everything["tasks"]]
    created = [t["created_at"] for t in everything["tasks"]]
    assert created == sorted(created, reverse=True)
    for name in ("offset", "start"):
        pages: list[str] = []
        for first in range(0, total, 4):
            page = client.get(path, params={name: first, "limit": 4}, headers=HW_AUTH).json()
            assert page["task_count"] == str(total)
            pages += [t["id"] for t in page["tasks"]]
        assert pages == ids
    # An instance that only knows the older `start` ignores `offset` (the first page again); and
    # the other way round.
    for honoured, ignored in (("start", "offset"), ("offset", "start")):
        sim_reset.set_instance(family="dms", id=kafka, paging=honoured)
        first = client.get(path, params={ignored: 2, "limit": 2}, headers=HW_AUTH)
        assert first.status_code == 200 and [t["id"] for t in first.json()["tasks"]] == ids[:2]
        third = client.get(path, params={honoured: 2, "limit": 2}, headers=HW_AUTH).json()
        assert [t["id"] for t in third["tasks"]] == ids[2:4]
    # A strict instance honours `offset` and refuses what it does not know.
    sim_reset.set_instance(family="dms", id=kafka, paging="strict")
    rejected = client.get(path, params={"start": 0, "limit": 2}, headers=HW_AUTH)
    assert rejected.status_code == 400 and rejected.json()["error_code"].startswith("DMS.")
    assert "start" in rejected.json()["error_msg"]
    assert client.get(path, params={"marker": "x"}, headers=HW_AUTH).status_code == 400
    assert client.get(path, params={"offset": 2, "limit": 2}, headers=HW_AUTH).json()["tasks"][0]["id"] == ids[2]
    assert client.get(path, params={"offset": -1}, headers=HW_AUTH).status_code == 400
    assert client.get(path, params={"begin_time": "yesterday"}, headers=HW_AUTH).status_code == 400


def test_dms_task_list_time_window(sim_reset: SimulatorProcess, client: httpx.Client,
                                   info: dict[str, Any]) -> None:
    kafka = instance(info, "kafka-orders")
    path = f"/v2/{P}/instances/{kafka}/tasks"
    now = datetime.now(UTC)
    fmt = "%Y%m%d%H%M%S"
    recent = client.get(path, params={"limit": 50, "begin_time": (now - timedelta(minutes=30)).strftime(fmt),
                                      "end_time": (now + timedelta(minutes=30)).strftime(fmt)}, headers=HW_AUTH).json()
    names = {t["name"] for t in recent["tasks"]}
    assert "bindInstancePublicIp" in names and "createInstance" not in names
    assert recent["task_count"] == str(len(recent["tasks"]))
    old = client.get(path, params={"end_time": (now - timedelta(days=1)).strftime(fmt)}, headers=HW_AUTH).json()
    assert [t["name"] for t in old["tasks"]] == ["createInstance"]


# --- APIG ----------------------------------------------------------------------------------------------------

def test_apig_documented_examples(client: httpx.Client, info: dict[str, Any]) -> None:
    gw = instance(info, "gateway-eu")
    ok = apig_task(client, gw, APIG_IMPORT_OK).json()
    assert ok == {"task_id": APIG_IMPORT_OK, "task_status": "succeed", "task_type": "import_api", "task_result": (
        '{"success":[{"id":"ee93ce6815f04896b301452982b92222","action":"create","method":"GET","path":"/test1"}],'
        '"failure":[],"swagger":{"id":"de1852ab6c5e4090b0bd88a02058e650","result":"Success"},'
        '"group_id":"9100ae30705947cc9543d37cd7fb388c"}')}
    failed = apig_task(client, gw, APIG_IMPORT_FAILED).json()
    assert failed["task_status"] == "failed"
    assert json.loads(failed["task_result"]) == {"error_code": "APIG.3201",
                                                 "error_msg": "The API group name already exists"}
    processing = apig_task(client, gw, APIG_PROCESSING).json()
    assert processing == {"task_id": APIG_PROCESSING, "task_status": "processing", "task_type": "import_api",
                          "task_result": ""}
    export = apig_task(client, gw, APIG_EXPORT).json()
    assert export["task_status"] == "succeed" and export["task_type"] == "export_api"
    result = json.loads(export["task_result"])
    assert result["FileName"] == "test8-RELEASE-all-2023-07-11-19:54:22" and result["FileType"] == ".json"
    assert isinstance(result["Comment"], str) and result["Comment"].startswith('{\n\t"swagger": "2.0"')
    swagger = json.loads(result["Comment"])
    assert swagger["swagger"] == "2.0" and swagger["paths"]
    waiting = apig_task(client, gw, by_label(info, "waiting")["id"]).json()
    assert waiting["task_status"] == "waiting" and waiting["task_result"] == ""


def test_apig_errors_and_instances(client: httpx.Client, info: dict[str, Any]) -> None:
    gw = instance(info, "gateway-eu")
    missing = apig_task(client, gw, "0" * 32)
    assert missing.status_code == 404
    assert missing.json() == {"error_code": "APIG.3093",
                              "error_msg": f"The asynchronous task {'0' * 32} does not exist"}
    denied = apig_task(client, gw, APIG_EXPORT, {})
    assert denied.status_code == 401 and denied.json()["error_code"] == "APIG.1002"
    gws = client.get(f"/v2/{P}/apigw/instances", headers=HW_AUTH).json()
    assert gws["total"] == 1 and gws["size"] == 1
    assert {"id", "project_id", "instance_name", "status"} <= set(gws["instances"][0])
    assert gws["instances"][0]["id"] == gw and gws["instances"][0]["project_id"] == P


def test_markup_names_are_plain_data(client: httpx.Client, info: dict[str, Any]) -> None:
    t = by_label(info, "markup in name")
    assert "[bold]x[/]" in dms_task(client, t["instance"], t["id"]).json()["tasks"][0]["name"]


# --- IAM and Huawei auth -----------------------------------------------------------------------------------

def _iam_body(password: str = cred.IAM_PASSWORD) -> dict[str, Any]:
    return {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "domain": {"name": cred.IAM_DOMAIN}, "name": cred.IAM_USER, "password": password}}},
        "scope": {"project": {"name": cred.REGION}}}}


def test_iam_password_token(sim_reset: SimulatorProcess, client: httpx.Client, info: dict[str, Any]) -> None:
    r = client.post("/v3/auth/tokens", json=_iam_body(), headers={"Content-Type": "application/json;charset=utf8"})
    assert r.status_code == 201
    token = r.headers["X-Subject-Token"]
    body = r.json()["token"]
    issued = datetime.strptime(body["issued_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    expires = datetime.strptime(body["expires_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert expires - issued == timedelta(hours=24) and body["project"]["id"] == P
    kafka = instance(info, "kafka-orders")
    assert dms_task(client, kafka, BIND_IP, {"X-Auth-Token": token}).status_code == 200
    sim_reset.set_auth(expire_issued=True)
    assert dms_task(client, kafka, BIND_IP, {"X-Auth-Token": token}).status_code == 401
    wrong = client.post("/v3/auth/tokens", json=_iam_body("nope"))
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == 401 and wrong.json()["error"]["title"] == "Unauthorized"
    assert client.post("/v3/auth/tokens", content=b"{not json").status_code == 400


def test_aksk_signature_accepted_and_rejected(sim_reset: SimulatorProcess, client: httpx.Client,
                                              info: dict[str, Any]) -> None:
    kafka = instance(info, "kafka-orders")
    base = sim_reset.base_url
    url = f"{base}/v2/{P}/instances/{kafka}/tasks?limit=3&note=a%20b%2Fc%26%C3%A9&offset=0"
    headers = sign_request("GET", url, {"X-Sdk-Date": sdk_date(), "X-Project-Id": P,
                                        "Content-Type": "application/json"})
    r = client.get(url, headers=headers)
    assert r.status_code == 200, r.text
    assert len(r.json()["tasks"]) == 3
    show = f"{base}/v2/{P}/apigw/instances/{instance(info, 'gateway-eu')}/async-tasks/{APIG_EXPORT}"
    assert client.get(show, headers=sign_request("GET", show, {"X-Sdk-Date": sdk_date()})).status_code == 200
    wrong_sk = client.get(url, headers=sign_request("GET", url, {"X-Sdk-Date": sdk_date()}, sk="x"))
    assert wrong_sk.status_code == 401 and wrong_sk.json()["error_code"] == "APIG.0301"
    assert "request_id" in wrong_sk.json()
    wrong_ak = client.get(url, headers=sign_request("GET", url, {"X-Sdk-Date": sdk_date()}, ak="OTHER"))
    assert wrong_ak.status_code == 401
    tampered = dict(headers)
    tampered["X-Project-Id"] = "f" * 32
    assert client.get(url, headers=tampered).status_code == 401
    stale = client.get(url, headers=sign_request("GET", url, {"X-Sdk-Date": sdk_date(-16 * 60)}))
    assert stale.status_code == 401 and stale.json()["error_code"] == "APIG.0303"
    assert client.get(url, headers=sign_request("GET", url, {"X-Sdk-Date": sdk_date(-14 * 60)})).status_code == 200
    # The skew is measured against the simulated clock.
    sim_reset.advance(20 * 60)
    moved = client.get(url, headers=sign_request("GET", url, {"X-Sdk-Date": sdk_date()}))
    assert moved.json()["error_code"] == "APIG.0303"
    assert client.get(url, headers=sign_request("GET", url, {"X-Sdk-Date": sdk_date(20 * 60)})).status_code == 200


def test_aksk_signed_body(sim_reset: SimulatorProcess, client: httpx.Client) -> None:
    gw_list = f"{sim_reset.base_url}/v2/{P}/apigw/instances"
    body = b'{"name":"test","id":1}'
    headers = sign_request("GET", gw_list, {"X-Sdk-Date": sdk_date(), "Content-Type": "application/json"}, body)
    assert client.request("GET", gw_list, headers=headers, content=body).status_code == 200
    assert client.request("GET", gw_list, headers=headers, content=b'{"name":"evil"}').status_code == 401
    # With X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD the body is not part of the signature.
    unsigned = sign_request("GET", gw_list, {"X-Sdk-Date": sdk_date(), "X-Sdk-Content-Sha256": "UNSIGNED-PAYLOAD"},
                            unsigned=True)
    assert client.request("GET", gw_list, headers=unsigned, content=b"anything").status_code == 200


def test_auth_switches(sim_reset: SimulatorProcess, client: httpx.Client, info: dict[str, Any]) -> None:
    kafka = instance(info, "kafka-orders")
    gw = instance(info, "gateway-eu")
    smint_id = info["tasks"][0]["id"]
    state = sim_reset.set_auth(dms=False)
    assert state["dms"] is False and state["apig"] is True and state["smint"] is True
    assert dms_task(client, kafka, BIND_IP, {}).status_code == 200
    assert apig_task(client, gw, APIG_EXPORT, {}).status_code == 401
    sim_reset.set_auth(enabled=False)
    assert apig_task(client, gw, APIG_EXPORT, {}).status_code == 200
    assert smint(client, smint_id, {}).status_code == 200
    sim_reset.reset()
    assert smint(client, smint_id, {}).status_code == 401


# --- clock and created tasks -------------------------------------------------------------------------------

def test_clock_advance(sim_reset: SimulatorProcess) -> None:
    before = sim_reset.call("GET", "/_sim/clock")
    after = sim_reset.advance(3600)
    assert after["offset"] == 3600 and after["now"] >= before["now"] + 3600
    with pytest.raises(SimulatorError):
        sim_reset.advance(-1)


def test_created_tasks_follow_their_plan(sim_reset: SimulatorProcess, client: httpx.Client) -> None:
    created = sim_reset.create_tasks("smint", 3, wait=10, run=100, steps=10, outcome="succeed", label="mine")
    assert len(created) == 3 and len({t["id"] for t in created}) == 3
    uuid = created[0]["id"]
    states = []
    for step in (0, 11, 50, 100):
        sim_reset.advance(step)
        body = smint(client, uuid).json()
        states.append((body["state"], body["finished_percentage"]))
    assert states[0] == ("created", 0)
    assert states[1][0] == states[2][0] == "in_progress" and 0 <= states[1][1] < states[2][1] < 100
    assert states[3] == ("completed", 100)
    dms = sim_reset.create_tasks("dms", engine="rabbitmq", name="customTask", run=5, outcome="cancel",
                                 id="my-task-id")[0]
    assert dms["id"] == "my-task-id" and dms["engine"] == "rabbitmq"
    sim_reset.advance(6)
    assert dms_task(client, dms["instance"], "my-task-id").json()["tasks"][0]["status"] == "CANCELLED"
    apig = sim_reset.create_tasks("apig", run=5, outcome="fail", name="import_api")[0]
    assert apig_task(client, apig["instance"], apig["id"]).json()["task_status"] == "processing"
    sim_reset.advance(6)
    assert apig_task(client, apig["instance"], apig["id"]).json()["task_status"] == "failed"
    fresh = sim_reset.create_tasks("dms", instance="fresh-instance", engine="kafka", run=1)[0]
    assert fresh["instance"] == "fresh-instance"
    assert dms_task(client, "fresh-instance", fresh["id"]).status_code == 200
    assert _admin_error(sim_reset, "/_sim/tasks", {"family": "nope"})["error"]
    assert _admin_error(sim_reset, "/_sim/tasks", {"family": "smint", "plan": {"outcome": "maybe"}})["error"]
    assert _admin_error(sim_reset, "/_sim/tasks", {"family": "smint", "plan": {"bogus": 1}})["error"]


def test_hostile_values_injected(sim_reset: SimulatorProcess, client: httpx.Client) -> None:
    evil = "\x1b[2J\x1b]0;pwned\x07[bold red]boom[/]\r\n\u202e"
    t = sim_reset.create_tasks("dms", name=evil, overrides={"status": "EXPLODED", "params": None,
                                                            "created_at": 12345}, remove=["user_id"],
                               body_overrides={"task_count": 1})[0]
    body = dms_task(client, t["instance"], t["id"]).json()
    task = body["tasks"][0]
    assert task["name"] == evil and task["status"] == "EXPLODED" and task["params"] is None
    assert task["created_at"] == 12345 and "user_id" not in task and body["task_count"] == 1
    s = sim_reset.create_tasks("smint", overrides={"finished_percentage": 250, "state": "paused",
                                                   "total_steps": "many", "result_string": None})[0]
    sbody = smint(client, s["id"]).json()
    assert sbody["finished_percentage"] == 250 and sbody["state"] == "paused" and sbody["total_steps"] == "many"
    big = sim_reset.create_tasks("apig", run=0, result_size=20_000_000)[0]
    r = apig_task(client, big["instance"], big["id"])
    assert r.status_code == 200 and len(r.json()["task_result"]) >= 20_000_000


# --- faults --------------------------------------------------------------------------------------------------

def test_fault_latency_and_count(sim_reset: SimulatorProcess, client: httpx.Client, info: dict[str, Any]) -> None:
    uuid = info["tasks"][0]["id"]
    sim_reset.add_fault("latency", task_id=uuid, seconds=0.3, count=1)
    start = time.monotonic()
    assert smint(client, uuid).status_code == 200
    assert time.monotonic() - start >= 0.3  # a lower bound: the injected delay happened
    # count=1: the fault is used up (an upper bound on the next answer's time would only measure the machine)
    assert sim_reset.call("GET", "/_sim/faults")["faults"] == []
    assert smint(client, uuid).status_code == 200


@pytest.mark.parametrize(("status", "style", "retry_after"), [
    (429, "json", "7"), (429, "json", None), (429, "empty", "3"),
    (500, "json", None), (500, "html", None), (500, "empty", None),
    (502, "json", None), (502, "html", None), (502, "empty", None),
    (503, "json", None), (503, "html", None), (503, "empty", None), (503, "text", "120"),
])
def test_fault_status(sim_reset: SimulatorProcess, client: httpx.Client, info: dict[str, Any], status: int,
                      style: str, retry_after: str | None) -> None:
    kafka = instance(info, "kafka-orders")
    spec: dict[str, Any] = {"task_id": BIND_IP, "status": status, "body": style, "count": 2}
    if retry_after:
        spec["retry_after"] = int(retry_after)
    sim_reset.add_fault("status", **spec)
    for _ in range(2):
        r = dms_task(client, kafka, BIND_IP)
        assert r.status_code == status
        assert r.headers.get("Retry-After") == retry_after
        if style == "json":
            assert r.json()["error_code"].startswith("APIG.") and r.json()["error_msg"]
        elif style == "html":
            assert r.headers["content-type"].startswith("text/html") and "<html>" in r.text
        elif style == "empty":
            assert r.content == b""
    assert dms_task(client, kafka, BIND_IP).status_code == 200


def test_fault_status_smint_shape(sim_reset: SimulatorProcess, client: httpx.Client, info: dict[str, Any]) -> None:
    sim_reset.add_fault("status", family="smint", status=429, retry_after=2)
    r = smint(client, info["tasks"][0]["id"])
    assert r.status_code == 429 and r.headers["Retry-After"] == "2"
    assert set(r.json()) == {"error_code", "error_message", "error_details"}


def test_fault_broken_bodies(sim_reset: SimulatorProcess, client: httpx.Client, info: dict[str, Any]) -> None:
    gw = instance(info, "gateway-eu")
    good = apig_task(client, gw, APIG_EXPORT).content
    sim_reset.add_fault("html200", task_id=APIG_EXPORT, count=1)
    r = apig_task(client, gw, APIG_EXPORT)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html") and "<html>" in r.text
    sim_reset.add_fault("truncated", task_id=APIG_EXPORT, count=1)
    r = apig_task(client, gw, APIG_EXPORT)
    assert r.status_code == 200 and good.startswith(r.content) and len(r.content) < len(good)
    with pytest.raises(ValueError):
        json.loads(r.content)
    sim_reset.add_fault("invalid_json", task_id=APIG_EXPORT, count=1)
    with pytest.raises(ValueError):
        json.loads(apig_task(client, gw, APIG_EXPORT).content)
    sim_reset.add_fault("invalid_utf8", task_id=APIG_EXPORT, count=1)
    r = apig_task(client, gw, APIG_EXPORT)
    assert r.status_code == 200 and "charset=utf-8" in r.headers["content-type"]
    with pytest.raises(UnicodeDecodeError):
        r.content.decode("utf-8")
    raw = b"\x00\x01 not what you expected"
    sim_reset.add_fault("raw", task_id=APIG_EXPORT, count=1, status=418, content_type="application/x-teapot",
                        raw_body_b64=base64.b64encode(raw).decode(), headers={"X-Extra": "1"})
    r = apig_task(client, gw, APIG_EXPORT)
    assert (r.status_code, r.content, r.headers["content-type"], r.headers["x-extra"]) == (
        418, raw, "application/x-teapot", "1")
    sim_reset.add_fault("raw", task_id=APIG_EXPORT, count=1, status=200, raw_body="plain words",
                        content_type="text/plain")
    assert apig_task(client, gw, APIG_EXPORT).text == "plain words"
    assert apig_task(client, gw, APIG_EXPORT).content == good


@pytest.mark.parametrize("rst", [False, True])
def test_fault_reset_connection(sim_reset: SimulatorProcess, client: httpx.Client, info: dict[str, Any],
                                rst: bool) -> None:
    uuid = info["tasks"][0]["id"]
    sim_reset.add_fault("reset", task_id=uuid, count=1, rst=rst)
    with pytest.raises(httpx.TransportError):
        smint(client, uuid)
    assert smint(client, uuid).status_code == 200
    log = sim_reset.requests(task_id=uuid)
    assert [e["status"] for e in log] == [0, 200]


def test_fault_matching_and_clearing(sim_reset: SimulatorProcess, client: httpx.Client,
                                     info: dict[str, Any]) -> None:
    gw = instance(info, "gateway-eu")
    kafka = instance(info, "kafka-orders")
    fid = sim_reset.add_fault("status", path="/apigw/", status=503)
    sim_reset.add_fault("status", status=500)  # everything else
    assert apig_task(client, gw, APIG_EXPORT).status_code == 503
    assert dms_task(client, kafka, BIND_IP).status_code == 500
    assert sim_reset.call("GET", "/_sim/health")["ok"]  # the admin API is never faulted
    assert sim_reset.call("DELETE", f"/_sim/faults/{fid}")["removed"] is True
    assert apig_task(client, gw, APIG_EXPORT).status_code == 500
    sim_reset.clear_faults()
    assert apig_task(client, gw, APIG_EXPORT).status_code == 200
    assert _admin_error(sim_reset, "/_sim/faults", {"kind": "explode"})["error"]
    assert _admin_error(sim_reset, "/_sim/faults", {"kind": "status", "count": 0})["error"]


# --- request log and stats -----------------------------------------------------------------------------------

def test_request_log_and_stats(sim_reset: SimulatorProcess, client: httpx.Client, info: dict[str, Any]) -> None:
    kafka = instance(info, "kafka-orders")
    dms_task(client, kafka, BIND_IP)
    dms_task(client, kafka, "0" * 32)
    client.get(f"/v2/{P}/instances/{kafka}/tasks", headers=HW_AUTH)
    log = sim_reset.requests()
    assert [e["status"] for e in log] == [200, 404, 200]
    first = log[0]
    assert first["method"] == "GET" and first["path"].endswith(BIND_IP) and first["task_id"] == BIND_IP
    assert first["family"] == "dms" and first["end"] >= first["start"]
    assert log[2]["task_id"] is None
    assert [e["task_id"] for e in sim_reset.requests(task_id=BIND_IP)] == [BIND_IP]
    assert len(sim_reset.requests(since=log[1]["seq"])) == 1
    stats = sim_reset.stats(task_id=BIND_IP)
    assert stats["total_requests"] == 3 and stats["by_status"] == {"200": 2, "404": 1}
    assert stats["max_in_flight_per_task"] == 1 and stats["task"]["requests"] == 1
    sim_reset.clear_log()
    assert sim_reset.requests() == [] and sim_reset.stats()["total_requests"] == 0


def test_stats_count_concurrent_requests_per_task(sim_reset: SimulatorProcess, info: dict[str, Any]) -> None:
    uuid = info["tasks"][0]["id"]
    sim_reset.add_fault("latency", task_id=uuid, seconds=0.5)

    def fetch(_: int) -> int:
        with httpx.Client(base_url=sim_reset.base_url, trust_env=False) as c:
            return smint(c, uuid).status_code

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(fetch, range(4))) == [200] * 4
    stats = sim_reset.stats(task_id=uuid)
    assert stats["max_in_flight_per_task"] == 4 and stats["max_in_flight_task"] == uuid
    assert stats["task"]["max_in_flight"] == 4 and stats["in_flight"] == 0
    spans = [(e["start"], e["end"]) for e in sim_reset.requests(task_id=uuid)]
    assert max(s for s, _ in spans) < min(e for _, e in spans)  # they overlapped


# --- entry points --------------------------------------------------------------------------------------------

def test_taskdeck_simulator_command_starts_and_stops() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "tui", "simulator", "--port", "0", "--scenario", "empty"],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("taskdeck simulator listening on http://127.0.0.1:")
        url = line.split()[-1]
        assert httpx.get(url + "/_sim/health", trust_env=False).json()["scenario"] == "empty"
        proc.terminate()
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_simulator_process_helper() -> None:
    with SimulatorProcess(scenario="bulk", seed=3, count=30) as sp:
        assert sp.port > 0 and sp.base_url == f"http://127.0.0.1:{sp.port}"
        assert len(sp.scenario_info()["tasks"]) == 30
        proc = sp.proc
    assert proc is not None and proc.poll() is not None


async def test_in_process_simulator() -> None:
    sim = await start_simulator("127.0.0.1", 0, "demo", 1)
    try:
        assert sim.port > 0
        async with httpx.AsyncClient(base_url=sim.base_url, trust_env=False) as c:
            info = (await c.get("/_sim/scenario")).json()
            uuid = info["tasks"][0]["id"]
            results = await asyncio.gather(*(c.get(f"/frontend/v1/backgroundTasks/{uuid}", headers=SMINT_AUTH)
                                             for _ in range(5)))
        assert [r.status_code for r in results] == [200] * 5
        assert sim.state.log.stats()["total_requests"] == 5
    finally:
        await sim.stop()


def test_simulator_imports_no_ui_or_client_code() -> None:
    code = ("import sys, tui.simulator.server, tui.simulator.process, tui.simulator.cli; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich') "
            "or m.startswith(('tui.core', 'tui.providers'))]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
